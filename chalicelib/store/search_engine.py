"""The search engine of destek's own deployment: an SQLite FTS5 index in S3, a copy per
Lambda container in /tmp (docs/search.md). It implements services/ports.py `SearchEngine`.

Reading. Each search reads the pointer (one GetItem). A container keeps the base it last
loaded and the deltas it applied to its copy: a new base is downloaded once (then reused by
every search of the container), a new delta (a few documents) is applied to the copy, so a
case indexed a moment ago is found at once, with BM25's statistics exact.

Writing. One writer at a time by design: the search queue's consumer runs with a reserved
concurrency of 1 (infra), and even so every move of the pointer is a conditional write, so a
second writer (a rebuild's last step, a retry) loses the race and starts again from the new
pointer instead of overwriting. A batch of documents becomes one delta file and one move;
after COMPACT_AFTER deltas the writer folds them into a new base (then the old files retire).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from datetime import datetime
from threading import Lock

from aws_lambda_powertools import Logger

from ..domain.clock import utcnow
from ..domain.errors import Conflict
from ..domain.search import DocKind, SearchDoc, SearchFilter, SearchHit
from ..domain.search_text import SearchQuery
from .search_files import IndexPointer, SearchFiles, due_for_removal, retire
from .search_sqlite import SqliteSearchIndex, remove_file

logger = Logger(child=True)

#: deltas the pointer names before the writer folds them into a new base
COMPACT_AFTER = 32
#: tries of a move before giving up (the queue retries the batch)
MOVE_TRIES = 5


class FileSearchEngine:
    """Reader (per container, cached by version) and writer of the S3-kept index."""

    def __init__(
        self,
        files: SearchFiles,
        workdir: str | None = None,
        compact_after: int = COMPACT_AFTER,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.files = files
        self.workdir = workdir or tempfile.gettempdir()
        self.compact_after = compact_after
        self.clock = clock
        self._lock = Lock()
        self._local: SqliteSearchIndex | None = None
        self._base: str | None = None
        self._applied: list[str] = []

    # ---- reading -------------------------------------------------------------------------

    def search(
        self, query: SearchQuery, filt: SearchFilter, limit: int
    ) -> tuple[list[SearchHit], str]:
        """The hits and the version that answered (`<base>+<deltas>`)."""
        with self._lock:
            pointer = self.files.pointer()
            index = self._load(pointer)
            return index.search(query, filt, limit), pointer.version

    def holds(self, kind: DocKind) -> bool:
        """Whether the live index holds any document of `kind` (the suggestions fall back
        to keywords while it holds no article)."""
        with self._lock:
            return self._load(self.files.pointer()).holds(kind)

    def _load(self, pointer: IndexPointer) -> SqliteSearchIndex:
        """This container's copy at `pointer`: its base (downloaded once), then each delta it
        has not applied yet. A pointer whose deltas do not continue ours (a compaction or a
        rebuild moved the base) loads the new base."""
        if self._local is None or pointer.base != self._base or \
                pointer.deltas[: len(self._applied)] != self._applied:  # fmt: skip
            self._open_base(pointer.base)
        assert self._local is not None
        for key in pointer.deltas[len(self._applied) :]:
            docs, deleted = self.files.read_delta(key)
            self._local.upsert(docs)
            self._local.delete(deleted)
            self._applied.append(key)
        return self._local

    def _open_base(self, base: str | None) -> None:
        if self._local is not None:
            self._local.close()
            remove_file(self._local.path)
        path = os.path.join(self.workdir, f"destek-search-{os.getpid()}-{id(self)}.db")
        remove_file(path)
        if base:
            self.files.fetch_base(base, path)
        self._local, self._base, self._applied = SqliteSearchIndex(path), base, []
        logger.info("search index loaded", base=base, documents=self._local.count())

    # ---- writing -------------------------------------------------------------------------

    def apply(self, docs: list[SearchDoc], deleted: list[str]) -> None:
        """Make `docs` (and the removal of `deleted` keys) part of the live index: one delta
        file, one conditional move of the pointer; then a compaction if it is due."""
        if not docs and not deleted:
            return
        key = self.files.put_delta(docs, deleted)
        for _ in range(MOVE_TRIES):
            pointer = self.files.pointer()
            moved = pointer.model_copy(update={"deltas": [*pointer.deltas, key]})
            if self.files.move(moved, pointer.revision):
                break
        else:
            raise Conflict("the search index pointer kept moving", code="search_busy")
        if len(pointer.deltas) + 1 >= self.compact_after:
            self.compact()

    def compact(self) -> bool:
        """Fold the base and its deltas into a new base and move the pointer to it (deltas
        none). False, and nothing moved, when another writer moved the pointer meanwhile."""
        pointer = self.files.pointer()
        if not pointer.deltas:
            return False
        path = self._merged_copy(pointer.base, pointer.deltas)
        return self._publish(path, pointer, [])

    def replace(self, path: str, pointer: IndexPointer) -> bool:
        """Publish a rebuilt index file (services/search.py's rebuild): the deltas the pointer
        names now are applied on top (a case changed during the rebuild keeps its newest
        version), then the pointer moves to it. False when the pointer moved meanwhile."""
        index = SqliteSearchIndex(path)
        for key in pointer.deltas:
            docs, deleted = self.files.read_delta(key)
            index.upsert(docs)
            index.delete(deleted)
        index.optimize()
        index.close()
        return self._publish(path, pointer, [], building=None)

    def _merged_copy(self, base: str | None, deltas: list[str]) -> str:
        path = os.path.join(self.workdir, f"destek-search-build-{os.getpid()}-{id(self)}.db")
        remove_file(path)
        if base:
            self.files.fetch_base(base, path)
        index = SqliteSearchIndex(path)
        for key in deltas:
            docs, deleted = self.files.read_delta(key)
            index.upsert(docs)
            index.delete(deleted)
        index.optimize()
        index.close()
        return path

    def _publish(self, path: str, pointer: IndexPointer, deltas: list[str],
                 **update: object) -> bool:  # fmt: skip
        try:
            base = self.files.put_base(path)
        finally:
            remove_file(path)
        now = self.clock()
        old = [k for k in (pointer.base, *pointer.deltas) if k]
        due, keep = due_for_removal(retire(pointer, old, now), now)
        moved = pointer.model_copy(update={"base": base, "deltas": deltas, "retired": keep,
                                           **update})  # fmt: skip
        if not self.files.move(moved, pointer.revision):
            self.files.remove([base])
            logger.info("search compaction lost the race; the next batch tries again")
            return False
        self.files.remove(due)
        logger.info("search index compacted", base=base, folded=len(pointer.deltas))
        return True
