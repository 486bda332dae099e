"""Reading the case events back out of the open data store's archive, a page at a time, for
the reports' rebuild (services/report_projection.py `ReportRebuild`) over days older than
the table's event log.

A page is one SQL query over the table `events` (domain/analytics.py `COLUMNS`; the same
text for Athena and DuckDB): one UTC day's case events by their `occurred_at`, ordered by
case, `sequence`, `event_index` (and `id`), after a keyset cursor (`ArchiveCursor`: the last
row's case, sequence and index), at most `limit` rows. Ordering by case then sequence gives
each case its events in their own order whatever their clocks said; the keyset makes a page
read again the same page (the archive's old days do not change), and a repeated row (a
Firehose retry writes an event twice) is dropped by `id`.

`day` (the partition) is the day an event reached the archive: in AWS Firehose's arrival
(its buffer: up to 15 minutes; its retries: up to a day), locally the `occurred_at` day. A
page of occurred day D so reads partitions D and D + 1 and filters on `occurred_at`.

Pure: text in, text and dicts out.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .clock import to_iso

#: the columns a page reads, in order: the envelope and the whole `data`
PAGE_COLUMNS = ("id", "type", "schema_version", "case_id", "case_number", "sequence",
                "event_index", "occurred_at", "actor_kind", "actor_id", "data")  # fmt: skip
#: a page's cursor: the last row's case id, sequence and event index
ArchiveCursor = list[Any]


def _text(value: str) -> str:
    """A SQL string literal (quotes doubled)."""
    return "'" + str(value).replace("'", "''") + "'"


def page_sql(day: date, after: ArchiveCursor | None, limit: int) -> str:
    """The query of one page: the case events that occurred on UTC `day`, after `after`
    (None: from the day's first), in (case, sequence, index, id) order, at most `limit`."""
    following = day + timedelta(days=1)
    where = [
        f"day >= {_text(day.isoformat())}",
        f"day <= {_text(following.isoformat())}",
        f"occurred_at >= TIMESTAMP {_text(day.isoformat() + ' 00:00:00')}",
        f"occurred_at < TIMESTAMP {_text(following.isoformat() + ' 00:00:00')}",
        "type LIKE 'destek.case.%'",
        "case_id IS NOT NULL",
    ]
    if after:
        case_id, sequence, index = str(after[0]), int(after[1]), int(after[2])
        where.append(
            f"(case_id > {_text(case_id)} OR (case_id = {_text(case_id)} AND "
            f"(sequence > {sequence} OR (sequence = {sequence} AND event_index > {index}))))"
        )
    return (f"SELECT {', '.join(PAGE_COLUMNS)} FROM events WHERE {' AND '.join(where)} "
            f"ORDER BY case_id, sequence, event_index, id LIMIT {int(limit)}")  # fmt: skip


FIRST_DAY_SQL = "SELECT min(day) AS first_day FROM events"


def next_day_sql(day: date, before: date) -> str:
    """The first `day` partition after `day` and before `before` (a day with events, to
    skip an empty stretch in one query)."""
    return (f"SELECT min(day) AS next_day FROM events WHERE day > {_text(day.isoformat())} "
            f"AND day < {_text(before.isoformat())}")  # fmt: skip


def _occurred_at(value: Any) -> str:
    """The archive's timestamp (DuckDB: ISO text without a zone, Athena: `2026-03-01
    09:30:00.000`) as the events' own fixed-width UTC text."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(
        str(value).replace("Z", "+00:00"))  # fmt: skip
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_iso(moment)


def page_events(columns: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    """The rows of a page as events shaped as published (the envelope, `actor`, `data`),
    each `id` once, in the page's order."""
    seen: set[str] = set()
    events = []
    for values in rows:
        row = dict(zip(columns, values, strict=False))
        if row["id"] in seen:
            continue
        seen.add(row["id"])
        data = row.get("data")
        events.append({
            "id": row["id"], "type": row["type"],
            "schema_version": int(row.get("schema_version") or 1),
            "case_id": row["case_id"], "case_number": row.get("case_number"),
            "sequence": int(row["sequence"]), "index": int(row["event_index"]),
            "occurred_at": _occurred_at(row["occurred_at"]),
            "actor": {"kind": row.get("actor_kind"), "id": row.get("actor_id")},
            "data": json.loads(data) if isinstance(data, str) and data else (data or {}),
        })  # fmt: skip
    return events


def next_cursor(columns: list[str], rows: list[list[Any]], limit: int) -> ArchiveCursor | None:
    """The cursor after a page: its last row's key when the page was full (more may follow
    on the same day), else None (the day is read)."""
    if len(rows) < limit or not rows:
        return None
    last = dict(zip(columns, rows[-1], strict=False))
    return [last["case_id"], int(last["sequence"]), int(last["event_index"])]
