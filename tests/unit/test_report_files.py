"""A report's CSV and XLSX downloads hold the table: every value, in the reader's words.

The files are parsed back (csv; the XLSX with zipfile and ElementTree, tests/xlsx_reader.py)
and compared with the ReportTable they came from.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from chalicelib.domain.catalog import Product, ProductCategory
from chalicelib.domain.report_sheet import sheet_of
from chalicelib.domain.report_table import (
    ColumnKind,
    Dimension,
    ReportColumn,
    ReportName,
    ReportTable,
)
from chalicelib.messaging.report_files import csv_bytes, xlsx_bytes
from chalicelib.messaging.words import console_strings
from chalicelib.services.report_exports import ReportExports, ReportNames
from tests.xlsx_reader import read_xlsx

from .fakes import FakeCatalog
from .test_i18n import english_in

K = ColumnKind
EXCEL_EPOCH = date(1899, 12, 30)


def sla_by_group_and_day() -> ReportTable:
    return ReportTable(
        report=ReportName.SLA,
        start=date(2026, 11, 23),
        end=date(2026, 11, 29),
        by=[Dimension.GROUP, Dimension.DAY],
        columns=[
            ReportColumn(key="group", kind=K.DIMENSION),
            ReportColumn(key="day", kind=K.DIMENSION),
            ReportColumn(key="opened", kind=K.COUNT),
            ReportColumn(key="sla_share", kind=K.SHARE),
            ReportColumn(key="first_response_median", kind=K.MINUTES),
            ReportColumn(key="replies_per_case", kind=K.NUMBER),
        ],
        rows=[
            {"group": "teslimat", "day": "2026-11-23", "opened": 12, "sla_share": 0.875,
             "first_response_median": 42.25, "replies_per_case": 1.5},
            {"group": "urun", "day": "2026-11-24", "opened": 3, "sla_share": None,
             "first_response_median": None, "replies_per_case": 2.0},
            {"group": "gone", "day": "2026-11-25", "opened": 1, "sla_share": 1.0,
             "first_response_median": 1234.5, "replies_per_case": 0.333},
            {"group": None, "day": "2026-11-26", "opened": 0, "sla_share": 0.0,
             "first_response_median": 0.0, "replies_per_case": 0.0},
        ],
        totals={"group": None, "day": None, "opened": 16, "sla_share": 0.9,
                "first_response_median": 50.0, "replies_per_case": 1.56},
    )  # fmt: skip


def topics_by_topic_and_channel() -> ReportTable:
    return ReportTable(
        report=ReportName.TOPICS,
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        by=[Dimension.TOPIC, Dimension.CHANNEL],
        columns=[
            ReportColumn(key="topic", kind=K.DIMENSION),
            ReportColumn(key="channel", kind=K.DIMENSION),
            ReportColumn(key="complaints", kind=K.COUNT),
            ReportColumn(key="action", kind=K.TEXT),
            ReportColumn(key="action_link", kind=K.LINK),
        ],
        rows=[
            {"topic": "r-kargo", "channel": "phone", "complaints": 30,
             "action": "=HYPERLINK(\"http://x\")", "action_link": "https://destek.example/kargo"},
            {"topic": "other", "channel": "web", "complaints": 5, "action": "Çağrı ışığı",
             "action_link": None},
        ],
        totals={"complaints": 35},
    )  # fmt: skip


class Directory:
    """What ReportNames reads of the directory."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def list_groups(self):
        from chalicelib.domain.directory import Group

        self.reads.append("groups")
        return [Group(id="teslimat", name="Kargo ve teslimat"), Group(id="urun", name="Ürün")]

    def list_staff(self):
        self.reads.append("staff")
        return []

    def list_categories(self):
        self.reads.append("categories")
        return []

    def list_rules(self):
        self.reads.append("rules")
        return [SimpleNamespace(id="r-kargo", name="Kargo şikâyetleri")]  # a RoutingRule's own


def names(language: str = "tr") -> ReportNames:
    return ReportNames(Directory(), None, language)


def parse_csv(data: bytes, language: str) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads UTF-8
    text = data[3:].decode("utf-8")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";" if language == "tr" else ","))


# ---- the sheet --------------------------------------------------------------------------------


