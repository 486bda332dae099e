"""The SLA clock with frozen time: weekends, Turkish holidays, half-day eves, pauses,
reminders, breach and the escalation ladder."""

from datetime import UTC, datetime, time, timedelta

import pytest

from chalicelib.domain.business_hours import (
    BusinessCalendar,
    add_working_minutes,
    working_minutes_between,
)
from chalicelib.domain.case_kinds import CaseType, Priority
from chalicelib.domain.conditions import CaseFacts
from chalicelib.domain.sla import (
    EscalationLadder,
    EscalationLevel,
    SlaPolicy,
    TargetKind,
    choose_ladder,
    choose_policy,
    due_events,
    meet,
    minutes_left,
    next_timer,
    pause,
    reopen,
    resume,
    start_sla,
)

CAL = BusinessCalendar()  # Mon-Fri 09:00-18:00 Europe/Istanbul, Turkish holidays


def ist(day: str, hour: int, minute: int = 0) -> datetime:
    """An Istanbul wall-clock time (UTC+3 all year) as aware UTC."""
    y, m, d = (int(p) for p in day.split("-"))
    return datetime(y, m, d, hour, minute, tzinfo=UTC) - timedelta(hours=3)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        (ist("2026-11-23", 10), 60, ist("2026-11-23", 11)),  # Monday, same day
        (ist("2026-11-23", 17), 120, ist("2026-11-24", 10)),  # overnight
        (ist("2026-11-20", 17), 120, ist("2026-11-23", 10)),  # Friday → Monday
        (ist("2026-11-21", 12), 30, ist("2026-11-23", 9, 30)),  # opened on Saturday
        (ist("2026-11-23", 7), 30, ist("2026-11-23", 9, 30)),  # before opening
        (ist("2026-10-28", 9), 300, ist("2026-10-30", 10)),  # half-day eve, Republic Day
        (ist("2026-03-19", 12), 120, ist("2026-03-23", 10)),  # Ramazan Bayramı eve + 3 days
        (ist("2026-12-31", 17), 120, ist("2027-01-04", 10)),  # New Year's Day, then weekend
    ],
)
def test_working_time_skips_nights_weekends_and_holidays(start, minutes, due):
    assert add_working_minutes(CAL, start, minutes) == due
    assert working_minutes_between(CAL, start, due) == pytest.approx(minutes)


def test_calendar_refuses_nonsense():
    with pytest.raises(ValueError):
        BusinessCalendar(weekdays=[])
    with pytest.raises(ValueError):
        BusinessCalendar(opens=time(18), closes=time(9))
    with pytest.raises(ValueError):
        BusinessCalendar(timezone="Mars/Olympus")


POLICIES = [
    SlaPolicy(id="base", name="Genel", first_response_minutes=240, resolution_minutes=1440),
    SlaPolicy(id="urgent", name="Acil", priority="urgent", first_response_minutes=30,
              resolution_minutes=240, hours="calendar"),
    SlaPolicy(id="vip-complaint", name="VIP şikayet", case_type="complaint",
              customer_category="vip", first_response_minutes=60, resolution_minutes=480),
    SlaPolicy(id="returns", name="İade", category_id="k-iade", resolution_minutes=2880),
]  # fmt: skip


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (("question", [], "normal", None), "base"),
        (("question", [], "urgent", None), "urgent"),
        (("complaint", [], "normal", "vip"), "vip-complaint"),
        (("complaint", [], "urgent", "vip"), "vip-complaint"),  # two conditions beat one
        (("request", ["k-siparis", "k-iade"], "normal", None), "returns"),
        (("request", ["k-siparis"], "normal", None), "base"),
    ],
)
def test_most_specific_policy_wins(facts, expected):
    kind, path, priority, customer = facts
    case = CaseFacts(type=kind, category_path=path, priority=priority, customer_category=customer)
    assert choose_policy(POLICIES, case).id == expected


def test_no_policy_when_none_applies():
    case = CaseFacts(type=CaseType.QUESTION, priority=Priority.LOW)
    assert choose_policy(POLICIES[1:2], case) is None


def base_sla(opened=None):
    return start_sla(POLICIES[0], CAL, opened or ist("2026-11-23", 10))


