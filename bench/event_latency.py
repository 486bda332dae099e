"""Stream-to-consumer latency on the local stack: from the API's answer to a case opening to
the shop's webhook receiver getting that case's `destek.case.opened`.

The whole path runs as in AWS, on one machine: the transaction writes the event, the stack's
stream reader (devstack/streams.py) hands it to publish_case_events, moto's events bus and
rule put it on the webhooks queue, the dispatcher runs the fan-out and then the delivery,
which POSTs it, signed, to a receiver on loopback. The local pollers wait up to 0.1 s (the
stream) and 0.2 s (each queue) when idle, so most of the figure is polling, not work; in AWS
the stream's and SQS's own pollers set it instead.

`python -m bench.event_latency [rounds]` prints the figures; `make bench` includes them.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _signed_post(base: str, path: str, body: dict, secret: str) -> dict:
    from standardwebhooks import Webhook

    data = json.dumps(body)
    msg_id, now = f"msg_{uuid.uuid4().hex}", datetime.now(tz=UTC)
    request = urllib.request.Request(base + path, data=data.encode(), method="POST")
    request.add_header("content-type", "application/json")
    request.add_header("webhook-id", msg_id)
    request.add_header("webhook-timestamp", str(int(now.timestamp())))
    request.add_header("webhook-signature", Webhook(secret).sign(msg_id, now, data))
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def measure(rounds: int = 20) -> list[float]:
    """Seconds from each case's 201 to its opened event at the receiver, one case a round."""
    from devstack.seed import DEMO_SHOP, DEMO_SHOP_SECRET
    from devstack.stack import LocalStack
    from tests.support import free_port, sign_in
    from tests.webhook_receiver import Receiver

    from .latency import Http

    stack = LocalStack(api_port=free_port(), moto_port=free_port(), mailbox_port=free_port(),
                       site_port=free_port())  # fmt: skip
    stack.start()
    receiver = Receiver().start()
    try:
        _signed_post(stack.api_url, f"/integrations/{DEMO_SHOP}/webhooks",
                     {"url": receiver.url("/bench"), "event_types": ["destek.case.opened"]},
                     DEMO_SHOP_SECRET)  # fmt: skip
        http = Http(stack.api_url, sign_in(stack.env, "mehmet"))
        seconds = []
        for n in range(rounds):
            _took, case = http("POST", "/cases", {
                "customer": {"customer_number": "10000001"}, "type": "question",
                "subject": f"Ölçüm {n}", "description": "Olay gecikmesi ölçümü",
            })  # fmt: skip
            answered = time.time()  # (Http raises on any refusal)
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                got = [r for r in receiver.at("/bench") if r.event["case_id"] == case["id"]]
                if got:
                    seconds.append(got[0].at - answered)
                    break
                time.sleep(0.005)
            else:
                raise RuntimeError(f"the opened event of {case['id']} never arrived")
        return seconds
    finally:
        receiver.stop()
        stack.stop()


def report_lines(seconds: list[float]) -> list[str]:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[max(0, round(len(ms) * 0.95) - 1)]
    return [
        "",
        f"case event, API answer to the shop's webhook receiver (local stack, {len(ms)} cases)",
        f"  median {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, max {ms[-1]:.0f} ms",
    ]


if __name__ == "__main__":
    import logging
    import os

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    sys.stdout.write("\n".join(report_lines(measure(rounds))) + "\n")