def test_the_sheet_names_codes_in_the_readers_words():
    sheet = sheet_of(sla_by_group_and_day(), console_strings("tr"), names("tr"))
    assert sheet.title == "SLA uyumu"
    assert sheet.headers == ["Grup", "Gün", "Açılan", "SLA uyumu (%)",
                             "İlk yanıt süresi (medyan) (dk)", "replies_per_case"]  # fmt: skip
    assert [r[0] for r in sheet.rows] == ["Kargo ve teslimat", "Ürün", "gone", "(yok)"]
    assert sheet.rows[0][1] == date(2026, 11, 23)
    assert sheet.totals == ["Toplam", None, 16, 0.9, 50.0, 1.56]
    assert sheet.dimensions == 2
    assert sheet.file_stem == "sla_2026-11-23_2026-11-29"


def test_vocabulary_codes_take_the_console_words_and_topics_the_rule_names():
    for language, phone, other in (("tr", "Telefon", "Diğer"), ("en", "Phone", "Other")):
        sheet = sheet_of(topics_by_topic_and_channel(), console_strings(language), names(language))
        assert [r[:2] for r in sheet.rows] == [["Kargo şikâyetleri", phone], [other, "Web"]]


def test_a_list_is_read_once_per_export_and_only_for_the_dimensions_named():
    directory = Directory()
    sheet_of(sla_by_group_and_day(), console_strings("tr"), ReportNames(directory, None, "tr"))
    assert directory.reads == ["groups"]


def test_products_and_product_groups_are_named_from_the_catalog_in_the_language():
    catalog = FakeCatalog()
    catalog.create_category(ProductCategory(id="beyaz", name="Beyaz eşya", name_en="White goods",
                                            path=["beyaz"]))  # fmt: skip
    catalog.create_product(Product(id="p1", brand="Arçelik", model="9120", name="Arçelik 9120",
                                   category_id="beyaz", category_path=["beyaz"],
                                   warranty_months=24, product_group="beyaz"))  # fmt: skip
    for language, group in (("tr", "Beyaz eşya"), ("en", "White goods")):
        name_of = ReportNames(Directory(), catalog, language)
        assert name_of(Dimension.PRODUCT_GROUP, "beyaz") == group
        assert name_of(Dimension.PRODUCT, "p1") == "Arçelik 9120"
        assert name_of(Dimension.PRODUCT, "nope") is None


def test_a_report_by_no_dimension_is_its_totals_in_one_row():
    table = ReportTable(report=ReportName.VOLUME, start=date(2026, 11, 1), end=date(2026, 11, 1),
                        columns=[ReportColumn(key="opened", kind=K.COUNT),
                                 ReportColumn(key="resolved", kind=K.COUNT)],
                        totals={"opened": 7, "resolved": 4})  # fmt: skip
    sheet = sheet_of(table, console_strings("en"), names("en"))
    assert (sheet.headers, sheet.rows, sheet.totals) == (["Opened", "Resolved"], [[7, 4]], None)
    rows = parse_csv(csv_bytes(sheet, "en"), "en")
    assert rows == [["Opened", "Resolved"], ["7", "4"]]


# ---- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "share", "minutes", "number"),
    [("tr", "87,5", "42,2", "1,5"), ("en", "87.5", "42.2", "1.5")],
)
def test_the_csv_holds_every_value_in_the_locales_form(language, share, minutes, number):
    table = sla_by_group_and_day()
    rows = parse_csv(csv_bytes(sheet_of(table, console_strings(language), names(language)),
                               language), language)  # fmt: skip
    header, body, totals = rows[0], rows[1:-1], rows[-1]
    assert len(header) == len(table.columns) and len(body) == len(table.rows)
    assert body[0][1:] == ["2026-11-23", "12", share, minutes, number]
    mark = "," if language == "tr" else "."
    for row, source in zip(body, table.rows, strict=True):
        assert row[1] == source["day"]
        assert int(row[2]) == source["opened"]
        if source["sla_share"] is None:
            assert row[3] == ""
        else:
            assert float(row[3].replace(mark, ".")) == pytest.approx(source["sla_share"] * 100)
        if source["first_response_median"] is not None:
            assert float(row[4].replace(mark, ".")) == pytest.approx(
                source["first_response_median"], abs=0.05
            )
        assert float(row[5].replace(mark, ".")) == pytest.approx(source["replies_per_case"],
                                                                 abs=0.005)  # fmt: skip
    assert totals[0] == ("Toplam" if language == "tr" else "Total")
    assert totals[2] == "16"


def test_turkish_csv_headers_hold_no_english():
    rows = parse_csv(csv_bytes(sheet_of(topics_by_topic_and_channel(), console_strings("tr"),
                                        names("tr")), "tr"), "tr")  # fmt: skip
    assert rows[0] == ["Konu", "Kanal", "Şikâyet", "Önerilen eylem", "Çözüm bağlantısı"]
    assert english_in(" ".join(rows[0] + [rows[-1][0]])) == set()


