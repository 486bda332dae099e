"""A notice is tried a bounded number of times, then marked failed with the reason; the case's
history says so and the NoticesFailed metric counts it. Before, an address SES cannot send to
(`<x>@example.com`, stored before addresses were checked) was retried every few minutes,
forever."""

from __future__ import annotations

import json

import pytest

from chalicelib.domain.cases import EntryKind
from chalicelib.messaging.templates import JinjaRenderer
from chalicelib.services.notifier import Notifier

from .fakes import FakeNotices, FakeQueue, FakeSender
from .test_notifications import filed


@pytest.fixture
def notifying(world):
    """The world with a notifier whose sends are recorded (as test_notifications' `post`)."""
    world.sender, world.queue, world.notices = FakeSender(), FakeQueue(), FakeNotices(world.cases)
    world.notifier = Notifier(
        world.cases, world.notices, world.customers, world.directory, world.sender,
        JinjaRenderer(), world.queue, world.clock,
    )  # fmt: skip
    world.service.announce = world.routing.announce = world.notifier.announce
    return world


class Refused(Exception):
    """What botocore raises: the provider's error code in `response`."""

    def __init__(self, code: str) -> None:
        super().__init__(f"An error occurred ({code})")
        self.response = {"Error": {"Code": code, "Message": "refused"}}


def customer_with(world, email: str):
    case = filed(world, name="Eski Kayıt", phone="0532 999 88 77")
    customer = world.customers.get(case.customer_id)
    # registered with only a phone, the caller started on SMS: they asked for email since
    contact = customer.contact.model_copy(update={"channel": "email"})
    world.customers.by_id[customer.id] = customer.model_copy(
        update={"email": email, "contact": contact}
    )
    return case, [n for n in world.cases.notices[case.id] if n.audience == "customer"][0]


def failures(world, case_id):
    return [e for e in world.cases.get(case_id).history if e.kind == EntryKind.NOTICE_FAILED]


def metric_lines(capsys) -> list[dict]:
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    return [line for line in lines if "NoticesFailed" in line]


@pytest.mark.parametrize("address", ["<x>@example.com", "a@example.com,b"])
def test_an_address_no_one_can_send_to_fails_at_once_and_is_never_retried(
    notifying, capsys, address
):
    world = notifying
    case, notice = customer_with(world, address)
    capsys.readouterr()
    assert world.notifier.deliver(case.id, notice.id) == "failed"
    assert world.sender.emails == []
    stored = world.notices.get(case.id, notice.id)
    assert stored.status == "failed" and stored.note.startswith("invalid_address: ")
    assert not stored.awaiting  # out of the outbox: the sweep never hands it out again
    (line,) = failures(world, case.id)
    assert line.data["reason"] == "invalid_address" and line.data["notice_id"] == notice.id
    assert len(metric_lines(capsys)) == 1
    world.clock.advance(hours=1)
    world.queue.sent.clear()
    world.notifier.sweep_outbox()
    assert (case.id, notice.id) not in world.queue.sent


def test_a_recipient_the_provider_refuses_fails_at_once(notifying, monkeypatch):
    world = notifying
    case, notice = customer_with(world, "kapali@example.com")
    monkeypatch.setattr(world.sender, "email", lambda *a: (_ for _ in ()).throw(
        Refused("MessageRejected")))  # fmt: skip
    assert world.notifier.deliver(case.id, notice.id) == "failed"
    stored = world.notices.get(case.id, notice.id)
    assert stored.note.startswith("rejected: kapali@example.com") and stored.attempts == 1
    assert failures(world, case.id)[0].data["reason"] == "rejected"


