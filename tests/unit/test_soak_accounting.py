"""`make soak`'s count of notices sent twice (bench/soak.py): it reads the sends only once
no delivery is under way, and tells a real second send from one recorded."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

from bench.soak import double_sends, quiesce
from devstack.dispatcher import Binding, Dispatcher


def _notice(*deliveries: tuple[str, str]) -> dict:
    return {"deliveries": [{"channel": "email", "to": to, "message_id": mid}
                           for to, mid in deliveries]}  # fmt: skip


def test_a_recorded_send_is_no_duplicate_and_an_unrecorded_one_is():
    notices = [_notice(("elif@x", "m1"), ("mehmet@x", "m2")), _notice(("ahmet@x", "m3"))]
    sent = [{"id": m} for m in ("m1", "m2", "m3")]
    assert double_sends(notices, sent) == (0, [])
    count, unrecorded = double_sends(notices, [*sent, {"id": "m4"}])
    assert count == 1 and unrecorded == [{"id": "m4"}]


def test_one_notice_to_one_address_twice_is_a_duplicate():
    notices = [_notice(("elif@x", "m1"), ("elif@x", "m2"))]
    assert double_sends(notices, [{"id": "m1"}, {"id": "m2"}]) == (1, [])


class _Queue:
    """One message, then nothing: the SQS calls the dispatcher makes."""

    def __init__(self) -> None:
        self.messages = [{"MessageId": "1", "ReceiptHandle": "r1", "Body": "{}",
                          "Attributes": {}, "MessageAttributes": {}}]  # fmt: skip

    def receive_message(self, **_):
        taken, self.messages = self.messages, []
        return {"Messages": taken}

    def delete_message(self, **_):
        pass

    def delete_message_batch(self, **_):
        pass


def test_the_count_waits_for_a_delivery_under_way():
    """A notice being delivered when the figures were read had sent its mail but not yet
    recorded it: the soak counted it as sent twice (2 "duplicates" in a 3-minute run)."""
    started, recorded = threading.Event(), []

    def slow_delivery(event, context):  # sends, then records a moment later
        started.set()
        time.sleep(0.5)
        recorded.append(len(event["Records"]))
        return {"batchItemFailures": []}

    binding = Binding("url", "arn:aws:sqs:eu-central-1:1:notify", slow_delivery, "deliver")
    dispatcher = Dispatcher(_Queue(), [binding], "eu-central-1")
    dispatcher.start(interval=0.01)
    assert started.wait(5)
    quiesce(SimpleNamespace(scheduler=None, stream=None, dispatcher=dispatcher))
    assert recorded == [1]  # the batch finished before the count began


class _Messages:
    """`n` messages, one a receive."""

    def __init__(self, n: int) -> None:
        self.messages = [{"MessageId": str(i), "ReceiptHandle": f"r{i}", "Body": "{}",
                          "Attributes": {}, "MessageAttributes": {}} for i in range(n)]  # fmt: skip
        self.lock = threading.Lock()

    def receive_message(self, **_):
        with self.lock:
            return {"Messages": [self.messages.pop()] if self.messages else []}

    def delete_message(self, **_):
        pass

    def delete_message_batch(self, **_):
        pass


def test_a_batch_sitting_out_a_backoff_does_not_hold_the_queue_behind_it():
    """One thread a queue sat out every throttled send's backoff with the whole notify queue
    waiting (three quarters of its time in the soak); Lambda runs batches side by side."""
    done: list[float] = []

    def backing_off(event, context):
        time.sleep(0.6)  # botocore sleeping before it tries SES again
        done.append(time.monotonic())
        return {"batchItemFailures": []}

    binding = Binding("url", "arn", backing_off, "deliver", 1, "notify")
    dispatcher = Dispatcher(_Messages(2), [binding], "eu-central-1")
    began = time.monotonic()
    dispatcher.start(interval=0.01, pollers={"notify": 2})
    try:
        deadline = time.monotonic() + 5
        while len(done) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        dispatcher.stop()
    assert len(done) == 2 and max(done) - began < 1.1  # side by side, not one after the other
