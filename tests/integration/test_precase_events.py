"""Pre-case events on DynamoDB (moto server): each move's events are items in the pre-case's
partition, written in the move's own transaction (no extra call), ordered by the pre-case's
version, with a TTL, valid against the published union; a refused or conflicting move
writes none, and reading a pre-case does not read them."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
from pydantic import TypeAdapter

from chalicelib import wiring
from chalicelib.domain.case_change import FileCustomerMessage, change_case
from chalicelib.domain.case_events import CaseEvent
from chalicelib.domain.cases import Actor
from chalicelib.domain.errors import Conflict
from chalicelib.domain.mail_threads import TakenMail
from chalicelib.domain.precases import PreCaseMessage, PreCaseStatus, assigned, finished, received
from chalicelib.store import keys

from .test_mail_cases import precase_of, someone, source
from .test_precases import pooled
from .test_unread import aws_calls

THIRTY_DAYS = 30 * 24 * 3600
MEHMET = Actor(kind="staff", id="mehmet")
#: what an event item holds besides the event (as the stream reader strips it)
STORAGE = {"PK", "SK", "entity", "expires_at"}


def stored(precase_id: str) -> list[dict]:
    return wiring.precase_pool().store.events(precase_id)


def valid(item: dict) -> CaseEvent:
    """The item as a consumer gets it: one of the published models."""
    return TypeAdapter(CaseEvent).validate_python({k: v for k, v in item.items()
                                                   if k not in STORAGE})  # fmt: skip


def test_a_mail_its_follow_up_a_claim_and_the_conversion_write_their_events(as_role, deliver):
    api = as_role("agent")
    address = someone()
    swaps = {"selim.arslan@example.org": address, "ilk-5501": f"ilk-{uuid.uuid4().hex}"}
    pre = precase_of(deliver(source("T01a", swaps, fresh_ids=False)))
    (received,) = stored(pre.id)
    assert received["type"] == "destek.precase.received" and received["id"] == f"{pre.id}.1.0"
    assert (received["PK"], received["SK"]) == (f"PRECASE#{pre.id}", "~EV#00000001#00")
    assert received["precase_id"] == pre.id and "case_id" not in received  # nulls not stored
    published = valid(received).model_dump(mode="json")  # as the stream reader sends it
    assert (published["case_id"], published["case_number"]) == (None, None)
    assert received["data"]["channel"] == "email" and received["data"]["sender_verified"]
    assert received["data"]["customer_id"] is None  # a new address matches nobody
    assert address not in str(received)  # ids and codes only

    deliver(source("T01b", swaps))  # the sender writes again, answering the first mail
    pre = wiring.precase_pool().get(pre.id)
    assert pre.version == 2 and len(pre.messages) == 1
    replied = stored(pre.id)[-1]
    assert replied["type"] == "destek.precase.sender_replied" and replied["sequence"] == 2
    assert replied["data"]["message_id"] == pre.messages[0].id

    assert api.get(f"/precases/{pre.id}").body["version"] == 2  # (and the caller's roles cached)
    calls = aws_calls(lambda: api.post(f"/precases/{pre.id}/claim", {"version": pre.version}))
    assert calls == {"Query": 1, "TransactWriteItems": 1}  # the event adds no call
    claimed = stored(pre.id)[-1]
    assert claimed["type"] == "destek.precase.assigned" and claimed["id"] == f"{pre.id}.3.0"
    assert claimed["data"] == {"assignee": "mehmet", "previous_assignee": None,
                               "how": "claimed"}  # fmt: skip
    assert claimed["actor"] == {"kind": "staff", "id": "mehmet"}

    made = api.post(f"/precases/{pre.id}/case", {"version": 3, "type": "complaint"})
    assert made.status == 201, made.body
    case = made.body["case"]
    # the conversion is told in the case's order, naming the pre-case
    converted = [e for e in wiring.case_service().cases.events(case["id"])
                 if e["type"] == "destek.precase.converted"]  # fmt: skip
    assert [(e["precase_id"], e["case_id"], e["PK"]) for e in converted] == [
        (pre.id, case["id"], f"CASE#{case['id']}")]  # fmt: skip

    events = stored(pre.id)
    assert [e["sequence"] for e in events] == [1, 2, 3]  # nothing more in the pre-case's order
    for item in events:
        assert item["entity"] == "event" and "agent_pk" not in item  # not in the pool either
        assert item.get("queue_pk") != keys.PRECASE_POOL
        assert 0 < item["expires_at"] - time.time() <= THIRTY_DAYS + 60
        assert valid(item).id == item["id"]
    # reading the pre-case (store and API) reads none of them
    assert "destek.precase" not in str(api.get(f"/precases/{pre.id}").body)
    assert "destek.precase" not in str(wiring.precase_pool().get(pre.id).model_dump())


def test_a_pre_case_and_its_event_are_one_write_and_a_repeat_writes_no_second_event():
    pool = wiring.precase_pool()
    first = pooled()
    calls = aws_calls(lambda: pooled())
    assert calls.get("TransactWriteItems") == 1 and set(calls) <= {"GetItem", "TransactWriteItems"}
    (event,) = stored(first["id"])
    assert valid(event).type == "destek.precase.received"
    # the same pre-case again (a retried intake with its stable id) is refused whole
    again = pool.store.get(first["id"])
    with pytest.raises(Conflict) as refused:
        pool.store.add(received(again.model_copy(update={"version": 1})))
    assert refused.value.code == "already_received"
    assert stored(first["id"]) == [event]


def test_spam_and_a_duplicate_are_discarded_and_a_refused_move_writes_nothing(as_role):
    agent = as_role("agent")
    spam, dup, late_dup = pooled(), pooled(), pooled()

    stale = agent.post(f"/precases/{spam['id']}/claim", {"version": 7})
    assert stale.status == 409 and len(stored(spam["id"])) == 1
    aside = agent.post(f"/precases/{spam['id']}/set-aside", {"version": 1, "outcome": "spam"})
    assert aside.status == 200
    discarded = stored(spam["id"])[-1]
    assert discarded["type"] == "destek.precase.discarded" and discarded["sequence"] == 2
    assert discarded["data"]["reason_code"] == "spam"
    assert discarded["data"]["status_from"] == "pooled"
    late = agent.post(f"/precases/{spam['id']}/claim", {"version": 2})
    assert late.status == 409 and len(stored(spam["id"])) == 2  # finished: nothing more

    opened = agent.post("/cases", {"customer": {"phone": "+90 532 700 11 23", "name": "Ali"},
                                   "type": "question", "subject": "s",
                                   "description": "d"}).body  # fmt: skip
    marked = agent.post(f"/precases/{dup['id']}/set-aside",
                        {"version": 1, "outcome": "duplicate",
                         "duplicate_of": opened["number"]})  # fmt: skip
    assert marked.status == 200, marked.body
    item = stored(dup["id"])[-1]
    assert item["type"] == "destek.precase.discarded" and valid(item).case_id is None
    assert item["data"]["reason_code"] == "duplicate"
    assert (item["data"]["duplicate_of_case_id"], item["data"]["duplicate_of_case_number"]) == (
        opened["id"], opened["number"])  # fmt: skip
    merged = wiring.case_service().cases.events(opened["id"])[-1]
    assert merged["type"] == "destek.case.customer_replied"
    assert merged["data"]["merged_from_precase_id"] == dup["id"]

    # a duplicate's end rides in the case's transaction: when the pre-case moved meanwhile,
    # the whole transaction is cancelled, the case's event and the pre-case's with it
    pre = wiring.precase_pool().store.get(late_dup["id"])
    wiring.precase_pool().store.save(assigned(pre, "mehmet", MEHMET, datetime.now(UTC)))
    store = wiring.case_service().cases
    case = store.get(opened["id"]).case
    done = finished(pre, PreCaseStatus.DUPLICATE, MEHMET, datetime.now(UTC),
                    case_id=case.id, duplicate_of=case.number)  # fmt: skip
    change = change_case(case, FileCustomerMessage(body="tekrar", author=Actor(
        kind="customer", id=case.customer_id)), MEHMET, datetime.now(UTC))  # fmt: skip
    meaning = Conflict("moved", code="version_conflict")
    before = store.events(case.id)
    with pytest.raises(Conflict):
        store.apply(change, also=[(op, meaning) for op in
                                  wiring.precase_pool().store.save_operations(done)])  # fmt: skip
    assert store.events(case.id) == before
    assert [e["type"] for e in stored(pre.id)] == ["destek.precase.received",
                                                   "destek.precase.assigned"]  # fmt: skip


def test_two_moves_from_one_version_write_the_first_ones_event_only():
    pool = wiring.precase_pool()
    pre = pool.store.get(pooled()["id"])
    at = datetime.now(UTC)
    first = assigned(pre, "mehmet", MEHMET, at)
    second = assigned(pre, "ayse", Actor(kind="staff", id="selin"), at)
    assert first.events[0].id == second.events[0].id  # the same place in the order
    pool.store.save(first)
    with pytest.raises(Conflict) as lost:
        pool.store.save(second)
    assert lost.value.code == "version_conflict"
    events = stored(pre.id)
    assert [e["data"].get("assignee") for e in events] == [None, "mehmet"]


def test_a_follow_up_at_a_stale_version_is_refused_whole_and_the_intake_joins_again():
    pool = wiring.precase_pool()
    pre = pool.store.get(pooled()["id"])
    pool.store.save(assigned(pre, "mehmet", MEHMET, datetime.now(UTC)))
    message = PreCaseMessage(id=f"m-{uuid.uuid4().hex}", received_at=datetime.now(UTC),
                             subject="Re: Soru", text="Ek bilgi")  # fmt: skip
    taken = TakenMail(key=f"mk-{uuid.uuid4().hex}", outcome="follow_up", precase_id=pre.id)
    refs = wiring.mail_intake().refs
    with pytest.raises(Conflict) as moved:
        pool.join(pre, message, [refs.taken_operation(taken)])  # read at 1; it is at 2
    assert moved.value.code == "version_conflict"
    assert pool.get(pre.id).messages == [] and len(stored(pre.id)) == 2
    assert refs.taken(taken.key) is None  # the rider fell with it

    assert wiring.mail_intake()._join(pre, message, taken)  # reads it again and joins
    now = pool.get(pre.id)
    assert now.version == 3 and [m.id for m in now.messages] == [message.id]
    last = stored(pre.id)[-1]
    assert (last["type"], last["sequence"]) == ("destek.precase.sender_replied", 3)
    assert last["SK"] == keys.event_sk(3, 0)
