"""Who hears about what, quiet hours, the templates, and delivery on in-memory ports."""

import json
from datetime import UTC, datetime, time, timedelta

import pytest

from chalicelib.domain.case_kinds import Priority
from chalicelib.domain.cases import EntryKind, Visibility
from chalicelib.domain.customers import ContactPreferences
from chalicelib.domain.directory import StaffMember
from chalicelib.domain.notifications import (
    HANDOFF,
    NoticeEvent,
    notices_for_sla,
    quiet_until,
)
from chalicelib.domain.sla import SlaEvent, TargetKind
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
        console_url="https://api.example/api/console",
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
        ("customer_replied", "assignee"),
        ("case_resolved", "customer"),
    ]  # the claim and the note notify nobody; the customer's reply reaches its owner


def test_delivery_by_email_with_the_customers_words_as_text(post):
    world = post
    case = filed(world, email="ahmet@example.com", name="Ahmet <b>")
    assert deliver_all(world) == ["sent", "sent"]  # the customer's, the group's
    to, subject, body = customer_emails(world)[0]
    assert to == "ahmet@example.com"
    assert subject == f"Talebiniz alındı: {case.number}"
    assert "Merhaba Ahmet <b>," in body  # plain text: shown as written, never as markup
    assert f"https://destek.example/case.html?n={case.number}" in body  # the site's own page
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
            f"We received your request. Case no: {case.number}. Track: https://destek.example/en/case.html?n={case.number}",
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


def test_the_sweep_queues_a_waiting_notice_once_a_handoff_not_at_every_sweep(post):
    """A notice still waiting in a slow queue was queued again at every sweep: a backlog grew
    by its own size each time and new notices waited behind the copies (the soak)."""
    world = post
    case = filed(world, email="ahmet@example.com", name="Ahmet")
    announced = list(world.queue.sent)
    world.queue.sent.clear()
    assert world.notifier.sweep_outbox() == 0  # just announced: the queue has it
    world.clock.advance(seconds=HANDOFF.total_seconds() + 1)  # the queue seems to have lost it
    assert world.notifier.sweep_outbox() == len(announced)
    assert sorted(world.queue.sent) == sorted(announced)
    for _ in range(3):  # later sweeps, the queue still slow: no more copies
        world.clock.advance(seconds=20)
        assert world.notifier.sweep_outbox() == 0
    world.clock.advance(seconds=HANDOFF.total_seconds())  # lost again: once more
    assert world.notifier.sweep_outbox() == len(announced)
    results = deliver_all(world)  # each notice sent once, its copy finds it done
    assert sorted(results) == ["done already"] * len(announced) + ["sent"] * len(announced)
    assert {n.status for n in world.cases.notices[case.id]} == {"sent"}
    world.queue.sent.clear()
    world.clock.advance(hours=1)
    assert world.notifier.sweep_outbox() == 0


def test_a_delivery_that_dies_is_handed_out_once_its_lease_ends_not_before(post):
    """A claim leaves the notice's place in the outbox (store/cases.py `claim`): the sweep
    that finds it due while the lease lives does not queue it and moves the place to the
    lease's end, so the sweeps between queue nothing; then it is handed out once."""
    world = post
    filed(world, email="ahmet@example.com", name="Ahmet")
    case_id, notice_id = world.queue.sent[0]
    world.notices.claim(world.notices.get(case_id, notice_id), world.clock.now,
                        timedelta(minutes=5))  # a delivery takes it and dies  # fmt: skip
    world.queue.sent.clear()
    world.clock.advance(seconds=HANDOFF.total_seconds() + 1)
    world.notifier.sweep_outbox()  # the others (lost by the queue) go; this one waits
    assert (case_id, notice_id) not in world.queue.sent
    world.queue.sent.clear()
    for _ in range(2):  # the lease still lives: nothing
        world.clock.advance(minutes=1)
        world.notifier.sweep_outbox()
        assert (case_id, notice_id) not in world.queue.sent
    world.clock.advance(minutes=1)  # the lease ended
    world.notifier.sweep_outbox()
    assert world.queue.sent.count((case_id, notice_id)) == 1


