"""`python -m bench.case_life`: what one case costs in AWS through its whole life.

A customer files a case on the site; it is routed; the customer hears of it (the group in
its digest); an agent reads, claims and answers it and resolves it; the customer confirms.
Every step runs as in AWS but in this process: the API through Chalice's test client, the
table's stream to `publish_case_events`, the events bus's rules to their queues (moto),
each queue to its handler (devstack/dispatcher.py). Counted on the way, for BENCH_LIVES
lives after a first one that warms the containers:

- every AWS call the app makes, by service and operation;
- DynamoDB's write and read units, to the table and to each index (bench/units.py);
- emails (SES) and SMS (SNS) sent, the emails to staff apart (an address of the staff
  directory), events published to the bus, messages through SQS, records to the archive's
  Firehose, Lambda invocations and their time in this process.

The group keeps the default arrivals setting, a digest (docs/notifications.md): its members
are not mailed per case, and the digest is an email per member and interval, not per case
(the agent claims the case before its window closes, so no digest would list it).

From them, with PRICES, the cost of 1,000 lives, and the idle cost of a month (schedules,
queue polling, alarms, dashboard). Prices are list prices with their date and region; a
figure of the local run is a count, not a guess: only Lambda's duration is this machine's
(moto is slower than DynamoDB, so the duration errs high).

**At a shop's volume** (`--at-once N`, BENCH_AT_ONCE, 20 by default): N lives run side by
side, each step taken by all N before the queues are drained, so every queue's batch holds
what N cases put on it at that step: N cases doing the same thing within one batching
window (docs/performance.md says what a window holds at what volume). Per-batch costs (an
invocation, a receive per ten messages, a search delta) are then shared by up to N cases.
`--no-windows` runs the same with every queue as before batching windows (at most 10 a
batch, no window), to compare.

SQS is counted as AWS bills it, a request per call (each 64 KB): the app's own calls (a
SendMessageBatch of ten is one), one SendMessage per message an EventBridge rule delivers,
and the event source mapping's ReceiveMessage calls that brought messages (ten at most
each) and DeleteMessageBatch calls (ten each), as the local dispatcher makes them. The
archive's queue stands in for Firehose here and is priced as Firehose, not as SQS.

`--json PATH` writes the figures; `make bench` runs it (BENCH_LIFE=0 leaves it out), both
ways: one life at a time, and BENCH_AT_ONCE at once.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

from bench.units import (  # noqa: E402
    READS,
    WRITES,
    Units,
    consistent_of,
    index_units,
    indexes_of,
    item_size,
    read_units,
    write_units,
)

LIVES = int(os.environ.get("BENCH_LIVES", "5"))
#: lives run side by side for the figures at a shop's volume (`--at-once`)
AT_ONCE = int(os.environ.get("BENCH_AT_ONCE", "20"))
#: the agent's reply in UTF-8 bytes (BENCH_REPLY_BYTES; `bench.write_items --reply-bytes`):
#: 0 is the short reply every figure before issue 21's reply cut was measured with
REPLY_BYTES = int(os.environ.get("BENCH_REPLY_BYTES", "0"))
SHORT_REPLY = "Değişim için kargo kodu: 123"
#: an agent's answer as agents write them, repeated to the size asked (Turkish letters are
#: two bytes in UTF-8, so a byte count, not a character count, is what the item pays for)
_REPLY_TEXT = (
    "Merhaba, talebiniz için teşekkür ederiz. Cihazınızı inceledik; ekrandaki arıza garanti "
    "kapsamındadır. Değişim için kargo kodunuz 123456: en yakın şubeye ücretsiz teslim "
    "edebilirsiniz. Yeni cihazınız üç iş günü içinde adresinize gönderilecek. Sorunuz olursa "
    "bu e-postayı yanıtlamanız yeterli. İyi günler dileriz. "
)


#: the case's description in UTF-8 bytes (BENCH_DESCRIPTION_BYTES; `bench.write_items
#: --description-bytes`): 0 is the 28-character one the figures were measured with
DESCRIPTION_BYTES = int(os.environ.get("BENCH_DESCRIPTION_BYTES", "0"))
SHORT_DESCRIPTION = "Ekran açılmıyor, arıza var."
_DESCRIPTION_TEXT = (  # routed as the short one is: "arıza", none of the earlier rules' words
    "Geçen ay aldığım telefonun ekranı dün akşamdan beri açılmıyor, arıza var sanırım. Şarja "
    "taktığımda ışık yanıyor ama görüntü gelmiyor, tuşlara basınca titriyor. Düşürmedim, suya "
    "da girmedi. Garanti kapsamında onarılmasını istiyorum; kutusu ve belgeleri duruyor. "
)


def _sized(text: str, size: int) -> str:
    """`text` repeated and cut to at most `size` UTF-8 bytes (never inside a character)."""
    repeated = text * (size // len(text.encode()) + 1)
    return repeated.encode()[:size].decode(errors="ignore").strip()


def reply_text(size: int = 0) -> str:
    """The bench's reply: SHORT_REPLY for 0, else `_REPLY_TEXT` cut to `size` bytes."""
    return _sized(_REPLY_TEXT, size) if size > 0 else SHORT_REPLY


