"""The console's admin forms keep what they do not change: each object is made through the API
with every optional field set away from its default, one visible field is changed in the
console in headless Chromium, and the object read back through the API differs from the one
before in that field alone (issue 10, item 5)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from . import test_console
from .browser import screenshot

#: the console test module's fixture (a signed-in page per user) and its wait
open_console = test_console.open_console
ready = test_console.ready


def tag() -> str:
    return uuid.uuid4().hex[:6]


def ok(answer: tuple[int, object], status: int = 200):
    code, body = answer
    assert code == status, body
    return body


def listed(http, path: str, key: str, value: str) -> dict:
    found = [o for o in ok(http("admin").call("GET", path)) if o[key] == value]
    assert len(found) == 1, found
    return found[0]


def only_changed(before: dict, after: dict, **changed) -> None:
    """after is before with `changed` applied and nothing else: field by field, for a clear
    message when a form erased or rewrote something."""
    expected = {**before, **changed}
    assert set(after) == set(expected)
    differences = {k: (expected[k], after[k]) for k in expected if after[k] != expected[k]}
    assert differences == {}


def admin_tab(page, tab: str | None = None):
    page.get_by_role("link", name="Yönetim").click()
    ready(page)
    if tab:
        page.get_by_role("navigation", name="Yönetim").get_by_role("link", name=tab).click()
        ready(page)


def save(page, notice: str = "Kaydedildi.") -> None:
    page.get_by_role("button", name="Kaydet", exact=True).click()
    expect(page.locator("#notice")).to_have_text(notice)
    expect(page.locator("#problem")).to_be_hidden()


@pytest.fixture(scope="module")
def category_ids(http) -> tuple[str, str]:
    """A parent and a child category of this module's own."""
    admin = http("admin")
    parent = ok(admin.call("POST", "/categories", {"name": f"Üst {tag()}"}), 201)
    child = ok(admin.call("POST", "/categories", {"name": f"Alt {tag()}",
                                                  "parent_id": parent["id"]}), 201)  # fmt: skip
    return parent["id"], child["id"]


def test_editing_a_rule_keeps_its_limits(open_console, http, category_ids):
    parent, child = category_ids
    name = f"Kupon {tag()}"
    ok(http("admin").call("POST", "/routing-rules", {
        "name": name, "order": 7, "enabled": False, "phrases": ["kupon", "indirim kodu"],
        "case_types": ["complaint", "question"], "category_id": parent,
        "product_group": "elektronik", "customer_category": "vip", "group_id": "finans",
        "set_category_id": child, "priority_bump": 2}), 201)  # fmt: skip
    before = listed(http, "/routing-rules", "name", name)
    page = open_console("admin")
    admin_tab(page)
    page.get_by_role("link", name=name).click()
    ready(page)
    form = page.locator("#rule-form")
    expect(form.get_by_role("heading")).to_have_text(f"Kuralı düzenle: {name}")
    # the form shows the rule's limits
    expect(form.get_by_role("checkbox", name="Şikâyet")).to_be_checked()
    expect(form.get_by_role("checkbox", name="Soru")).to_be_checked()
    expect(form.get_by_role("checkbox", name="Talep", exact=True)).not_to_be_checked()
    expect(form.get_by_label("Müşteri sınıfı")).to_have_value("vip")
    expect(form.get_by_label("Ürün grubu")).to_have_value("elektronik")
    expect(form.get_by_label("Kategori (veya altındakiler)")).to_have_value(parent)
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("Şikâyet / Soru")
    expect(row).to_contain_text("VIP")
    expect(row).to_contain_text("Ödeme ve Fatura")  # the group's name, not its id
    screenshot(page, "console-admin-rule-limits")
    form.get_by_label("Sıra").fill("8")
    save(page, "Kural kaydedildi.")
    only_changed(before, listed(http, "/routing-rules", "name", name), order=8)