def test_group_and_escalation_notices_go_to_staff(post):
    world = post
    case = filed(world, email="a@example.com", name="A")
    world.queue.sent.clear()
    routed = world.cases.notices[case.id][1]
    assert routed.event == NoticeEvent.ROUTED_TO_GROUP
    world.queue.sent.append((case.id, routed.id))
    deliver_all(world)
    assert [e[0] for e in world.sender.emails] == ["mehmet@shop.example"]
    email = world.sender.emails[0][2]
    assert "Ürün havuzuna" in email and "Tür: şikâyet · Öncelik: normal · Kanal: telefon" in email
    assert "Yönlendirme: hiçbir kural eşleşmedi" in email and "24 Kasım 2026 12:00" in email
    # staff are sent to the console's case screen, never to the customers' site
    link = f"https://api.example/api/console#/case/{case.number}"
    assert f"Talebi konsolda açın: {link}" in world.sender.emails[0][2]
    assert "destek.example" not in world.sender.emails[0][2]


def test_a_notice_says_the_priority_it_was_decided_with_when_sent_after_a_raise(post):
    """An escalation raised the priority before the group's "new case" notice was sent (a
    slow queue, a retry): the notice still says the priority the case was routed with; the
    raise has notices of its own."""
    world = post
    case = filed(world, email="a@example.com", name="A")
    routed = world.cases.notices[case.id][1]
    assert routed.event == NoticeEvent.ROUTED_TO_GROUP
    world.cases.cases[case.id] = case.model_copy(update={"priority": Priority.URGENT})
    world.notifier.deliver(case.id, routed.id)
    [(_, subject, email)] = [e for e in world.sender.emails if e[0] == "mehmet@shop.example"]
    assert subject == f"Yeni talep havuzunuzda: {case.number} (normal)"
    assert "Öncelik: normal" in email


@pytest.mark.parametrize("event", ["routed_to_group", "sla_breach", "sla_escalation",
                                   "sla_reminder"])  # fmt: skip
@pytest.mark.parametrize("language", ["tr", "en"])
def test_every_staff_notice_links_to_the_case_in_the_console(event, language):
    context = {
        "case": {"number": "2026-000001", "subject": "Kargo", "priority": "high",
                 "type": "complaint", "assignee": None, "status": "open", "channel": "web"},
        "customer_name": "Ayşe", "track_url": "", "due": "", "reason_code": "no_rule_matched",
        "target": "resolution", "level": 1, "group_name": "Kargo", "assignee_name": "",
        "target_due": "", "case_url": "https://api.example/console#/case/2026-000001",
    }  # fmt: skip
    text = JinjaRenderer().render(event, language, context)
    assert "https://api.example/console#/case/2026-000001" in text.email


@pytest.mark.parametrize("event", ["case_received", "agent_replied", "waiting_on_customer",
                                   "case_resolved"])  # fmt: skip
@pytest.mark.parametrize("language", ["tr", "en"])
def test_every_customer_email_links_to_the_case_on_the_site(event, language):
    link = "https://destek.example/en/case.html?n=2026-000001"
    context = {
        "case": {"number": "2026-000001", "subject": "Kargo", "priority": "high",
                 "type": "complaint", "assignee": None, "status": "open", "channel": "web"},
        "customer_name": "Ayşe", "track_url": link, "case_url": link, "due": "",
        "body": "Merhaba", "by": "Mehmet",
    }  # fmt: skip
    assert link in JinjaRenderer().render(event, language, context).email


#: the sign-off a customer's email ends with (case_received's), per language
SIGN_OFF = {"tr": "Saygılarımızla,\nMüşteri Hizmetleri", "en": "Kind regards,\nCustomer Service"}


