"""Siparişlerim: the shop pushes an order and its shipment through its signed calls; the
customer sees them on the site's API with the carrier's tracking link, another customer
does not; a case filed from the order carries it to the agent and the 360; carriers admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support import unique_number

from .test_signed_calls import post, signed

AHMET = "10000001"  # the seed's customer behind the `customer` role (ahmet@example.com)


def push_order(api, shop, *, estimated: str = "2026-03-04") -> tuple[str, str]:
    """An order of Ahmet's with one Yurtiçi shipment; its ids."""
    order_id, shipment_id = unique_number("O-"), unique_number("SH-")
    order = {"order_id": order_id, "customer_number": AHMET,
             "placed_at": "2026-03-01T10:00:00+03:00", "status": "shipped",
             "lines": [{"sku": "KT-1", "name": "Çaydanlık", "quantity": 2,
                        "unit_price": "450.00"}]}  # fmt: skip
    shipment = {"shipment_id": shipment_id, "order_id": order_id, "customer_number": AHMET,
                "carrier": "Yurtiçi Kargo", "tracking_number": "YK1234/5", "status": "in_transit",
                "estimated_delivery": estimated,
                "events": [{"at": "2026-03-02T09:00:00+03:00", "status": "in_transit",
                            "location": "İzmir"},
                           {"at": "2026-03-01T18:00:00+03:00", "status": "picked_up",
                            "location": "Manisa"}]}  # fmt: skip
    assert post(api, f"/integrations/{shop}/orders", signed(order))[0] == 200
    assert post(api, f"/integrations/{shop}/shipments", signed(shipment))[0] == 200
    return order_id, shipment_id


def test_the_customer_sees_their_order_with_its_shipment_and_tracking_link(api, shop, as_role):
    order_id, shipment_id = push_order(api, shop)
    ahmet = as_role("customer")
    one = ahmet.get(f"/my/orders/{order_id}")
    assert one.status == 200, one
    assert one.body["total"] == "900.00" and one.body["lines"][0]["name"] == "Çaydanlık"
    (shipment,) = one.body["shipments"]
    assert shipment["shipment_id"] == shipment_id and shipment["carrier_code"] == "yurtici"
    assert shipment["tracking_url"] == ("https://www.yurticikargo.com/tr/online-servisler/"
                                        "gonderi-sorgula?code=YK1234%2F5")  # fmt: skip
    assert [e["status"] for e in shipment["timeline"]] == ["picked_up", "in_transit"]
    assert shipment["estimated_delivery"] == "2026-03-04" and shipment["late"] is True
    listed, cursor, pages = [], None, 0
    while pages < 50:
        page = ahmet.get(f"/my/orders?limit=5{f'&cursor={cursor}' if cursor else ''}").body
        listed += [o["order_id"] for o in page["items"]]
        cursor, pages = page["next_cursor"], pages + 1
        if not cursor:
            break
    assert order_id in listed and len(page["items"]) <= 5


def test_another_customer_gets_404_and_staff_cannot_read_them_as_their_own(api, shop, as_role):
    order_id, _ = push_order(api, shop)
    fatma = as_role("other_customer")
    assert fatma.get(f"/my/orders/{order_id}").status == 404
    assert order_id not in [o["order_id"] for o in fatma.get("/my/orders?limit=100").body["items"]]
    assert as_role("customer").get("/my/orders/O-NO-SUCH").status == 404
    assert as_role("agent").get("/my/orders").status == 403
    assert as_role(None).get("/my/orders").status == 401


def test_a_case_filed_from_a_shipment_carries_it_to_the_agent_and_the_360(api, shop, as_role):
    order_id, shipment_id = push_order(api, shop)
    ahmet = as_role("customer")
    filed = ahmet.post("/my/cases", {"type": "complaint", "subject": "Kargom gelmedi",
                                     "description": "Teslim tarihi geçti", "order_id": order_id,
                                     "shipment_id": shipment_id})  # fmt: skip
    assert filed.status == 201, filed
    assert filed.body["order"] == {
        "order_id": order_id, "shipment_id": shipment_id, "carrier": "Yurtiçi Kargo",
        "tracking_number": "YK1234/5"}  # fmt: skip
    agent = as_role("agent")
    case = agent.get(f"/cases/{filed.body['id']}").body["case"]
    assert case["order"]["order_id"] == order_id and case["order"]["shipment_id"] == shipment_id
    overview = agent.get(f"/customers/{case['customer_id']}/overview").body
    line = next(c for c in overview["cases"] if c["id"] == case["id"])
    assert line["order"]["order_id"] == order_id


