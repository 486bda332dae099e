"""A case or a pre-case as the search engine's document (domain/search.py `SearchDoc`).

Events carry ids only, so the indexer reads the case's current state and makes the whole
document again from it: replaying, duplicating or reordering events cannot leave a stale
text behind (the newest version wins in the index).
"""

from __future__ import annotations

from .case_record import CaseWithHistory
from .cases import EntryKind
from .precases import PreCase
from .search import MAX_BODY, MAX_TITLE, DocKind, DocVisibility, SearchDoc


def _clip(parts: list[str], limit: int) -> str:
    text = "\n\n".join(p.strip() for p in parts if p and p.strip())
    return text[:limit]


def case_doc(found: CaseWithHistory) -> SearchDoc:
    """A case's document: the subject as title; the description and every reply (the
    customer's and the agents') as body; internal notes apart, for readers of notes only."""
    case = found.case
    replies = [e.body or "" for e in found.history if e.kind == EntryKind.REPLY]
    notes = [e.body or "" for e in found.history if e.kind == EntryKind.NOTE]
    return SearchDoc(
        kind=DocKind.CASE,
        id=case.id,
        ref=case.number,
        title=case.subject[:MAX_TITLE],
        body=_clip([case.description, *replies], MAX_BODY),
        notes=_clip(notes, MAX_BODY),
        group_id=case.group_id,
        assignee=case.assignee,
        opened_by=case.staff_opener,
        visibility=DocVisibility.INTERNAL,
        status=case.status.value,
        version=case.version,
        updated_at=case.updated_at,
    )


def precase_doc(pre: PreCase) -> SearchDoc:
    """A pre-case's document: its subject, its text and the sender's follow-ups."""
    follow_ups = [f"{m.subject}\n{m.text}" for m in pre.messages]
    latest = max([pre.received_at, *(m.received_at for m in pre.messages)])
    return SearchDoc(
        kind=DocKind.PRECASE,
        id=pre.id,
        ref=pre.case_number or "",
        title=pre.subject[:MAX_TITLE],
        body=_clip([pre.text, *follow_ups], MAX_BODY),
        assignee=pre.assignee,
        visibility=DocVisibility.INTERNAL,
        status=pre.status.value,
        version=pre.version,
        updated_at=pre.finished_at or latest,
    )