@pytest.mark.parametrize("event", ["case_received", "waiting_on_customer"])
@pytest.mark.parametrize("language", ["tr", "en"])
def test_a_customer_email_ends_with_the_shops_sign_off(event, language):
    """The waiting-for-customer notice had none, unlike the case-received one."""
    context = {
        "case": {"number": "2026-000001", "subject": "Kargo", "priority": "high",
                 "type": "complaint", "assignee": None, "status": "waiting_customer",
                 "channel": "web"},
        "customer_name": "Ayşe", "track_url": "https://destek.example/case.html?n=1",
    }  # fmt: skip
    assert JinjaRenderer().render(event, language, context).email.endswith(SIGN_OFF[language])


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
                 "type": "complaint", "assignee": None, "status": "open", "channel": "web"},
        "customer_name": "Ayşe", "track_url": "", "case_url": "", "due_at": "2026-11-24T07:00:00Z",
        "body": "Merhaba", "by": "Mehmet", "reason_code": "rule_matched", "rule_name": "Kargo",
        "matched": ["kargom"], "target": "resolution", "level": 2, "group_name": "Kargo",
        "assignee_name": "", "target_due": "", "score": 1, "scale": 5, "source": "customer",
        "documents": [{"id": "d1", "title": "İade formu",
                       "url": "https://api.example/library/links/t"}], "link_days": 7,
        "into_number": "2026-000002", "into_url": "",
    }  # fmt: skip
    text = JinjaRenderer().render(event, language, context)
    assert "2026-000001" in text.subject and "2026-000001" in text.sms
    assert text.email and len(text.sms) <= 160


@pytest.mark.parametrize("language", ["tr", "en"])
def test_the_console_names_every_notice_a_case_lists(language):
    strings = json.loads(
        (TEMPLATES.parent / "console" / "strings" / f"{language}.json").read_text()
    )
    assert [e for e in EVENTS if f"notice_{e}" not in strings] == []


# ---- the agent's side: who hears what others did -------------------------------------------


def pooled(world, **caller):
    """A case routed to `urun` (mehmet's group, selin supervises), nobody assigned."""
    return world.routing.route(open_for(world, **caller).id)


def claimed(world):
    case = pooled(world)
    return world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))


def new_notices(world, case_id, since):
    return world.cases.notices[case_id][since:]


def test_a_customer_reply_reaches_the_assignee_with_their_words(world):
    case = claimed(world)
    before = len(world.cases.notices[case.id])
    world.service.reply(customer(case.customer_id), case.id,
                        cmd.Comment(version=case.version, body="Hâlâ gelmedi"))  # fmt: skip
    (told,) = new_notices(world, case.id, before)
    assert (told.event, told.audience, list(told.data)) == (
        NoticeEvent.CUSTOMER_REPLIED,
        "assignee",
        ["line"],  # the line that holds the words, not a second copy of them
    )
    assert said(world, told) == {"body": "Hâlâ gelmedi"}


def said(world, notice):
    """What the notifier reads the notice's text as, from the case it reads at delivery."""
    return Notifier.said(world.cases.get(notice.case_id), notice)


def test_a_customer_reply_to_an_unassigned_case_reaches_its_group(world):
    case = pooled(world)
    before = len(world.cases.notices[case.id])
    world.service.reply(customer(case.customer_id), case.id,
                        cmd.Comment(version=case.version, body="Ek bilgi"))  # fmt: skip
    (told,) = new_notices(world, case.id, before)
    assert (told.event, told.audience) == (NoticeEvent.CUSTOMER_REPLIED, "group")
    assert told.data["to_group"] is True and told.exclude == []


def test_a_reply_before_routing_tells_nobody_yet(world):
    case = open_for(world)  # new: no group, no assignee; routing announces it later
    world.service.reply(customer(case.customer_id), case.id,
                        cmd.Comment(version=case.version, body="Ek"))  # fmt: skip
    assert [n.event for n in world.cases.notices[case.id]] == [NoticeEvent.CASE_RECEIVED]


def resolved(world):
    case = claimed(world)
    return world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="resolved")
    )


def test_not_solved_reopens_and_the_assignee_hears_it_once_with_the_reason(world):
    case = resolved(world)
    before = len(world.cases.notices[case.id])
    world.service.settle(customer(case.customer_id), case.id,
                         cmd.Settle(version=case.version, solved=False,
                                    comment="Yine bozuldu"))  # fmt: skip
    (told,) = new_notices(world, case.id, before)  # a reopen, not also a "replied"
    assert (told.event, told.audience) == (NoticeEvent.CASE_REOPENED, "assignee")
    assert said(world, told) == {"body": "Yine bozuldu"} and told.data["by_customer"] is True


