"""The search queue's handler (chalicelib/events/search.py) on in-memory ports: a record
whose case cannot be made into a document fails alone, its neighbours are indexed; a
failed write of the delta fails every record of it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from chalicelib import wiring
from chalicelib.domain.errors import NotFound
from chalicelib.domain.search import DocKind, SearchDoc, doc_key
from chalicelib.events import search as handler
from chalicelib.services import search as service_module
from chalicelib.services.search import SearchService

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class Cases:
    def get(self, case_id: str):
        if case_id == "bad":
            raise ValueError("an item that no longer parses")
        if case_id == "gone":
            raise NotFound("no such case")
        return SimpleNamespace(id=case_id)


class Engine:
    def __init__(self, fails: bool = False) -> None:
        self.fails = fails
        self.applied: list[tuple[list[str], list[str]]] = []

    def apply(self, docs: list[SearchDoc], deleted: list[str]) -> None:
        if self.fails:
            raise OSError("the pointer could not move")
        self.applied.append(([d.id for d in docs], deleted))


def record(message_id: str, case_id: str) -> dict:
    body = {"detail": {"type": "case.replied", "case_id": case_id}}
    return {"messageId": message_id, "body": json.dumps(body)}


@pytest.fixture
def engine(monkeypatch):
    made = Engine()
    doc = lambda found: SearchDoc(kind=DocKind.CASE, id=found.id, title="t", body="b",  # noqa: E731
                                  group_id="urun", version=1, updated_at=NOW)  # fmt: skip
    monkeypatch.setattr(service_module, "case_doc", doc)
    monkeypatch.setattr(wiring, "search_service", lambda: SearchService(made, Cases(), None))
    return made


def test_a_record_that_cannot_be_indexed_fails_alone(engine):
    batch = [record("m1", "good1"), record("m2", "bad"), record("m3", "gone"),
             {"messageId": "m4", "body": "not json"}, record("m5", "good2")]  # fmt: skip
    answer = handler.handle_batch({"Records": batch})
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m4"}, {"itemIdentifier": "m2"}]}
    assert engine.applied == [(["good1", "good2"], [doc_key(DocKind.CASE, "gone")])]


def test_a_delta_that_cannot_be_written_fails_every_record_of_it(engine):
    engine.fails = True
    answer = handler.handle_batch({"Records": [record("m1", "good1"), record("m2", "bad")]})
    assert answer == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m2"}]}
