"""What the search engine holds and who may find what (docs/search.md).

A `SearchDoc` is one searchable thing: a case, a pre-case or (issue 17's knowledge base) an
article. It carries the text to match (title, body, notes) and the fields a caller's
permissions are checked against, so that a hit is filtered inside the engine's query and
never read from the table first. `SearchFilter` is the caller's permissions turned into
those fields' terms, decided here once and applied the same way by every engine (SQLite's
WHERE, OpenSearch's `filter`) and once more on each hit (`SearchFilter.allows`).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .caller import Caller
from .errors import Forbidden
from .model import Model
from .permissions import Action, Resource


class DocKind(StrEnum):
    CASE = "case"
    PRECASE = "precase"
    ARTICLE = "article"


class DocVisibility(StrEnum):
    """An article's audience: `public` ones reach customers (the help centre); `internal`
    ones staff only. Cases and pre-cases are internal (customers never search them here)."""

    PUBLIC = "public"
    INTERNAL = "internal"


#: the text a document may hold, in characters per field: a case's whole thread can be long,
#: but its first 20,000 characters say what it is about (and keep the index small)
MAX_BODY = 20_000
MAX_TITLE = 300


class SearchDoc(Model):
    """One document of the index, keyed by `key` (`<kind>:<id>`).

    title: a case's subject, an article's title. body: what anyone allowed to find the
    document may read (a case's description and replies, a pre-case's text and follow-ups,
    an article's problem and solution). notes: what only readers of internal notes may
    match (a case's notes). group_id/assignee/opened_by: a case's reach
    (domain/caller.py `reaches_case`). version: the source's version; an older one never
    replaces a newer (events arrive at least once and out of order)."""

    kind: DocKind
    id: str
    ref: str = Field(default="", description="a case's number, an article's slug")
    title: str = ""
    body: str = ""
    notes: str = ""
    group_id: str | None = None
    assignee: str | None = None
    opened_by: str = ""
    visibility: DocVisibility = DocVisibility.INTERNAL
    status: str = ""
    language: str = "tr"
    version: int = 0
    updated_at: datetime

    @property
    def key(self) -> str:
        return doc_key(self.kind, self.id)


def doc_key(kind: DocKind | str, doc_id: str) -> str:
    return f"{DocKind(kind).value}:{doc_id}"


class SearchFilter(Model):
    """Which documents a caller may find, as data every engine can apply.

    kind: the one kind searched. public_only: articles visible to customers only.
    all_groups: the caller reads every group's cases; else `groups` (theirs), plus the
    cases assigned to `username` and the ungrouped ones `username` filed. notes: whether the
    notes field may match (and be shown)."""

    kind: DocKind
    public_only: bool = False
    all_groups: bool = True
    groups: frozenset[str] = frozenset()
    username: str = ""
    notes: bool = False

    def allows(self, doc: SearchDoc) -> bool:
        """The filter as a check of one document (the engines' queries say the same)."""
        if doc.kind != self.kind:
            return False
        if self.public_only and doc.visibility != DocVisibility.PUBLIC:
            return False
        if doc.kind != DocKind.CASE or self.all_groups:
            return True
        if doc.assignee and doc.assignee == self.username:
            return True
        if doc.group_id is None:
            return bool(doc.opened_by) and doc.opened_by == self.username
        return doc.group_id in self.groups


#: what a caller needs to search each kind (besides the route's own permission)
KIND_PERMISSION: dict[DocKind, tuple[Resource, Action]] = {
    DocKind.CASE: (Resource.CASES, Action.READ),
    DocKind.PRECASE: (Resource.PRECASES, Action.READ),
    DocKind.ARTICLE: (Resource.CASES, Action.READ),
}


def filter_for(caller: Caller, kind: DocKind) -> SearchFilter:
    """The caller's permissions as a filter: customers find public articles only; staff
    find a kind their roles may read, cases only of the groups their role reaches
    (`CaseAccess.read`, as case lists do), notes only with `notes:read`. Forbidden when
    the caller may not read the kind at all."""
    principal = caller.principal
    if principal.is_customer:
        if kind != DocKind.ARTICLE:
            raise Forbidden("customers search the help centre's articles only",
                            details={"kind": kind.value}, code="search_kind_forbidden")  # fmt: skip
        return SearchFilter(kind=kind, public_only=True)
    caller.require(*KIND_PERMISSION[kind])
    return SearchFilter(
        kind=kind,
        all_groups=caller.case_access.read == "all",
        groups=caller.groups,
        username=principal.username,
        notes=caller.can(Resource.NOTES, Action.READ),
    )


class SearchHit(Model):
    """One document found: what it is, how well it matched (BM25, higher is better) and
    where (snippets: HTML-escaped text with the matched words in <mark></mark>)."""

    kind: DocKind
    id: str
    ref: str = ""
    title: str = Field(description="HTML-escaped, matched words marked")
    snippet: str = Field(description="HTML-escaped, matched words marked, … where cut")
    status: str = ""
    group_id: str | None = None
    language: str = Field(
        default="",
        description="the document's language (an article's "
        "documents are one per language: domain/search_articles.py)",
    )
    score: float = Field(description="BM25 relevance, higher is better; comparable within "
                         "one answer only")  # fmt: skip
    updated_at: datetime


class SearchResults(Model):
    """An answer: the best `limit` hits, best first, and the index version that answered
    (`<base>+<deltas>`, to tell how fresh it was)."""

    query: str
    kind: DocKind
    items: list[SearchHit]
    index_version: str = ""
