"""The console's assign forms (a case to another group, with or without a person; the people
list follows the chosen group) and the bulk forms' refusals said with their reasons."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support import unique_phone

from .browser import console_ready as ready
from .conftest import eventually
from .test_console import open_console  # noqa: F401  (the fixture)


def finance_case(http, subject: str) -> dict:
    """A case routed to the finans group's pool (no automatic assignment there)."""
    agent = http("mehmet")
    status, case = agent.call("POST", "/cases", {
        "customer": {"phone": unique_phone(), "name": "Fatma Yıldız"}, "type": "complaint",
        "subject": subject, "description": "Fatura ödemesi karttan iki kez çekildi"})  # fmt: skip
    assert status == 201, case
    eventually(lambda: agent.call("GET", f"/cases/{case['id']}")[1]["case"]["status"] == "open")
    routed = agent.call("GET", f"/cases/{case['id']}")[1]["case"]
    assert (routed["group_id"], routed["assignee"]) == ("finans", None), routed
    return routed


def open_case(page, case: dict) -> None:
    page.goto(page.url.split("#")[0] + f"#/case/{case['id']}")
    ready(page)


def chosen_in_pool(open_console, http, cases: list[dict], name: str):  # noqa: F811
    """A supervisor's console on a saved view of the finans pool, with `cases` ticked."""
    status, view = http("selin").call("POST", "/views", {"name": name, "sort": "newest",
        "filters": {"group_id": "finans", "assignee": "none", "statuses": ["open"]}})  # fmt: skip
    assert status == 201, view
    page = open_console("selin")
    page.goto(page.url.split("#")[0] + f"#/views/{view['id']}")
    ready(page)
    for case in cases:
        page.get_by_label(f"{case['number']} seç").check()
    return page


def test_a_supervisor_moves_a_case_to_another_group_with_and_without_a_person(open_console, http):  # noqa: F811
    to_ayse = finance_case(http, "Fatura iki kez kesildi")
    to_pool = finance_case(http, "Ödeme iki kez çekildi")
    page = open_console("selin")

    open_case(page, to_ayse)
    form = page.locator("form.assign-form")
    expect(form.get_by_label("Grup", exact=True)).to_have_value("finans")
    people = form.get_by_label("Atanacak kişi")
    expect(people.locator("option[value=ayse]")).to_have_count(0)  # not in finans
    form.get_by_label("Grup", exact=True).select_option("teslimat")
    expect(people.locator("option[value=ayse]")).to_have_count(1)  # the list follows the group
    people.select_option("ayse")
    form.get_by_role("button", name="Ata").click()
    expect(page.locator("#notice")).to_have_text("Atandı.")
    expect(page.locator('[data-fact="group"]')).to_have_text("Kargo ve Teslimat")
    expect(page.locator('[data-fact="assignee"]')).to_have_text("Ayşe Kaya")

    open_case(page, to_pool)
    form = page.locator("form.assign-form")
    form.get_by_label("Grup", exact=True).select_option("teslimat")
    form.get_by_label("Atanacak kişi").select_option("")  # nobody: the group's pool
    form.get_by_role("button", name="Ata").click()
    expect(page.locator('[data-fact="group"]')).to_have_text("Kargo ve Teslimat")
    expect(page.locator('[data-fact="assignee"]')).to_have_text("—")
    found = http("selin").call("GET", f"/cases/{to_pool['id']}")[1]["case"]
    assert (found["group_id"], found["assignee"]) == ("teslimat", None)


def test_assigning_someone_outside_the_group_says_why(open_console, http):  # noqa: F811
    case = finance_case(http, "Fatura tutarı yanlış")
    page = open_console("selin")
    open_case(page, case)
    # the list was drawn before ayse left finans (here: she never was in it)
    page.locator("form.assign-form select[name=agent]").evaluate(
        "s => s.append(new Option('ayse', 'ayse', true, true))"
    )
    page.locator("form.assign-form").get_by_role("button", name="Ata").click()
    expect(page.locator("#problem")).to_contain_text("Seçilen kişi bu grubun üyesi değil")
    expect(page.locator("#problem")).not_to_contain_text("Gönderilen bilgiler geçerli değil")


