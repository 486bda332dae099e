"""The S3-kept index's reader and writer (store/search_engine.py) over files kept in memory:
deltas and the pointer's conditional moves, two writers racing, compaction, what a second
container sees, and what the case events ask to index."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from chalicelib.domain.search import DocKind, SearchDoc, SearchFilter
from chalicelib.domain.search_text import parse_query
from chalicelib.services.search import refs_of
from chalicelib.store.search_engine import FileSearchEngine
from chalicelib.store.search_files import IndexPointer, due_for_removal, retire

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class MemoryFiles:
    """SearchFiles' contract in memory: objects by key, a pointer with a revision."""

    def __init__(self) -> None:
        self.objects: dict[str, object] = {}
        self.current = IndexPointer()
        self.count = 0
        self.before_move = None  # a hook: another writer moving first

    def pointer(self) -> IndexPointer:
        return self.current.model_copy(deep=True)

    def move(self, new: IndexPointer, expected: int) -> bool:
        if self.before_move:
            hook, self.before_move = self.before_move, None
            hook()
        if self.current.revision != expected:
            return False
        self.current = new.model_copy(update={"revision": expected + 1})
        return True

    def _key(self, kind: str) -> str:
        self.count += 1
        return f"search/{kind}/{self.count:04d}"

    def put_delta(self, docs, deleted) -> str:
        key = self._key("delta")
        self.objects[key] = ([d.model_copy() for d in docs], list(deleted))
        return key

    def read_delta(self, key):
        return self.objects[key]

    def put_base(self, path: str) -> str:
        key = self._key("base")
        self.objects[key] = Path(path).read_bytes()
        return key

    def fetch_base(self, key: str, path: str) -> None:
        with open(path, "wb") as out:
            out.write(self.objects[key])

    def remove(self, keys) -> None:
        for key in keys:
            self.objects.pop(key, None)


def doc(i: int, title: str, version: int = 1) -> SearchDoc:
    return SearchDoc(kind=DocKind.CASE, id=f"c{i}", title=title, group_id="urun",
                     version=version, updated_at=NOW)  # fmt: skip


def ids(engine: FileSearchEngine, q: str) -> list[str]:
    hits, _ = engine.search(parse_query(q), SearchFilter(kind="case"), 10)
    return [h.id for h in hits]


def test_a_reader_sees_each_delta_as_soon_as_the_pointer_names_it(tmp_path):
    files = MemoryFiles()
    writer = FileSearchEngine(files, workdir=str(tmp_path), compact_after=100)
    reader = FileSearchEngine(files, workdir=str(tmp_path))  # another container
    writer.apply([doc(1, "Kargo gecikti")], [])
    assert ids(reader, "kargo") == ["c1"]
    writer.apply([doc(2, "Kargo kayboldu")], [])
    writer.apply([doc(1, "Fatura sorunu", version=2)], [])  # the case's subject changed
    assert ids(reader, "kargo") == ["c2"] and ids(reader, "fatura") == ["c1"]
    writer.apply([], ["case:c2"])
    assert ids(reader, "kargo") == []
    assert files.current.revision == 4 and len(files.current.deltas) == 4


def test_a_writer_that_loses_the_race_moves_again_from_the_new_pointer(tmp_path):
    files = MemoryFiles()
    one = FileSearchEngine(files, workdir=str(tmp_path), compact_after=100)
    two = FileSearchEngine(files, workdir=str(tmp_path), compact_after=100)
    files.before_move = lambda: two.apply([doc(2, "Fatura")], [])  # two moves in between
    one.apply([doc(1, "Kargo")], [])
    assert len(files.current.deltas) == 2  # neither delta was overwritten
    assert ids(one, "kargo") == ["c1"] and ids(one, "fatura") == ["c2"]


def test_compaction_folds_deltas_into_a_base_and_retires_the_old_files(tmp_path):
    files = MemoryFiles()
    writer = FileSearchEngine(files, workdir=str(tmp_path), compact_after=3, clock=lambda: NOW)
    reader = FileSearchEngine(files, workdir=str(tmp_path))
    writer.apply([doc(1, "Kargo")], [])
    assert ids(reader, "kargo") == ["c1"]
    writer.apply([doc(2, "Kargo iade")], [])
    writer.apply([doc(3, "İade")], [])  # the third delta: compacted
    pointer = files.current
    assert pointer.base and pointer.deltas == [] and len(pointer.retired) == 3
    assert sorted(ids(reader, "iade")) == ["c2", "c3"]  # the reader loads the new base
    fresh = FileSearchEngine(files, workdir=str(tmp_path / "fresh"))
    (tmp_path / "fresh").mkdir()
    assert sorted(ids(fresh, "kargo")) == ["c1", "c2"]
    later = NOW + timedelta(hours=1)
    due, keep = due_for_removal(retire(pointer, [], later), later)
    assert len(due) == 3 and keep == []
    shutil.rmtree(tmp_path / "fresh")


def test_a_compaction_that_loses_the_race_moves_nothing(tmp_path):
    files = MemoryFiles()
    writer = FileSearchEngine(files, workdir=str(tmp_path), compact_after=100)
    writer.apply([doc(1, "Kargo")], [])
    files.before_move = lambda: writer.apply([doc(2, "Fatura")], [])
    assert writer.compact() is False
    assert files.current.base is None and len(files.current.deltas) == 2
    assert not [k for k in files.objects if "/base/" in k]  # its base was removed


def test_what_case_events_ask_to_index():
    assert refs_of({"case_id": "c1", "precase_id": None}) == [(DocKind.CASE, "c1")]
    assert refs_of({"case_id": None, "precase_id": "p1"}) == [(DocKind.PRECASE, "p1")]
    converted = {"case_id": "c1", "precase_id": None, "data": {"precase_id": "p1"}}
    assert refs_of(converted) == [(DocKind.CASE, "c1"), (DocKind.PRECASE, "p1")]


def test_the_pointer_is_stored_packed_and_reads_back_whole_as_an_older_one_does():
    """The stored pointer names its files by short names and groups the retired ones by
    time (written at every batch, billed per started KB); it reads back as it was, and a
    pointer stored spelled out (before issue 21) reads as it is."""
    import json

    from chalicelib.store.search_files import pack, unpack

    at = "2026-12-03T10:00:00+00:00"
    deltas = [f"search/delta/01M8Y5AX8Q3ZGQXAEBKPXX{n:04d}.json.gz" for n in range(32)]
    whole = {
        "revision": 40,
        "base": "search/base/01M8Y5B41Y0GYQ5S50M3YTGE6S.db.gz",
        "deltas": deltas,
        "building": None,
        "retired": [
            {"key": k, "at": at}
            for k in [*deltas, "search/base/X.db.gz", "search/rebuild/b1/000001.json.gz"]
        ],
    }
    stored = pack(whole)
    assert stored["deltas"][0] == "d/01M8Y5AX8Q3ZGQXAEBKPXX0000"
    assert unpack(stored) == whole
    assert len(json.dumps(stored)) < len(json.dumps(whole)) * 0.55
    assert unpack(whole) == whole  # stored before packing