def test_clocks_start_with_due_and_reminder_times():
    sla = base_sla()
    first = sla.clock(TargetKind.FIRST_RESPONSE)
    assert first.due_at == ist("2026-11-23", 14)
    assert first.remind_at == ist("2026-11-23", 13)  # 75% of 4 working hours
    resolution = sla.clock(TargetKind.RESOLUTION)
    assert resolution.due_at == ist("2026-11-25", 16)  # 24 working hours: 8 + 9 + 7
    assert next_timer(sla) == ist("2026-11-23", 13)


def test_waiting_on_the_customer_pauses_the_clock():
    sla = base_sla()
    sla = meet(sla, TargetKind.FIRST_RESPONSE, ist("2026-11-23", 11))
    sla = pause(sla, ist("2026-11-23", 12))  # 2 working hours used
    paused = sla.clock(TargetKind.RESOLUTION)
    assert paused.paused and paused.used_minutes == pytest.approx(120)
    assert next_timer(sla) is None  # nothing for the sweep while paused
    sla = resume(sla, ist("2026-11-25", 9))  # customer answers two days later
    resumed = sla.clock(TargetKind.RESOLUTION)
    assert resumed.due_at == add_working_minutes(CAL, ist("2026-11-25", 9), 1440 - 120)
    assert not resumed.paused


def test_first_response_met_in_time_and_late():
    on_time = meet(base_sla(), TargetKind.FIRST_RESPONSE, ist("2026-11-23", 11))
    assert on_time.clock(TargetKind.FIRST_RESPONSE).breached_at is None
    late = meet(base_sla(), TargetKind.FIRST_RESPONSE, ist("2026-11-24", 11))
    assert late.clock(TargetKind.FIRST_RESPONSE).breached_at == ist("2026-11-23", 14)


def test_minutes_left_counts_working_time():
    sla = base_sla()
    clock = sla.clock(TargetKind.FIRST_RESPONSE)
    assert minutes_left(sla, clock, ist("2026-11-23", 12)) == pytest.approx(120)
    assert minutes_left(sla, clock, ist("2026-11-23", 15)) == pytest.approx(-60)


LADDER = EscalationLadder(
    id="l1",
    name="Kargo",
    group_id="teslimat",
    levels=[
        EscalationLevel(after_minutes=0, notify="assignee_and_group"),
        EscalationLevel(after_minutes=60, notify="supervisors", raise_priority=True),
        EscalationLevel(after_minutes=240, notify="managers", emails=["mudur@shop.example"]),
    ],
)


def kinds(events):
    return [(e.kind, e.target.value, e.level) for e in events]


def test_reminder_then_breach_then_each_escalation_once():
    sla = base_sla()
    sla, events = due_events(sla, LADDER, ist("2026-11-23", 13, 5))
    assert kinds(events) == [("reminder", "first_response", 0)]
    sla, events = due_events(sla, LADDER, ist("2026-11-23", 13, 30))
    assert events == []
    sla, events = due_events(sla, LADDER, ist("2026-11-23", 14, 1))
    assert kinds(events) == [("breach", "first_response", 0), ("escalation", "first_response", 1)]
    sla, events = due_events(sla, LADDER, ist("2026-11-23", 15, 1))
    assert kinds(events) == [("escalation", "first_response", 2)]
    assert events[0].raise_priority and events[0].notify == "supervisors"
    sla, events = due_events(sla, LADDER, ist("2026-11-23", 23))
    assert kinds(events) == [("escalation", "first_response", 3)]
    assert events[0].emails == ["mudur@shop.example"]
    assert due_events(sla, LADDER, ist("2026-11-23", 23, 30))[1] == []


def test_a_late_sweep_catches_up_without_repeating():
    """A sweep that runs once, long after everything was due, sends each notice once."""
    sla, events = due_events(base_sla(), LADDER, ist("2026-11-24", 12))
    assert kinds(events) == [
        ("breach", "first_response", 0),
        ("escalation", "first_response", 1),
        ("escalation", "first_response", 2),
        ("escalation", "first_response", 3),
    ]
    again, repeated = due_events(sla, LADDER, ist("2026-11-24", 12))
    assert repeated == [] and again == sla


