"""Finding a customer the ways an agent is told about them: a name as typed, an order number."""

from __future__ import annotations

import uuid

from tests.support import unique_number

from .test_signed_calls import customer, post, signed


def test_a_name_is_found_as_typed_with_or_without_turkish_letters(as_role):
    agent = as_role("agent")
    tag = uuid.uuid4().hex[:5]
    made = agent.post("/customers", {"name": f"Şükrü Işıkçı{tag}", "phone": "0532 811 22 33"})
    assert made.status == 201, made.body
    for typed in ("şükrü ışık", "SUKRU ISIK", "Şükrü  Işıkçı"):
        found = agent.get(f"/customer-search?name={typed}").body["items"]
        assert made.body["id"] in [c["id"] for c in found], typed
    assert agent.get("/customer-search?name=ş").status == 422  # at least two letters
    assert agent.get(f"/customer-search?name=zzz{tag}").body["items"] == []


def test_an_order_number_finds_its_customer(api, shop, as_role):
    number = unique_number()
    status, made = post(api, f"/integrations/{shop}/customers", signed(customer(number)))
    assert status == 200
    order = {"order_id": f"SIP-{number}", "customer_number": number, "status": "paid",
             "placed_at": "2026-11-20T12:00:00+03:00",
             "lines": [{"sku": "A-1", "name": "Kahve makinesi", "quantity": 1,
                        "unit_price": "999.90"}]}  # fmt: skip
    assert post(api, f"/integrations/{shop}/orders", signed(order))[0] == 200
    found = as_role("agent").get(f"/customers?order_number=SIP-{number}")
    assert found.status == 200 and found.body["id"] == made["customer_id"]
    assert as_role("agent").get("/customers?order_number=NOPE-1").status == 404
