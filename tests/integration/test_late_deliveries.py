"""Before they ask: the daily sweep finds shipments whose estimated delivery day has passed
without a delivery and, as the shop set, tells the customer (the shop's apology and
compensation text) and opens a case for the delivery group, once per shipment; the late
shipments are counted per carrier."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.clock import ISTANBUL
from devstack.lambda_runtime import LocalContext, scheduled_event
from tests.support import e164, unique_number

from .test_signed_calls import customer, post, signed

APOLOGY_TR = "Gecikme için özür dileriz. Bir sonraki alışverişinizde GEC50 koduyla 50 TL indirim."
APOLOGY_EN = "We are sorry for the delay. Use GEC50 for 50 TL off your next order."
SETTINGS = {"tell_customer": True, "open_case": True, "group_id": "teslimat", "grace_days": 0,
            "apology_tr": APOLOGY_TR, "apology_en": APOLOGY_EN}  # fmt: skip


@pytest.fixture
def late_settings(as_role):
    admin = as_role("admin")
    before = admin.get("/late-deliveries/settings").body
    saved = admin.put("/late-deliveries/settings", SETTINGS)
    assert saved.status == 200, saved
    yield saved.body
    kept = {k: v for k, v in before.items() if k not in ("updated_at", "updated_by")}
    admin.put("/late-deliveries/settings", kept)


def fire(chalice_app) -> None:
    chalice_app.sweep_late_deliveries(scheduled_event("late", "eu-central-1"), LocalContext("late"))


def shop_customer(api, shop, language: str = "tr", email: bool = True) -> tuple[str, str]:
    """A customer of the shop; their number and their email (their phone when no email)."""
    number = unique_number("S-")
    address = f"{number.lower()}@shop.example" if email else None
    body = customer(number, email=address, language=language, category="normal")
    assert post(api, f"/integrations/{shop}/customers", signed(body))[0] == 200
    return number, address or body["phone"]


def shipped(api, shop, number: str, carrier: str, estimated: str, **extra) -> tuple[str, str]:
    order_id, shipment_id = unique_number("O-"), unique_number("SH-")
    line = {"sku": "A", "name": "Kupa", "quantity": 1, "unit_price": "100"}
    assert post(api, f"/integrations/{shop}/orders", signed({
        "order_id": order_id, "customer_number": number, "placed_at": "2026-03-01T10:00:00Z",
        "status": "shipped", "lines": [line]}))[0] == 200  # fmt: skip
    assert post(api, f"/integrations/{shop}/shipments", signed({
        "shipment_id": shipment_id, "order_id": order_id, "customer_number": number,
        "carrier": carrier, "tracking_number": f"T{shipment_id[3:]}", "status": "in_transit",
        "estimated_delivery": estimated, **extra}))[0] == 200  # fmt: skip
    return order_id, shipment_id


def test_a_late_shipment_is_told_and_filed_once_and_counted(
    api, shop, as_role, late_settings, mailbox, chalice_app, drain_routing
):
    today = datetime.now(tz=UTC).astimezone(ISTANBUL).date()
    yesterday, tomorrow = str(today - timedelta(days=1)), str(today + timedelta(days=1))
    number, email = shop_customer(api, shop)
    en_number, en_email = shop_customer(api, shop, language="en")
    order_id, shipment_id = shipped(api, shop, number, "Aras Kargo", yesterday)
    shipped(api, shop, en_number, "MNG", yesterday)
    sms_number, phone = shop_customer(api, shop, email=False)
    shipped(api, shop, sms_number, "HepsiJET", yesterday)
    shipped(api, shop, number, "PTT", tomorrow)  # not late yet
    shipped(api, shop, number, "UPS", yesterday, delivered_at=datetime.now(tz=UTC).isoformat())
    counted_before = as_role("supervisor").get(
        f"/reports/late-shipments?from_day={today}&to_day={today}").body  # fmt: skip

    fire(chalice_app)
    fire(chalice_app)  # EventBridge's retry, or a second run

    to_them = [m for m in mailbox()["emails"] if m["to"] == [email]]
    assert len(to_them) == 1, to_them
    assert order_id in to_them[0]["subject"] and APOLOGY_TR in to_them[0]["body"]
    assert "Aras Kargo" in to_them[0]["body"] and "/tr/orders.html" in to_them[0]["body"]
    to_english = [m for m in mailbox()["emails"] if m["to"] == [en_email]]
    assert len(to_english) == 1 and APOLOGY_EN in to_english[0]["body"]
    assert to_english[0]["subject"].startswith("Your order")
    texts = [m for m in mailbox()["sms"] if m["to"] == e164(phone)]
    assert len(texts) == 1 and "GEC50" in texts[0]["body"] and "HepsiJet" in texts[0]["body"]

    agent = as_role("supervisor")
    who = agent.get(f"/customers?customer_number={number}").body
    cases = agent.get(f"/cases?view=customer&customer_id={who['id']}").body["items"]
    assert len(cases) == 1, cases  # the PTT (not yet late) and UPS (delivered) opened none
    drain_routing()
    case = agent.get(f"/cases/{cases[0]['id']}").body["case"]
    assert case["order"]["order_id"] == order_id and case["order"]["shipment_id"] == shipment_id
    assert case["group_id"] == "teslimat" and case["created_by"]["kind"] == "system"
    assert order_id in case["subject"]

    counted = agent.get(f"/reports/late-shipments?from_day={today}&to_day={today}").body
    late = {c["carrier"]: c["late"] for c in counted["carriers"]}
    before = {c["carrier"]: c["late"] for c in counted_before["carriers"]}
    assert late["aras"] - before.get("aras", 0) >= 1 and late["mng"] - before.get("mng", 0) >= 1
    assert "ups" not in late or late["ups"] == before.get("ups", 0)


def test_nothing_happens_while_the_shop_has_it_off(api, shop, as_role, mailbox, chalice_app):
    admin = as_role("admin")
    before = admin.get("/late-deliveries/settings").body
    assert admin.put("/late-deliveries/settings", {**SETTINGS, "tell_customer": False,
                                                   "open_case": False}).status == 200  # fmt: skip
    try:
        number, email = shop_customer(api, shop)
        shipped(api, shop, number, "Aras", "2026-01-10")
        assert wiring.late_deliveries().sweep() == {"acted": 0, "already": 0, "failed": 0}
        assert [m for m in mailbox()["emails"] if m["to"] == [email]] == []
    finally:
        kept = {k: v for k, v in before.items() if k not in ("updated_at", "updated_by")}
        admin.put("/late-deliveries/settings", kept)


def test_bad_settings_and_counts_are_refused_with_nothing_written(as_role, table_items):
    admin = as_role("admin")
    before = table_items()
    for body in [{**SETTINGS, "grace_days": 30}, {**SETTINGS, "group_id": "Teslimat Grubu"},
                 {**SETTINGS, "apology_tr": "x" * 1001}, {**SETTINGS, "unknown": 1}]:  # fmt: skip
        assert admin.put("/late-deliveries/settings", body).status == 422, body
    assert admin.get("/reports/late-shipments?from_day=2026-03-02&to_day=2026-03-01").status == 422
    assert admin.get("/reports/late-shipments?from_day=2025-01-01&to_day=2026-03-01").status == 422
    assert as_role("supervisor").put("/late-deliveries/settings", SETTINGS).status == 403
    assert table_items() == before
