"""One search index as one SQLite file with FTS5 (docs/search.md).

Why SQLite FTS5: BM25 ranking (`bm25()` with a weight per column), the permission filter
in the same SQL as the match, a vocabulary table for fuzzy candidates (`fts5vocab`), and
the whole index in one file that S3 keeps as one object and a Lambda opens from /tmp.
The Lambda Python 3.11 runtime's own sqlite3 is SQLite 3.7.17 (Amazon Linux 2), which has
no FTS5, so the engine is `pysqlite3-binary` (SQLite 3.51 compiled in, with FTS5), and
the standard library's module only where that wheel is missing (a developer's Mac).

Layout: `docs` holds each document's fields and original text (for filters and snippets);
`terms` is a contentless FTS5 table (the analyzer's terms only, `contentless_delete` so a
document can be replaced) whose rowid is the document's; `vocab` lists its terms.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from ..domain.search import DocKind, SearchDoc, SearchFilter, SearchHit
from ..domain.search_text import (
    SearchQuery,
    highlight,
    index_terms,
    matcher,
    mentions,
    one_edit,
)

try:  # the wheel Lambda gets; SQLite with FTS5 whatever the runtime has
    from pysqlite3 import dbapi2 as sqlite3  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - a machine without the wheel
    import sqlite3  # type: ignore[no-redef]

#: BM25 weight of each FTS column (title, body, notes): a word in the subject says more
WEIGHTS = (3.0, 1.0, 1.0)
SNIPPET_CHARS = 200
_FIELDS = ("kind", "id", "ref", "title", "body", "notes", "group_id", "assignee", "opened_by",
           "visibility", "status", "language", "version", "updated_at")  # fmt: skip

SCHEMA = """
CREATE TABLE IF NOT EXISTS docs(
    rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, id TEXT NOT NULL,
    ref TEXT, title TEXT, body TEXT, notes TEXT, group_id TEXT, assignee TEXT, opened_by TEXT,
    visibility TEXT, status TEXT, language TEXT, version INTEGER, updated_at TEXT);
CREATE VIRTUAL TABLE IF NOT EXISTS terms USING fts5(
    title, body, notes, content='', contentless_delete=1,
    tokenize='unicode61 remove_diacritics 0');
