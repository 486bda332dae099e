"""`make bench`: AWS calls per operation, latency at a shop's size, the cold-start ratio.

Calls are counted with a botocore `before-parameter-build` hook on the app's own clients,
while the app runs in-process against a moto server built from infra/ (the same
set-up as the integration tests). Each operation is measured warm (JWKS, roles
and a block of case numbers held), which is how nearly every request runs; the
first request of a cold container is shown too.

Latency is measured through the API over HTTP on the local stack with the table loaded to
1,000, 10,000 and 100,000 cases (bench/latency.py, bench/loader.py); `BENCH_SIZES=1000,10000`
picks sizes, `BENCH_ROUNDS` the samples per operation (20). The SLA sweep runs at each
size with 100 cases due, every call real. Then the local stack's restart is timed at the
largest size (bench/restart.py; `BENCH_RESTART=0` leaves it out), and DuckDB over a million
case events with the open data store's cost in AWS (bench/duckdb_events.py; `BENCH_DUCKDB=0`
leaves it out), and one case's whole life with its AWS calls, DynamoDB units, messages and
cost per 1,000 cases, one at a time and BENCH_AT_ONCE at once (bench/case_life.py;
`BENCH_LIFE=0` leaves it out). Knowledge base
relevance: recall@3 and MRR of the customer questions
against the seeded articles (bench/relevance.py, `python -m bench.relevance` alone). Turkish
routing and sentiment on the issue 20 sets, per group and per kind (bench/turkish_text.py,
`python -m bench.turkish_text` alone, with every miss). The
assistant: its scripted conversations through the API, answered, correct, leaks
(bench/assistant.py, `python -m bench.assistant` alone; a leak breaks the budget). The
console's cold first load in Chromium: bytes and requests by kind against their budgets, and
the time to the first case list (bench/console_load.py; `BENCH_CONSOLE=0` leaves it out).

Then `make package` is built into a temporary folder: the zip's size, what fills it, and a
start from it as Lambda starts it (bench/package.py); and each function's peak memory and
cold-start CPU, run from the package through case lives (bench/memory.py, writing
bench/memory.json; `BENCH_MEMORY=0` leaves it out).

Everything measured is written below the marker line of docs/performance.md, with the
date (bench/report.py); `BENCH_DOC=path` writes another file, `BENCH_DOC=-` none. A quick
run: `BENCH_SIZES=1000 BENCH_ROUNDS=5 make bench`.

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
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
logging.getLogger("werkzeug").setLevel(logging.ERROR)

BUDGETS = {
    # UpdateItem: a block of case numbers, only when the container's block is used up
    "open case (customer id known)": {"UpdateItem": 1, "TransactWriteItems": 1, "SendMessage": 1},
    "read case with history (by id)": {"Query": 1},
    # the lists' indexes project the keys only (docs/performance.md): the number's entry,
    # then the case's partition; a page's keys, then its items in one BatchGetItem
    "read case with history (by number)": {"Query": 2},
    "queue page (group pool, priority order)": {"Query": 1, "BatchGetItem": 1},
    "my cases page, each row marked unread or not": {"Query": 1, "BatchGetItem": 1},
    "open a case in the console: mark it seen": {"UpdateItem": 1},
    # a change's history, notices and case events ride in its one transaction
    "claim a case (read + conditional write)": {"Query": 1, "TransactWriteItems": 1},
    # a pre-case's events ride in its move's one transaction too (measured the same before)
    "email in: a new message becomes a pre-case": {
        "GetObject": 1,
        "GetItem": 2,
        "Query": 1,
        "TransactWriteItems": 1,
    },
    "convert a pre-case to a case (case + pre-case in one write)": {
        "Query": 2,
        "GetItem": 1,
        "TransactWriteItems": 1,
        "SendMessage": 1,
    },
}
IMPORT_RATIO_BUDGET = 2.0


class CallCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.only: Any = None  # a predicate: count only the calls it accepts (this thread)

    def hook(self, model: Any, **_: Any) -> None:
        if self.only is None or self.only():
            self.calls[model.name] += 1

    def index_reads(self, model: Any, parsed: dict, **_: Any) -> None:
        """Items an index Query of only keys returned (the sweep's sla_timer read)."""
        items = parsed.get("Items")
        keys_only = {"PK", "SK", "timer_pk", "timer_sk"}
        if model.name != "Query" or not items or (self.only and not self.only()):
            return
        if all(set(i) <= keys_only for i in items):
            self.calls["(items read from the index)"] += parsed["Count"]

    def attach(self) -> None:
        """Hook the app's clients (created here if they were not yet)."""
        from chalicelib.store.aws import client as aws_client

        tag = f"bench-{id(self)}"  # registering twice on one client counts once
        for service in ("dynamodb", "sqs", "s3"):  # the first event of every call
            events = aws_client(service).meta.events
            events.register("before-parameter-build", self.hook, unique_id=f"{tag}-calls")
        aws_client("dynamodb").meta.events.register(
            "after-call.dynamodb", self.index_reads, unique_id=f"{tag}-reads"
        )

    @contextmanager
    def measure(self, only: Any = None):
        self.calls.clear()
        self.only = only
        try:
            yield self.calls
        finally:
            self.only = None


def start_aws() -> Any:
    from devstack.bootstrap import provision
    from devstack.moto_server import MotoServer
    from tests.support import free_port

    server = MotoServer("127.0.0.1", free_port()).start()
    env = provision(server.url, stage="bench")
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
    """Forget what a warm Lambda container keeps: roles, JWKS, its block of case numbers.

    The boto3 clients are kept (the call counter hangs on them); a real new
    container would also create those, which costs time but no AWS calls.
    """
    from chalicelib import wiring
    from chalicelib.store.case_numbers import CASE_NUMBERS

    wiring.reset()
    CASE_NUMBERS.forget()


def measure_operations() -> list[tuple[str, Counter[str]]]:
    server, env = start_aws()
    try:
        from chalice.test import Client

        import app as app_module
        from devstack.lambda_runtime import LocalContext
        from tests.support import sign_in

        counter = CallCounter()
        counter.attach()
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
            call(client, "get", "/my/products", customer)  # warm: the sign-in record is cached
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
                ("my cases page, each row marked unread or not",
                 lambda: call(client, "get", "/cases?view=mine&limit=25", agent)),
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
                claimed = call(
                    client,
                    "post",
                    f"/cases/{case['id']}/claim",
                    agent,
                    {"version": case["version"]},
                )
            results.append(("claim a case (read + conditional write)", Counter(calls)))
            with counter.measure() as calls:
                call(client, "post", f"/cases/{case['id']}/seen", agent,
                     {"version": claimed["version"]})  # fmt: skip
            results.append(("open a case in the console: mark it seen", Counter(calls)))
            new_container()  # what a customer's first request in a container reads
            with counter.measure() as calls:
                call(client, "get", "/my/products", customer)
            results.append(("site: my products, first request of a new container",
                            Counter(calls)))  # fmt: skip
        return results
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


def measure_latency() -> tuple[list, list]:
    """Latency at each size on a fresh local stack, and the sweep's calls at each size."""
    from chalicelib.store.aws import client as aws_client

    from .latency import run

    sizes = [int(x) for x in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",") if x]
    rounds = int(os.environ.get("BENCH_ROUNDS", "20"))
    aws_client.cache_clear()  # the clients of the call-count run point at its stopped server
    counter = CallCounter()

    @contextmanager
    def count_calls(only: Any):
        counter.attach()
        with counter.measure(only) as calls:
            yield calls

    # the stack's own output (request logs, metrics) would bury the tables: kept out
    with open(os.devnull, "w") as quiet, redirect_stdout(quiet), redirect_stderr(quiet):
        return run(sizes, rounds, count_calls, progress=sys.__stderr__)


