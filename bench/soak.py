"""`make soak`: a bounded mixed workload on the local stack, with faults, and what came of it.

The whole stack runs in this process (devstack.stack.LocalStack, in memory, demo data), with
faults injected around destek, never inside it (devstack/faults.py):

- one queue-handler invocation in HANDLER_FAILURE_EVERY dies after doing its work, so its
  whole batch comes back;
- one SES send in SES_THROTTLE_EVERY starts a burst of 429 TooManyRequestsException;
- one queue message in DUPLICATE_EVERY is delivered a second time.

For SOAK_SECONDS (default 180) these run side by side, each a few steps a second:

- an agent (mehmet) opens cases for the demo customers on the phone, replies to them, and
  resolves some; another (ayse) reads the pool, her queue and the cases;
- customers (ahmet, fatma) file cases from the site and read them back;
- the demo shop opens cases through signed calls (Standard Webhooks), into the pre-case pool;
- mail arrives for the support address (stored where SES would, the queue does the rest).

Then it lets the queues settle (the notices' lease is cut to SOAK_LEASE_SECONDS so a
throttled notice is tried again within the run; a delivery slower than the lease is taken
over by another, so keep it above the slowest delivery of a loaded machine), stops the
consumers once their batches are done (a delivery under way has sent and not yet
recorded) and prints:
requests, 5xx, cases and pre-cases created vs found, notices decided vs delivered vs failed
(and still pending), duplicates (a notice sent twice: a send no notice recorded, or one
address twice), and the faults that fired. `--json FILE` writes the same figures.

Exit status 1 when a 5xx was answered, something created was not found, or a notice went out
twice. Reading notices back is a Scan of the table: fine here, never in the app.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PASSWORD = "Destek2026!"
CUSTOMERS = (("ahmet@example.com", "10000001"), ("fatma@example.com", "10000002"))
SUPPORT = "destek@magaza.example"
#: seconds the load may go on past --seconds to reach --min-cases
MIN_CASES_WAIT = 240


@dataclass
class Figures:
    seconds: float = 0.0
    requests: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    #: `METHOD /path-shape status code` of every 4xx, to tell expected refusals from faults
    refusals: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    connection_errors: int = 0
    cases_created: int = 0
    cases_found: int = 0
    precases_created: int = 0
    precases_found: int = 0
    mails_in: int = 0
    mails_taken: int = 0
    notices_decided: int = 0
    notices_delivered: int = 0
    notices_failed: int = 0
    notices_skipped: int = 0
    notices_held: int = 0
    notices_pending: int = 0
    duplicates: int = 0
    dead_letters: dict[str, int] = field(default_factory=dict)
    faults: dict[str, int] = field(default_factory=dict)
    settled_in: float = 0.0

    @property
    def ok(self) -> bool:
        return (
            self.server_errors == 0
            and self.connection_errors == 0
            and self.cases_created == self.cases_found
            and self.precases_created == self.precases_found
            and self.duplicates == 0
        )

    def lines(self) -> list[str]:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_status.items()))
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items())) or "none"
        return [
            f"soak: {self.seconds:.0f} s of load, settled in {self.settled_in:.0f} s",
            f"  requests      {self.requests} ({statuses})",
            f"  5xx           {self.server_errors}   connection errors {self.connection_errors}",
            "  4xx           "
            + (", ".join(f"{k} {v}" for k, v in self.refusals.most_common()) or "none"),
            f"  cases         created {self.cases_created}, found {self.cases_found}",
            f"  pre-cases     created {self.precases_created}, found {self.precases_found}"
            f" (shop calls)",
            f"  mail in       {self.mails_in}, taken {self.mails_taken}",
            f"  notices       decided {self.notices_decided}, delivered {self.notices_delivered},"
            f" failed {self.notices_failed}, skipped {self.notices_skipped},"
            f" held for quiet hours {self.notices_held}, pending {self.notices_pending}",
            f"  duplicates    {self.duplicates} (notices sent twice)",
            f"  dead letters  {self.dead_letters}",
            f"  faults fired  {faults}",
            "  verdict       " + ("ok" if self.ok else "NOT OK"),
        ]


class Client:
    """JSON over HTTP to the stack's API, counting every answer into the figures."""

    def __init__(self, base: str, figures: Figures, lock: threading.Lock) -> None:
        self.base = base
        self.figures = figures
        self.lock = lock

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None,
        headers: dict[str, str] | None = None, raw: bytes | None = None,
    ) -> tuple[int, Any]:  # fmt: skip
        data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        if token:
            request.add_header("authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                status, text = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read()
        except OSError:
            with self.lock:
                self.figures.requests += 1
                self.figures.connection_errors += 1
            return 0, None
        with self.lock:
            self.figures.requests += 1
            self.figures.by_status[f"{status // 100}xx"] += 1
            if 400 <= status < 500:
                code = ""
                with contextlib.suppress(ValueError, KeyError, TypeError):
                    code = json.loads(text)["error"]["code"]
                shape = "/".join(
                    "{id}" if part[:1] in ("c", "p") and len(part) > 20 else part
                    for part in path.split("?")[0].split("/")
                )
                self.figures.refusals[f"{method} {shape} {status} {code}".strip()] += 1
            if status >= 500:
                self.figures.server_errors += 1
                logging.getLogger("soak").warning("%s %s -> %s %s", method, path, status,
                                                  text[:300])  # fmt: skip
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text


class Workload:
    def __init__(self, stack: Any, figures: Figures, seconds: float, min_cases: int = 0) -> None:
        self.stack = stack
        self.env = stack.env
        self.figures = figures
        self.lock = threading.Lock()
        self.api = Client(stack.api_url, figures, self.lock)
        self.deadline = time.monotonic() + seconds
        #: the load goes on past its seconds until this many cases exist (at most MIN_CASES_WAIT
        #: seconds more): on a loaded machine ten seconds opened a handful of cases, too few
        #: notices for one SES send in ten to start a throttle, and the faults never fired
        self.min_cases = min_cases
        self.tag = uuid.uuid4().hex[:6]
        self.cases: list[str] = []  # ids of every case created
        self.precases: list[str] = []  # ids of every pre-case the shop opened
        self.mail_subjects: list[str] = []
        self.errors: list[str] = []

    # ---- set-up --------------------------------------------------------------------------

    def token(self, username: str) -> str:
        from devstack.bootstrap import aws

        client_id = self.env["CUSTOMER_CLIENT_IDS" if "@" in username else "STAFF_CLIENT_IDS"]
        result = aws("cognito-idp", self.env["AWS_ENDPOINT_URL"]).initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )
        return result["AuthenticationResult"]["IdToken"]

    def running(self) -> bool:
        now = time.monotonic()
        if now < self.deadline:
            return True
        return len(self.cases) < self.min_cases and now < self.deadline + MIN_CASES_WAIT

    def created(self, kind: str, ident: str) -> None:
        with self.lock:
            (self.cases if kind == "case" else self.precases).append(ident)

    # ---- the actors ----------------------------------------------------------------------

    def phone_agent(self) -> None:
        """Opens cases for callers; replies to the one before (routed to a group by then, as a
        rule), resolving every other one."""
        token, n, last = self.token("mehmet"), 0, None
        while self.running():
            n += 1
            number = CUSTOMERS[n % 2][1]
            status, case = self.api.call("POST", "/cases", {
                "customer": {"customer_number": number}, "type": "question",
                "subject": f"Soak {self.tag} ürün arızalı {n}",
                "description": "Kutudan kırık çıktı, şarj olmuyor."}, token)  # fmt: skip
            opened = case["id"] if status == 201 else None
            if opened:
                self.created("case", opened)
            if last:
                status, current = self.api.call("GET", f"/cases/{last}", token=token)
                if status == 200:
                    status, reply = self.api.call("POST", f"/cases/{last}/replies", {
                        "body": "Değişim için ürünü bize gönderebilirsiniz.",
                        "version": (current.get("case") or current)["version"]},
                        token)  # fmt: skip
                    if status == 200 and n % 2 == 0:
                        self.api.call("POST", f"/cases/{last}/status",
                                      {"status": "resolved", "version": reply["version"]},
                                      token)  # fmt: skip
            last = opened or last
            time.sleep(0.3)

    def reading_agent(self) -> None:
        token = self.token("ayse")
        while self.running():
            self.api.call("GET", "/cases?view=pool&group_id=teslimat&limit=20", token=token)
            self.api.call("GET", "/cases?view=mine&limit=20", token=token)
            with self.lock:
                recent = self.cases[-3:]
            for case_id in recent:
                self.api.call("GET", f"/cases/{case_id}", token=token)
            time.sleep(0.2)

    def customer(self, email: str) -> None:
        token, n = self.token(email), 0
        while self.running():
            n += 1
            status, case = self.api.call("POST", "/my/cases", {
                "type": "complaint", "subject": f"Soak {self.tag} site {n}",
                "description": "Ürün kutudan hasarlı çıktı."}, token)  # fmt: skip
            if status == 201:
                self.created("case", case["id"])
                self.api.call("GET", f"/cases/{case['id']}", token=token)
            self.api.call("GET", "/my/cases", token=token)
            time.sleep(0.5)

    def shop(self) -> None:
        from standardwebhooks import Webhook

        from devstack.seed import DEMO_SHOP, DEMO_SHOP_SECRET

        signer, n = Webhook(DEMO_SHOP_SECRET), 0
        while self.running():
            n += 1
            body = json.dumps({
                "customer_number": CUSTOMERS[n % 2][1], "type": "question",
                "subject": f"Soak {self.tag} mağaza {n}",
                "description": "Sipariş iadesi hakkında bilgi istiyor.",
                "reference": f"SOAK-{self.tag}-{n}"})  # fmt: skip
            msg_id, now = f"msg_{uuid.uuid4().hex}", datetime.now(tz=UTC)
            status, made = self.api.call(
                "POST", f"/integrations/{DEMO_SHOP}/cases", raw=body.encode(),
                headers={"webhook-id": msg_id, "webhook-timestamp": str(int(now.timestamp())),
                         "webhook-signature": signer.sign(msg_id, now, body)},
            )  # fmt: skip
            if status == 201:
                self.created("precase", made["precase_id"])
            time.sleep(1.0)

    def mail(self) -> None:
        from devstack.bootstrap import aws

        s3, n = aws("s3", self.env["AWS_ENDPOINT_URL"]), 0
        while self.running():
            n += 1
            subject = f"Soak {self.tag} posta {n}"
            raw = (
                f"From: Ahmet Yılmaz <{CUSTOMERS[0][0]}>\r\nTo: {SUPPORT}\r\n"
                f"Subject: {subject}\r\nMessage-ID: <soak-{self.tag}-{n}@example.com>\r\n"
                f"Date: {datetime.now(tz=UTC).strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
                "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                "Merhaba, faturamı bulamıyorum.\r\n"
            ).encode()
            s3.put_object(Bucket=self.env["INBOUND_MAIL_BUCKET"],
                          Key=f"inbound/soak-{self.tag}-{n}", Body=raw)  # fmt: skip
            with self.lock:
                self.mail_subjects.append(subject)
                self.figures.mails_in += 1
            time.sleep(1.5)

    def run(self) -> None:
        actors = [self.phone_agent, self.reading_agent, self.shop, self.mail] + [
            (lambda e=email: self.customer(e)) for email, _ in CUSTOMERS
        ]
        threads = [threading.Thread(target=self._guard, args=(a,), daemon=True) for a in actors]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _guard(self, actor: Any) -> None:
        try:
            actor()
        except Exception as exc:  # a broken actor is a finding, not a silent stop
            logging.getLogger("soak").exception("actor failed")
            self.errors.append(f"{getattr(actor, '__name__', 'actor')}: {exc!r}")


