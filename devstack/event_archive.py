"""The open data store on the local stack: case events to Parquet in S3, and DuckDB over them.

In AWS an EventBridge rule hands every case event to Kinesis Data Firehose, which turns it
into Parquet by the Glue table's schema and writes it to the archive bucket under
`events/day=<yyyy-MM-dd>/` (infra/template.yaml `ArchiveRule`, `ArchiveDeliveryStream`);
Athena queries it. moto has no Firehose format conversion, so here the same rule (made
by moto's CloudFormation from the same template) targets an SQS queue instead
(devstack/bootstrap.py `archive_queue`), and `QueueArchiver` stands in for Firehose: it
buffers the events (up to `batch_events`, or `batch_seconds` after the first), turns them
into rows (chalicelib/domain/analytics.py `event_row`, the schema both sides share),
writes one Parquet object a day with DuckDB and deletes the messages once it is stored.

At least once, as Firehose: a batch that fails is received again. Each object's key is
derived from the ids it holds, so the same batch again overwrites itself; a batch cut
differently may repeat an event in two objects, and the `events` view keeps one row per
`id` (both copies share `day`: it is the event's own `occurred_at` day here).

`DuckDbEngine` is the local `AnalyticsEngine` (chalicelib/services/ports.py): it copies
the archive's objects from moto's S3 to a cache folder (only new or changed ones; DuckDB's
httpfs extension cannot be downloaded here), opens an in-memory DuckDB whose only view is
`events`, then locks it down (`enable_external_access=false`, only the cache folder
readable, configuration locked) and runs the query with a timer that interrupts it. The
bytes limit is checked before running, on the Parquet bytes of the files the plan scans
after pruning by `day`; the bytes DuckDB read are reported after.

duckdb is a development dependency (requirements-dev.txt): this module is never part of
the Lambda zip, and chalicelib imports it only by name when ANALYTICS_ENGINE=duckdb.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from chalicelib.domain.analytics import (
    COLUMNS,
    QueryLimits,
    QueryResult,
    QueryTimedOut,
    QueryTooLarge,
    SqlInvalid,
    SqlRefused,
    event_row,
)

log = logging.getLogger("devstack.archive")

#: where the Parquet objects live in the archive bucket (Firehose's prefix in the template)
PREFIX = "events/"
_DUCK_TYPES = {"string": "VARCHAR", "int": "INTEGER", "bigint": "BIGINT",
               "boolean": "BOOLEAN", "timestamp": "TIMESTAMP"}  # fmt: skip


def duck_schema() -> str:
    """The archive's columns as a DuckDB column list (`id VARCHAR, ...`), `day` last."""
    columns = [f'"{name}" {_DUCK_TYPES[kind]}' for name, kind, _ in COLUMNS]
    return ", ".join([*columns, '"day" VARCHAR'])


def object_key(day: str, ids: list[str]) -> str:
    """The object one day's part of a batch is written to: the same ids, the same key."""
    digest = hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()[:32]
    return f"{PREFIX}day={day}/destek-events-{digest}.parquet"


def parquet_bytes(rows: list[dict[str, Any]]) -> bytes:
    """The rows (from `event_row`) as one Snappy-compressed Parquet file, columns as
    `COLUMNS` types them (without `day`, which is the object's partition). DuckDB reads
    them as JSON lines with the columns' types given (inserting row by row is ~100x
    slower)."""
    types = ", ".join(f"'{name}': '{_DUCK_TYPES[kind]}'" for name, kind, _ in COLUMNS)
    con = duckdb.connect()
    try:
        with tempfile.TemporaryDirectory(prefix="destek-archive-") as folder:
            source, target = Path(folder) / "batch.jsonl", Path(folder) / "batch.parquet"
            with source.open("w", encoding="utf-8") as out:
                for row in rows:
                    out.write(json.dumps({k: v for k, v in row.items() if k != "day"}) + "\n")
            con.execute(
                f"COPY (SELECT * FROM read_json('{source}', format = 'newline_delimited', "
                f"columns = {{{types}}}, timestampformat = '%Y-%m-%dT%H:%M:%S.%fZ') "
                f"ORDER BY occurred_at, id) TO '{target}' (FORMAT parquet, COMPRESSION snappy)"
            )
            return target.read_bytes()
    finally:
        con.close()


