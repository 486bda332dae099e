"""Tag counters for suggestions (access patterns in chalicelib/store/README.md).

- how many cases carry each tag: `PK = TAGS`, `SK = <folded tag>#<tag>`
  (domain/tags.suggestion_key), `ADD cases :n` riding in the transaction of the case change
  that added (+1) or removed (-1) the tag, so the count moves exactly when the case does;
- the tags starting with what an agent typed: one Query, `SK begins_with <folded prefix>`,
  at most SCAN_LIMIT counters read, sorted by count in memory (no scan of cases).
"""

from __future__ import annotations

from typing import Any

from ..domain.errors import Conflict
from ..domain.tags import suggestion_key, suggestion_prefix
from .dynamo import Table

PK = "TAGS"
#: counters one suggestion reads at most (a prefix of one letter may match more)
SCAN_LIMIT = 500


def counter_rider(tag: str, delta: int) -> tuple[dict[str, Any], Exception]:
    """The tag's counter moved by `delta`, riding in a case change's transaction."""
    op = {"Update": {
        "Key": {"PK": PK, "SK": suggestion_key(tag)},
        "UpdateExpression": "ADD #c :n SET #t = :t, #e = :e",
        "ExpressionAttributeNames": {"#c": "cases", "#t": "tag", "#e": "entity"},
        "ExpressionAttributeValues": {":n": delta, ":t": tag, ":e": "tag_count"}}}  # fmt: skip
    return op, Conflict("the tag counter is busy; try again", code="busy")


def tag_riders(before: list[str], after: list[str]) -> list[tuple[dict[str, Any], Exception]]:
    """Counter moves for a case whose tags went from `before` to `after`."""
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    return [*(counter_rider(t, 1) for t in added), *(counter_rider(t, -1) for t in removed)]


class DynamoTagStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def riders(self, before: list[str], after: list[str]) -> list[tuple[dict[str, Any], Exception]]:
        return tag_riders(before, after)

    def suggest(self, typed: str, limit: int) -> list[dict[str, Any]]:
        """`{tag, cases}` of the tags in use that start with `typed` (folded), most used
        first, then by tag."""
        prefix = suggestion_prefix(typed)
        items, _ = self.table.query(("PK", PK), sort_prefix=prefix or None, limit=SCAN_LIMIT)
        rows = [{"tag": i["tag"], "cases": int(i.get("cases", 0))} for i in items]
        rows = [r for r in rows if r["cases"] > 0]
        rows.sort(key=lambda r: (-r["cases"], r["tag"]))
        return rows[:limit]
