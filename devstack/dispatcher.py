"""Polls the SQS queues and calls the app's registered SQS handlers, as Lambda's
event source mapping does.

Messages the handler reports in `batchItemFailures` (or every message, if the
handler raises) are not deleted: they become visible again after a short
back-off, and moto moves them to the dead-letter queue once their receive
count passes the queue's redrive maxReceiveCount.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .lambda_runtime import LocalContext, sqs_record

log = logging.getLogger("devstack.dispatcher")


@dataclass
class Binding:
    queue_url: str
    queue_arn: str
    handler: Callable[[dict[str, Any], Any], Any]
    function_name: str
    batch_size: int = 10


class Dispatcher:
    def __init__(
        self, sqs: Any, bindings: list[Binding], region: str, retry_after_seconds: int = 1
    ) -> None:
        self.sqs = sqs
        self.bindings = bindings
        self.region = region
        self.retry_after_seconds = retry_after_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self, binding: Binding) -> int:
        """Receive one batch, run the handler, settle each message. Returns the batch size."""
        received = self.sqs.receive_message(
            QueueUrl=binding.queue_url,
            MaxNumberOfMessages=binding.batch_size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not received:
            return 0
        event = {"Records": [sqs_record(m, binding.queue_arn, self.region) for m in received]}
        try:
            result = binding.handler(event, LocalContext(binding.function_name))
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception:
            log.exception("handler %s failed the whole batch", binding.function_name)
            failed = {m["MessageId"] for m in received}
        for message in received:
            if message["MessageId"] in failed:
                self.sqs.change_message_visibility(
                    QueueUrl=binding.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self.retry_after_seconds,
                )
            else:
                self.sqs.delete_message(
                    QueueUrl=binding.queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return len(received)

    def drain(self, max_rounds: int = 50) -> int:
        """Poll every queue until a round finds nothing (tests and benchmarks use this)."""
        total = 0
        for _ in range(max_rounds):
            handled = sum(self.poll_once(b) for b in self.bindings)
            total += handled
            if not handled:
                break
        return total

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                busy = sum(self.poll_once(b) for b in self.bindings)
            except Exception:
                log.exception("polling failed; trying again")
                busy = 0
            if not busy:
                self._stop.wait(interval)

    def start(self, interval: float = 0.2) -> None:
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
