"""Who hears about what, quiet hours, the templates, and delivery on in-memory ports."""

from datetime import UTC, datetime, time, timedelta

import pytest

from chalicelib.domain.customers import ContactPreferences
from chalicelib.domain.notifications import NoticeEvent, quiet_until
from chalicelib.messaging.templates import TEMPLATES, JinjaRenderer
from chalicelib.services import case_commands as cmd
from chalicelib.services.notifier import Notifier

from .conftest import customer
from .fakes import FakeNotices, FakeQueue, FakeSender
from .test_case_service import open_for

EVENTS = [e.value for e in NoticeEvent]


@pytest.fixture
def post(world):
    """The world with a notifier whose sends are recorded."""
    world.sender = FakeSender()
    world.queue = FakeQueue()
    world.notices = FakeNotices(world.cases)
    world.notifier = Notifier(
        world.cases, world.notices, world.customers, world.directory, world.sender,
        JinjaRenderer(), world.queue, world.clock, site_url="https://destek.example",
    )  # fmt: skip
    for name in ("ayse", "mehmet", "selin"):
        member = world.directory.staff[name].model_copy(update={"email": f"{name}@shop.example"})
        world.directory.put_staff(member)
    world.service.announce = world.notifier.announce
    world.routing.announce = world.notifier.announce
    return world


def filed(world, **caller):
    """Open a case and route it: the router announces the "received" notice."""
    case = open_for(world, **caller)
    assert world.queue.sent == [] or world.queue.sent[-1][0] != case.id  # not at opening
    world.routing.route(case.id)
    return world.cases.get(case.id).case


def customer_emails(world):
    return [e for e in world.sender.emails if not e[0].endswith("@shop.example")]


def events_of(world, case_id):
    return [(n.event.value, n.audience) for n in world.cases.notices[case_id]]


def deliver_all(world):
    return [world.notifier.deliver(c, n) for c, n in world.queue.sent]


def test_each_change_decides_its_notices(post):
    world = post
    case = open_for(world, email="ahmet@example.com", name="Ahmet", phone="0532 123 45 67")
    case = world.routing.route(case.id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.reply(world.mehmet, case.id, cmd.Comment(version=case.version, body="Hi"))
    case = world.service.add_note(
        world.mehmet, case.id, cmd.Comment(version=case.version, body="n")
    )
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="waiting_customer")
    )
    case = world.service.reply(
        customer(case.customer_id), case.id, cmd.Comment(version=case.version, body="ok")
    )
    world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version + 0, status="resolved")
    )
    assert events_of(world, case.id) == [
        ("case_received", "customer"),
        ("routed_to_group", "group"),
        ("agent_replied", "customer"),
        ("waiting_on_customer", "customer"),
        ("case_resolved", "customer"),
    ]  # the note and the customer's own reply notify nobody


def test_delivery_by_email_with_the_customers_words_as_text(post):
    world = post
    case = filed(world, email="ahmet@example.com", name="Ahmet <b>")
    assert deliver_all(world) == ["sent", "sent"]  # the customer's, the group's
    to, subject, body = customer_emails(world)[0]
    assert to == "ahmet@example.com"
    assert subject == f"Talebiniz alındı: {case.number}"
    assert "Merhaba Ahmet <b>," in body  # plain text: shown as written, never as markup
    assert f"https://destek.example/cases/{case.number}" in body
    notice = world.cases.notices[case.id][0]
    assert notice.status == "sent" and notice.deliveries[0].message_id == "e1"


def test_sms_and_both_channels_and_language(post):
    world = post
    case = filed(world, phone="0533 111 22 33", email="john@example.com", name="John",
                 language="en")  # fmt: skip
    contact = world.customers.get(case.customer_id)
    world.customers.by_id[contact.id] = contact.model_copy(
        update={"contact": ContactPreferences(channel="both")}
    )
    deliver_all(world)
    assert world.sender.texts == [
        (
            "+905331112233",
            f"We received your request. Case no: {case.number}. Track: https://destek.example/cases/{case.number}",
        )
    ]
    assert customer_emails(world)[0][1] == f"We received your request: {case.number}"