def test_a_customer_reply_to_a_resolved_case_is_a_reopen(world):
    case = resolved(world)
    before = len(world.cases.notices[case.id])
    world.service.reply(customer(case.customer_id), case.id,
                        cmd.Comment(version=case.version, body="Olmadı"))  # fmt: skip
    assert [n.event for n in new_notices(world, case.id, before)] == [NoticeEvent.CASE_REOPENED]


def test_a_reopen_by_staff_reaches_the_assignee_but_not_the_one_who_did_it(world):
    case = resolved(world)
    before = len(world.cases.notices[case.id])
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="reopened")
    )
    assert new_notices(world, case.id, before) == []  # mehmet reopened his own case
    case = resolved(world)
    before = len(world.cases.notices[case.id])
    world.service.change_status(
        world.selin, case.id, cmd.ChangeStatus(version=case.version, status="reopened")
    )
    (told,) = new_notices(world, case.id, before)
    assert (told.event, told.audience) == (NoticeEvent.CASE_REOPENED, "assignee")
    assert told.data["by_customer"] is False and told.data["by"] == "selin"


def test_assignment_by_someone_else_is_announced_to_the_assignee_a_claim_is_not(world):
    case = pooled(world)
    before = len(world.cases.notices[case.id])
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    assert new_notices(world, case.id, before) == []
    world.directory.put_group(world.directory.groups["urun"].model_copy(
        update={"members": ["mehmet", "elif"]}))  # fmt: skip
    world.directory.put_staff(StaffMember(username="elif", name="Elif", roles=["agent"]))
    case = world.service.assign(world.selin, case.id,
                                cmd.Assign(version=case.version, assignee="elif"))  # fmt: skip
    (told,) = new_notices(world, case.id, before)
    assert (told.event, told.audience, told.data) == (
        NoticeEvent.CASE_ASSIGNED,
        "assignee",
        {"by": "selin"},
    )
    before = len(world.cases.notices[case.id])
    world.service.assign(world.selin, case.id,
                         cmd.Assign(version=case.version, assignee="selin"))  # fmt: skip
    assert new_notices(world, case.id, before) == []  # she took it herself


def test_a_case_moved_to_another_group_unassigned_is_announced_to_that_group(world):
    case = pooled(world)
    before = len(world.cases.notices[case.id])
    world.service.assign(world.selin, case.id,
                         cmd.Assign(version=case.version, group_id="teslimat"))  # fmt: skip
    (told,) = new_notices(world, case.id, before)
    assert (told.event, told.audience) == (NoticeEvent.CASE_ASSIGNED, "group")
    assert told.data["to_group"] is True and told.exclude == ["selin"]


def test_automatic_assignment_tells_the_agent_and_leaves_them_out_of_the_group_notice(world):
    world.directory.put_group(world.directory.groups["urun"].model_copy(
        update={"auto_assign": "round_robin"}))  # fmt: skip
    case = pooled(world)
    assert case.assignee == "mehmet"
    told = {n.event: n for n in world.cases.notices[case.id]}
    assigned = told[NoticeEvent.CASE_ASSIGNED]
    assert (assigned.audience, assigned.data) == ("assignee", {"by": ""})  # "automatically"
    assert told[NoticeEvent.ROUTED_TO_GROUP].exclude == ["mehmet"]


def escalation_events(level_notify: str) -> list[SlaEvent]:
    return [SlaEvent(kind="escalation", target=TargetKind.RESOLUTION, level=1,
                     notify=level_notify)]  # fmt: skip


def test_an_escalation_that_names_the_assignee_is_theirs_and_the_group_is_told_without_them(
    world,
):
    case = claimed(world)
    now = world.clock()
    told = notices_for_sla(case, escalation_events("assignee_and_group"), now)
    assert [(n.event, n.audience, n.exclude) for n in told] == [
        (NoticeEvent.ESCALATED_TO_YOU, "assignee", []),
        (NoticeEvent.SLA_ESCALATION, "group", ["mehmet"]),
    ]
    assert all(n.urgent for n in told)
    unowned = notices_for_sla(pooled(world), escalation_events("assignee_and_group"), now)
    assert [(n.event, n.audience) for n in unowned] == [(NoticeEvent.SLA_ESCALATION, "group")]
    supervisors = notices_for_sla(case, escalation_events("supervisors"), now)
    assert [n.event for n in supervisors] == [NoticeEvent.SLA_ESCALATION]  # names no assignee


