"""The call log: agents record calls on a customer, on a case, or open a case from a call."""

from __future__ import annotations

import pytest

CALL = {
    "direction": "inbound",
    "started_at": "2026-11-20T10:15:00+03:00",
    "duration_seconds": 240,
    "outcome": "answered",
    "notes": "Kargo gecikmesini sordu",
}


def ahmet(as_role) -> dict:
    return as_role("agent").get("/customers?customer_number=10000001").body


def test_a_call_is_logged_and_listed_newest_first_and_shows_on_the_360(as_role):
    agent = as_role("agent")
    who = agent.post("/customers", {"name": "Arayan Müşteri", "phone": "0537 123 98 76"}).body
    first = agent.post(f"/customers/{who['id']}/calls", CALL)
    assert first.status == 201, first
    call = first.body["call"]
    assert call["number"] == who["phone"] and call["agent"]["id"] == "mehmet"
    later = agent.post(
        f"/customers/{who['id']}/calls",
        {
            **CALL,
            "direction": "outbound",
            "started_at": "2026-11-21T09:00:00Z",
            "number": "0532 999 88 77",
            "outcome": "no_answer",
            "duration_seconds": 0,
        },
    )
    assert later.status == 201 and later.body["call"]["number"] == "+905329998877"
    listed = agent.get(f"/customers/{who['id']}/calls?limit=2").body["items"]
    assert [c["id"] for c in listed] == [later.body["call"]["id"], call["id"]]
    overview = agent.get(f"/customers/{who['id']}/overview").body
    assert overview["calls"][0]["id"] == later.body["call"]["id"]


def test_a_call_opens_a_case_in_one_step(as_role):
    agent, who = as_role("agent"), ahmet(as_role)
    logged = agent.post(
        f"/customers/{who['id']}/calls",
        {
            **CALL,
            "open_case": {
                "type": "complaint",
                "subject": "Kargo gecikti",
                "description": "5 gündür bekliyor",
            },
        },
    )
    assert logged.status == 201, logged
    case = logged.body["case"]
    assert case["channel"] == "phone" and case["customer_id"] == who["id"]
    assert logged.body["call"]["case_id"] == case["id"]


@pytest.mark.parametrize(
    "change",
    [{"duration_seconds": -1}, {"outcome": "hung"}, {"started_at": "2099-01-01T00:00:00Z"},
     {"case_id": "c-nope", "open_case": {"type": "question", "subject": "s",
                                         "description": "d"}}, {"number": "12"}],
)  # fmt: skip
def test_bad_calls_are_refused_and_write_nothing(as_role, change, table_items):
    who = ahmet(as_role)
    before = table_items()
    answer = as_role("agent").post(f"/customers/{who['id']}/calls", {**CALL, **change})
    assert answer.status == 422, answer
    assert table_items() == before


def test_a_call_on_another_customers_case_is_refused(as_role):
    agent = as_role("agent")
    other = agent.get("/customers?customer_number=10000002").body
    case = agent.post("/cases", {"customer": {"customer_id": other["id"]}, "type": "question",
                                 "subject": "s", "description": "d"}).body  # fmt: skip
    answer = agent.post(f"/customers/{ahmet(as_role)['id']}/calls", {**CALL, "case_id": case["id"]})
    assert answer.status == 422, answer
    assert agent.post("/customers/u-nobody/calls", CALL).status == 404


def test_a_call_for_someone_with_no_phone_on_file_needs_the_number_typed(as_role, table_items):
    agent = as_role("agent")
    who = agent.post("/customers", {"name": "Telefonsuz", "email": "telefonsuz@example.com"}).body
    before = table_items()
    refused = agent.post(f"/customers/{who['id']}/calls", CALL)
    assert refused.status == 422 and refused.body["error"]["code"] == "call_needs_number"
    assert table_items() == before
    logged = agent.post(f"/customers/{who['id']}/calls", {**CALL, "number": "0544 321 00 11"})
    assert logged.status == 201, logged
    assert (
        logged.body["call"]["number"] == "+905443210011" and logged.body["call"]["case_id"] is None
    )