def test_quiet_hours_hold_non_urgent_notices_until_morning(post):
    world = post
    world.clock.now = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # 23:30 in Istanbul
    case = filed(world, email="ahmet@example.com", name="Ahmet")
    contact = world.customers.get(case.customer_id)
    quiet = ContactPreferences(quiet_from=time(22), quiet_until=time(8))
    world.customers.by_id[contact.id] = contact.model_copy(update={"contact": quiet})
    assert deliver_all(world) == ["held", "sent"]  # staff have no quiet hours here
    assert customer_emails(world) == []
    held = world.cases.notices[case.id][0]
    assert held.status == "held"
    assert held.deliver_after == datetime(2026, 11, 24, 5, 0, tzinfo=UTC)  # 08:00 Istanbul
    world.queue.sent.clear()
    assert world.notifier.sweep_outbox() == 0  # not yet
    world.clock.now = datetime(2026, 11, 24, 5, 1, tzinfo=UTC)
    assert world.notifier.sweep_outbox() == 1
    assert deliver_all(world) == ["sent"]
    assert len(customer_emails(world)) == 1


def test_urgent_notices_ignore_quiet_hours(post):
    world = post
    world.clock.now = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)
    command = cmd.OpenCase(
        customer={"email": "x@example.com", "name": "X"}, type="complaint", priority="urgent",
        subject="Acil", description="Acil",
    )  # fmt: skip
    case = world.service.open_case(world.ayse, command)
    world.routing.route(case.id)
    contact = world.customers.get(case.customer_id)
    quiet = ContactPreferences(quiet_from=time(22), quiet_until=time(8))
    world.customers.by_id[contact.id] = contact.model_copy(update={"contact": quiet})
    assert deliver_all(world) == ["sent", "sent"]


def test_delivery_is_idempotent_and_never_concurrent(post):
    world = post
    filed(world, email="ahmet@example.com", name="Ahmet")
    case_id, notice_id = world.queue.sent[0]
    assert world.notifier.deliver(case_id, notice_id) == "sent"
    assert world.notifier.deliver(case_id, notice_id) == "done already"
    assert len(world.sender.emails) == 1
    # a delivery that died holds a lease; a copy of the message cannot send meanwhile
    filed(world, email="fatma@example.com", name="Fatma")
    case_id, notice_id = world.queue.sent[-2]  # the customer's "received"
    notice = world.notices.get(case_id, notice_id)
    world.notices.claim(notice, world.clock.now, timedelta(minutes=5))
    assert world.notifier.deliver(case_id, notice_id) == "not due or taken"
    world.clock.advance(minutes=6)  # the lease ran out: the sweep hands it out again
    world.queue.sent.clear()
    assert world.notifier.sweep_outbox() == 3  # the expired lease, and two group notices
    assert deliver_all(world) == ["sent", "sent", "sent"]


def test_group_and_escalation_notices_go_to_staff(post):
    world = post
    case = filed(world, email="a@example.com", name="A")
    world.queue.sent.clear()
    routed = world.cases.notices[case.id][1]
    assert routed.event == NoticeEvent.ROUTED_TO_GROUP
    world.queue.sent.append((case.id, routed.id))
    deliver_all(world)
    assert [e[0] for e in world.sender.emails] == ["mehmet@shop.example"]
    assert "Yönlendirme: default group" in world.sender.emails[0][2]


def test_customer_without_any_address_is_skipped_not_retried_forever(post):
    world = post
    case = filed(world, customer_number="X1", name="Adressiz")
    assert deliver_all(world) == ["skipped", "sent"]
    assert world.cases.notices[case.id][0].note == "no address to send to"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 23, 20, 0, tzinfo=UTC), datetime(2026, 11, 24, 5, 0, tzinfo=UTC)),
        (datetime(2026, 11, 23, 2, 0, tzinfo=UTC), datetime(2026, 11, 23, 5, 0, tzinfo=UTC)),
        (datetime(2026, 11, 23, 12, 0, tzinfo=UTC), None),
    ],
)
def test_quiet_hours_across_midnight(now, expected):
    prefs = ContactPreferences(quiet_from=time(22), quiet_until=time(8))
    assert quiet_until(prefs, now) == expected
    assert quiet_until(ContactPreferences(), now) is None


@pytest.mark.parametrize("language", ["tr", "en"])
@pytest.mark.parametrize("event", EVENTS)
def test_every_template_renders(event, language):
    assert (TEMPLATES / language / f"{event}.j2").exists()
    context = {
        "case": {"number": "2026-000001", "subject": "Kargo", "priority": "high",
                 "type": "complaint", "assignee": None, "status": "open"},
        "customer_name": "Ayşe", "track_url": "", "due": "24.11.2026 10:00",
        "body": "Merhaba", "by": "Mehmet", "reason": "kural", "target": "resolution", "level": 2,
    }  # fmt: skip
    text = JinjaRenderer().render(event, language, context)
    assert "2026-000001" in text.subject and "2026-000001" in text.sms
    assert text.email and len(text.sms) <= 160
