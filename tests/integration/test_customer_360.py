"""The customer 360 after the shop reported a customer, an order and its shipment: everything on
one screen for the agent, read in two Queries and the carriers' (the customer has shipments)."""

from __future__ import annotations

from collections import Counter

from chalicelib import wiring
from chalicelib.store.aws import client

from .test_signed_calls import customer, post, signed

ORDER = {
    "order_id": "O-900001", "customer_number": "S-900001", "placed_at": "2026-11-10T12:00:00+03:00",
    "status": "shipped",
    "lines": [{"sku": "VV7-128", "name": "Vestel Venus V7 128 GB", "quantity": 1,
               "unit_price": "12999.00", "product_id": "p-vestel-venus-v7"},
              {"sku": "KLF-1", "name": "Kılıf", "quantity": 2, "unit_price": "149.90"}],
}  # fmt: skip
SHIPMENT = {
    "shipment_id": "SH-900001", "order_id": "O-900001", "customer_number": "S-900001",
    "carrier": "Yurtiçi Kargo", "tracking_number": "YK123456789TR", "status": "in_transit",
    "events": [{"at": "2026-11-11T09:00:00+03:00", "status": "in_transit", "location": "İzmir"},
               {"at": "2026-11-10T18:00:00+03:00", "status": "picked_up", "location": "Manisa"}],
}  # fmt: skip


def test_the_agent_sees_flags_products_orders_shipments_and_cases(api, shop, as_role):
    assert post(api, f"/integrations/{shop}/customers",
                signed(customer("S-900001", category="risky")))[0] == 200  # fmt: skip
    assert post(api, f"/integrations/{shop}/orders", signed(ORDER))[0] == 200
    status, batch = post(
        api,
        f"/integrations/{shop}/shipment-batches",
        signed({"items": [SHIPMENT, {**SHIPMENT, "customer_number": "NOPE"}]}),
    )
    assert status == 200 and [i["status"] for i in batch["items"]] == ["updated", "refused"]
    agent = as_role("agent")
    who = agent.get("/customers?customer_number=S-900001").body
    assert agent.post(f"/customers/{who['id']}/products", {
        "product_id": "p-vestel-venus-v7", "serial_number": "SN-360-0001",
        "purchase_date": "2026-11-12"}).status == 201  # fmt: skip
    opened = agent.post("/cases", {"customer": {"customer_number": "S-900001"},
                                   "type": "complaint", "subject": "Kargo gecikti",
                                   "description": "Hâlâ İzmir'de"}).body  # fmt: skip

    calls: Counter[str] = Counter()
    hook = lambda model, **_: calls.update([model.name])  # noqa: E731
    client("dynamodb").meta.events.register("before-parameter-build", hook)
    try:
        seen = wiring.overview_service().overview(who["id"])
    finally:
        client("dynamodb").meta.events.unregister("before-parameter-build", hook)
    # the cases' index projects their keys: one BatchGetItem reads the page's cases
    assert calls == Counter({"Query": 3, "BatchGetItem": 1})

    view = agent.get(f"/customers/{who['id']}/overview").body
    assert view["flags"] == ["risky"] and view["customer"]["category"] == "risky"
    assert view["registrations"][0]["warranty"]["state"] == "in_warranty"
    order = view["orders"][0]
    assert order["order"]["total"] == "13298.80" and len(order["order"]["lines"]) == 2
    tracking = order["shipments"][0]
    assert tracking["tracking_number"] == "YK123456789TR"
    assert [e["status"] for e in tracking["timeline"]] == ["picked_up", "in_transit"]
    # as the site shows it: the carrier by name, with its own tracking page for the number
    assert tracking["carrier_name"] == "Yurtiçi Kargo"
    assert tracking["tracking_url"].startswith("https://www.yurticikargo.com/")
    assert tracking["tracking_url"].endswith("code=YK123456789TR")
    assert [c["id"] for c in view["cases"]] == [opened["id"]]
    assert seen.customer.id == who["id"]


def test_an_order_for_an_unknown_customer_is_refused(api, shop, table_items):
    before = table_items()
    status, body = post(api, f"/integrations/{shop}/orders",
                        signed({**ORDER, "customer_number": "S-NOBODY"}))  # fmt: skip
    assert status == 422 and body["error"]["code"] == "unknown_customer"
    idempotency = [i for i in table_items() if i["PK"]["S"].startswith("IDEMPOTENCY#")]
    assert [i for i in table_items() if i not in before] == [
        i for i in idempotency if i not in before
    ]  # a failed call leaves no record either


def test_no_overview_for_a_customer_that_does_not_exist(as_role):
    assert as_role("agent").get("/customers/u-nobody/overview").status == 404
