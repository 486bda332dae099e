"""The local stack's dispatcher gathers a batch for its queue's batching window, as Lambda's
event source mapping does (devstack/dispatcher.py), on real queues of a moto server.

Most tests run the window on the dispatcher's own clock, advanced by its pauses, so what
they check does not depend on the machine's load; one runs it on the wall clock through the
polling thread, with a lower bound that is exact and an upper bound with room for a busy
machine."""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from devstack.bootstrap import REGION, aws
from devstack.dispatcher import GATHER_INTERVAL, Binding, Dispatcher
from devstack.moto_server import MotoServer
from tests.support import free_port

#: how much longer than on an idle machine a wait may take (as the e2e tests' `eventually`)
PATIENCE = float(os.environ.get("DESTEK_TEST_PATIENCE", "4"))
_names = itertools.count()


@pytest.fixture(scope="module")
def sqs() -> Iterator[Any]:
    server = MotoServer("127.0.0.1", free_port()).start()
    try:
        yield aws("sqs", server.url)
    finally:
        server.stop()


class Calls:
    """The handler: each invocation's message bodies (and when it came); fails `bad` ones."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.batches: list[list[str]] = []
        self.at: list[float] = []
        self.clock = clock
        self.called = threading.Event()

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.at.append(self.clock())
        records = event["Records"]
        self.batches.append([r["body"] for r in records])
        self.called.set()
        failed = [r["messageId"] for r in records if r["body"].startswith("bad")]
        return {"batchItemFailures": [{"itemIdentifier": m} for m in failed]}


def _binding(sqs: Any, calls: Calls, batch_size: int, window: float) -> Binding:
    url = sqs.create_queue(QueueName=f"window-{next(_names)}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return Binding(url, arn["Attributes"]["QueueArn"], calls, "f", batch_size, "q",
                   batching_window=window)  # fmt: skip


def _send(sqs: Any, binding: Binding, *bodies: str) -> None:
    for start in range(0, len(bodies), 10):
        entries = [{"Id": str(i), "MessageBody": b} for i, b in enumerate(bodies[start:][:10])]
        sqs.send_message_batch(QueueUrl=binding.queue_url, Entries=entries)


def _left(sqs: Any, binding: Binding) -> list[str]:
    """Every body still on the queue (visible now)."""
    got = sqs.receive_message(QueueUrl=binding.queue_url, MaxNumberOfMessages=10)
    return sorted(m["Body"] for m in got.get("Messages", []))


class FakeTime:
    """The dispatcher's clock, moved only by its own pauses; `during` runs at each pause (a
    message arriving while the batch gathers)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.during: list[Any] = []

    def clock(self) -> float:
        return self.now

    def pause(self, seconds: float) -> bool:
        self.now += seconds
        if self.during:
            self.during.pop(0)()
        return False


def _dispatcher(sqs: Any, binding: Binding, fake: FakeTime) -> Dispatcher:
    dispatcher = Dispatcher(sqs, [binding], REGION, retry_after_seconds=0, clock=fake.clock)
    dispatcher._pause = fake.pause  # type: ignore[method-assign]
    return dispatcher


def test_messages_sent_within_the_window_arrive_as_one_invocation(sqs) -> None:
    """One message, then 24 more arriving one per look while the 2 s window runs: one
    invocation with all 25, once the window has passed since the first."""
    fake = FakeTime()
    calls = Calls(fake.clock)
    binding = _binding(sqs, calls, batch_size=100, window=2.0)
    _send(sqs, binding, "m0")
    fake.during = [lambda i=i: _send(sqs, binding, f"m{i}") for i in range(1, 25)]
    dispatcher = _dispatcher(sqs, binding, fake)
    started = fake.now

    assert dispatcher.poll_once(binding, wait=True) == 25
    assert [sorted(b) for b in calls.batches] == [sorted(f"m{i}" for i in range(25))]
    assert 2.0 <= calls.at[0] - started < 2.0 + GATHER_INTERVAL + 1e-9
    assert _left(sqs, binding) == []  # every one deleted


