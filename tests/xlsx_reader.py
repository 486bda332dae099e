"""Reads an XLSX file back for the tests, with zipfile and ElementTree only (openpyxl is not
installed): the first sheet's cells as values, their number formats, hyperlinks and panes.

Enough of Office Open XML (ECMA-376 part 1, §18.3 worksheets, §18.4 shared strings, §18.8
styles) for what XlsxWriter writes: shared and inline strings, numbers, booleans, blanks.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
#: Excel's built-in number formats that the tests meet (ECMA-376 §18.8.30)
BUILTIN = {0: "General", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 14: "mm-dd-yy"}


@dataclass
class Workbook:
    sheet_name: str
    #: rows of values: str, float, or None for an empty cell; a row as long as the widest
    rows: list[list[str | float | None]]
    #: (row, column) -> number format code, for cells that carry a style
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    #: (row, column) -> URL
    links: dict[tuple[int, int], str] = field(default_factory=dict)
    #: (row, column) -> True where the cell's font is bold
    bold: dict[tuple[int, int], bool] = field(default_factory=dict)
    #: the frozen pane's top-left cell, e.g. "B2"
    frozen_at: str | None = None
    title: str | None = None


def _column(ref: str) -> tuple[int, int]:
    letters, digits = re.fullmatch(r"([A-Z]+)(\d+)", ref).groups()
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return int(digits) - 1, col - 1


def read_xlsx(data: bytes) -> Workbook:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            for si in root.findall("m:si", NS):
                shared.append("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")))
        styles = ET.fromstring(z.read("xl/styles.xml"))
        custom = {int(f.get("numFmtId")): f.get("formatCode")
                  for f in styles.findall("m:numFmts/m:numFmt", NS)}  # fmt: skip
        fonts = [f.find("m:b", NS) is not None for f in styles.findall("m:fonts/m:font", NS)]
        xfs = []
        for xf in styles.findall("m:cellXfs/m:xf", NS):
            fmt_id = int(xf.get("numFmtId", "0"))
            xfs.append((custom.get(fmt_id, BUILTIN.get(fmt_id, str(fmt_id))),
                        fonts[int(xf.get("fontId", "0"))]))  # fmt: skip
        book = ET.fromstring(z.read("xl/workbook.xml"))
        sheet_name = book.find("m:sheets/m:sheet", NS).get("name")
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
        rels: dict[str, str] = {}
        if "xl/worksheets/_rels/sheet1.xml.rels" in names:
            for rel in ET.fromstring(z.read("xl/worksheets/_rels/sheet1.xml.rels")):
                rels[rel.get("Id")] = rel.get("Target")
        title = None
        if "docProps/core.xml" in names:
            core = ET.fromstring(z.read("docProps/core.xml"))
            found = core.find("{http://purl.org/dc/elements/1.1/}title")
            title = found.text if found is not None else None
    cells: dict[tuple[int, int], str | float | None] = {}
    result = Workbook(sheet_name, [], title=title)
    for c in sheet.iter(f"{{{NS['m']}}}c"):
        pos = _column(c.get("r"))
        kind = c.get("t", "n")
        v = c.find("m:v", NS)
        if kind == "s":
            value: str | float | None = shared[int(v.text)]
        elif kind == "inlineStr":
            value = "".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t"))
        elif kind == "str":
            value = v.text if v is not None else ""
        elif v is None:
            value = None
        else:
            value = float(v.text)
        cells[pos] = value
        if c.get("s") is not None:
            number_format, is_bold = xfs[int(c.get("s"))]
            result.formats[pos] = number_format
            result.bold[pos] = is_bold
    for link in sheet.findall("m:hyperlinks/m:hyperlink", NS):
        rid = link.get(f"{{{NS['r']}}}id")
        result.links[_column(link.get("ref"))] = rels.get(rid, "")
    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    if pane is not None and pane.get("state") == "frozen":
        result.frozen_at = pane.get("topLeftCell")
    if cells:
        height = max(r for r, _ in cells) + 1
        width = max(c for _, c in cells) + 1
        result.rows = [[cells.get((r, c)) for c in range(width)] for r in range(height)]
    return result
