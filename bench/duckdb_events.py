"""DuckDB over one million case events on this machine, and the archive's cost in AWS.

`python -m bench.duckdb_events` (also part of `make bench`; `BENCH_DUCKDB=0` leaves it out;
`BENCH_DUCKDB_EVENTS=200000` picks another count) generates the events with DuckDB itself,
straight to Parquet laid out as the archive bucket (`events/day=<day>/...`, 365 days,
Snappy), then times typical questions through the local engine (devstack/event_archive.py
`DuckDbEngine`: the guard's sandbox, the `events` view that keeps one row per id, the
limits), each the median of 3 runs after a warm-up.

The cost figures use sizes measured here: a real event's JSON as Firehose receives it
(the rule's flattened record, `event_row`) and the Parquet bytes an event takes, with AWS's
list prices (us-east-1, 2026): Firehose Direct PUT $0.029 per GB ingested, each record
rounded up to 5 KB; format conversion $0.018 per GB; S3 Standard $0.023 per GB-month;
Athena $5 per TB scanned, at least 10 MB a query. EventBridge bills the events published
to the bus (paid already, for the webhooks); a rule's delivery to Firehose costs nothing.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

EVENTS = int(os.environ.get("BENCH_DUCKDB_EVENTS", "1000000"))
#: events a case makes in its life, in the test month of the webhooks bench: opened,
#: routed, assigned, agent_replied (2), status_changed (3), resolved, closed
EVENTS_PER_CASE = 10
FIREHOSE_PER_GB = 0.029
FIREHOSE_RECORD_ROUNDING = 5 * 1024
CONVERSION_PER_GB = 0.018
S3_PER_GB_MONTH = 0.023
ATHENA_PER_TB = 5.0
ATHENA_MINIMUM_BYTES = 10 * 1024 * 1024

QUESTIONS = {
    "count by type (everything)": "SELECT type, count(*) FROM events GROUP BY type",
    "opened per channel, one month (pruned by day)": (
        "SELECT channel, count(*) FROM events WHERE type = 'destek.case.opened' "
        "AND day BETWEEN '2026-03-01' AND '2026-03-31' GROUP BY channel"
    ),
    "reopened complaints by product, one quarter (join)": (
        "WITH c AS (SELECT case_id, max(product_id) AS product_id FROM events "
        "WHERE type = 'destek.case.opened' AND case_type = 'complaint' GROUP BY case_id) "
        "SELECT c.product_id, count(DISTINCT r.case_id) AS n FROM events r "
        "JOIN c ON c.case_id = r.case_id WHERE r.type = 'destek.case.reopened' "
        "AND r.day BETWEEN '2026-01-01' AND '2026-03-31' GROUP BY 1 ORDER BY n DESC LIMIT 20"
    ),
    "resolved per agent and week (a year)": (
        "SELECT assignee, date_trunc('week', occurred_at) AS week, count(*) FROM events "
        "WHERE type = 'destek.case.resolved' GROUP BY ALL ORDER BY week LIMIT 1000"
    ),
}


@dataclass
class DuckFigures:
    events: int
    files: int
    parquet_bytes: int
    generate_seconds: float
    #: question -> (median seconds, bytes scanned)
    questions: dict[str, tuple[float, int]] = field(default_factory=dict)
    json_bytes_per_event: float = 0.0


def generate(folder: Path, events: int) -> float:
    """`events` synthetic events (cases of 10 events each over 365 days) as Parquet files
    partitioned by day under `folder/events/`; seconds taken."""
    import duckdb

    from devstack.event_archive import duck_schema

    started = time.perf_counter()
    con = duckdb.connect()
    kinds = ["opened", "routed", "assigned", "agent_replied", "status_changed",
             "agent_replied", "status_changed", "resolved", "status_changed", "closed"]  # fmt: skip
    kinds_sql = "[" + ", ".join(f"'destek.case.{k}'" for k in kinds) + "]"
    con.execute(f"CREATE TABLE shape ({duck_schema()})")
    columns = [row[0] for row in con.execute("DESCRIBE shape").fetchall()]
    values = {
        "id": "'c' || (i // 10) || '.' || (i % 10 + 1) || '.0'",
        "type": f"{kinds_sql}[i % 10 + 1]",
        "schema_version": "1",
        "case_id": "'c' || (i // 10)",
        "case_number": "'2026-' || lpad(((i // 10) % 1000000)::VARCHAR, 6, '0')",
        "sequence": "i % 10 + 1",
        "event_index": "0",
        "occurred_at": "TIMESTAMP '2026-01-01' + to_seconds((i // 10) * 31536000 // "
        f"{max(events // 10, 1)} + (i % 10) * 3600)",
        "actor_kind": "CASE WHEN i % 10 IN (0, 1) THEN 'system' ELSE 'staff' END",
        "actor_id": "'agent' || ((i // 10) % 40)",
        "channel": "CASE WHEN i % 10 = 0 "
        "THEN (['phone', 'web', 'email', 'api'])[(i // 10) % 4 + 1] END",
        "case_type": "CASE WHEN i % 10 = 0 "
        "THEN (['complaint', 'request', 'question'])[(i // 10) % 3 + 1] END",
        "priority": "CASE WHEN i % 10 < 2 THEN 'normal' END",
        "category_id": "CASE WHEN i % 10 < 2 THEN 'cat' || ((i // 10) % 25) END",
        "customer_id": "CASE WHEN i % 10 = 0 THEN 'k' || ((i // 10) % 50000) END",
        "group_id": "CASE WHEN i % 10 IN (1, 2, 7) THEN 'g' || ((i // 10) % 5) END",
        "assignee": "CASE WHEN i % 10 IN (2, 7) THEN 'agent' || ((i // 10) % 40) END",
        "status_from": "CASE WHEN i % 10 IN (4, 6, 7, 8, 9) THEN 'in_progress' END",
        "status_to": "CASE WHEN i % 10 IN (4, 6, 8) THEN 'waiting_customer' END",
        "product_id": "CASE WHEN i % 10 = 0 THEN 'p' || ((i // 10) % 300) END",
        "product_group": "CASE WHEN i % 10 = 0 THEN 'grp' || ((i // 10) % 12) END",
        "under_warranty": "CASE WHEN i % 10 = 0 THEN (i // 10) % 4 <> 0 END",
        "data": "'{}'",
    }
    # every 7th case is reopened once: its status_changed at 8 becomes a reopened event
    values["type"] = (f"CASE WHEN i % 10 = 8 AND (i // 10) % 7 = 0 THEN 'destek.case.reopened' "
                      f"ELSE {kinds_sql}[i % 10 + 1] END")  # fmt: skip
    select = ", ".join(f'{values.get(c, "NULL")} AS "{c}"' for c in columns if c != "day")
    target = (folder / "events").as_posix()
    con.execute(
        f"COPY (SELECT *, strftime(occurred_at, '%Y-%m-%d') AS day FROM "
        f"(SELECT {select} FROM range({events}) t(i))) TO '{target}' "
        "(FORMAT parquet, COMPRESSION snappy, PARTITION_BY (day), FILENAME_PATTERN 'bench-{i}')"
    )
    con.close()
    return time.perf_counter() - started


def json_bytes_per_event() -> float:
    """A real event's flattened record, as the rule hands it to Firehose (bytes, mean of a
    case's life in the unit tests' shape)."""
    from chalicelib.domain.analytics import event_row

    at = datetime(2026, 3, 1, 9, tzinfo=UTC)
    base = {"schema_version": 1, "case_id": "c01M8RFYZP2DR4Y1TJ7FCWBZ33C",
            "case_number": "2026-000123", "precase_id": None,
            "actor": {"kind": "staff", "id": "mehmet"}}  # fmt: skip
    datas = [
        ("opened", {"channel": "phone", "case_type": "complaint", "priority": "normal",
                    "category_id": "kargo", "customer_id": "k01M8RFYZP2DR4Y1TJ7FCWBZ33C",
                    "requested_group_id": None, "precase_id": None,
                    "product_id": "p-vestel-venus-v7", "product_group": "telefon",
                    "under_warranty": True}),
        ("routed", {"group_id": "teslimat", "priority": "normal", "category_id": "kargo",
                    "reason_code": "rule_matched", "rule_id": "r01M8RFYZ", "sla_policy_id": "s1"}),
        ("assigned", {"group_id": "teslimat", "assignee": "ayse", "previous_group_id": None,
                      "previous_assignee": None, "how": "claimed"}),
        ("agent_replied", {"first_response": True}),
        ("status_changed", {"status_from": "in_progress", "status_to": "resolved",
                            "reason_code": None}),
        ("resolved", {"status_from": "in_progress", "assignee": "ayse", "group_id": "teslimat"}),
        ("closed", {"status_from": "resolved", "reason_code": "auto_closed"}),
    ]  # fmt: skip
    sizes = []
    for n, (kind, data) in enumerate(datas, 1):
        event = {**base, "id": f"{base['case_id']}.{n}.0", "type": f"destek.case.{kind}",
                 "sequence": n, "index": 0,
                 "occurred_at": (at + timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                 "data": data}  # fmt: skip
        row = event_row(event)
        row.pop("day")
        sizes.append(len(json.dumps(row).encode()))
    return statistics.mean(sizes)


def measure(events: int = EVENTS) -> DuckFigures:
    from chalicelib.domain.analytics import QueryLimits, check_sql
    from devstack.event_archive import DuckDbEngine

    with tempfile.TemporaryDirectory(prefix="destek-bench-duck-") as folder:
        root = Path(folder)
        seconds = generate(root, events)
        files = sorted((root / "events").glob("day=*/*.parquet"))
        engine = DuckDbEngine(None, "", root)
        limits = QueryLimits(seconds=120, max_bytes=10**12, max_rows=1000)
        figures = DuckFigures(events, len(files), sum(f.stat().st_size for f in files), seconds,
                              json_bytes_per_event=json_bytes_per_event())  # fmt: skip
        for name, sql in QUESTIONS.items():
            statement = check_sql(sql)
            engine.run(statement, limits)  # warm: the OS's file cache, DuckDB's metadata
            runs = [engine.run(statement, limits) for _ in range(3)]
            figures.questions[name] = (statistics.median(r.seconds for r in runs),
                                       runs[0].bytes_scanned)  # fmt: skip
        return figures


def cost_lines(figures: DuckFigures) -> list[str]:
    """The pipeline's cost per 1,000 cases in AWS, from the measured sizes."""
    events = 1000 * EVENTS_PER_CASE
    billed_gb = events * max(figures.json_bytes_per_event, FIREHOSE_RECORD_ROUNDING) / 1024**3
    firehose = billed_gb * (FIREHOSE_PER_GB + CONVERSION_PER_GB)
    parquet_per_event = figures.parquet_bytes / figures.events
    stored_gb = events * parquet_per_event / 1024**3
    storage_year = stored_gb * S3_PER_GB_MONTH * 12
    scan = max(stored_gb * 1024**3, ATHENA_MINIMUM_BYTES) / 1024**4 * ATHENA_PER_TB
    return [
        f"  an event as Firehose receives it: {figures.json_bytes_per_event:.0f} bytes of JSON "
        f"(billed as 5 KB); in Parquet {parquet_per_event:.0f} bytes",
        f"  per 1,000 cases ({events:,} events): Firehose with format conversion "
        f"${firehose:.4f}, S3 ${storage_year:.6f} a year, an Athena query over all of them "
        f"${scan:.5f} (the 10 MB minimum)",
    ]


def report_lines(figures: DuckFigures) -> list[str]:
    lines = [
        "",
        f"DuckDB over {figures.events:,} events ({figures.files} Parquet files, "
        f"{figures.parquet_bytes / 1e6:.1f} MB; generated in {figures.generate_seconds:.1f} s), "
        f"{os.cpu_count()} cores, median of 3",
    ]
    for name, (seconds, scanned) in figures.questions.items():
        lines.append(f"  {name:<54} {seconds * 1000:>7.0f} ms  {scanned / 1e6:>6.1f} MB scanned")
    return lines + ["", "open data store: cost in AWS", *cost_lines(figures)]


def main() -> int:
    print("\n".join(report_lines(measure())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