def test_a_case_about_an_order_that_is_not_yours_is_refused_with_nothing_written(
    api, shop, as_role, table_items
):
    order_id, shipment_id = push_order(api, shop)
    other_id, other_shipment = push_order(api, shop)
    before = table_items()
    base = {"type": "question", "subject": "Sipariş", "description": "Nerede?"}
    fatma = as_role("other_customer")
    refused = fatma.post("/my/cases", {**base, "order_id": order_id})
    assert refused.status == 422 and refused.body["error"]["code"] == "unknown_order"
    ahmet = as_role("customer")
    wrong = ahmet.post("/my/cases", {**base, "order_id": order_id, "shipment_id": other_shipment})
    assert wrong.status == 422 and wrong.body["error"]["code"] == "unknown_shipment"
    alone = ahmet.post("/my/cases", {**base, "shipment_id": shipment_id})
    assert alone.status == 422
    bad = ahmet.post("/my/cases", {**base, "order_id": "bad id!"})
    assert bad.status == 422
    assert table_items() == before


def test_an_admin_edits_a_carrier_and_adds_one_the_links_follow(api, shop, as_role):
    admin = as_role("admin")
    code = f"k{unique_number('').lower().replace('-', '')}"[:20]
    listed = admin.get("/carriers").body
    assert {"yurtici", "aras", "mng", "ptt", "surat", "hepsijet", "trendyol_express", "ups",
            "dhl"} <= {c["code"] for c in listed}  # fmt: skip
    added = admin.put(f"/carriers/{code}", {
        "name": f"Kurye {code}", "aliases": ["Bizim Kurye"],
        "tracking_url_template": "https://kurye.example/t/{tracking_number}"})  # fmt: skip
    assert added.status == 200, added
    assert added.body["updated_by"] and not added.body["default"]
    assert as_role("agent").get(f"/carriers/{code}").body["name"] == f"Kurye {code}"
    order_id = unique_number("O-")
    line = {"sku": "A", "name": "A", "quantity": 1, "unit_price": "1"}
    assert post(api, f"/integrations/{shop}/orders", signed({
        "order_id": order_id, "customer_number": AHMET, "placed_at": "2026-03-01T10:00:00Z",
        "status": "shipped", "lines": [line]}))[0] == 200  # fmt: skip
    assert post(api, f"/integrations/{shop}/shipments", signed({
        "shipment_id": unique_number("SH-"), "order_id": order_id, "customer_number": AHMET,
        "carrier": "bizim kurye", "tracking_number": "77",
        "status": "accepted"}))[0] == 200  # fmt: skip
    seen = as_role("customer").get(f"/my/orders/{order_id}").body["shipments"][0]
    assert seen["tracking_url"] == "https://kurye.example/t/77" and seen["late"] is False


def test_bad_carriers_are_refused_with_nothing_written(as_role, table_items):
    admin = as_role("admin")
    before = table_items()
    good = {"name": "X", "tracking_url_template": "https://x.example/{tracking_number}"}
    for code, body in [
        ("aras", {**good, "tracking_url_template": "http://x.example/{tracking_number}"}),
        ("aras", {**good, "tracking_url_template": "https://x.example/track"}),
        ("aras", {**good, "extra": 1}),
        ("Aras", good),
        ("aras", {"name": "X"}),
    ]:
        answer = admin.put(f"/carriers/{code}", body)
        assert answer.status == 422, (code, body, answer)
    assert admin.get("/carriers/nope").status == 404
    assert as_role("supervisor").put("/carriers/aras", good).status == 403
    assert as_role("customer").get("/carriers").status == 403
    assert table_items() == before


def test_the_customer_sees_no_late_flag_once_delivered(api, shop, as_role):
    order_id, shipment_id = push_order(api, shop)
    delivered_at = (datetime.now(tz=UTC) - timedelta(hours=1)).isoformat()
    assert post(api, f"/integrations/{shop}/shipments", signed({
        "shipment_id": shipment_id, "order_id": order_id, "customer_number": AHMET,
        "carrier": "Aras", "tracking_number": "3513773163316", "status": "Teslim edildi",
        "estimated_delivery": "2026-03-04", "delivered_at": delivered_at}))[0] == 200  # fmt: skip
    seen = as_role("customer").get(f"/my/orders/{order_id}").body["shipments"][0]
    assert seen["late"] is False and seen["delivered_at"]
    assert seen["tracking_url"].endswith("mainpage.aspx?code=3513773163316")
