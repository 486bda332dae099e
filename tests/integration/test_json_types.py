"""A value of another JSON type than its field's is a 422 on every route family, never
coerced, and writes nothing (api/endpoint.py validates bodies in pydantic's strict JSON
mode): a staff command's `version`, a customer's consent, a shop's order quantity. The
public routes are checked with their own features (test_ratings, test_surveys,
test_knowledge)."""

from __future__ import annotations

import uuid

import pytest

from .test_customer_360 import ORDER
from .test_signed_calls import customer, post, signed


def new_writes(table_items, before: list[dict]) -> list[dict]:
    """Items written since `before`, but rate-limit counters and the signed-call ledger's
    refusals (a refused call is not applied)."""
    return [i for i in table_items() if i not in before
            and not i["PK"]["S"].startswith(("RATE#", "IDEMPOTENCY#"))]  # fmt: skip


@pytest.mark.parametrize("version", [True, "1", 1.0])
def test_a_staff_command_takes_no_coerced_version(as_role, table_items, version):
    agent = as_role("agent")
    opened = agent.post("/cases", {"customer": {"customer_number": "10000001"},
                                   "type": "question", "subject": "Tür denemesi",
                                   "description": "Sürüm alanı"})  # fmt: skip
    assert opened.status == 201, opened
    case_id = opened.body["id"]
    before = table_items()
    refused = agent.post(f"/cases/{case_id}/notes", {"version": version, "body": "not"})
    assert refused.status == 422, refused
    assert refused.body["error"]["details"][0]["field"] == "version"
    assert new_writes(table_items, before) == []


@pytest.mark.parametrize("granted", ["true", 1, "yes"])
def test_a_customers_consent_is_a_json_boolean(as_role, table_items, granted):
    before = table_items()
    change = {"channel": "email", "granted": granted}
    refused = as_role("customer").put("/my/consents", {"changes": [change]})
    assert refused.status == 422, refused
    assert new_writes(table_items, before) == []


@pytest.mark.parametrize("quantity", [True, "2", 2.0])
def test_a_shops_order_quantity_is_a_json_integer(api, shop, table_items, quantity):
    number = f"S-{uuid.uuid4().hex[:8]}"
    assert post(api, f"/integrations/{shop}/customers", signed(customer(number)))[0] == 200
    line = {**ORDER["lines"][1], "quantity": quantity}
    order = {**ORDER, "order_id": f"O-{uuid.uuid4().hex[:8]}", "customer_number": number,
             "lines": [line]}  # fmt: skip
    before = table_items()
    status, body = post(api, f"/integrations/{shop}/orders", signed(order))
    assert status == 422, body
    assert body["error"]["details"][0]["field"] == "lines.0.quantity"
    assert new_writes(table_items, before) == []
