"""The shape of one list of cases (a validated query) and one page of it."""

from __future__ import annotations

from .cases import Case
from .model import Model


class CaseListQuery(Model):
    """One list of cases, already validated: which index, which partition, which order."""

    view: str
    group_id: str | None = None
    status: str | None = None
    agent: str | None = None
    customer_id: str | None = None
    order: str = "newest"
    limit: int = 25
    cursor: str | None = None
    before: str | None = None  # ISO time, for the overdue view


class Page(Model):
    items: list[Case]
    next_cursor: str | None = None
