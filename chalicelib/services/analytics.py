"""Supervisors' own questions: read-only SQL over the case-event archive.

The SQL is checked (domain/analytics.py `check_sql`: one SELECT, nothing that writes,
changes settings or reads files), then run by the engine the settings name (Athena in
AWS, DuckDB locally) within the limits the settings give. The DynamoDB table is never
read: the archive holds every case event as Parquet (docs/data-store.md).
"""

from __future__ import annotations

from ..domain.analytics import QueryLimits, QueryResult, check_sql
from ..observability import logger
from .ports import AnalyticsEngine


class AnalyticsService:
    def __init__(self, engine: AnalyticsEngine, limits: QueryLimits) -> None:
        self.engine = engine
        self.limits = limits

    def run(self, sql: str, who: str) -> QueryResult:
        """Run `sql` for the staff member `who` (logged with the bytes it scanned).

        Raises SqlRefused before any engine is asked, SqlInvalid, QueryTimedOut and
        QueryTooLarge from the engine (all 400)."""
        statement = check_sql(sql)
        result = self.engine.run(statement, self.limits)
        logger.info("analytics query", who=who, bytes_scanned=result.bytes_scanned,
                    seconds=round(result.seconds, 3), rows=len(result.rows),
                    truncated=result.truncated)  # fmt: skip
        return result