def test_a_rules_match_modes_and_never_words_are_shown_and_edited(open_console, http):
    """Issue 20: which words match exactly, which with their inflections, and per keyword the
    words that never trigger it, as lists in the form; a keyword the rule lacks is refused
    beside the field and changes nothing."""
    name = f"Biçim {tag()}"
    ok(http("admin").call("POST", "/routing-rules", {
        "name": name, "phrases": ["gönderi", "iptal", "kargo"], "group_id": "teslimat",
        "match_modes": {"gönderi": "inflected", "iptal": "exact"},
        "not_words": {"kargo": ["kargocu"]}}), 201)  # fmt: skip
    before = listed(http, "/routing-rules", "name", name)
    page = open_console("admin")
    admin_tab(page)
    page.get_by_role("link", name=name).click()
    ready(page)
    form = page.locator("#rule-form")
    never = form.get_by_label("Anahtar sözcüğü hiç tetiklemeyecek")
    expect(form.get_by_label("Yalnızca sözcüğün kendisiyle")).to_have_value("iptal")
    expect(form.get_by_label("Sözcük ve çekimleriyle")).to_have_value("gönderi")
    expect(never).to_have_value("kargo: kargocu")
    never.fill("fatura: faturasız")
    form.get_by_role("button", name="Kaydet", exact=True).click()
    expect(never).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#problem")).to_be_visible()
    assert listed(http, "/routing-rules", "name", name) == before
    never.fill("gönderi: gönderin, gönderir\nkargo: kargocu")
    form.get_by_label("Sözcük ve çekimleriyle").fill("gönderi, kargo")
    save(page, "Kural kaydedildi.")
    only_changed(
        before,
        listed(http, "/routing-rules", "name", name),
        not_words={"gönderi": ["gönderin", "gönderir"], "kargo": ["kargocu"]},
        match_modes={"gönderi": "inflected", "kargo": "inflected", "iptal": "exact"},
    )


def test_editing_a_rule_can_clear_a_limit(open_console, http):
    name = f"Sınırlı {tag()}"
    ok(http("admin").call("POST", "/routing-rules", {
        "name": name, "phrases": ["fatura"], "group_id": "finans", "case_types": ["request"],
        "customer_category": "risky"}), 201)  # fmt: skip
    before = listed(http, "/routing-rules", "name", name)
    page = open_console("admin")
    admin_tab(page)
    page.get_by_role("link", name=name).click()
    ready(page)
    page.locator("#rule-form").get_by_role("checkbox", name="Talep", exact=True).uncheck()
    save(page, "Kural kaydedildi.")
    # the flat fields of before arrived as conditions; clearing the types removes that one
    assert before["conditions"][0] == {"field": "type", "operator": "in", "value": ["request"]}
    only_changed(before, listed(http, "/routing-rules", "name", name),
                 conditions=before["conditions"][1:])  # fmt: skip


def test_editing_an_sla_policy_keeps_its_conditions(open_console, http, category_ids):
    name = f"Politika {tag()}"
    conditions = [
        {"field": "channel", "operator": "in", "value": ["email", "web"]},
        {"field": "type", "operator": "is", "value": "complaint"},
        {"field": "category", "operator": "within", "value": category_ids[0]},
        {"field": "priority", "operator": "is", "value": "high"},
        {"field": "customer_category", "operator": "is", "value": "risky"},
        {"field": "text", "operator": "not_contains", "value": "iade"},
    ]
    ok(http("admin").call("POST", "/sla-policies", {
        "name": name, "order": 3, "enabled": False, "conditions": conditions,
        "first_response_minutes": 45.5, "resolution_minutes": 900, "hours": "calendar",
        "remind_at": 0.333}), 201)  # fmt: skip
    before = listed(http, "/sla-policies", "name", name)
    assert before["conditions"] == conditions
    page = open_console("admin")
    admin_tab(page, "SLA politikaları")
    row = page.get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("Kanal: E-posta / Web · Şikâyet")
    page.get_by_role("link", name=name).click()
    ready(page)
    form = page.locator("#policy-form")
    expect(form.get_by_label("Tür")).to_have_value("complaint")
    expect(form.get_by_label("Saat hesabı")).to_have_value("calendar")
    # the conditions the form has no field for are shown, and go back as they were
    expect(form.locator(".other-conditions")).to_have_text(
        "Diğer koşullar: Kanal: E-posta / Web · Metin içinde “iade” geçmiyor"
    )
    form.get_by_label("Çözüm hedefi (dakika)").fill("960")
    save(page)
    only_changed(before, listed(http, "/sla-policies", "name", name), resolution_minutes=960)