def test_met_or_paused_clocks_are_quiet():
    sla = meet(base_sla(), TargetKind.FIRST_RESPONSE, ist("2026-11-23", 11))
    sla = pause(sla, ist("2026-11-23", 11))
    assert due_events(sla, LADDER, ist("2026-12-31", 12))[1] == []


def test_reopening_restarts_resolution_from_what_it_used():
    sla = base_sla()
    sla = meet(sla, TargetKind.FIRST_RESPONSE, ist("2026-11-23", 11))
    sla = meet(sla, TargetKind.RESOLUTION, ist("2026-11-23", 12))
    assert next_timer(sla) is None
    sla = reopen(sla, ist("2026-11-24", 9))
    assert sla.clock(TargetKind.RESOLUTION).running_since == ist("2026-11-24", 9)


def test_ladder_choice():
    levels = [level.model_dump() for level in LADDER.levels]
    by_category = EscalationLadder(id="c", name="İade", category_id="k-iade", levels=levels)
    fallback = EscalationLadder(id="z", name="Genel", levels=levels)
    ladders = [fallback, LADDER, by_category]

    def at(group, path):
        return CaseFacts(group_id=group, category_path=path)

    assert choose_ladder(ladders, at("teslimat", ["k-siparis", "k-iade"])).id == "c"
    assert choose_ladder(ladders, at("teslimat", [])).id == "l1"
    assert choose_ladder(ladders, at("urun", [])).id == "z"
    assert choose_ladder([LADDER], at("urun", [])) is None


def test_preview_gives_the_due_times_the_clock_would_in_the_calendars_zone():
    from chalicelib.domain.sla import preview_due

    policy = SlaPolicy(id="p", name="P", first_response_minutes=120, resolution_minutes=600)
    friday_evening = ist("2026-03-06", 17)
    targets = preview_due(policy, CAL, friday_evening)
    # an hour on Friday, the rest from Monday's opening; the same as the clocks start_sla starts
    assert [(t.kind, t.due_at.isoformat()) for t in targets] == [
        (TargetKind.FIRST_RESPONSE, "2026-03-09T10:00:00+03:00"),
        (TargetKind.RESOLUTION, "2026-03-09T18:00:00+03:00"),
    ]
    assert targets[0].remind_at.isoformat() == "2026-03-09T09:30:00+03:00"
    started = start_sla(policy, CAL, friday_evening)
    assert [t.due_at for t in targets] == [c.due_at for c in started.clocks]


def test_preview_on_calendar_hours_counts_every_minute():
    from chalicelib.domain.sla import preview_due

    policy = SlaPolicy(id="p", name="P", resolution_minutes=60, hours="calendar")
    (target,) = preview_due(policy, CAL, ist("2026-03-07", 23, 30))  # a Saturday night
    assert target.due_at.isoformat() == "2026-03-08T00:30:00+03:00"
    assert target.business is False


def test_a_weekday_with_its_own_hours_counts_only_those():
    saturday_short = BusinessCalendar(
        weekdays=[0, 1, 2, 3, 4, 5], day_hours={5: {"opens": "10:00", "closes": "14:00"}}
    )
    # Friday 17:00 + 120 working minutes: an hour on Friday, then Saturday from 10:00
    assert add_working_minutes(saturday_short, ist("2026-03-06", 17), 120) == ist("2026-03-07", 11)
    # Saturday's four hours, then Monday from 09:00 (its own hours are the calendar's)
    assert add_working_minutes(saturday_short, ist("2026-03-07", 10), 300) == ist("2026-03-09", 10)
    assert (
        working_minutes_between(saturday_short, ist("2026-03-07", 0), ist("2026-03-08", 0)) == 240
    )


@pytest.mark.parametrize(
    "day_hours",
    [
        {6: {"opens": "10:00", "closes": "14:00"}},  # Sunday is not a working day
        {5: {"opens": "14:00", "closes": "10:00"}},
        {9: {"opens": "10:00", "closes": "14:00"}},
    ],
)
def test_day_hours_must_be_a_working_days_and_open_before_closing(day_hours):
    with pytest.raises(ValueError):
        BusinessCalendar(weekdays=[0, 1, 2, 3, 4, 5], day_hours=day_hours)
