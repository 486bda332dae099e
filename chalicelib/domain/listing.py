"""The shape of one list of cases (a validated query) and one page of it."""

from __future__ import annotations

from pydantic import Field

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
    #: only cases with this tag (normalised), or whose custom field `field_key` holds
    #: `field_value` (as stored: text, number or boolean)
    tag: str | None = None
    field_key: str | None = None
    field_value: str | int | float | bool | None = None


class Page(Model):
    items: list[Case]
    next_cursor: str | None = None


class CaseRow(Case):
    """A case in a list, with what is new in it for the staff member who asked: computed
    from the case item itself (its version, the customer's last change, who saw which
    version), so marking a page costs no read beyond the page's own Query."""

    unread: bool = Field(default=False, description="changed since you last looked")
    customer_unread: bool = Field(default=False, description="the customer wrote since")
    seen: dict[str, int] = Field(default_factory=dict, exclude=True)


class CaseRowPage(Model):
    items: list[CaseRow]
    next_cursor: str | None = None


def rows_for(page: Page, username: str) -> CaseRowPage:
    """A page of cases as `username` sees it: each marked unread or not."""
    rows = [
        CaseRow(
            **case.model_dump(),
            unread=case.unread_for(username),
            customer_unread=case.customer_unread_for(username),
        )
        for case in page.items
    ]
    return CaseRowPage(items=rows, next_cursor=page.next_cursor)