def description_text(size: int = 0) -> str:
    """The bench's description: SHORT_DESCRIPTION for 0, else a customer's cut to `size`."""
    return _sized(_DESCRIPTION_TEXT, size) if size > 0 else SHORT_DESCRIPTION


#: USD list prices, eu-central-1 (Frankfurt) on-demand unless marked, as recorded on
#: PRICES_DATE from the services' AWS pricing pages: name -> (price, per how many units, unit)
PRICES_DATE = "2026-12-02"
PRICES: dict[str, tuple[float, int, str]] = {
    "lambda_requests": (0.20, 1_000_000, "invocations"),
    "lambda_gb_seconds": (0.0000166667, 1, "GB-second (x86)"),
    "api_gateway_rest": (3.50, 1_000_000, "REST API requests (us-east-1 tier 1)"),
    "dynamodb_writes": (0.7625, 1_000_000, "write request units"),
    "dynamodb_reads": (0.1525, 1_000_000, "read request units"),
    # TableCapacityMode=provisioned: per unit held an hour, used or not (Standard table
    # class; aws.amazon.com/dynamodb/pricing/provisioned, EU (Frankfurt), recorded 2026-12-03)
    "dynamodb_write_capacity": (0.000793, 1, "provisioned write capacity unit-hour"),
    "dynamodb_read_capacity": (0.0001586, 1, "provisioned read capacity unit-hour"),
    "sqs_requests": (0.40, 1_000_000, "requests (64 KB each)"),
    "eventbridge_events": (1.00, 1_000_000, "custom events published"),
    "firehose_gb": (0.029, 1, "GB ingested, records rounded up to 5 KB (us-east-1)"),
    "s3_writes": (0.0054, 1_000, "PUT, COPY, POST, LIST requests"),
    "s3_reads": (0.00043, 1_000, "GET and other requests"),
    "ses_emails": (0.10, 1_000, "emails sent"),
    "cloudwatch_alarms": (0.10, 1, "standard alarm-month"),
    "cloudwatch_dashboards": (3.00, 1, "dashboard-month"),
    "secrets": (0.40, 1, "secret-month"),
}
#: SMS are priced by the destination's operator (SNS's SMS price list): counted, not priced
SMS_NOTE = "SMS: counted, priced by the destination (AWS SNS SMS price list)"
#: Lambda's SQS event source polls each queue with five long polls (20 s) while it is idle
IDLE_POLLERS, LONG_POLL_SECONDS = 5, 20
MONTH_SECONDS = 30 * 86_400
S3_WRITES = {"PutObject", "CopyObject", "PostObject", "ListObjects", "ListObjectsV2",
             "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}  # fmt: skip


@dataclass
class Life:
    """What BENCH_LIVES lives cost together (divide by `lives` for one)."""

    lives: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    units: Units = field(default_factory=Units)
    emails: int = 0
    sms: int = 0
    #: of `emails`, those to staff (assigned, escalated, arrivals, digests)
    staff_emails: int = 0
    events: int = 0
    #: SQS records handed to each function (a message received twice counts twice)
    sqs_messages: Counter[str] = field(default_factory=Counter)
    #: of them, first receives (ApproximateReceiveCount 1): the messages put on the queues
    sqs_first_receives: int = 0
    #: messages the app put on queues itself (the rest came by EventBridge rules)
    sqs_sent_by_app: int = 0
    #: the event source mapping's requests: ReceiveMessage calls that brought messages,
    #: DeleteMessageBatch, ChangeMessageVisibility (the local dispatcher's, as Lambda's)
    sqs_poller: Counter[str] = field(default_factory=Counter)
    #: lives run side by side (1: one at a time)
    at_once: int = 1
    #: whether the queues had the registry's batching windows (False: `--no-windows`)
    windows: bool = True
    archive_records: int = 0
    archive_bytes: int = 0
    invocations: Counter[str] = field(default_factory=Counter)
    gb_seconds: float = 0.0
    api_requests: int = 0
    #: DynamoDB write units (table and indexes) by the function that wrote them
    writes_by_function: Counter[str] = field(default_factory=Counter)


class Meter:
    """Counts the app's AWS calls and DynamoDB units while `on`."""

    def __init__(self, env: dict[str, str], region: str) -> None:
        from chalicelib.store.aws import client as app_client
        from devstack.bootstrap import aws

        self.on = False
        self.life = Life()
        #: the staff directory's addresses (measure() fills it): emails to them are staff's
        self.staff_addresses: set[str] = set()
        self.current = "api_handler"  # the function running now (units are charged to it)
        self.region = region
        self.table_name = env["TABLE_NAME"]
        description = aws("dynamodb", env["AWS_ENDPOINT_URL"]).describe_table(
            TableName=self.table_name
        )["Table"]
        self.table_keys, self.indexes = indexes_of(description)
        self._pending: list[tuple[dict, dict | None, bool]] = []
        self._params: dict[str, Any] = {}
        for service in ("dynamodb", "sqs", "s3", "sesv2", "sns", "events", "scheduler",
                        "secretsmanager", "ssm", "athena", "cognito-idp"):  # fmt: skip
            events = app_client(service).meta.events
            events.register("before-parameter-build", self._call, unique_id="life-calls")
        dynamodb = app_client("dynamodb").meta.events
        dynamodb.register("before-parameter-build.dynamodb", self._before, unique_id="life-b")
        dynamodb.register("after-call.dynamodb", self._after, unique_id="life-a")

    # ---- calls -------------------------------------------------------------------------

    def _call(self, model: Any, params: dict, **_: Any) -> None:
        if not self.on:
            return
        service = model.service_model.service_name
        self.life.calls[f"{service}:{model.name}"] += 1
        if service == "sesv2" and model.name == "SendEmail":
            self.life.emails += 1
            to = params.get("Destination", {}).get("ToAddresses", [])
            if any(address.lower() in self.staff_addresses for address in to):
                self.life.staff_emails += 1
        elif service == "sns" and model.name == "Publish":
            self.life.sms += 1
        elif service == "events" and model.name == "PutEvents":
            self.life.events += len(params.get("Entries", []))
        elif service == "sqs" and model.name == "SendMessage":
            self.life.sqs_sent_by_app += 1
        elif service == "sqs" and model.name == "SendMessageBatch":
            self.life.sqs_sent_by_app += len(params.get("Entries", []))

    # ---- DynamoDB units ----------------------------------------------------------------

    def _item(self, key: dict[str, Any]) -> dict | None:
        from moto.dynamodb.models import dynamodb_backends
        from moto.dynamodb.models.dynamo_type import DynamoType

        from devstack.fast_dynamodb import backend_lock
        from devstack.lambda_runtime import ACCOUNT

        with backend_lock(ACCOUNT, self.region):
            table = dynamodb_backends[ACCOUNT][self.region].get_table(self.table_name)
            found = table.get_item(DynamoType(key["PK"]), DynamoType(key["SK"]))
            return found.to_json()["Attributes"] if found else None

    def _key(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: item[k] for k in self.table_keys}

    def _before(self, model: Any, params: dict, **_: Any) -> None:
        if not self.on:
            return
        if model.name in READS:
            self._params = params
        if model.name not in WRITES:
            return
        touched: list[tuple[dict, bool]] = []  # key, transactional
        if model.name == "PutItem":
            touched.append((self._key(params["Item"]), False))
        elif model.name in ("UpdateItem", "DeleteItem"):
            touched.append((params["Key"], False))
        elif model.name == "TransactWriteItems":
            for entry in params["TransactItems"]:
                ((kind, body),) = entry.items()
                touched.append((self._key(body["Item"]) if kind == "Put" else body["Key"], True))
        else:  # BatchWriteItem
            for requests in params["RequestItems"].values():
                for request in requests:
                    put = request.get("PutRequest")
                    key = self._key(put["Item"]) if put else request["DeleteRequest"]["Key"]
                    touched.append((key, False))
        self._pending = [(key, self._item(key), transactional) for key, transactional in touched]

    def _after(self, model: Any, parsed: dict, **_: Any) -> None:
        if not self.on:
            return
        units = self.life.units
        if model.name in WRITES:
            refused = "Error" in parsed
            for key, before, transactional in self._pending:
                after = before if refused else self._item(key)
                written = write_units(before, after, transactional)
                units.table_writes += written
                for index in self.indexes if not refused else ():
                    moved = index_units(before, after, index, self.table_keys)
                    units.index_writes[index.name] += moved
                    written += moved
                self.life.writes_by_function[self.current] += written
            self._pending = []
        elif model.name in READS and "Error" not in parsed:
            units.reads += self._reads(model.name, parsed)

    def _full_size(self, item: dict[str, Any], index: str | None = None) -> int:
        """What DynamoDB bills for reading the item: all of it (not a ProjectionExpression's
        part), or in an index its entry (what the index projects: ALL, KEYS_ONLY, INCLUDE)."""
        if all(k in item for k in self.table_keys):
            full = self._item(self._key(item)) or item
            projected = next((i for i in self.indexes if i.name == index), None)
            return item_size(projected.entry(full, self.table_keys) if projected else full)
        return item_size(item)

    def _reads(self, operation: str, parsed: dict) -> float:
        # the consistency the request asked for (eventually consistent unless it says so)
        consistent = consistent_of(self._params)
        if operation == "GetItem":
            return read_units([self._full_size(parsed["Item"])] if "Item" in parsed else [],
                              consistent)  # fmt: skip
        if operation in ("Query", "Scan"):
            index = self._params.get("IndexName")
            return read_units([self._full_size(i, index) for i in parsed.get("Items", [])],
                              consistent)  # fmt: skip
        if operation == "TransactGetItems":
            return sum(read_units([self._full_size(r.get("Item", {}))], True, True)
                       for r in parsed.get("Responses", []))  # fmt: skip
        return sum(read_units([self._full_size(i)], consistent)
                   for items in parsed.get("Responses", {}).values() for i in items)  # fmt: skip

    @contextmanager
    def measuring(self):
        self.on = True
        try:
            yield self.life
        finally:
            self.on = False


def timed(meter: Meter, name: str, memory_mb: int, handler: Any) -> Any:
    """The handler as Lambda would bill it: an invocation, and its time at `memory_mb`."""

    def run(event: dict, context: Any) -> Any:
        started = time.perf_counter()
        meter.current = name
        try:
            return handler(event, context)
        finally:
            meter.current = "api_handler"
            if meter.on:
                life = meter.life
                life.invocations[name] += 1
                life.gb_seconds += (time.perf_counter() - started) * memory_mb / 1024
                records = event.get("Records", []) if isinstance(event, dict) else []
                if records and records[0].get("eventSource") == "aws:sqs":
                    life.sqs_messages[name] += len(records)
                    life.sqs_first_receives += sum(
                        r.get("attributes", {}).get("ApproximateReceiveCount") == "1"
                        for r in records
                    )

    return run


def memory_of(function: str) -> int:
    """The MB the function (an app.py name) is deployed with: its own, measured
    (devstack/function_memory.py MEMORY_MB, which `make package` writes into the template).
    A function not measured yet (bench/memory.py measures it through these case lives) is
    priced at Lambda's floor; `make package` refuses to build without its figure."""
    from devstack.function_memory import FLOOR_MB, MEMORY_MB

    return MEMORY_MB.get(function, FLOOR_MB)


def measure(
    lives: int = LIVES,
    through: Callable[[str, Any, dict[str, str]], Any] | None = None,
    then: Callable[[dict[str, str]], None] | None = None,
    at_once: int = 1,
    windows: bool = True,
) -> Life:
    """Run 1 + `lives` case lives; the figures of the last `lives`.

    `at_once`: how many of the `lives` take each step together before the queues are
    drained (1: one life after another; `lives` at once: a shop's volume, every queue's
    batch shared by them). `windows=False` gives every queue what it had before batching
    windows: no window, at most 10 a batch (for a before-and-after at the same volume).
    `through(function name, handler, the stack's environment)` may stand another handler in
    for each (bench/memory.py runs each function in its own process from the package;
    `api_handler`'s handler is the Chalice app object itself); `then(env)` runs after the
    lives, while the stack is still up."""
    from chalice.test import Client

    import app as app_module
    from bench.__main__ import start_aws
    from devstack.bootstrap import REGION, aws
    from devstack.dispatcher import Dispatcher
    from devstack.stack import LocalStack
    from devstack.streams import StreamReader, stream_handler, table_stream
    from tests.support import sign_in

    server, env = start_aws()
    try:
        meter = Meter(env, REGION)

        def run(name: str, handler: Any) -> Any:
            return handler if through is None else through(name, handler, env)

        shell = LocalStack(moto_port=server.port)
        shell.env = env
        bindings = [replace(b, handler=timed(meter, b.function_name, memory_of(b.function_name),
                                             run(b.function_name, b.handler)))
                    for b in shell._bindings(app_module)]  # fmt: skip
        if not windows:  # as the queues were before batching windows
            bindings = [replace(b, batching_window=0, batch_size=min(b.batch_size, 10))
                        for b in bindings]  # fmt: skip
        sqs = aws("sqs", server.url)
        # the event source mappings' own client: its calls are Lambda's, counted apart
        poller = aws("sqs", server.url)

        def polled(model: Any, parsed: dict, **_: Any) -> None:
            if meter.on and (model.name != "ReceiveMessage" or parsed.get("Messages")):
                meter.life.sqs_poller[model.name] += 1

        poller.meta.events.register("after-call.sqs", polled)
        queues = Dispatcher(poller, bindings, REGION, 0)
        handler, name, batch = stream_handler(app_module)
        stream = StreamReader(aws("dynamodbstreams", server.url),
                              table_stream(aws("dynamodb", server.url), env["TABLE_NAME"]),
                              timed(meter, name, memory_of(name), run(name, handler)), name, batch,
                              "TRIM_HORIZON", retry_after_seconds=0)  # fmt: skip
        archive = env.get("ARCHIVE_QUEUE_URL")

        def settle() -> None:
            """Stream, bus and queues until nothing moves; the archive's records counted."""
            while stream.drain() + queues.drain():
                pass
            while archive:
                got = sqs.receive_message(QueueUrl=archive, MaxNumberOfMessages=10)
                messages = got.get("Messages", [])
                if not messages:
                    break
                if meter.on:
                    meter.life.archive_records += len(messages)
                    meter.life.archive_bytes += sum(len(m["Body"].encode()) for m in messages)
                sqs.delete_message_batch(QueueUrl=archive, Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                    for i, m in enumerate(messages)])  # fmt: skip

        settle()  # the seed's own events
        from chalicelib import wiring

        meter.staff_addresses = {m.email.lower() for m in wiring.directory_store().list_staff()
                                 if m.email}  # fmt: skip
        customer, agent = sign_in(env, "ahmet@example.com"), sign_in(env, "mehmet")
        api_memory = memory_of("api_handler")
        with Client(run("api_handler", app_module.app)) as client:

            def call(method: str, path: str, token: str, body: Any = None) -> Any:
                started = time.perf_counter()
                answer = getattr(client.http, method)(
                    path,
                    headers={"authorization": f"Bearer {token}",
                             "content-type": "application/json"},
                    body=json.dumps(body) if body is not None else None,
                )  # fmt: skip
                if meter.on:
                    meter.life.api_requests += 1
                    meter.life.invocations["api_handler"] += 1
                    meter.life.gb_seconds += (time.perf_counter() - started) * api_memory / 1024
                if answer.status_code >= 400:
                    raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.body!r}")
                return json.loads(answer.body)

            def together(indexes: list[int]) -> None:
                """The lives `indexes`, each step taken by all of them before the stream, the
                bus and the queues are drained (one index: one life as a customer lives it)."""
                filed = [call("post", "/my/cases", customer, {
                    "type": "complaint", "subject": f"Telefonum arızalı {index}",
                    "description": description_text(DESCRIPTION_BYTES)})
                    for index in indexes]  # fmt: skip
                settle()  # routed; the customer told, the group's arrival filed for its digest
                cases = []
                for one in filed:
                    case = call("get", f"/cases/{one['id']}", agent)["case"]
                    cases.append(call("post", f"/cases/{case['id']}/claim", agent,
                                      {"version": case["version"]}))  # fmt: skip
                settle()
                cases = [call("post", f"/cases/{case['id']}/replies", agent,
                              {"version": case["version"], "body": reply_text(REPLY_BYTES)})
                         for case in cases]  # fmt: skip
                settle()
                cases = [call("post", f"/cases/{case['id']}/status", agent,
                              {"version": case["version"], "status": "resolved"})
                         for case in cases]  # fmt: skip
                settle()
                for case in cases:
                    seen = call("get", f"/cases/{case['id']}", customer)["case"]
                    call("post", f"/cases/{case['id']}/resolution", customer,
                         {"version": seen["version"], "solved": True})  # fmt: skip
                settle()

            together([0])  # warm: roles, keys, case numbers, templates
            with meter.measuring() as life:
                indexes = list(range(1, lives + 1))
                for start in range(0, lives, max(1, at_once)):
                    together(indexes[start : start + max(1, at_once)])
            life.at_once, life.windows = max(1, at_once), windows
            life.lives = lives
            if then is not None:
                then(env)
            return life
    finally:
        server.stop()


