"""The knowledge base: articles, their workflow and versions (docs/knowledge-base.md).

An article is a solution for a problem group: a case category and/or a routing topic (a
routing rule's id). Its text comes in Turkish and English, each its own text and either
may be missing (`ArticleContent.texts`); `visibility` says whether customers may read it
(public) or staff only (internal). Bodies are plain text: paragraphs split by blank lines,
solution steps one per line ("1. ..."), shown through textContent, never as markup.

Workflow (`move`): an article's `state` is that of its working version:

    draft ──submit──► review ──approve──► published ──archive──► archived
      ▲                 │                    │                      │
      └─────reject──────┘◄───── save ────────┘◄──────── save ───────┘

- saving a draft edits it in place; saving a version in review sends it back to draft;
  saving a published or archived article opens a new draft version (the live version
  stays what customers and agents read until the new one is approved);
- approving (a permission agents lack: `knowledge_publishing:edit`) makes the working
  version the live one; the version it replaces stays readable;
- archiving takes the live version down (no one is suggested or shown it).

Every version is kept (`ArticleVersion`), and every move is a history line saying who did
what when (`ArticleEntry`). Pure: no I/O; the service reads and writes.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from .cases import Actor
from .charsets import strip_c1
from .errors import Conflict, InvalidInput
from .limits import SHORT_TEXT_BYTES, max_bytes
from .model import Model
from .text import fold

#: a problem statement and a solution, in UTF-8 bytes: both languages of both fit one
#: request (64 KiB) and the live and working copies fit one item (400 KB) with room to spare
PROBLEM_BYTES = 4 * 1024
SOLUTION_BYTES = 24 * 1024
#: files one article may carry
MAX_FILES = 10
LANGUAGES = ("tr", "en")


class ArticleState(StrEnum):
    DRAFT = "draft"
    REVIEW = "review"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class Move(StrEnum):
    """What someone does to an article (each is one history line)."""

    CREATE = "create"
    SAVE = "save"
    SUBMIT = "submit"
    APPROVE = "approve"
    REJECT = "reject"
    ARCHIVE = "archive"
    ADD_FILE = "add_file"


#: which moves need the publisher's permission (supervisors), the rest the editor's (agents)
PUBLISHER_MOVES = frozenset({Move.APPROVE, Move.REJECT, Move.ARCHIVE})

#: state before -> move -> state after; a move missing here is refused (409 illegal_move)
TRANSITIONS: dict[ArticleState, dict[Move, ArticleState]] = {
    ArticleState.DRAFT: {
        Move.SAVE: ArticleState.DRAFT,
        Move.ADD_FILE: ArticleState.DRAFT,
        Move.SUBMIT: ArticleState.REVIEW,
        Move.ARCHIVE: ArticleState.ARCHIVED,
    },
    ArticleState.REVIEW: {
        Move.SAVE: ArticleState.DRAFT,
        Move.ADD_FILE: ArticleState.DRAFT,
        Move.APPROVE: ArticleState.PUBLISHED,
        Move.REJECT: ArticleState.DRAFT,
        Move.ARCHIVE: ArticleState.ARCHIVED,
    },
    ArticleState.PUBLISHED: {
        Move.SAVE: ArticleState.DRAFT,
        Move.ADD_FILE: ArticleState.DRAFT,
        Move.ARCHIVE: ArticleState.ARCHIVED,
    },
    ArticleState.ARCHIVED: {
        Move.SAVE: ArticleState.DRAFT,
        Move.ADD_FILE: ArticleState.DRAFT,
    },
}

Short = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(strip_c1),
    AfterValidator(max_bytes(SHORT_TEXT_BYTES)),
]
Problem = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=PROBLEM_BYTES),
    AfterValidator(strip_c1),
    AfterValidator(max_bytes(PROBLEM_BYTES)),
]
Solution = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=SOLUTION_BYTES),
    AfterValidator(strip_c1),
    AfterValidator(max_bytes(SOLUTION_BYTES)),
]
RefId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]


class ArticleText(Model):
    """One language's text: the title, the problem as customers say it, the solution (plain
    text; steps one per line, paragraphs split by a blank line)."""

    title: Short
    problem: Problem
    solution: Solution


class ArticleFile(Model):
    """An image or file shown with the article (bytes in S3 under `articles/<id>/`)."""

    id: str
    filename: str
    content_type: str
    size: int = Field(description="bytes")
    #: a short-lived download link, made when the article is read (never stored)
    url: str | None = None


class ArticleContent(Model):
    """What a version says, and whom it is for. `texts`: at least one of tr, en.
    `category_id`/`topic`: the problem group (a case category, a routing rule's id)."""

    texts: dict[str, ArticleText]
    category_id: RefId | None = None
    topic: RefId | None = None
    visibility: Visibility = Visibility.INTERNAL
    files: list[ArticleFile] = Field(default_factory=list)

    @model_validator(mode="after")
    def _languages(self) -> ArticleContent:
        unknown = set(self.texts) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"texts are in tr or en, not {sorted(unknown)}")
        if not self.texts:
            raise ValueError("give the text in Turkish (tr), English (en) or both")
        return self

    def text_in(self, language: str) -> ArticleText:
        """The text in `language`, else the other one (an article may have one language)."""
        return self.texts.get(language) or self.texts[next(iter(self.texts))]


