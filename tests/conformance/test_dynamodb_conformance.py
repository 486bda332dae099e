"""The DynamoDB operations destek uses, with the answers DynamoDB gives, on both engines.

Each scenario below states what DynamoDB answers (the assertions) and returns everything
it saw (every answer, every error with its cancellation reasons); `test_scenario` runs
it on stock moto and on the fast engine, and `test_engines_agree` requires the two
transcripts to be identical, down to counts, page keys and error messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conformance.conftest import Db, table_properties

SCENARIOS: list[Callable[[Db], list[Any]]] = []


def scenario(fn: Callable[[Db], list[Any]]) -> Callable[[Db], list[Any]]:
    SCENARIOS.append(fn)
    return fn


def answer(fn: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """The response without its request metadata, or the error as DynamoDB states it."""
    try:
        result = fn(**kwargs)
    except ClientError as exc:
        error = {
            "error": exc.response["Error"]["Code"],
            "message": exc.response["Error"]["Message"],
        }
        if "CancellationReasons" in exc.response:
            error["reasons"] = exc.response["CancellationReasons"]
        if "Item" in exc.response:
            error["item"] = exc.response["Item"]
        return error
    result.pop("ResponseMetadata", None)
    result.pop("ConsumedCapacity", None)
    return result


def s(value: str) -> dict[str, str]:
    return {"S": value}


def n(value: int) -> dict[str, str]:
    return {"N": str(value)}


def case(number: int, group: str = "urun", status: str = "open", **extra: Any) -> dict[str, Any]:
    """A case item with the attributes destek's indexes read (store/keys.py's layout)."""
    created = f"2026-01-{1 + number % 28:02d}T10:{number % 60:02d}:00Z#{number:06d}"
    item = {
        "PK": s(f"CASE#c{number:06d}"),
        "SK": s("#CASE"),
        "entity": s("case"),
        "id": s(f"c{number:06d}"),
        "number": s(f"2026-{number:06d}"),
        "number_pk": s(f"N#2026-{number:06d}"),
        "customer_pk": s(f"CUST#k{number % 7}"),
        "created_sk": s(created),
        "queue_pk": s(f"Q#{group}#{status}"),
        "priority_sk": s(f"{number % 4}#2026-02-{1 + number % 27:02d}#c{number:06d}"),
        "version": n(1),
        "subject": s(f"Kargom gelmedi {number}"),
    }
    for key, value in extra.items():
        item[key] = value
    return item


def history(number: int, at: str) -> dict[str, Any]:
    return {
        "PK": s(f"CASE#c{number:06d}"),
        "SK": s(f"H#{at}#h{number}"),
        "number_pk": s(f"N#2026-{number:06d}"),
        "entity": s("history"),
        "kind": s("opened"),
    }


def key(item: dict[str, Any]) -> dict[str, Any]:
    return {"PK": item["PK"], "SK": item["SK"]}


def get(db: Db, k: dict[str, Any]) -> dict[str, Any] | None:
    return db.client.get_item(TableName=db.name, Key=k, ConsistentRead=True).get("Item")


def put(db: Db, item: dict[str, Any]) -> None:
    db.client.put_item(TableName=db.name, Item=item)


def query(db: Db, **kwargs: Any) -> dict[str, Any]:
    return answer(db.client.query, TableName=db.name, **kwargs)


def queue(db: Db, partition: str, index: str = "queue_priority", **kwargs: Any) -> dict[str, Any]:
    names = {"#pk": "queue_pk", **kwargs.pop("names", {})}
    values = {":pk": s(partition), **kwargs.pop("values", {})}
    condition = "#pk = :pk" + kwargs.pop("also", "")
    return query(
        db,
        IndexName=index,
        KeyConditionExpression=condition,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        **kwargs,
    )


def ids(page: dict[str, Any]) -> list[str]:
    """The case ids of a page, from the table key every index projects (`CASE#<id>`)."""
    return [i["PK"]["S"].removeprefix("CASE#") for i in page.get("Items", [])]


def transact(db: Db, *actions: dict[str, Any]) -> dict[str, Any]:
    wire = []
    for action in actions:
        ((kind, params),) = action.items()
        wire.append({kind: {"TableName": db.name, **params}})
    return answer(db.client.transact_write_items, TransactItems=wire)


# ---- conditional single-item writes --------------------------------------------------------


@scenario
def conditional_put(db: Db) -> list[Any]:
    item = case(1)
    first = answer(
        db.client.put_item, TableName=db.name, Item=item,
        ConditionExpression="attribute_not_exists(PK)",
    )  # fmt: skip
    again = answer(
        db.client.put_item, TableName=db.name, Item={**item, "subject": s("başka")},
        ConditionExpression="attribute_not_exists(PK)",
        ReturnValuesOnConditionCheckFailure="ALL_OLD",
    )  # fmt: skip
    assert first == {}
    assert again["error"] == "ConditionalCheckFailedException"
    assert again["item"]["subject"] == s("Kargom gelmedi 1")
    assert get(db, key(item))["subject"] == s("Kargom gelmedi 1")
    return [first, again, get(db, key(item))]


@scenario
def conditional_update_moves_between_index_partitions(db: Db) -> list[Any]:
    put(db, case(2))
    claim = {
        "TableName": db.name,
        "Key": key(case(2)),
        "UpdateExpression": "SET version = :next, queue_pk = :q, agent_pk = :a, created_sk = :c",
        "ConditionExpression": "version = :expected",
        "ExpressionAttributeValues": {
            ":next": n(2),
            ":expected": n(1),
            ":q": s("Q#urun#in_progress"),
            ":a": s("A#mehmet#active"),
            ":c": case(2)["created_sk"],
        },  # fmt: skip
        "ReturnValues": "ALL_NEW",
    }
    claimed = answer(db.client.update_item, **claim)
    stale = answer(db.client.update_item, **claim, ReturnValuesOnConditionCheckFailure="ALL_OLD")
    open_pool = queue(db, "Q#urun#open")
    in_progress = queue(db, "Q#urun#in_progress")
    mine = query(
        db, IndexName="agent_newest", KeyConditionExpression="agent_pk = :a",
        ExpressionAttributeValues={":a": s("A#mehmet#active")},
    )  # fmt: skip
    assert claimed["Attributes"]["version"] == n(2)
    assert stale["error"] == "ConditionalCheckFailedException"
    assert stale["item"]["version"] == n(2)
    assert ids(open_pool) == [] and ids(in_progress) == ["c000002"] and ids(mine) == ["c000002"]
    return [claimed, stale, open_pool, in_progress, mine]


@scenario
def update_removing_an_index_key_leaves_the_sparse_index(db: Db) -> list[Any]:
    put(db, case(3, timer_pk=s("SLA"), timer_sk=s("2026-01-01T00:00:00Z#c000003")))
    due = query(
        db, IndexName="sla_timer", KeyConditionExpression="timer_pk = :p AND timer_sk <= :now",
        ExpressionAttributeValues={":p": s("SLA"), ":now": s("2026-06-01")},
    )  # fmt: skip
    removed = answer(
        db.client.update_item, TableName=db.name, Key=key(case(3)),
        UpdateExpression="REMOVE timer_pk, timer_sk", ReturnValues="ALL_NEW",
    )  # fmt: skip
    after = query(
        db, IndexName="sla_timer", KeyConditionExpression="timer_pk = :p AND timer_sk <= :now",
        ExpressionAttributeValues={":p": s("SLA"), ":now": s("2026-06-01")},
    )  # fmt: skip
    # KEYS_ONLY: the index's keys and the table's, nothing else
    assert due["Items"] == [
        {"PK": s("CASE#c000003"), "SK": s("#CASE"), "timer_pk": s("SLA"),
         "timer_sk": s("2026-01-01T00:00:00Z#c000003")}
    ]  # fmt: skip
    assert after["Items"] == [] and after["Count"] == 0
    return [due, removed, after]


@scenario
def conditional_delete(db: Db) -> list[Any]:
    put(db, case(4))
    deleted = answer(
        db.client.delete_item, TableName=db.name, Key=key(case(4)),
        ConditionExpression="attribute_exists(PK)", ReturnValues="ALL_OLD",
    )  # fmt: skip
    again = answer(
        db.client.delete_item, TableName=db.name, Key=key(case(4)),
        ConditionExpression="attribute_exists(PK)",
    )  # fmt: skip
    pool = queue(db, "Q#urun#open")
    assert deleted["Attributes"]["id"] == s("c000004")
    assert again["error"] == "ConditionalCheckFailedException"
    assert pool["Items"] == []
    return [deleted, again, pool]


@scenario
def atomic_counter_with_add(db: Db) -> list[Any]:
    k = {"PK": s("RATE#/catalog#127.0.0.1"), "SK": s("29000000")}
    hits = [
        answer(
            db.client.update_item, TableName=db.name, Key=k,
            UpdateExpression="ADD hits :one SET expires_at = if_not_exists(expires_at, :ttl)",
            ConditionExpression="attribute_not_exists(hits) OR hits < :max",
            ExpressionAttributeValues={":one": n(1), ":max": n(2), ":ttl": n(1_800_000_000)},
            ReturnValues="UPDATED_NEW",
        )
        for _ in range(3)
    ]  # fmt: skip
    assert [h.get("Attributes", {}).get("hits") for h in hits[:2]] == [n(1), n(2)]
    assert hits[2]["error"] == "ConditionalCheckFailedException"
    return hits


@scenario
def case_number_blocks_with_add(db: Db) -> list[Any]:
    """store/case_numbers.py: a block reserved with an unconditional ADD, from no item."""
    k = {"PK": s("COUNTER"), "SK": s("CASE#2026")}
    blocks = [
        answer(db.client.update_item, TableName=db.name, Key=k, UpdateExpression="ADD seq :size",
               ExpressionAttributeValues={":size": n(size)}, ReturnValues="UPDATED_NEW")
        for size in (1, 2, 64)
    ]  # fmt: skip
    assert [b["Attributes"]["seq"] for b in blocks] == [n(1), n(3), n(67)]
    return blocks


@scenario
def every_attribute_type_comes_back_as_written(db: Db) -> list[Any]:
    item = {
        **case(11),
        # in an index that projects every attribute (the queues' project the keys only)
        "catalog_pk": s("Q#urun#open"),
        "catalog_sk": s("c000011"),
        "blob": {"B": b"\x00\xffikili"},
        "blobs": {"BS": [b"a", b"\x01\x02"]},
        "names": {"SS": ["Ayşe", "Çağrı"]},
        "counts": {"NS": ["1", "2.50", "-3"]},
        "price": {"N": "12.340"},
        "flag": {"BOOL": False},
        "nothing": {"NULL": True},
        "empty_text": {"S": ""},
        "nested": {"M": {
            "list": {"L": [{"S": "ğ"}, {"N": "0"}, {"NULL": True}, {"M": {}}, {"L": []},
                           {"B": b"\x10"}, {"BOOL": True}]},
            "map": {"M": {"deep": {"M": {"x": {"SS": ["y"]}}}}},
        }},
    }  # fmt: skip
    put(db, item)
    got = get(db, key(item))
    page = queue(db, "Q#urun#open", index="catalog", names={"#pk": "catalog_pk"}, values={})
    updated = answer(
        db.client.update_item, TableName=db.name, Key=key(item), ReturnValues="ALL_OLD",
        UpdateExpression="SET nested.#l[7] = :b REMOVE flag",
        ExpressionAttributeNames={"#l": "list"}, ExpressionAttributeValues={":b": {"B": b"z"}},
    )  # fmt: skip
    reasons = transact(
        db, {"ConditionCheck": {"Key": key(item), "ConditionExpression": "attribute_not_exists(PK)",
                                "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
    )  # fmt: skip
    assert got == item
    assert page["Items"] == [item]
    assert updated["Attributes"] == item
    assert reasons["reasons"][0]["Item"]["blob"] == {"B": b"\x00\xffikili"}
    return [got, page, updated, reasons, get(db, key(item))]


@scenario
def item_size_limit_to_the_byte(db: Db) -> list[Any]:
    # moto counts attribute names and values: PK+1, SK+1, big+n = 9+n bytes; its limit is
    # 405,000 (DynamoDB's 400 KB plus what moto measured DynamoDB to accept)
    at_limit = {"PK": s("P"), "SK": s("S"), "big": s("x" * 404_991)}
    over = {"PK": s("P"), "SK": s("T"), "big": s("x" * 404_992)}
    answers = [answer(db.client.put_item, TableName=db.name, Item=i) for i in (at_limit, over)]
    grown = answer(
        db.client.update_item, TableName=db.name, Key=key(at_limit),
        UpdateExpression="SET more = :m", ExpressionAttributeValues={":m": s("y")},
    )  # fmt: skip
    assert answers[0] == {} and answers[1]["error"] == "ValidationException"
    assert grown["error"] == "ValidationException"
    return [*answers, grown, get(db, key(over)) is None]


# ---- transactions ---------------------------------------------------------------------------


def _open_case(number: int, seq_guess: int | None) -> list[dict[str, Any]]:
    counter: dict[str, Any] = {
        "Key": {"PK": s("COUNTER"), "SK": s("CASE#2026")},
        "UpdateExpression": "SET seq = :next",
        "ExpressionAttributeValues": {":next": n(number)},
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
    }
    if seq_guess is None:
        counter["ConditionExpression"] = "attribute_not_exists(seq)"
    else:
        counter["ConditionExpression"] = "seq = :guess"
        counter["ExpressionAttributeValues"][":guess"] = n(seq_guess)
    return [
        {"Update": counter},
        {"Put": {"Item": case(number), "ConditionExpression": "attribute_not_exists(PK)",
                 "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}},
        {"Put": {"Item": history(number, "2026-01-01T10:00:00Z"),
                 "ConditionExpression": "attribute_not_exists(PK)"}},
    ]  # fmt: skip


@scenario
def transaction_commits_every_action(db: Db) -> list[Any]:
    done = transact(db, *_open_case(1, None))
    by_number = query(
        db, IndexName="by_number", KeyConditionExpression="number_pk = :n",
        ExpressionAttributeValues={":n": s("N#2026-000001")},
    )  # fmt: skip
    counter = get(db, {"PK": s("COUNTER"), "SK": s("CASE#2026")})
    assert "error" not in done
    assert [i["SK"]["S"] for i in by_number["Items"]] == ["#CASE", "H#2026-01-01T10:00:00Z#h1"]
    assert counter["seq"] == n(1)
    return [done, by_number, counter]


@scenario
def cancelled_transaction_says_why_and_changes_nothing(db: Db) -> list[Any]:
    transact(db, *_open_case(1, None))
    put(db, case(9, subject=s("önce")))
    put(db, case(8))
    before = [get(db, k) for k in (key(case(1)), key(case(8)), key(case(9)))]
    # a stale counter guess, after an update, a delete and a replacing put that all
    # succeeded: each is undone, and the reasons say which action failed, with its item
    cancelled = transact(
        db,
        {"Update": {"Key": key(case(9)), "UpdateExpression": "SET subject = :s, queue_pk = :q",
                    "ExpressionAttributeValues": {":s": s("sonra"), ":q": s("Q#finans#open")}}},
        {"Delete": {"Key": key(case(8))}},
        {"Put": {"Item": case(1, group="teslimat")}},
        *_open_case(2, 0)[:1],
        {"ConditionCheck": {"Key": key(case(7)), "ConditionExpression": "attribute_exists(PK)"}},
    )  # fmt: skip
    after = [get(db, k) for k in (key(case(1)), key(case(8)), key(case(9)))]
    pools = [queue(db, q) for q in ("Q#urun#open", "Q#finans#open", "Q#teslimat#open")]
    assert cancelled["error"] == "TransactionCanceledException"
    assert [r["Code"] for r in cancelled["reasons"]] == [
        "None", "None", "None", "ConditionalCheckFailed", "ConditionalCheckFailed"
    ]  # fmt: skip
    assert cancelled["reasons"][3]["Item"]["seq"] == n(1)  # the old value, for the retry
    assert "Item" not in cancelled["reasons"][4]  # nothing there to return
    assert after == before
    assert ids(pools[0]) == ["c000008", "c000001", "c000009"]  # by priority_sk, as before
    assert ids(pools[1]) == [] and ids(pools[2]) == []
    return [cancelled, after, pools]


@scenario
def transaction_retry_with_the_returned_counter(db: Db) -> list[Any]:
    transact(db, *_open_case(1, None))
    stale = transact(db, *_open_case(2, None))
    guess = int(stale["reasons"][0]["Item"]["seq"]["N"])
    retried = transact(db, *_open_case(guess + 1, guess))
    assert [r["Code"] for r in stale["reasons"]] == ["ConditionalCheckFailed", "None", "None"]
    assert "error" not in retried
    return [stale, guess, retried, get(db, {"PK": s("COUNTER"), "SK": s("CASE#2026")})]


@scenario
def transaction_refuses_two_actions_on_one_item(db: Db) -> list[Any]:
    put(db, case(5))
    refused = transact(
        db,
        {"Update": {"Key": key(case(5)), "UpdateExpression": "SET subject = :s",
                    "ExpressionAttributeValues": {":s": s("x")}}},
        {"ConditionCheck": {"Key": key(case(5)), "ConditionExpression": "attribute_exists(PK)"}},
    )  # fmt: skip
    assert refused["error"] == "ValidationException"
    assert get(db, key(case(5)))["subject"] == s("Kargom gelmedi 5")  # the update was undone
    return [refused, get(db, key(case(5)))]


@scenario
def transaction_of_100_actions_and_not_101(db: Db) -> list[Any]:
    puts = [{"Put": {"Item": case(i)}} for i in range(101)]
    too_many = transact(db, *puts)
    nothing = queue(db, "Q#urun#open", Select="COUNT")
    hundred = transact(db, *puts[:100])
    counted = queue(db, "Q#urun#open", Select="COUNT")
    assert too_many["error"] == "ValidationException"
    assert nothing["Count"] == 0 and "Items" not in nothing
    assert "error" not in hundred and counted["Count"] == 100
    return [too_many, nothing, hundred, counted]


@scenario
def item_over_400_kb_is_refused_in_a_transaction_and_alone(db: Db) -> list[Any]:
    big = case(6, description=s("ş" * 205_000))  # 410,000 bytes of UTF-8
    put(db, case(5))
    in_transaction = transact(
        db,
        {"Update": {"Key": key(case(5)), "UpdateExpression": "SET subject = :s",
                    "ExpressionAttributeValues": {":s": s("değişti")}}},
        {"Put": {"Item": big}},
    )  # fmt: skip
    alone = answer(db.client.put_item, TableName=db.name, Item=big)
    assert in_transaction["error"] == "ValidationException"
    assert alone["error"] == "ValidationException"
    assert get(db, key(case(6))) is None
    assert get(db, key(case(5)))["subject"] == s("Kargom gelmedi 5")
    return [in_transaction, alone, get(db, key(case(5)))]


# ---- queries ------------------------------------------------------------------------------


def _fill(db: Db, count: int = 40) -> None:
    items = []
    for i in range(count):
        status = "open" if i % 3 else "in_progress"
        items.append(case(i, group="urun" if i % 2 else "teslimat", status=status))
        items.append(history(i, f"2026-01-01T10:{i % 60:02d}:00Z"))
    for at in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[at : at + 25]]
        db.client.batch_write_item(RequestItems={db.name: batch})


@scenario
def key_conditions_on_an_index(db: Db) -> list[Any]:
    _fill(db)
    pages = {}
    conditions = {
        "=": (" AND #sk = :a", {":a": s("1#2026-02-02#c000001")}),
        "begins_with": (" AND begins_with(#sk, :a)", {":a": s("2#")}),
        "between": (" AND #sk BETWEEN :a AND :b", {":a": s("1#"), ":b": s("2#2026-02-15")}),
        "<": (" AND #sk < :a", {":a": s("1#2026-02-10")}),
        "<=": (" AND #sk <= :a", {":a": s("1#2026-02-02#c000001")}),
        ">": (" AND #sk > :a", {":a": s("2#2026-02-10")}),
        ">=": (" AND #sk >= :a", {":a": s("3#2026-02-04#c000003")}),
    }
    for label, (also, values) in conditions.items():
        for forward in (True, False):
            pages[f"{label} {forward}"] = queue(
                db, "Q#urun#open", also=also, names={"#sk": "priority_sk"}, values=values,
                ScanIndexForward=forward,
            )  # fmt: skip
    assert ids(pages["= True"]) == ["c000001"]
    assert all(i["priority_sk"]["S"].startswith("2#") for i in pages["begins_with True"]["Items"])
    assert ids(pages["begins_with False"]) == list(reversed(ids(pages["begins_with True"])))
    assert all(i["priority_sk"]["S"] < "1#2026-02-10" for i in pages["< True"]["Items"])
    ordered = [i["priority_sk"]["S"] for i in pages["between True"]["Items"]]
    assert (
        ordered == sorted(ordered) and ordered and all("1#" <= o <= "2#2026-02-15" for o in ordered)
    )
    return [pages[k] for k in sorted(pages)]


@scenario
def key_conditions_on_the_table(db: Db) -> list[Any]:
    _fill(db, 5)
    for i in range(5):
        put(db, history(1, f"2026-01-0{i + 2}T09:00:00Z"))
    answers = []
    for condition, values in (
        ("PK = :pk", {}),
        ("PK = :pk AND begins_with(SK, :h)", {":h": s("H#")}),
        ("PK = :pk AND SK BETWEEN :a AND :b", {":a": s("H#2026-01-03"), ":b": s("H#2026-01-05")}),
        ("PK = :pk AND SK < :a", {":a": s("H#2026-01-04")}),
        ("PK = :pk AND SK >= :a", {":a": s("H#2026-01-04")}),
    ):
        for forward in (True, False):
            answers.append(query(
                db, KeyConditionExpression=condition, ScanIndexForward=forward,
                ExpressionAttributeValues={":pk": s("CASE#c000001"), **values}, ConsistentRead=True,
            ))  # fmt: skip
    assert [i["SK"]["S"] for i in answers[0]["Items"]][0] == "#CASE"  # '#' sorts before 'H'
    assert answers[2]["Count"] == 6  # five entries and the one _fill wrote
    return answers


@scenario
def filter_applies_after_limit(db: Db) -> list[Any]:
    _fill(db)
    page = queue(
        db, "Q#urun#open", Limit=5, FilterExpression="contains(subject, :one)",
        values={":one": s("1")},
    )  # fmt: skip
    # DynamoDB reads Limit items, then filters: Count counts what passed, ScannedCount what was read
    assert page["ScannedCount"] == 5
    assert page["Count"] == len(page["Items"]) <= 5
    assert "LastEvaluatedKey" in page
    return [page]


@scenario
def pages_forward_and_backward_cover_the_partition_once(db: Db) -> list[Any]:
    _fill(db)
    transcript = []
    for forward in (True, False):
        seen, start = [], None
        while True:
            extra = {"ExclusiveStartKey": start} if start else {}
            page = queue(db, "Q#urun#open", Limit=4, ScanIndexForward=forward, **extra)
            transcript.append(page)
            seen += ids(page)
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        whole = queue(db, "Q#urun#open", ScanIndexForward=forward)
        assert seen == ids(whole)
        assert len(seen) == len(set(seen)) == 13
    assert set(transcript[-1]["Items"][0]) >= {"PK", "SK"}
    first = transcript[0]["LastEvaluatedKey"]
    assert set(first) == {"PK", "SK", "queue_pk", "priority_sk"}  # table and index keys
    return transcript


@scenario
def pages_of_a_range_and_of_a_customer(db: Db) -> list[Any]:
    _fill(db)
    transcript = []
    start = None
    while True:
        extra = {"ExclusiveStartKey": start} if start else {}
        page = query(
            db, IndexName="by_customer",
            KeyConditionExpression="customer_pk = :c AND created_sk < :t",
            ExpressionAttributeValues={":c": s("CUST#k3"), ":t": s("2026-01-20")},
            ScanIndexForward=False, Limit=2, **extra,
        )  # fmt: skip
        transcript.append(page)
        start = page.get("LastEvaluatedKey")
        if not start:
            break
    created = [i["created_sk"]["S"] for p in transcript for i in p["Items"]]
    assert created == sorted(created, reverse=True) and all(c < "2026-01-20" for c in created)
    return transcript


@scenario
def keys_only_indexes_hold_only_the_keys(db: Db) -> list[Any]:
    """Every KEYS_ONLY index of infra/template.yaml (the lists' indexes among them: their
    queries read the items after, store/dynamo.py) answers with its own key attributes and
    the table's, nothing of the item beside them; an INCLUDE index adds what it names."""
    item = case(21, due_pk=s("DUE"), due_sk=s("2026-01-05#c000021"), agent_pk=s("A#ayse#active"),
                timer_pk=s("SLA"), timer_sk=s("2026-01-05#c000021"), outbox_pk=s("OUTBOX"),
                outbox_sk=s("2026-01-05#c000021"), unrouted_pk=s("UNROUTED"),
                sla_clock={"M": {"due": s("2026-01-05")}}, unread={"N": "3"})  # fmt: skip
    put(db, item)
    seen = []
    for gsi in table_properties()["GlobalSecondaryIndexes"]:
        projection = gsi["Projection"]
        if projection["ProjectionType"] == "ALL":
            continue
        hash_attr = next(k["AttributeName"] for k in gsi["KeySchema"] if k["KeyType"] == "HASH")
        page = query(db, IndexName=gsi["IndexName"], KeyConditionExpression="#h = :h",
                     ExpressionAttributeNames={"#h": hash_attr},
                     ExpressionAttributeValues={":h": item[hash_attr]})  # fmt: skip
        expected = {"PK", "SK", *(k["AttributeName"] for k in gsi["KeySchema"]),
                    *projection.get("NonKeyAttributes", ())}  # fmt: skip
        assert [set(i) for i in page["Items"]] == [expected], gsi["IndexName"]
        assert page["Items"][0] == {k: v for k, v in item.items() if k in expected}
        seen.append(page)
    names = [g["IndexName"] for g in table_properties()["GlobalSecondaryIndexes"]
             if g["Projection"]["ProjectionType"] == "KEYS_ONLY"]  # fmt: skip
    assert {"by_number", "by_customer", "queue_newest", "queue_priority", "agent_newest",
            "agent_priority", "overdue", "sla_timer", "outbox"} <= set(names)  # fmt: skip
    return seen


