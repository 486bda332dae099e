"""Merging from the case screen on the local stack, in Chromium (docs/merge-and-split.md):
the agent picks the survivor by number, confirms, and the merged case shows a banner linking
to the case that carries on, whose history holds the merged case's message."""

from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.support import sign_in, unique_phone

from .browser import console_ready
from .conftest import Http, eventually
from .test_console import open_console  # noqa: F401  (the fixture)


def claimed_case(agent: Http, customer: dict, description: str) -> dict:
    status, case = agent.call("POST", "/cases", {
        "customer": customer, "type": "request", "subject": "Ürünü iade etmek istiyorum",
        "description": description})  # fmt: skip
    assert status == 201, case
    routed = eventually(
        lambda: (
            (c := agent.call("GET", f"/cases/{case['id']}")[1]["case"])["status"] == "open" and c
        )
    )
    status, claimed = agent.call("POST", f"/cases/{case['id']}/claim",
                                 {"version": routed["version"]})  # fmt: skip
    assert status == 200, claimed
    return claimed


def test_an_agent_merges_a_case_into_another_from_the_case_screen(
    stack,
    open_console,  # noqa: F811
):
    agent = Http(stack.url, sign_in(stack.env, "mehmet"))
    customer = {"email": f"birlesik.{time.time_ns()}@example.com", "phone": unique_phone(),
                "name": "İki Talepli"}  # fmt: skip
    source = claimed_case(agent, customer, "Kutusu açılmadı, iade edeceğim")
    into = claimed_case(agent, customer, "İade talebim için ikinci kez yazıyorum")
    page = open_console("mehmet")
    page.goto(f"{stack.url}/console#/case/{source['number']}")
    console_ready(page)
    form = page.locator("form.merge-form")
    form.get_by_label("Devam edecek talep (numarası)").fill(into["number"])
    form.get_by_role("button", name="Bul").click()
    form.get_by_role(
        "button", name=f"{source['number']} talebini {into['number']} talebine birleştir"
    ).click()
    expect(page.locator("#notice")).to_have_text(
        f"{into['number']} numaralı talebe birleştirildi.", timeout=30_000
    )
    banner = page.locator(".merged-banner")
    expect(banner).to_contain_text(f"{into['number']} numaralı talebe birleştirildi; salt okunur.")
    expect(page.locator("form.merge-form")).to_have_count(0)  # read-only: no actions
    banner.get_by_role("link").click()
    console_ready(page)
    expect(page.locator(".case-head h1")).to_contain_text(into["number"])
    history = page.locator(".history")
    expect(history.locator(".k-merged")).to_contain_text(source["number"])
    expect(history).to_contain_text("Kutusu açılmadı, iade edeceğim")