def test_delivery_leaves_out_who_acted_and_speaks_each_agents_language(post):
    world = post
    world.directory.put_group(world.directory.groups["teslimat"].model_copy(
        update={"members": ["ayse", "selin"]}))  # fmt: skip
    ayse = world.directory.staff["ayse"]
    world.directory.put_staff(StaffMember.model_validate({**ayse.model_dump(), "language": "en"}))
    case = filed(world, email="a@example.com", name="A")
    world.queue.sent.clear()
    world.service.assign(world.selin, case.id,
                         cmd.Assign(version=case.version, group_id="teslimat"))  # fmt: skip
    assert deliver_all(world) == ["sent"]
    ((to, subject, body),) = [e for e in world.sender.emails if e[1].startswith("Assigned")]
    assert to == "ayse@shop.example"  # selin moved it: she is not told
    assert subject == f"Assigned to your group: {case.number}"
    assert "assigned to your group by selin" in body
    assert all(e[0] != "selin@shop.example" for e in world.sender.emails)


def test_a_customer_reply_is_emailed_to_the_assignee_in_turkish(post):
    world = post
    case = filed(world, email="a@example.com", name="Ayşe Kaya")
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    world.queue.sent.clear()
    world.service.reply(customer(case.customer_id), case.id,
                        cmd.Comment(version=case.version, body="Kargo hâlâ yok"))  # fmt: skip
    assert deliver_all(world) == ["sent"]
    ((to, subject, body),) = world.sender.emails[-1:]
    assert (to, subject) == ("mehmet@shop.example", f"Müşteri yanıt verdi: {case.number}")
    assert "Ayşe Kaya" in body and "Kargo hâlâ yok" in body


def test_an_agents_reply_reaches_the_cc_by_email_and_an_update_the_followers_but_its_author(post):
    world = post
    case = filed(world, email="ahmet@example.com", name="Ahmet", phone="0532 123 45 67")
    case = world.service.change_cc(world.mehmet, case.id, cmd.ChangeCc(
        version=case.version, cc=["muhasebe@firma.example", "AHMET@example.com"]))  # fmt: skip
    assert case.cc == ["muhasebe@firma.example"]  # the customer hears already
    case = world.service.change_followers(world.mehmet, case.id, cmd.ChangeFollowers(
        version=case.version, followers=["selin", "mehmet"]))  # fmt: skip
    world.queue.sent.clear()
    world.service.reply(world.mehmet, case.id, cmd.Comment(version=case.version, body="Yolda."))
    deliver_all(world)
    to_whom = {to: subject for to, subject, _ in world.sender.emails}
    bodies = {to: body for to, _, body in world.sender.emails}
    # the customer's own version links the site's case page; the copy, which that page would
    # not open for, says to reply to the email (docs/files-and-cc.md)
    assert to_whom["ahmet@example.com"] == f"Talebinize yanıt: {case.number}"
    assert to_whom["muhasebe@firma.example"] == f"Bilginize, talebe yanıt: {case.number}"
    assert "case.html" in bodies["ahmet@example.com"]
    assert "case.html" not in bodies["muhasebe@firma.example"]
    assert "bu e-postayı yanıtlayın" in bodies["muhasebe@firma.example"]
    assert "Ahmet" not in bodies["muhasebe@firma.example"]
    assert to_whom["selin@shop.example"].startswith("Takip ettiğiniz talep güncellendi")
    assert not [s for to, s, _ in world.sender.emails
                if to == "mehmet@shop.example" and s.startswith("Takip")]  # fmt: skip


# ---- a reply's notice names its line (issue 21): same text sent, read at delivery ----------

