"""The knowledge base and full-text search in the console, in headless Chromium on the local
stack: an agent sees a published article suggested beside a case, inserts its solution into
the reply and sends it; the article counts the insert (docs/knowledge-base.md). Words typed
into the search box find the cases and articles that hold them, typed with or without
Turkish letters, the matches marked, a case's HTML-looking text shown as text
(docs/search.md)."""

from __future__ import annotations

import re
import urllib.parse
import uuid

from playwright.sync_api import expect

from tests.support import unique_phone

from .browser import screenshot
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


#: a case's text that would be markup if a page put it into innerHTML
IMG = "<img src=x onerror=alert(1)>"


def test_words_in_the_search_box_find_cases_and_articles_with_the_match_marked(
    open_console,  # noqa: F811
    http,
):
    # a word no other case holds: Turkish letters, and the same typed without them
    tail = "".join(chr(ord("k") + int(c, 16) % 10) for c in uuid.uuid4().hex[:8])
    word, typed = f"çöğüş{tail}", f"cogus{tail}"
    article = published_article(http, word)
    agent = http("mehmet")
    status, case = agent.call("POST", "/cases", {
        "customer": {"phone": unique_phone(), "name": "Arama Müşterisi"}, "type": "complaint",
        "subject": f"Para iadesi yapılmadı {IMG}",
        "description": f"Param İade edilmedi, {word} siparişim <b>acil</b>"})  # fmt: skip
    assert status == 201, case
    q = urllib.parse.quote(word)
    for kind, wanted in (("case", case["id"]), ("article", f"{article['id']}.tr")):
        eventually(
            lambda kind=kind, wanted=wanted: any(
                hit["id"] == wanted
                for hit in agent.call("GET", f"/search?q={q}&kind={kind}")[1].get("items", [])
            )
        )

    page = open_console("mehmet")
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    expect(page.get_by_role("link", name="Belge kitaplığı")).to_be_hidden()  # agents read only
    page.get_by_role("searchbox", name="Ara", exact=True).fill(f"İade edilmedi {word}")
    page.get_by_role("button", name="Ara", exact=True).click()
    ready(page)
    hit = page.locator(f'.search-hits[data-kind="case"] li[data-hit="{case["id"]}"]')
    expect(hit.locator("mark", has_text=word)).to_have_count(1)
    article_hit = page.locator(
        f'.search-hits[data-kind="article"] li[data-hit="{article["id"]}.tr"]'
    )
    expect(article_hit.get_by_role("link")).to_have_attribute("href", f"#/article/{article['id']}")
    expect(article_hit.locator("mark")).to_have_text(word)
    expect(page.locator("#view")).to_contain_text("Eşleşen müşteri bulunamadı.")  # nobody by name

    page.get_by_role("searchbox", name="Ara", exact=True).fill(
        f"iade edilmedi {typed}"
    )  # no Turkish letters
    page.get_by_role("button", name="Ara", exact=True).click()
    ready(page)
    expect(hit.locator(".snippet mark")).to_have_text(["İade", "edilmedi", word])
    expect(hit.locator(".hit-title")).to_have_text(f"Para iadesi yapılmadı {IMG}")
    expect(hit.locator(".snippet")).to_contain_text("<b>acil</b>")
    assert page.locator(".search-hits img, .search-hits b").count() == 0
    screenshot(page, "console-search")
    hit.get_by_role("link", name=case["number"]).click()
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Para iadesi yapılmadı")
    assert dialogs == [] and re.fullmatch(r"#/case/.+", page.evaluate("location.hash"))


def test_an_agent_writes_a_macro_previews_it_on_a_case_and_applies_it(open_console, http):  # noqa: F811
    """Macros (docs/macros.md): written on #/macros, found by title beside a case, its reply
    rendered for the case put into the reply box, then applied (reply and priority at once)."""
    title = f"Kargo gecikti {uuid.uuid4().hex[:6]}"
    case = routed_case(http, unique_phone(), "Deniz Macro")
    page = open_console("mehmet")
    page.goto(page.url.split("#")[0] + "#/macros/new")
    ready(page)
    editor = page.locator("#macro-editor")
    editor.locator('[name="title_tr"]').fill(title)
    editor.locator('[name="body_tr"]').fill("Merhaba {{customer_name}}, {{case_number}} kaydınız.")
    editor.locator('[name="priority"]').select_option("high")
    editor.get_by_role("button", name="Makroyu kaydet").click()
    expect(page.locator("#notice")).to_have_text("Makro kaydedildi.")

    page.goto(page.url.split("#")[0] + f"#/case/{case['id']}")
    ready(page)
    block = page.locator(".case-macros")
    block.get_by_role("searchbox").fill(title.split()[-1])
    expect(block.locator('select[name="macro"] option')).to_have_text([title])
    block.get_by_role("button", name="Önizle").click()
    rendered = f"Merhaba Deniz Macro, {case['number']} kaydınız."
    expect(block.locator(".macro-reply")).to_have_text(rendered)
    # the parts a macro without conditions, note or gaps has not are left out, not "null"
    expect(block.locator(".macro-preview")).not_to_contain_text("null")
    block.get_by_role("button", name="Yanıt kutusuna ekle").click()
    expect(page.get_by_label("Müşteriye yanıt")).to_have_value(rendered)
    block.get_by_role("button", name="Uygula").click()
    expect(page.locator("#notice")).to_have_text("Makro uygulandı.")
    expect(page.locator(".history .k-reply").first).to_contain_text(rendered)
    expect(page.locator(".history .macro-line").first).to_have_text(f"Makro: {title}")
    status, found = http("mehmet").call("GET", f"/cases/{case['id']}")
    assert status == 200 and found["case"]["priority"] == "high", found
    assert found["case"]["version"] == case["version"] + 2  # routed, then the macro's one change

    # a reply naming a value the case lacks (no shipment): named in words, never applied
    lacking = f"Takip {uuid.uuid4().hex[:6]}"
    status, made = http("mehmet").call("POST", "/macros", {
        "title": {"tr": lacking}, "visibility": "personal",
        "body": {"tr": "Takip bağlantınız: {{tracking_link}}. Saygılarımızla"}})  # fmt: skip
    assert status == 201, made
    page.reload()
    ready(page)
    block.get_by_role("searchbox").fill(lacking.split()[-1])
    expect(block.locator('select[name="macro"] option')).to_have_text([lacking])
    block.get_by_role("button", name="Önizle").click()
    gap = block.locator(".mac-reply-missing")
    expect(gap).to_contain_text("kargo takip bağlantısı")
    expect(gap).to_contain_text("uygulanamaz")
    expect(block.locator(".macro-preview")).not_to_contain_text("tracking_link")
    expect(block.locator(".macro-preview")).not_to_contain_text("null")
    expect(block.get_by_role("button", name="Yanıt kutusuna ekle")).to_be_visible()
    expect(block.get_by_role("button", name="Uygula")).to_have_count(0)