@scenario
def select_count_and_projections(db: Db) -> list[Any]:
    _fill(db)
    put(db, case(90, status="new", unrouted_pk=s("UNROUTED")))
    counted = queue(db, "Q#urun#open", Select="COUNT")
    counted_range = queue(
        db, "Q#urun#open", Select="COUNT", also=" AND begins_with(priority_sk, :p)",
        values={":p": s("1#")},
    )  # fmt: skip
    unrouted = query(
        db, IndexName="unrouted", KeyConditionExpression="unrouted_pk = :u AND created_sk < :t",
        ExpressionAttributeValues={":u": s("UNROUTED"), ":t": s("2027")},
    )  # fmt: skip
    projected = queue(db, "Q#urun#open", Limit=2, ProjectionExpression="PK, #n",
                      names={"#n": "number"})  # fmt: skip
    assert counted["Count"] == 13 and "Items" not in counted
    assert 0 < counted_range["Count"] < 13
    # INCLUDE: the keys and the named attributes only
    assert set(unrouted["Items"][0]) == {"PK", "SK", "unrouted_pk", "created_sk", "id", "number"}
    # KEYS_ONLY: a ProjectionExpression gets what the index holds of it (no `number`)
    assert all(set(i) == {"PK"} for i in projected["Items"])
    return [counted, counted_range, unrouted, projected]