# ---- the cost model -----------------------------------------------------------------------


def price(name: str, quantity: float) -> float:
    amount, per, _ = PRICES[name]
    return quantity * amount / per


def sqs_requests(life: Life) -> dict[str, int]:
    """SQS requests as AWS bills them (a request per call; a batch of up to ten messages is
    one): the app's own calls, one SendMessage per message an EventBridge rule delivered (the
    messages handed out for the first time less those the app sent), and the event source
    mappings' receives that brought messages and their deletes. The pollers' empty long polls
    are the idle month's (`idle_per_month`)."""
    return {
        "the app's calls": sum(n for op, n in life.calls.items() if op.startswith("sqs:")),
        "rules' deliveries": max(0, life.sqs_first_receives - life.sqs_sent_by_app),
        "receives": life.sqs_poller["ReceiveMessage"],
        "deletes": sum(n for op, n in life.sqs_poller.items() if op != "ReceiveMessage"),
    }


def s3_calls(life: Life) -> tuple[int, int]:
    """The app's S3 writes (PUT, COPY, POST, LIST: the search deltas and bases) and reads."""
    s3 = Counter({op.split(":", 1)[1]: n for op, n in life.calls.items() if op.startswith("s3:")})
    writes = sum(n for op, n in s3.items() if op in S3_WRITES)
    return writes, sum(s3.values()) - writes