def test_changing_a_policy_condition_in_the_form_changes_it_in_place(
    open_console, http, category_ids
):
    name = f"Öncelikli {tag()}"
    ok(http("admin").call("POST", "/sla-policies", {
        "name": name, "priority": "high", "case_type": "question",
        "resolution_minutes": 60}), 201)  # fmt: skip
    before = listed(http, "/sla-policies", "name", name)
    page = open_console("admin")
    admin_tab(page, "SLA politikaları")
    page.get_by_role("link", name=name).click()
    ready(page)
    form = page.locator("#policy-form")
    form.get_by_label("Öncelik").select_option("urgent")
    form.get_by_label("Tür").select_option("")
    save(page)
    only_changed(before, listed(http, "/sla-policies", "name", name), conditions=[
        {"field": "priority", "operator": "is", "value": "urgent"}])  # fmt: skip


def test_editing_an_escalation_ladder_keeps_its_levels(open_console, http, category_ids):
    name = f"Merdiven {tag()}"
    ok(http("admin").call("POST", "/escalation-ladders", {
        "name": name, "conditions": [
            {"field": "group", "operator": "is", "value": "finans"},
            {"field": "category", "operator": "within", "value": category_ids[1]}],
        "levels": [{"after_minutes": 0, "notify": "assignee_and_group", "raise_priority": True},
                   {"after_minutes": 30, "notify": "managers",
                    "emails": ["mudur@example.com", "ikinci@example.com"]}]}), 201)  # fmt: skip
    before = listed(http, "/escalation-ladders", "name", name)
    page = open_console("admin")
    admin_tab(page, "Yükseltme basamakları")
    page.get_by_role("link", name=name).click()
    ready(page)
    form = page.locator("#ladder-form")
    expect(form.get_by_label("2. basamak E-postalar")).to_have_value(
        "mudur@example.com, ikinci@example.com"
    )
    screenshot(page, "console-admin-ladder")
    form.get_by_label("2. basamak İhlalden sonra (dk)").fill("45")
    save(page)
    levels = [before["levels"][0], {**before["levels"][1], "after_minutes": 45}]
    only_changed(before, listed(http, "/escalation-ladders", "name", name), levels=levels)


def test_editing_a_calendar_keeps_its_days_zone_and_holidays(open_console, http):
    calendar_id = f"cal-{tag()}"
    ok(http("admin").call("PUT", f"/calendars/{calendar_id}", {
        "name": f"Cumartesi dahil {tag()}", "timezone": "Europe/London", "weekdays": [0, 2, 5],
        "opens": "08:30:00", "closes": "17:15:00", "observe_holidays": False}))  # fmt: skip
    before = listed(http, "/calendars", "id", calendar_id)
    page = open_console("admin")
    admin_tab(page, "Çalışma takvimleri")
    page.get_by_role("link", name=calendar_id).click()
    ready(page)
    form = page.locator("#calendar-form")
    expect(form.get_by_role("checkbox", name="Cumartesi")).to_be_checked()
    expect(form.get_by_role("checkbox", name="Salı")).not_to_be_checked()
    form.get_by_label("Kapanış").fill("17:45")
    save(page)
    only_changed(before, listed(http, "/calendars", "id", calendar_id), closes="17:45:00")