class ArchiveWriter:
    """Writes events to the archive bucket as Parquet, one object per UTC day a batch
    touches. `write` is idempotent for the same batch (keys from the ids)."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3 = s3
        self.bucket = bucket

    def write(self, events: list[dict[str, Any]]) -> list[str]:
        """Store the events (as published: the EventBridge `detail`); the keys written."""
        by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for event in events:
            row = event_row(event)
            by_day[row["day"]].append(row)
        keys = []
        for day, rows in sorted(by_day.items()):
            key = object_key(day, [r["id"] for r in rows])
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=parquet_bytes(rows),
                               ContentType="application/vnd.apache.parquet")  # fmt: skip
            keys.append(key)
        return keys


class QueueArchiver:
    """Firehose's stand-in: reads the archive queue (EventBridge events, the case event in
    `detail`), buffers, and writes a batch every `batch_events` events or `batch_seconds`
    after the first one buffered; deletes the messages only once the batch is stored."""

    def __init__(self, sqs: Any, queue_url: str, writer: ArchiveWriter,
                 batch_events: int = 500, batch_seconds: float = 5.0) -> None:  # fmt: skip
        self.sqs = sqs
        self.queue_url = queue_url
        self.writer = writer
        self.batch_events = batch_events
        self.batch_seconds = batch_seconds
        self._buffer: dict[str, tuple[dict[str, Any], str]] = {}  # message id -> event, receipt
        self._first_at: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.written = 0

    def receive(self, wait_seconds: int = 0) -> int:
        """Take one receive's messages into the buffer; how many came."""
        answer = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10,
                                          WaitTimeSeconds=wait_seconds)  # fmt: skip
        messages = answer.get("Messages", [])
        for message in messages:
            try:
                event = json.loads(message["Body"])["detail"]
            except (ValueError, KeyError, TypeError):
                log.error("not an EventBridge event; dropped: %.200s", message["Body"])
                self.sqs.delete_message(QueueUrl=self.queue_url,
                                        ReceiptHandle=message["ReceiptHandle"])  # fmt: skip
                continue
            self._buffer[message["MessageId"]] = (event, message["ReceiptHandle"])
        if messages and self._first_at is None:
            self._first_at = time.monotonic()
        return len(messages)

    def due(self) -> bool:
        if not self._buffer:
            return False
        if len(self._buffer) >= self.batch_events:
            return True
        return (
            self._first_at is not None and time.monotonic() - self._first_at >= self.batch_seconds
        )

    def flush(self) -> int:
        """Write what is buffered, then delete its messages; the number of events written.
        A failed write keeps nothing: the messages come back after their visibility."""
        if not self._buffer:
            return 0
        buffered, self._buffer, self._first_at = self._buffer, {}, None
        events = [event for event, _ in buffered.values()]
        self.writer.write(events)
        receipts = [receipt for _, receipt in buffered.values()]
        for start in range(0, len(receipts), 10):
            entries = [{"Id": str(i), "ReceiptHandle": r}
                       for i, r in enumerate(receipts[start:start + 10])]  # fmt: skip
            self.sqs.delete_message_batch(QueueUrl=self.queue_url, Entries=entries)
        self.written += len(events)
        return len(events)

    def drain(self, max_rounds: int = 100_000) -> int:
        """Receive until the queue is empty, then write (tests, benchmarks, `make sql`);
        `max_rounds` only stops a queue that never empties."""
        for _ in range(max_rounds):
            if not self.receive():
                break
            if len(self._buffer) >= self.batch_events:
                self.flush()
        return self.flush()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.receive(wait_seconds=1)
                if self.due():
                    self.flush()
            except Exception:
                log.exception("archiving case events failed; the messages come back")
                self._buffer, self._first_at = {}, None
                self._stop.wait(1.0)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="event-archive", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        try:
            self.flush()
        except Exception:
            log.exception("the last archive batch was not written; its messages come back")