def test_bulk_refusals_are_counted_with_their_reasons(open_console, http):  # noqa: F811
    cases = [finance_case(http, "Fatura gelmedi"), finance_case(http, "Ödeme onaylanmadı")]
    page = chosen_in_pool(open_console, http, cases, "Finans havuzu")
    page.get_by_label("Seçili taleplerin durumu").select_option("in_progress")
    page.locator("form.bulk-status").get_by_role("button", name="Durumu değiştir").click()
    expect(page.locator("#problem")).to_have_text(
        "Hiçbir talebin durumu değişmedi: 2 talep kimseye atanmamış"
        " (önce üstlenilmeli ya da atanmalı)."
    )

    # the bulk assign form has the group choice too: each case in its own group refuses
    # ayse (not in finans), a move to her group takes both
    for case in cases:
        page.get_by_label(f"{case['number']} seç").check()
    bulk = page.locator("form.bulk-assign")
    expect(bulk.get_by_label("Grup", exact=True)).to_have_value("")
    bulk.get_by_label("Atanacak kişi").select_option("ayse")
    bulk.get_by_role("button", name="Seçilenleri ata").click()
    expect(page.locator("#problem")).to_have_text(
        "Hiçbir talep atanamadı: 2 talep için seçilen kişi talebin grubunun üyesi değil."
    )
    for case in cases:
        page.get_by_label(f"{case['number']} seç").check()
    bulk = page.locator("form.bulk-assign")
    bulk.get_by_label("Grup", exact=True).select_option("teslimat")
    bulk.get_by_label("Atanacak kişi").select_option("ayse")
    bulk.get_by_role("button", name="Seçilenleri ata").click()
    expect(page.locator("#notice")).to_have_text("2 talep atandı.")
    for case in cases:
        found = http("selin").call("GET", f"/cases/{case['id']}")[1]["case"]
        assert (found["group_id"], found["assignee"]) == ("teslimat", "ayse")


def test_a_bulk_macro_says_why_each_case_was_refused(open_console, http):  # noqa: F811
    """The bulk macro form says its refusals per reason in words, as the bulk status and
    assign forms do: one case changed after the list was read, one lacking the value the
    macro's reply needs (a tracking link: these cases have no shipment)."""
    cases = [finance_case(http, "Fatura iki kez geldi"), finance_case(http, "Ödeme iadesi yok")]
    title = f"Takip bağlantısı {unique_phone()[-6:]}"
    status, macro = http("selin").call("POST", "/macros", {
        "title": {"tr": title}, "visibility": "personal",
        "body": {"tr": "Takip bağlantınız: {{tracking_link}}"}})  # fmt: skip
    assert status == 201, macro
    page = chosen_in_pool(open_console, http, cases, "Finans takip")
    # someone else writes a note on the first case after the list was read
    stale = cases[0]
    note = {"version": stale["version"], "body": "Kargoya soruldu"}
    status, _ = http("selin").call("POST", f"/cases/{stale['id']}/notes", note)
    assert status == 201
    form = page.locator("form.bulk-macro")
    form.locator("select[name=macro]").select_option(label=title)
    form.get_by_role("button", name="Seçilenlere makro uygula").click()
    problem = page.locator("#problem")
    expect(problem).to_contain_text("Makro hiçbir talebe uygulanamadı: ")
    expect(problem).to_contain_text("1 talep siz okuduktan sonra değişmiş")
    expect(problem).to_contain_text("1 talep için makronun yanıtının istediği bir değer eksik")
    for case in cases:  # nothing applied
        found = http("selin").call("GET", f"/cases/{case['id']}")[1]["case"]
        assert found["status"] == "open" and found["assignee"] is None, found
