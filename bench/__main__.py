"""`make bench`: AWS calls per operation and the cold-start ratio, against budgets.

Calls are counted with a botocore `before-call` hook on the app's own clients,
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


def measure_operations() -> list[tuple[str, Counter[str]]]:
    server, env = start_aws()
    try:
        from chalice.test import Client

        import app as app_module
        from chalicelib.store.aws import client as aws_client
        from devstack.lambda_runtime import LocalContext
        from tests.support import sign_in

        counter = CallCounter()
        for service in ("dynamodb", "sqs"):
            aws_client(service).meta.events.register("before-call", counter.hook)
        agent = sign_in(env, "mehmet")
        results: list[tuple[str, Counter[str]]] = []
        ahmet_intake = {"type": "complaint", "subject": "Kargo", "description": "gelmedi"}
        with Client(app_module.app) as client:
            ahmet = call(client, "get", "/customers?customer_number=10000001", agent)

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
            ]  # fmt: skip
            for name, operation in measured:
                with counter.measure() as calls:
                    operation()
                results.append((name, Counter(calls)))
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
        return results
    finally:
        server.stop()


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
    for name, calls in measure_operations():
        shown = ", ".join(f"{op} {n}" for op, n in sorted(calls.items())) or "none"
        budget = BUDGETS.get(name)
        verdict = ""
        if budget is not None:
            ok = set(calls) <= set(budget) and all(calls[k] <= v for k, v in budget.items())
            verdict = "ok" if ok else "OVER"
            if not ok:
                broken.append(name)
        lines.append(f"  {name:<48} {shown:<44} {verdict}")
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
