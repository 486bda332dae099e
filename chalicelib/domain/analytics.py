"""The open data store: the archive's columns, an event as one row, and the SQL guard.

Every case event (domain/case_events.py) is archived as one row of the table `events`
(Parquet in S3, partitioned by `day`; docs/data-store.md): the envelope flattened, the
typed `data` fields questions ask about as columns of their own, and the whole `data` as
a JSON string for the rest. `COLUMNS` is that schema, once: the local archive writer
(devstack/event_archive.py) writes it, infra/template.yaml's Glue table declares it
(tests/infra checks they agree) and docs/data-store.md describes it.

Supervisors run their own SQL over it. `check_sql` lets through one read-only statement
(SELECT or WITH) and refuses everything that writes, changes settings, or reads files
other than the archive; the engines (Athena's workgroup, DuckDB's sandbox) add their own
fences, and each query has a time, a bytes-scanned and a row limit (`QueryLimits`).

Pure: no I/O, no engine.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from .errors import BadRequest
from .model import Model

#: the Hive/Glue type of each column, in order, with what it holds. Types are Glue's
#: (string, int, bigint, boolean, timestamp); DuckDB reads them as VARCHAR, INTEGER, ...
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("id", "string", "the event's id, `<subject id>.<sequence>.<index>`: unique per event"),
    ("type", "string", "the event type, `destek.case.opened`, ..."),
    ("schema_version", "int", "the event's schema version"),
    ("case_id", "string", "the case (null on a pre-case's own events)"),
    ("case_number", "string", "the case's number, `2026-000123`"),
    ("precase_id", "string", "the pre-case, on its own events and on precase.converted"),
    ("sequence", "bigint", "the subject's version after the change (orders its events)"),
    ("event_index", "int", "the event's place among those of one change, from 0"),
    ("occurred_at", "timestamp", "when the change happened, UTC"),
    ("actor_kind", "string", "staff, customer or system"),
    ("actor_id", "string", "the staff username, the customer id, or destek / an integration"),
    ("channel", "string", "opened, precase.*: phone, email, web, api, social, chat"),
    (
        "case_type",
        "string",
        "opened, precase.received, fields_changed (the new one): complaint, request, ...",
    ),
    (
        "priority",
        "string",
        "opened, routed, sla_*, escalated, fields_changed (the new one): low, normal, ...",
    ),
    ("category_id", "string", "opened, routed, fields_changed (the new one): the category"),
    ("customer_id", "string", "opened, precase.received: the customer"),
    ("group_id", "string", "routed, assigned, resolved: the group"),
    ("assignee", "string", "assigned, resolved, precase.assigned: the agent's username"),
    ("previous_group_id", "string", "assigned: the group before"),
    ("previous_assignee", "string", "assigned, precase.assigned: the agent before"),
    ("how", "string", "assigned: claimed, by_supervisor, automatic or released"),
    ("status_from", "string", "status_changed, resolved, reopened, closed, customer_replied"),
    ("status_to", "string", "status_changed, customer_replied: the status after"),
    ("reason_code", "string", "routed, status_changed, closed, precase.discarded: why"),
    ("rule_id", "string", "routed: the routing rule that matched"),
    ("sla_policy_id", "string", "routed, sla_*, escalated: the SLA policy"),
    ("target", "string", "sla_reminder, sla_breached, escalated: first_response or resolution"),
    ("level", "int", "escalated: the ladder's level reached (0 on reminders and breaches)"),
    ("first_response", "boolean", "agent_replied: the case's first response"),
    ("reopened_by", "string", "reopened: customer, staff or system"),
    ("to_pool", "boolean", "reopened: back to the group's pool"),
    ("product_id", "string", "opened: the catalog product the case is about"),
    ("product_group", "string", "opened: that product's group"),
    ("under_warranty", "boolean", "opened: the product was under warranty that day"),
    ("topic", "string", "precase.received: the routing rule its words matched"),
    ("mood", "string", "precase.received: negative, neutral or positive"),
    ("data", "string", "the event's whole `data` as JSON (json_extract_scalar for the rest)"),
)
#: the partition column: the UTC day (`2026-03-01`) the event reached the archive (in AWS
#: Firehose's arrival time; locally its `occurred_at` day: they differ only near midnight)
PARTITION = ("day", "string", "partition: the UTC day, `yyyy-MM-dd`; filter on it to prune")

#: event `data` fields copied to a column of another name
_RENAMED = {"by": "reopened_by"}
_ENVELOPE = {"id", "type", "schema_version", "case_id", "case_number", "precase_id",
             "sequence", "index", "occurred_at", "actor", "data"}  # fmt: skip


def event_row(event: dict[str, Any]) -> dict[str, Any]:
    """One archive row (every name in `COLUMNS`, plus `day`) from an event as published
    (`CaseEvent.model_dump(mode="json")`). `occurred_at` stays the ISO text the event
    has; the writer casts it to a timestamp."""
    data = event.get("data") or {}
    row: dict[str, Any] = {name: None for name, _, _ in COLUMNS}
    for key in ("id", "type", "schema_version", "case_id", "case_number", "precase_id",
                "sequence", "occurred_at"):  # fmt: skip
        row[key] = event.get(key)
    row["event_index"] = event.get("index")
    actor = event.get("actor") or {}
    row["actor_kind"], row["actor_id"] = actor.get("kind"), actor.get("id")
    for key, value in data.items():
        column = _RENAMED.get(key, key)
        if column in row and column not in _ENVELOPE and not isinstance(value, dict | list):
            row[column] = value
    row["data"] = json.dumps(data, ensure_ascii=False, sort_keys=True)
    row["day"] = str(event.get("occurred_at", ""))[:10]
    return row


# ---- limits and answers --------------------------------------------------------------------


class QueryLimits(Model):
    """What one query may use: `seconds` of wall time, `max_bytes` of data scanned (bytes,
    Athena's count; locally the Parquet bytes of the files the plan reads) and `max_rows`
    rows returned (more are cut, `truncated` says so)."""

    seconds: float = Field(gt=0)
    max_bytes: int = Field(gt=0)
    max_rows: int = Field(gt=0)


class QueryResult(Model):
    """A query's answer: `columns` names, `rows` of JSON values (timestamps as ISO text),
    `bytes_scanned` (bytes), `seconds` (wall time), `truncated` when rows were cut at the
    row limit."""

    columns: list[str]
    rows: list[list[Any]]
    bytes_scanned: int
    seconds: float
    truncated: bool = False


class SqlRefused(BadRequest):
    """The SQL is not one read-only statement over the archive (400)."""

    code = "sql_not_allowed"


class SqlInvalid(BadRequest):
    """The engine could not run the SQL: a syntax error, an unknown column (400)."""

    code = "sql_invalid"


class QueryTimedOut(BadRequest):
    """The query ran past its time limit and was stopped (400)."""

    code = "query_timeout"


class QueryTooLarge(BadRequest):
    """The query would scan (or scanned) more bytes than its limit (400)."""

    code = "query_too_large"


# ---- the guard -----------------------------------------------------------------------------

#: the longest SQL text taken, in UTF-8 bytes
MAX_SQL_BYTES = 20_000

#: words that write, change settings or reach outside the archive, anywhere in the text
_FORBIDDEN_WORDS = frozenset(
    [
        "insert",
        "update",
        "delete",
        "merge",
        "upsert",
        "create",
        "drop",
        "alter",
        "truncate",
        "rename",
        "comment",
        "copy",
        "attach",
        "detach",
        "install",
        "load",
        "pragma",
        "set",
        "reset",
        "call",
        "export",
        "import",
        "unload",
        "grant",
        "revoke",
        "vacuum",
        "checkpoint",
        "analyze",
        "use",
        "execute",
        "prepare",
        "deallocate",
        "msck",
        "refresh",
        "show",
        "describe",
        "explain",
        "summarize",
        "begin",
        "commit",
        "rollback",
        "transaction",
        "secret",
    ]  # noqa: SIM905
)
#: table functions and functions that read files, settings or the catalog
_FORBIDDEN_CALLS = frozenset(
    [
        "glob",
        "query",
        "query_table",
        "getenv",
        "sniff_csv",
        "current_setting",
        "system",
        "iceberg_scan",
        "delta_scan",
        "parquet_metadata",
        "parquet_schema",
        "parquet_file_metadata",
        "parquet_kv_metadata",
        "which_secret",
        "read_blob",
        "read_text",
    ]  # noqa: SIM905
)
_FORBIDDEN_CALL_PREFIXES = ("read_", "duckdb_", "pragma_", "sqlite_", "postgres_", "mysql_")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<line_comment>--[^\n]*)
  | (?P<block_comment>/\*.*?\*/)
  | (?P<string>'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*")
  | (?P<unclosed>['"]|/\*)
  | (?P<dollar>\$)
  | (?P<word>[A-Za-z_][A-Za-z0-9_$]*)
  | (?P<semicolon>;)
  | (?P<open>\()
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str


def _tokens(sql: str) -> list[_Token]:
    found: list[_Token] = []
    position = 0
    while position < len(sql):
        match = _TOKEN.match(sql, position)
        if match is None or match.end() == position:  # an unclosed quote or comment
            raise SqlRefused("an unclosed quote or comment", details={"at": position})
        kind = match.lastgroup or "other"
        if kind == "unclosed":
            raise SqlRefused("an unclosed quote or comment", details={"at": position})
        if kind not in ("space", "line_comment", "block_comment"):
            found.append(_Token(kind, match.group()))
        position = match.end()
    return found


def check_sql(sql: str) -> str:
    """The statement to run, without a trailing `;`, if `sql` is one read-only query:
    it starts with SELECT or WITH, holds no second statement, no word that writes or
    changes settings (`_FORBIDDEN_WORDS`), calls no function that reads files, settings
    or the catalog (`_FORBIDDEN_CALLS`, `read_*`, `duckdb_*`, ...), and names no file
    (`FROM 'x.parquet'`). Words inside quotes and comments do not count.

    Raises SqlRefused (400, `sql_not_allowed`) with `details.reason`: empty, too_long,
    not_a_query, several_statements, forbidden_word, forbidden_function, file_reference,
    unclosed. A syntax error is the engine's to find (SqlInvalid)."""
    if len(sql.encode()) > MAX_SQL_BYTES:
        raise SqlRefused(f"the SQL is over {MAX_SQL_BYTES} bytes",
                         details={"reason": "too_long", "max_bytes": MAX_SQL_BYTES})  # fmt: skip
    try:
        tokens = _tokens(sql)
    except SqlRefused as refused:
        raise SqlRefused(refused.message, details={"reason": "unclosed"}) from None
    while tokens and tokens[-1].kind == "semicolon":
        tokens.pop()
    if not tokens:
        raise SqlRefused("no SQL given", details={"reason": "empty"})
    if any(t.kind == "semicolon" for t in tokens):
        raise SqlRefused("one statement at a time", details={"reason": "several_statements"})
    first = next((t for t in tokens if t.kind != "open"), None)
    if first is None or first.kind != "word" or first.text.lower() not in ("select", "with"):
        raise SqlRefused("only a SELECT (or WITH ... SELECT) query may run",
                         details={"reason": "not_a_query"})  # fmt: skip
    for at, token in enumerate(tokens):
        before = tokens[at - 1] if at else None
        after = tokens[at + 1] if at + 1 < len(tokens) else None
        if token.kind == "dollar":
            raise SqlRefused("dollar-quoted text is not taken", details={"reason": "not_a_query"})
        if token.kind != "word":
            if token.kind == "string" and before and before.text.lower() in ("from", "join"):
                raise SqlRefused("a query reads the archive's tables, not files",
                                 details={"reason": "file_reference"})  # fmt: skip
            continue
        word = token.text.lower()
        if word in _FORBIDDEN_WORDS:
            raise SqlRefused(f"{token.text!r} is not allowed in a read-only query",
                             details={"reason": "forbidden_word", "word": word})  # fmt: skip
        is_call = after is not None and after.kind == "open"
        if is_call and (word in _FORBIDDEN_CALLS or word.startswith(_FORBIDDEN_CALL_PREFIXES)
                        or word.endswith("_scan")):  # fmt: skip
            details = {"reason": "forbidden_function", "function": word}
            raise SqlRefused(f"the function {token.text!r} is not allowed", details=details)
    return _without_trailing_semicolons(sql)


def _without_trailing_semicolons(sql: str) -> str:
    text = sql.strip()
    while text.endswith(";"):
        text = text[:-1].rstrip()
    return text