def import_seconds(module: str, runs: int) -> list[float]:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
        times.append(float(out.stdout.strip()))
    return times


def cold_start(runs: int = 9) -> tuple[float, float]:
    """Medians of `import boto3` and `import app`, each in fresh interpreters. The app's
    bytecode is compiled first, as boto3's was when pip installed it and as the Lambda
    package ships it (devstack/package.py, with_bytecode): otherwise, with
    PYTHONDONTWRITEBYTECODE set, every run measured compiling chalicelib from source."""
    import compileall

    compileall.compile_file(str(ROOT / "app.py"), quiet=2)
    compileall.compile_dir(str(ROOT / "chalicelib"), quiet=2)
    boto3_times, app_times = [], []
    for _ in range(runs):  # alternate, so machine noise hits both alike
        boto3_times += import_seconds("boto3", 1)
        app_times += import_seconds("app", 1)
    return statistics.median(boto3_times), statistics.median(app_times)


def measure_package() -> Any:
    """`make package` into a temporary folder, then its size and a start from it."""
    import tempfile

    from .package import build, measure

    with tempfile.TemporaryDirectory(prefix="destek-bench-package-") as tmp:
        return measure(build(Path(tmp)))


def in_fresh_process(imports: str, expression: str) -> Any:
    """The JSON value of `expression` computed in a fresh interpreter (its progress on this
    one's stderr). A local stack keeps moto's backends in its process: the latency stack has
    already provisioned `destek-local` in this one, and a second stack here found it taken
    (AlreadyExistsException)."""
    code = f"import json, sys; {imports}; print(json.dumps({expression}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                          text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def report() -> int:
    import datetime
    import time

    from .report import DOCUMENT, Run, write

    started = time.perf_counter()
    run = Run(
        date=datetime.date.today().isoformat(),
        machine=f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the start",
        budgets=BUDGETS,
        cold_start_budget=IMPORT_RATIO_BUDGET,
    )
    broken = []
    lines = ["", "AWS calls per operation (warm container unless said)", ""]
    lines.append(f"  {'operation':<48} {'calls':<44} budget")
    operations = measure_operations()
    run.calls = operations
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
    from .latency import report_lines

    latency, sweeps = measure_latency()
    run.latency, run.sweeps = latency, sweeps
    shown, over = report_lines(latency, sweeps)
    lines += shown
    broken += over
    from . import restart
    from .event_latency import report_lines as event_lines

    events = event_lines(in_fresh_process("from bench.event_latency import measure", "measure()"))
    lines += events
    run.local_stack += [line.strip("\n") for line in events if line.strip()]
    if os.environ.get("BENCH_RESTART", "1") != "0":  # `make bench-restart` runs it alone
        cases = max(int(x) for x in os.environ.get("BENCH_SIZES", "1000,10000,100000").split(",")
                    if x)  # fmt: skip
        sys.stderr.write(f"bench: a restart at {cases:,} cases\n")
        measured = in_fresh_process("import dataclasses; from bench.restart import measure",
                                    f"dataclasses.asdict(measure({cases}))")  # fmt: skip
        shown, over = restart.report_lines(restart.Restart(**measured))
        lines += shown
        run.local_stack += [line for line in shown if line.strip()]
        broken += over
    if os.environ.get("BENCH_DUCKDB", "1") != "0":  # `python -m bench.duckdb_events` alone
        from .duckdb_events import measure as duck_measure
        from .duckdb_events import report_lines as duck_lines

        sys.stderr.write("bench: DuckDB over the archive's events\n")
        run.data_store = [line.strip("\n") for line in duck_lines(duck_measure()) if line]
        lines += ["", *run.data_store]
    if os.environ.get("BENCH_LIFE", "1") != "0":  # `python -m bench.case_life` alone
        from .case_life import BUDGET_PER_THOUSAND

        sys.stderr.write("bench: a case's whole life, and what it costs in AWS\n")
        life = in_fresh_process("from bench.case_life import figures", "figures()")
        # and at a shop's volume: BENCH_AT_ONCE lives side by side share each queue's batches
        # (the budget stays the one-at-a-time figure's, the dearer)
        volume = in_fresh_process("from bench.case_life import AT_ONCE, figures",
                                  "figures(AT_ONCE, AT_ONCE)")  # fmt: skip
        run.cost = [*life["lines"], "", *volume["lines"]]
        lines += ["", "a case's life and its cost", *("  " + line for line in run.cost)]
        if life["without_messages"] > BUDGET_PER_THOUSAND:
            broken.append("cost per 1,000 cases")
    if os.environ.get("BENCH_CONSOLE", "1") != "0":  # `python -m bench.console_load` alone
        from .console_load import report_lines as console_lines

        sys.stderr.write("bench: the console's cold first load in Chromium\n")
        console = in_fresh_process("from bench.console_load import measure", "measure()")
        shown, over = console_lines(console)
        run.console = shown
        lines += ["", *shown]
        broken += over
    from .relevance import measure as relevance_measure
    from .relevance import report_lines as relevance_lines

    run.relevance = relevance_lines(relevance_measure())  # seconds: the articles' own index
    lines += [
        "",
        "knowledge base relevance",
        *("  " + line.replace("**", "") for line in run.relevance),
    ]
    from .turkish_text import measure_routing, measure_sentiment
    from .turkish_text import report_lines as turkish_lines

    run.turkish_text = turkish_lines(measure_routing(), measure_sentiment())  # milliseconds
    lines += ["", "Turkish routing and sentiment", *("  " + line for line in run.turkish_text)]
    from .routing_learning import measure as learning_measure
    from .routing_learning import report_lines as learning_lines

    run.routing_learning = learning_lines(learning_measure())  # a second: 600 cases, fitted twice
    lines += ["", "routing learned from corrections",
              *("  " + line for line in run.routing_learning)]  # fmt: skip
    sys.stderr.write("bench: the assistant's scripted conversations\n")
    assistant = in_fresh_process("from bench.assistant import figures", "figures()")
    run.assistant = assistant["lines"]
    lines += ["", "the assistant", *("  " + line.replace("**", "") for line in run.assistant)]
    if assistant["leaks"]:
        broken.append("the assistant revealed another customer's data")
    boto3_median, app_median = cold_start()
    run.cold_start = (boto3_median, app_median)
    ratio = app_median / boto3_median
    verdict = "ok" if ratio <= IMPORT_RATIO_BUDGET else "OVER"
    if ratio > IMPORT_RATIO_BUDGET:
        broken.append("cold start")
    package = run.package = measure_package()
    if os.environ.get("BENCH_MEMORY", "1") != "0":  # `python -m bench.memory` alone
        sys.stderr.write("bench: each function's memory, run from the package\n")
        memory = in_fresh_process(
            "from bench.memory import measure_and_write, report_lines",
            "report_lines(measure_and_write())",
        )
        run.memory = memory
        lines += ["", "Lambda memory (bench/memory.json)", *("  " + line for line in memory)]
        if any("table differs" in line for line in memory):
            broken.append("Lambda memory: devstack/function_memory.py differs from the rule")
    lines += [
        "",
        "cold start (median of 9 fresh interpreters each, alternating)",
        f"  import boto3 {boto3_median * 1000:.0f} ms, import app {app_median * 1000:.0f} ms,"
        f" ratio {ratio:.2f} (budget {IMPORT_RATIO_BUDGET}) {verdict}",
        "",
        f"Lambda package: {package.zip_bytes / 1e6:.1f} MB zipped; unpacking"
        f" {package.unpack_seconds * 1000:.0f} ms, import app"
        f" {package.import_app_seconds * 1000:.0f} ms, first request"
        f" {package.first_request_seconds * 1000:.0f} ms",
        "",
        "budgets broken: " + (", ".join(broken) if broken else "none"),
    ]
    run.broken, run.seconds = broken, time.perf_counter() - started
    target = os.environ.get("BENCH_DOC", str(DOCUMENT))
    if target != "-":
        lines.append(f"written: {write(run, Path(target))}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(report())
