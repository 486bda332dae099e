"""Full-text search (issue 17, docs/search.md): searching with the caller's permissions,
indexing what the case events name, and rebuilding the index from the table.

The engine is a port (services/ports.py `SearchEngine`); this module decides what is
searched and indexed, never how.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from pydantic import Field

from ..domain.caller import Caller
from ..domain.cases import Status
from ..domain.clock import to_iso, utcnow
from ..domain.errors import InvalidInput, NotFound
from ..domain.knowledge import Visibility
from ..domain.listing import CaseListQuery
from ..domain.model import Model
from ..domain.search import DocKind, SearchDoc, SearchResults, doc_key, filter_for
from ..domain.search_articles import article_doc_keys, article_docs
from ..domain.search_docs import case_doc, precase_doc
from ..domain.search_text import parse_query
from .ports import ArticleStore, CaseStore, DirectoryStore, PreCaseStore, SearchEngine

logger = Logger(child=True)

#: cases one rebuild step reads (a Query page, then one Query per case for its thread)
REBUILD_PAGE = 100


class SearchParams(Model):
    """`q`: what to look for (1–200 characters; Turkish or not, inflected, one typo in a
    word of 5+ letters); `kind`: case, precase or article; `limit`: 1–50 hits."""

    q: Annotated[str, Field(min_length=1, max_length=200)]
    kind: DocKind = DocKind.CASE
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class IndexOutcome(Model):
    """What one `SearchService.index` call did: `written` documents, and the refs
    (kind, id) it could not index (each left for its queue record's retry)."""

    written: int
    failed: list[tuple[DocKind, str]] = []


class SearchService:
    def __init__(
        self,
        engine: SearchEngine,
        cases: CaseStore,
        precases: PreCaseStore,
        articles: ArticleStore | None = None,
    ) -> None:
        """`articles`: the knowledge base (its live articles are indexed; without it, an
        `article` message cannot be indexed)."""
        self.engine = engine
        self.cases = cases
        self.precases = precases
        self.articles = articles

    def search(self, caller: Caller, params: SearchParams) -> SearchResults:
        """The best hits of `params.kind` the caller may read (Forbidden if they may read
        none of that kind); InvalidInput `empty_query` when `q` has no word in it."""
        filt = filter_for(caller, params.kind)
        query = parse_query(params.q)
        if query.empty:
            raise InvalidInput("type at least one word to search for", code="empty_query")
        hits, version = self.engine.search(query, filt, params.limit)
        return SearchResults(query=params.q, kind=params.kind, items=hits, index_version=version)

    def index(self, refs: list[tuple[DocKind, str]]) -> IndexOutcome:
        """Index the current state of each case, pre-case or article named (each once); one
        that no longer exists is removed. One `apply`: one delta.

        A ref whose record cannot be read or made into a document (an item that no longer
        parses, an article message without a knowledge base) is left out and returned in
        `failed`, so the queue retries (and dead-letters) that record alone instead of the
        whole batch: one bad record must not hold its neighbours back. An `apply` that fails
        raises: nothing of the batch was written."""
        docs: list[SearchDoc] = []
        deleted: list[str] = []
        failed: list[tuple[DocKind, str]] = []
        for ref in dict.fromkeys(refs):
            try:
                written, removed = self._documents(*ref)
            except Exception:
                logger.exception("search document not built", kind=ref[0].value, id=ref[1])
                failed.append(ref)
                continue
            docs += written
            deleted += removed
        self.engine.apply(docs, deleted)
        return IndexOutcome(written=len(docs), failed=failed)

    def _documents(self, kind: DocKind, ref_id: str) -> tuple[list[SearchDoc], list[str]]:
        if kind == DocKind.ARTICLE:
            return self.article_documents(ref_id)
        doc = self.document(kind, ref_id)
        return ([], [doc_key(kind, ref_id)]) if doc is None else ([doc], [])

    def document(self, kind: DocKind, ref_id: str) -> SearchDoc | None:
        try:
            if kind == DocKind.CASE:
                return case_doc(self.cases.get(ref_id))
            if kind == DocKind.PRECASE:
                return precase_doc(self.precases.get(ref_id))
        except NotFound:
            return None
        raise InvalidInput(f"{kind.value} documents are not indexed from events")

    def article_documents(self, article_id: str) -> tuple[list[SearchDoc], list[str]]:
        """An article's live version as documents (one per language), and the keys to
        remove (its other languages; all of them when it is not live or no longer exists)."""
        if self.articles is None:
            raise InvalidInput("this search service indexes no articles")
        try:
            return article_docs(self.articles.get(article_id))
        except NotFound:
            return [], article_doc_keys(article_id)


def article_message(article_id: str) -> dict[str, str]:
    """What the knowledge base sends the search queue when an article's live version may
    have changed (published, archived): the one writer reads the article and indexes it."""
    return {"kind": "article", "id": article_id}


def refs_of(event: dict[str, Any]) -> list[tuple[DocKind, str]]:
    """What a case event (domain/case_events.py, as JSON) asks to index: its case, or its
    pre-case; a pre-case's conversion both (the case now holds its text)."""
    refs: list[tuple[DocKind, str]] = []
    if event.get("case_id"):
        refs.append((DocKind.CASE, str(event["case_id"])))
    precase = event.get("precase_id") or (event.get("data") or {}).get("precase_id")
    if precase:
        refs.append((DocKind.PRECASE, str(precase)))
    return refs


# ---- rebuilding from the table ------------------------------------------------------------


class RebuildStatus(Model):
    """A rebuild under way (`done` false) or the last one's end."""

    id: str = ""
    partition: int = 0
    partitions: int = 0
    documents: int = 0
    started_at: str = ""
    done: bool = True


class SearchRebuild:
    """Rebuilds the index from the table, a bounded step at a time through the search queue
    (docs/search.md): every case (each group's queue by status, then the ungrouped ones),
    then the open pre-cases; each step reads one page (REBUILD_PAGE cases, each with its
    thread) and writes it as a part file; the last step folds the parts into a new base,
    applies the deltas written meanwhile, and moves the pointer. A step that dies is sent
    again by the queue and redoes only its page (its part file is simply written again)."""

    def __init__(
        self,
        engine: Any,  # store/search_engine.py FileSearchEngine: rebuild is of the S3 index
        search: SearchService,
        directory: DirectoryStore,
        send_step: Callable[[dict[str, Any]], None],
        clock: Callable[[], datetime] = utcnow,
        page: int = REBUILD_PAGE,
    ) -> None:
        self.engine = engine
        self.files = engine.files
        self.search = search
        self.directory = directory
        self.send_step = send_step
        self.clock = clock
        self.page = page

    def partitions(self) -> list[list[str | None]]:
        """[group or None, status] of every case partition, then ["precases", None], then
        ["articles", <visibility>] for the live articles of each visibility."""
        groups: list[str | None] = [g.id for g in self.directory.list_groups()]
        parts: list[list[str | None]] = [[g, s.value] for g in [*groups, None] for s in Status]
        articles: list[list[str | None]] = []
        if self.search.articles is not None:
            articles = [["articles", v.value] for v in Visibility]
        return [*parts, ["precases", None], *articles]

    def start(self) -> RebuildStatus:
        """Start a rebuild, or resume the one under way (its next step is sent again)."""
        pointer = self.files.pointer()
        if pointer.building is None:
            from ..domain.ids import new_id

            building = {"id": new_id(), "partitions": self.partitions(), "partition": 0,
                        "cursor": None, "parts": [], "documents": 0,
                        "started_at": to_iso(self.clock())}  # fmt: skip
            moved = pointer.model_copy(update={"building": building})
            if not self.files.move(moved, pointer.revision):
                from ..domain.errors import Conflict

                raise Conflict("the search index just changed; try again", code="search_busy")
            pointer = moved
        self.send_step({"kind": "rebuild", "id": pointer.building["id"],
                        "step": len(pointer.building["parts"])})  # fmt: skip
        return self._status(pointer.building)

    def status(self) -> RebuildStatus:
        building = self.files.pointer().building
        return self._status(building) if building else RebuildStatus()

    @staticmethod
    def _status(b: dict[str, Any]) -> RebuildStatus:
        return RebuildStatus(id=b["id"], partition=b["partition"],
                             partitions=len(b["partitions"]), documents=b["documents"],
                             started_at=b["started_at"], done=False)  # fmt: skip

    def run(self, message: dict[str, Any], more: Callable[[], bool]) -> int:
        """`step(message)`, then the steps after it in this invocation while `more()` (time
        left in it). Through the queue alone, each step waits out the search queue's batching
        window (10 s a step); here the next follows at once. Each step still sends its next
        message, so an invocation that dies resumes from the queue as before, and the
        messages of the steps done here find their step done and are dropped. Returns the
        steps that read a page."""
        done = 0
        while self.step(message):
            done += 1
            if not more():
                break
            message = {**message, "step": int(message["step"]) + 1}
        return done

    def step(self, message: dict[str, Any]) -> bool:
        """One step: read a page, write its part, save the cursor, send the next step (or
        finish). A message of another rebuild, or of a step already done, is dropped.
        Returns whether a next step is awaited (False: dropped, or the rebuild finished)."""
        pointer = self.files.pointer()
        b = pointer.building
        if not b or b["id"] != message.get("id") or int(message.get("step", -1)) != len(b["parts"]):
            logger.info("search rebuild step dropped: not the step awaited", step=message)
            return False
        if b["partition"] >= len(b["partitions"]):
            self._finish(pointer)
            return False
        docs, cursor = self._page(b["partitions"][b["partition"]], b["cursor"])
        part = self.files.put_part(b["id"], len(b["parts"]), docs)
        after = {**b, "parts": [*b["parts"], part], "documents": b["documents"] + len(docs),
                 "cursor": cursor, "partition": b["partition"] + (0 if cursor else 1)}  # fmt: skip
        if not self.files.move(pointer.model_copy(update={"building": after}), pointer.revision):
            raise RuntimeError("the search pointer moved during a rebuild step; retried")
        self.send_step({"kind": "rebuild", "id": b["id"], "step": len(after["parts"])})
        return True

    def _page(
        self, partition: list[str | None], cursor: str | None
    ) -> tuple[list[SearchDoc], str | None]:
        group, status = partition
        if group == "articles" and status is not None and self.search.articles is not None:
            live, next_cursor = self.search.articles.live(Visibility(status), None, self.page,
                                                          cursor)  # fmt: skip
            return [d for a in live for d in article_docs(a)[0]], next_cursor
        if group == "precases" and status is None:
            pres, next_cursor = self.search.precases.pool(None, True, self.page, cursor)
            return [precase_doc(p) for p in pres], next_cursor
        query = CaseListQuery(view="group", group_id=group, status=status, limit=self.page,
                              cursor=cursor)  # fmt: skip
        page = self.search.cases.list(query)
        docs = [d for d in (self.search.document(DocKind.CASE, c.id) for c in page.items) if d]
        return docs, page.next_cursor

    def _finish(self, pointer: Any) -> None:
        import os

        from ..store.search_sqlite import SqliteSearchIndex, remove_file

        b = pointer.building
        path = os.path.join(self.engine.workdir, f"destek-search-rebuild-{b['id']}.db")
        remove_file(path)
        index = SqliteSearchIndex(path)
        for key in b["parts"]:
            docs, _ = self.files.read_delta(key)
            index.upsert(docs)
        index.close()
        if not self.engine.replace(path, pointer):
            raise RuntimeError("the search pointer moved as the rebuild finished; retried")
        self.files.remove(list(b["parts"]))
        logger.info("search index rebuilt", documents=b["documents"], parts=len(b["parts"]))
