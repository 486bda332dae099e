"""The weekly summary a supervisor gets every Monday: last week against the week before.

Pure: which weeks (`weeks_before`), and the figures read out of the standard reports'
tables (`figures_of`). The service (services/weekly_summary.py) asks the reports, renders
`templates/messages/<language>/weekly_summary*.j2` and sends one email per supervisor
and week.

A week is Monday to Sunday on Istanbul's calendar, named by its ISO week (`2026-W48`).
The figures, each for last week and the week before:

- **opened**: cases opened in the week (`volume` report's total);
- **SLA compliance**: the share of targets met of those that came due in the week (`sla`
  report's total share), or none when nothing came due;
- **backlog**: cases still open at the end of the week's Sunday (`backlog` report by day,
  its last day's row);
- **top topics**: the `TOP_TOPICS` topics with the most cases last week (`topics` report
  by topic), each with its count the week before.

Which column of a report holds a figure: the first of `PREFERRED` keys the table has,
else its first column of the figure's kind (the first count, or the first share), so the
summary reads any table that keeps to `report_table.ColumnKind`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .clock import ISTANBUL
from .report_table import ColumnKind, ReportTable, Value

#: topics shown, most cases first
TOP_TOPICS = 5
#: the column that holds each figure (services/reports.py COLUMNS; else the kind's first)
PREFERRED: dict[str, tuple[str, ...]] = {
    "opened": ("opened",),
    "sla": ("sla_share",),
    "backlog": ("backlog",),
    "topic": ("complaints",),
}


@dataclass(frozen=True)
class Weeks:
    """Last week (`start` Monday to `end` Sunday) and the week before it."""

    start: date
    end: date
    previous_start: date
    previous_end: date

    @property
    def code(self) -> str:
        """Last week's ISO name, `2026-W48`: what a summary is sent once for."""
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"


def weeks_before(now: datetime) -> Weeks:
    """The whole week before the one `now` falls in (on Istanbul's calendar), and the one
    before that."""
    today = now.astimezone(ISTANBUL).date()
    this_monday = today - timedelta(days=today.weekday())
    start = this_monday - timedelta(days=7)
    return Weeks(start, start + timedelta(days=6), start - timedelta(days=7),
                 start - timedelta(days=1))  # fmt: skip


def column_for(table: ReportTable, figure: str, kind: ColumnKind) -> str | None:
    """The key of the column holding `figure` (see the module's text), or None."""
    keys = [c.key for c in table.columns]
    for key in PREFERRED[figure]:
        if key in keys:
            return key
    return next((c.key for c in table.columns if c.kind is kind), None)


def total_of(table: ReportTable, figure: str, kind: ColumnKind) -> Value:
    """A figure of a report by no dimension: its totals, else its one row."""
    key = column_for(table, figure, kind)
    if key is None:
        return None
    if key in table.totals:
        return table.totals[key]
    return table.rows[0].get(key) if table.rows else None


def on_day(table: ReportTable, day: date, figure: str, kind: ColumnKind) -> Value:
    """A figure of a report by day, on `day` (None when the day has no row)."""
    key = column_for(table, figure, kind)
    for row in table.rows:
        if key is not None and str(row.get("day")) == day.isoformat():
            return row.get(key)
    return None


@dataclass(frozen=True)
class TopicLine:
    """A topic's code (a routing rule's id, or `other`), its cases last week and before."""

    topic: str
    count: int
    previous: int


@dataclass(frozen=True)
class Figures:
    """The summary's numbers (module text); None where nothing was counted."""

    weeks: Weeks
    opened: int | None
    opened_before: int | None
    sla_share: float | None
    sla_share_before: float | None
    backlog: int | None
    backlog_before: int | None
    topics: list[TopicLine] = field(default_factory=list)


def _int(value: Value) -> int | None:
    return None if value is None else int(value)


def _float(value: Value) -> float | None:
    return None if value is None else float(value)


def topic_counts(table: ReportTable) -> dict[str, int]:
    """`{topic code: cases}` of a topics report by topic."""
    key = column_for(table, "topic", ColumnKind.COUNT)
    if key is None:
        return {}
    return {str(row.get("topic")): int(row.get(key) or 0) for row in table.rows
            if row.get("topic") is not None}  # fmt: skip


def figures_of(
    weeks: Weeks,
    volume: tuple[ReportTable, ReportTable],
    sla: tuple[ReportTable, ReportTable],
    backlog_by_day: ReportTable,
    topics: tuple[ReportTable, ReportTable],
) -> Figures:
    """The figures from the reports (each pair: last week's, the week before's; the backlog
    by day over both weeks)."""
    now_topics, before_topics = topic_counts(topics[0]), topic_counts(topics[1])
    ranked = sorted(now_topics.items(), key=lambda item: (-item[1], item[0]))[:TOP_TOPICS]
    return Figures(
        weeks=weeks,
        opened=_int(total_of(volume[0], "opened", ColumnKind.COUNT)),
        opened_before=_int(total_of(volume[1], "opened", ColumnKind.COUNT)),
        sla_share=_float(total_of(sla[0], "sla", ColumnKind.SHARE)),
        sla_share_before=_float(total_of(sla[1], "sla", ColumnKind.SHARE)),
        backlog=_int(on_day(backlog_by_day, weeks.end, "backlog", ColumnKind.COUNT)),
        backlog_before=_int(
            on_day(backlog_by_day, weeks.previous_end, "backlog", ColumnKind.COUNT)
        ),  # fmt: skip
        topics=[
            TopicLine(code, count, before_topics.get(code, 0))
            for code, count in ranked
            if count > 0
        ],  # fmt: skip
    )


def change(now: float | None, before: float | None) -> float | None:
    """`now - before`, or None when either is unknown."""
    return None if now is None or before is None else now - before
