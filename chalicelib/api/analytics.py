"""The open data store: supervisors' read-only SQL over the case-event archive."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from chalice import Blueprint
from pydantic import Field

from .. import wiring
from ..domain.analytics import MAX_SQL_BYTES
from ..domain.permissions import Action, Resource
from ..services.case_commands import Strict
from .endpoint import endpoint

if TYPE_CHECKING:
    from ..domain.caller import Caller

bp = Blueprint(__name__)


class SqlQuery(Strict):
    #: one SELECT (or WITH ... SELECT) over the table `events` (docs/data-store.md)
    sql: Annotated[str, Field(min_length=1, max_length=MAX_SQL_BYTES)]


@endpoint(
    bp, "/analytics/sql", "POST",
    permission=(Resource.ANALYTICS, Action.READ), body=SqlQuery,
    response="chalicelib.domain.analytics:QueryResult",
)  # fmt: skip
def run_sql(caller: Caller, body: SqlQuery):
    """Run one read-only SQL query over the case-event archive (Athena; DuckDB locally),
    within its time, bytes-scanned and row limits; never reads the cases' table."""
    return wiring.analytics_service().run(body.sql, caller.principal.username)
