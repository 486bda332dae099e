"""The case-event archive as the reports' rebuild reads it (services/report_projection.py
`ReportRebuild`): pages of one UTC day's case events, and the archive's first day, asked
through the open data store's engine (services/ports.py `AnalyticsEngine`: Athena in AWS,
DuckDB locally), within the query limits given. The SQL and the rows' shape are
domain/archive_replay.py's. Never reads the DynamoDB table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from ..domain.analytics import QueryLimits
from ..domain.archive_replay import (
    FIRST_DAY_SQL,
    ArchiveCursor,
    next_cursor,
    next_day_sql,
    page_events,
    page_sql,
)
from ..observability import logger
from .ports import AnalyticsEngine


class ArchiveReader:
    """`engine`: the engine itself or a function that makes it (built on first use, so a
    step of a rebuild over the log alone never builds one); `limits`: each query's seconds
    and bytes (its rows are the page)."""

    def __init__(self, engine: AnalyticsEngine | Callable[[], AnalyticsEngine],
                 limits: QueryLimits) -> None:  # fmt: skip
        self._engine = engine
        self.limits = limits

    @property
    def engine(self) -> AnalyticsEngine:
        if not hasattr(self._engine, "run"):
            self._engine = self._engine()  # type: ignore[operator]
        return self._engine  # type: ignore[return-value]

    def page(self, day: date, after: ArchiveCursor | None, limit: int
             ) -> tuple[list[dict[str, Any]], ArchiveCursor | None]:  # fmt: skip
        """One page of the case events that occurred on UTC `day`, after `after`: the
        events (as published) and the cursor of the next page (None: the day is read).
        Raises the engine's QueryTimedOut / QueryTooLarge past the limits."""
        limits = self.limits.model_copy(update={"max_rows": limit})
        result = self.engine.run(page_sql(day, after, limit), limits)
        logger.info("report rebuild read the archive", day=day.isoformat(),
                    rows=len(result.rows), bytes_scanned=result.bytes_scanned,
                    seconds=round(result.seconds, 3))  # fmt: skip
        return (page_events(result.columns, result.rows),
                next_cursor(result.columns, result.rows, limit))  # fmt: skip

    def first_day(self) -> date | None:
        """The archive's first `day` partition (UTC), or None when it holds nothing."""
        return self._day(FIRST_DAY_SQL)

    def next_day(self, day: date, before: date) -> date | None:
        """The first day after `day` whose events may have occurred after it and before
        `before`: the partition after `day` holding any, less one (in AWS an event is in its
        arrival day's partition, at most a day late), not before `day` + 1; None: none."""
        found = self._day(next_day_sql(day, before + timedelta(days=1)))
        if found is None:
            return None
        return max(day + timedelta(days=1), found - timedelta(days=1))

    def _day(self, sql: str) -> date | None:
        result = self.engine.run(sql, self.limits.model_copy(update={"max_rows": 1}))
        value = result.rows[0][0] if result.rows and result.rows[0] else None
        return date.fromisoformat(str(value)[:10]) if value else None