def per_thousand(life: Life) -> dict[str, float]:
    """USD per 1,000 case lives, by service (the messages apart)."""
    scale = 1000 / life.lives
    s3_writes, s3_reads = s3_calls(life)
    archive_gb = life.archive_records * 5 * 1024 / 1024**3
    return {
        "Lambda requests": price("lambda_requests", sum(life.invocations.values())) * scale,
        "Lambda duration": price("lambda_gb_seconds", life.gb_seconds) * scale,
        "API Gateway": price("api_gateway_rest", life.api_requests) * scale,
        "DynamoDB writes, table": price("dynamodb_writes", life.units.table_writes) * scale,
        "DynamoDB writes, indexes": price("dynamodb_writes", sum(life.units.index_writes.values()))
        * scale,
        "DynamoDB reads": price("dynamodb_reads", life.units.reads) * scale,
        "SQS": price("sqs_requests", sum(sqs_requests(life).values())) * scale,
        "EventBridge": price("eventbridge_events", life.events) * scale,
        "Firehose (archive)": price("firehose_gb", archive_gb) * scale,
        "S3": (price("s3_writes", s3_writes) + price("s3_reads", s3_reads)) * scale,
        "SES (the emails themselves)": price("ses_emails", life.emails) * scale,
    }


def idle_per_month(app_module: Any = None) -> dict[str, float]:
    """USD a month with no case at all: schedules, the queues' pollers, alarms, dashboards,
    secrets (list prices, no free tier). A scheduled run is priced at one invocation of 1 s
    at its memory (its calls at idle are a few Queries: a rounding error beside it)."""
    from chalice.app import ScheduledEventConfig, SQSEventConfig

    from devstack.scheduler import rate_seconds

    if app_module is None:
        import app as app_module
    schedules = lambda_cost = 0.0
    for source in app_module.app.event_sources:
        if isinstance(source, ScheduledEventConfig):
            text = source.schedule_expression
            text = text if isinstance(text, str) else text.to_string()
            runs = MONTH_SECONDS / rate_seconds(text) if not text.startswith("cron(") else 30 * 24
            schedules += runs
            lambda_cost += price("lambda_requests", runs) + price(
                "lambda_gb_seconds", runs * memory_of(source.name) / 1024
            )
    queues = sum(isinstance(s, SQSEventConfig) for s in app_module.app.event_sources)
    from devstack.dashboard import METRIC_ALARMS

    # the template's own, and what `make package` adds: an alarm per metric, one dashboard
    template = (ROOT / "infra" / "template.yaml").read_text()
    alarms = len(re.findall(r"Type: AWS::CloudWatch::Alarm\b", template)) + len(METRIC_ALARMS)
    dashboards = 1
    secrets = len(re.findall(r"Type: AWS::SecretsManager::Secret\b", template))
    polls = queues * IDLE_POLLERS * MONTH_SECONDS / LONG_POLL_SECONDS
    return {
        f"schedules ({schedules:,.0f} runs)": lambda_cost,
        f"queue polling ({queues} queues x {IDLE_POLLERS} long polls)": price(
            "sqs_requests", polls
        ),
        f"alarms ({alarms})": price("cloudwatch_alarms", alarms),
        f"dashboards ({dashboards})": price("cloudwatch_dashboards", dashboards),
        f"secrets ({secrets})": price("secrets", secrets),
    }


