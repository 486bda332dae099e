"""Latency through the API on the local stack, as the table grows to a shop's size.

The local stack (`devstack.stack.LocalStack`: moto with the fast DynamoDB engine, the
API on `chalice local`'s HTTP server, the queue dispatcher) is started once; its
scheduler is stopped, so the SLA sweep runs only when the bench runs it. For each size
the loader (bench/loader.py) adds cases until the table holds that many, then each
operation is timed over HTTP, round after round (so noise on this machine falls on all
operations alike), and the sweep is run with 100 newly due cases. Size 0 is the demo
data and the few cases the bench claims: the writes' baseline ("empty"). The cases
claimed, answered and moved are loaded open cases, a fresh one each round; the 360 is
of a loaded customer (at size 0, of the demo's Ahmet).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

#: the operations timed at each size, in the order of a round
OPERATIONS = [
    "create a case",
    "claim a case",
    "reply",
    "status change",
    "queue page (pool, priority)",
    "case read (with history)",
    "customer 360",
    "report (volume by group, 30 days)",
]
WRITES = OPERATIONS[:4]


@dataclass
class Timings:
    """Per operation: wall-clock seconds of each request, and the CPU seconds this process
    (API, moto, dispatcher) spent meanwhile; the machine's load average while measuring."""

    size: int
    items: int
    load_seconds: float
    samples: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    load_average: float = 0.0
    #: DynamoDB items the report read (its answer's `items_read`): days x cells, not cases
    report_items: int = 0

    def p(self, operation: str, q: float, cpu: bool = False) -> float:
        values = sorted((self.cpu if cpu else self.samples)[operation])
        return values[min(len(values) - 1, round(q * (len(values) - 1)))] * 1000


@dataclass
class Sweep:
    size: int
    seconds: float
    events: int
    calls: Counter[str]


class Http:
    def __init__(self, base: str, token: str) -> None:
        import urllib3

        self.base = base
        self.pool = urllib3.PoolManager(maxsize=2)
        self.headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}

    def __call__(self, method: str, path: str, body: Any = None) -> tuple[tuple[float, float], Any]:
        """((wall seconds, this process's CPU seconds), the answer's JSON)."""
        data = json.dumps(body).encode() if body is not None else None
        started, cpu = time.perf_counter(), time.process_time()
        response = self.pool.request(method, self.base + path, body=data, headers=self.headers)
        took = (time.perf_counter() - started, time.process_time() - cpu)
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {response.data[:300]!r}")
        return took, json.loads(response.data)


