"""The local stack's stand-ins for EventBridge and Lambda's SQS polling, under a slow machine."""

from __future__ import annotations

import threading

from devstack.dispatcher import Binding, Dispatcher
from devstack.scheduler import Job, Scheduler


def test_a_run_longer_than_its_interval_does_not_start_again_at_once():
    """The next run is counted from the end of the last: a sweep that took 5 s on a busy
    machine, every 1 s, ran back to back forever."""
    now = [0.0]
    runs: list[float] = []

    def slow_sweep(event, context) -> None:
        runs.append(now[0])
        now[0] += 5.0

    scheduler = Scheduler([Job("sweep", 1.0, slow_sweep)], "us-east-1", clock=lambda: now[0])
    ticks = []

    def wait(seconds: float) -> bool:  # the loop's pause, on the fake clock
        ticks.append(seconds)
        now[0] += seconds
        if len(ticks) >= 12:
            scheduler._stop.set()
        return scheduler._stop.is_set()

    scheduler._stop.wait = wait  # type: ignore[method-assign]
    scheduler._run()
    assert len(runs) >= 2
    for started, next_started in zip(runs, runs[1:], strict=False):
        assert next_started - (started + 5.0) >= 1.0


class FakeSqs:
    """Each queue holds one message until deleted."""

    def __init__(self, urls: list[str]) -> None:
        message = {"Body": "{}"}
        self.waiting = {u: [{**message, "MessageId": u, "ReceiptHandle": u}] for u in urls}

    def receive_message(self, QueueUrl: str, **_: object) -> dict:  # noqa: N803 - boto3's names
        return {"Messages": list(self.waiting[QueueUrl])}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:  # noqa: N803
        self.waiting[QueueUrl] = []

    def delete_message_batch(self, QueueUrl: str, Entries: list[dict]) -> None:  # noqa: N803
        self.waiting[QueueUrl] = []

    def change_message_visibility(self, **_: object) -> None:
        pass


def test_a_slow_queue_does_not_hold_back_the_others():
    """One thread per queue, as each function has its own event source mapping in AWS: a
    routing backlog no longer delayed every notice behind it."""
    release, notified = threading.Event(), threading.Event()

    def route(event, context) -> None:
        release.wait(30)

    def notify(event, context) -> None:
        notified.set()

    sqs = FakeSqs(["routing", "notify"])
    dispatcher = Dispatcher(
        sqs,
        [Binding("routing", "arn:r", route, "route"), Binding("notify", "arn:n", notify, "notify")],
        "us-east-1",
    )
    dispatcher.start(interval=0.01)
    try:
        assert notified.wait(10), "the notice waited for the slow routing batch"
    finally:
        release.set()
        dispatcher.stop()


def test_the_soak_can_deliver_a_handled_message_once_more_with_its_id():
    """SQS delivers at least once: the faults' redelivery hands a handled, deleted message to
    the handler again in a later batch, with the same message id, and settles nothing twice."""
    from devstack.faults import Faults

    seen: list[list[str]] = []

    def route(event, context) -> None:
        seen.append([r["messageId"] for r in event["Records"]])

    faults = Faults(duplicate_every=1)
    sqs = FakeSqs(["routing"])
    dispatcher = Dispatcher(
        sqs,
        [Binding("routing", "arn:r", route, "route", queue="routing")],
        "us-east-1",
        redeliver=lambda b: faults.deliver_twice(b.queue),
    )
    assert dispatcher.poll_once(dispatcher.bindings[0]) == 1
    assert dispatcher.poll_once(dispatcher.bindings[0]) == 1  # the queue is empty: the copy
    assert dispatcher.poll_once(dispatcher.bindings[0]) == 0
    assert seen == [["routing"], ["routing"]]
    assert faults.fired["duplicate:routing"] == 1


def test_a_wrapped_handler_fails_one_call_in_n_after_doing_its_work():
    import pytest

    from devstack.faults import Faults, InjectedFault

    done: list[int] = []
    faults = Faults(handler_failure_every=3)
    handler = faults.wrap_handler("notify", lambda event, context: done.append(1))
    outcomes = []
    for _ in range(6):
        try:
            handler({}, None)
            outcomes.append("ok")
        except InjectedFault:
            outcomes.append("failed")
    assert outcomes == ["ok", "ok", "failed", "ok", "ok", "failed"]
    assert len(done) == 6  # the work was done each time, as a Lambda dying before answering
    assert faults.fired["handler_failure:notify"] == 2
    with pytest.raises(InjectedFault):
        Faults(handler_failure_every=1).wrap_handler("x", lambda e, c: None)({}, None)


def test_a_cron_schedule_runs_at_its_time_on_the_wall_clock_not_at_a_rate():
    """The weekly summary (Mondays 05:00 UTC) fires once when the wall clock passes it,
    however often the loop turns."""
    from datetime import UTC, datetime, timedelta

    from app import WEEKLY_SUMMARY
    from devstack.scheduler import cron_next

    expression = WEEKLY_SUMMARY.to_string()
    sunday = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    assert cron_next(expression, sunday) == datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
    assert cron_next(expression, datetime(2026, 12, 7, 5, 0, tzinfo=UTC)) == datetime(
        2026, 12, 14, 5, 0, tzinfo=UTC
    )
    assert cron_next("cron(30 9 ? * MON-FRI *)", sunday) == datetime(2026, 12, 7, 9, 30,
                                                                     tzinfo=UTC)  # fmt: skip
    wall = [sunday]
    runs: list[datetime] = []
    scheduler = Scheduler([Job("weekly", 0, lambda e, c: runs.append(wall[0]), cron=expression)],
                          "us-east-1", wall=lambda: wall[0])  # fmt: skip
    ticks = []

    def wait(seconds: float) -> bool:  # each turn of the loop, an hour passes
        ticks.append(seconds)
        wall[0] += timedelta(hours=1)
        if len(ticks) >= 24 * 7:  # to Sunday 13 December, 23:00
            scheduler._stop.set()
        return scheduler._stop.is_set()

    scheduler._stop.wait = wait  # type: ignore[method-assign]
    scheduler._run()
    assert runs == [datetime(2026, 12, 7, 5, 0, tzinfo=UTC)]


def test_a_test_stacks_rates_keep_their_proportions():
    """`--schedule-every 1`: a 1-minute rate every second, a 15-minute one every 15 seconds
    (every schedule ran every second, an eighth of a test stack's CPU, half of it training);
    without it, each rate as in AWS."""
    from devstack.stack import scaled

    assert scaled(60, 1.0) == 1.0
    assert scaled(300, 1.0) == 5.0
    assert scaled(900, 1.0) == 15.0
    assert scaled(900, None) == 900
    assert scaled(60, 10.0) == 10.0