def test_a_calendar_gets_a_short_saturday(open_console, http):
    calendar_id = f"cal-{tag()}"
    ok(http("admin").call("PUT", f"/calendars/{calendar_id}", {
        "name": f"Cumartesi kısa {tag()}", "weekdays": [0, 1, 2, 3, 4, 5]}))  # fmt: skip
    before = listed(http, "/calendars", "id", calendar_id)
    page = open_console("admin")
    admin_tab(page, "Çalışma takvimleri")
    page.get_by_role("link", name=calendar_id).click()
    ready(page)
    form = page.locator("#calendar-form")
    form.get_by_label("Cumartesi için başlangıç").fill("10:00")
    form.get_by_label("Cumartesi için bitiş").fill("14:00")
    save(page)
    saturday = {"5": {"opens": "10:00:00", "closes": "14:00:00"}}
    only_changed(before, listed(http, "/calendars", "id", calendar_id), day_hours=saturday)
    expect(page.get_by_role("row").filter(has_text=calendar_id)).to_contain_text(
        "Cumartesi 10:00–14:00"
    )


def test_editing_a_group_keeps_its_calendar_and_assignment(open_console, http):
    calendar_id = f"cal-{tag()}"
    ok(http("admin").call("PUT", f"/calendars/{calendar_id}", {"name": f"Takvim {tag()}"}))
    group_id = f"g{tag()}"
    ok(http("admin").call("PUT", f"/groups/{group_id}", {
        "name": f"İade Masası {tag()}", "members": ["mehmet", "ayse", "burak"],
        "supervisors": ["selin"], "calendar_id": calendar_id,
        "auto_assign": "fewest_open"}))  # fmt: skip
    before = listed(http, "/groups", "id", group_id)
    page = open_console("admin")
    admin_tab(page, "Gruplar")
    page.get_by_role("link", name=group_id).click()
    ready(page)
    form = page.locator("#group-form")
    expect(form.get_by_label("Çalışma takvimi")).to_have_value(calendar_id)
    expect(
        form.get_by_role("group", name="Üyeler").get_by_role("checkbox", name="Ayşe Kaya (ayse)")
    ).to_be_checked()
    form.get_by_label("Ad", exact=True).fill("İade ve Değişim Masası")
    save(page)
    only_changed(before, listed(http, "/groups", "id", group_id), name="İade ve Değişim Masası",
                 version=before["version"] + 1)  # fmt: skip


def test_a_group_chooses_how_its_members_hear_of_arrivals(open_console, http):
    group_id = f"g{tag()}"
    ok(http("admin").call("PUT", f"/groups/{group_id}", {"name": f"Özet {tag()}",
                                                        "members": ["mehmet"]}))  # fmt: skip
    before = listed(http, "/groups", "id", group_id)
    assert (before["arrivals"], before["digest_minutes"]) == ("digest", 15)  # the default
    page = open_console("admin")
    admin_tab(page, "Gruplar")
    expect(page.get_by_role("row", name=group_id)).to_contain_text(
        "Özet e-postası · 15 dakikada bir"
    )
    page.get_by_role("link", name=group_id).click()
    ready(page)
    form = page.locator("#group-form")
    form.get_by_label("Yeni gelen talepler (e-posta)").select_option(label="Her talep için e-posta")
    form.get_by_label("Özet aralığı").select_option(label="Saatte bir")
    save(page)
    only_changed(before, listed(http, "/groups", "id", group_id), arrivals="each",
                 digest_minutes=60, version=before["version"] + 1)  # fmt: skip