@scenario
def query_of_an_empty_or_missing_partition(db: Db) -> list[Any]:
    _fill(db, 3)
    answers = [
        queue(db, "Q#nobody#open"),
        query(db, KeyConditionExpression="PK = :p", ExpressionAttributeValues={":p": s("NONE")}),
        queue(db, "Q#urun#open", also=" AND priority_sk > :z", values={":z": s("9")}),
    ]
    assert all(a["Items"] == [] and a["Count"] == 0 for a in answers)
    return answers


@scenario
def ttl_attribute_is_kept_and_described(db: Db) -> list[Any]:
    k = {"PK": s("POST#x#abc"), "SK": s("#POST")}
    put(db, {**k, "expires_at": n(1_900_000_000)})
    described = answer(db.client.describe_time_to_live, TableName=db.name)
    item = get(db, k)
    assert described["TimeToLiveDescription"] == {
        "TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"
    }  # fmt: skip
    assert item["expires_at"] == n(1_900_000_000)
    return [described, item]


@scenario
def stream_records_changes_and_not_cancelled_ones(db: Db) -> list[Any]:
    put(db, case(1))
    db.client.update_item(
        TableName=db.name, Key=key(case(1)), UpdateExpression="SET version = :v",
        ExpressionAttributeValues={":v": n(2)},
    )  # fmt: skip
    transact(db, {"Put": {"Item": case(2)}}, {"Delete": {"Key": key(case(1))}})
    transact(
        db, {"Put": {"Item": case(3)}},
        {"ConditionCheck": {"Key": key(case(1)), "ConditionExpression": "attribute_exists(PK)"}},
    )  # fmt: skip
    records = _stream(db)
    shown = [
        (r["eventName"], r["dynamodb"]["Keys"]["PK"]["S"],
         r["dynamodb"].get("OldImage", {}).get("version"),
         r["dynamodb"].get("NewImage", {}).get("version"))
        for r in records
    ]  # fmt: skip
    assert shown == [  # the table's stream carries NEW_IMAGE (infra/template.yaml)
        ("INSERT", "CASE#c000001", None, n(1)),
        ("MODIFY", "CASE#c000001", None, n(2)),
        ("INSERT", "CASE#c000002", None, n(1)),
        ("REMOVE", "CASE#c000001", None, None),
    ]
    return shown


