"""The sweep on in-memory ports: SLA starts at routing, pauses, reminds, breaches, escalates,
and two sweeps at once record each event exactly once."""

from datetime import timedelta

import pytest

from chalicelib.domain.cases import EntryKind
from chalicelib.domain.sla import EscalationLadder, EscalationLevel, SlaPolicy, TargetKind
from chalicelib.services import case_commands as cmd
from chalicelib.services.sla_sweep import SlaSweep

from .test_case_service import open_for


@pytest.fixture
def sla_world(world):
    world.directory.put_sla_policy(
        SlaPolicy(id="p", name="Genel", first_response_minutes=60, resolution_minutes=240,
                  hours="calendar")
    )  # fmt: skip
    world.directory.put_ladder(
        EscalationLadder(
            id="l", name="Ürün", group_id="urun",
            levels=[EscalationLevel(after_minutes=0, notify="assignee_and_group"),
                    EscalationLevel(after_minutes=30, notify="supervisors", raise_priority=True)],
        )
    )  # fmt: skip
    world.sweep = SlaSweep(world.cases, world.directory, world.clock)
    return world


def sla_entries(world, case_id):
    history = world.service.get(world.selin, case_id).history
    return [e.data["kind"] + ":" + e.data["target"] for e in history if e.kind == EntryKind.SLA]


def test_routing_starts_the_clocks_from_opening(sla_world):
    world = sla_world
    case = open_for(world)
    world.clock.advance(minutes=5)
    routed = world.routing.route(case.id)
    first = routed.sla.clock(TargetKind.FIRST_RESPONSE)
    assert first.due_at == case.created_at + timedelta(minutes=60)
    assert routed.due_at == case.created_at + timedelta(minutes=240)
    view = world.service.get(world.selin, case.id)
    assert [t.state for t in view.targets] == ["running", "running"]
    assert view.targets[0].minutes_left == pytest.approx(55)


def test_sweep_reminds_breaches_and_escalates_once_each(sla_world):
    world = sla_world
    case = world.routing.route(open_for(world).id)
    assert world.sweep.run() == 0
    world.clock.advance(minutes=46)  # 75% of the first-response hour
    assert world.sweep.run() == 1
    assert world.sweep.run() == 0
    world.clock.advance(minutes=15)  # due at 60
    assert world.sweep.run() == 2  # breach + level 1
    world.clock.advance(minutes=30)
    assert world.sweep.run() == 1  # level 2, priority raised
    assert world.sweep.run() == 0
    assert sla_entries(world, case.id) == [
        "reminder:first_response", "breach:first_response",
        "escalation:first_response", "escalation:first_response",
    ]  # fmt: skip
    assert world.cases.get(case.id).case.priority == "high"
    view = world.service.get(world.selin, case.id)
    assert view.targets[0].state == "breached" and view.targets[0].escalation_level == 2


def test_reply_in_time_meets_first_response_and_waiting_pauses(sla_world):
    world = sla_world
    case = world.routing.route(open_for(world).id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    world.clock.advance(minutes=20)
    case = world.service.reply(
        world.mehmet, case.id, cmd.Comment(version=case.version, body="Merhaba")
    )
    assert case.sla.clock(TargetKind.FIRST_RESPONSE).met_at == world.clock.now
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="waiting_customer")
    )
    world.clock.advance(days=3)  # far past the resolution target, but paused
    assert world.sweep.run() == 0
    view = world.service.get(world.selin, case.id)
    assert [t.state for t in view.targets] == ["met", "paused"]
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="in_progress")
    )
    resolution = case.sla.clock(TargetKind.RESOLUTION)
    assert resolution.due_at == world.clock.now + timedelta(minutes=220)


class RacingCases:
    """Lets a second sweep run to completion between the first sweep's read and its write."""

    def __init__(self, inner, other_sweep) -> None:
        self.inner = inner
        self.other_sweep = other_sweep
        self.raced = False

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def apply(self, change, also=None):
        if not self.raced:
            self.raced = True
            self.other_sweep.run()
        return self.inner.apply(change, also)