def test_adding_a_member_keeps_the_round_robin_order(open_console, http):
    group_id = f"g{tag()}"
    ok(
        http("admin").call(
            "PUT",
            f"/groups/{group_id}",
            {
                "name": f"Sıralı {tag()}",
                "members": ["mehmet", "ayse"],
                "auto_assign": "round_robin",
            },
        )
    )
    before = listed(http, "/groups", "id", group_id)
    page = open_console("admin")
    admin_tab(page, "Gruplar")
    page.get_by_role("link", name=group_id).click()
    ready(page)
    members = page.locator("#group-form").get_by_role("group", name="Üyeler")
    members.get_by_role("checkbox", name="Can Öztürk (can)").check()
    save(page)
    only_changed(before, listed(http, "/groups", "id", group_id),
                 members=["mehmet", "ayse", "can"], version=before["version"] + 1)  # fmt: skip


def test_editing_a_user_keeps_their_email_roles_and_shift(open_console, http):
    username = f"u{tag()}"
    ok(http("admin").call("PUT", f"/staff/{username}", {
        "name": "Deniz Ak", "email": f"{username}@destek.example",
        "roles": ["agent", "supervisor"], "on_shift": False}))  # fmt: skip
    before = listed(http, "/staff", "username", username)
    page = open_console("admin")
    admin_tab(page, "Kullanıcılar")
    page.get_by_role("link", name=username).click()
    ready(page)
    form = page.locator("#staff-form")
    expect(form.get_by_role("checkbox", name="yönetici", exact=True)).to_be_checked()
    form.get_by_label("Ad", exact=True).fill("Deniz Akın")
    save(page)
    only_changed(before, listed(http, "/staff", "username", username), name="Deniz Akın")


def test_editing_a_role_changes_one_permission(open_console, http):
    before = listed(http, "/roles", "name", "supervisor")
    assert "delete" not in before["permissions"].get("customers", [])
    page = open_console("admin")
    admin_tab(page, "Roller ve yetkiler")
    page.get_by_role("link", name="yönetici", exact=True).click()
    ready(page)
    page.get_by_label("Müşteriler silme", exact=True).check()
    save(page)
    after = listed(http, "/roles", "name", "supervisor")
    customers = [*before["permissions"]["customers"], "delete"]  # actions in their order
    only_changed(before, after, permissions={**before["permissions"], "customers": customers})
    ok(http("admin").call("PUT", "/roles/supervisor", {"permissions": before["permissions"]}))


def test_renaming_a_category_keeps_its_place(open_console, http, category_ids):
    parent, child = category_ids

    def node() -> dict:
        tree = ok(http("admin").call("GET", "/categories"))
        return next(n for n in tree if n["id"] == parent)["children"][0]

    before = node()
    page = open_console("admin")
    admin_tab(page, "Kategori ağacı")
    page.get_by_role("link", name=before["name"]).click()
    ready(page)
    form = page.locator("#category-edit")
    expect(form.get_by_label("Üst kategori")).to_have_value(parent)
    form.get_by_label("Ad", exact=True).fill("Alt kategori yeni")
    save(page)
    only_changed(before, node(), name="Alt kategori yeni")


def test_the_lists_come_from_the_vocabulary(open_console, http):
    page = open_console("admin", lang="en")
    page.get_by_role("link", name="Admin").click()
    ready(page)
    page.get_by_role("link", name="Priorities").click()
    ready(page)
    words = page.locator("#view li strong")
    expect(words).to_have_text(["Urgent", "High", "Normal", "Low"])


def test_a_field_the_console_does_not_know_goes_back_as_it_was(open_console, http):
    """The API may gain a field before the console shows it: an edit still sends it back."""
    name = f"Gelecek {tag()}"
    rule = ok(http("admin").call("POST", "/routing-rules", {
        "name": name, "phrases": ["garanti"], "group_id": "urun"}), 201)  # fmt: skip
    future = {"working_hours_only": True, "languages": ["tr"]}
    sent: list[dict] = []

    def with_future_field(route):
        answer = route.fetch()
        rules = [{**r, **future} if r["id"] == rule["id"] else r for r in answer.json()]
        route.fulfill(response=answer, json=rules)

    def capture_put(route):
        sent.append(route.request.post_data_json)
        route.fulfill(status=200, json={**rule, **future, **sent[-1]})

    page = open_console("admin")
    page.route("**/routing-rules", with_future_field)
    page.route(f"**/routing-rules/{rule['id']}", capture_put)
    admin_tab(page)
    page.get_by_role("link", name=name).click()
    ready(page)
    page.locator("#rule-form").get_by_label("Sıra").fill("55")
    save(page, "Kural kaydedildi.")
    expected = {k: v for k, v in rule.items() if k != "id"}
    assert sent == [{**expected, **future, "order": 55}]


