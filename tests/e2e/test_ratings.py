"""Satisfaction at resolution on the local stack, in Chromium: a resolved case's email (from
the stack's SES, through the developer mailbox) holds a rating link; following it shows the
form and records nothing; the form's POST records the score, which then shows on the case
in the console, in the customer 360, and in the satisfaction report (docs/satisfaction.md)."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.support import sign_in, unique_phone

from .browser import console_ready
from .conftest import Http, eventually
from .test_console import open_console  # noqa: F401  (the fixture)
from .test_links import contexts, mail_to, site_ready  # noqa: F401  (contexts: the fixture)

RATE_LINK = re.compile(r"\s5: (\S+/rate\.html\?t=[A-Za-z0-9_-]+&s=5)")


def resolved_case(stack, email: str) -> dict:
    agent = Http(stack.url, sign_in(stack.env, "mehmet"))
    status, case = agent.call("POST", "/cases", {
        "customer": {"email": email, "phone": unique_phone(), "name": "Puan Veren"},
        "type": "complaint", "subject": "Süpürge çalışmıyor",
        "description": "Kutudan bozuk çıktı"})  # fmt: skip
    assert status == 201, case
    routed = eventually(lambda: (c := agent.call("GET", f"/cases/{case['id']}")[1]["case"])
                        and c["status"] == "open" and c)  # fmt: skip
    status, claimed = agent.call("POST", f"/cases/{case['id']}/claim",
                                 {"version": routed["version"]})  # fmt: skip
    assert status == 200, claimed
    status, done = agent.call("POST", f"/cases/{case['id']}/status",
                              {"version": claimed["version"], "status": "resolved"})  # fmt: skip
    assert status == 200, done
    return done


def test_the_emailed_link_rates_the_case_which_shows_in_the_console_and_the_report(
    stack,
    contexts,  # noqa: F811
    open_console,  # noqa: F811
):
    email = f"puan.{time.time_ns()}@example.com"
    case = resolved_case(stack, email)
    number = case["number"]
    mail = mail_to(stack, email, f"Talebiniz çözüldü: {number}")
    link = RATE_LINK.search(mail["body"]).group(1)
    assert link.startswith(f"{stack.env['SITE_URL']}/rate.html?t=")

    page = contexts()  # the customer's browser, signed in to nothing
    page.goto(link)
    site_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hizmetimizi puanlayın")
    expect(page.locator("#rate-case")).to_have_text(f"{number} numaralı talep: Süpürge çalışmıyor")
    scores = page.get_by_role("group", name=re.compile("ne kadar memnunsunuz"))
    expect(scores.get_by_label("5 – Çok memnunum")).to_be_checked()  # the link's score, chosen
    supervisor = Http(stack.url, sign_in(stack.env, "selin"))
    assert (
        supervisor.call("GET", f"/cases/{case['id']}")[1]["case"]["rating"] is None
    )  # opened, not answered

    # the comment's room is counted as the API counts it, in UTF-8 bytes: 600 "ş" are 1,200
    comment = page.get_by_label("Eklemek istediğiniz bir şey var mı? (isteğe bağlı)")
    expect(page.locator("#comment-room")).to_have_text("Kalan yer: 1.000 harf.")
    comment.fill("ş" * 600)
    expect(page.locator("#comment-room")).to_have_text(
        "Yazdığınız metin 200 harf kadar uzun; lütfen kısaltın.")  # fmt: skip
    page.get_by_role("button", name="Gönder").click()
    expect(page.locator("#comment-error")).to_have_text(
        "Yazdığınız metin 200 harf kadar uzun; lütfen kısaltın.")  # fmt: skip
    expect(comment).to_be_focused()
    # had the page let it through, the API's refusal is told at the field, in its own words
    comment.evaluate("area => { area.dataset.maxBytes = '5000'; }")
    page.get_by_role("button", name="Gönder").click()
    expect(page.locator("#comment-error")).to_have_text("çok uzun; kısaltın")
    assert supervisor.call("GET", f"/cases/{case['id']}")[1]["case"]["rating"] is None

    scores.get_by_label("4 – Memnunum").check()  # they think again
    page.get_by_label("Eklemek istediğiniz bir şey var mı? (isteğe bağlı)").fill(
        "Hızlı ilgilendiniz"
    )
    page.get_by_role("button", name="Gönder").click()
    expect(page.get_by_role("status")).to_have_text("Teşekkürler! Yanıtınız kaydedildi.")
    expect(page.locator("#rate-current")).to_contain_text("5 üzerinden 4")
    rating = supervisor.call("GET", f"/cases/{case['id']}")[1]["case"]["rating"]
    assert (rating["score"], rating["comment"], rating["source"]) == (4, "Hızlı ilgilendiniz",
                                                                      "customer")  # fmt: skip

    console = open_console("selin")
    console.goto(f"{stack.url}/console#/case/{number}")
    console_ready(console)
    satisfaction = console.get_by_role("region", name="Memnuniyet")
    expect(satisfaction).to_contain_text("Müşterinin kendi yanıtı: 5 üzerinden 4")
    expect(satisfaction).to_contain_text("Hızlı ilgilendiniz")
    customer_line = satisfaction.locator("li.r-customer")
    assert re.search(r"\d\d:\d\d\s*\n+\s*\W?Hızlı ilgilendiniz", customer_line.inner_text())
    expect(console.locator(".customer-panel")).to_be_visible()
    console.goto(f"{stack.url}/console#/customer/{case['customer_id']}")  # the customer 360
    console_ready(console)
    expect(console.locator(".customer-panel")).to_contain_text(f"{number}")
    expect(console.locator(".customer-panel")).to_contain_text("★ 4/5")

    today = datetime.now(ZoneInfo("Europe/Istanbul")).date()
    start, end = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()
    path = f"/reports/satisfaction?from={start}&to={end}&by=agent"

    def counted():
        status, table = supervisor.call("GET", path)
        assert status == 200, table
        return next((r for r in table["rows"] if r["agent"] == "mehmet" and r["csat_responses"]),
                    None)  # fmt: skip

    row = eventually(counted)  # the projection is fed asynchronously
    console.goto(f"{stack.url}/console#/reports?report=satisfaction&from={start}&to={end}&by=agent")
    console_ready(console)
    expect(console.get_by_label("Rapor")).to_have_value("satisfaction")
    shown = console.locator("table.report tbody tr", has_text="Mehmet Demir")
    expect(shown).to_have_count(1)
    expect(shown.locator("td").nth(1)).to_have_text(str(row["csat_responses"]))


def test_a_broken_link_is_told_kindly_in_the_readers_language(stack, contexts):  # noqa: F811
    page = contexts()
    page.goto(f"{stack.env['SITE_URL']}/en/rate.html?t=A{'x' * 66}")  # the shape, not ours
    site_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate our help")
    expect(page.locator("#rate-gone")).to_have_text(re.compile("We could not open this rating"))
    expect(page.locator("#rate-gone")).to_be_focused()
    expect(page.locator("#rate-form")).to_be_hidden()