def test_two_sweeps_at_once_record_each_event_once(sla_world):
    world = sla_world
    case = world.routing.route(open_for(world).id)
    world.clock.advance(minutes=61)
    other = SlaSweep(world.cases, world.directory, world.clock)
    racing = SlaSweep(RacingCases(world.cases, other), world.directory, world.clock)
    assert racing.run() == 0  # lost the race, re-read, found nothing left to do
    assert sla_entries(world, case.id) == ["breach:first_response", "escalation:first_response"]


def test_raising_priority_applies_the_tighter_policy_and_keeps_time_used(sla_world):
    world = sla_world
    world.directory.put_sla_policy(
        SlaPolicy(id="u", name="Acil", priority="urgent", first_response_minutes=15,
                  resolution_minutes=90, hours="calendar")
    )  # fmt: skip
    case = world.routing.route(open_for(world).id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    world.clock.advance(minutes=10)
    case = world.service.reply(world.mehmet, case.id, cmd.Comment(version=case.version, body="x"))
    world.clock.advance(minutes=20)  # 30 minutes used in all
    case = world.service.update(
        world.mehmet, case.id, cmd.UpdateCase(version=case.version, priority="urgent")
    )
    assert case.sla.policy_name == "Acil"
    first = case.sla.clock(TargetKind.FIRST_RESPONSE)
    assert first.met_at is not None and first.target_minutes == 60  # met stays met
    resolution = case.sla.clock(TargetKind.RESOLUTION)
    assert resolution.target_minutes == 90 and resolution.used_minutes == pytest.approx(30)
    assert resolution.due_at == world.clock.now + timedelta(minutes=60)
    assert case.due_at == resolution.due_at


def test_retargeting_a_paused_clock_keeps_it_paused(sla_world):
    world = sla_world
    world.directory.put_sla_policy(
        SlaPolicy(id="u", name="Acil", priority="urgent", resolution_minutes=90, hours="calendar")
    )
    case = world.routing.route(open_for(world).id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="waiting_customer")
    )
    case = world.service.update(
        world.mehmet, case.id, cmd.UpdateCase(version=case.version, priority="urgent")
    )
    resolution = case.sla.clock(TargetKind.RESOLUTION)
    assert resolution.paused and resolution.target_minutes == 90
    assert case.sla.clock(TargetKind.FIRST_RESPONSE) is None  # the urgent policy has none


def test_resolved_cases_close_themselves_after_the_reopen_window(sla_world):
    world = sla_world
    case = world.routing.route(open_for(world).id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="resolved")
    )
    world.clock.advance(days=6)
    world.sweep.run()
    assert world.cases.get(case.id).case.status == "resolved"  # still in the window
    world.clock.advance(days=2)
    assert world.sweep.run() == 1
    closed = world.cases.get(case.id)
    assert closed.case.status == "closed" and closed.case.closed_at == world.clock.now
    last = closed.history[-1]
    assert (last.reason_code, last.data, last.reason) == ("auto_closed", {"days": 7}, None)
    assert world.sweep.run() == 0
    # the close is a close like any other: the customer hears it, and it is a case event
    notices = [n.event for n in world.cases.notices[case.id]]
    assert notices[-1] == "case_closed"
    events = [e.type for e in world.cases.events[case.id]]
    assert events[-2:] == ["destek.case.status_changed", "destek.case.closed"]
    assert world.cases.events[case.id][-1].data.reason_code == "auto_closed"
    assert world.cases.events[case.id][-1].sequence == closed.case.version


def test_the_automatic_close_announces_its_notice(sla_world):
    world = sla_world
    announced = []
    world.sweep.announce = announced.extend
    case = world.routing.route(open_for(world).id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="resolved")
    )
    world.clock.advance(days=8)
    assert world.sweep.run() == 1
    assert [(n.event, n.audience) for n in announced] == [("case_closed", "customer")]


def test_sla_events_are_case_events_written_with_the_change(sla_world):
    world = sla_world
    case = world.routing.route(open_for(world).id)
    world.clock.advance(minutes=61)
    assert world.sweep.run() == 2
    types = [e.type for e in world.cases.events[case.id]]
    assert types == ["destek.case.opened", "destek.case.routed", "destek.case.status_changed",
                     "destek.case.sla_breached", "destek.case.escalated"]  # fmt: skip
    sequences = [e.sequence for e in world.cases.events[case.id]]
    assert sequences == [1, 2, 2, 3, 3]
