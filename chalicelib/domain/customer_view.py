"""What a customer sees of their own case: their words, our replies, where it stands.

Never internal notes, never the reason an agent typed for a status change, never
who is assigned or how it was routed: those are the shop's business.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from .attachments import Attachment
from .case_kinds import CaseType, Channel
from .cases import Case, CaseOrder, CaseProduct, EntryKind, HistoryEntry, Visibility
from .custom_fields import PublicField
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
    #: a merge or split line: the number of the other case, and which it is: `into` (this
    #: case was merged into it), `from` (it was merged or split into this one), `to` (a
    #: message of this case was split into it)
    other_number: str | None = None
    other_is: Literal["into", "from", "to"] | None = None
    #: a reply's files (ids in the view's `attachments`), so the page shows them with the
    #: reply they came with, whichever side sent it
    attachment_ids: list[str] = []


class CustomerCaseView(Model):
    case: CustomerCase
    history: list[CustomerEntry]
    attachments: list[Attachment] = []
    #: the case's values of custom fields marked public (docs/tags-and-fields.md)
    fields: list[PublicField] = []


class CustomerPage(Model):
    items: list[CustomerCase]
    next_cursor: str | None = None


_SHOWN = {EntryKind.CREATED, EntryKind.REPLY, EntryKind.STATUS_CHANGED, EntryKind.MERGED,
          EntryKind.SPLIT}  # fmt: skip
#: where a merge or split line names the other case
_OTHER = {"into_number": "into", "from_number": "from", "to_number": "to"}


def customer_case(case: Case) -> CustomerCase:
    return CustomerCase.model_validate(case.model_dump(include=set(CustomerCase.model_fields)))


def _other(entry: HistoryEntry) -> dict[str, Any]:
    if entry.kind not in (EntryKind.MERGED, EntryKind.SPLIT):
        return {}
    key = next((k for k in _OTHER if entry.data.get(k)), None)
    return {"other_number": entry.data[key], "other_is": _OTHER[key]} if key else {}


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
                attachment_ids=list(entry.data.get("attachment_ids") or []),
                **_other(entry),
            )
        )
    return shown
