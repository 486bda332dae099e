"""The console's reports and data-query pages in headless Chromium, on the local stack:
who sees them, a supervisor's read-only SQL over the case-event archive and its refusals."""

from __future__ import annotations

from playwright.sync_api import expect

from .browser import console_ready as ready
from .test_console import open_console  # noqa: F401  (the fixture)


def test_only_roles_with_the_permission_see_reports_and_the_data_query(open_console):  # noqa: F811
    agent = open_console("mehmet")
    expect(agent.get_by_role("link", name="Taleplerim")).to_be_visible()
    expect(agent.get_by_role("link", name="Raporlar")).to_be_hidden()
    expect(agent.get_by_role("link", name="Veri sorgusu")).to_be_hidden()
    supervisor = open_console("selin")
    expect(supervisor.get_by_role("link", name="Veri sorgusu")).to_be_visible()


def test_a_supervisor_asks_the_archive_in_sql_and_reads_a_refusal_in_turkish(open_console):  # noqa: F811
    page = open_console("selin")
    page.get_by_role("link", name="Veri sorgusu").click()
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Veri sorgusu")
    page.get_by_label("SQL").fill("SELECT count(*) AS olay_sayisi FROM events")
    page.get_by_role("button", name="Çalıştır").click()
    result = page.locator("#sql-result")
    expect(result.get_by_role("columnheader", name="olay_sayisi")).to_be_visible()
    expect(result.locator("tbody tr")).to_have_count(1)
    expect(result.locator(".meta")).to_contain_text("1 satır")
    page.get_by_label("SQL").fill("DELETE FROM events")
    page.get_by_role("button", name="Çalıştır").click()
    refusal = result.get_by_role("alert")
    expect(refusal).to_be_visible()
    assert "DELETE" not in refusal.inner_text()
    assert refusal.inner_text() != "error_generic"
