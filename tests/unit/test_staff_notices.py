"""Staff notices a person needs (domain/staff_notices.py): the group's arrivals as a digest,
one by one or not by email, the digest schedule's windows and idempotence, the opt-out."""

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.clock import to_iso
from chalicelib.domain.directory import StaffMember
from chalicelib.domain.notifications import NoticeEvent, notice
from chalicelib.domain.staff_notices import (
    Arrival,
    arrival_window,
    digest_readers,
    is_arrival,
    route_of,
    staff_addresses,
    still_waiting,
    window_start,
    windows_to_send,
)
from chalicelib.messaging.templates import JinjaRenderer
from chalicelib.services import case_commands as cmd
from chalicelib.services.arrival_digests import ArrivalDigests, DigestsNotSent
from chalicelib.services.directory import DirectoryService, GroupDetails, Notices, StaffDetails
from chalicelib.services.notifier import Notifier

from .fakes import FakeArrivals, FakeNotices, FakeQueue, FakeSender
from .test_case_service import open_for


def at(hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime(2026, 11, 23, hh, mm, ss, tzinfo=UTC)


# ---- pure rules -----------------------------------------------------------------------------


def test_windows_are_aligned_to_the_hour():
    assert window_start(at(9, 14, 59), 15) == at(9, 0)
    assert window_start(at(9, 15), 15) == at(9, 15)
    assert window_start(at(9, 44), 30) == at(9, 30)
    assert window_start(at(9, 59), 60) == at(9, 0)


def test_an_arrival_filed_after_its_window_closed_goes_into_the_current_one():
    assert arrival_window(at(9, 14), at(9, 14, 30), 15) == at(9, 0)
    # a slow queue: the 09:00 window may be digested already, the 09:15 one is still to come
    assert arrival_window(at(9, 14), at(9, 16), 15) == at(9, 15)


def test_windows_to_send_are_closed_for_the_lag_and_within_the_lookback():
    # 09:16: the 09:00-09:15 window closed only a minute ago (the lag is two)
    assert windows_to_send(at(9, 16), 15)[-1] == at(8, 45)
    assert windows_to_send(at(9, 17), 15)[-1] == at(9, 0)
    assert windows_to_send(at(9, 17), 15) == [at(8, 15), at(8, 30), at(8, 45), at(9, 0)]
    assert windows_to_send(at(10, 3), 60) == [at(9, 0)]
    # 10:01: 09:00-10:00 closed a minute ago, and 08:00-09:00 (sent since 09:02) is past the hour
    assert windows_to_send(at(10, 1), 60) == []


def test_arrivals_are_routed_and_unassigned_moves_to_a_group(world):
    case = open_for(world)
    routed = notice(case, NoticeEvent.ROUTED_TO_GROUP, "group", at(9, 0))
    moved = notice(case, NoticeEvent.CASE_ASSIGNED, "group", at(9, 0))
    yours = notice(case, NoticeEvent.CASE_ASSIGNED, "assignee", at(9, 0))
    breach = notice(case, NoticeEvent.SLA_BREACH, "group", at(9, 0))
    assert [is_arrival(n) for n in (routed, moved, yours, breach)] == [True, True, False, False]
    group = world.directory.groups["urun"]
    assert group.arrivals == "digest" and group.digest_minutes == 15  # the default
    assert route_of(routed, group) == "digest"
    assert route_of(routed, group.model_copy(update={"arrivals": "none"})) == "none"
    assert route_of(yours, group.model_copy(update={"arrivals": "none"})) == "each"
    assert route_of(routed, None) == "each"


def member(name: str, **extra) -> StaffMember:
    return StaffMember(username=name, name=name, email=f"{name}@shop.example", **extra)


def test_opted_out_disabled_and_addressless_staff_are_not_mailed():
    staff = {
        "a": member("a"),
        "b": member("b", email_notices=False),
        "c": member("c", active=False),
        "d": StaffMember(username="d", name="d"),
        "e": member("e", language="en"),
    }
    assert staff_addresses(["a", "b", "c", "d", "e", "a", "x"], staff, ["e"]) == [
        ("a@shop.example", "tr")
    ]
    assert staff_addresses(["e"], staff) == [("e@shop.example", "en")]


def arrival(case_id: str, number: str, minute: int = 1) -> Arrival:
    return Arrival(case_id=case_id, number=number, subject="s", type="complaint",
                   priority="normal", channel="web", arrived_at=at(9, minute))  # fmt: skip


def test_the_digest_lists_what_still_waits_unassigned_in_the_group():
    arrivals = [arrival("c1", "N1", 5), arrival("c2", "N2", 1), arrival("c3", "N3"),
                arrival("c4", "N4"), arrival("c5", "N5")]  # fmt: skip
    now = {
        "c1": {"group_id": "g", "assignee": None, "status": "open"},
        "c2": {"group_id": "g", "status": "reopened"},
        "c3": {"group_id": "g", "assignee": "mehmet", "status": "in_progress"},  # taken
        "c4": {"group_id": "other", "status": "open"},  # moved on
        "c5": {"group_id": "g", "status": "resolved"},
    }  # and a case gone from the store is left out
    assert [a.number for a in still_waiting(arrivals, now, "g")] == ["N2", "N1"]


def test_digest_readers_are_the_mailable_members_not_yet_sent(world):
    group = world.directory.groups["urun"].model_copy(update={"members": ["a", "b", "c", "a"]})
    staff = {"a": member("a"), "b": member("b", email_notices=False), "c": member("c")}
    assert [m.username for m in digest_readers(group, staff, {"c"})] == ["a"]


# ---- the notifier files arrivals ------------------------------------------------------------


@pytest.fixture
def post(world):
    """The world with a notifier that files digest arrivals, and staff with addresses; the
    `urun` group has two members."""
    world.sender = FakeSender()
    world.queue = FakeQueue()
    world.notices = FakeNotices(world.cases)
    world.arrivals = FakeArrivals(world.cases)
    world.notifier = Notifier(
        world.cases, world.notices, world.customers, world.directory, world.sender,
        JinjaRenderer(), world.queue, world.clock, console_url="https://api.example/console",
        arrivals=world.arrivals,
    )  # fmt: skip
    world.directory.put_staff(member("deniz", language="en"))
    for name in ("ayse", "mehmet", "selin"):
        world.directory.put_staff(
            world.directory.staff[name].model_copy(update={"email": f"{name}@shop.example"})
        )
    urun = world.directory.groups["urun"]
    world.directory.put_group(urun.model_copy(update={"members": ["mehmet", "deniz"]}))
    world.routing.announce = world.notifier.announce
    world.routing.arrivals = world.arrivals  # as wired: routing settles its arrival notices
    world.service.announce = world.notifier.announce
    world.digests = ArrivalDigests(world.directory, world.arrivals, world.sender, JinjaRenderer(),
                                   console="https://api.example/console")  # fmt: skip
    return world


def set_arrivals(world, mode: str, minutes: int = 15) -> None:
    urun = world.directory.groups["urun"]
    world.directory.put_group(urun.model_copy(update={"arrivals": mode, "digest_minutes": minutes}))


def route_one(world, **caller):
    case = open_for(world, email="ahmet@example.com", name="Ahmet", **caller)
    world.routing.route(case.id)
    results = [world.notifier.deliver(c, n) for c, n in world.queue.sent]
    world.queue.sent.clear()
    return world.cases.get(case.id).case, results


def staff_emails(world):
    return [e for e in world.sender.emails if e[0].endswith("@shop.example")]


def test_a_digest_group_files_the_arrival_instead_of_mailing_each_member(post):
    world = post
    case, results = route_one(world)
    # the customer hears; the group's notice was filed by routing itself, never queued
    assert results == ["sent"]
    assert [e[0] for e in world.sender.emails] == ["ahmet@example.com"]
    window = world.clock.now.replace(minute=0, second=0, microsecond=0)  # 09:00
    assert list(world.arrivals.filed[("urun", window)]) == [case.id]
    routed = world.cases.notices[case.id][1]
    assert routed.status == "skipped" and routed.note.startswith("arrivals: digest")


def test_without_a_digest_store_routing_leaves_the_arrival_to_the_notifier(post):
    """Routing settles an arrival only where it can file it; otherwise the notice is queued
    and the notifier files it, as it does for a notice decided before routing did."""
    world = post
    world.routing.arrivals = None
    case, results = route_one(world)
    assert results == ["sent", "skipped"]
    window = world.clock.now.replace(minute=0, second=0, microsecond=0)
    assert list(world.arrivals.filed[("urun", window)]) == [case.id]
    routed = world.cases.notices[case.id][1]
    assert routed.status == "skipped" and routed.note == f"arrivals: digest {to_iso(window)}"


def test_an_automatic_assignee_makes_the_arrival_no_digests_business(post):
    world = post
    urun = world.directory.groups["urun"]
    world.directory.put_group(urun.model_copy(update={"auto_assign": "round_robin"}))
    for name in ("mehmet", "deniz"):  # on shift
        staff = world.directory.staff[name]
        world.directory.put_staff(staff.model_copy(update={"on_shift": True}))
    case, results = route_one(world)
    routed = next(n for n in world.cases.notices[case.id] if n.event == "routed_to_group")
    assert routed.status == "skipped"
    assert routed.note == "arrivals: digest (assigned already, not waiting)"
    assert world.arrivals.filed == {}


def test_each_mails_every_member_per_case_and_none_mails_nobody(post):
    world = post
    set_arrivals(world, "each")
    route_one(world)
    assert sorted(e[0] for e in staff_emails(world)) == ["deniz@shop.example",
                                                         "mehmet@shop.example"]  # fmt: skip
    world.sender.emails.clear()
    set_arrivals(world, "none")
    case, results = route_one(world)
    assert results == ["sent"] and staff_emails(world) == []  # the group's: settled, unqueued
    assert world.arrivals.filed == {}
    routed = world.cases.notices[case.id][1]
    assert (routed.status, routed.note) == (
        "skipped",
        "arrivals: none (the group's queue shows them)",
    )


def test_a_case_moved_to_another_group_unassigned_is_in_that_groups_digest(post):
    world = post
    case, _ = route_one(world)
    world.service.assign(world.selin, case.id, cmd.Assign(version=case.version,
                                                          group_id="teslimat"))  # fmt: skip
    results = [world.notifier.deliver(c, n) for c, n in world.queue.sent]
    assert results == ["skipped"] and staff_emails(world) == []
    window = world.clock.now.replace(minute=0, second=0, microsecond=0)
    assert list(world.arrivals.filed[("teslimat", window)]) == [case.id]
    world.clock.advance(minutes=17)
    world.digests.send(world.clock.now)
    # urun's digest leaves the case out (it moved on), teslimat's member ayse gets it
    assert [(to, case.number in body) for to, _, body in staff_emails(world)] == [
        ("ayse@shop.example", True)
    ]


def test_an_automatically_assigned_arrival_is_not_in_the_digest(post):
    world = post
    urun = world.directory.groups["urun"]
    world.directory.put_group(urun.model_copy(update={"auto_assign": "round_robin"}))
    case, _ = route_one(world)
    assert case.assignee == "mehmet"
    assert world.arrivals.filed == {}
    # the assignee heard "assigned to you"; nobody else was mailed
    assert [e[0] for e in staff_emails(world)] == ["mehmet@shop.example"]


def test_a_staff_member_who_opted_out_gets_no_notice_emails(post):
    world = post
    world.directory.put_staff(world.directory.staff["mehmet"].model_copy(
        update={"email_notices": False}))  # fmt: skip
    set_arrivals(world, "each")
    case, _ = route_one(world)
    assert [e[0] for e in staff_emails(world)] == ["deniz@shop.example"]
    world.sender.emails.clear()
    world.service.assign(world.selin, case.id, cmd.Assign(version=case.version, assignee="mehmet"))
    [world.notifier.deliver(c, n) for c, n in world.queue.sent]
    assert staff_emails(world) == []  # not even "assigned to you"


# ---- the digest schedule --------------------------------------------------------------------


def test_one_digest_per_member_and_window_and_a_retried_run_sends_nothing_again(post):
    world = post
    first, _ = route_one(world)
    world.clock.advance(minutes=5)
    second, _ = route_one(world)
    assert staff_emails(world) == []
    world.clock.advance(minutes=7)  # 09:12: the window is still open
    assert world.digests.send(world.clock.now).sent == []
    world.clock.advance(minutes=5)  # 09:17: closed two minutes ago
    outcome = world.digests.send(world.clock.now)
    assert len(outcome.sent) == 2
    mails = {to: (subject, body) for to, subject, body in staff_emails(world)}
    subject, body = mails["mehmet@shop.example"]
    assert subject == "Ürün havuzunda bekleyen 2 yeni talep"
    assert body.index(first.number) < body.index(second.number)  # oldest first
    assert f"https://api.example/console#/case/{first.number}" in body
    assert "https://api.example/console#/pool?group=urun" in body
    subject, body = mails["deniz@shop.example"]
    assert subject == "2 new cases waiting in the Ürün pool"
    assert "console?lang=en#/case/" in body
    # the same run again (a retry), and the runs of the next hour: nothing more
    for minutes in (0, 5, 30):
        world.clock.advance(minutes=minutes)
        assert world.digests.send(world.clock.now).sent == []
    assert len(staff_emails(world)) == 2


def test_a_case_taken_before_the_digest_is_left_out_and_an_empty_digest_is_not_sent(post):
    world = post
    case, _ = route_one(world)
    world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    world.clock.advance(minutes=17)
    assert world.digests.send(world.clock.now).sent == []
    assert staff_emails(world) == []


def test_a_failed_send_is_retried_by_the_next_run_for_that_member_only(post):
    world = post
    route_one(world)
    world.clock.advance(minutes=17)
    real = world.sender.email

    def flaky(to, subject, body, html=None, headers=None):
        if to == "deniz@shop.example":
            raise RuntimeError("throttled")
        return real(to, subject, body)

    world.sender.email = flaky
    with pytest.raises(DigestsNotSent):
        world.digests.send(world.clock.now)
    assert [e[0] for e in staff_emails(world)] == ["mehmet@shop.example"]
    world.sender.email = real
    world.clock.advance(minutes=5)
    [again] = world.digests.send(world.clock.now).sent
    assert again.startswith("urun#2026-11-23T09:00:00") and again.endswith("#deniz")
    assert [e[0] for e in staff_emails(world)] == ["mehmet@shop.example", "deniz@shop.example"]


def test_only_digest_groups_are_read_and_an_hourly_group_waits_for_its_hour(post):
    world = post
    set_arrivals(world, "digest", 60)
    route_one(world)
    world.clock.advance(minutes=17)
    assert world.digests.send(world.clock.now).sent == []  # 09:17: the hour is not over
    world.clock.advance(minutes=45)  # 10:02
    assert len(world.digests.send(world.clock.now).sent) == 2
    set_arrivals(world, "each")
    world.clock.advance(hours=1)
    assert world.digests.send(world.clock.now).sent == []


# ---- the settings ---------------------------------------------------------------------------


def test_a_group_keeps_its_arrivals_setting_and_refuses_others(world):
    service = DirectoryService(world.directory, roles=_Roles())
    saved = service.put_group("urun", GroupDetails(name="Ürün", members=["mehmet"],
                              arrivals="each", digest_minutes=60, is_default=True))  # fmt: skip
    assert (saved.arrivals, saved.digest_minutes) == ("each", 60)
    with pytest.raises(ValueError):
        GroupDetails(name="x", arrivals="hourly")
    with pytest.raises(ValueError):
        GroupDetails(name="x", digest_minutes=20)


def test_the_opt_out_is_the_members_own_and_an_admins_edit_keeps_it(world):
    service = DirectoryService(world.directory, roles=_Roles())
    assert service.set_notices("mehmet", Notices(email_notices=False)).email_notices is False
    kept = service.put_staff("mehmet", StaffDetails(name="Mehmet", roles=["agent"]))
    assert kept.email_notices is False
    assert service.set_notices("mehmet", Notices(email_notices=True)).email_notices is True


class _Roles:
    def forget(self) -> None:
        pass


def test_the_digest_window_is_what_the_notifier_and_the_schedule_share():
    # an arrival at 09:14:59 delivered at once is in the 09:00 window, which the run of 09:17
    # sends; one delivered at 09:16 waits for the 09:15 window's run (09:32)
    assert arrival_window(at(9, 14, 59), at(9, 14, 59), 15) in windows_to_send(at(9, 17), 15)
    late = arrival_window(at(9, 14, 59), at(9, 16), 15)
    assert late not in windows_to_send(at(9, 17), 15)
    assert late in windows_to_send(at(9, 32), 15)
    assert timedelta(minutes=15) == at(9, 15) - at(9, 0)