CREATE VIRTUAL TABLE IF NOT EXISTS vocab USING fts5vocab(terms, 'row');
CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value TEXT);
"""


def _quote(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_expression(query: SearchQuery, notes: bool) -> str:
    """The FTS5 MATCH expression of a parsed query: each word's alternatives OR-ed (a
    prefix as `"term"*`), the words OR-ed too (BM25 ranks a document with more of them
    first, as OpenSearch's `match` does), limited to title and body unless notes may match."""
    groups = []
    for word in query.words:
        alts = [_quote(t) for t in sorted(word.exact | word.neighbours)]
        alts += [_quote(p) + "*" for p in sorted(word.prefixes)]
        groups.append("(" + " OR ".join(alts) + ")")
    expr = " OR ".join(groups)
    return expr if notes else "{title body} : (" + expr + ")"


def filter_sql(filt: SearchFilter) -> tuple[str, list[Any]]:
    """The filter as a WHERE clause on `docs d` (domain/search.py `SearchFilter.allows`)."""
    clauses, args = ["d.kind = ?"], [filt.kind.value]
    if filt.public_only:
        clauses.append("d.visibility = 'public'")
    if filt.kind == DocKind.CASE and not filt.all_groups:
        marks = ",".join("?" * len(filt.groups))
        reach = ["(d.assignee = ?)", "(d.group_id IS NULL AND d.opened_by = ? AND ? != '')"]
        args += [filt.username, filt.username, filt.username]
        if filt.groups:
            reach.append(f"d.group_id IN ({marks})")
            args += sorted(filt.groups)
        clauses.append("(" + " OR ".join(reach) + ")")
    return " AND ".join(clauses), args


class SqliteSearchIndex:
    """One index file. Not shared between threads: callers hold their own lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")  # a copy in /tmp: rebuilt, never recovered
        self.db.execute("PRAGMA synchronous=OFF")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    # ---- writing ------------------------------------------------------------------------

    def upsert(self, docs: Iterable[SearchDoc]) -> int:
        """Add or replace documents; one whose stored version is newer is left. Returns how
        many were written. One transaction."""
        written = 0
        with _transaction(self.db):
            for doc in docs:
                row = self.db.execute("SELECT rowid, version FROM docs WHERE key = ?",
                                      (doc.key,)).fetchone()  # fmt: skip
                if row and row[1] > doc.version:
                    continue
                values = [getattr(doc, f) for f in _FIELDS]
                values = [v.isoformat() if isinstance(v, datetime) else v for v in values]
                values = [v.value if hasattr(v, "value") else v for v in values]
                if row:
                    rowid = row[0]
                    self.db.execute("DELETE FROM terms WHERE rowid = ?", (rowid,))
                    sets = ", ".join(f"{f} = ?" for f in _FIELDS)
                    self.db.execute(f"UPDATE docs SET {sets} WHERE rowid = ?", [*values, rowid])
                else:
                    marks = ",".join("?" * (len(_FIELDS) + 1))
                    cur = self.db.execute(
                        f"INSERT INTO docs(key, {', '.join(_FIELDS)}) VALUES ({marks})",
                        [doc.key, *values],
                    )
                    rowid = cur.lastrowid
                self.db.execute(
                    "INSERT INTO terms(rowid, title, body, notes) VALUES (?, ?, ?, ?)",
                    (rowid, index_terms(doc.title), index_terms(doc.body), index_terms(doc.notes)),
                )
                written += 1
        return written

    def delete(self, keys: Iterable[str]) -> None:
        with _transaction(self.db):
            for key in keys:
                row = self.db.execute("SELECT rowid FROM docs WHERE key = ?", (key,)).fetchone()
                if row:
                    self.db.execute("DELETE FROM terms WHERE rowid = ?", (row[0],))
                    self.db.execute("DELETE FROM docs WHERE rowid = ?", (row[0],))

    def optimize(self) -> None:
        """Merge FTS5's segments into one and reclaim space (before a file is uploaded)."""
        self.db.execute("INSERT INTO terms(terms) VALUES ('optimize')")
        self.db.execute("VACUUM")

    def set_meta(self, name: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def meta(self, name: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    # ---- reading ------------------------------------------------------------------------

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM docs").fetchone()[0]

    def holds(self, kind: DocKind) -> bool:
        """Whether any document of `kind` is indexed."""
        row = self.db.execute("SELECT 1 FROM docs WHERE kind = ? LIMIT 1", (kind.value,))
        return row.fetchone() is not None

    def get(self, key: str) -> SearchDoc | None:
        cols = ", ".join(_FIELDS)
        row = self.db.execute(f"SELECT {cols} FROM docs WHERE key = ?", (key,)).fetchone()
        return SearchDoc(**dict(zip(_FIELDS, row, strict=True))) if row else None

    def neighbours(self, query: SearchQuery) -> dict[str, set[str]]:
        """For each fuzzy word (by its folded form), the index's terms one edit away."""
        found: dict[str, set[str]] = {}
        for word in query.words:
            if not word.fuzzy:
                continue
            candidates = sorted(one_edit(word.folded))
            marks = ",".join("?" * len(candidates))
            rows = self.db.execute(f"SELECT term FROM vocab WHERE term IN ({marks})", candidates)
            found[word.folded] = {r[0] for r in rows}
        return found

    def search(self, query: SearchQuery, filt: SearchFilter, limit: int) -> list[SearchHit]:
        """The best `limit` documents the filter allows, best first (BM25), highlighted."""
        if query.empty:
            return []
        query = query.with_neighbours(self.neighbours(query))
        where, args = filter_sql(filt)
        cols = ", ".join(f"d.{f}" for f in _FIELDS)
        weights = ", ".join(str(w) for w in WEIGHTS)
        sql = (f"SELECT {cols}, bm25(terms, {weights}) AS rank FROM terms "
               f"JOIN docs d ON d.rowid = terms.rowid WHERE terms MATCH ? AND {where} "
               "ORDER BY rank LIMIT ?")  # fmt: skip
        rows = self.db.execute(sql, [match_expression(query, filt.notes), *args, limit])
        hits = []
        matched = matcher(query)
        for row in rows:
            doc = SearchDoc(**dict(zip(_FIELDS, row[:-1], strict=True)))
            if not filt.allows(doc):  # the SQL said so already; a second, plain check
                continue
            hits.append(make_hit(doc, query, -row[-1], filt.notes, matched))
        return hits


def make_hit(
    doc: SearchDoc,
    query: SearchQuery,
    score: float,
    notes: bool,
    matched: Callable[[str], bool] | None = None,
) -> SearchHit:
    """The snippet comes from the body, or from the notes when only they match. `matched`:
    the answer's `matcher`, shared by its hits."""
    matched = matched or matcher(query)
    snippet_from = doc.body
    if notes and doc.notes and not mentions(doc.body, query, matched) and \
            mentions(doc.notes, query, matched):  # fmt: skip
        snippet_from = doc.notes
    return SearchHit(
        kind=doc.kind,
        id=doc.id,
        ref=doc.ref,
        title=highlight(doc.title, query, size=len(doc.title) + 1, matched=matched),
        snippet=highlight(snippet_from, query, size=SNIPPET_CHARS, matched=matched),
        status=doc.status,
        group_id=doc.group_id,
        language=doc.language,
        score=round(score, 4),
        updated_at=doc.updated_at,
    )


class _transaction:
    def __init__(self, db: Any) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, kind: Any, *_: Any) -> None:
        self.db.execute("ROLLBACK" if kind else "COMMIT")


def remove_file(path: str) -> None:
    for suffix in ("", "-journal", "-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.remove(path + suffix)