#: a reply as agents write it: Turkish letters, a line break, text that looks like markup
REPLY = (
    "Merhaba, cihazınızı inceledik; değişim için kargo kodunuz 123456.\nİyi günler <b>dileriz</b>."
)


def replied(world):
    """A case whose customer hears by email and SMS, with a copied address and a follower;
    the agent's reply decided (not delivered). Returns the case and the reply's notices."""
    case = filed(world, email="ahmet@example.com", name="Ahmet", phone="0532 123 45 67")
    contact = world.customers.get(case.customer_id)
    world.customers.by_id[contact.id] = contact.model_copy(
        update={"contact": ContactPreferences(channel="both")}
    )
    case = world.service.change_cc(world.mehmet, case.id, cmd.ChangeCc(
        version=case.version, cc=["muhasebe@firma.example"]))  # fmt: skip
    case = world.service.change_followers(world.mehmet, case.id, cmd.ChangeFollowers(
        version=case.version, followers=["selin"]))  # fmt: skip
    deliver_all(world)
    world.queue.sent.clear()
    world.sender.emails.clear()
    world.sender.texts.clear()
    world.service.reply(world.mehmet, case.id, cmd.Comment(version=case.version, body=REPLY))
    return case, [n for n in world.cases.notices[case.id] if n.status == "pending"]


def sent(world):
    return sorted(world.sender.emails), sorted(world.sender.texts)


def test_a_reply_notice_sends_the_same_email_and_sms_as_one_that_carried_the_text(post):
    """The notice names the line; what reaches the customer, their CC and the follower is
    byte for byte what a notice carrying the text (as stored before issue 21) sends."""
    world = post
    case, notices = replied(world)
    assert {n.event for n in notices} == {NoticeEvent.AGENT_REPLIED, NoticeEvent.CASE_UPDATED}
    assert all("body" not in n.data and "line" in n.data for n in notices)
    assert deliver_all(world) == ["sent", "sent"]
    now = sent(world)
    assert len(now[0]) == 3 and len(now[1]) == 1  # customer, CC, follower; the customer's SMS
    assert all("<b>dileriz</b>" in body for _, _, body in now[0])
    # the same notices as they were stored before: the text in their data, no line
    stored = world.cases.notices[case.id]
    for i, n in enumerate(stored):
        if n.id in {m.id for m in notices}:
            old = {k: v for k, v in n.data.items() if k != "line"} | {"body": REPLY}
            stored[i] = n.model_copy(update={"data": old, "status": "pending", "attempts": 0,
                                             "deliveries": [], "note": None})  # fmt: skip
    world.sender.emails.clear()
    world.sender.texts.clear()
    assert deliver_all(world) == ["sent", "sent"]
    assert sent(world) == now


def test_a_reply_notice_whose_line_is_gone_sends_nothing(post):
    """The rule (docs/notifications.md): a notice says what its line says when delivered; a
    line no longer there is not sent, from memory or otherwise."""
    world = post
    case, notices = replied(world)
    world.cases.history[case.id] = [e for e in world.cases.history[case.id]
                                    if e.kind != EntryKind.REPLY]  # fmt: skip
    assert deliver_all(world) == ["skipped", "skipped"]
    assert sent(world) == ([], [])
    done = {n.id: n for n in world.cases.notices[case.id]}
    assert all(done[n.id].note == f"line_gone: {n.data['line']}" for n in notices)


def test_a_customer_never_gets_a_line_no_longer_public_but_staff_read_it(post):
    """A line an agent withdrew from the customer (made internal) is not mailed to them or
    their CC; the follower, staff, still hears of it; a line corrected meanwhile is sent as
    it reads now."""
    world = post
    case, _ = replied(world)
    history = world.cases.history[case.id]
    for i, e in enumerate(history):
        if e.kind == EntryKind.REPLY:
            history[i] = e.model_copy(update={"visibility": Visibility.INTERNAL,
                                              "body": "Düzeltildi."})  # fmt: skip
    assert sorted(deliver_all(world)) == ["sent", "skipped"]
    emails, texts = sent(world)
    assert texts == [] and [to for to, _, _ in emails] == ["selin@shop.example"]
    assert "Düzeltildi." in emails[0][2] and "123456" not in emails[0][2]