# ---- the same life under provisioned capacity (TableCapacityMode=provisioned) ----------------

#: CloudWatch alarms Application Auto Scaling keeps for one DynamoDB target tracking policy
#: (AlarmHigh and AlarmLow on the utilisation, ProvisionedCapacityHigh and ...Low on the
#: capacity held: the names DynamoDB's auto scaling gives them), billed as standard alarms
ALARMS_PER_SCALING_POLICY = 4
#: the per_thousand lines that DynamoDB's capacity mode prices, and the unit-hour each takes
CAPACITY_PRICED = {
    "DynamoDB writes, table": "dynamodb_write_capacity",
    "DynamoDB writes, indexes": "dynamodb_write_capacity",
    "DynamoDB reads": "dynamodb_read_capacity",
}


def capacity_settings() -> dict[str, Any]:
    """infra/template.yaml's defaults for provisioned capacity: the target utilisation (a
    fraction), each minimum, and the indexes (devstack/capacity.py scales each of them)."""
    import yaml

    from devstack.capacity import TEMPLATE, index_names

    template = yaml.safe_load(TEMPLATE.read_text())
    defaults = {k: v.get("Default") for k, v in template["Parameters"].items()}
    return {
        "utilisation": defaults["TableTargetUtilization"] / 100,
        "indexes": index_names(template),
        **{k: defaults[k] for k in defaults if "MinReadCapacity" in k or "MinWriteCapacity" in k},
    }


