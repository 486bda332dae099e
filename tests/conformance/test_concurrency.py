"""The fast engine under concurrent requests on the threaded moto server (as the local
stack runs it): transactions are atomic to each other and to every read, including a
cancelled one's writes, and the sorted indexes stay exact."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conformance.conftest import Db, engine_installed
from tests.conformance.test_dynamodb_conformance import answer, case, key, n, s


@pytest.fixture
def fast_db(moto_endpoint):
    with engine_installed("fast"):
        table = Db(moto_endpoint)
        yield table
        table.drop()


def _open(db: Db, worker: int, count: int) -> list[str]:
    """Open `count` cases the way the case store does: take the next number from the
    counter in the case's transaction, retry from the counter's returned value."""
    numbers, guess = [], None
    for i in range(count):
        while True:
            sequence = (guess or 0) + 1
            condition = (
                {"ConditionExpression": "attribute_not_exists(seq)"}
                if guess is None
                else {"ConditionExpression": "seq = :g"}
            )
            values = {":next": n(sequence), **({":g": n(guess)} if guess is not None else {})}
            item = {**case(worker * 1000 + i), "number": s(f"2026-{sequence:06d}")}
            result = answer(
                db.client.transact_write_items,
                TransactItems=[
                    {"Update": {"TableName": db.name, "Key": {"PK": s("COUNTER"), "SK": s("Y")},
                                "UpdateExpression": "SET seq = :next",
                                "ExpressionAttributeValues": values,
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD", **condition}},
                    {"Put": {"TableName": db.name, "Item": item,
                             "ConditionExpression": "attribute_not_exists(PK)"}},
                ],
            )  # fmt: skip
            if "error" not in result:
                numbers.append(f"2026-{sequence:06d}")
                guess = sequence
                break
            assert result["error"] == "TransactionCanceledException", result
            guess = int(result["reasons"][0]["Item"]["seq"]["N"])
    return numbers


def test_concurrent_transactions_take_every_number_once(fast_db) -> None:
    workers, each = 6, 15
    with ThreadPoolExecutor(workers) as pool:
        taken = [num for nums in pool.map(lambda w: _open(fast_db, w, each), range(workers))
                 for num in nums]  # fmt: skip
    counter = fast_db.client.get_item(
        TableName=fast_db.name, Key={"PK": s("COUNTER"), "SK": s("Y")}
    )["Item"]["seq"]
    pool_count = 0
    for group in ("urun",):
        pool_count += answer(
            fast_db.client.query, TableName=fast_db.name, IndexName="queue_priority",
            KeyConditionExpression="queue_pk = :q", Select="COUNT",
            ExpressionAttributeValues={":q": s(f"Q#{group}#open")},
        )["Count"]  # fmt: skip
    assert sorted(taken) == [f"2026-{i:06d}" for i in range(1, workers * each + 1)]
    assert counter == n(workers * each)
    assert pool_count == workers * each


def test_readers_never_see_half_a_transaction(fast_db) -> None:
    """Two items swap a token in one transaction, and a cancelled transaction writes both
    before its last check fails: a Query of the partition, a GetItem pair in
    TransactGetItems and an index Query always see the token exactly once."""
    db = fast_db
    # in an index that projects `has` (the catalog's projects everything; the queues' keys only)
    holder = {"PK": s("TOKEN"), "SK": s("A"), "has": n(1), "catalog_pk": s("Q#token#open"),
              "catalog_sk": s("A")}  # fmt: skip
    other = {"PK": s("TOKEN"), "SK": s("B"), "has": n(0), "catalog_pk": s("Q#token#open"),
             "catalog_sk": s("B")}  # fmt: skip
    for item in (holder, other):
        db.client.put_item(TableName=db.name, Item=item)
    stop = threading.Event()
    seen: list[Any] = []

    def swap() -> None:
        for i in range(150):
            a, b = ("A", "B") if i % 2 == 0 else ("B", "A")
            actions = [
                {"Update": {"TableName": db.name, "Key": {"PK": s("TOKEN"), "SK": s(a)},
                            "UpdateExpression": "SET has = :z", "ConditionExpression": "has = :o",
                            "ExpressionAttributeValues": {":z": n(0), ":o": n(1)}}},
                {"Update": {"TableName": db.name, "Key": {"PK": s("TOKEN"), "SK": s(b)},
                            "UpdateExpression": "SET has = :o",
                            "ExpressionAttributeValues": {":o": n(1)}}},
            ]  # fmt: skip
            if i % 3 == 0:  # the same writes, then a failing check: cancelled, undone
                doomed = actions + [{"ConditionCheck": {
                    "TableName": db.name, "Key": key(case(999)),
                    "ConditionExpression": "attribute_exists(PK)"}}]  # fmt: skip
                assert answer(db.client.transact_write_items, TransactItems=doomed)["error"]
            assert "error" not in answer(db.client.transact_write_items, TransactItems=actions)
        stop.set()

    def read() -> None:
        while not stop.is_set():
            page = db.client.query(
                TableName=db.name, KeyConditionExpression="PK = :t",
                ExpressionAttributeValues={":t": s("TOKEN")}, ConsistentRead=True,
            )["Items"]  # fmt: skip
            seen.append(sum(int(i["has"]["N"]) for i in page))
            pair = db.client.transact_get_items(TransactItems=[
                {"Get": {"TableName": db.name, "Key": {"PK": s("TOKEN"), "SK": s(x)}}}
                for x in "AB"
            ])["Responses"]  # fmt: skip
            seen.append(sum(int(r["Item"]["has"]["N"]) for r in pair))
            index = db.client.query(
                TableName=db.name, IndexName="catalog",
                KeyConditionExpression="catalog_pk = :q",
                ExpressionAttributeValues={":q": s("Q#token#open")},
            )["Items"]  # fmt: skip
            seen.append(sum(int(i["has"]["N"]) for i in index))

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        swap()
    finally:  # a failed swap must not leave the readers reading forever
        stop.set()
        for thread in readers:
            thread.join(timeout=60)
    assert len(seen) > 30
    assert set(seen) == {1}


def test_an_update_answers_the_item_it_changed(fast_db) -> None:
    """ADD with ReturnValues=UPDATED_OLD from six writers at once: each answer is the value
    its own write replaced, so the answers are every value from 0 up, once each (moto
    reads the old item for the answer apart from the write; the request lock joins them)."""
    db, key = fast_db, {"PK": s("RATE#x"), "SK": s("1")}

    def bump(_: int) -> list[int]:
        seen = []
        for _ in range(15):
            answer_ = db.client.update_item(
                TableName=db.name, Key=key, UpdateExpression="ADD hits :one",
                ExpressionAttributeValues={":one": n(1)}, ReturnValues="UPDATED_OLD",
            )  # fmt: skip
            seen.append(int(answer_.get("Attributes", {}).get("hits", {"N": "0"})["N"]))
        return seen

    with ThreadPoolExecutor(6) as pool:
        old_values = sorted(v for values in pool.map(bump, range(6)) for v in values)
    assert old_values == list(range(90))