# ---- DuckDB: the local engine ---------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _scan_shares(plan: Any) -> list[float]:
    """For each Parquet scan of an EXPLAIN (FORMAT json) plan, the share of the files it
    reads ("Scanning Files": "3/300" after pruning by `day`; 1.0 when not said)."""
    shares: list[float] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not isinstance(node, dict):
            return
        info = node.get("extra_info") or {}
        if "PARQUET" in str(node.get("name", "")).upper() or info.get("Function") == "READ_PARQUET":
            scanning = str(info.get("Scanning Files", ""))
            read, _, total = scanning.partition("/")
            shares.append(int(read) / int(total) if read.isdigit() and total.isdigit()
                          and int(total) else 1.0)  # fmt: skip
        walk(node.get("children", []))

    walk(plan)
    return shares


class DuckDbEngine:
    """The local `AnalyticsEngine`: DuckDB over the archive bucket's Parquet, copied to
    `cache_dir`. One in-memory database per query: nothing a query does outlives it."""

    def __init__(self, s3: Any, bucket: str, cache_dir: Path) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.cache_dir = Path(cache_dir)
        self._etags: dict[str, str] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Any) -> DuckDbEngine:
        """The engine chalicelib/wiring.py builds when ANALYTICS_ENGINE=duckdb: moto's S3
        (AWS_ENDPOINT_URL), the archive bucket, the cache in ANALYTICS_CACHE_DIR (else a
        folder of this process's own)."""
        import boto3

        folder = os.environ.get("ANALYTICS_CACHE_DIR") or tempfile.mkdtemp(prefix="destek-duck-")
        s3 = boto3.client("s3", region_name=settings.region)
        return cls(s3, settings.archive_bucket, Path(folder))

    # -- the copy of the archive ----------------------------------------------------------

    def sync(self) -> list[Path]:
        """Copy new or changed objects under events/ to the cache, drop the ones gone; the
        Parquet files there. Without an S3 client (`s3=None`: benchmarks) the cache folder
        is the archive."""
        if self.s3 is None:
            return sorted((self.cache_dir / PREFIX).glob("day=*/*.parquet"))
        with self._lock:
            listed: dict[str, str] = {}
            pages = self.s3.get_paginator("list_objects_v2")
            for page in pages.paginate(Bucket=self.bucket, Prefix=PREFIX):
                for item in page.get("Contents", []):
                    if item["Key"].endswith(".parquet"):
                        listed[item["Key"]] = item["ETag"]
            for key, etag in listed.items():
                path = self.cache_dir / key
                if self._etags.get(key) == etag and path.exists():
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
                partial = path.with_suffix(".part")
                partial.write_bytes(body)
                partial.replace(path)
                self._etags[key] = etag
            for key in set(self._etags) - set(listed):
                (self.cache_dir / key).unlink(missing_ok=True)
                del self._etags[key]
            return sorted((self.cache_dir / PREFIX).glob("day=*/*.parquet"))

    # -- a query --------------------------------------------------------------------------

    def connect(self, files: list[Path]) -> duckdb.DuckDBPyConnection:
        """An in-memory database with the view `events` (one row per event id) over `files`,
        locked down: no other file, no extension, no setting can be reached afterwards."""
        con = duckdb.connect(":memory:")
        if files:
            listed = ", ".join(f"'{f.as_posix()}'" for f in files)
            con.execute(f"CREATE VIEW archive AS SELECT * FROM read_parquet([{listed}], "
                        "hive_partitioning = true, hive_types = {'day': VARCHAR}, "
                        "union_by_name = true)")  # fmt: skip
        else:
            con.execute(f"CREATE TABLE archive ({duck_schema()})")
        # one row per event: a batch the archiver wrote twice, cut differently, repeats
        # events; both copies are in the event's own day, so the filter on day still prunes
        con.execute("CREATE VIEW events AS SELECT * FROM archive "
                    "QUALIFY row_number() OVER (PARTITION BY day, id) = 1")  # fmt: skip
        folder = self.cache_dir.resolve().as_posix().rstrip("/") + "/"
        con.execute(f"SET allowed_directories = ['{folder}']")
        con.execute("SET enable_external_access = false")
        con.execute("SET autoinstall_known_extensions = false")
        con.execute("SET autoload_known_extensions = false")
        con.execute("SET lock_configuration = true")
        return con

    def run(self, sql: str, limits: QueryLimits) -> QueryResult:
        started = time.monotonic()
        files = self.sync()
        total_bytes = sum(f.stat().st_size for f in files)
        con = self.connect(files)
        try:
            statements = self._parsed(con, sql)
            if len(statements) != 1 or statements[0].type != duckdb.StatementType.SELECT:
                raise SqlRefused("only a SELECT (or WITH ... SELECT) query may run",
                                 details={"reason": "not_a_query"})  # fmt: skip
            estimate = self._estimate(con, sql, total_bytes)
            if estimate > limits.max_bytes:
                raise QueryTooLarge(
                    f"the query would scan {estimate} bytes; the limit is {limits.max_bytes}",
                    details={"bytes": estimate, "max_bytes": limits.max_bytes},
                )
            remaining = limits.seconds - (time.monotonic() - started)
            timer = threading.Timer(max(remaining, 0.001), con.interrupt)
            timer.start()
            try:
                cursor = con.execute(sql)
                columns = [d[0] for d in cursor.description or []]
                fetched = cursor.fetchmany(limits.max_rows + 1)
            except duckdb.InterruptException:
                raise QueryTimedOut(f"the query ran past its limit of {limits.seconds} s and "
                                    "was stopped") from None  # fmt: skip
            finally:
                timer.cancel()
            if time.monotonic() - started > limits.seconds:
                raise QueryTimedOut(f"the query ran past its limit of {limits.seconds} s")
        except duckdb.InterruptException:
            raise QueryTimedOut("the query ran past its time limit and was stopped") from None
        except duckdb.PermissionException as error:
            raise SqlRefused("the query reaches outside the archive",
                             details={"reason": "forbidden_function",
                                      "engine": str(error)[:300]}) from None  # fmt: skip
        except duckdb.Error as error:
            raise SqlInvalid(
                "the query could not run", details={"engine": str(error)[:500]}
            ) from None
        finally:
            con.close()
        truncated = len(fetched) > limits.max_rows
        rows = [[_json_value(v) for v in row] for row in fetched[: limits.max_rows]]
        return QueryResult(columns=columns, rows=rows, bytes_scanned=estimate,
                           seconds=time.monotonic() - started, truncated=truncated)  # fmt: skip

    @staticmethod
    def _parsed(con: duckdb.DuckDBPyConnection, sql: str) -> list[Any]:
        return con.extract_statements(sql)

    @staticmethod
    def _estimate(con: duckdb.DuckDBPyConnection, sql: str, total_bytes: int) -> int:
        """The Parquet bytes the plan scans: each scan's share of the files times their
        bytes (files are about the same size a day; Athena counts columns read instead)."""
        plan = con.execute(f"EXPLAIN (FORMAT json) {sql}").fetchall()
        shares = []
        for _, text in plan:
            try:
                shares.extend(_scan_shares(json.loads(text)))
            except ValueError:
                continue
        return int(sum(shares) * total_bytes)


def events_to_parquet_folder(folder: Path, events: list[dict[str, Any]]) -> list[Path]:
    """Write events the way the archiver does, straight into a folder laid out as the
    bucket (`events/day=.../x.parquet`): tests and benchmarks that need no S3."""
    written = []
    by_day: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        row = event_row(event)
        by_day[row["day"]].append(row)
    for day, rows in by_day.items():
        path = Path(folder) / object_key(day, [r["id"] for r in rows])
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(parquet_bytes(rows))
        written.append(path)
    return written
