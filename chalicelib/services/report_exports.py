"""A standard report as a file to download: CSV or XLSX, in Turkish or English.

`ReportExports.export` asks the `ReportSource` port (the report projections' service) for
the table, names its codes (`ReportNames`: groups, agents, categories and routing topics
from the directory, products and product groups from the catalog; types, channels,
priorities and customer categories by the console's words), turns it into a `Sheet`
(domain/report_sheet.py) and writes the file (messaging/report_files.py). What the file
holds, cell by cell: docs/report-exports.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..domain.report_sheet import NameOf, sheet_of
from ..domain.report_table import Dimension, ReportName, ReportTable
from ..messaging import report_files
from .ports import CatalogStore, DirectoryStore, ReportSource

FileFormat = Literal["csv", "xlsx"]


@dataclass(frozen=True)
class ExportFile:
    """A file to hand to the reader: `body` bytes of `content_type`, saved as `filename`."""

    filename: str
    content_type: str
    body: bytes


class ReportNames:
    """`name_of(dimension, code)` for one export: each list is read once, when the table
    first names a code of its dimension (the directory's groups, staff, categories and
    routing rules are one Query each; a product or product group one GetItem each)."""

    def __init__(self, directory: DirectoryStore, catalog: CatalogStore | None,
                 language: str) -> None:  # fmt: skip
        self.directory = directory
        self.catalog = catalog
        self.language = language
        self._lists: dict[Dimension, dict[str, str]] = {}
        self._single: dict[tuple[Dimension, str], str | None] = {}

    def _list(self, dimension: Dimension) -> dict[str, str]:
        if dimension not in self._lists:
            d = self.directory
            if dimension is Dimension.GROUP:
                found = {g.id: g.name for g in d.list_groups()}
            elif dimension is Dimension.AGENT:
                found = {m.username: m.name for m in d.list_staff()}
            elif dimension is Dimension.CATEGORY:
                found = {c.id: c.name for c in d.list_categories()}
            elif dimension is Dimension.TOPIC:
                found = {r.id: r.name for r in d.list_rules()}
            else:
                found = {}
            self._lists[dimension] = found
        return self._lists[dimension]

    def _catalog(self, dimension: Dimension, code: str) -> str | None:
        key = (dimension, code)
        if key not in self._single:
            name = None
            if self.catalog is not None and dimension is Dimension.PRODUCT:
                product = self.catalog.get_product(code)
                name = product.name if product else None
            elif self.catalog is not None and dimension is Dimension.PRODUCT_GROUP:
                group = self.catalog.get_category(code)
                if group:
                    name = (group.name_en or group.name) if self.language == "en" else group.name
            self._single[key] = name
        return self._single[key]

    def __call__(self, dimension: Dimension, code: str) -> str | None:
        if dimension in (Dimension.PRODUCT, Dimension.PRODUCT_GROUP):
            return self._catalog(dimension, code)
        return self._list(dimension).get(code)


def period_of(table: ReportTable) -> str:
    """ "2026-11-01 – 2026-11-30": the period, for the file's properties."""
    return f"{table.start.isoformat()} – {table.end.isoformat()}"


class ReportExports:
    def __init__(
        self,
        source: Callable[[], ReportSource],
        names: Callable[[str], NameOf],
        words: Callable[[str], Mapping[str, str]],
    ) -> None:
        #: called on every export, so the service behind the port can be swapped
        self.source = source
        self.names = names
        self.words = words

    def export(
        self,
        name: ReportName,
        start: date,
        end: date,
        by: list[Dimension],
        file_format: FileFormat,
        language: str,
    ) -> ExportFile:
        """The report as a file (module text). Raises what the source raises for a period
        or breakdown it cannot answer (InvalidInput)."""
        table = self.source().report(name, start, end, list(by))
        return self.file_of(table, file_format, language)

    def file_of(self, table: ReportTable, file_format: FileFormat, language: str) -> ExportFile:
        """A table already read, as a file."""
        words = self.words(language)
        sheet = sheet_of(table, words, self.names(language))
        if file_format == "xlsx":
            body = report_files.xlsx_bytes(sheet, language, period_of(table))
            return ExportFile(f"{sheet.file_stem}.xlsx", report_files.XLSX_TYPE, body)
        return ExportFile(f"{sheet.file_stem}.csv", report_files.CSV_TYPE,
                          report_files.csv_bytes(sheet, language))  # fmt: skip
