"""A Query on an index that projects the keys only (store/keys.py KEYS_THEN_ITEMS) answers
with the items themselves, in the index's order, filtered as a FilterExpression would be
after `Limit`; and a case's lines no longer carry `number_pk` (only its meta item is in
`by_number`)."""

from __future__ import annotations

import uuid

import pytest

from chalicelib.store.dynamo import Table

from .conftest import open_case


@pytest.fixture
def agent(as_role):
    return as_role("agent")


@pytest.fixture
def table(aws_env) -> Table:
    return Table(aws_env["TABLE_NAME"])


def _rows(table: Table, count: int) -> str:
    """`count` items in a fresh queue partition, created_sk in order; the partition."""
    partition = f"Q#keys-only-{uuid.uuid4().hex[:8]}#open"
    for i in range(count):
        table.put({"PK": f"KOTEST#{partition}#{i}", "SK": "#ROW", "queue_pk": partition,
                   "created_sk": f"2026-01-0{i + 1}", "n": i, "tags": ["kargo"] if i % 2 else [],
                   "custom_fields": {"renk": "mavi" if i < 2 else "kırmızı"},
                   "subject": f"satır {i}"})  # fmt: skip
    return partition


def test_the_items_come_whole_in_the_index_order(table):
    partition = _rows(table, 4)
    items, cursor = table.query(("queue_pk", partition), index="queue_newest", forward=False)
    assert [i["n"] for i in items] == [3, 2, 1, 0] and cursor is None
    assert items[0]["subject"] == "satır 3" and items[0]["custom_fields"] == {"renk": "kırmızı"}


def test_filters_apply_after_the_limit_as_a_filter_expression_would(table):
    partition = _rows(table, 4)
    key = ("queue_pk", partition)
    first, cursor = table.query(key, index="queue_newest", limit=2,
                                matches=[("contains", ["tags"], "kargo")])  # fmt: skip
    assert [i["n"] for i in first] == [1] and cursor  # 0 read and dropped, the page short
    rest, cursor = table.query(key, index="queue_newest", limit=2, cursor=cursor,
                               matches=[("contains", ["tags"], "kargo")])  # fmt: skip
    assert [i["n"] for i in rest] == [3]
    red, _ = table.query(key, index="queue_newest",
                         matches=[("equals", ["custom_fields", "renk"], "kırmızı")])  # fmt: skip
    assert [i["n"] for i in red] == [2, 3]
    equal, _ = table.query(key, index="queue_newest", filters={"subject": "satır 1"})
    assert [i["n"] for i in equal] == [1]


def test_a_projection_cuts_the_read_items_to_it_and_the_keys(table):
    partition = _rows(table, 2)
    items, _ = table.query(("queue_pk", partition), index="queue_newest", projection=["n"],
                           filters={"subject": "satır 0"})  # fmt: skip
    assert items == [{"PK": f"KOTEST#{partition}#0", "SK": "#ROW", "queue_pk": partition,
                      "created_sk": "2026-01-01", "n": 0}]  # fmt: skip


def test_an_entry_whose_item_moved_or_went_is_left_out(table):
    """The index lags its table in AWS: an entry may name an item that has left the
    partition since, or is gone; the item read is the newer truth."""
    partition = _rows(table, 3)
    entries = [{"PK": f"KOTEST#{partition}#{i}", "SK": "#ROW"} for i in range(3)]
    table.put({"PK": entries[1]["PK"], "SK": "#ROW", "queue_pk": "Q#elsewhere#open",
               "created_sk": "2026-01-02", "n": 1})  # fmt: skip
    table.delete(entries[2])
    items = table._items_of(entries, ("queue_pk", partition), None, None, None, "created_sk")
    assert [i["n"] for i in items] == [0]


def test_entries_only_reads_no_items(table):
    partition = _rows(table, 2)
    entries, _ = table.query(("queue_pk", partition), index="queue_newest", entries=True)
    assert [set(e) for e in entries] == [{"PK", "SK", "queue_pk", "created_sk"}] * 2


def test_only_the_case_item_is_in_by_number_and_a_number_still_finds_the_whole_case(
    table, agent, drain_routing
):
    """The lines, notices and files left `by_number` (an entry each was a write unit): the
    number finds the case item's key, and the case's partition is read as by id."""
    case = open_case(agent)
    drain_routing()
    items = table.query_all(("PK", f"CASE#{case['id']}"), sort_before="~")
    assert {i["SK"] for i in items if "number_pk" in i} == {"#CASE"} and len(items) > 1
    by_number = agent.get(f"/cases/{case['number']}").body
    assert by_number["case"]["id"] == case["id"]
    assert len(by_number["history"]) == len([i for i in items if i["entity"] == "history"])