def test_words_a_supervisor_wrote_are_never_a_formula_in_the_csv():
    rows = parse_csv(csv_bytes(sheet_of(topics_by_topic_and_channel(), console_strings("en"),
                                        names("en")), "en"), "en")  # fmt: skip
    assert rows[1][3] == '\'=HYPERLINK("http://x")'
    assert rows[2][3] == "Çağrı ışığı"


# ---- XLSX -------------------------------------------------------------------------------------


def test_the_xlsx_holds_every_value_as_a_number_formatted_by_its_kind():
    table = sla_by_group_and_day()
    sheet = sheet_of(table, console_strings("tr"), names("tr"))
    book = read_xlsx(xlsx_bytes(sheet, "tr", "2026-11-23 – 2026-11-29"))
    assert book.sheet_name == "SLA uyumu" and book.title == "SLA uyumu"
    assert book.rows[0] == sheet.headers
    body, totals = book.rows[1:-1], book.rows[-1]
    assert [r[0] for r in body] == ["Kargo ve teslimat", "Ürün", "gone", "(yok)"]
    for r, (row, source) in enumerate(zip(body, table.rows, strict=True), start=1):
        assert EXCEL_EPOCH + timedelta(days=row[1]) == date.fromisoformat(source["day"])
        assert row[2] == source["opened"]
        assert row[3] == (
            None if source["sla_share"] is None else pytest.approx(source["sla_share"])
        )
        assert book.formats[(r, 1)] == "dd.mm.yyyy"
        assert book.formats[(r, 2)] == "#,##0"
        assert book.formats[(r, 4)] == "#,##0.0"
        assert book.formats[(r, 5)] == "#,##0.00"
    assert book.formats[(1, 3)] == "0.0%"
    assert totals == ["Toplam", None, 16, 0.9, 50.0, 1.56]
    assert book.bold[(len(book.rows) - 1, 2)] and not book.bold.get((1, 2), False)
    assert all(book.bold[(0, c)] for c in range(len(sheet.headers)))
    assert book.frozen_at == "C2"  # below the header, right of the two dimensions


def test_xlsx_links_are_hyperlinks_and_text_is_never_a_formula():
    sheet = sheet_of(topics_by_topic_and_channel(), console_strings("en"), names("en"))
    book = read_xlsx(xlsx_bytes(sheet, "en"))
    assert book.sheet_name == "Top complaint topics"
    assert book.rows[1][3] == '=HYPERLINK("http://x")'  # a string cell, not a formula
    assert book.rows[1][4] == "https://destek.example/kargo"
    assert book.links == {(1, 4): "https://destek.example/kargo"}
    assert book.rows[-1] == ["Total", None, 35, None, None]
    assert book.frozen_at == "C2"


def test_a_sheet_name_excel_refuses_is_cleaned():
    from chalicelib.messaging.report_files import sheet_name

    assert sheet_name("a/b:c" + "x" * 40) == ("a b c" + "x" * 40)[:31]
    assert sheet_name("[]") == "report"


# ---- the use case -----------------------------------------------------------------------------


class Source:
    def __init__(self, table: ReportTable) -> None:
        self.table = table
        self.asked: list[tuple] = []

    def report(self, name, start, end, by):
        self.asked.append((name, start, end, by))
        return self.table


@pytest.mark.parametrize(("fmt", "content_type"), [
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])  # fmt: skip
def test_an_export_asks_the_source_and_names_its_file(fmt, content_type):
    source = Source(sla_by_group_and_day())
    exports = ReportExports(lambda: source, names, console_strings)
    file = exports.export(ReportName.SLA, date(2026, 11, 23), date(2026, 11, 29),
                          [Dimension.GROUP, Dimension.DAY], fmt, "en")  # fmt: skip
    assert source.asked == [(ReportName.SLA, date(2026, 11, 23), date(2026, 11, 29),
                             [Dimension.GROUP, Dimension.DAY])]  # fmt: skip
    assert (file.filename, file.content_type) == (f"sla_2026-11-23_2026-11-29.{fmt}", content_type)
    if fmt == "csv":
        assert parse_csv(file.body, "en")[1][0] == "Kargo ve teslimat"
    else:
        assert read_xlsx(file.body).rows[1][0] == "Kargo ve teslimat"
