"""A report's table as a person reads it in a file: words for the headers, names for the
codes, numbers in the unit the header says. What the CSV and XLSX downloads
(messaging/report_files.py) and the weekly summary email are made from.

`sheet_of(table, words, name_of)` turns a `ReportTable` (domain/report_table.py) into a
`Sheet`:

- **headers** are the column's words, `report_col_<key>` in the console's strings of the
  reader's language (templates/console/strings/{tr,en}.json); a dimension column without
  one takes the dimension's own words, `report_dim_<code>`. A column with no words at all
  keeps its key (a code, never an English word made up here). Shares say their unit
  (`report_unit_percent`), minutes theirs (`report_unit_minutes`);
- **dimension** cells hold names where the vocabulary has them: a type, channel, priority
  or customer category by the console's words (`type_<code>`, `channel_<code>`...), a group,
  agent, category, product, product group or topic by the `name_of` the caller passes (read
  from the directory and the catalog), a day as a `date`; a code nobody names stays a code,
  and "none" (null) is `report_none`;
- **share** cells hold the fraction (0.875; the CSV writes it as 87.5, the XLSX formats it
  as a percentage); **minutes** a float of minutes rounded to 0.1; **count** an int;
  **number** a float rounded to 0.01; **text** and **link** their text;
- the **totals** row is the table's `totals`, its first dimension column saying
  `report_total` (the other dimension columns empty); a report by no dimension has its
  totals as its one row.

Pure: no I/O. The words are a plain dict (the strings file of one language).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .report_table import ColumnKind, Dimension, ReportTable, Value

#: `name_of(dimension, code)`: the name of a group, agent, category, product... or None
NameOf = Callable[[Dimension, str], str | None]

#: dimensions whose codes are the console's own vocabulary: `<prefix><code>`
WORD_PREFIX: dict[Dimension, str] = {
    Dimension.TYPE: "type_",
    Dimension.CHANNEL: "channel_",
    Dimension.PRIORITY: "priority_",
    Dimension.CUSTOMER_CATEGORY: "customer_category_",
}
#: the unit word a column's header carries, by kind
UNIT_WORD: dict[ColumnKind, str] = {
    ColumnKind.SHARE: "report_unit_percent",
    ColumnKind.MINUTES: "report_unit_minutes",
}
#: what a topic outside every routing rule is called (domain/topics.py OTHER)
OTHER_TOPIC = "other"

Cell = str | int | float | date | None


@dataclass(frozen=True)
class Sheet:
    """One report as rows of cells. `kinds[i]` says how column i is shown; `dimensions` is
    how many leading columns are dimensions (frozen beside the figures in the XLSX). A
    report by no dimension has its totals as its one row and no totals row."""

    title: str
    headers: list[str]
    kinds: list[ColumnKind]
    rows: list[list[Cell]] = field(default_factory=list)
    totals: list[Cell] | None = None
    dimensions: int = 0
    #: file name without its extension: `<report>_<start>_<end>`, ASCII
    file_stem: str = "report"


def word(words: Mapping[str, str], key: str, fallback: str | None = None) -> str:
    """The word `key`, else `fallback`, else the key itself (a code, never invented text)."""
    found = words.get(key)
    if isinstance(found, str) and found:
        return found
    return fallback if fallback is not None else key


def header_of(key: str, kind: ColumnKind, words: Mapping[str, str]) -> str:
    """A column's header: its words, and its unit in parentheses for shares and minutes."""
    text = words.get(f"report_col_{key}") or words.get(f"report_dim_{key}") or key
    unit = UNIT_WORD.get(kind)
    return f"{text} ({word(words, unit)})" if unit else text


def dimension_cell(key: str, code: Value, words: Mapping[str, str], name_of: NameOf) -> Cell:
    """A dimension's code as a reader names it (see the module's text)."""
    if code is None or code == "":
        return word(words, "report_none")
    text = str(code)
    try:
        dimension = Dimension(key)
    except ValueError:
        return text
    if dimension is Dimension.DAY:
        try:
            return date.fromisoformat(text)
        except ValueError:
            return text
    prefix = WORD_PREFIX.get(dimension)
    if prefix is not None:
        return word(words, prefix + text, text)
    if dimension is Dimension.TOPIC and text == OTHER_TOPIC:
        return word(words, "report_topic_other", text)
    return name_of(dimension, text) or text


def figure_cell(kind: ColumnKind, value: Value) -> Cell:
    """A figure in its column's unit; None stays None (nothing was counted)."""
    if value is None:
        return None
    if kind is ColumnKind.COUNT:
        return int(value)
    if kind is ColumnKind.SHARE:
        return round(float(value), 6)
    if kind is ColumnKind.MINUTES:
        return round(float(value), 1)
    if kind is ColumnKind.NUMBER:
        return round(float(value), 2)
    return str(value)


def sheet_of(table: ReportTable, words: Mapping[str, str], name_of: NameOf) -> Sheet:
    """The table as a `Sheet` in the language of `words`; `name_of` names the codes of
    groups, agents, categories, products, product groups and topics."""
    columns = table.columns
    leading = next((i for i, c in enumerate(columns) if c.kind is not ColumnKind.DIMENSION),
                   len(columns))  # fmt: skip
    has_dimensions = any(c.kind is ColumnKind.DIMENSION for c in columns)
    names: dict[tuple[str, str], Cell] = {}

    def cell(column: Any, row: Mapping[str, Value]) -> Cell:
        value = row.get(column.key)
        if column.kind is ColumnKind.DIMENSION:
            remembered = (column.key, str(value))
            if remembered not in names:
                names[remembered] = dimension_cell(column.key, value, words, name_of)
            return names[remembered]
        return figure_cell(column.kind, value)

    rows = [[cell(c, row) for c in columns] for row in table.rows]
    totals: list[Cell] | None = None
    if table.totals and has_dimensions:
        totals = [
            None if c.kind is ColumnKind.DIMENSION else figure_cell(c.kind, table.totals.get(c.key))
            for c in columns
        ]
        first = next(i for i, c in enumerate(columns) if c.kind is ColumnKind.DIMENSION)
        totals[first] = word(words, "report_total")
    elif table.totals and not rows:
        # a report by no dimension: its totals are its one row
        rows = [[figure_cell(c.kind, table.totals.get(c.key)) for c in columns]]
    return Sheet(
        title=word(words, f"report_{table.report.value}", table.report.value),
        headers=[header_of(c.key, c.kind, words) for c in columns],
        kinds=[c.kind for c in columns],
        rows=rows,
        totals=totals,
        dimensions=leading,
        file_stem=f"{table.report.value}_{table.start.isoformat()}_{table.end.isoformat()}",
    )
