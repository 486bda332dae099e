"""Who hears about what, and when.

A notice is decided where the change happens (it rides in the same write as
the case, so it cannot be lost) and delivered later by the notifier, which
finds addresses, honours the customer's channel and quiet hours, renders the
templates and sends. Every notice stays in the case's partition with what
happened to it, so the case's history shows what was sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from .case_kinds import Priority
from .cases import Case, EntryKind, HistoryEntry
from .customers import ContactPreferences
from .ids import new_id
from .lifecycle import Status
from .model import Model
from .sla import SlaEvent


class NoticeEvent(StrEnum):
    CASE_RECEIVED = "case_received"
    AGENT_REPLIED = "agent_replied"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    CASE_RESOLVED = "case_resolved"
    ROUTED_TO_GROUP = "routed_to_group"
    SLA_REMINDER = "sla_reminder"
    SLA_BREACH = "sla_breach"
    SLA_ESCALATION = "sla_escalation"


Audience = Literal["customer", "assignee", "group", "supervisors", "managers"]


class Delivery(Model):
    channel: Literal["email", "sms"]
    to: str
    message_id: str
    at: datetime


class Notice(Model):
    id: str
    case_id: str
    event: NoticeEvent
    audience: Audience
    emails: list[str] = Field(default_factory=list)  # for managers
    urgent: bool = False
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    status: Literal["pending", "held", "sending", "sent", "skipped"] = "pending"
    deliver_after: datetime
    attempts: int = 0
    deliveries: list[Delivery] = Field(default_factory=list)
    note: str | None = None

    @property
    def awaiting(self) -> bool:
        return self.status in ("pending", "held", "sending")


def notice(case: Case, event: NoticeEvent, audience: Audience, now: datetime, **extra) -> Notice:
    urgent = extra.pop("urgent", False) or case.priority == Priority.URGENT
    return Notice(
        id=new_id("n"),
        case_id=case.id,
        event=event,
        audience=audience,
        urgent=urgent,
        created_at=now,
        deliver_after=now,
        **extra,
    )


def notices_for_change(
    before: Case | None, after: Case, entries: list[HistoryEntry], now: datetime
) -> list[Notice]:
    """The notices a change of the case calls for (the customer's and the group's)."""
    result = []
    for entry in entries:
        if entry.kind == EntryKind.CREATED:
            result.append(notice(after, NoticeEvent.CASE_RECEIVED, "customer", now))
        elif entry.kind == EntryKind.ROUTED and after.group_id:
            result.append(
                notice(after, NoticeEvent.ROUTED_TO_GROUP, "group", now,
                       data={"reason": entry.reason or ""})
            )  # fmt: skip
        elif entry.kind == EntryKind.REPLY and entry.actor.kind == "staff":
            result.append(
                notice(after, NoticeEvent.AGENT_REPLIED, "customer", now,
                       data={"body": entry.body or "", "by": entry.actor.name})
            )  # fmt: skip
    if before is not None and before.status != after.status:
        if after.status == Status.WAITING_CUSTOMER:
            result.append(notice(after, NoticeEvent.WAITING_ON_CUSTOMER, "customer", now))
        elif after.status == Status.RESOLVED:
            result.append(notice(after, NoticeEvent.CASE_RESOLVED, "customer", now))
    return result


def notices_for_sla(case: Case, events: list[SlaEvent], now: datetime) -> list[Notice]:
    result = []
    for event in events:
        data = {"target": event.target.value, "level": event.level}
        if event.kind == "reminder":
            audience = "assignee" if case.assignee else "group"
            result.append(notice(case, NoticeEvent.SLA_REMINDER, audience, now, data=data))
        elif event.kind == "breach":
            result.append(notice(case, NoticeEvent.SLA_BREACH, "group", now, data=data,
                                 urgent=True))  # fmt: skip
        else:
            audience = {"assignee_and_group": "group", "supervisors": "supervisors"}.get(
                event.notify, "managers"
            )
            result.append(
                notice(case, NoticeEvent.SLA_ESCALATION, audience, now, data=data,
                       emails=event.emails, urgent=True)
            )  # fmt: skip
    return result


def quiet_until(prefs: ContactPreferences, now: datetime) -> datetime | None:
    """When the customer's quiet hours end, if `now` falls inside them; else None."""
    if prefs.quiet_from is None or prefs.quiet_until is None:
        return None
    zone = ZoneInfo(prefs.timezone)
    local = now.astimezone(zone)
    start, end = prefs.quiet_from, prefs.quiet_until
    clock = local.time()
    inside = start <= clock < end if start < end else clock >= start or clock < end
    if not inside:
        return None
    ends = datetime.combine(local.date(), end, tzinfo=zone)
    if ends <= local:
        ends += timedelta(days=1)
    return ends
