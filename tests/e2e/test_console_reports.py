"""The console's reports and data-query pages in headless Chromium, on the local stack:
who sees them, a supervisor's read-only SQL over the case-event archive and its refusals."""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.support import unique_phone

from .browser import console_ready as ready
from .browser import screenshot
from .conftest import eventually
from .test_console import (
    open_console,  # noqa: F401  (the fixture)
    routed_case,
)


def test_only_roles_with_the_permission_see_reports_and_the_data_query(open_console):  # noqa: F811
    agent = open_console("mehmet")
    expect(agent.get_by_role("link", name="Taleplerim")).to_be_visible()
    expect(agent.get_by_role("link", name="Raporlar")).to_be_hidden()
    expect(agent.get_by_role("link", name="Veri sorgusu")).to_be_hidden()
    supervisor = open_console("selin")
    expect(supervisor.get_by_role("link", name="Raporlar")).to_be_visible()
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


def test_a_supervisor_reads_todays_volume_by_channel_as_a_chart_a_table_and_files(
    open_console,  # noqa: F811
    http,
    stack,
    tmp_path,  # noqa: F811
):
    # today in Istanbul with a day either side: a run across midnight counts the case on
    # the day it was opened, which a second reading of the clock might not name
    today = datetime.now(ZoneInfo("Europe/Istanbul")).date()
    start, end = (today - timedelta(days=1)).isoformat(), (today + timedelta(days=1)).isoformat()
    routed_case(http, unique_phone(), "Rapor Müşterisi", subject="Kargo gecikti")
    supervisor = http("selin")
    path = f"/reports/volume?from={start}&to={end}&by=channel"

    def phone_counted():
        status, table = supervisor.call("GET", path)
        assert status == 200, table
        return next((r for r in table["rows"] if r["channel"] == "phone" and r["opened"]), None)

    opened = eventually(phone_counted)["opened"]  # the projection is fed asynchronously
    page = open_console("selin")
    page.goto(f"{stack.url}/console#/reports?report=volume&from={start}&to={end}&by=channel")
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Raporlar")
    expect(page.get_by_label("Rapor")).to_have_value("volume")
    row = page.locator("table.report tbody tr", has_text="Telefon")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text(str(opened))
    expect(page.locator("table.report thead")).to_contain_text("Açılan")
    page.wait_for_function("() => window.Chart && Chart.getChart('report-chart')")
    screenshot(page, "console-reports")

    with page.expect_download() as got:
        page.get_by_role("button", name="CSV indir").click()
    csv = Path(got.value.path()).read_bytes()
    assert csv.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads Turkish letters
    assert "Telefon" in csv.decode("utf-8-sig")
    with page.expect_download() as got:
        page.get_by_role("button", name="Excel (XLSX) indir").click()
    xlsx = tmp_path / got.value.suggested_filename
    got.value.save_as(xlsx)
    with zipfile.ZipFile(xlsx) as book:
        assert "Telefon" in book.read("xl/sharedStrings.xml").decode("utf-8")

    page.get_by_label("Rapor").select_option("sla")
    page.get_by_label("Kırılım", exact=True).select_option("group")
    page.get_by_role("button", name="Göster").click()
    ready(page)
    expect(page).to_have_url(
        f"{stack.url}/console#/reports?report=sla&from={start}&to={end}&by=group"
    )
    expect(page.locator("table.report thead")).to_contain_text("Hedef aşımları")

    # a topic is a routing rule: the page names it ("Kargo gecikti" matched the demo's rule)
    page.goto(f"{stack.url}/console#/reports?report=topics&from={start}&to={end}&by=topic")
    ready(page)
    topics = page.locator("table.report tbody")
    expect(topics).to_contain_text("Kargo ve teslimat")
    assert "r-demo-" not in topics.inner_text()
