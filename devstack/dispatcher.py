"""Polls the SQS queues and calls the app's registered SQS handlers, as Lambda's
event source mapping does.

Messages the handler reports in `batchItemFailures` (or every message, if the
handler raises) are not deleted: they become visible again after a short
back-off (or after the backoff a handler set itself, for a queue whose handler sets it),
and moto moves them to the dead-letter queue once their receive count passes the queue's
redrive maxReceiveCount.

Each queue is polled by its own thread, as each function has its own event source mapping
in AWS: a flood on the routing queue does not hold back the notices.

A queue with a batching window (the registry's `batching_window`, scaled in a test stack)
is gathered as Lambda gathers it: receives of at most 10 (SQS's most per ReceiveMessage)
until the batch is full or the window has passed since its first message, then one
invocation with the whole batch. `drain` (tests, benchmarks) does not wait out a window: it
takes what is there, up to the batch size.

`redeliver` (the soak's faults, devstack/faults.py) picks messages to deliver once more in a
later batch, with the same message id, as SQS's at-least-once delivery may.
"""

from __future__ import annotations

import logging
import threading
import time
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
    #: the queue registry's name for the queue (chalicelib/messaging/queue_registry.py)
    queue: str = ""
    #: the handler sets a failed message's visibility itself (the registry's `own_backoff`):
    #: the dispatcher leaves it, as Lambda does
    own_backoff: bool = False
    #: seconds a batch gathers after its first message (the registry's `batching_window`,
    #: scaled in a test stack); 0: the handler gets what one receive brings
    batching_window: float = 0.0
    #: the function's timeout (.chalice/config.json): its context's remaining time counts
    #: down from it, as Lambda's does (the search writer goes on with a rebuild while enough
    #: of its 120 s is left)
    timeout_seconds: int = 30


#: SQS's most messages per ReceiveMessage (and per DeleteMessageBatch)
RECEIVE_MAX = 10
#: seconds between looks at a queue while a batch gathers (a look at moto's queue in the
#: process first when `ready` is given, so a gathering batch costs no request)
GATHER_INTERVAL = 0.05


class Dispatcher:
    def __init__(
        self,
        sqs: Any,
        bindings: list[Binding],
        region: str,
        retry_after_seconds: int = 1,
        redeliver: Callable[[Binding], bool] | None = None,
        ready: Callable[[Binding], bool] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sqs = sqs
        self.bindings = bindings
        self.region = region
        self.retry_after_seconds = retry_after_seconds
        self.redeliver = redeliver
        #: queue url -> messages handled and deleted that are delivered once more
        self._again: dict[str, list[dict[str, Any]]] = {}
        #: whether a queue may have a message to receive, asked in the process before each
        #: background poll (the local stack's moto runs in it): an idle queue then costs a
        #: look at a list, not a ReceiveMessage request (ten queues five times a second were
        #: about 14% of a core per idle stack); None polls every time
        self.ready = ready
        #: the clock a batching window is measured on (tests give their own)
        self.clock = clock
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def _receive(self, binding: Binding, wanted: int) -> list[dict[str, Any]]:
        return self.sqs.receive_message(
            QueueUrl=binding.queue_url,
            MaxNumberOfMessages=max(1, min(RECEIVE_MAX, wanted)),
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])

    def _pause(self, seconds: float) -> bool:
        """Wait up to `seconds`; True when the dispatcher is stopping (tests replace it)."""
        return self._stop.wait(seconds)

    def gather(self, binding: Binding, wait: bool = True) -> list[dict[str, Any]]:
        """One batch as Lambda's event source mapping makes it: what one receive brings
        without a window; with one, receives of at most 10 until the batch is full or the
        window has passed since the first message (`wait=False`: until the queue has nothing
        more). Empty when the queue had nothing."""
        received = self._receive(binding, binding.batch_size)
        if not received or binding.batching_window <= 0:
            return received
        closes = self.clock() + binding.batching_window
        while len(received) < binding.batch_size:
            more: list[dict[str, Any]] = []
            if self.ready is None or self.ready(binding):
                more = self._receive(binding, binding.batch_size - len(received))
            received += more
            if more:
                continue
            left = closes - self.clock()
            if not wait or left <= 0 or self._pause(min(GATHER_INTERVAL, left)):
                break
        return received

    def poll_once(self, binding: Binding, wait: bool = False) -> int:
        """Gather one batch (`wait`: for the binding's window, as the polling threads do), run
        the handler once with it, settle each message. Returns the batch size."""
        received = self.gather(binding, wait)
        again = self._again.pop(binding.queue_url, [])
        if not received and not again:
            return 0
        event = {
            "Records": [sqs_record(m, binding.queue_arn, self.region) for m in received + again]
        }
        try:
            context = LocalContext(binding.function_name, timeout_seconds=binding.timeout_seconds)
            result = binding.handler(event, context)
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
        except Exception:
            log.exception("handler %s failed the whole batch", binding.function_name)
            failed = {m["MessageId"] for m in received}
        done = []
        for message in received:
            if message["MessageId"] in failed and binding.own_backoff:
                continue
            if message["MessageId"] in failed:
                self.sqs.change_message_visibility(
                    QueueUrl=binding.queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=self.retry_after_seconds,
                )
            else:
                done.append(message)
                if self.redeliver and self.redeliver(binding):
                    self._again.setdefault(binding.queue_url, []).append(message)
        # as Lambda deletes a batch's successes: DeleteMessageBatch, ten a request
        for start in range(0, len(done), RECEIVE_MAX):
            chunk = done[start : start + RECEIVE_MAX]
            self.sqs.delete_message_batch(QueueUrl=binding.queue_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)
            ])  # fmt: skip
        return len(received) + len(again)

    def drain(self, max_rounds: int = 10_000) -> int:
        """Poll every queue until a round finds nothing (tests and benchmarks use this).

        `max_rounds` only stops a queue that never empties: a test's drain must reach its own
        messages behind whatever earlier tests left on the queue (50 rounds, 500 notices, did
        not, and a notice test found no mail)."""
        total = 0
        for _ in range(max_rounds):
            handled = sum(self.poll_once(b) for b in self.bindings)
            total += handled
            if not handled:
                break
        return total

    def _run(self, binding: Binding, interval: float) -> None:
        while not self._stop.is_set():
            try:
                waiting = (
                    self.ready is None or binding.queue_url in self._again or self.ready(binding)
                )
                busy = self.poll_once(binding, wait=True) if waiting else 0
            except Exception:
                log.exception("polling %s failed; trying again", binding.function_name)
                busy = 0
            if not busy:
                self._stop.wait(interval)

    def start(self, interval: float = 0.2, pollers: dict[str, int] | None = None) -> None:
        """Poll each queue from its own thread; `pollers` (queue name -> threads) polls a
        queue from several, as Lambda runs several batches of one queue at once: with one,
        a batch that waits (botocore backing off a throttled SES send) holds every message
        behind it."""
        for binding in self.bindings:
            for _ in range((pollers or {}).get(binding.queue, 1)):
                thread = threading.Thread(target=self._run, args=(binding, interval), daemon=True)
                thread.start()
                self._threads.append(thread)

    def stop(self, timeout: float = 5) -> None:
        """Stop polling; each thread finishes the batch it holds, waited for up to `timeout`
        seconds a thread (the soak waits longer, so that it counts every send's record)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=timeout)