# ---- after the load ------------------------------------------------------------------------


def _queues_empty(env: dict[str, str]) -> bool:
    from chalicelib.messaging.queue_registry import QUEUES
    from devstack.bootstrap import aws

    sqs = aws("sqs", env["AWS_ENDPOINT_URL"])
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    for spec in QUEUES:
        found = sqs.get_queue_attributes(QueueUrl=env[spec.url_variable], AttributeNames=names)
        if any(int(found["Attributes"][n]) for n in names):
            return False
    return True


def _notices(env: dict[str, str], since: str) -> list[dict[str, Any]]:
    """Every notice decided since the run began (a Scan: a benchmark's privilege)."""
    from boto3.dynamodb.types import TypeDeserializer

    from devstack.bootstrap import aws

    dynamodb, plain = aws("dynamodb", env["AWS_ENDPOINT_URL"]), TypeDeserializer()
    found, start = [], None
    while True:
        kwargs: dict[str, Any] = {
            "TableName": env["TABLE_NAME"],
            "FilterExpression": "begins_with(SK, :n) AND created_at >= :since",
            "ExpressionAttributeValues": {":n": {"S": "N#"}, ":since": {"S": since}},
        }
        if start:
            kwargs["ExclusiveStartKey"] = start
        page = dynamodb.scan(**kwargs)
        found += [{k: plain.deserialize(v) for k, v in item.items()} for item in page["Items"]]
        start = page.get("LastEvaluatedKey")
        if not start:
            return found


