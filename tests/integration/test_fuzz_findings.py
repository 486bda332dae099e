"""What the schemathesis run (tests/e2e/test_api_fuzz.py) found answering 500, each now a 4xx
in the one error shape with nothing written; and neighbours of each found by reading the fix."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.store.dynamo import Table

from .conftest import open_case

TINY = 5e-324  # the smallest float: DynamoDB keeps no number nearer zero than 1E-130
HUGE = 10**40  # DynamoDB keeps at most 38 significant digits


def refused(answer, status: int = 422) -> dict:
    assert answer.status == status, answer
    assert set(answer.body["error"]) == {"code", "message", "details"}
    return answer.body["error"]


@pytest.mark.parametrize(
    "policy",
    [
        {"name": "t", "first_response_minutes": TINY, "resolution_minutes": 600},
        {"name": "t", "resolution_minutes": TINY},
        {"name": "t", "resolution_minutes": 600, "remind_at": TINY},
        {"name": "t", "resolution_minutes": 1e-200},
    ],
)
def test_an_sla_target_too_small_to_store_is_refused(as_role, table_items, policy):
    admin = as_role("admin")
    before = table_items()
    refused(admin.post("/sla-policies", policy))
    assert table_items() == before


def test_a_number_the_store_cannot_keep_is_refused_not_a_500(as_role, table_items):
    """The store's guard: PATCH /customers compares the version in DynamoDB's condition."""
    admin = as_role("admin")
    customer = admin.get("/customers?customer_number=10000001").body
    before = table_items()
    error = refused(
        admin.patch(f"/customers/{customer['id']}", {"version": HUGE, "language": "tr"})
    )
    assert "38" in error["message"]
    assert table_items() == before


def test_the_store_refuses_out_of_range_numbers_before_sending():
    table = Table("unused", client=object())  # nothing is sent: it fails while serialising
    for value in (TINY, HUGE, 1e200):
        with pytest.raises(InvalidInput):
            table.ser({"n": value})
    assert table.ser({"n": 0.5, "m": 10**37}) == {"n": {"N": "0.5"}, "m": {"N": str(10**37)}}


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(as_role, table_items, constant):
    before = table_items()
    raw = f'{{"name": "t", "resolution_minutes": {constant}}}'.encode()
    error = refused(as_role("admin").call("POST", "/sla-policies", raw=raw), 400)
    assert error["code"] == "malformed_json"
    assert table_items() == before


@pytest.mark.parametrize(
    ("calendar", "field"),
    [
        ({"name": "x", "opens": "15:43:14+04:39"}, "opens"),
        ({"name": "x", "closes": "18:00:00Z"}, "closes"),
        ({"name": "x", "timezone": "a" * 1000}, "timezone"),
        ({"name": "x", "weekdays": [99]}, "weekdays"),
    ],
)
def test_calendar_hours_with_an_offset_or_a_bad_zone_are_refused(
    as_role, table_items, calendar, field
):
    before = table_items()
    error = refused(as_role("admin").put("/calendars/fuzzed", calendar))
    assert [d["field"] for d in error["details"]] == [field]
    assert "errors.pydantic.dev" not in error["message"]
    assert table_items() == before


def test_null_in_a_customer_change_leaves_the_field_as_it_is(as_role):
    """A null name was saved as no name: the customer then answered 500 to every read."""
    admin = as_role("admin")
    created = admin.post("/customers", {"name": "Boş Değil", "email": "bos.degil@example.com"})
    assert created.status == 201, created
    customer = created.body
    changed = admin.patch(
        f"/customers/{customer['id']}",
        {"version": customer["version"], "name": None, "language": None, "contact": None},
    )
    assert changed.status == 200, changed
    assert changed.body["name"] == "Boş Değil" and changed.body["language"] == "tr"
    again = admin.get(f"/customers/{customer['id']}")
    assert again.status == 200 and again.body["name"] == "Boş Değil"
    assert admin.get(f"/customers/{customer['id']}/overview").status == 200


@pytest.mark.parametrize(
    "contact",
    [
        {"timezone": "Mars/Base"},
        {"timezone": "a" * 1000},
        {"quiet_from": "22:00+03:00", "quiet_until": "08:00"},
    ],
)
def test_contact_preferences_the_notifier_cannot_read_are_refused(as_role, table_items, contact):
    admin = as_role("admin")
    customer = admin.get("/customers?customer_number=10000001").body
    before = table_items()
    error = refused(
        admin.patch(
            f"/customers/{customer['id']}", {"version": customer["version"], "contact": contact}
        )
    )
    assert error["details"][0]["field"] == "contact"
    assert table_items() == before


def test_a_routing_rule_phrase_the_rule_cannot_hold_is_refused(as_role, table_items):
    admin = as_role("admin")
    before = table_items()
    for phrases in (["0"], ["x" * 101]):
        body = {"name": "t", "phrases": phrases, "group_id": "urun"}
        error = refused(admin.post("/routing-rules", body))
        assert error["details"][0]["field"].startswith("phrases")
    assert table_items() == before
    rule = admin.post("/routing-rules", {"name": "t", "phrases": ["ok"], "group_id": "urun"})
    assert rule.status == 201
    assert admin.call("DELETE", f"/routing-rules/{rule.body['id']}").status == 204


def test_a_case_still_opens(as_role):
    open_case(as_role("agent"))  # the guard in the store leaves ordinary writes alone
