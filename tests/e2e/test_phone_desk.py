# ruff: noqa: F811 - tests take the console's fixture imported below as a parameter
"""The phone desk in Chromium: an agent on a call registers a caller nobody matches together
with their case; for a caller found by email logs a call with no case (typing the number,
none being on file), registers a product by serial, fixes the contact details (SMS without
a phone is refused in the agent's words) and opens a case about the product; a serial
number finds its owner. And the site's profile, where a customer adds the phone SMS needs."""

from __future__ import annotations

import time
import uuid

from playwright.sync_api import expect

from tests.support import e164 as to_e164
from tests.support import sign_in, sign_up, unique_phone

from .conftest import Http, eventually

# the console's signed-in page fixture and its readiness check, shared with its own tests
from .test_console import open_console, ready  # noqa: F401

PASSWORD = "Destek2026!"


def spoken_phone() -> tuple[str, str]:
    """A number as a caller says it, and the same number in E.164."""
    spoken = unique_phone()
    return spoken, to_e164(spoken)


def search(page, text: str) -> None:
    page.get_by_role("searchbox", name="Ara", exact=True).fill(text)
    page.get_by_role("button", name="Ara", exact=True).click()
    ready(page)


def test_nobody_matches_so_the_caller_and_their_case_are_registered_in_one_step(open_console, http):
    spoken, e164 = spoken_phone()
    number = f"M{uuid.uuid4().int % 10**8}"
    email = f"arayan.{uuid.uuid4().hex[:8]}@example.com"
    page = open_console("mehmet")
    search(page, spoken)
    expect(page.get_by_text("Eşleşen müşteri bulunamadı.")).to_be_visible()
    form = page.locator("#new-caller")
    expect(form.get_by_label("Telefon (her biçimde)")).to_have_value(spoken)  # as searched
    form.get_by_label("Ad soyad").fill("Nazlı Yeniarayan")
    form.get_by_label("E-posta").fill(email)
    form.get_by_label("Müşteri no (boşsa yenisi verilir)").fill(number)
    form.get_by_label("Konu").fill("Fatura iki kez kesildi")
    form.get_by_label("Arayanın anlattığı").fill("Aynı sipariş için iki fatura geldi")
    form.get_by_role("button", name="Müşteriyi kaydet").click()
    ready(page)
    expect(page.locator("#notice")).to_contain_text("numaralı talep açıldı.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fatura iki kez kesildi")
    expect(page.locator(".customer-panel h2")).to_have_text("Nazlı Yeniarayan")

    agent = http("mehmet")
    status, customer = agent.call("GET", f"/customers?phone={e164}")
    assert status == 200, customer
    assert (customer["name"], customer["email"], customer["customer_number"]) == (
        "Nazlı Yeniarayan", email, number)  # fmt: skip
    status, cases = agent.call("GET", f"/cases?view=customer&customer_id={customer['id']}")
    [case] = cases["items"]
    assert case["channel"] == "phone" and case["subject"] == "Fatura iki kez kesildi"


def test_a_found_caller_gets_a_call_a_product_contact_details_and_a_case(open_console, http):
    agent = http("mehmet")
    email = f"masa.{uuid.uuid4().hex[:8]}@example.com"
    status, customer = agent.call("POST", "/customers", {"name": "Masa Müşterisi", "email": email})
    assert status == 201 and customer["phone"] is None
    spoken, e164 = spoken_phone()
    serial = f"SN-DESK-{time.time_ns() % 10**9}"
    page = open_console("mehmet")
    search(page, email)
    expect(page.locator(".customer-panel h2")).to_have_text("Masa Müşterisi")

    call = page.locator("details.desk-call")
    call.locator("summary").click()
    call.get_by_label("Yön").select_option("outbound")
    call.get_by_label("Numara (kayıtlı telefonu yok)").fill(spoken)  # none on file: typed
    call.get_by_label("Notlar").fill("Geri arandı, fatura soruldu")
    call.get_by_role("button", name="Görüşmeyi kaydet").click()
    expect(page.locator("#notice")).to_have_text("Görüşme kaydedildi.")
    expect(page.locator(".customer-panel")).to_contain_text("Geri arandı, fatura soruldu")
    [logged] = agent.call("GET", f"/customers/{customer['id']}/calls")[1]["items"]
    assert (logged["number"], logged["direction"], logged["case_id"]) == (e164, "outbound", None)

    product = page.locator("details.desk-product")
    product.locator("summary").click()
    product.get_by_label("Ürün", exact=True).select_option("p-vestel-venus-v7")
    product.get_by_label("Seri numarası").fill("SN-DEMO-0001")  # Ahmet's unit
    product.get_by_role("button", name="Ürünü kaydet").click()
    taken = "Bu seri numarası başka bir müşteri adına kayıtlı."  # the site says the same
    expect(page.locator("#problem")).to_have_text(taken)
    expect(product.get_by_label("Seri numarası")).to_have_attribute("aria-invalid", "true")
    product.get_by_label("Seri numarası").fill(serial)
    product.get_by_role("button", name="Ürünü kaydet").click()
    expect(page.locator("#notice")).to_have_text("Ürün kaydedildi.")
    expect(page.locator(".customer-panel")).to_contain_text(serial)

    contact = page.locator("details.desk-contact")
    contact.locator("summary").click()
    contact.get_by_label("Bildirim kanalı").select_option("sms")
    contact.get_by_role("button", name="İletişim bilgilerini kaydet").click()
    expect(page.locator("#problem")).to_have_text("SMS için önce telefon numarası ekleyin.")
    assert agent.call("GET", f"/customers/{customer['id']}")[1]["contact"]["channel"] == "email"
    contact.get_by_label("Telefon (her biçimde)").fill(spoken)
    contact.get_by_role("button", name="İletişim bilgilerini kaydet").click()
    expect(page.locator("#notice")).to_have_text("Kaydedildi.")
    saved = agent.call("GET", f"/customers/{customer['id']}")[1]
    assert (saved["phone"], saved["contact"]["channel"]) == (e164, "sms")

    opening = page.locator("details.desk-case")
    opening.locator("summary").click()
    opening.get_by_label("Kayıtlı ürünle ilgili").select_option(
        label=f"Vestel Venus V7 128 GB · {serial}"
    )
    opening.get_by_label("Konu").fill("Ekran titriyor")
    opening.get_by_label("Arayanın anlattığı").fill("İki gündür ekran titriyor")
    opening.get_by_role("button", name="Talebi aç").click()
    ready(page)
    expect(page.locator("#notice")).to_contain_text("numaralı talep açıldı.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ekran titriyor")
    ref = page.url.split("#/case/")[1]
    opened = agent.call("GET", f"/cases/{ref}")[1]["case"]
    assert opened["customer_id"] == customer["id"] and opened["product"]["serial_number"] == serial

    search(page, serial)  # the unit in the caller's hand finds its owner
    expect(page.locator(".customer-panel h2")).to_have_text("Masa Müşterisi")


