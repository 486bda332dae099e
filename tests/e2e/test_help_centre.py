"""The help centre on the site, in headless Chromium on the local stack
(docs/knowledge-base.md): a customer's search finds a published article, reads it and
votes; on the new-case page, typing a subject shows the matching article beside the form,
and opening it then leaving without filing counts as a deflection in the reports."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from .conftest import eventually
from .test_console_kb import indexed
from .test_site import page, ready, sign_in_as, site  # noqa: F401 (a fixture)


def public_article(http, word: str) -> dict:
    agent, supervisor = http("mehmet"), http("selin")
    body = {"texts": {"tr": {"title": f"Kulaklık bağlanmıyor {word}",
                             "problem": "Bluetooth kulaklık telefona bağlanmıyor",
                             "solution": "1. Kulaklığı kapatıp açın\n2. Yeniden eşleştirin"}},
            "visibility": "public"}  # fmt: skip
    status, made = agent.call("POST", "/articles", body)
    assert status == 201, made
    status, sent = agent.call("POST", f"/articles/{made['id']}/submit",
                              {"revision": made["revision"]})  # fmt: skip
    assert status == 200, sent
    status, live = supervisor.call("POST", f"/articles/{made['id']}/approve",
                                   {"revision": sent["revision"]})  # fmt: skip
    assert status == 200, live
    indexed(http, word)
    return live


def deflected_today(http) -> int:
    today = datetime.now(ZoneInfo("Europe/Istanbul")).date().isoformat()
    status, table = http("selin").call("GET", f"/reports/deflection?from={today}&to={today}")
    assert status == 200, table
    return table["totals"]["drafts_deflected"]


def test_the_help_centre_search_finds_an_article_to_read_and_rate(stack, page, http):  # noqa: F811
    word = "zq" + uuid.uuid4().hex[:8]
    article = public_article(http, word)
    page.goto(f"{site(stack)}/help.html")
    ready(page)
    page.get_by_label("Sorunuzu yazın").fill(f"kulaklik {word}")  # typed without Turkish letters
    page.get_by_role("button", name="Ara").click()
    page.wait_for_url("**/help.html?q=*")
    ready(page)
    hit = page.locator(f'#help-results li[data-slug="{article["slug"]}"]')
    expect(hit).to_contain_text(f"Kulaklık bağlanmıyor {word}")
    expect(hit.locator("mark").first).to_be_visible()  # the matched words marked
    hit.get_by_role("link").click()
    page.wait_for_url(f"**/help.html?a={article['slug']}")
    ready(page)
    expect(page.locator("h1")).to_have_text(f"Kulaklık bağlanmıyor {word}")
    expect(page.locator("#help-article-solution ol li")).to_have_count(2)
    page.get_by_role("button", name="Evet").click()
    expect(page.locator("#help-vote-answer")).to_have_text("Teşekkürler, görüşünüz kaydedildi.")
    status, found = http("mehmet").call("GET", f"/articles/{article['id']}")
    assert status == 200 and found["counts"]["helpful_yes"] == 1, found


def test_answers_beside_a_new_case_and_a_deflection_counted(stack, page, http):  # noqa: F811
    word = "zq" + uuid.uuid4().hex[:8]
    article = public_article(http, word)
    before = deflected_today(http)
    sign_in_as(page, stack, "fatma@example.com")
    page.goto(f"{site(stack)}/new-case.html")
    ready(page)
    page.get_by_label("Konu").fill(f"Kulaklığım bağlanmıyor {word}")
    answer = page.locator(f'#case-answers li[data-slug="{article["slug"]}"]')
    expect(answer).to_contain_text(f"Kulaklık bağlanmıyor {word}")
    with page.context.expect_page() as opened:
        answer.get_by_role("link").click()
    tab = opened.value
    tab.wait_for_load_state()
    expect(tab.locator("h1")).to_have_text(f"Kulaklık bağlanmıyor {word}")
    tab.close()
    # the customer leaves without filing: the page's beacon reports the draft
    page.goto(f"{site(stack)}/index.html")
    ready(page)
    eventually(lambda: deflected_today(http) == before + 1)