def test_a_lone_message_waits_out_the_window_and_no_longer(sqs) -> None:
    fake = FakeTime()
    calls = Calls(fake.clock)
    binding = _binding(sqs, calls, batch_size=100, window=1.0)
    _send(sqs, binding, "alone")
    started = fake.now

    assert _dispatcher(sqs, binding, fake).poll_once(binding, wait=True) == 1
    assert calls.batches == [["alone"]]
    assert 1.0 <= calls.at[0] - started < 1.0 + GATHER_INTERVAL + 1e-9


def test_a_full_batch_goes_at_once_and_the_rest_makes_the_next(sqs) -> None:
    """120 messages waiting, batches of 100: the first is full without waiting (receives of
    ten: SQS's most), the second takes the other 20 when its window has passed."""
    fake = FakeTime()
    calls = Calls(fake.clock)
    binding = _binding(sqs, calls, batch_size=100, window=2.0)
    bodies = [f"m{i:03}" for i in range(120)]
    _send(sqs, binding, *bodies)
    dispatcher = _dispatcher(sqs, binding, fake)

    assert dispatcher.poll_once(binding, wait=True) == 100
    assert calls.at[0] == 1000.0  # no pause: the batch was full
    assert dispatcher.poll_once(binding, wait=True) == 20
    assert calls.at[1] - calls.at[0] >= 2.0
    assert sorted(calls.batches[0] + calls.batches[1]) == bodies


def test_a_windowless_queue_takes_what_one_receive_brings(sqs) -> None:
    fake = FakeTime()
    calls = Calls(fake.clock)
    binding = _binding(sqs, calls, batch_size=10, window=0)
    _send(sqs, binding, *[f"m{i:02}" for i in range(15)])
    dispatcher = _dispatcher(sqs, binding, fake)

    assert dispatcher.poll_once(binding, wait=True) == 10
    assert calls.at == [1000.0]


def test_partial_batch_failures_come_back_alone_from_a_gathered_batch(sqs) -> None:
    """Of 25 gathered into one invocation, the 3 the handler reports failed stay on the
    queue (visible again at once here) and the 22 others are deleted."""
    fake = FakeTime()
    calls = Calls(fake.clock)
    binding = _binding(sqs, calls, batch_size=100, window=0.5)
    bad = ["bad-1", "bad-2", "bad-3"]
    _send(sqs, binding, *[f"ok-{i:02}" for i in range(22)], *bad)

    assert _dispatcher(sqs, binding, fake).poll_once(binding, wait=True) == 25
    assert len(calls.batches) == 1
    assert _left(sqs, binding) == bad


def test_drain_does_not_wait_out_a_window(sqs) -> None:
    """Tests and benchmarks drain: what is there, up to the batch size, without waiting."""
    fake = FakeTime()
    calls = Calls(fake.clock)
    binding = _binding(sqs, calls, batch_size=100, window=60.0)
    _send(sqs, binding, *[f"m{i:02}" for i in range(30)])

    assert _dispatcher(sqs, binding, fake).drain() == 30
    assert [len(b) for b in calls.batches] == [30]
    assert fake.now == 1000.0


def test_the_polling_thread_honours_the_window_on_the_wall_clock(sqs) -> None:
    """Through the dispatcher's own thread and real pauses: a lone message is handled no
    sooner than the window after it was sent (exact: the window starts when it is received,
    after the send), and not much later (room for a busy machine)."""
    window = 1.0
    calls = Calls()
    binding = _binding(sqs, calls, batch_size=100, window=window)
    dispatcher = Dispatcher(sqs, [binding], REGION, retry_after_seconds=0)
    dispatcher.start(interval=0.02)
    try:
        sent = time.monotonic()
        _send(sqs, binding, "alone")
        assert calls.called.wait(window + 5 * PATIENCE), "the message was never handled"
    finally:
        dispatcher.stop()
    assert calls.batches == [["alone"]]
    assert window <= calls.at[0] - sent < window + 1.5 * PATIENCE