def settle(work: Workload, wait: float) -> float:
    """Until the queues are empty and no notice awaits a try (or `wait` seconds)."""
    started = time.monotonic()
    while time.monotonic() - started < wait:
        if _queues_empty(work.env):
            awaiting = [
                n for n in _notices(work.env, "") if n.get("status") in ("pending", "sending")
            ]
            if not awaiting:  # held ones wait for the end of quiet hours, by design
                break
        time.sleep(1.0)
    return time.monotonic() - started


def quiesce(stack: Any, timeout: float = 120.0) -> None:
    """Stop the schedules, the stream reader and the queues' consumers, waiting for the
    batches they hold: a notice being delivered as the figures were read had sent its mail
    but not yet recorded it, and was counted as sent twice. The API stays up for the count."""
    for part in (stack.scheduler, stack.stream):
        if part:
            part.stop()
    if stack.dispatcher:
        stack.dispatcher.stop(timeout=timeout)


def double_sends(
    notices: list[dict[str, Any]], sent: list[dict[str, Any]]
) -> tuple[int, list[dict[str, Any]]]:
    """Sends beyond one a notice and address: (how many, the messages no notice recorded).

    `sent` is what the provider took during the run (moto's SES and SNS), each with its `id`;
    a notice records each of its sends (`deliveries`, by message id). A send no notice
    recorded, a message id recorded twice, or one notice sending to one address twice is a
    notice sent twice. Read only once nothing is being delivered (`quiesce`)."""
    recorded: Counter[str] = Counter()
    twice = 0
    for notice in notices:
        deliveries = notice.get("deliveries") or []
        recorded.update(d["message_id"] for d in deliveries)
        addresses = Counter((d["channel"], d["to"]) for d in deliveries)
        twice += sum(c - 1 for c in addresses.values() if c > 1)
    unrecorded = [m for m in sent if m["id"] not in recorded]
    return len(unrecorded) + twice + sum(c - 1 for c in recorded.values() if c > 1), unrecorded


