"""A report's `Sheet` (domain/report_sheet.py) as a file to download: CSV or XLSX.

**CSV** (RFC 4180 quoting, CRLF line ends) is UTF-8 with a byte order mark, so Excel opens
Turkish letters right on a double click. It follows the reader's locale as Excel does:
Turkish files separate fields with `;` and write decimals with a comma (`87,5`), English
ones use `,` and a point (Excel in a Turkish locale reads a comma-separated file as one
column). Shares are written as percentages (0.875 -> `87,5`, the header saying `(%)`),
minutes as numbers of minutes (the header saying the unit), days as ISO dates
(`2026-11-30`, which Excel in either locale reads as a date); empty cells mean "nothing
was counted". A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
gets a leading `'`, so a spreadsheet never runs words a supervisor wrote as a formula
(OWASP's CSV injection advice).

**XLSX** is written by XlsxWriter, in memory: one sheet named after the report, a bold
header row with a filter, the panes frozen below the header and right of the dimension
columns, every figure a number cell formatted by its kind (counts `#,##0`, shares `0.0%`,
minutes `#,##0.0`, other numbers `#,##0.00`, days as dates), links as hyperlinks, text
always as text (never a formula), and a bold totals row. The period and the report's
name are in the document's properties.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from ..domain.report_sheet import Cell, Sheet
from ..domain.report_table import ColumnKind

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"
#: the field separator and decimal mark of each language's spreadsheets
LOCALE = {"tr": (";", ","), "en": (",", ".")}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Excel's limits: a sheet's name, a hyperlink's length
SHEET_NAME_MAX = 31
URL_MAX = 2079


def defuse(text: str) -> str:
    """Text a spreadsheet will not read as a formula (see the module's text)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _decimal(value: float, places: int, mark: str) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".") if places else f"{value:.0f}"
    return text.replace(".", mark) if text not in ("", "-0") else "0"


def csv_text(kind: ColumnKind, value: Cell, mark: str) -> str:
    """One cell as CSV text in a locale whose decimal mark is `mark`."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if kind is ColumnKind.COUNT and isinstance(value, int):
        return str(value)
    if kind is ColumnKind.SHARE and isinstance(value, (int, float)):
        return _decimal(float(value) * 100, 1, mark)
    if kind is ColumnKind.MINUTES and isinstance(value, (int, float)):
        return _decimal(float(value), 1, mark)
    if kind is ColumnKind.NUMBER and isinstance(value, (int, float)):
        return _decimal(float(value), 2, mark)
    return defuse(str(value))


def csv_bytes(sheet: Sheet, language: str) -> bytes:
    """The sheet as CSV in `language`'s form (module text): header, rows, totals."""
    separator, mark = LOCALE.get(language, LOCALE["en"])
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    writer.writerow([defuse(h) for h in sheet.headers])
    for row in [*sheet.rows, *([sheet.totals] if sheet.totals else [])]:
        writer.writerow([csv_text(k, v, mark) for k, v in zip(sheet.kinds, row, strict=True)])
    return (BOM + out.getvalue()).encode("utf-8")


def sheet_name(title: str) -> str:
    """A name Excel accepts for a worksheet: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in title).strip("' ")
    return cleaned[:SHEET_NAME_MAX] or "report"


def xlsx_bytes(sheet: Sheet, language: str, subject: str = "") -> bytes:
    """The sheet as an XLSX workbook (module text). `subject` goes in the document's
    properties (the report's period, for instance)."""
    import xlsxwriter  # the API's cold start does not pay for it

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False,
                                     "strings_to_urls": False})  # fmt: skip
    book.set_properties({"title": sheet.title, "subject": subject, "author": "destek"})
    ws = book.add_worksheet(sheet_name(sheet.title))
    day_format = "dd.mm.yyyy" if language == "tr" else "yyyy-mm-dd"
    number_formats = {
        ColumnKind.COUNT: "#,##0",
        ColumnKind.SHARE: "0.0%",
        ColumnKind.MINUTES: "#,##0.0",
        ColumnKind.NUMBER: "#,##0.00",
    }
    header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    plain = {k: book.add_format({"num_format": f}) for k, f in number_formats.items()}
    bold = {k: book.add_format({"num_format": f, "bold": True, "top": 1})
            for k, f in number_formats.items()}  # fmt: skip
    day = book.add_format({"num_format": day_format})
    text_total = book.add_format({"bold": True, "top": 1})
    link = book.get_default_url_format()

    widths = [min(max(len(h), 8), 40) for h in sheet.headers]
    for col, text in enumerate(sheet.headers):
        ws.write_string(0, col, text, header)

    def put(r: int, c: int, kind: ColumnKind, value: Cell, total: bool) -> None:
        if value is None:  # blank, but formatted as its column (a figure typed in later)
            ws.write_blank(r, c, None, (bold if total else plain).get(kind, text_total if total
                                                                     else None))  # fmt: skip
        elif isinstance(value, date):
            ws.write_datetime(r, c, datetime(value.year, value.month, value.day), day)
            widths[c] = max(widths[c], 10)
        elif kind in number_formats and isinstance(value, (int, float)):
            ws.write_number(r, c, value, (bold if total else plain)[kind])
        elif (
            kind is ColumnKind.LINK and not total and str(value).startswith(("http://", "https://"))
        ):
            url = str(value)
            if len(url) <= URL_MAX:
                ws.write_url(r, c, url, link, url)
            else:
                ws.write_string(r, c, url)
            widths[c] = min(max(widths[c], len(url)), 60)
        else:
            ws.write_string(r, c, str(value), text_total if total else None)
            widths[c] = min(max(widths[c], len(str(value))), 60)

    for r, row in enumerate(sheet.rows, start=1):
        for c, (kind, value) in enumerate(zip(sheet.kinds, row, strict=True)):
            put(r, c, kind, value, False)
    last = len(sheet.rows)
    if sheet.totals:
        last += 1
        for c, (kind, value) in enumerate(zip(sheet.kinds, sheet.totals, strict=True)):
            put(last, c, kind, value, True)
    for c, width in enumerate(widths):
        ws.set_column(c, c, width + 2)
    ws.freeze_panes(1, sheet.dimensions)
    if sheet.headers:
        ws.autofilter(0, 0, max(len(sheet.rows), 1), len(sheet.headers) - 1)
    book.close()
    return out.getvalue()