def test_a_group_edited_from_a_stale_form_is_refused_and_reloaded(open_console, http):
    group_id = f"g{tag()}"
    ok(http("admin").call("PUT", f"/groups/{group_id}", {"name": "Eski ad", "members": ["ayse"]}))
    page = open_console("admin")
    admin_tab(page, "Gruplar")
    page.get_by_role("link", name=group_id).click()
    ready(page)
    current = listed(http, "/groups", "id", group_id)
    ok(
        http("admin").call(
            "PUT",
            f"/groups/{group_id}",
            {  # another admin, meanwhile
                "name": "Eski ad",
                "members": ["ayse", "can"],
                "version": current["version"],
            },
        )
    )
    form = page.locator("#group-form")
    form.get_by_label("Ad", exact=True).fill("Yeni ad")
    form.get_by_role("button", name="Kaydet", exact=True).click()
    expect(page.locator("#problem")).to_contain_text("başka biri tarafından değiştirildi")
    after = listed(http, "/groups", "id", group_id)
    assert after["name"] == "Eski ad" and after["members"] == ["ayse", "can"]  # nothing lost
    members = form.get_by_role("group", name="Üyeler")
    expect(members.get_by_role("checkbox", name="Can Öztürk (can)")).to_be_checked()  # reloaded


def test_the_sla_preview_shows_a_samples_due_times(open_console, http):
    name = f"Önizleme {tag()}"
    policy = ok(http("admin").call("POST", "/sla-policies", {
        "name": name, "first_response_minutes": 120, "resolution_minutes": 600}), 201)  # fmt: skip
    page = open_console("admin")
    admin_tab(page, "SLA politikaları")
    form = page.locator("#preview-form")
    form.get_by_label("Politika").select_option(policy["id"])
    form.get_by_label("Açılış zamanı").fill("2026-03-06T17:00")  # a Friday, an hour before closing
    form.get_by_role("button", name="Önizle").click()
    result = page.locator("#preview-result")
    expect(result).to_contain_text(f"Politika: {name}")
    # an hour on Friday, the rest from Monday 09:00 (Istanbul), as a real case's clocks
    first = result.locator("tr[data-kind=first_response]")
    expect(first).to_contain_text("120 mesai dakikası")
    expect(first.locator(".due")).to_contain_text("9 Mart 2026")
    expect(first.locator(".due")).to_contain_text("10:00")
    expect(result.locator("tr[data-kind=resolution] .due")).to_contain_text("18:00")
    screenshot(page, "console-admin-sla-preview")
    # editing the policy: the preview takes the form's values, unsaved
    page.get_by_role("link", name=name).click()
    ready(page)
    page.locator("#policy-form").get_by_label("Çözüm hedefi (dakika)").fill("601")
    form = page.locator("#preview-form")
    expect(form.get_by_label("Politika")).to_have_value("__form")
    form.get_by_label("Açılış zamanı").fill("2026-03-06T17:00")
    form.get_by_role("button", name="Önizle").click()
    due = page.locator("#preview-result tr[data-kind=resolution] .due")
    expect(due).to_contain_text("10 Mart 2026")  # a minute past Monday's closing: Tuesday 09:01
    expect(due).to_contain_text("09:01")
    assert listed(http, "/sla-policies", "name", name)["resolution_minutes"] == 600  # unsaved


