"""The engine's own contract: install and uninstall, the moto it patches, bulk loading."""

from __future__ import annotations

import moto
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import Table
from moto.dynamodb.responses import DynamoResult

from devstack import fast_dynamodb
from tests.conformance.conftest import REGION, Db, engine_installed
from tests.conformance.test_dynamodb_conformance import case, ids, queue, s


def test_install_is_idempotent_and_uninstall_puts_moto_back() -> None:
    with engine_installed("stock"):
        originals = {
            (Table, "query"): Table.__dict__["query"],
            (Table, "put_item"): Table.__dict__["put_item"],
            (DynamoDBBackend, "transact_write_items"):
                DynamoDBBackend.__dict__["transact_write_items"],
            (Item, "__init__"): Item.__dict__["__init__"],
        }  # fmt: skip
        assert fast_dynamodb.install() is True
        assert fast_dynamodb.install() is False
        assert Table.__dict__["query"] is not originals[(Table, "query")]
        assert "execute_result" in DynamoResult.__dict__
        assert fast_dynamodb.uninstall() is True
        assert fast_dynamodb.uninstall() is False
        for (owner, name), original in originals.items():
            assert owner.__dict__[name] is original
        assert "execute_result" not in DynamoResult.__dict__  # inherited again


def test_another_moto_series_is_left_alone(monkeypatch) -> None:
    # the version is put back before the engine is: engine_installed reinstalled under the
    # faked version, was refused, and left the rest of the worker's session on stock moto
    # (whole-table copies per transaction: one integration test then ran past CI's 90 min)
    with engine_installed("stock"), monkeypatch.context() as patched:
        patched.setattr(moto, "__version__", "5.3.0")
        assert fast_dynamodb.install() is False
        assert not fast_dynamodb.is_installed()


def test_the_pinned_moto_is_the_one_patched() -> None:
    assert moto.__version__.startswith(fast_dynamodb.MOTO_SERIES)


@pytest.fixture(params=[False, True], ids=["no stream", "stream"])
def fast_db(request, moto_endpoint):
    with engine_installed("fast"):
        table = Db(moto_endpoint, stream=request.param)
        yield table
        table.drop()


def _import(db: Db, items: list[dict]) -> int:
    return fast_dynamodb.import_items(db.name, items, DEFAULT_ACCOUNT_ID, REGION)


def test_import_items_are_found_before_and_after_the_first_query(fast_db) -> None:
    assert _import(fast_db, [case(i) for i in range(1, 4)]) == 3  # before any query
    assert ids(queue(fast_db, "Q#urun#open")) == ["c000001", "c000002", "c000003"]
    moved = {**case(2), "queue_pk": s("Q#finans#open")}
    assert _import(fast_db, [moved, case(5)]) == 2  # the sorted partitions kept current
    assert ids(queue(fast_db, "Q#urun#open")) == ["c000001", "c000005", "c000003"]  # priority
    assert ids(queue(fast_db, "Q#finans#open")) == ["c000002"]


@pytest.mark.parametrize(
    ("item", "words"),
    [
        ({"PK": s("P")}, "Missing the key SK"),
        ({"PK": {"N": "1"}, "SK": s("S")}, "Type mismatch for key PK"),
        ({"PK": s(""), "SK": s("S")}, "empty string"),
        ({"PK": s("P"), "SK": s("S"), "big": s("x" * 405_000)}, "Item size"),
    ],
)
def test_import_items_refuses_what_moto_refuses(fast_db, item, words) -> None:
    from moto.dynamodb.exceptions import MockValidationException

    with pytest.raises(MockValidationException, match=words):
        _import(fast_db, [item])


def test_an_import_writes_stream_records_unless_it_is_history(moto_endpoint) -> None:
    """bench/loader.py loads as DynamoDB's import from S3 does: no stream records, so the
    stack's stream reader has no load to catch up on and a snapshot keeps no backlog."""
    from moto.dynamodb.models import dynamodb_backends

    with engine_installed("fast"):
        db = Db(moto_endpoint, stream=True)
        try:
            shard = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(db.name).stream_shard
            before = len(shard.items)
            assert _import(db, [case(1), case(2)]) == 2
            assert len(shard.items) == before + 2
            stored = fast_dynamodb.import_items(
                db.name, [case(3), case(4)], DEFAULT_ACCOUNT_ID, REGION, stream_records=False
            )
            assert stored == 2
            assert len(shard.items) == before + 2
            found = sorted(ids(queue(db, "Q#urun#open")))
            assert found == ["c000001", "c000002", "c000003", "c000004"]
        finally:
            db.drop()
