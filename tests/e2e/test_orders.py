"""Siparişlerim in headless Chromium on the local stack: the shop reports an order and its
shipment through its signed calls; the signed-in customer opens Siparişlerim on a phone,
sees the carrier's tracking link and the timeline, and files a case from the shipment that
carries it (docs/orders.md)."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from .browser import console_ready, screenshot
from .test_channels import signed_post
from .test_console import open_console  # noqa: F401 - the fixture
from .test_site import ready, sign_in_as

FATMA = "10000002"  # the seed's fatma@example.com


@pytest.fixture
def phone(browser):
    context = browser.new_context(locale="tr-TR", viewport={"width": 375, "height": 740},
                                  is_mobile=True)  # fmt: skip
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
    assert errors == [], errors


def test_a_customer_tracks_a_shipment_and_files_a_case_from_it(
    stack,
    phone,
    http,
    open_console,  # noqa: F811
):
    tag = uuid.uuid4().hex[:8].upper()
    order_id, shipment_id, tracking = f"O-{tag}", f"SH-{tag}", f"35{int(tag, 16) % 10**11:011d}"
    shop = "/integrations/demo-shop"
    assert signed_post(stack.url, f"{shop}/orders", {
        "order_id": order_id, "customer_number": FATMA, "placed_at": "2026-03-01T10:00:00+03:00",
        "status": "shipped",
        "lines": [{"sku": "KT-1", "name": "Çelik çaydanlık", "quantity": 1,
                   "unit_price": "899.90"}],
    })[0] == 200  # fmt: skip
    assert signed_post(stack.url, f"{shop}/shipments", {
        "shipment_id": shipment_id, "order_id": order_id, "customer_number": FATMA,
        "carrier": "Aras Kargo", "tracking_number": tracking, "status": "in_transit",
        "estimated_delivery": "2026-03-04",
        "events": [{"at": "2026-03-02T09:00:00+03:00", "status": "in_transit", "location": "İzmir"},
                   {"at": "2026-03-01T18:00:00+03:00", "status": "picked_up",
                    "location": "Manisa"}],
    })[0] == 200  # fmt: skip

    page = phone
    sign_in_as(page, stack, "fatma@example.com")
    page.get_by_role("link", name="Siparişlerim").first.click()
    page.wait_for_url("**/orders.html")
    ready(page)
    card = page.locator(f"[data-order='{order_id}']")
    card.get_by_role("heading", name=f"Sipariş {order_id}").wait_for()
    expect(card).to_contain_text("Çelik çaydanlık")
    expect(card).to_contain_text("₺899,90")  # money in the locale's way (format.js money)
    link = card.get_by_role("link", name="Aras Kargo sitesinde takip et")
    expect(link).to_have_attribute(
        "href", f"https://kargotakip.araskargo.com.tr/mainpage.aspx?code={tracking}"
    )
    expect(link).to_have_attribute("target", "_blank")
    steps = card.locator(".timeline li")
    expect(steps).to_have_count(2)
    expect(steps.first).to_contain_text("Kargoya verildi · Manisa")
    expect(steps.last).to_contain_text("Yolda · İzmir")
    expect(card.get_by_role("note")).to_contain_text("Tahmini teslim tarihi geçti")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than the phone: {width}px"
    screenshot(page, "site-orders")

    card.get_by_role("link", name="Bu gönderi için destek talebi aç").click()
    page.wait_for_url("**/new-case.html?*")
    ready(page)
    expect(page.locator("#case-order")).to_have_text(
        f"İlgili sipariş: {order_id}, gönderi: {shipment_id}"
    )
    page.get_by_label("Konu").fill("Kargom gecikti")
    page.get_by_label("Açıklama").fill("Tahmini teslim tarihi geçti, hâlâ İzmir'de görünüyor.")
    page.get_by_role("button", name="Gönder").click()
    page.wait_for_url("**/case.html?*")
    ready(page)
    expect(page.locator("#case-view")).to_contain_text(f"İlgili sipariş: {order_id}")

    status, mine = http("fatma@example.com").call("GET", "/my/cases")
    filed = next(c for c in mine["items"] if c["subject"] == "Kargom gecikti"
                 and c.get("order", {}) and c["order"]["order_id"] == order_id)  # fmt: skip
    assert filed["order"] == {"order_id": order_id, "shipment_id": shipment_id,
                              "carrier": "Aras Kargo", "tracking_number": tracking}  # fmt: skip

    # the agent sees the order and shipment on the case screen
    console = open_console("selin")
    console.goto(f"{stack.url}/console#/case/{filed['id']}")
    console_ready(console)
    expect(console.locator("[data-fact=order]")).to_have_text(
        f"{order_id} · {shipment_id} · Aras Kargo {tracking}"
    )
    # and in the customer 360, the tracking number is the carrier's own page, as on the site
    link = console.locator(".customer-panel .shipment a", has_text=tracking)
    expect(link).to_have_attribute("href", re.compile(rf"^https://[^ ]*aras[^ ]*{tracking}"))
    line = console.locator(".customer-panel .shipment").filter(has_text=tracking)
    expect(line).to_contain_text("Aras Kargo")
    expect(line).to_contain_text("Yolda")
    # the order's total as the site shows it (one formatter, format.js money), not "899.90 TRY"
    order = console.locator(".customer-panel li").filter(has_text=f"{order_id} · ")
    expect(order).to_contain_text("₺899,90")
    expect(order).not_to_contain_text("TRY")


def test_the_assistant_widget_answers_on_a_phone_by_keyboard_and_hands_over(stack, phone, http):
    """The widget on the site's pages (docs/assistant.md#the-widget): a visitor proves the
    seeded order DEMO-1001 (Ahmet's, phone ending 4567) and reads its tracking link; Escape
    closes the panel back to its button; signed in, Ahmet taps "a person" and is told the
    case number, and the case is there."""
    page = phone
    page.goto(f"{stack.env['SITE_URL']}/help.html")
    launcher = page.get_by_role("button", name="Kargom nerede? Asistana sorun")
    launcher.click()
    dialog = page.get_by_role("dialog", name="Destek asistanı")
    expect(dialog).to_be_visible()
    log = dialog.get_by_role("log")
    expect(log).to_contain_text("Merhaba! Ben destek asistanı.")
    expect(log).to_have_attribute("aria-live", "polite")
    box = dialog.get_by_role("textbox", name="Mesajınız")
    expect(box).to_be_focused()
    assert dialog.evaluate("e => getComputedStyle(e).position") == "fixed"  # its styles apply
    box.fill("kargom nerde")
    box.press("Enter")
    expect(log.locator("li").last).to_contain_text("sipariş numaranızı")
    box.fill("DEMO-1001 4567")
    box.press("Enter")
    expect(log).to_contain_text("104719352811")
    link = log.get_by_role("link", name="Yurtiçi Kargo sayfasında takip et (yeni sekmede açılır)")
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("href", "https://www.yurticikargo.com/tr/online-servisler/"
                                           "gonderi-sorgula?code=104719352811")  # fmt: skip
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page is wider than the phone: {width}px"
    screenshot(page, "site-assistant")
    box.press("Escape")
    expect(dialog).to_be_hidden()
    expect(launcher).to_be_focused()

    sign_in_as(page, stack, "ahmet@example.com")
    page.get_by_role("button", name="Kargom nerede? Asistana sorun").click()
    dialog = page.get_by_role("dialog", name="Destek asistanı")
    expect(dialog.get_by_role("log")).to_contain_text("Siparişleriniz hakkında")  # signed in
    dialog.get_by_role("button", name="Temsilciyle görüşmek istiyorum").click()
    handed = dialog.get_by_role("status")
    expect(handed).to_contain_text("Talep numaranız:")
    number = handed.inner_text().rsplit(" ", 1)[1]
    expect(dialog.get_by_role("button", name="Yeni sohbet başlat")).to_be_visible()
    expect(dialog.get_by_role("textbox", name="Mesajınız")).to_be_disabled()
    status, case = http("ayse").call("GET", f"/cases/{number}")
    assert status == 200 and case["case"]["channel"] == "chat", case
