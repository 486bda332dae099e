"""The bench's DynamoDB billing units (bench/units.py) and its cost model (bench/case_life.py),
against the developer guide's rules and examples."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.case_life import PRICES, Life, lines, per_thousand
from bench.units import (
    Index,
    consistent_of,
    index_units,
    indexes_of,
    item_size,
    read_units,
    write_units,
)

KEYS = ("PK", "SK")
QUEUE = Index("queue_newest", ("queue_pk", "queue_sk"), "ALL")
TIMER = Index("sla_timer", ("timer_pk", "timer_sk"), "KEYS_ONLY")
NUMBER = Index("by_number", ("number",), "INCLUDE", ("id",))


def s(text: str) -> dict:
    return {"S": text}


def case(**extra) -> dict:
    return {"PK": s("CASE#1"), "SK": s("CASE"), "number": s("2026-000001"), "id": s("1"),
            "body": s("x" * 300), **extra}  # fmt: skip


def test_sizes_follow_the_guide():
    assert item_size({"name": s("Ayşe")}) == 4 + 5  # UTF-8: ş is two bytes
    assert item_size({"n": {"N": "12345"}}) == 1 + 4  # (5 digits + 1) // 2 + 1
    assert item_size({"b": {"BOOL": True}, "z": {"NULL": True}}) == 4
    assert item_size({"m": {"M": {"a": s("bc")}}}) == 1 + 3 + (1 + 2 + 1)
    assert item_size({"l": {"L": [s("a"), s("b")]}}) == 1 + 3 + 2 * (1 + 1)
    assert item_size(None) == 0


def test_a_write_costs_a_unit_a_kilobyte_of_the_larger_image_and_twice_in_a_transaction():
    small, big = case(), case(body=s("x" * 3000))
    assert write_units(None, small, False) == 1
    assert write_units(small, big, False) == 3  # the larger of before and after
    assert write_units(big, small, False) == 3
    assert write_units(small, None, False) == 1  # a delete: the item before
    assert write_units(small, big, True) == 6  # the guide's "a 3 KB item: six WCUs"


def test_index_writes_follow_the_gsi_rules():
    assert index_units(None, case(), QUEUE, KEYS) == 0  # never in the index
    queued = case(queue_pk=s("Q#urun"), queue_sk=s("2026-12-01"))
    assert index_units(None, queued, QUEUE, KEYS) == 1  # put in
    assert index_units(queued, case(), QUEUE, KEYS) == 1  # taken out
    moved = {**queued, "queue_pk": s("Q#finans")}
    assert index_units(queued, moved, QUEUE, KEYS) == 2  # key changed: out and in
    touched = {**queued, "body": s("y" * 300)}
    assert index_units(queued, touched, QUEUE, KEYS) == 1  # a projected attribute changed
    assert index_units(queued, dict(queued), QUEUE, KEYS) == 0  # nothing changed


def test_an_index_that_does_not_project_a_changed_attribute_costs_nothing():
    timed = case(timer_pk=s("T"), timer_sk=s("2026-12-01T10:00"))
    assert index_units(timed, {**timed, "body": s("changed")}, TIMER, KEYS) == 0
    assert index_units(timed, {**timed, "id": s("2")}, NUMBER, KEYS) == 1  # INCLUDE keeps id
    assert index_units(case(), {**case(), "body": s("z")}, NUMBER, KEYS) == 0


def test_reads_cost_a_unit_per_4_kb_half_when_eventually_consistent():
    assert read_units([100], consistent=False) == 0.5
    assert read_units([100], consistent=True) == 1
    assert read_units([], consistent=False) == 0.5  # nothing found still costs the minimum
    assert read_units([3000, 3000], consistent=False) == 1.0  # a Query adds sizes, then rounds
    assert read_units([100], consistent=False, transactional=True) == 2


def test_indexes_are_read_from_the_table_description():
    description = {
        "KeySchema": [{"AttributeName": "PK"}, {"AttributeName": "SK"}],
        "GlobalSecondaryIndexes": [
            {"IndexName": "by_number", "KeySchema": [{"AttributeName": "number"}],
             "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["id"]}},
        ],
    }  # fmt: skip
    assert indexes_of(description) == (KEYS, [NUMBER])


def test_the_cost_model_prices_what_was_counted():
    life = Life(lives=2, api_requests=14, emails=10, staff_emails=4, sms=2, events=20,
                gb_seconds=2.0,
                invocations=Counter(api_handler=14, route_cases=2),
                sqs_messages=Counter(route_cases=2), sqs_first_receives=2, sqs_sent_by_app=2,
                sqs_poller=Counter(ReceiveMessage=2, DeleteMessageBatch=2),
                calls=Counter({"sqs:SendMessage": 2}))  # fmt: skip
    life.units.table_writes, life.units.reads = 400, 100
    life.units.index_writes["queue_newest"] = 60
    costs = per_thousand(life)
    wru = PRICES["dynamodb_writes"][0] / 1_000_000
    assert costs["DynamoDB writes, table"] == pytest.approx(200 * wru * 1000)
    assert costs["DynamoDB writes, indexes"] == pytest.approx(30 * wru * 1000)
    assert costs["SES (the emails themselves)"] == pytest.approx(5 * 0.10)
    # a send, a receive and a delete a message when each goes alone
    assert costs["SQS"] == pytest.approx(3 * 1 * 0.40 / 1_000_000 * 1000)
    shown = "\n".join(lines(life))
    assert "| DynamoDB write units: table | 200.0 |" in shown
    assert "queue_newest 30.0" in shown
    # a case life's messages: all of them, and the customer's apart from the staff's
    assert "| emails / SMS, all | 5.0 / 1.0 |" in shown
    assert "| emails to the customer / to staff | 3.0 / 2.0 |" in shown


def test_sqs_is_counted_a_request_per_call_not_per_message():
    """AWS bills SQS per request: a receive or a DeleteMessageBatch of ten messages is one,
    an EventBridge rule's delivery one per message. 25 messages a rule delivered, handled in
    one batch (three receives, three deletes), and two messages the app sent (a receive and
    a delete each): 25 + 2 sends, 3 + 2 receives, 3 + 2 deletes, 37 requests, not
    3 x 27 = 81."""
    from bench.case_life import sqs_requests

    life = Life(lives=1, sqs_messages=Counter(index_search=25, route_cases=2),
                sqs_first_receives=27, sqs_sent_by_app=2,
                sqs_poller=Counter(ReceiveMessage=5, DeleteMessageBatch=5),
                calls=Counter({"sqs:SendMessage": 2}))  # fmt: skip
    assert sqs_requests(life) == {"the app's calls": 2, "rules' deliveries": 25,
                                  "receives": 5, "deletes": 5}  # fmt: skip
    assert per_thousand(life)["SQS"] == pytest.approx(37 * 0.40 / 1_000_000 * 1000)
    shown = "\n".join(lines(life))
    assert "| SQS requests (the app's calls / rules' deliveries / receives / deletes) |" \
           " 37.0 (2.0 / 25.0 / 5.0 / 5.0) |" in shown  # fmt: skip


def test_a_batch_get_is_consistent_when_its_table_asks():
    """BatchGetItem carries ConsistentRead per table (the lists' items after a keys-only
    page are read so): billed whole, not half."""
    assert consistent_of({"RequestItems": {"t": {"Keys": [], "ConsistentRead": True}}})
    assert not consistent_of({"RequestItems": {"t": {"Keys": []}}})
    assert consistent_of({"ConsistentRead": True}) and not consistent_of({"TableName": "t"})
