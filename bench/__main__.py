"""`make bench`: AWS calls per operation and the cold-start ratio, against budgets.

Calls are counted with a botocore `before-parameter-build` hook on the app's own clients,
while the app runs in-process against a moto server built from infra/ (the same
set-up as the integration tests). Each operation is measured warm (JWKS, roles
and the case-number hint cached), which is how nearly every request runs; the
first request of a cold container is shown too.

Exit status is 1 when a budget is broken, so a regression is visible in CI logs
if anyone runs it there; budgets are never timed tests.
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import uuid
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
logging.getLogger("werkzeug").setLevel(logging.ERROR)

BUDGETS = {
    "open case (customer id known)": {"TransactWriteItems": 1, "SendMessage": 1},
    "read case with history (by id)": {"Query": 1},
    "read case with history (by number)": {"Query": 1},
    "queue page (group pool, priority order)": {"Query": 1},
}
IMPORT_RATIO_BUDGET = 2.0


class CallCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def hook(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    @contextmanager
    def measure(self):
        self.calls.clear()
        yield self.calls


def start_aws() -> Any:
    from moto.server import ThreadedMotoServer

    from devstack.bootstrap import provision
    from tests.support import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = provision(f"http://127.0.0.1:{port}", stage="bench")
    os.environ.update(env)
    from chalicelib import wiring
    from devstack.seed import seed

    wiring.reset()
    seed(env)
    return server, env


def call(client: Any, method: str, path: str, token: str, body: Any = None) -> Any:
    response = getattr(client.http, method)(
        path,
        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
        body=json.dumps(body) if body is not None else None,
    )
    if response.status_code >= 400:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.body!r}")
    return json.loads(response.body)


def sqs_event(case: dict) -> dict:
    body = json.dumps({"type": "case.opened", "case_id": case["id"], "number": case["number"]})
    record = {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": "r",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1",
            "SenderId": "s",
            "ApproximateFirstReceiveTimestamp": "1",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:destek-routing",
        "awsRegion": "eu-central-1",
    }
    return {"Records": [record]}


def new_container() -> None:
    """Forget what a warm Lambda container keeps: roles, JWKS, the case-number hint.

    The boto3 clients are kept (the call counter hangs on them); a real new
    container would also create those, which costs time but no AWS calls.
    """
    from chalicelib import wiring
    from chalicelib.store import cases

    wiring.reset()
    cases._LAST_SEQUENCE.clear()


def measure_operations() -> tuple[list[tuple[str, Counter[str]]], list]:
    server, env = start_aws()
    try:
        from chalice.test import Client

        import app as app_module
        from chalicelib.store.aws import client as aws_client
        from devstack.lambda_runtime import LocalContext
        from tests.support import sign_in

        counter = CallCounter()
        for service in (
            "dynamodb",
            "sqs",
            "s3",
        ):  # the first event of every call, before any answer
            aws_client(service).meta.events.register("before-parameter-build", counter.hook)
        agent = sign_in(env, "mehmet")
        customer = sign_in(env, "ahmet@example.com")
        results: list[tuple[str, Counter[str]]] = []
        ahmet_intake = {"type": "question", "subject": "Bir sorum var", "description": "bilgi"}
        with Client(app_module.app) as client:
            ahmet = call(client, "get", "/customers?customer_number=10000001", agent)
            phone = next(r for r in call(client, "get", "/my/products", customer)["items"]
                         if r["serial_number"] == "SN-DEMO-0001")  # fmt: skip

            def open_case(customer: dict) -> dict:
                return call(client, "post", "/cases", agent, {"customer": customer, **ahmet_intake})

            first = open_case({"customer_id": ahmet["id"]})
            new_container()
            with counter.measure() as calls:
                open_case({"customer_id": ahmet["id"]})
            results.append(("open case, first request of a new container", Counter(calls)))
            measured = [
                ("open case (customer id known)", lambda: open_case({"customer_id": ahmet["id"]})),
                ("open case (caller found by phone)",
                 lambda: open_case({"phone": "0532 123 45 67"})),
                (
                    "open case (new caller created with it)",
                    lambda: open_case({"phone": f"0555 {uuid.uuid4().int % 900 + 100} 11 22",
                                       "name": "Yeni"}),
                ),
                ("route a case (SQS handler, one record)",
                 lambda: app_module.route_cases(sqs_event(first), LocalContext("route_cases"))),
                ("read case with history (by id)",
                 lambda: call(client, "get", f"/cases/{first['id']}", agent)),
                ("read case with history (by number)",
                 lambda: call(client, "get", f"/cases/{first['number']}", agent)),
                ("queue page (group pool, priority order)",
                 lambda: call(client, "get", "/cases?view=pool&group_id=urun&limit=25", agent)),
                ("site: file a case about a registered product",
                 lambda: call(client, "post", "/my/cases", customer,
                              {**ahmet_intake, "registration_id": phone["id"]})),
                ("site: register a product",
                 lambda: call(client, "post", "/my/products", customer,
                              {"product_id": "p-fakir-starky", "purchase_date": "2026-10-01",
                               "serial_number": f"SN-BENCH-{uuid.uuid4().hex[:8]}"})),
                ("site: my products with warranty", lambda: call(client, "get", "/my/products",
                                                                 customer)),
                ("customer 360 (profile, products, orders, calls, cases)",
                 lambda: call(client, "get", f"/customers/{ahmet['id']}/overview", agent)),
                ("public: catalog (rate limit + one subtree Query)",
                 lambda: call(client, "get", "/catalog", "")),
            ]  # fmt: skip
            for name, operation in measured:
                with counter.measure() as calls:
                    operation()
                results.append((name, Counter(calls)))
            results += measure_precases(client, agent, counter, env)
            case = call(client, "get", f"/cases/{first['id']}", agent)["case"]
            with counter.measure() as calls:
                call(
                    client,
                    "post",
                    f"/cases/{case['id']}/claim",
                    agent,
                    {"version": case["version"]},
                )
            results.append(("claim a case (read + conditional write)", Counter(calls)))
            sweeps = measure_sweep(counter, ahmet["id"])
        return results, sweeps
    finally:
        server.stop()


def measure_precases(client: Any, agent: str, counter: Any, env: dict) -> list:
    """An email becoming a pre-case, the pool, and a pre-case becoming a case."""
    from chalicelib import wiring
    from chalicelib.store.aws import client as aws_client

    raw = (ROOT / "tests" / "data" / "mail" / "01-duz-utf8.eml").read_bytes()
    key = f"inbound/bench-{uuid.uuid4().hex}"
    aws_client("s3").put_object(Bucket=env["INBOUND_MAIL_BUCKET"], Key=key, Body=raw)
    results = []
    with counter.measure() as calls:
        taken = wiring.mail_intake().take(key)
    results.append(("email in: a new message becomes a pre-case", Counter(calls)))
    with counter.measure() as calls:
        call(client, "get", "/precases?channel=email&limit=25", agent)
    results.append(("pre-case pool page (one channel, oldest first)", Counter(calls)))
    pre = call(client, "get", f"/precases/{taken.precase_id}", agent)
    with counter.measure() as calls:
        call(client, "post", f"/precases/{pre['id']}/case", agent,
             {"version": pre["version"], "type": "question"})  # fmt: skip
    results.append(("convert a pre-case to a case (case + pre-case in one write)", Counter(calls)))
    return results


def _bulk_cases(customer_id: str, count: int, opened_at, policy, calendar) -> None:
    """Write open cases straight into the table (as the app would store them), 25 per call."""
    from chalicelib import wiring
    from chalicelib.domain.cases import Actor, Case
    from chalicelib.domain.ids import new_id
    from chalicelib.domain.lifecycle import Status
    from chalicelib.domain.sla import start_sla
    from chalicelib.domain.sla_tracking import with_sla
    from chalicelib.store.cases import case_item

    table = wiring.table()
    batch = []
    for index in range(count):
        case = Case(
            id=new_id("c"), number=f"2020-{index:07d}", type="question", channel="web",
            status=Status.OPEN, subject="bench", description="bench", customer_id=customer_id,
            group_id="urun", created_by=Actor(kind="system", id="bench"),
            created_at=opened_at, updated_at=opened_at,
        )  # fmt: skip
        case = with_sla(case, start_sla(policy, calendar, opened_at))
        batch.append({"PutRequest": {"Item": table.ser(case_item(case))}})
        if len(batch) == 25:
            table.client.batch_write_item(RequestItems={table.name: batch})
            batch = []
    if batch:
        table.client.batch_write_item(RequestItems={table.name: batch})


class _Accepted:
    status_code = 200


def _accept_transactions(model: Any, **_: Any) -> Any:
    """Answer TransactWriteItems here: moto deep-copies the whole table on every transaction
    (for its rollback), which makes a write on a 10,000-case table take seconds. The call is
    still counted (the counter's hook runs first); every read stays real."""
    if model.name == "TransactWriteItems":
        return _Accepted(), {}
    return None


class IndexReads:
    """Items the sweep's index Query returned (its Count), from the real responses."""

    def __init__(self) -> None:
        self.items = 0

    def hook(self, model: Any, parsed: dict, **_: Any) -> None:
        items = parsed.get("Items")
        keys_only = {"PK", "SK", "timer_pk", "timer_sk"}
        if model.name == "Query" and items is not None and all(set(i) <= keys_only for i in items):
            self.items += parsed["Count"]


def measure_sweep(counter: CallCounter, customer_id: str) -> list[tuple[str, Counter[str], int]]:
    """The sweep's AWS calls with 100 cases due, as open cases grow from 1,000 to 10,000.

    The 100 due cases stay due between the two runs (their writes are answered by the
    bench, see _accept_transactions), so both runs sweep the same due set.
    """
    from datetime import timedelta

    from chalicelib import wiring
    from chalicelib.domain.business_hours import BusinessCalendar
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.sla import SlaPolicy

    policy = SlaPolicy(id="bench", name="bench", first_response_minutes=60,
                       resolution_minutes=600, hours="calendar")  # fmt: skip
    calendar = BusinessCalendar()
    now = utcnow()
    from chalicelib.store.aws import client

    dynamodb = client("dynamodb")
    index_reads = IndexReads()
    dynamodb.meta.events.register_last("before-call.dynamodb", _accept_transactions)
    dynamodb.meta.events.register("after-call.dynamodb", index_reads.hook)
    results = []
    _bulk_cases(customer_id, 100, now - timedelta(hours=3), policy, calendar)  # due
    open_so_far = 100
    try:
        for open_cases in (1_000, 10_000):
            _bulk_cases(customer_id, open_cases - open_so_far, now, policy, calendar)  # not due
            open_so_far = open_cases
            index_reads.items = 0
            with counter.measure() as calls:
                events = wiring.sla_sweep().run()
            calls["(items read from the index)"] = index_reads.items
            results.append((f"{open_cases:,} open, 100 due", Counter(calls), events))
    finally:
        dynamodb.meta.events.unregister("before-call.dynamodb", _accept_transactions)
        dynamodb.meta.events.unregister("after-call.dynamodb", index_reads.hook)
    return results


def import_seconds(module: str, runs: int) -> list[float]:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
        times.append(float(out.stdout.strip()))
    return times


def cold_start(runs: int = 9) -> tuple[float, float]:
    boto3_times, app_times = [], []
    for _ in range(runs):  # alternate, so machine noise hits both alike
        boto3_times += import_seconds("boto3", 1)
        app_times += import_seconds("app", 1)
    return statistics.median(boto3_times), statistics.median(app_times)


def report() -> int:
    broken = []
    lines = ["", "AWS calls per operation (warm container unless said)", ""]
    lines.append(f"  {'operation':<48} {'calls':<44} budget")
    operations, sweeps = measure_operations()
    for name, calls in operations:
        shown = ", ".join(f"{op} {n}" for op, n in sorted(calls.items())) or "none"
        budget = BUDGETS.get(name)
        verdict = ""
        if budget is not None:
            ok = set(calls) <= set(budget) and all(calls[k] <= v for k, v in budget.items())
            verdict = "ok" if ok else "OVER"
            if not ok:
                broken.append(name)
        lines.append(f"  {name:<48} {shown:<44} {verdict}")
    lines += ["", "SLA sweep: reads stay flat while open cases grow (100 due each time)", ""]
    for name, calls, events in sweeps:
        shown = ", ".join(f"{op} {n}" for op, n in sorted(calls.items()))
        lines.append(f"  {name:<22} {events} SLA events; {shown}")
    if len(sweeps) == 2 and sweeps[0][1] != sweeps[1][1]:
        broken.append("sweep reads grew with open cases")
    boto3_median, app_median = cold_start()
    ratio = app_median / boto3_median
    verdict = "ok" if ratio <= IMPORT_RATIO_BUDGET else "OVER"
    if ratio > IMPORT_RATIO_BUDGET:
        broken.append("cold start")
    lines += [
        "",
        "cold start (median of 9 fresh interpreters each, alternating)",
        f"  import boto3 {boto3_median * 1000:.0f} ms, import app {app_median * 1000:.0f} ms,"
        f" ratio {ratio:.2f} (budget {IMPORT_RATIO_BUDGET}) {verdict}",
        "",
        "budgets broken: " + (", ".join(broken) if broken else "none"),
    ]
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(report())
