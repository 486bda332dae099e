"""Unread marks in the console, in headless Chromium against the local stack: the customer
writes (through the API), the agent's list shows the mark without a reload (the list is asked
again every 30 s; the page's clock is run forward), opening the case clears it, and the mark
is the same in another browser (it lives on the case, not in the browser)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import eventually
from .test_console import PASSWORD, ready

UNREAD = re.compile(r"\bunread\b")


@pytest.fixture
def console(browser, stack):
    """A signed-in console page whose timers the test drives (Playwright's clock)."""
    contexts = []
    errors: list[str] = []

    def signed_in(username: str):
        context = browser.new_context(locale="tr-TR", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(15_000)
        page.clock.install()
        page.goto(f"{stack.url}/console")
        page.get_by_label("Kullanıcı adı").fill(username)
        page.get_by_label("Parola").fill(PASSWORD)
        page.get_by_role("button", name="Giriş yap").click()
        expect(page.locator("#nav")).to_be_visible()
        ready(page)
        return page

    yield signed_in
    for context in contexts:
        context.close()
    assert errors == [], errors


def ahmets_case(http, subject: str) -> dict:
    """A case of the seeded customer Ahmet (who can sign in to the site), routed to `urun`."""
    agent = http("mehmet")
    status, case = agent.call("POST", "/cases", {
        "customer": {"customer_number": "10000001"}, "type": "question", "group_id": "urun",
        "subject": subject, "description": "Bilgi almak istiyorum"})  # fmt: skip
    assert status == 201, case
    eventually(lambda: agent.call("GET", f"/cases/{case['id']}")[1]["case"]["status"] == "open")
    return agent.call("GET", f"/cases/{case['id']}")[1]["case"]


def customer_replies(http, case_id: str, body: str) -> None:
    ahmet = http("ahmet@example.com")
    version = ahmet.call("GET", f"/cases/{case_id}")[1]["case"]["version"]
    status, answer = ahmet.call("POST", f"/cases/{case_id}/replies", {"version": version,
                                                                      "body": body})  # fmt: skip
    assert status == 201, answer


def poll(page) -> None:
    """Let the console's 30-second poll come round, then wait for its answer to be drawn."""
    page.clock.run_for(31_000)


def test_a_customer_reply_marks_my_case_without_a_reload_and_opening_it_clears_it(console, http):
    case = ahmets_case(http, "Fatura adresi")
    status, _ = http("mehmet").call("POST", f"/cases/{case['id']}/claim",
                                    {"version": case["version"]})  # fmt: skip
    assert status == 200
    page = console("mehmet")  # "my cases" is the first page
    row = page.locator(f'tr[data-case="{case["id"]}"]')
    expect(row).to_be_visible()
    expect(row).not_to_have_class(UNREAD)  # he claimed it: nothing new to him
    page.evaluate("window.stillTheSamePage = true")

    customer_replies(http, case["id"], "Adresim değişti, yenisi ekte")
    poll(page)
    expect(row).to_have_class(UNREAD)
    expect(row.locator(".unread-mark.from-customer")).to_have_attribute("title", "Müşteri yazdı")
    assert page.evaluate("window.stillTheSamePage") is True  # no reload

    other_device = console("mehmet")  # another browser: the mark is on the case, not here
    expect(other_device.locator(f'tr[data-case="{case["id"]}"]')).to_have_class(UNREAD)

    row.get_by_role("link", name=case["number"]).click()
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case["number"])
    page.get_by_role("link", name="Taleplerim").click()
    ready(page)
    expect(page.locator(f'tr[data-case="{case["id"]}"]')).not_to_have_class(UNREAD)
    poll(other_device)  # the other browser's list catches up on its next poll
    expect(other_device.locator(f'tr[data-case="{case["id"]}"]')).not_to_have_class(UNREAD)


def test_the_group_queue_marks_a_pooled_case_the_customer_wrote_to(console, http):
    case = ahmets_case(http, "Kargo süresi")
    page = console("elif")  # a member of urun who has not looked yet
    page.get_by_role("link", name="Grup havuzu").click()
    ready(page)
    page.get_by_role("link", name="Ürün ve İade").click()
    ready(page)
    row = page.locator(f'tr[data-case="{case["id"]}"]')
    expect(row).to_have_class(UNREAD)  # new in the pool: nobody in the group opened it
    expect(row.locator(".unread-mark")).not_to_have_class(re.compile("from-customer"))
    row.get_by_role("link", name=case["number"]).click()
    ready(page)
    page.go_back()
    ready(page)
    row = page.locator(f'tr[data-case="{case["id"]}"]')
    expect(row).not_to_have_class(UNREAD)

    customer_replies(http, case["id"], "Ne zaman gelir?")
    poll(page)
    expect(row).to_have_class(UNREAD)
    expect(row.locator(".unread-mark.from-customer")).to_be_attached()