def test_a_failing_provider_is_retried_within_the_budget_then_given_up(
    notifying, monkeypatch, capsys
):
    world = notifying
    case, notice = customer_with(world, "yavas@example.com")
    monkeypatch.setattr(world.sender, "email", lambda *a: (_ for _ in ()).throw(
        Refused("Throttling")))  # fmt: skip
    for attempt in range(1, world.notifier.max_attempts):
        with pytest.raises(Refused):
            world.notifier.deliver(case.id, notice.id)
        assert world.notices.get(case.id, notice.id).attempts == attempt
        assert world.notifier.deliver(case.id, notice.id) == "not due or taken"  # leased
        world.clock.advance(minutes=6)  # the lease runs out; the sweep hands it out again
    capsys.readouterr()
    assert world.notifier.deliver(case.id, notice.id) == "failed"
    stored = world.notices.get(case.id, notice.id)
    assert stored.status == "failed" and stored.note.startswith("retry_budget_spent")
    assert stored.attempts == world.notifier.max_attempts
    assert len(failures(world, case.id)) == 1 and len(metric_lines(capsys)) == 1


def test_deliveries_that_die_before_they_can_say_use_up_the_budget_too(notifying):
    world = notifying
    case, notice = customer_with(world, "olu@example.com")
    for _ in range(world.notifier.max_attempts):  # each claim, then the process dies
        world.notices.claim(world.notices.get(case.id, notice.id), world.clock.now,
                            world.notifier.lease)  # fmt: skip
        world.clock.advance(minutes=6)
    assert world.notifier.deliver(case.id, notice.id) == "failed"
    assert world.notices.get(case.id, notice.id).note.startswith("retry_budget_spent")
    assert world.sender.emails == []


def test_a_notice_to_a_deleted_customer_fails_rather_than_retrying(notifying):
    world = notifying
    case, notice = customer_with(world, "gitti@example.com")
    del world.customers.by_id[case.customer_id]
    assert world.notifier.deliver(case.id, notice.id) == "failed"
    assert failures(world, case.id)[0].data["reason"] == "no_customer"


def test_one_good_channel_is_sent_and_the_refused_one_noted(notifying):
    world = notifying
    case, notice = customer_with(world, "<x>@example.com")
    customer = world.customers.get(case.customer_id)
    prefs = customer.contact.model_copy(update={"channel": "both"})
    world.customers.by_id[customer.id] = customer.model_copy(update={"contact": prefs})
    assert world.notifier.deliver(case.id, notice.id) == "sent"
    stored = world.notices.get(case.id, notice.id)
    assert [d.channel for d in stored.deliveries] == ["sms"]
    assert stored.note == "invalid_address: <x>@example.com"


class ThrottledOnce(FakeSender):
    """SES/SNS throttling the first SMS: botocore's retries spent, the error reaches us."""

    def __init__(self) -> None:
        super().__init__()
        self.throttled = False

    def sms(self, to, body):
        if not self.throttled:
            self.throttled = True
            raise Refused("TooManyRequestsException")
        return super().sms(to, body)


def test_a_retry_after_a_throttled_send_does_not_send_again_what_went_out(notifying):
    """Found by `make soak`: a notice to two addresses, throttled at the second, was tried
    again whole when its lease ran out, and the first address got it twice."""
    world = notifying
    world.sender = world.notifier.sender = ThrottledOnce()
    case = filed(world, name="İki Kanallı", phone="0532 999 88 66")
    customer = world.customers.get(case.customer_id)
    contact = customer.contact.model_copy(update={"channel": "both"})
    world.customers.by_id[customer.id] = customer.model_copy(
        update={"email": "iki.kanal@example.com", "contact": contact}
    )
    notice = [n for n in world.cases.notices[case.id] if n.audience == "customer"][0]
    with pytest.raises(Refused):
        world.notifier.deliver(case.id, notice.id)
    assert [e[0] for e in world.sender.emails] == ["iki.kanal@example.com"]
    kept = world.notices.get(case.id, notice.id)
    assert kept.awaiting and [d.channel for d in kept.deliveries] == ["email"]
    world.clock.advance(minutes=6)  # the lease ran out: the outbox sweep hands it out again
    assert world.notifier.deliver(case.id, notice.id) == "sent"
    assert len(world.sender.emails) == 1, "the email went out twice"
    assert len(world.sender.texts) == 1
    done = world.notices.get(case.id, notice.id)
    assert sorted(d.channel for d in done.deliveries) == ["email", "sms"]
