"""A case as one Query returns it: the case, its history, and the notices it caused."""

from __future__ import annotations

from pydantic import Field

from .attachments import Attachment
from .cases import Case, HistoryEntry
from .model import Model
from .notifications import Notice


class CaseWithHistory(Model):
    case: Case
    history: list[HistoryEntry]
    notices: list[Notice] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
