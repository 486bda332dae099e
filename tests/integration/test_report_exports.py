"""GET /reports/{name}/export: a report as a CSV or XLSX attachment, through the app.

The reports come from a fake `ReportSource` put in place of `wiring.report_service`; the
names of groups come from the seeded directory.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from chalicelib import wiring
from chalicelib.domain.report_table import (
    ColumnKind,
    Dimension,
    ReportColumn,
    ReportName,
    ReportTable,
)
from tests.xlsx_reader import read_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PATH = "/reports/sla/export?from=2026-11-23&to=2026-11-29&by=group"


class FakeReports:
    def __init__(self) -> None:
        self.asked: list[tuple] = []

    def report(self, name, start, end, by) -> ReportTable:
        self.asked.append((name, start, end, by))
        return ReportTable(
            report=name, start=start, end=end, by=by,
            columns=[ReportColumn(key="group", kind=ColumnKind.DIMENSION),
                     ReportColumn(key="opened", kind=ColumnKind.COUNT),
                     ReportColumn(key="sla_share", kind=ColumnKind.SHARE)],
            rows=[{"group": "teslimat", "opened": 8, "sla_share": 0.75},
                  {"group": "finans", "opened": 2, "sla_share": 1.0}],
            totals={"opened": 10, "sla_share": 0.8},
        )  # fmt: skip


@pytest.fixture
def reports(monkeypatch) -> FakeReports:
    fake = FakeReports()
    monkeypatch.setattr(wiring, "report_service", lambda: fake)
    return fake


def download(client, token: str, path: str, accept: str | None = None):
    headers = {"authorization": f"Bearer {token}"}
    if accept:
        headers["accept"] = accept
    answer = client.http.get(path, headers=headers)
    answer.headers = {k.lower(): v for k, v in answer.headers.items()}
    return answer


def test_a_supervisor_downloads_the_csv_in_turkish(client, tokens, reports):
    answer = download(client, tokens["supervisor"], PATH + "&format=csv&lang=tr")
    assert answer.status_code == 200, answer.body
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        'attachment; filename="sla_2026-11-23_2026-11-29.csv"'
    )
    assert answer.body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(answer.body[3:].decode("utf-8")), delimiter=";"))
    assert rows == [
        ["Grup", "Açılan", "SLA uyumu (%)"],
        ["Kargo ve Teslimat", "8", "75"],
        ["Ödeme ve Fatura", "2", "100"],
        ["Toplam", "10", "80"],
    ]
    assert reports.asked == [(ReportName.SLA, date(2026, 11, 23), date(2026, 11, 29),
                              [Dimension.GROUP])]  # fmt: skip


def test_an_admin_downloads_the_xlsx_in_english(client, tokens, reports):
    answer = download(client, tokens["admin"], PATH + "&format=xlsx&lang=en", accept=XLSX)
    assert answer.status_code == 200, answer.body
    assert answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"].endswith(
        'filename="sla_2026-11-23_2026-11-29.xlsx"'
    )
    book = read_xlsx(answer.body)
    assert book.sheet_name == "SLA compliance"
    assert book.rows == [
        ["Group", "Opened", "SLA compliance (%)"],
        ["Kargo ve Teslimat", 8, 0.75],
        ["Ödeme ve Fatura", 2, 1.0],
        ["Total", 10, 0.8],
    ]
    assert book.formats[(1, 2)] == "0.0%"


def test_a_browsers_accept_header_gets_the_xlsx(client, tokens, reports):
    accept = "text/html,application/xhtml+xml,*/*;q=0.8"
    answer = download(client, tokens["supervisor"], PATH + "&format=xlsx", accept=accept)
    assert answer.status_code == 200
    assert answer.body.startswith(b"PK")  # a zip: the bytes, not their base64


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("from=2026-11-23&to=2026-11-29&format=xlsx", 400, "bad_request"),  # no Accept for it
        # the reports' own checks and codes (api/reports.py ReportQuery)
        ("from=2026-11-29&to=2026-11-23", 422, "invalid_period"),  # to before from
        ("from=2025-11-01&to=2026-11-30", 422, "period_too_long"),  # over 366 days
        ("from=1999-12-30&to=1999-12-31", 422, "invalid_period"),
        ("from=2026-11-23&to=2026-11-29&by=weather", 422, "invalid_dimensions"),
        ("from=2026-11-23&to=2026-11-29&by=group,day,channel", 422, "invalid_dimensions"),
        ("from=2026-11-23&to=2026-11-29&by=group,group", 422, "invalid_dimensions"),
        ("from=2026-11-23&to=2026-11-29&by=type,priority", 422, "unsupported_dimensions"),
        # the file's own
        ("from=2026-11-23&to=2026-11-29&by=group,%20day", 422, "invalid_input"),
        ("from=2026-11-23&to=2026-11-29&format=pdf", 422, "invalid_input"),
        ("from=2026-11-23&to=2026-11-29&lang=de", 422, "invalid_input"),
        ("from=yesterday&to=2026-11-29", 422, "invalid_input"),
        ("to=2026-11-29", 422, "invalid_input"),
        ("from=2026-11-23&to=2026-11-29&color=red", 422, "invalid_input"),
    ],
)
def test_bad_input_is_a_json_refusal_and_asks_nothing(client, tokens, reports, query, status,
                                                      code):  # fmt: skip
    answer = download(client, tokens["supervisor"], f"/reports/sla/export?{query}")
    assert answer.status_code == status, answer.body
    assert answer.headers["content-type"] == "application/json"
    import json

    assert json.loads(answer.body)["error"]["code"] == code
    assert reports.asked == []


def test_an_unknown_report_is_not_found_and_an_agent_may_not_download(client, tokens, reports):
    import json

    unknown = download(
        client, tokens["supervisor"], "/reports/weather/export?from=2026-11-23&to=2026-11-29"
    )
    assert unknown.status_code == 404
    assert "sla" in json.loads(unknown.body)["error"]["details"]["reports"]
    agent = download(client, tokens["agent"], PATH)
    assert agent.status_code == 403
    assert reports.asked == []


def test_a_file_too_large_for_a_lambdas_answer_is_a_413(client, tokens, reports, monkeypatch):
    import json

    from chalicelib.api import report_exports

    monkeypatch.setattr(report_exports, "MAX_FILE_BYTES", {"csv": 50, "xlsx": 50})
    answer = download(client, tokens["supervisor"], PATH + "&format=csv")
    assert answer.status_code == 413
    error = json.loads(answer.body)["error"]
    assert error["code"] == "payload_too_large" and error["details"]["limit"] == 50