def _stream(db: Db) -> list[dict[str, Any]]:
    from tests.conformance.conftest import client

    arn = db.client.describe_table(TableName=db.name)["Table"]["LatestStreamArn"]
    streams = client(db.endpoint, "dynamodbstreams")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    return streams.get_records(ShardIterator=iterator)["Records"]


# ---- the tests ----------------------------------------------------------------------------


def _name(fn: Callable[..., Any]) -> str:
    return fn.__name__


@pytest.mark.parametrize("run", SCENARIOS, ids=_name)
def test_scenario(db, run) -> None:
    """DynamoDB's answer, on this engine (the assertions inside each scenario)."""
    run(db)


@pytest.mark.parametrize("run", SCENARIOS, ids=_name)
def test_engines_agree(on_each_engine, run) -> None:
    """Stock moto and the fast engine give the same answers, field for field."""
    answers = on_each_engine(run)
    stock, fast = (json.dumps(answers[e], sort_keys=True, default=str) for e in ("stock", "fast"))
    assert fast == stock


def test_transaction_over_4_mb_is_refused(db, engine) -> None:
    """DynamoDB refuses a transaction whose items add up to more than 4 MB; stock moto
    5.2 has no such check (it writes them), the fast engine refuses, as DynamoDB does."""
    items = [case(i, description=s("x" * 390_000)) for i in range(11)]  # 4.3 MB
    refused = transact(db, *({"Put": {"Item": i}} for i in items))
    written = sum(get(db, key(i)) is not None for i in items)
    if engine == "stock":
        assert "error" not in refused and written == 11
        return
    assert refused["error"] == "ValidationException"
    assert "4 MB" in refused["message"]
    assert written == 0
    assert "error" not in transact(db, *({"Put": {"Item": i}} for i in items[:10]))
