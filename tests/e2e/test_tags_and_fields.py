"""Tags and custom fields in the console, in Chromium (docs/tags-and-fields.md): on the case
screen an agent adds a tag (a suggestion from the tags in use offered as they type), removes it by
its chip, and fills a custom field an admin defined; a value out of range is refused beside its
field, in Turkish. An admin defines a list field with the admin screen's form; the customer
sees a public field's value on the site's case page, and never a field that is not public."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.support import sign_in

from .browser import console_ready, screenshot
from .conftest import Http
from .test_checklists_library import returns_case
from .test_console import open_console  # noqa: F401  (the fixture)
from .test_site import page  # noqa: F401  (the fixture: a site profile failing on script errors)


def test_an_agent_tags_a_case_and_fills_a_custom_field(stack, open_console):  # noqa: F811
    admin = Http(stack.url, sign_in(stack.env, "admin"))
    key = f"adet_{uuid.uuid4().hex[:6]}"
    field = {"key": key, "label_tr": "Ürün adedi", "label_en": "Item count", "kind": "number"}
    status, _ = admin.call("POST", "/case-fields", field)
    assert status == 201
    try:
        case = returns_case(stack, f"etiket.{uuid.uuid4().hex[:8]}@example.com")
        page = open_console("mehmet")
        page.goto(f"{stack.url}/console#/case/{case['number']}")
        console_ready(page)

        tag = f"İade Kutu {uuid.uuid4().hex[:4]}"
        stored = tag.replace("İ", "i").lower().replace(" ", "-")
        page.get_by_label("Etiket ekle").fill(tag)
        page.get_by_role("button", name="Etiketi ekle").click()
        expect(page.locator("#notice")).to_have_text("Etiketler kaydedildi.")
        chip = page.locator(f'.tag-chip[data-tag="{stored}"]')
        expect(chip).to_have_text(f"{stored}×")

        # what was just added is now suggested to whoever types its beginning
        page.get_by_label("Etiket ekle").fill(stored[:8].upper())
        expect(page.locator(f'#tag-suggestions option[value="{stored}"]')).to_have_count(1)

        count = page.get_by_label("Ürün adedi")
        count.fill("10000000000000")  # past the limit: the API names the field
        page.get_by_role("button", name="Alanları kaydet").click()
        expect(page.locator(f"#cf_{key}-error")).to_have_text("Sayı çok büyük.")
        count.fill("3")
        page.get_by_role("button", name="Alanları kaydet").click()
        expect(page.locator("#notice")).to_have_text("Alanlar kaydedildi.")
        expect(page.get_by_label("Ürün adedi")).to_have_value("3")
        screenshot(page, "console-case-tags-fields")

        page.get_by_role("button", name=f"{stored} etiketini kaldır").click()
        expect(page.locator("#notice")).to_have_text("Etiketler kaydedildi.")
        expect(chip).to_have_count(0)
        history = page.locator(".history .k-tags_changed")
        expect(history).to_have_count(2)
        # a custom field's line names it by its label, not its key
        expect(page.locator(".history .k-custom_fields_changed")).to_contain_text(
            "Ürün adedi: — → 3"
        )
    finally:
        admin.call("DELETE", f"/case-fields/{key}")


def test_an_admin_defines_a_list_field_with_a_form(stack, open_console):  # noqa: F811
    admin = Http(stack.url, sign_in(stack.env, "admin"))
    key = f"neden_{uuid.uuid4().hex[:6]}"
    console = open_console("admin")
    console.goto(f"{stack.url}/console#/admin/fields")
    console_ready(console)
    try:
        form = console.locator("#case-field-form")
        form.get_by_label("Anahtar", exact=True).fill(key)
        form.get_by_label("Türkçe ad").first.fill("İade nedeni")
        form.get_by_label("İngilizce ad").first.fill("Return reason")
        form.get_by_label("Tür", exact=True).select_option("list")
        form.locator('input[name="option0_value"]').fill("hasar")
        form.locator('input[name="option0_label_tr"]').fill("Hasarlı")
        form.locator('input[name="option0_label_en"]').fill("Damaged")
        form.get_by_label("Şikâyet").check()
        form.get_by_label("Talep çözülmeden önce doldurulmalı").check()
        form.get_by_role("button", name="Kaydet", exact=True).click()
        expect(console.locator("#notice")).to_have_text("Alan kaydedildi.")
        row = console.locator(f'tr[data-field="{key}"]')
        expect(row).to_contain_text("İade nedeni")
        expect(row).to_contain_text("Liste")
        screenshot(console, "console-admin-fields")
        status, saved = admin.call("GET", f"/case-fields/{key}")
        assert status == 200 and saved["options"][0]["label_en"] == "Damaged", saved
        assert saved["case_types"] == ["complaint"] and saved["required_at_resolve"] is True
    finally:
        admin.call("DELETE", f"/case-fields/{key}")


def test_the_customer_sees_public_fields_on_their_case_page(stack, http, page):  # noqa: F811
    from .test_site import sign_in_as, site

    admin, ahmet = http("admin"), http("ahmet@example.com")
    reason, internal = f"neden_{uuid.uuid4().hex[:6]}", f"ic_{uuid.uuid4().hex[:6]}"
    option = {"value": "hasar", "label_tr": "Hasarlı ürün", "label_en": "Damaged"}
    public = {"key": reason, "label_tr": "İade nedeni", "label_en": "Return reason",
              "kind": "list", "public": True, "options": [option]}  # fmt: skip
    hidden = {"key": internal, "label_tr": "İç puan", "label_en": "Score", "kind": "number"}
    try:
        for body in (public, hidden):
            assert admin.call("POST", "/case-fields", body)[0] == 201
        mine = {"type": "complaint", "subject": "Kutu ezik geldi", "description": "Hasarlı"}
        status, filed = ahmet.call("POST", "/my/cases", mine)
        assert status == 201, filed
        case = admin.call("GET", f"/cases/{filed['id']}")[1]["case"]
        values = {reason: "hasar", internal: 7}
        status, _ = admin.call("PUT", f"/cases/{case['id']}/custom-fields",
                               {"version": case["version"], "values": values})  # fmt: skip
        assert status == 200
        sign_in_as(page, stack, "ahmet@example.com")
        page.goto(f"{site(stack)}/case.html?id={case['id']}")
        shown = page.locator("#case-fields")
        expect(shown).to_be_visible()
        expect(shown.locator(f'dd[data-field="{reason}"]')).to_have_text("Hasarlı ürün")
        expect(shown).to_contain_text("İade nedeni")
        expect(page.locator("main")).not_to_contain_text("İç puan")
    finally:
        for key in (reason, internal):
            admin.call("DELETE", f"/case-fields/{key}")