def provisioned_unit(name: str, utilisation: float) -> float:
    """USD per unit consumed when capacity is held by the hour: a unit-hour serves 3,600
    units (one a second), and auto scaling keeps `utilisation` of what is held in use, so a
    unit consumed costs price / 3,600 / utilisation. Writes at 70 %: 0.000793 / 3,600 / 0.7
    = $0.315 a million, against $0.7625 on demand. Assumes steady traffic that auto scaling
    follows; a table or an index held at its minimum is paid by the idle month instead."""
    amount, per, _ = PRICES[name]
    return amount / per / 3600 / utilisation


def provisioned_per_thousand(
    life: Life, costs: dict[str, float], utilisation: float
) -> dict[str, float]:
    """per_thousand's `costs` with DynamoDB's reads and writes at provisioned capacity (the
    same units: a transaction or a consistent read takes as many of either kind)."""
    scale = 1000 / life.lives
    units = {
        "DynamoDB writes, table": life.units.table_writes,
        "DynamoDB writes, indexes": sum(life.units.index_writes.values()),
        "DynamoDB reads": life.units.reads,
    }
    return {
        k: units[k] * provisioned_unit(CAPACITY_PRICED[k], utilisation) * scale
        if k in CAPACITY_PRICED else v
        for k, v in costs.items()
    }  # fmt: skip


