"""The customers' site in headless Chromium against the local stack: the seed scenario from
sign-up to a confirmed resolution, and the refusals a customer can run into.

The site, the API and moto each have their own origin, so every call the page makes is
cross-origin exactly as it is in AWS (CloudFront, API Gateway, Cognito, S3).
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.support import sign_in, unique_phone

from .browser import screenshot
from .conftest import Http, eventually

PASSWORD = "Destek2026!"
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
HOSTILE = '<img src=x onerror="document.title=1">'


@pytest.fixture
def page(browser):
    """A fresh browser profile (no session) that fails the test on any script error."""
    context = browser.new_context(locale="tr-TR", viewport={"width": 1100, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.set_default_timeout(15_000)
    yield opened
    context.close()
    assert errors == [], errors


def ready(page) -> None:
    """The page's script has loaded its data and wired its forms (main is no longer busy)."""
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")


def site(stack) -> str:
    return stack.env["SITE_URL"]


def sign_up_and_in(page, stack, email: str, name: str) -> None:
    page.goto(f"{site(stack)}/signup.html")
    ready(page)
    page.get_by_label("Ad soyad").fill(name)
    page.get_by_label("E-posta").fill(email)
    page.get_by_label("Parola").fill(PASSWORD)
    page.get_by_role("button", name="Hesap oluştur").click()
    page.wait_for_url("**/confirm.html*")
    ready(page)
    # moto sends no mail and takes any code; Cognito in AWS mails a real one
    page.get_by_label("Doğrulama kodu").fill("123456")
    page.get_by_role("button", name="Doğrula").click()
    page.wait_for_url("**/signin.html*")
    ready(page)
    expect(page.get_by_role("status")).to_contain_text("E-postanız doğrulandı")
    page.get_by_label("Parola").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Giriş yap").click()
    page.wait_for_url("**/index.html")
    ready(page)


def sign_in_as(page, stack, email: str) -> None:
    page.goto(f"{site(stack)}/signin.html")
    ready(page)
    page.get_by_label("E-posta").fill(email)
    page.get_by_label("Parola").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Giriş yap").click()
    page.wait_for_url("**/index.html")
    ready(page)


def register(page, stack, serial: str, bought: date) -> None:
    page.goto(f"{site(stack)}/products.html")
    ready(page)
    page.get_by_label("Kategori").select_option("telefon")
    page.get_by_label("Ürün (zorunlu)").select_option("p-vestel-venus-v7")
    page.get_by_label("Seri numarası").fill(serial)
    page.get_by_label("Satın alma tarihi").fill(bought.isoformat())
    page.get_by_role("button", name="Ürünü kaydet").click()


def agent_resolves(stack, case_id: str) -> None:
    """The agent's half, through the API: take the case, answer, resolve."""
    selin = Http(stack.url, sign_in(stack.env, "selin"))
    mehmet = Http(stack.url, sign_in(stack.env, "mehmet"))
    case = eventually(lambda: (c := selin.call("GET", f"/cases/{case_id}")[1]["case"])
                      and c["status"] != "new" and c)  # fmt: skip
    status, case = selin.call("POST", f"/cases/{case_id}/assign",
                              {"version": case["version"], "group_id": "urun",
                               "assignee": "mehmet"})  # fmt: skip
    assert status == 200, case
    status, case = mehmet.call("POST", f"/cases/{case_id}/replies",
                               {"version": case["version"],
                                "body": "Yeni cihazınız yarın kargoda."})  # fmt: skip
    assert status == 201, case
    status, case = mehmet.call("POST", f"/cases/{case_id}/status",
                               {"version": case["version"], "status": "resolved"})  # fmt: skip
    assert status == 200, case