def test_the_catalog_screen_edits_products_and_moves_a_subtree(open_console, http):
    admin = http("admin")
    top = ok(admin.call("POST", "/product-categories", {"name": f"Beyaz eşya {tag()}"}), 201)
    leaf = ok(admin.call("POST", "/product-categories", {
        "name": f"Buzdolabı {tag()}", "parent_id": top["id"]}), 201)  # fmt: skip
    other = ok(admin.call("POST", "/product-categories", {"name": f"Ankastre {tag()}"}), 201)
    colour = {"name": "Renk", "values": ["Beyaz", "Gri"], "default": "Beyaz"}
    product = ok(admin.call("POST", "/products", {
        "brand": "Soğuk", "model": "NF-500", "name": f"Buzdolabı {tag()}",
        "category_id": leaf["id"], "attributes": [colour]}), 201)  # fmt: skip
    page = open_console("admin")
    admin_tab(page, "Ürün kataloğu")
    tree = page.locator(".catalog-tree")
    tree.get_by_role("link", name=top["name"]).click()
    ready(page)
    # the chosen branch is open: its child shows, and the child's products are listed
    tree.get_by_role("link", name=leaf["name"]).click()
    ready(page)
    row = page.locator(f"tr[data-product='{product['id']}']")
    expect(row).to_contain_text("Renk: Beyaz / Gri")
    expect(row).to_contain_text("24 ay")
    row.get_by_role("link", name=product["name"]).click()
    ready(page)
    form = page.locator("#catalog-product-form")
    # a default outside the values: the API's refusal is shown beside the field it is about
    form.get_by_label("Özellik 2: Ad").fill("Kapı")
    form.get_by_label("Özellik 2: Değerler").fill("Sağ, Sol")
    form.get_by_label("Özellik 2: Varsayılan").fill("Orta")
    form.get_by_role("button", name="Kaydet", exact=True).click()
    expect(form.locator(".field-error")).to_have_count(1)
    expect(form.get_by_label("Özellik 2: Değerler")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#problem")).to_be_visible()
    form.get_by_label("Özellik 2: Varsayılan").fill("Sol")
    form.get_by_label("Garanti süresi (ay)").fill("36")
    form.get_by_role("button", name="Kaydet", exact=True).click()
    expect(page.locator("#notice")).to_have_text("Ürün kaydedildi.")
    saved = ok(admin.call("GET", f"/products/{product['id']}"))
    assert saved["warranty_months"] == 36
    assert saved["attributes"][1] == {"name": "Kapı", "values": ["Sağ", "Sol"], "default": "Sol"}
    assert saved["attributes"][0] == product["attributes"][0]
    screenshot(page, "console-admin-catalog")
    # moving the top category under another: its own subtree is not offered as a parent
    page.goto(page.url.split("#")[0] + f"#/admin/catalog?category={top['id']}")
    ready(page)
    category_form = page.locator("#catalog-category-form")
    parent = category_form.get_by_label("Üst kategori (taşımak için değiştirin)")
    expect(parent.locator(f"option[value='{leaf['id']}']")).to_have_count(0)
    parent.select_option(other["id"])
    category_form.get_by_role("button", name="Kaydet", exact=True).click()
    expect(page.locator("#notice")).to_have_text("Kategori kaydedildi.")
    moved = ok(admin.call("GET", f"/products/{product['id']}"))
    assert moved["category_path"] == [other["id"], top["id"], leaf["id"]]
    # a form read before someone else's change is refused, reloaded and said so
    current = ok(admin.call("GET", f"/product-categories?under={top['id']}"))[0]
    ok(admin.call("PATCH", f"/product-categories/{top['id']}", {
        "version": current["version"], "name_en": "White goods"}))  # fmt: skip
    category_form.get_by_label("Ad", exact=True).fill("Yeni ad")
    category_form.get_by_role("button", name="Kaydet", exact=True).click()
    expect(page.locator("#problem")).to_contain_text("başka biri tarafından değiştirildi")
    expect(category_form.get_by_label("İngilizce ad")).to_have_value("White goods")


def test_a_supervisor_flags_a_customer_an_agent_sees_nothing_of_it(open_console, http):
    from tests.support import unique_phone

    name = f"İşaretli {tag()}"
    details = {"name": name, "phone": unique_phone()}
    customer = ok(http("mehmet").call("POST", "/customers", details), 201)
    page = open_console("selin")
    page.goto(page.url.split("#")[0] + f"#/customer/{customer['id']}")
    ready(page)
    marks = page.locator(".staff-marks")
    expect(marks).to_contain_text("İşaret yok.")
    marks.get_by_text("İşaretleri ve notu düzenle").click()
    form = page.locator("#marks-form")
    form.get_by_role("checkbox", name="Basın").check()
    form.get_by_label("Personel notu (müşteri görmez)").fill("Gazeteci; yanıtlar müdürden.")
    form.get_by_role("button", name="Kaydet", exact=True).click()
    expect(page.locator("#notice")).to_have_text("İşaretler kaydedildi.")
    expect(page.locator(".staff-marks .flags")).to_have_text("Basın")
    expect(page.locator(".staff-note")).to_have_text("Gazeteci; yanıtlar müdürden.")
    saved = ok(http("selin").call("GET", f"/customers/{customer['id']}/flags"))
    assert (saved["flags"], saved["version"]) == (["press"], 1)
    screenshot(page, "console-customer-staff-marks")
    agent = open_console("mehmet")
    agent.goto(agent.url.split("#")[0] + f"#/customer/{customer['id']}")
    ready(agent)
    expect(agent.locator(".customer-panel")).to_be_visible()
    expect(agent.locator(".staff-marks")).to_have_count(0)
    expect(agent.locator("#view")).not_to_contain_text("Gazeteci")


def test_an_admin_adds_a_flag_to_the_list(open_console, http):
    before = ok(http("admin").call("GET", "/customer-flags"))
    code = f"t{tag()}"
    page = open_console("admin")
    admin_tab(page, "Müşteri işaretleri")
    form = page.locator("#flags-form")
    row = len(before["flags"]) + 1  # the first empty row
    form.get_by_label(f"Satır {row}: Kod").fill(code)
    form.get_by_label(f"Satır {row}: Ad", exact=True).fill("Tedarikçi")
    form.get_by_label(f"Satır {row}: İngilizce ad").fill("Supplier")
    save(page, "İşaret listesi kaydedildi.")
    after = ok(http("admin").call("GET", "/customer-flags"))
    added = {"code": code, "name": "Tedarikçi", "name_en": "Supplier"}
    assert after["flags"] == [*before["flags"], added]
    assert after["version"] == before["version"] + 1
    # a code the API refuses is marked where it was typed
    form = page.locator("#flags-form")
    form.get_by_label(f"Satır {row + 1}: Kod").fill("x")
    form.get_by_label(f"Satır {row + 1}: Ad", exact=True).fill("")
    form.get_by_role("button", name="Kaydet", exact=True).click()
    expect(form.get_by_label(f"Satır {row + 1}: Ad", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    assert ok(http("admin").call("GET", "/customer-flags")) == after


def test_a_staff_member_turns_their_notice_emails_off_and_on(open_console, http):
    page = open_console("can")
    box = page.get_by_role("checkbox", name="Bildirimleri bana postala")
    expect(box).to_be_checked()
    box.uncheck()
    expect(page.locator("#notice")).to_contain_text("Bildirim e-postaları kapatıldı")
    assert listed(http, "/staff", "username", "can")["email_notices"] is False
    page.reload()
    ready(page)
    box = page.get_by_role("checkbox", name="Bildirimleri bana postala")
    expect(box).not_to_be_checked()  # read back from the directory
    box.check()
    expect(page.locator("#notice")).to_have_text("Bildirim e-postaları açıldı.")
    assert listed(http, "/staff", "username", "can")["email_notices"] is True