def count(work: Workload, figures: Figures, since: str, emails_before: set[str]) -> None:
    from chalicelib.messaging.queue_registry import QUEUES
    from devstack.bootstrap import REGION, aws
    from devstack.mailbox import messages

    admin = work.token("admin")
    figures.cases_created = len(work.cases)
    figures.cases_found = sum(
        work.api.call("GET", f"/cases/{case_id}", token=admin)[0] == 200 for case_id in work.cases
    )
    figures.precases_created = len(work.precases)
    figures.precases_found = sum(
        work.api.call("GET", f"/precases/{p}", token=admin)[0] == 200 for p in work.precases
    )
    subjects, cursor = set(), None
    for _ in range(200):
        path = "/precases?channel=email&limit=100" + (f"&cursor={cursor}" if cursor else "")
        status, page = work.api.call("GET", path, token=admin)
        if status != 200:
            break
        subjects |= {item.get("subject") for item in page.get("items", [])}
        cursor = page.get("cursor")
        if not cursor:
            break
    figures.mails_taken = sum(subject in subjects for subject in work.mail_subjects)

    notices = _notices(work.env, since)
    statuses = Counter(n.get("status") for n in notices)
    figures.notices_decided = len(notices)
    figures.notices_delivered = statuses["sent"]
    figures.notices_failed = statuses["failed"]
    figures.notices_skipped = statuses["skipped"]
    figures.notices_held = statuses["held"]
    figures.notices_pending = statuses["pending"] + statuses["sending"]
    log = logging.getLogger("soak")
    for notice in [n for n in notices if n.get("status") in ("pending", "sending")][:5]:
        log.warning("still pending: %s %s to %s, %s tries, due %s, note %s", notice["event"],
                    notice["SK"], notice["audience"], notice.get("attempts"),
                    notice.get("deliver_after"), notice.get("note"))  # fmt: skip
    sent = messages(REGION)
    during = [m for m in sent["emails"] + sent["sms"] if m["id"] not in emails_before]
    figures.duplicates, unrecorded = double_sends(notices, during)
    for message in unrecorded:
        log.warning("sent and kept by no notice: to %s %r", message["to"],
                    message.get("subject") or message["body"][:60])  # fmt: skip
    sqs = aws("sqs", work.env["AWS_ENDPOINT_URL"])
    figures.dead_letters = {
        spec.name: int(sqs.get_queue_attributes(
            QueueUrl=work.env[spec.dead_letter_variable],
            AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
                "ApproximateNumberOfMessages"])
        for spec in QUEUES
    }  # fmt: skip


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def soak(
    seconds: float, settle_seconds: float, faults_every: dict[str, int], lease: float,
    schedule_every: float, notify_pollers: int = 1, min_cases: int = 0,
) -> Figures:  # fmt: skip
    from chalicelib import wiring
    from devstack.bootstrap import REGION
    from devstack.faults import Faults
    from devstack.mailbox import messages
    from devstack.stack import LocalStack

    faults = Faults(**faults_every)
    stack = LocalStack(
        moto_port=free_port(), api_port=free_port(), mailbox_port=free_port(),
        site_port=free_port(), schedule_every=schedule_every, faults=faults,
        pollers={"notify": notify_pollers},
    )  # fmt: skip
    stack.start()
    figures = Figures()
    try:
        # a throttled notice is tried again when its lease runs out: within the run, not in 5 min
        wiring.notifier().lease = timedelta(seconds=lease)
        before = messages(REGION)
        seen_before = {m["id"] for m in before["emails"]} | {m["id"] for m in before["sms"]}
        since = datetime.now(tz=UTC).isoformat()
        work = Workload(stack, figures, seconds, min_cases)
        started = time.monotonic()
        # the app's EMF metric lines go to stdout, one a case: keep them out of the figures
        with contextlib.redirect_stdout(io.StringIO()):
            work.run()
            figures.seconds = time.monotonic() - started
            figures.settled_in = settle(work, settle_seconds)
            quiesce(stack)
            count(work, figures, since, seen_before)
        figures.faults = dict(faults.fired)
        for error in work.errors:
            print(f"soak: actor error: {error}", file=sys.stderr)
        if work.errors:
            figures.connection_errors += len(work.errors)
    finally:
        stack.stop()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    env = os.environ.get
    parser.add_argument("--seconds", type=float, default=float(env("SOAK_SECONDS", "180")))
    parser.add_argument("--settle", type=float, default=float(env("SOAK_SETTLE_SECONDS", "240")))
    parser.add_argument(
        "--min-cases",
        type=int,
        default=int(env("SOAK_MIN_CASES", "0")),
        help="go on past --seconds until this many cases exist",
    )
    parser.add_argument("--lease", type=float, default=float(env("SOAK_LEASE_SECONDS", "60")))
    parser.add_argument(
        "--schedule-every", type=float, default=float(env("SOAK_SCHEDULE_EVERY", "10"))
    )
    parser.add_argument(
        "--handler-failure-every", type=int, default=int(env("HANDLER_FAILURE_EVERY", "7"))
    )
    parser.add_argument(
        "--ses-throttle-every", type=int, default=int(env("SES_THROTTLE_EVERY", "10"))
    )
    parser.add_argument(
        "--ses-throttle-burst", type=int, default=int(env("SES_THROTTLE_BURST", "3"))
    )
    parser.add_argument("--duplicate-every", type=int, default=int(env("DUPLICATE_EVERY", "4")))
    # Lambda runs several batches of the notify queue at once; one thread here would sit
    # out every SES throttle's backoff with the whole queue behind it
    parser.add_argument("--notify-pollers", type=int, default=int(env("SOAK_NOTIFY_POLLERS", "4")))
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)  # fmt: skip
    os.environ.setdefault("ROUTING_GRACE_SECONDS", "10")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    from http.server import BaseHTTPRequestHandler

    # chalice local's server prints a line a request; the figures say what matters
    BaseHTTPRequestHandler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    for quiet in ("devstack", "devstack.dispatcher", "werkzeug", "botocore", "urllib3"):
        logging.getLogger(quiet).setLevel(logging.CRITICAL)
    figures = soak(
        args.seconds, args.settle,
        {"handler_failure_every": args.handler_failure_every,
         "ses_throttle_every": args.ses_throttle_every,
         "ses_throttle_burst": args.ses_throttle_burst,
         "duplicate_every": args.duplicate_every},
        args.lease, args.schedule_every, args.notify_pollers, args.min_cases,
    )  # fmt: skip
    print("\n".join(figures.lines()))
    if args.json:
        data = {f.name: getattr(figures, f.name) for f in fields(figures)} | {"ok": figures.ok}
        data = {k: dict(v) if isinstance(v, Counter) else v for k, v in data.items()}
        args.json.write_text(json.dumps(data, indent=2))
    return 0 if figures.ok else 1


if __name__ == "__main__":
    sys.exit(main())
