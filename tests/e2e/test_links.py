"""Every link destek writes, followed in Chromium from the developer mailbox to the page it
names: a customer's email and SMS (Turkish, then English) open the case on the site, a group's
notice opens the case in the console, and a new staff member's invitation opens the console,
where the temporary password becomes their own."""

from __future__ import annotations

import json
import re
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.support import cognito, sign_in, unique_phone
from tests.support import e164 as to_e164

from .browser import console_ready
from .conftest import Http, eventually, set_arrivals

PASSWORD = "Destek2026!"
LINK = re.compile(r"https?://\S+")


def mailbox(stack) -> dict:
    with urllib.request.urlopen(f"{stack.env['MAILBOX_URL']}/messages.json", timeout=10) as got:
        return json.loads(got.read())


def link_in(text: str) -> str:
    found = LINK.findall(text)
    assert len(found) == 1, text
    return found[0]


def mail_to(stack, address: str, needle: str) -> dict:
    def found():
        emails = mailbox(stack)["emails"]
        return next((m for m in emails if m["to"] == [address] and needle in m["subject"]), None)

    return eventually(found)


def sms_to(stack, phone: str, needle: str) -> dict:
    def found():
        texts = mailbox(stack)["sms"]
        return next((m for m in texts if m["to"] == phone and needle in m["body"]), None)

    return eventually(found)


@pytest.fixture
def contexts(browser):
    opened, errors = [], []

    def fresh():
        context = browser.new_context(locale="tr-TR", viewport={"width": 1100, "height": 900})
        opened.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(15_000)
        return page

    yield fresh
    for context in opened:
        context.close()
    assert errors == [], errors


def site_ready(page) -> None:
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")


def test_a_customers_email_and_sms_links_open_the_case_in_each_language(stack, contexts):
    site = stack.env["SITE_URL"]
    email = f"link.{time.time_ns()}@example.com"
    phone = unique_phone()
    e164 = to_e164(phone)
    page = contexts()
    page.goto(f"{site}/signup.html")
    site_ready(page)
    page.get_by_label("Ad soyad").fill("Bağlantı Deneyen")
    page.get_by_label("E-posta").fill(email)
    page.get_by_label("Cep telefonu (isteğe bağlı)").fill(phone)  # asked at sign-up
    page.get_by_label("Parola").fill(PASSWORD)
    page.get_by_role("button", name="Hesap oluştur").click()
    page.wait_for_url("**/confirm.html*")
    site_ready(page)
    page.get_by_label("Doğrulama kodu").fill("123456")
    page.get_by_role("button", name="Doğrula").click()
    page.wait_for_url("**/signin.html*")
    site_ready(page)
    page.get_by_label("Parola").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Giriş yap").click()
    page.wait_for_url("**/index.html")
    page.goto(f"{site}/profile.html")
    site_ready(page)
    expect(page.get_by_label("Cep telefonu (isteğe bağlı)")).to_have_value(e164)
    page.get_by_label("E-posta ve SMS").check()
    page.get_by_role("button", name="Kaydet").click()
    expect(page.get_by_role("status")).to_have_text("Kaydedildi.")

    agent = Http(stack.url, sign_in(stack.env, "mehmet"))
    status, case = agent.call("POST", "/cases", {
        "customer": {"email": email}, "type": "complaint", "subject": "Süpürge çalışmıyor",
        "description": "Kutudan bozuk çıktı"})  # fmt: skip
    assert status == 201, case
    number = case["number"]

    received = mail_to(stack, email, number)
    link = link_in(received["body"])
    assert link == f"{site}/case.html?n={number}"
    page.goto(link)  # signed in: straight to the case
    site_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Talep {number}")
    expect(page.locator("#case-subject")).to_have_text("Süpürge çalışmıyor")
    assert link_in(sms_to(stack, e164, number)["body"]) == link

    page.goto(f"{site}/profile.html")  # the customer now reads English
    site_ready(page)
    page.get_by_label("Dil").select_option("en")
    page.get_by_role("button", name="Kaydet").click()
    expect(page.get_by_role("status")).to_have_text("Kaydedildi.")
    found = eventually(lambda: (c := agent.call("GET", f"/cases/{case['id']}")[1]["case"])
                       and c["status"] == "open" and c)  # fmt: skip
    status, claimed = agent.call("POST", f"/cases/{case['id']}/claim",
                                 {"version": found["version"]})  # fmt: skip
    assert status == 200, claimed
    status, _ = agent.call("POST", f"/cases/{case['id']}/replies",
                           {"version": claimed["version"], "body": "Yenisi yolda."})  # fmt: skip
    assert status == 201
    reply = sms_to(stack, e164, f"/en/case.html?n={number}")  # the reply, in English
    english = link_in(reply["body"])
    assert english == f"{site}/en/case.html?n={number}"

    stranger = contexts()  # another browser, not signed in: sign in first, then the case
    stranger.goto(english)
    stranger.wait_for_url("**/en/signin.html?next=*")
    site_ready(stranger)
    stranger.get_by_label("Email").fill(email)
    stranger.get_by_label("Password").fill(PASSWORD)
    stranger.locator("form").get_by_role("button", name="Sign in").click()
    stranger.wait_for_url(f"**/en/case.html?n={number}")
    site_ready(stranger)
    expect(stranger.get_by_role("heading", level=1)).to_have_text(f"Request {number}")
    expect(stranger.locator("#timeline")).to_contain_text("Yenisi yolda.")


