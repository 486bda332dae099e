"""Checklists and the e-library on the local stack, in Chromium: on a case the returns rule
routed, the agent ticks a step of the seeded returns checklist (the tick is in the history)
and sends a seeded public document (the customer's email holds an expiring link that
downloads the PDF); the site's library page lists public documents, never internal ones
(docs/checklists-and-library.md)."""

from __future__ import annotations

import re
import time
import urllib.request

from playwright.sync_api import expect

from tests.support import sign_in, unique_phone

from .browser import console_ready
from .conftest import Http, eventually
from .test_console import open_console  # noqa: F401  (the fixture)
from .test_links import contexts, mail_to, site_ready  # noqa: F401  (contexts: the fixture)

LINK = re.compile(r"(https?://\S+/library/links/[A-Za-z0-9_-]+)")


def returns_case(stack, email: str) -> dict:
    agent = Http(stack.url, sign_in(stack.env, "mehmet"))
    status, case = agent.call(
        "POST",
        "/cases",
        {
            "customer": {"email": email, "phone": unique_phone(), "name": "İade Eden"},
            "type": "request",
            "subject": "Ürünü iade etmek istiyorum",
            "description": "Kutusu açılmadı",
        },
    )
    assert status == 201, case
    routed = eventually(
        lambda: (
            (c := agent.call("GET", f"/cases/{case['id']}")[1]["case"])
            and c["status"] == "open"
            and c
        )
    )
    status, claimed = agent.call(
        "POST", f"/cases/{case['id']}/claim", {"version": routed["version"]}
    )
    assert status == 200, claimed
    return claimed


def test_an_agent_ticks_a_checklist_step_and_sends_a_document(
    stack,
    open_console,  # noqa: F811
):
    email = f"iade.{time.time_ns()}@example.com"
    case = returns_case(stack, email)
    page = open_console("mehmet")
    page.goto(f"{stack.url}/console#/case/{case['number']}")
    console_ready(page)
    checklist = page.locator('.checklist[data-checklist="k-demo-iade"]')
    expect(checklist).to_contain_text("İade kabul kontrolleri")
    step = checklist.get_by_label("Ambalaj ve aksesuarlar tam")
    step.check()
    expect(page.locator("#notice")).to_have_text("Adım işaretlendi.")
    expect(checklist.get_by_label("Ambalaj ve aksesuarlar tam")).to_be_checked()
    expect(checklist).to_contain_text("1/4 adım tamam")
    expect(page.locator(".history .k-checklist")).to_contain_text("Ambalaj ve aksesuarlar tam")

    form = page.locator("form.send-documents")
    expect(form.get_by_label("İade süreci (iç)", exact=False)).to_have_count(
        0
    )  # internal: never offered
    form.get_by_label("İade formu (iade-formu.pdf)").check()
    form.get_by_role("button", name="Belge gönder").click()
    expect(page.locator("#notice")).to_have_text("Belgeler gönderildi.")
    expect(page.locator(".history .k-documents_sent")).to_contain_text("İade formu")

    mail = mail_to(stack, email, "İstediğiniz belgeler")
    (link,) = LINK.findall(mail["body"])
    with urllib.request.urlopen(link, timeout=20) as answer:  # follows the redirect to S3
        assert answer.read().startswith(b"%PDF-")


def test_the_sites_library_lists_public_documents_only(stack, contexts):  # noqa: F811
    site = stack.env["SITE_URL"]
    page = contexts()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{site}/library.html")
    site_ready(page)
    cards = page.locator("#library-list .card")
    expect(cards.filter(has_text="İade formu")).to_have_count(1)
    expect(cards.filter(has_text="Garanti koşulları")).to_have_count(1)
    expect(page.locator("#library-list")).not_to_contain_text("İade süreci (iç)")
    expect(page.get_by_role("link", name="İndir: iade-formu.pdf")).to_be_visible()
    # nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Kategori").select_option("manuals")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("User manual")
    page.goto(f"{site}/en/library.html")
    site_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents and forms")
    expect(page.locator("#library-list .card").first).to_contain_text(
        "User manual"
    )  # English first
