"""Knowledge base articles in the table (patterns: chalicelib/store/README.md, "articles").

Items of an article, all in its partition `ARTICLE#<id>`:
- `#ARTICLE`: the article (working and live versions, state, revision) and its counters
  as top-level numbers, so that `ADD` on a counter never races an edit (edits `SET` the
  article's fields, conditional on `revision`; counters are left alone);
- `V#<number, 8 digits>`: each version's content (a draft's own version is rewritten by
  each save of the draft; a published one is never written again);
- `H#<at>#<entry id>`: the history, append-only;
- `SUGG#<case id>`: the article was suggested on that case (counted once; 90 days, TTL).
Beside it: `UNIQUE#kbslug#<slug>` → the article's id, and the helpful votes
`KBVOTE#<article id>#<day>` / `<visitor hash>` (two days, TTL).

The article item sits in the shared indexes: `queue_newest`/`queue_priority` under
`KB#<state>` (the console's lists, by state, newest edit first, or by category), and,
while it has a live version, `agent_newest`/`agent_priority` under `KBLIVE#<visibility>`
(the help centre's lists and the suggestions' candidates).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from ..domain.clock import to_iso
from ..domain.errors import Conflict, NotFound
from ..domain.knowledge import (
    COUNTERS,
    Article,
    ArticleCounts,
    ArticleEntry,
    ArticleState,
    ArticleVersion,
    Changed,
    Visibility,
)
from .dynamo import Table, TransactionCanceled

HEAD = "#ARTICLE"
NO_CATEGORY = "-"
SUGGESTION_DAYS = 90
VOTE_DAYS = 2


def article_pk(article_id: str) -> str:
    return f"ARTICLE#{article_id}"


def _head_key(article_id: str) -> dict[str, str]:
    return {"PK": article_pk(article_id), "SK": HEAD}


def _slug_key(slug: str) -> dict[str, str]:
    return {"PK": f"UNIQUE#kbslug#{slug}", "SK": "#UNIQUE"}


def _version_item(version: ArticleVersion) -> dict[str, Any]:
    return {"PK": article_pk(version.article_id), "SK": f"V#{version.number:08d}",
            "entity": "article_version", **version.model_dump(mode="json")}  # fmt: skip


def _entry_item(entry: ArticleEntry) -> dict[str, Any]:
    return {"PK": article_pk(entry.article_id), "SK": f"H#{to_iso(entry.at)}#{entry.id}",
            "entity": "article_entry", **entry.model_dump(mode="json")}  # fmt: skip


def _fields(article: Article) -> dict[str, Any]:
    """The article item's attributes an edit sets (never the counters)."""
    data = article.model_dump(mode="json", exclude={"counts"})
    category = article.working.content.category_id or NO_CATEGORY
    edited = f"{to_iso(article.updated_at)}#{article.id}"
    fields: dict[str, Any] = {
        "entity": "article",
        "doc": data,
        "revision": article.revision,
        "queue_pk": f"KB#{article.state.value}",
        "created_sk": edited,
        "priority_sk": f"{category}#{edited}",
    }
    if article.live is not None:
        fields["agent_pk"] = f"KBLIVE#{article.live.content.visibility.value}"
    return fields


def _write_head(article: Article, expected: int) -> dict[str, Any]:
    """An Update setting the article's fields at `expected` revision (0: a new article)."""
    fields = _fields(article)
    names = {f"#a{i}": name for i, name in enumerate(fields)}
    values: dict[str, Any] = {f":v{i}": value for i, value in enumerate(fields.values())}
    expression = "SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(fields)))
    if article.live is None:
        names["#live"] = "agent_pk"
        expression += " REMOVE #live"
    if expected:
        names["#rev"] = "revision"
        values[":expected"] = expected
        condition = "#rev = :expected"
    else:
        condition = "attribute_not_exists(PK)"
    return {"Update": {"Key": _head_key(article.id), "UpdateExpression": expression,
                       "ConditionExpression": condition, "ExpressionAttributeNames": names,
                       "ExpressionAttributeValues": values}}  # fmt: skip


def counter_op(article_id: str, counter: str, by: int = 1) -> dict[str, Any]:
    """An Update adding `by` to one of the article's counters (ArticleCounts' names)."""
    if counter not in COUNTERS:
        raise ValueError(f"no counter {counter!r}")
    return {"Update": {"Key": _head_key(article_id), "UpdateExpression": "ADD #c :n",
                       "ConditionExpression": "attribute_exists(PK)",
                       "ExpressionAttributeNames": {"#c": counter},
                       "ExpressionAttributeValues": {":n": by}}}  # fmt: skip


def _article(item: dict[str, Any]) -> Article:
    counts = ArticleCounts(**{name: int(item.get(name, 0)) for name in COUNTERS})
    return Article.model_validate({**item["doc"], "counts": counts})


class DynamoArticleStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- reading ---------------------------------------------------------------------------

    def get(self, article_id: str) -> Article:
        """The article, or NotFound."""
        item = self.table.get(_head_key(article_id))
        if item is None or item.get("entity") != "article":
            raise NotFound("no such article", code="no_article")
        return _article(item)

    def by_slug(self, slug: str) -> Article:
        found = self.table.get(_slug_key(slug))
        if found is None:
            raise NotFound("no such article", code="no_article")
        return self.get(found["article_id"])

    def list(
        self, state: ArticleState, category_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Article], str | None]:
        """One page of the articles in `state` (of one category), newest edit first."""
        return self._page("queue", f"KB#{state.value}", category_id, limit, cursor)

    def live(
        self, visibility: Visibility, category_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Article], str | None]:
        """One page of the live articles of a visibility (one category), newest first."""
        return self._page("agent", f"KBLIVE#{visibility.value}", category_id, limit, cursor)

    def _page(
        self, index: str, partition: str, category_id: str | None, limit: int, cursor: str | None
    ) -> tuple[list[Article], str | None]:
        """A page of one of the index pairs `<index>_priority` (sorted `<category>#<time>`,
        read for one category) and `<index>_newest` (sorted by time, for all)."""
        key = (f"{index}_pk", partition)
        if category_id:
            items, nxt = self.table.query(key, index=f"{index}_priority", forward=False,
                                          sort_prefix=f"{category_id}#", limit=limit,
                                          cursor=cursor)  # fmt: skip
        else:
            items, nxt = self.table.query(key, index=f"{index}_newest", forward=False,
                                          limit=limit, cursor=cursor)  # fmt: skip
        return [_article(i) for i in items], nxt

    def all_live(self) -> list[Article]:
        """Every live article, public and internal (the fallback suggestions read them all:
        a few hundred articles are a few 1 MB pages; the search engine replaces this)."""
        found: list[Article] = []
        for visibility in Visibility:
            items = self.table.query_all(("agent_pk", f"KBLIVE#{visibility.value}"),
                                         index="agent_newest")  # fmt: skip
            found.extend(_article(i) for i in items)
        return found

    def versions(self, article_id: str) -> list[ArticleVersion]:
        """Every version, newest first."""
        items = self.table.query_all(("PK", article_pk(article_id)), sort_prefix="V#",
                                     forward=False)  # fmt: skip
        return [ArticleVersion.model_validate(i) for i in items]

    def version(self, article_id: str, number: int) -> ArticleVersion:
        item = self.table.get({"PK": article_pk(article_id), "SK": f"V#{number:08d}"})
        if item is None:
            raise NotFound("no such version", code="no_version")
        return ArticleVersion.model_validate(item)

    def history(self, article_id: str) -> list[ArticleEntry]:
        """Who did what when, newest first."""
        items = self.table.query_all(("PK", article_pk(article_id)), sort_prefix="H#",
                                     forward=False)  # fmt: skip
        return [ArticleEntry.model_validate(i) for i in items]

    # ---- writing ---------------------------------------------------------------------------

    def save(self, changed: Changed) -> Article:
        """The article at its new revision, its versions and its history line, in one
        transaction; a new article also takes its slug. Conflict `version_conflict` when the
        article changed since it was read."""
        article = changed.article
        expected = changed.before.revision if changed.before else 0
        ops: list[tuple[dict[str, Any], Exception]] = [(
            _write_head(article, expected),
            Conflict("the article changed since you read it; read it again",
                     code="version_conflict", details={"current_revision": None}),
        )]  # fmt: skip
        if changed.before is None:
            slug = {**_slug_key(article.slug), "article_id": article.id}
            taken = Conflict("an article with this address exists", code="slug_taken")
            ops.append(({"Put": {"Item": slug, "ConditionExpression": "attribute_not_exists(PK)"}},
                        taken))  # fmt: skip
        for version in changed.versions:
            ops.append(({"Put": {"Item": _version_item(version)}}, Conflict("version write")))
        ops.append(({"Put": {"Item": _entry_item(changed.entry),
                             "ConditionExpression": "attribute_not_exists(PK)"}},
                    Conflict("history line exists")))  # fmt: skip
        try:
            self.table.transact_meaning(ops)
        except Conflict as exc:
            if exc.code == "version_conflict" and changed.before is not None:
                current = self.get(article.id)
                exc.details = {"current_revision": current.revision}
            raise
        return self.get(article.id)

    def count(self, article_id: str, counter: str, by: int = 1) -> None:
        """Add to one counter (a view)."""
        self.table.transact([counter_op(article_id, counter, by)])

    def count_suggested(self, article_id: str, case_id: str, at: datetime) -> bool:
        """Count a suggestion once per case: False when this case had it counted already."""
        expires = int((at + timedelta(days=SUGGESTION_DAYS)).timestamp())
        marker = {"PK": article_pk(article_id), "SK": f"SUGG#{case_id}", "expires_at": expires}
        try:
            self.table.transact([
                {"Put": {"Item": marker, "ConditionExpression": "attribute_not_exists(PK)"}},
                counter_op(article_id, "suggested"),
            ])  # fmt: skip
        except TransactionCanceled:
            return False
        return True

    def vote(self, article_id: str, visitor: str, helpful: bool, at: datetime) -> None:
        """One vote per visitor, article and UTC day: Conflict `already_voted` for a
        second one (nothing written)."""
        day = at.date().isoformat()
        hashed = hashlib.sha256(visitor.encode()).hexdigest()
        mark = {"PK": f"KBVOTE#{article_id}#{day}", "SK": hashed,
                "expires_at": int((at + timedelta(days=VOTE_DAYS)).timestamp())}  # fmt: skip
        self.table.transact_meaning([
            ({"Put": {"Item": mark, "ConditionExpression": "attribute_not_exists(PK)"}},
             Conflict("you have voted on this article today", code="already_voted")),
            (counter_op(article_id, "helpful_yes" if helpful else "helpful_no"),
             NotFound("no such article", code="no_article")),
        ])  # fmt: skip

    # ---- riders of a case's change --------------------------------------------------------

    def counter_riders(
        self, article_ids: list[str], counter: str
    ) -> list[tuple[dict[str, Any], Exception]]:
        """Writes that ride with a case's change (an insert into a reply, a link counted at
        resolution): one ADD per article, in the case's transaction."""
        return [(counter_op(a, counter), NotFound("no such article", code="no_article"))
                for a in dict.fromkeys(article_ids)]  # fmt: skip
