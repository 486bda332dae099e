"""How a case's moves drive its SLA clocks, and what the case shows about them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from .cases import REOPEN_WINDOW, Case
from .lifecycle import Status
from .model import Model
from .sla import CaseSla, TargetKind, meet, minutes_left, next_timer, pause, reopen, resume


def follow(before: Case, after: Case, now: datetime, *, staff_replied: bool = False) -> Case:
    """The case after a change, with its clocks paused, resumed, met or reopened to match."""
    sla = after.sla
    if sla is None:
        return after
    if staff_replied:
        sla = meet(sla, TargetKind.FIRST_RESPONSE, now)
    if before.status != after.status:
        if after.status == Status.WAITING_CUSTOMER:
            sla = pause(sla, now)
        elif before.status == Status.WAITING_CUSTOMER:
            sla = resume(sla, now)
        if after.status == Status.RESOLVED:
            sla = meet(meet(sla, TargetKind.FIRST_RESPONSE, now), TargetKind.RESOLUTION, now)
        elif before.status == Status.RESOLVED and after.status == Status.REOPENED:
            sla = reopen(sla, now)
    return with_sla(after, sla)


def next_moment(case: Case) -> datetime | None:
    """When the sweep must next look at the case: its next SLA moment while it is worked on,
    or, once resolved, the end of the window in which the customer may still reopen it."""
    if case.status in (Status.CLOSED, Status.MERGED):
        return None
    if case.status == Status.RESOLVED:
        return (case.resolved_at or case.updated_at) + REOPEN_WINDOW
    return next_timer(case.sla)


def with_sla(case: Case, sla: CaseSla) -> Case:
    """Set the SLA and keep `due_at` (queues, overdue list) on the resolution target."""
    resolution = sla.clock(TargetKind.RESOLUTION)
    due_at = case.due_at
    if resolution is not None:
        due_at = resolution.due_at
    return case.model_copy(update={"sla": sla, "due_at": due_at})


class TargetStatus(Model):
    kind: TargetKind
    state: Literal["running", "paused", "met", "breached"]
    due_at: datetime | None
    minutes_left: float | None
    met_at: datetime | None
    breached_at: datetime | None
    escalation_level: int


def target_status(case: Case, now: datetime) -> list[TargetStatus]:
    if case.sla is None:
        return []
    result = []
    for clock in case.sla.clocks:
        if clock.done:
            state = "breached" if clock.breached_at else "met"
        elif clock.paused:
            state = "paused"
        elif clock.breached_at or (clock.due_at and clock.due_at <= now):
            state = "breached"
        else:
            state = "running"
        left = minutes_left(case.sla, clock, now)
        result.append(
            TargetStatus(
                kind=clock.kind,
                state=state,
                due_at=clock.due_at,
                minutes_left=round(left, 1) if left is not None else None,
                met_at=clock.met_at,
                breached_at=clock.breached_at,
                escalation_level=clock.escalation_level,
            )
        )
    return result