def provisioned_idle_per_month(settings: dict[str, Any] | None = None) -> dict[str, float]:
    """USD a month that provisioned capacity costs with no case at all: the table's and each
    index's minimum capacity held the whole month (MONTH_SECONDS), and the alarms of each
    scaling policy (a read and a write policy for the table and each index). On top of
    idle_per_month's; Application Auto Scaling itself is free."""
    s = settings if settings is not None else capacity_settings()
    hours, indexes = MONTH_SECONDS / 3600, len(s["indexes"])
    writes = s["TableMinWriteCapacity"] + indexes * s["IndexMinWriteCapacity"]
    reads = s["TableMinReadCapacity"] + indexes * s["IndexMinReadCapacity"]
    policies = 2 * (1 + indexes)
    return {
        f"minimum writes ({writes} units)": price("dynamodb_write_capacity", writes * hours),
        f"minimum reads ({reads} units)": price("dynamodb_read_capacity", reads * hours),
        f"auto scaling's alarms ({policies} policies x {ALARMS_PER_SCALING_POLICY})": price(
            "cloudwatch_alarms", policies * ALARMS_PER_SCALING_POLICY
        ),
    }


def provisioned_figures(life: Life, costs: dict[str, float]) -> dict[str, Any]:
    """The life's cost per 1,000 with provisioned capacity at the template's default target
    utilisation, without the emails, and that mode's idle month (`figures` keeps them)."""
    settings = capacity_settings()
    priced = provisioned_per_thousand(life, costs, settings["utilisation"])
    idle = provisioned_idle_per_month(settings)
    saved = sum(costs[k] - priced[k] for k in CAPACITY_PRICED) / 1000  # USD a case
    alarms = sum(v for k, v in idle.items() if "alarms" in k)
    return {
        "utilisation": settings["utilisation"],
        "per_thousand": priced,
        "without_messages": sum(v for k, v in priced.items() if not k.startswith("SES")),
        "idle_per_month": idle,
        # the cases a month whose saving pays the idle month: from the alarms alone (the
        # minimums all used by the traffic) to the whole idle month (the minimums unused)
        "break_even_cases_per_month": (
            (alarms / saved, sum(idle.values()) / saved) if saved > 0 else (math.inf, math.inf)
        ),
    }


def provisioned_lines(life: Life, costs: dict[str, float]) -> tuple[str, str]:
    """The per-1,000 row with provisioned capacity (beside the on-demand one) and the
    sentence of its idle month."""
    found = provisioned_figures(life, costs)
    dynamodb = sum(found["per_thousand"][k] for k in CAPACITY_PRICED)
    idle = found["idle_per_month"]
    row = (
        f"| **without the emails, with provisioned capacity at {found['utilisation'] * 100:.0f} %"
        f" utilisation** (DynamoDB {dynamodb:.4f}) | **{found['without_messages']:.4f}** |"
    )
    low, high = found["break_even_cases_per_month"]
    sentence = (
        "With provisioned capacity (TableCapacityMode=provisioned) the idle month adds (USD): "
        + ", ".join(f"{k} {v:.2f}" for k, v in idle.items())
        + f"; total {sum(idle.values()):.2f}. Its saving pays for that above {low:,.0f}"
        f" to {high:,.0f} cases a month of steady traffic (the minimums used, or not)."
    )
    return row, sentence


