"""How console screens look and read: the views sidebar's edit and delete apart and delete
not styled as the primary action; a decimal setting in the page language's way ("0,8")."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from .browser import console_ready as ready
from .test_console import open_console  # noqa: F401  (the fixture)


def test_a_views_edit_and_delete_stand_apart_and_delete_is_not_primary(open_console, http):  # noqa: F811
    status, view = http("mehmet").call(
        "POST", "/views", {"name": f"Düzen {uuid.uuid4().hex[:6]}", "filters": {"assignee": "me"}}
    )
    assert status == 201, view
    page = open_console("mehmet")
    page.goto(page.url.split("#")[0] + "#/views")
    ready(page)
    entry = page.locator(f'.views-list li[data-view-id="{view["id"]}"]')
    edit = entry.get_by_role("link", name=f"{view['name']} görünümünü düzenle").bounding_box()
    delete = entry.locator("button.view-delete")
    box = delete.bounding_box()
    assert box["x"] >= edit["x"] + edit["width"] + 6, (edit, box)  # not stuck together
    primary = page.locator("form.view-form button[type=submit]")
    style = "b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]"
    assert delete.evaluate(style) != primary.evaluate(style)
    assert delete.evaluate(style) == ["rgb(255, 255, 255)", "rgb(165, 14, 14)"]  # outlined, red


def test_the_learning_tabs_confidence_reads_and_takes_a_decimal_comma(open_console, http):  # noqa: F811
    admin = http("admin")
    before = admin.call("GET", "/routing-classifier")[1]["settings"]["min_confidence"]
    assert admin.call("PUT", "/routing-classifier/settings", {"min_confidence": 0.8})[0] == 200
    try:
        page = open_console("admin")
        page.goto(page.url.split("#")[0] + "#/admin/learning")
        ready(page)
        confidence = page.get_by_label("En az güven (0,5–1)")
        expect(confidence).to_have_value("0,8")
        for typed, kept in (("0,75", 0.75), ("0.7", 0.7)):
            confidence.fill(typed)
            page.locator("form.learning-settings").get_by_role("button", name="Kaydet").click()
            expect(page.locator("#notice")).to_have_text("Sınıflandırıcı ayarları kaydedildi.")
            # drawn again from the saved value, in the page's way ("0.7" comes back "0,7")
            expect(page.get_by_label("En az güven (0,5–1)")).to_have_value(
                str(kept).replace(".", ",")
            )
            settings = admin.call("GET", "/routing-classifier")[1]["settings"]
            assert settings["min_confidence"] == kept
    finally:
        admin.call("PUT", "/routing-classifier/settings", {"min_confidence": before})