def run(
    sizes: list[int], rounds: int, count_calls: Callable[..., Any], progress: Any = None
) -> tuple[list, list]:
    """Timings per size, and the sweep's time and calls per size; a line on `progress`
    (a text stream) as each step starts."""

    def say(text: str) -> None:
        if progress is not None:
            progress.write(f"bench: {text}\n")
            progress.flush()

    from devstack import fast_dynamodb
    from devstack.bootstrap import REGION
    from devstack.stack import LocalStack
    from tests.support import free_port, sign_in

    from .loader import Loader

    stack = LocalStack(
        api_port=free_port(), moto_port=free_port(), mailbox_port=free_port(),
        site_port=free_port(),
    )  # fmt: skip
    stack.start()
    try:
        stack.scheduler.stop()  # the bench runs the sweep itself, when it measures it
        from chalicelib import wiring

        http = Http(stack.api_url, sign_in(stack.env, "mehmet"))
        supervisor = Http(stack.api_url, sign_in(stack.env, "selin"))  # reports:read
        ahmet = http("GET", "/customers?customer_number=10000001")[1]
        loader = Loader(wiring.table(), REGION)
        timings, sweeps = [], []
        for size in [0, *sizes]:
            say(f"loading to {size:,} cases" if size else "measuring on the demo data")
            started = time.perf_counter()
            items = loader.grow_to(size)
            fast_dynamodb.warm(*_account_region(REGION))
            load_seconds = time.perf_counter() - started
            targets = loader.open_cases(rounds + 2, "urun")
            customer = loader.customers[len(loader.customers) // 2] if size else ahmet["id"]
            result = Timings(size, items, load_seconds)
            say(f"{size:,} cases: measuring {rounds} rounds")
            _measure(http, supervisor, result, targets, customer, ahmet["id"], rounds)
            timings.append(result)
            stack.dispatcher.drain()
            if size:
                say(f"{size:,} cases: the SLA sweep")
                sweeps.append(_sweep(loader, size, count_calls))
        return timings, sweeps
    finally:
        stack.stop()


def _account_region(region: str) -> tuple[str, str]:
    from moto.core import DEFAULT_ACCOUNT_ID

    return DEFAULT_ACCOUNT_ID, region


def _measure(http: Http, supervisor: Http, result: Timings, targets: list[str], customer: str,
             ahmet: str, rounds: int) -> None:  # fmt: skip
    samples: dict[str, list[float]] = {name: [] for name in OPERATIONS}
    cpu: dict[str, list[float]] = {name: [] for name in OPERATIONS}
    intake = {
        "customer": {"customer_id": ahmet},
        "type": "question",
        "subject": "Siparişim nerede",
        "description": "Kargo takip numarası çalışmıyor",
    }
    from chalicelib.domain.clock import ISTANBUL, utcnow

    today = utcnow().astimezone(ISTANBUL).date()
    month = ((today - timedelta(days=29)).isoformat(), today.isoformat())
    for round_ in range(rounds + 2):  # two rounds to warm up, not counted
        case_id = targets[round_]
        timed = []
        timed.append(http("POST", "/cases", intake)[0])
        took, case = http("POST", f"/cases/{case_id}/claim", {"version": 1})
        timed.append(took)
        took, case = http(
            "POST",
            f"/cases/{case_id}/replies",
            {"version": case["version"], "body": "Kargonuz yarın teslim edilecek."},
        )
        timed.append(took)
        timed.append(
            http(
                "POST",
                f"/cases/{case_id}/status",
                {"version": case["version"], "status": "waiting_customer"},
            )[0]
        )
        timed.append(http("GET", "/cases?view=pool&group_id=urun&limit=25")[0])
        timed.append(http("GET", f"/cases/{case_id}")[0])
        timed.append(http("GET", f"/customers/{customer}/overview")[0])
        took, table = supervisor("GET", f"/reports/volume?from={month[0]}&to={month[1]}&by=group")
        timed.append(took)
        result.report_items = table["items_read"]
        if round_ >= 2:
            for name, (wall, used) in zip(OPERATIONS, timed, strict=True):
                samples[name].append(wall)
                cpu[name].append(used)
    result.samples, result.cpu = samples, cpu
    result.load_average = os.getloadavg()[0]


def _sweep(loader: Any, size: int, count_calls: Callable[..., Any]) -> Sweep:
    """The SLA sweep with 100 newly due cases (a breach and two escalation levels each),
    its calls counted on this thread only (the dispatcher's threads work meanwhile)."""
    from chalicelib import wiring
    from chalicelib.domain.sla import SlaPolicy

    policy = SlaPolicy(id="bench-due", name="bench", first_response_minutes=60,
                       resolution_minutes=600, hours="calendar")  # fmt: skip
    loader.due_cases(100, policy, hours_ago=3)
    me = threading.get_ident()
    with count_calls(lambda: threading.get_ident() == me) as calls:
        started = time.perf_counter()
        events = wiring.sla_sweep().run()
        seconds = time.perf_counter() - started
    return Sweep(size, seconds, events, Counter(calls))


def report_lines(timings: list[Timings], sweeps: list[Sweep]) -> tuple[list[str], list[str]]:
    """The tables, and what broke the targets (writes within 2x of the empty table, reads
    within 2x of 1,000 cases, at the largest size)."""
    lines = [
        "",
        "Latency through the API on the local stack, by cases in the table",
        "(ms: p50 / p95 wall clock, and [p50 CPU of this process meanwhile])",
        "",
    ]
    header = f"  {'operation':<36}" + "".join(f"{t.size:>20,}" for t in timings)
    lines.append(header.replace(f"{0:>20,}", f"{'empty':>20}", 1))
    for name in OPERATIONS:
        cells = "".join(
            f"{t.p(name, 0.5):>8.0f} /{t.p(name, 0.95):>5.0f} [{t.p(name, 0.5, cpu=True):>3.0f}]"
            for t in timings
        )
        lines.append(f"  {name:<36}{cells}")
    rows = [
        ("items loaded", [f"{t.items:,}" for t in timings]),
        ("items the report read", [f"{t.report_items:,}" for t in timings]),
        ("load time (s)", [f"{t.load_seconds:.0f}" for t in timings]),
        ("machine load average", [f"{t.load_average:.1f}" for t in timings]),
    ]
    for label, values in rows:
        lines.append(f"  {label:<36}" + "".join(f"{v:>20}" for v in values))
    lines += ["", "SLA sweep, 100 cases due (a breach and two escalations each)", ""]
    for sweep in sweeps:
        shown = ", ".join(f"{op} {n}" for op, n in sorted(sweep.calls.items()))
        lines.append(f"  {sweep.size:>8,} cases  {sweep.seconds:6.1f} s  {sweep.events} events;"
                     f" {shown}")  # fmt: skip
    # the target: at the largest size, p50 within 2x of the empty table (writes) or of
    # 1,000 cases (reads). Missed only when both the wall clock and the CPU time say so:
    # on a shared machine the wall clock alone moves with other work between steps
    broken = []
    by_size = {t.size: t for t in timings}
    largest = timings[-1]
    lines += ["", f"at {largest.size:,} cases, p50 against the baseline (wall, CPU):", ""]
    for name in OPERATIONS:
        base = by_size.get(0 if name in WRITES else 1000)
        if base is None or base is largest:
            continue
        wall = largest.p(name, 0.5) / base.p(name, 0.5)
        cpu = largest.p(name, 0.5, cpu=True) / max(base.p(name, 0.5, cpu=True), 1e-3)
        verdict = "ok" if wall <= 2 or cpu <= 2 else "OVER"
        label = "empty" if base.size == 0 else f"{base.size:,}"
        lines.append(f"  {name:<28} {wall:4.1f}x, {cpu:4.1f}x of {label:<8} {verdict}")
        if verdict == "OVER":
            broken.append(f"{name} at {largest.size:,} over 2x of {label}")
    if len({tuple(sorted(s.calls.items())) for s in sweeps}) > 1:
        broken.append("sweep calls grew with the table")
    return lines, broken