def lines(
    life: Life, costs: dict[str, float] | None = None, idle: dict[str, float] | None = None
) -> list[str]:
    """The figures as the performance document shows them (`costs` and `idle`: per_thousand's
    and idle_per_month's, when the caller has them already)."""
    n = life.lives
    costs = costs if costs is not None else per_thousand(life)
    idle = idle if idle is not None else idle_per_month()
    without_messages = sum(v for k, v in costs.items() if not k.startswith("SES"))
    units = life.units
    sqs = sqs_requests(life)
    s3_writes, _ = s3_calls(life)
    if life.at_once > 1:
        how = (
            f"mean of {n} lives after a warm one, {life.at_once} at once (each step taken"
            f" by all {life.at_once} before the queues are drained: a shop's volume)"
        )
    else:
        how = f"mean of {n} lives after a warm one, one at a time"
    if not life.windows:
        how += ", every queue without a batching window and at most 10 a batch (as before)"
    provisioned_row, provisioned_idle = provisioned_lines(life, costs)
    out = [
        f"One case life (site filing, routing, notices, read, claim, reply, resolve, confirm),"
        f" {how}:",
        "",
        "| per case | |",
        "|---|---:|",
        f"| AWS calls by the app | {sum(life.calls.values()) / n:.1f} |",
        f"| DynamoDB write units: table | {units.table_writes / n:.1f} |",
        f"| DynamoDB write units: indexes | {sum(units.index_writes.values()) / n:.1f} |",
        f"| DynamoDB read units | {units.reads / n:.1f} |",
        f"| emails / SMS, all | {life.emails / n:.1f} / {life.sms / n:.1f} |",
        f"| emails to the customer / to staff | {(life.emails - life.staff_emails) / n:.1f}"
        f" / {life.staff_emails / n:.1f} |",
        f"| events to the bus | {life.events / n:.1f} |",
        f"| SQS messages handled | {sum(life.sqs_messages.values()) / n:.1f} |",
        f"| SQS requests ({' / '.join(sqs)}) | {sum(sqs.values()) / n:.1f}"
        f" ({' / '.join(f'{v / n:.1f}' for v in sqs.values())}) |",
        f"| Lambda invocations (API {life.api_requests / n:.1f}) "
        f"| {sum(life.invocations.values()) / n:.1f} |",
        f"| S3 PUTs (the search index's deltas and bases) | {s3_writes / n:.2f} |",
        "",
        "Lambda invocations per case by function: " + ", ".join(
            f"{name} {value / n:.2f}" for name, value in life.invocations.most_common()) + ".",
        "",
        "Index write units per case: " + ", ".join(
            f"{name} {value / n:.1f}" for name, value in units.index_writes.most_common()
            if value) + ".",
        "",
        "Write units per case by the function that wrote them: " + ", ".join(
            f"{name} {value / n:.1f}" for name, value in life.writes_by_function.most_common()
        ) + ".",
        "",
        f"Cost per 1,000 cases (USD, prices of {PRICES_DATE}, bench/case_life.py PRICES):",
        "",
        "| service | USD |",
        "|---|---:|",
        *[f"| {k} | {v:.4f} |" for k, v in costs.items()],
        f"| **without the emails** | **{without_messages:.4f}** |",
        provisioned_row,
        f"| **all** | **{sum(costs.values()):.4f}** |",
        "",
        SMS_NOTE + ".",
        "",
        "Idle cost a month (USD): " + ", ".join(f"{k} {v:.2f}" for k, v in idle.items())
        + f"; total {sum(idle.values()):.2f}.",
        "",
        provisioned_idle,
    ]  # fmt: skip
    return out


#: issue 21's goal: USD per 1,000 case lives without the emails and SMS themselves
BUDGET_PER_THOUSAND = 0.10


def figures(lives: int = LIVES, at_once: int = 1, windows: bool = True) -> dict[str, Any]:
    """The run as JSON: the table's lines, the cost per 1,000 cases by service and without
    the emails, the idle month, and every count (for `make bench`). `at_once` and `windows`
    as `measure` takes them (`lives` at once: a shop's volume)."""
    life = measure(lives, at_once=at_once, windows=windows)
    costs, idle = per_thousand(life), idle_per_month()
    return {
        "lines": lines(life, costs, idle),
        "per_thousand": costs,
        "without_messages": sum(v for k, v in costs.items() if not k.startswith("SES")),
        "idle_per_month": idle,
        "provisioned": provisioned_figures(life, costs),
        "units": {"table_writes": life.units.table_writes, "reads": life.units.reads,
                  "index_writes": dict(life.units.index_writes)},
        **{k: dict(v) if isinstance(v, Counter) else v
           for k, v in vars(life).items() if k != "units"},
    }  # fmt: skip


def in_own_process(lives: int, at_once: int, windows: bool) -> dict[str, Any]:
    """`figures` in a fresh interpreter: each run provisions its own moto server, and the
    app's wiring and moto's backends belong to the process that ran the last one."""
    code = ("import json; from bench.case_life import figures; "
            f"print(json.dumps(figures({lives}, {at_once}, {windows})))")  # fmt: skip
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                          text=True, check=True)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--lives", type=int, default=LIVES, help="lives measured (BENCH_LIVES)")
    parser.add_argument("--at-once", type=int, default=None, metavar="N",
                        help="only the run of N lives side by side (default: one at a time,"
                             f" then {AT_ONCE} at once, BENCH_AT_ONCE)")  # fmt: skip
    parser.add_argument(
        "--no-windows",
        action="store_true",
        help="every queue as before batching windows: none, at most 10 a batch",
    )
    args = parser.parse_args()
    windows = not args.no_windows
    if args.at_once is not None:
        runs = {"at_once": in_own_process(args.at_once, args.at_once, windows)}
    else:
        runs = {"single": in_own_process(args.lives, 1, windows),
                "at_once": in_own_process(AT_ONCE, AT_ONCE, windows)}  # fmt: skip
    for found in runs.values():
        print("\n".join(found["lines"]), end="\n\n")
    if args.json:
        args.json.write_text(json.dumps(runs, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
