"""The knowledge base in the console, in headless Chromium on the local stack: an agent
sees a published article suggested beside a case, inserts its solution into the reply and
sends it; the article counts the insert (docs/knowledge-base.md)."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.support import unique_phone

from .conftest import eventually
from .test_console import open_console, ready, routed_case  # noqa: F401 (a fixture)


def indexed(http, word: str) -> None:
    """Wait for the search queue to index the published article (suggestions search)."""
    public = http(None)
    eventually(lambda: public.call("GET", f"/kb/search?q={word}")[1].get("items"))


def published_article(http, word: str) -> dict:
    agent, supervisor = http("mehmet"), http("selin")
    body = {"texts": {"tr": {"title": f"Süpürge çalışmıyor {word}",
                             "problem": "Süpürge açılmıyor",
                             "solution": "1. Fişi kontrol edin\n2. Filtreyi temizleyin"}},
            "visibility": "public"}  # fmt: skip
    status, made = agent.call("POST", "/articles", body)
    assert status == 201, made
    status, sent = agent.call("POST", f"/articles/{made['id']}/submit",
                              {"revision": made["revision"]})  # fmt: skip
    assert status == 200, sent
    status, live = supervisor.call("POST", f"/articles/{made['id']}/approve",
                                   {"revision": sent["revision"]})  # fmt: skip
    assert status == 200, live
    return live


def test_an_agent_inserts_a_suggested_article_into_a_reply(open_console, http):  # noqa: F811
    word = "zq" + uuid.uuid4().hex[:6]
    article = published_article(http, word)
    indexed(http, word)
    case = routed_case(http, unique_phone(), "Deniz", subject=f"Süpürge çalışmıyor {word}")
    page = open_console("mehmet")
    page.goto(page.url.split("#")[0] + f"#/case/{case['id']}")
    ready(page)
    suggestion = page.locator(f'.kb-suggested li[data-article="{article["id"]}"]')
    expect(suggestion).to_contain_text(f"Süpürge çalışmıyor {word}")
    suggestion.get_by_role("button", name="Yanıta ekle").click()
    reply = page.get_by_label("Müşteriye yanıt")
    expect(reply).to_have_value("1. Fişi kontrol edin\n2. Filtreyi temizleyin")
    page.get_by_role("button", name="Yanıtı gönder").click()
    expect(page.locator("#notice")).to_have_text("Yanıt gönderildi.")
    expect(page.locator(".history .k-reply")).to_contain_text("Fişi kontrol edin")
    status, found = http("mehmet").call("GET", f"/articles/{article['id']}")
    assert status == 200 and found["counts"]["inserted"] == 1, found
    assert found["counts"]["suggested"] == 1
