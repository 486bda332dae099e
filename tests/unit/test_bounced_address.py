"""A customer whose email bounced hears by SMS (issue 11, item 5), on in-memory ports."""

from datetime import UTC, datetime

from chalicelib.domain.customers import EmailUndeliverable
from chalicelib.domain.notifications import NoticeEvent, notice_of_failed_delivery

from .test_notifications import deliver_all, filed, post  # noqa: F401 - the fixture


def _mark(world, case, address):
    found = world.customers.get(case.customer_id)
    mark = EmailUndeliverable(address=address, reason="5.2.2 mailbox full",
                              at=datetime(2026, 12, 1, tzinfo=UTC))  # fmt: skip
    world.customers.by_id[found.id] = found.model_copy(update={"email_undeliverable": mark})


def test_the_next_notice_goes_by_sms_when_the_email_bounced(post):  # noqa: F811
    world = post
    case = filed(world, email="ahmet@example.com", name="Ahmet", phone="0532 123 45 67")
    _mark(world, case, "ahmet@example.com")
    deliver_all(world)
    received = world.cases.notices[case.id][0]
    assert received.event == NoticeEvent.CASE_RECEIVED
    assert [d.channel for d in received.deliveries] == ["sms"]


def test_without_a_phone_a_bounced_address_is_skipped_not_mailed_again(post):  # noqa: F811
    world = post
    case = filed(world, email="zeynep@example.com", name="Zeynep")
    _mark(world, case, "zeynep@example.com")
    deliver_all(world)
    assert world.cases.notices[case.id][0].status == "skipped"


def test_a_new_address_starts_clean(post):  # noqa: F811
    world = post
    case = filed(world, email="yeni@example.com", name="Yeni", phone="0532 765 43 21")
    _mark(world, case, "eski@example.com")
    deliver_all(world)
    assert [d.channel for d in world.cases.notices[case.id][0].deliveries] == ["email"]


def test_the_agent_or_the_group_is_told(post):  # noqa: F811
    world = post
    case = filed(world, email="ahmet@example.com", name="Ahmet")
    failed = world.cases.notices[case.id][0]
    told = notice_of_failed_delivery(case, failed, "ahmet@example.com", "5.2.2", case.created_at)
    assert (told.event, told.audience) == (NoticeEvent.DELIVERY_FAILED, "group")
    owned = case.model_copy(update={"assignee": "mehmet"})
    assert (
        notice_of_failed_delivery(owned, failed, "a", "r", case.created_at).audience == "assignee"
    )
