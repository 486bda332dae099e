"""Athena: the AWS engine of the open data store (services/ports.py `AnalyticsEngine`).

A query runs in destek's workgroup (infra/template.yaml `AnalyticsWorkGroup`), which
fixes where results go, encrypts them and cancels any query past its
`BytesScannedCutoffPerQuery`; the database is the Glue database holding `events`. This
polls `GetQueryExecution` until the query ends or `limits.seconds` pass (then it stops the
query: `StopQueryExecution`), and reads at most `limits.max_rows` rows of the answer
(`GetQueryResults`, a page at a time). Athena answers every value as text; numbers and
booleans are turned back by the column's type.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ..domain.analytics import QueryLimits, QueryResult, QueryTimedOut, QueryTooLarge, SqlInvalid
from ..observability import logger

_INTEGERS = {"tinyint", "smallint", "integer", "int", "bigint"}
_FLOATS = {"double", "float", "real", "decimal"}
#: what Athena's StateChangeReason says when the workgroup's cutoff cancelled a query
_CUTOFF = "bytes scanned limit"


def _value(text: str | None, kind: str) -> Any:
    if text is None:
        return None
    if kind in _INTEGERS:
        return int(text)
    if kind in _FLOATS:
        return float(text)
    if kind == "boolean":
        return text == "true"
    return text


class AthenaEngine:
    """Runs SQL in `workgroup` against the Glue `database` (its default schema).

    `clock` and `sleep` are time.monotonic and time.sleep (tests pass their own)."""

    def __init__(
        self,
        client: Any,
        workgroup: str,
        database: str,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.workgroup = workgroup
        self.database = database
        self.clock = clock
        self.sleep = sleep

    def run(self, sql: str, limits: QueryLimits) -> QueryResult:
        started = self.clock()
        query_id = self.client.start_query_execution(
            QueryString=sql,
            WorkGroup=self.workgroup,
            QueryExecutionContext={"Database": self.database, "Catalog": "AwsDataCatalog"},
        )["QueryExecutionId"]
        execution = self._wait(query_id, started + limits.seconds)
        scanned = int(execution.get("Statistics", {}).get("DataScannedInBytes", 0))
        columns, rows, truncated = self._rows(query_id, limits.max_rows)
        return QueryResult(columns=columns, rows=rows, bytes_scanned=scanned,
                           seconds=self.clock() - started, truncated=truncated)  # fmt: skip

    def _wait(self, query_id: str, deadline: float) -> dict[str, Any]:
        pause = 0.2
        while True:
            execution = self.client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
            status = execution["Status"]
            state = status["State"]
            if state == "SUCCEEDED":
                return execution
            if state in ("FAILED", "CANCELLED"):
                reason = status.get("StateChangeReason", "")
                if _CUTOFF in reason.lower():
                    raise QueryTooLarge("the query scanned more bytes than its limit",
                                        details={"engine": reason})  # fmt: skip
                raise SqlInvalid("the query could not run", details={"engine": reason})
            if self.clock() >= deadline:
                self.client.stop_query_execution(QueryExecutionId=query_id)
                logger.warning("analytics query stopped at its time limit", query_id=query_id)
                raise QueryTimedOut("the query ran past its time limit and was stopped")
            self.sleep(pause)
            pause = min(pause * 2, 1.0)

    def _rows(self, query_id: str, max_rows: int) -> tuple[list[str], list[list[Any]], bool]:
        columns: list[str] = []
        kinds: list[str] = []
        rows: list[list[Any]] = []
        token: str | None = None
        header = True
        while True:
            args: dict[str, Any] = {"QueryExecutionId": query_id,
                                    "MaxResults": min(1000, max_rows + 2)}  # fmt: skip
            if token:
                args["NextToken"] = token
            page = self.client.get_query_results(**args)
            if not columns:
                info = page["ResultSet"]["ResultSetMetadata"]["ColumnInfo"]
                columns = [c["Name"] for c in info]
                kinds = [c["Type"].lower() for c in info]
            for row in page["ResultSet"]["Rows"]:
                if header:  # a SELECT's first row repeats the column names
                    header = False
                    continue
                if len(rows) == max_rows:
                    return columns, rows, True
                values = [d.get("VarCharValue") for d in row["Data"]]
                rows.append([_value(v, k) for v, k in zip(values, kinds, strict=False)])
            token = page.get("NextToken")
            if not token:
                return columns, rows, False
