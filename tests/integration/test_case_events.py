"""Case events on DynamoDB (moto server): each change's events are items in the case's
partition, written in the change's own transaction (no extra call), ordered, with a TTL;
a refused or conflicting change writes none, and reading a case does not read them."""

from __future__ import annotations

import time

import pytest

from chalicelib.domain.case_change import Claim, change_case
from chalicelib.domain.cases import Actor
from chalicelib.domain.errors import Conflict

from .conftest import open_case
from .test_unread import aws_calls

THIRTY_DAYS = 30 * 24 * 3600


def stored_events(case_id: str) -> list[dict]:
    from chalicelib import wiring

    return wiring.case_service().cases.events(case_id)


def test_each_change_writes_its_events_in_its_own_transaction(as_role, drain_routing):
    agent = as_role("agent")
    case = open_case(agent, customer={"customer_number": "10000001"})
    drain_routing()
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    calls = aws_calls(lambda: agent.post(f"/cases/{case['id']}/claim", {"version": version}))
    assert calls == {"Query": 1, "TransactWriteItems": 1}  # the events add no call
    claimed = agent.get(f"/cases/{case['id']}").body["case"]
    replied = agent.post(f"/cases/{case['id']}/replies",
                         {"version": claimed["version"], "body": "Yenisi yolda"})  # fmt: skip
    assert replied.status == 201, replied

    events = stored_events(case["id"])
    assert [e["type"] for e in events] == [
        "destek.case.opened", "destek.case.routed", "destek.case.status_changed",
        "destek.case.assigned", "destek.case.status_changed", "destek.case.agent_replied",
    ]  # fmt: skip
    assert [e["sequence"] for e in events] == [1, 2, 2, 3, 3, 4]
    assert events[0]["SK"] == "~EV#00000001#00" and events[-1]["SK"] == "~EV#00000004#00"
    assert [e["id"] for e in events[3:5]] == [f"{case['id']}.3.0", f"{case['id']}.3.1"]
    assert {e["case_number"] for e in events} == {case["number"]}
    assert events[3]["data"]["assignee"] == "mehmet" and events[3]["actor"]["id"] == "mehmet"
    assert events[5]["data"] == {"first_response": True}
    for event in events:
        assert event["entity"] == "event" and "number_pk" not in event
        assert 0 < event["expires_at"] - time.time() <= THIRTY_DAYS + 60

    # reading the case (by id and by number) reads none of them
    view = agent.get(f"/cases/{case['number']}").body
    assert "Yenisi yolda" in str(view["history"]) and "destek.case" not in str(view)


def test_a_refused_or_conflicting_change_writes_no_event(as_role, drain_routing):
    agent = as_role("agent")
    case = open_case(agent, customer={"customer_number": "10000001"})
    drain_routing()
    before = stored_events(case["id"])
    current = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    stale = agent.post(f"/cases/{case['id']}/claim", {"version": current - 1})
    assert stale.status == 409 and stale.body["error"]["code"] == "version_conflict"
    refused = agent.post(f"/cases/{case['id']}/status",
                         {"version": current, "status": "resolved"})  # fmt: skip
    assert refused.status == 409 and refused.body["error"]["code"] == "illegal_transition"
    assert stored_events(case["id"]) == before

    # two writers decided from the same version: the transaction of the second is cancelled
    # whole, its events with it
    from chalicelib import wiring

    store = wiring.case_service().cases
    read = store.get(case["id"]).case
    selin = Actor(kind="staff", id="selin")
    first = change_case(read, Claim(may_assign=True), selin, read.updated_at)
    assert [e.type for e in first.events] == ["destek.case.assigned",
                                              "destek.case.status_changed"]  # fmt: skip
    claim = agent.post(f"/cases/{case['id']}/claim", {"version": read.version})
    assert claim.status == 200
    after_claim = stored_events(case["id"])
    with pytest.raises(Conflict) as lost:
        store.apply(first)
    assert lost.value.code == "version_conflict"
    assert stored_events(case["id"]) == after_claim
    assert len(after_claim) == len(before) + 2  # the claim's: assigned, status_changed
    assert {e["actor"]["id"] for e in after_claim[-2:]} == {"mehmet"}


def test_a_change_too_large_for_one_transaction_is_refused_before_any_write(as_role, drain_routing):
    from chalicelib import wiring
    from chalicelib.domain.case_change import FileCustomerMessage
    from chalicelib.domain.cases import EntryKind, HistoryEntry
    from chalicelib.domain.errors import InvalidInput
    from chalicelib.domain.ids import new_id

    agent = as_role("agent")
    case = open_case(agent, customer={"customer_number": "10000001"})
    store = wiring.case_service().cases
    read = store.get(case["id"]).case
    ahmet = Actor(kind="customer", id=read.customer_id)
    lines = [HistoryEntry(id=new_id("h"), case_id=read.id, at=read.updated_at, actor=ahmet,
                          kind=EntryKind.REPLY, body=f"mail {i}") for i in range(99)]  # fmt: skip
    big = change_case(read, FileCustomerMessage(body="x", author=ahmet, carried=lines),
                      Actor(kind="staff", id="mehmet"), read.updated_at)  # fmt: skip
    calls = aws_calls(lambda: pytest.raises(InvalidInput, store.apply, big))
    assert calls == {}  # refused before DynamoDB is asked
    with pytest.raises(InvalidInput) as refused:
        store.apply(big)
    assert refused.value.code == "change_too_large" and refused.value.details["items"] == 102
    assert store.get(case["id"]).case.version == read.version