def test_seed_scenario_from_sign_up_to_a_confirmed_resolution(stack, page):
    email = f"deniz.{time.time_ns()}@example.com"
    serial = f"SN-E2E-{time.time_ns() % 10**9}"
    sign_up_and_in(page, stack, email, "Deniz Yıldız")
    expect(page.locator("#greeting")).to_contain_text("Deniz Yıldız")
    screenshot(page, "home")

    register(page, stack, serial, date.today() - timedelta(days=60))
    page.get_by_text("Ürününüz kaydedildi.").wait_for()
    expect(page.locator(".card", has_text=serial)).to_contain_text("Garanti kapsamında")
    screenshot(page, "products")

    page.goto(f"{site(stack)}/new-case.html")

    ready(page)
    page.get_by_label("Talep türü").select_option("complaint")
    product = page.get_by_label("İlgili ürün")
    product.select_option(value=product.locator("option", has_text=serial).get_attribute("value"))
    # the warranty is seen while the customer writes
    expect(page.locator("#case-warranty")).to_contain_text("Garanti kapsamında")
    page.get_by_label("Konu").fill(f"Ekran çizik geldi {HOSTILE}")
    page.get_by_label("Açıklama").fill("Kutudan çıkar çıkmaz ekranda çizik vardı.")
    page.get_by_label("Ekler").set_input_files(
        [{"name": "cizik.png", "mimeType": "image/png", "buffer": PNG}]
    )
    screenshot(page, "new-case")
    page.get_by_role("button", name="Gönder").click()
    expect(page).to_have_url(re.compile(r"/case\.html\?id="))
    ready(page)
    page.get_by_text("Talebiniz alındı").wait_for()
    page.locator("#timeline a", has_text="cizik.png").wait_for()
    expect(page.locator("#case-subject")).to_have_text(f"Ekran çizik geldi {HOSTILE}")
    assert page.locator("#case-subject img").count() == 0  # shown as text, never run
    expect(page.locator("#case-warranty")).to_contain_text("Garanti kapsamında")
    case_id = page.url.split("id=")[1].split("&")[0]

    agent_resolves(stack, case_id)
    page.reload()
    ready(page)
    answer = page.locator("#timeline .entry.reply", has_text="Yeni cihazınız yarın kargoda.")
    expect(answer).to_contain_text("Mehmet Demir")  # who answered, by name
    expect(page.locator("#case-status")).to_have_text("Çözüldü")
    screenshot(page, "case-resolved")
    page.get_by_role("button", name="Evet, çözüldü").click()
    page.get_by_text("Teşekkürler, talebiniz kapatıldı.").wait_for()
    expect(page.locator("#case-status")).to_have_text("Kapandı")
    expect(page.locator("#reply-form")).to_be_hidden()

    page.goto(f"{site(stack)}/cases.html")

    ready(page)
    expect(page.locator("tr", has_text="Ekran çizik geldi")).to_contain_text("Kapandı")
    screenshot(page, "cases")


def test_refusals_another_customers_case_a_taken_serial_an_oversize_file(stack, page, http):
    ahmet = http("ahmet@example.com")
    status, theirs = ahmet.call("POST", "/my/cases",
                                {"type": "question", "subject": "Ahmet'in sorusu",
                                 "description": "Yalnız Ahmet görmeli"})  # fmt: skip
    assert status == 201, theirs
    sign_in_as(page, stack, "fatma@example.com")

    page.goto(f"{site(stack)}/case.html?id={theirs['id']}")

    ready(page)
    page.get_by_text("Böyle bir talep bulunamadı.").wait_for()
    expect(page.locator("main")).not_to_contain_text("Ahmet")

    register(page, stack, " sn-demo-0001", date.today() - timedelta(days=10))  # Ahmet's unit
    page.get_by_role("alert").get_by_text("başka bir müşteri adına kayıtlı").wait_for()
    assert page.locator(".card", has_text="SN-DEMO-0001").count() == 0

    before = len(http("fatma@example.com").call("GET", "/my/cases")[1]["items"])
    page.goto(f"{site(stack)}/new-case.html")
    ready(page)
    page.get_by_label("Konu").fill("Video ekliyorum")
    page.get_by_label("Açıklama").fill("Arızanın videosu ekte")
    page.get_by_label("Ekler").set_input_files(
        [{"name": "ariza.mp4", "mimeType": "video/mp4", "buffer": b"\0" * (10 * 1024 * 1024 + 1)}]
    )
    page.get_by_role("button", name="Gönder").click()
    page.locator("#files-error", has_text="10 MB").wait_for()
    expect(page.get_by_label("Ekler")).to_have_attribute("aria-invalid", "true")
    assert len(http("fatma@example.com").call("GET", "/my/cases")[1]["items"]) == before