class ArticleCounts(Model):
    """How the article is used. views: its live version opened (the public page, an agent
    from a case); suggested: cases it was suggested on (once per case); inserted: replies
    sent carrying it; resolved_links: cases it was linked to that were resolved (once per
    case); helpful_yes/no: customers' votes (one per visitor per day)."""

    views: int = 0
    suggested: int = 0
    inserted: int = 0
    resolved_links: int = 0
    helpful_yes: int = 0
    helpful_no: int = 0


#: the counters' names, as the store keeps them
COUNTERS = tuple(ArticleCounts.model_fields)


class ArticleVersion(Model):
    """One version of an article's content; kept after it is replaced. `number` counts from
    1; `published_at` is set once it went live."""

    article_id: str
    number: int
    content: ArticleContent
    saved_by: Actor
    saved_at: datetime
    published_by: Actor | None = None
    published_at: datetime | None = None


class Article(Model):
    """An article: its working state and version, the live version (what readers see, None
    before the first approval and after archiving), and its counters. `revision` moves with
    every change (a write at a stale revision is a 409 with the current article)."""

    id: str
    slug: str
    state: ArticleState = ArticleState.DRAFT
    working: ArticleVersion
    live: ArticleVersion | None = None
    revision: int = 1
    counts: ArticleCounts = Field(default_factory=ArticleCounts)
    created_by: Actor
    created_at: datetime
    updated_by: Actor
    updated_at: datetime
    #: the case reply it was made from, if any
    source_case_id: str | None = None
    review_note: str | None = None

    @property
    def public(self) -> bool:
        """Customers may read it: a live version meant for them."""
        return self.live is not None and self.live.content.visibility == Visibility.PUBLIC


class ArticleEntry(Model):
    """A history line: who did what to which version, when (`note`: a rejection's reason)."""

    id: str
    article_id: str
    at: datetime
    actor: Actor
    move: Move
    version: int
    state: ArticleState
    note: str | None = None


class Changed(Model):
    """An article after a move, with its history line and the version items to write
    (the working version; and a version that went live)."""

    before: Article | None
    article: Article
    entry: ArticleEntry
    versions: list[ArticleVersion]


def slug_for(title: str, article_id: str) -> str:
    """A URL name from the title, ASCII (Turkish letters folded), and the id's last 6
    characters so that two articles of the same title never share one: `kargo-gecikti-4k7qzt`."""
    plain = unicodedata.normalize("NFKD", fold(title)).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", plain)
    stem = "-".join(words)[:80].strip("-") or "makale"
    return f"{stem}-{article_id[-6:].lower()}"


def check_move(state: ArticleState, move: Move) -> ArticleState:
    """The state after `move`, or Conflict `illegal_move`."""
    after = TRANSITIONS.get(state, {}).get(move)
    if after is None:
        raise Conflict(
            f"a {state.value} article cannot take the move {move.value}",
            code="illegal_move",
            details={"state": state.value, "move": move.value},
        )
    return after


def new_article(
    article_id: str, entry_id: str, content: ArticleContent, actor: Actor, at: datetime,
    *, source_case_id: str | None = None,
) -> Changed:  # fmt: skip
    """A new article: version 1, a draft."""
    version = ArticleVersion(article_id=article_id, number=1, content=content, saved_by=actor,
                             saved_at=at)  # fmt: skip
    title = next(iter(content.texts.values())).title
    article = Article(id=article_id, slug=slug_for(title, article_id), working=version,
                      created_by=actor, created_at=at, updated_by=actor, updated_at=at,
                      source_case_id=source_case_id)  # fmt: skip
    return Changed(before=None, article=article, versions=[version],
                   entry=_entry(entry_id, article, Move.CREATE, actor, at))  # fmt: skip


def move(
    article: Article, what: Move, actor: Actor, at: datetime, entry_id: str,
    *, content: ArticleContent | None = None, note: str | None = None,
) -> Changed:  # fmt: skip
    """The article after `what` by `actor` at `at` (permissions are the caller's to check;
    see PUBLISHER_MOVES). `content`: the new content of a save or add_file. A save of a
    draft edits its version; of anything else opens the next version."""
    after_state = check_move(article.state, what)
    working = article.working
    versions: list[ArticleVersion] = []
    update: dict = {"state": after_state, "revision": article.revision + 1, "updated_by": actor,
                    "updated_at": at, "review_note": None}  # fmt: skip
    if what in (Move.SAVE, Move.ADD_FILE):
        if content is None:
            raise InvalidInput("nothing to save")
        if article.state in (ArticleState.DRAFT, ArticleState.REVIEW):
            working = working.model_copy(update={"content": content, "saved_by": actor,
                                                 "saved_at": at})  # fmt: skip
        else:
            latest = max(working.number, article.live.number if article.live else 0)
            working = ArticleVersion(article_id=article.id, number=latest + 1, content=content,
                                     saved_by=actor, saved_at=at)  # fmt: skip
        versions.append(working)
    elif what == Move.APPROVE:
        working = working.model_copy(update={"published_by": actor, "published_at": at})
        update["live"] = working
        versions.append(working)
    elif what == Move.ARCHIVE:
        update["live"] = None
    elif what == Move.REJECT:
        update["review_note"] = note
    update["working"] = working
    after = article.model_copy(update=update)
    return Changed(before=article, article=after, versions=versions,
                   entry=_entry(entry_id, after, what, actor, at, note))  # fmt: skip


def _entry(
    entry_id: str, article: Article, what: Move, actor: Actor, at: datetime, note: str | None = None
) -> ArticleEntry:
    return ArticleEntry(id=entry_id, article_id=article.id, at=at, actor=actor, move=what,
                        version=article.working.number, state=article.state, note=note)  # fmt: skip
