"""Service-level targets: which policy applies, the clocks it starts, and what is due when.

A case gets one clock per target (first response, resolution). A clock counts
working or calendar minutes; it pauses while the case waits on the customer
(the minutes used so far are kept) and restarts on their reply. Everything the
reports need later is stored on the clock: due time, reminded, met or breached,
and the escalation level reached.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, model_validator

from .business_hours import BusinessCalendar, add_working_minutes, working_minutes_between
from .conditions import CaseFacts, ConditionField, Conditions, all_hold, mentions
from .legacy_conditions import LADDER, POLICY, upgrade
from .model import Model

#: business: the group's working hours and holidays; calendar: every minute counts
SlaHours = Literal["business", "calendar"]
#: who an escalation level tells
EscalationAudience = Literal["assignee_and_group", "supervisors", "managers"]


class TargetKind(StrEnum):
    FIRST_RESPONSE = "first_response"
    RESOLUTION = "resolution"


class SlaPolicy(Model):
    """A policy as stored and listed; an item in the shape before issue 14 (flat `case_type`,
    `category_id`, `priority`, `customer_category`) reads as its conditions."""

    id: str
    name: str
    order: int = 100
    enabled: bool = True
    #: the cases it applies to (domain/conditions.py); none: every case
    conditions: Conditions = Field(default_factory=list)
    first_response_minutes: float | None = Field(default=None, gt=0)
    resolution_minutes: float | None = Field(default=None, gt=0)
    hours: SlaHours = "business"
    remind_at: float = Field(default=0.75, gt=0, lt=1, description="share of the target")

    @model_validator(mode="before")
    @classmethod
    def _read_old_shape(cls, data: Any) -> Any:
        return upgrade(data, POLICY)

    @property
    def specificity(self) -> int:
        """How many conditions it has: the more, the more specific."""
        return len(self.conditions)

    def applies(self, facts: CaseFacts) -> bool:
        return self.enabled and all_hold(self.conditions, facts)


def choose_policy(policies: list[SlaPolicy], facts: CaseFacts) -> SlaPolicy | None:
    """The most specific policy that applies (the most conditions); among equals, the
    lowest order, then the lowest id."""
    matching = [p for p in policies if p.applies(facts)]
    if not matching:
        return None
    return min(matching, key=lambda p: (-p.specificity, p.order, p.id))


class SlaClock(Model):
    kind: TargetKind
    target_minutes: float
    business: bool
    remind_ratio: float = 0.75
    used_minutes: float = 0.0  # counted before the current run
    running_since: datetime | None = None
    due_at: datetime | None = None
    remind_at: datetime | None = None
    reminded: bool = False
    met_at: datetime | None = None
    breached_at: datetime | None = None
    escalation_level: int = 0
    next_escalation_at: datetime | None = None

    @property
    def done(self) -> bool:
        return self.met_at is not None

    @property
    def paused(self) -> bool:
        return not self.done and self.running_since is None


class CaseSla(Model):
    policy_id: str
    policy_name: str
    calendar: BusinessCalendar
    clocks: list[SlaClock] = Field(default_factory=list)

    def clock(self, kind: TargetKind) -> SlaClock | None:
        return next((c for c in self.clocks if c.kind == kind), None)


def _add(calendar: BusinessCalendar, clock: SlaClock, start: datetime, minutes: float) -> datetime:
    if clock.business:
        return add_working_minutes(calendar, start, minutes)
    return start + timedelta(minutes=minutes)


def _between(calendar: BusinessCalendar, clock: SlaClock, start: datetime, end: datetime) -> float:
    if clock.business:
        return working_minutes_between(calendar, start, end)
    return (end - start).total_seconds() / 60


def _schedule(calendar: BusinessCalendar, clock: SlaClock, now: datetime) -> SlaClock:
    """Due and reminder times for a clock running from `now` with `used_minutes` spent."""
    due = _add(calendar, clock, now, max(clock.target_minutes - clock.used_minutes, 0))
    remind_after = clock.target_minutes * clock.remind_ratio - clock.used_minutes
    remind = None
    if not clock.reminded and remind_after > 0:
        remind = _add(calendar, clock, now, remind_after)
    return clock.model_copy(update={"running_since": now, "due_at": due, "remind_at": remind})


def start_sla(policy: SlaPolicy, calendar: BusinessCalendar, opened_at: datetime) -> CaseSla:
    clocks = []
    for kind, minutes in (
        (TargetKind.FIRST_RESPONSE, policy.first_response_minutes),
        (TargetKind.RESOLUTION, policy.resolution_minutes),
    ):
        if minutes:
            clock = SlaClock(
                kind=kind,
                target_minutes=minutes,
                business=policy.hours == "business",
                remind_ratio=policy.remind_at,
            )
            clocks.append(_schedule(calendar, clock, opened_at))
    return CaseSla(policy_id=policy.id, policy_name=policy.name, calendar=calendar, clocks=clocks)


def retarget(sla: CaseSla, policy: SlaPolicy, opened_at: datetime, now: datetime) -> CaseSla:
    """Apply another policy (the case's priority, type or category changed).

    Targets met stay met; running ones keep the time already used and get the new
    target; a paused clock stays paused; a target the old policy lacked counts from
    when the case was opened.
    """
    targets = {
        TargetKind.FIRST_RESPONSE: policy.first_response_minutes,
        TargetKind.RESOLUTION: policy.resolution_minutes,
    }
    clocks = []
    for kind, minutes in targets.items():
        old = sla.clock(kind)
        if old is not None and old.done:
            clocks.append(old)
            continue
        if not minutes:
            continue
        if old is None:
            fresh = SlaClock(kind=kind, target_minutes=minutes, business=policy.hours == "business",
                             remind_ratio=policy.remind_at)  # fmt: skip
            used = _between(sla.calendar, fresh, opened_at, now)
            clocks.append(
                _schedule(sla.calendar, fresh.model_copy(update={"used_minutes": used}), now)
            )
            continue
        used = old.used_minutes
        if old.running_since is not None:
            used += _between(sla.calendar, old, old.running_since, now)
        changed = old.model_copy(
            update={"target_minutes": minutes, "business": policy.hours == "business",
                    "remind_ratio": policy.remind_at, "used_minutes": used}
        )  # fmt: skip
        if old.running_since is None:  # paused: stays paused, with the new target
            clocks.append(changed)
        else:
            clocks.append(_schedule(sla.calendar, changed, now))
    return sla.model_copy(update={"policy_id": policy.id, "policy_name": policy.name,
                                  "clocks": clocks})  # fmt: skip


def pause(sla: CaseSla, now: datetime) -> CaseSla:
    """The case waits on the customer: stop every running clock, keep what was used."""
    clocks = []
    for clock in sla.clocks:
        if clock.running_since and not clock.done:
            used = clock.used_minutes + _between(sla.calendar, clock, clock.running_since, now)
            clock = clock.model_copy(
                update={"used_minutes": used, "running_since": None, "due_at": None,
                        "remind_at": None}
            )  # fmt: skip
        clocks.append(clock)
    return sla.model_copy(update={"clocks": clocks})


def resume(sla: CaseSla, now: datetime) -> CaseSla:
    """The customer answered: paused clocks run again for what is left of their targets."""
    clocks = [_schedule(sla.calendar, c, now) if c.paused else c for c in sla.clocks]
    return sla.model_copy(update={"clocks": clocks})


def meet(sla: CaseSla, kind: TargetKind, now: datetime) -> CaseSla:
    """The target was reached (first public reply, resolution); a late one stays breached."""
    clocks = []
    for clock in sla.clocks:
        if clock.kind == kind and not clock.done:
            breached = clock.breached_at
            if breached is None and clock.due_at is not None and now > clock.due_at:
                breached = clock.due_at
            clock = clock.model_copy(
                update={"met_at": now, "breached_at": breached, "running_since": None,
                        "remind_at": None, "next_escalation_at": None}
            )  # fmt: skip
        clocks.append(clock)
    return sla.model_copy(update={"clocks": clocks})


def reopen(sla: CaseSla, now: datetime) -> CaseSla:
    """A reopened case needs resolving again: its resolution clock runs on from what it used."""
    clocks = []
    for clock in sla.clocks:
        if clock.kind == TargetKind.RESOLUTION and clock.done:
            clock = _schedule(sla.calendar, clock.model_copy(update={"met_at": None}), now)
        clocks.append(clock)
    return sla.model_copy(update={"clocks": clocks})


def minutes_left(sla: CaseSla, clock: SlaClock, now: datetime) -> float | None:
    """Working (or calendar) minutes until due; negative when late; None when not running."""
    if clock.done or clock.due_at is None:
        return None
    return _between(sla.calendar, clock, now, clock.due_at)


# ---- escalation ----------------------------------------------------------------------------


class EscalationLevel(Model):
    after_minutes: int = Field(ge=0, le=60 * 24 * 30, description="after the breach, calendar")
    notify: EscalationAudience
    emails: list[str] = Field(default_factory=list, description="for managers")
    raise_priority: bool = False


class EscalationLadder(Model):
    """A ladder as stored and listed; an item in the shape before issue 14 (flat `group_id`,
    `category_id`) reads as its conditions (domain/legacy_conditions.py)."""

    id: str
    name: str
    #: the breached cases it applies to (domain/conditions.py); none: the catch-all
    conditions: Conditions = Field(default_factory=list)
    levels: list[EscalationLevel] = Field(min_length=1, max_length=5)

    @model_validator(mode="before")
    @classmethod
    def _read_old_shape(cls, data: Any) -> Any:
        return upgrade(data, LADDER)


def _ladder_rank(ladder: EscalationLadder) -> tuple[int, int, str]:
    if mentions(ladder.conditions, ConditionField.CATEGORY):
        tier = 0
    else:
        tier = 1 if ladder.conditions else 2
    return tier, -len(ladder.conditions), ladder.id


def choose_ladder(ladders: list[EscalationLadder], facts: CaseFacts) -> EscalationLadder | None:
    """Of the ladders whose conditions hold, one with a category condition beats one with
    other conditions, which beats the catch-all (no conditions); then the one with more
    conditions, then the lowest id. Before issue 14 this was "a category's ladder beats its
    group's, which beats the catch-all", which the old ladders still get."""
    matching = [lad for lad in ladders if all_hold(lad.conditions, facts)]
    return min(matching, key=_ladder_rank) if matching else None


class SlaEvent(Model):
    kind: Literal["reminder", "breach", "escalation"]
    target: TargetKind
    level: int = 0
    notify: str = "assignee"
    emails: list[str] = Field(default_factory=list)
    raise_priority: bool = False


def due_events(
    sla: CaseSla, ladder: EscalationLadder | None, now: datetime
) -> tuple[CaseSla, list[SlaEvent]]:
    """What is due by `now`, and the clocks with those events marked as done.

    Pure and idempotent: applying it to its own result yields no new events, which
    is what makes the sweep safe to run twice or in parallel (the write is conditional).
    """
    events: list[SlaEvent] = []
    clocks = []
    levels = ladder.levels if ladder else []
    for clock in sla.clocks:
        if clock.done or clock.running_since is None:
            clocks.append(clock)
            continue
        update: dict = {}
        if (
            not clock.reminded
            and clock.remind_at
            and clock.remind_at <= now < (clock.due_at or now)
        ):
            update["reminded"] = True
            events.append(SlaEvent(kind="reminder", target=clock.kind))
        if clock.breached_at is None and clock.due_at and clock.due_at <= now:
            update["breached_at"] = clock.due_at
            update["reminded"] = True
            events.append(SlaEvent(kind="breach", target=clock.kind, notify="assignee_and_group"))
            if levels:
                update["next_escalation_at"] = clock.due_at + timedelta(
                    minutes=levels[0].after_minutes
                )
        level = clock.escalation_level
        next_at = update.get("next_escalation_at", clock.next_escalation_at)
        breached_at = update.get("breached_at", clock.breached_at)
        while next_at and next_at <= now and level < len(levels):
            step = levels[level]
            level += 1
            events.append(
                SlaEvent(kind="escalation", target=clock.kind, level=level, notify=step.notify,
                         emails=step.emails, raise_priority=step.raise_priority)
            )  # fmt: skip
            next_at = (
                breached_at + timedelta(minutes=levels[level].after_minutes)
                if level < len(levels)
                else None
            )
        if level != clock.escalation_level or "next_escalation_at" in update:
            update["escalation_level"] = level
            update["next_escalation_at"] = next_at
        clocks.append(clock.model_copy(update=update) if update else clock)
    return sla.model_copy(update={"clocks": clocks}), events


def next_timer(sla: CaseSla | None) -> datetime | None:
    """The next moment the sweep must look at this case (the sparse index key)."""
    if sla is None:
        return None
    moments = []
    for clock in sla.clocks:
        if clock.done or clock.running_since is None:
            continue
        if not clock.reminded and clock.remind_at:
            moments.append(clock.remind_at)
        if clock.breached_at is None and clock.due_at:
            moments.append(clock.due_at)
        if clock.next_escalation_at:
            moments.append(clock.next_escalation_at)
    return min(moments) if moments else None


# ---- preview -------------------------------------------------------------------------------


class DuePreview(Model):
    """When one target of a sample case falls due, in the calendar's own time zone."""

    kind: TargetKind
    target_minutes: float
    business: bool
    due_at: datetime
    remind_at: datetime | None = None


def preview_due(
    policy: SlaPolicy, calendar: BusinessCalendar, opened_at: datetime
) -> list[DuePreview]:
    """The due (and reminder) times a case opened at `opened_at` would get under `policy`
    and `calendar`: the clocks `start_sla` starts, nothing computed a second way. Times are
    aware, in the calendar's zone (an admin in Istanbul reads 09:00, not 06:00Z).

    Raises ValueError when a target does not fit in the calendar (business_hours)."""
    zone = ZoneInfo(calendar.timezone)
    sla = start_sla(policy, calendar, opened_at)
    return [
        DuePreview(
            kind=clock.kind,
            target_minutes=clock.target_minutes,
            business=clock.business,
            due_at=clock.due_at.astimezone(zone),
            remind_at=clock.remind_at.astimezone(zone) if clock.remind_at else None,
        )
        for clock in sla.clocks
        if clock.due_at is not None
    ]