def test_phone_sized_english_pages_fit_and_start_with_a_skip_link(stack, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    for name in ("index", "signin", "signup", "forgot"):
        page.goto(f"{site(stack)}/en/{name}.html")
        ready(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, name
        assert page.locator("html").get_attribute("lang") == "en"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    for field in page.locator("input, select, textarea").all():
        assert field.evaluate("e => e.labels.length") >= 1
    screenshot(page, "signin-phone-en")
    context.close()


def test_profile_password_reset_a_reply_and_not_solved(stack, page):
    email = f"ece.{time.time_ns()}@example.com"
    sign_up_and_in(page, stack, email, "Ece Demir")

    page.goto(f"{site(stack)}/profile.html")

    ready(page)
    expect(page.locator("#customer-number")).to_have_text(re.compile(r"^\d{8}$"))
    page.get_by_label("Cep telefonu (isteğe bağlı)").fill(unique_phone())
    page.get_by_label("SMS", exact=True).check()  # SMS needs the phone just given
    page.get_by_label("Başlangıç").fill("22:00")
    page.get_by_label("Bitiş").fill("08:00")
    # consent to surveys (issue 16: settable on the customer's own profile), by email only
    consent = page.get_by_label("E-posta ile anket alabilirim")
    expect(consent).not_to_be_checked()  # none recorded is none (opt-in)
    consent.check()
    page.get_by_role("button", name="Kaydet").click()
    expect(page.get_by_role("status")).to_have_text("Kaydedildi.")
    page.reload()
    ready(page)
    expect(page.get_by_label("SMS", exact=True)).to_be_checked()
    expect(page.get_by_label("Başlangıç")).to_have_value("22:00")
    expect(page.get_by_label("E-posta ile anket alabilirim")).to_be_checked()  # read back
    expect(page.get_by_label("SMS ile anket alabilirim")).not_to_be_checked()

    page.get_by_role("button", name="Çıkış yap").click()
    page.goto(f"{site(stack)}/forgot.html")
    ready(page)
    page.get_by_label("E-posta").fill(email)
    page.get_by_role("button", name="Kod gönder").click()
    page.get_by_label("Doğrulama kodu").fill("654321")  # moto takes any code
    page.get_by_label("Yeni parola").fill("Yenisi2026x")
    page.get_by_role("button", name="Parolayı değiştir").click()
    page.wait_for_url("**/signin.html*")
    ready(page)
    expect(page.get_by_role("status")).to_contain_text("Parolanız değişti")
    page.get_by_label("Parola").fill("Yenisi2026x")
    page.locator("form").get_by_role("button", name="Giriş yap").click()
    page.wait_for_url("**/index.html")
    ready(page)

    page.goto(f"{site(stack)}/new-case.html")

    ready(page)
    page.get_by_label("Talep türü").select_option("question")
    page.get_by_label("Konu").fill("Fatura adresi")
    page.get_by_label("Açıklama").fill("Fatura adresimi nasıl değiştiririm?")
    page.get_by_role("button", name="Gönder").click()
    expect(page).to_have_url(re.compile(r"/case\.html\?id="))
    ready(page)
    case_id = page.url.split("id=")[1].split("&")[0]
    page.get_by_label("Yanıtınız").fill("Ek bilgi: adres İzmir'de.")
    page.get_by_label("Dosya ekle").set_input_files(
        [{"name": "fatura.png", "mimeType": "image/png", "buffer": PNG}]
    )
    page.get_by_role("button", name="Yanıt gönder").click()
    expect(page.get_by_role("status")).to_have_text("Yanıtınız gönderildi.")
    mine = page.locator("#timeline .entry.mine", has_text="İzmir")
    expect(mine).to_contain_text("Siz")
    # the file is in the reply it came with, as an agent's is
    expect(mine.locator(".entry-file a[download]")).to_have_text("fatura.png")
    expect(page.locator("#timeline .entry.file")).to_have_count(0)

    agent_resolves(stack, case_id)
    page.reload()
    ready(page)
    page.get_by_label("Neyin çözülmediğini yazın").fill("Adres hâlâ eski görünüyor.")
    page.get_by_role("button", name="Hayır, çözülmedi").click()
    expect(page.get_by_role("status")).to_have_text("Talebiniz yeniden açıldı.")
    expect(page.locator("#case-status")).to_have_text("Yeniden açıldı")
    expect(page.locator("#timeline")).to_contain_text("Adres hâlâ eski görünüyor.")
