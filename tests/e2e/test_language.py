"""What a Turkish reader sees in the console and on the site, in headless Chromium against the
local stack: a case's whole history in words with names and Istanbul times, countdowns with a
number, and the API's refusals in Turkish, never its English messages.

A real case gives the lines agents make (opened, routed, claimed, reply, note, status, fields);
the lines only time or old data make (SLA events, closing by itself, every reason code) are
added to the API's answer on its way to the page, built from the enums, so a kind or reason
added later is shown here too.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from chalicelib.domain.cases import EntryKind, ReasonCode
from tests.support import sign_in, unique_phone
from tests.unit.test_i18n import ISO_TIME, english_in

from .browser import console_ready
from .conftest import Http, eventually

PASSWORD = "Destek2026!"
#: a key the page had no words for is shown as itself ("reason_x", "field_y"): never wanted
RAW_KEY = re.compile(
    r"\b(entry|reason|field|status|priority|type|channel|notify|target_word|error|problem)_\w+"
)


@pytest.fixture
def new_page(browser):
    contexts, errors = [], []

    def opened(locale: str = "tr-TR"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(15_000)
        return page

    yield opened
    for context in contexts:
        context.close()
    assert errors == [], errors


def console(page, stack, username: str, lang: str = "tr"):
    page.goto(f"{stack.url}/console" + ("?lang=en" if lang == "en" else ""))
    page.get_by_label("Kullanıcı adı" if lang == "tr" else "Username").fill(username)
    page.get_by_label("Parola" if lang == "tr" else "Password").fill(PASSWORD)
    page.get_by_role("button", name="Giriş yap" if lang == "tr" else "Sign in").click()
    expect(page.locator("#nav")).to_be_visible()
    ready(page)


ready = console_ready


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def worked_case(stack) -> dict:
    """A phone case mehmet claimed, answered, noted, put on hold and raised (real lines)."""
    agent = Http(stack.url, sign_in(stack.env, "mehmet"))
    phone = unique_phone()
    status, case = agent.call("POST", "/cases", {
        "customer": {"phone": phone, "name": "Dil Testi"}, "type": "complaint",
        "subject": "Süpürge çalışmıyor", "description": "Kutudan bozuk çıktı"})  # fmt: skip
    assert status == 201, case
    case = eventually(lambda: (c := agent.call("GET", f"/cases/{case['id']}")[1]["case"])
                      ["status"] == "open" and c)  # fmt: skip
    steps = [
        ("claim", {}),
        ("replies", {"body": "Yenisini gönderiyoruz."}),
        ("notes", {"body": "Depoya soruldu."}),
        ("status", {"status": "waiting_customer"}),
    ]
    for path, body in steps:
        status, case = agent.call("POST", f"/cases/{case['id']}/{path}",
                                  {"version": case["version"], **body})  # fmt: skip
        assert status in (200, 201), case
    status, case = agent.call("PATCH", f"/cases/{case['id']}",
                              {"version": case["version"], "priority": "high"})  # fmt: skip
    assert status == 200, case
    return case


def synthetic_lines(case_id: str) -> list[dict]:
    """A line for every reason code and every entry kind, with the facts each one carries."""
    at = iso(datetime.now(UTC) - timedelta(minutes=5))
    system = {"kind": "system", "id": "destek", "name": "destek"}
    facts = {
        "opened": {"channel": "email"}, "rule_matched": {"rule_name": "Kargo kuralı",
                                                         "matched": ["KARGOM", "kargoya"]},
        "auto_closed": {"days": 7},
        "sla_reminder": {"kind": "reminder", "target": "first_response"},
        "sla_breach": {"kind": "breach", "target": "resolution"},
        "sla_escalation": {"kind": "escalation", "target": "resolution", "level": 1,
                           "notify": "assignee_and_group"},
    }  # fmt: skip
    escalated = {
        "priority": {"from": "normal", "to": "urgent"},
        "group_id": {"from": "urun", "to": "teslimat"},
        "due_at": {"from": None, "to": at},
    }
    kinds = {"opened": "created", "customer_confirmed": "status_changed",
             "auto_closed": "status_changed"}  # fmt: skip
    lines = [
        {"id": f"h-{code.value}", "case_id": case_id, "at": at, "actor": system,
         "kind": kinds.get(code.value, "sla" if code.value.startswith("sla") else "assigned"),
         "visibility": "internal", "body": None, "reason": None, "reason_code": code.value,
         "data": facts.get(code.value, {}),
         "changes": escalated if code == ReasonCode.SLA_ESCALATION else {}}
        for code in ReasonCode
    ]  # fmt: skip
    covered = {line["kind"] for line in lines} | {"reply", "note", "routed", "fields_changed"}
    lines += [{"id": f"h-kind-{k.value}", "case_id": case_id, "at": at, "actor": system,
               "kind": k.value, "visibility": "internal", "body": None, "reason": None,
               "reason_code": None, "data": {}, "changes": {}}
              for k in EntryKind if k.value not in covered]  # fmt: skip
    return lines


def test_a_case_history_reads_in_turkish_with_names_and_local_times(stack, new_page):
    case = worked_case(stack)
    page = new_page()
    added = synthetic_lines(case["id"])

    def with_every_line(route):
        response = route.fetch()
        view = response.json()
        view["history"] += added
        route.fulfill(response=response, json=view)

    page.route(re.compile(rf".*/cases/{case['id']}$"), with_every_line)
    console(page, stack, "mehmet")
    page.goto(f"{stack.url}/console#/case/{case['id']}")
    ready(page)
    history = page.locator("ol.history")
    expect(history.locator("li")).to_have_count(len(added) + 7)  # 7 real lines
    text = history.inner_text()
    assert not ISO_TIME.search(text), text
    assert english_in(text) == set(), text
    assert not RAW_KEY.search(text), text
    assert not re.search(r"\b(urun|teslimat|mehmet|in_progress|waiting_customer)\b", text), text
    for said in [
        "Telefon kanalından açıldı",  # the real case, opened on the phone
        "Hiçbir kural eşleşmedi; varsayılan gruba geldi",
        "Havuzdan üstlenildi",
        "Durum: İşlemde → Müşteri bekleniyor",
        "Öncelik: Normal → Yüksek",
        "Grup: — → Ürün ve İade",  # routed: the group's name, not its id
        "Sorumlu: — → Mehmet Demir",
        "“Kargo kuralı” kuralı eşleşti: KARGOM, kargoya",
        "Çözümden 7 gün sonra kendiliğinden kapandı",
        "Hedef süre yaklaşıyor: ilk yanıt",
        "Hedef süre aşıldı: çözüm",
        "1. seviyeye yükseltildi; bilgilendirilen: sorumlu ve grup",
        "Grup: Ürün ve İade → Kargo ve Teslimat",
        "destek (otomatik)",
    ]:
        assert said in text, said
    # the added lines' own time on Istanbul's clock (not a second reading of the clock: a
    # minute can turn between making the lines and reading the page)
    istanbul = datetime.fromisoformat(added[0]["at"]).astimezone(ZoneInfo("Europe/Istanbul"))
    assert f"{istanbul:%H:%M}" in text
    expect(page.locator('[data-fact="group"]')).to_have_text("Ürün ve İade")
    expect(page.locator('[data-fact="assignee"]')).to_have_text("Mehmet Demir")

    english = new_page("en-GB")
    english.route(re.compile(rf".*/cases/{case['id']}$"), with_every_line)
    console(english, stack, "mehmet", "en")
    english.goto(f"{stack.url}/console?lang=en#/case/{case['id']}")
    ready(english)
    text = english.locator("ol.history").inner_text()
    assert (
        "Opened through Phone" in text and "Escalated to level 1; told: assignee and group" in text
    )
    assert not RAW_KEY.search(text) and not ISO_TIME.search(text), text


def test_countdowns_count_minutes_and_say_late_when_late(stack, new_page):
    page = new_page()
    now = datetime.now(UTC)
    base = {"number": "2026-999999", "subject": "Deneme", "priority": "normal", "assignee": None,
            "version": 1, "type": "complaint", "channel": "phone"}  # fmt: skip
    rows = [
        ("c-soon", "open", now + timedelta(minutes=30, seconds=30), "30 dk kaldı"),
        ("c-late", "open", now - timedelta(minutes=5, seconds=30), "5 dk gecikti"),
        ("c-hours", "in_progress", now + timedelta(hours=3, minutes=10, seconds=30),
         "3 sa 10 dk kaldı"),
        ("c-days", "open", now - timedelta(days=2, hours=4, minutes=1), "2 gün 4 sa gecikti"),
        ("c-done", "resolved", now - timedelta(hours=1), "—"),
    ]  # fmt: skip
    items = [{**base, "id": i, "status": s, "due_at": iso(due)} for i, s, due, _ in rows]
    page.route(re.compile(r".*/cases\?view=mine.*"),
               lambda route: route.fulfill(json={"items": items, "next_cursor": None}))  # fmt: skip
    console(page, stack, "mehmet")
    for case_id, _, _, said in rows:
        expect(page.locator(f'tr[data-case="{case_id}"] td.due')).to_have_text(said)


def test_refusals_are_said_in_turkish_by_their_code(stack, new_page):
    case = worked_case(stack)
    page = new_page()
    answers = iter([
        (409, {"code": "case_closed", "message": "this case is closed", "details": None}),
        (422, {"code": "invalid_input", "message": "the request has invalid fields",
               "details": [{"field": "body", "problem": "String should have at least 1 character",
                            "type": "string_too_short"}]}),
        (418, {"code": "brand_new_code", "message": "I'm a teapot", "details": None}),
    ])  # fmt: skip

    def refuse(route):
        status, error = next(answers)
        route.fulfill(status=status, json={"error": error})

    page.route(re.compile(rf".*/cases/{case['id']}/notes$"), refuse)
    console(page, stack, "mehmet")
    page.goto(f"{stack.url}/console#/case/{case['id']}")
    ready(page)
    for said in [
        "Bu talep kapandı; değiştirilemez.",
        "Gönderilen bilgiler geçerli değil. · Metin: çok kısa",
        "Bir şeyler ters gitti. Lütfen tekrar deneyin.",
    ]:
        page.get_by_label("İç not (müşteri görmez)").fill("Bir not")
        page.get_by_role("button", name="Not ekle").click()
        expect(page.locator("#problem")).to_have_text(said)


def test_the_site_says_warranty_months_and_refusals_in_turkish(stack, new_page):
    page = new_page()
    site = stack.env["SITE_URL"]
    page.goto(f"{site}/signin.html")
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    page.get_by_label("E-posta").fill("ahmet@example.com")
    page.get_by_label("Parola").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Giriş yap").click()
    page.wait_for_url("**/index.html")
    page.goto(f"{site}/products.html")
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    page.get_by_label("Kategori").select_option("telefon")
    page.get_by_label("Ürün (zorunlu)").select_option("p-vestel-venus-v7")
    expect(page.locator("#product-warranty")).to_have_text(re.compile(r"^Garanti süresi: \d+ ay$"))

    answers = iter([
        (422, {"code": "invalid_input", "message": "the request has invalid fields",
               "details": [{"field": "serial_number", "problem": "String should have at most 64",
                            "type": "string_too_long"}]}),
        (500, {"code": "internal_error", "message": "An internal server error occurred.",
               "details": None}),
    ])  # fmt: skip

    def refuse(route):
        if route.request.method != "POST":
            return route.fallback()
        status, error = next(answers)
        return route.fulfill(status=status, json={"error": error},
                             headers={"Access-Control-Allow-Origin": "*"})  # fmt: skip

    page.route(re.compile(r".*/my/products$"), refuse)
    page.get_by_label("Seri numarası").fill("SN-DIL-1")
    page.get_by_label("Satın alma tarihi").fill("2026-01-10")
    page.get_by_role("button", name="Ürünü kaydet").click()
    expect(page.locator("#problem")).to_have_text("Lütfen işaretli alanları düzeltin.")
    expect(page.locator("#serial_number-error")).to_have_text("çok uzun")
    page.get_by_role("button", name="Ürünü kaydet").click()
    expect(page.locator("#problem")).to_have_text(
        "Sunucuda bir hata oluştu. Lütfen tekrar deneyin."
    )
    assert "internal" not in page.locator("#problem").inner_text()