def test_a_groups_notice_opens_the_case_in_the_console(stack, contexts):
    """The group mails each arrival (its default, a digest, would come after the test)."""
    set_arrivals(Http(stack.url, sign_in(stack.env, "admin")), "urun", "each")
    agent = Http(stack.url, sign_in(stack.env, "mehmet"))
    status, case = agent.call("POST", "/cases", {
        "customer": {"phone": "0532 414 10 10", "name": "Konsol Bağlantısı"},
        "type": "complaint", "subject": "Süpürge çalışmıyor",
        "description": "Açılmıyor"})  # fmt: skip
    assert status == 201, case
    number = case["number"]
    notice = mail_to(stack, "elif@destek.example", number)  # the group's "new case" notice
    link = link_in(notice["body"])
    assert link == f"{stack.url}/console#/case/{number}"
    page = contexts()
    page.goto(link)
    page.get_by_label("Kullanıcı adı").fill("elif")
    page.get_by_label("Parola").fill(PASSWORD)
    page.get_by_role("button", name="Giriş yap").click()
    console_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{number} · Süpürge çalışmıyor")


def test_an_invitation_opens_the_console_where_the_new_person_chooses_a_password(stack, contexts):
    username = f"davet{time.time_ns() % 10**6}"
    address = f"{username}@destek.example"
    admin = Http(stack.url, sign_in(stack.env, "admin"))
    details = {"name": "Yeni Arkadaş", "email": address, "roles": ["agent"]}
    status, made = admin.call("PUT", f"/staff/{username}", details)
    assert status == 200, made
    invitation = mail_to(stack, address, "destek konsolu")
    link = re.search(r"Konsol: (\S+)", invitation["body"]).group(1)
    assert link == f"{stack.url}/console"
    temporary = re.search(r"Geçici parola: (\S+)", invitation["body"]).group(1)

    page = contexts()
    page.goto(link)
    page.get_by_label("Kullanıcı adı").fill(username)
    page.get_by_label("Parola", exact=True).fill(temporary)
    page.get_by_role("button", name="Giriş yap").click()
    expect(page.get_by_role("status")).to_have_text("İlk girişiniz: kendi parolanızı belirleyin.")
    page.get_by_label("Yeni parola", exact=True).fill("Kendi2026Parolam")
    page.get_by_label("Yeni parola (tekrar)").fill("Kendi2026Parola")
    page.get_by_role("button", name="Parolayı kaydet ve gir").click()
    expect(page.get_by_role("alert")).to_have_text("İki parola aynı değil.")
    page.get_by_label("Yeni parola (tekrar)").fill("Kendi2026Parolam")
    page.get_by_role("button", name="Parolayı kaydet ve gir").click()
    expect(page.locator("#nav")).to_be_visible()
    expect(page.locator("#who")).to_contain_text("Yeni Arkadaş")
    own = cognito(stack.env).initiate_auth(
        ClientId=stack.env["STAFF_CLIENT_IDS"], AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": "Kendi2026Parolam"},
    )  # fmt: skip
    assert own["AuthenticationResult"]["IdToken"]  # the password is theirs now
