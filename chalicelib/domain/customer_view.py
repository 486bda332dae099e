"""What a customer sees of their own case: their words, our replies, where it stands.

Never internal notes, never the reason an agent typed for a status change, never
who is assigned or how it was routed: those are the shop's business.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .attachments import Attachment
from .case_kinds import CaseType, Channel
from .cases import Case, CaseOrder, CaseProduct, EntryKind, HistoryEntry, Visibility
from .lifecycle import Status
from .model import Model


class CustomerCase(Model):
    id: str
    number: str
    type: CaseType
    channel: Channel
    status: Status
    category_id: str | None
    subject: str
    description: str
    product: CaseProduct | None = None
    order: CaseOrder | None = None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    version: int
    #: a `merged` case: the number of the case that carries on (docs/merge-and-split.md)
    merged_into_number: str | None = None


class CustomerEntry(Model):
    id: str
    at: datetime
    kind: EntryKind
    by: str  # "customer", or the staff member's name, or "destek"
    body: str | None = None
    status: dict[str, Any] | None = None
    #: a merge or split line: the number of the other case
    other_number: str | None = None


class CustomerCaseView(Model):
    case: CustomerCase
    history: list[CustomerEntry]
    attachments: list[Attachment] = []


class CustomerPage(Model):
    items: list[CustomerCase]
    next_cursor: str | None = None


_SHOWN = {EntryKind.CREATED, EntryKind.REPLY, EntryKind.STATUS_CHANGED, EntryKind.MERGED,
          EntryKind.SPLIT}  # fmt: skip
#: where a merge or split line names the other case
_OTHER = ("into_number", "from_number", "to_number")


def customer_case(case: Case) -> CustomerCase:
    return CustomerCase.model_validate(case.model_dump(include=set(CustomerCase.model_fields)))


def customer_history(entries: list[HistoryEntry]) -> list[CustomerEntry]:
    shown = []
    for entry in entries:
        if entry.visibility != Visibility.PUBLIC or entry.kind not in _SHOWN:
            continue
        by = "customer" if entry.actor.kind == "customer" else (entry.actor.name or "destek")
        shown.append(
            CustomerEntry(
                id=entry.id,
                at=entry.at,
                kind=entry.kind,
                by=by,
                body=entry.body,
                status=entry.changes.get("status"),
                other_number=next((entry.data[k] for k in _OTHER if entry.data.get(k)), None),
            )
        )
    return shown
