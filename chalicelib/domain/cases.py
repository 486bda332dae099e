"""The case and its history, as pydantic models shared by every layer above the store."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field

from .case_kinds import CaseType, Channel, Priority
from .lifecycle import ACTIVE, Status
from .model import Model
from .sla import CaseSla

#: queue order: urgent first
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}

#: resolution targets in calendar hours, used until SLA policies (issue 3) refine them
DEFAULT_RESOLUTION_HOURS = {
    Priority.URGENT: 4,
    Priority.HIGH: 8,
    Priority.NORMAL: 24,
    Priority.LOW: 72,
}

#: how long after resolution a customer may still say "not solved"
REOPEN_WINDOW = timedelta(days=7)


def resolution_due(opened_at: datetime, priority: Priority) -> datetime:
    return opened_at + timedelta(hours=DEFAULT_RESOLUTION_HOURS[priority])


class Actor(Model):
    """Who did something: a staff member, a customer, or destek itself."""

    kind: Literal["staff", "customer", "system"]
    id: str
    name: str = ""


SYSTEM = Actor(kind="system", id="destek", name="destek")


class CaseProduct(Model):
    """The customer's registered product a case is about, as registered when it was filed.

    A snapshot: agents see the serial and the warranty without another read, and
    routing rules can match the product group.
    """

    registration_id: str
    product_id: str
    name: str
    serial_number: str
    purchase_date: date
    warranty_ends: date
    product_group: str | None = None


class Case(Model):
    id: str
    number: str = ""
    type: CaseType
    channel: Channel
    status: Status = Status.NEW
    priority: Priority = Priority.NORMAL
    category_id: str | None = None
    subject: str
    description: str
    customer_id: str
    product: CaseProduct | None = None
    group_id: str | None = None
    requested_group_id: str | None = None
    assignee: str | None = None
    created_by: Actor
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    sla: CaseSla | None = None
    version: int = 1

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE


class EntryKind(StrEnum):
    CREATED = "created"
    ROUTED = "routed"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    REPLY = "reply"
    NOTE = "note"
    FIELDS_CHANGED = "fields_changed"
    SLA = "sla"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class HistoryEntry(Model):
    """One append-only line of a case's history: who, when, what, why."""

    id: str
    case_id: str
    at: datetime
    actor: Actor
    kind: EntryKind
    visibility: Visibility = Visibility.INTERNAL
    body: str | None = None
    changes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    reason: str | None = None
    #: structured facts about the event, e.g. the routing rule and the words it matched
    data: dict[str, Any] = Field(default_factory=dict)


def diff(before: Case, after: Case, fields: list[str]) -> dict[str, dict[str, Any]]:
    """The fields that changed, as {field: {"from": old, "to": new}} for the history."""
    changes: dict[str, dict[str, Any]] = {}
    for name in fields:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[name] = {"from": _plain(old), "to": _plain(new)}
    return changes


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value