def test_a_customer_adds_the_phone_sms_needs_on_the_site_profile(stack, browser):
    site = stack.env["SITE_URL"]
    email = f"profil.{time.time_ns()}@example.com"
    sign_up(stack.env, email, "Profil Telefonu")
    context = browser.new_context(locale="tr-TR", viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(15_000)
    page.goto(f"{site}/signin.html?next=profile.html")
    page.get_by_label("E-posta").fill(email)
    page.get_by_label("Parola").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Giriş yap").click()
    page.wait_for_url("**/profile.html")
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    phone_box = page.get_by_label("Cep telefonu (isteğe bağlı)")
    expect(phone_box).to_have_value("")
    page.get_by_label("SMS", exact=True).check()
    page.get_by_role("button", name="Kaydet").click()
    message = "SMS ile haber alabilmeniz için önce telefon numaranızı yazın."
    expect(page.get_by_role("alert")).to_have_text(message)
    expect(phone_box).to_have_attribute("aria-invalid", "true")
    customer = Http(stack.url, sign_in(stack.env, "selin")).call(
        "GET", f"/customers?email={email}")[1]  # fmt: skip
    assert customer["contact"]["channel"] == "email" and customer["phone"] is None

    spoken, e164 = spoken_phone()
    phone_box.fill("12")
    page.get_by_role("button", name="Kaydet").click()
    expect(page.get_by_role("alert")).to_have_text("Bu telefon numarası geçerli değil.")
    phone_box.fill(spoken)
    page.get_by_role("button", name="Kaydet").click()
    expect(page.get_by_role("status")).to_have_text("Kaydedildi.")
    expect(phone_box).to_have_value(e164)
    staff = Http(stack.url, sign_in(stack.env, "selin"))
    found = eventually(lambda: staff.call("GET", f"/customers?phone={e164}")[1])
    assert found["email"] == email and found["contact"]["channel"] == "sms"

    phone_box.fill("")  # removing the number SMS relies on is refused too
    page.get_by_role("button", name="Kaydet").click()
    expect(page.get_by_role("alert")).to_have_text(message)
    context.close()
    assert errors == [], errors


def test_a_sign_up_with_a_number_on_anothers_record_still_opens_the_account(stack, browser):
    spoken, e164 = spoken_phone()
    staff = Http(stack.url, sign_in(stack.env, "selin"))
    assert staff.call("POST", "/customers", {"name": "Numara Sahibi", "phone": spoken})[0] == 201
    site = stack.env["SITE_URL"]
    email = f"ikinci.{time.time_ns()}@example.com"
    context = browser.new_context(locale="tr-TR")
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(15_000)
    page.goto(f"{site}/signup.html")
    page.get_by_label("Ad soyad").fill("İkinci Kişi")
    page.get_by_label("E-posta").fill(email)
    page.get_by_label("Cep telefonu (isteğe bağlı)").fill("12345")
    page.get_by_label("Parola").fill(PASSWORD)
    page.get_by_role("button", name="Hesap oluştur").click()  # not a number: asked again
    expect(page.locator("#phone-error")).to_have_text(
        "Bu bir Türkiye telefon numarasına benzemiyor. Örnek: 0532 123 45 67"
    )
    page.get_by_label("Cep telefonu (isteğe bağlı)").fill(spoken)  # someone else's
    page.get_by_role("button", name="Hesap oluştur").click()
    page.wait_for_url("**/confirm.html*")
    page.get_by_label("Doğrulama kodu").fill("123456")
    page.get_by_role("button", name="Doğrula").click()
    page.wait_for_url("**/signin.html*")
    page.get_by_label("Parola").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Giriş yap").click()
    page.wait_for_url("**/profile.html?phone=refused")
    expect(page.get_by_role("alert")).to_contain_text("telefon numaranızı kaydedemedik")
    mine = staff.call("GET", f"/customers?email={email}")[1]
    assert mine["name"] == "İkinci Kişi" and mine["phone"] is None  # the account, without it
    context.close()
    assert errors == [], errors
