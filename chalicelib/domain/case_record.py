"""A case as one Query returns it: the case, its history, and the notices it caused."""

from __future__ import annotations

from pydantic import BaseModel, Field

from .attachments import Attachment
from .cases import Case, HistoryEntry
from .notifications import Notice


class CaseWithHistory(BaseModel):
    case: Case
    history: list[HistoryEntry]
    notices: list[Notice] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
