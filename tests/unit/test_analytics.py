"""The open data store: the SQL guard, an event as a row, the local archive writer and
DuckDB engine (limits, duplicates, sandbox), the template's standard reports on DuckDB, and
the Athena adapter's requests (botocore's Stubber)."""

from __future__ import annotations

import io
import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest
import yaml
from botocore.stub import Stubber

from chalicelib.analytics.athena import AthenaEngine
from chalicelib.domain.analytics import (
    COLUMNS,
    QueryLimits,
    QueryTimedOut,
    QueryTooLarge,
    SqlInvalid,
    SqlRefused,
    check_sql,
    event_row,
)
from devstack.bootstrap import TEMPLATE
from devstack.event_archive import ArchiveWriter, DuckDbEngine

LIMITS = QueryLimits(seconds=10, max_bytes=10**9, max_rows=1000)


# ---- the guard ---------------------------------------------------------------------------

ACCEPTED = [
    "SELECT 1",
    "select type, count(*) from events group by 1;",
    "  WITH x AS (SELECT * FROM events) SELECT count(*) FROM x  ;  ",
    "(SELECT id FROM events) UNION ALL (SELECT id FROM events)",
    "SELECT 'drop table events; delete' AS words FROM events",  # words in strings
    'SELECT "set" FROM (SELECT 1 AS "set")',  # quoted identifiers
    "SELECT 1 -- ; DROP TABLE events\n",  # a comment
    "SELECT replace(type, 'destek.', '') FROM events",
    "SELECT json_extract_scalar(data, '$.how') FROM events",
]
REFUSED = [
    ("", "empty"),
    ("   ;  ", "empty"),
    ("DROP TABLE events", "not_a_query"),
    ("INSERT INTO events VALUES (1)", "not_a_query"),
    ("PRAGMA version", "not_a_query"),
    ("EXPLAIN ANALYZE SELECT 1", "not_a_query"),
    ("SELECT 1; SELECT 2", "several_statements"),
    ("SELECT 1; DROP TABLE events", "several_statements"),
    ("WITH d AS (DELETE FROM events RETURNING *) SELECT * FROM d", "forbidden_word"),
    ("SELECT 1 FROM events WHERE 1 = (COPY events TO 'x')", "forbidden_word"),
    ("SELECT * FROM read_parquet('/etc/x.parquet')", "forbidden_function"),
    ("SELECT * FROM READ_CSV_AUTO('/etc/passwd')", "forbidden_function"),
    ("SELECT getenv('HOME')", "forbidden_function"),
    ("SELECT * FROM glob('/*')", "forbidden_function"),
    ("SELECT * FROM duckdb_settings()", "forbidden_function"),
    ("SELECT * FROM parquet_scan('x')", "forbidden_function"),
    ("SELECT * FROM 'secrets.parquet'", "file_reference"),
    ("SELECT 'unclosed", "unclosed"),
    ("SELECT 1 /* unclosed", "unclosed"),
    ("SELECT $$x$$", "not_a_query"),
    ("SELECT '" + "x" * 20_001 + "'", "too_long"),
]


@pytest.mark.parametrize("sql", ACCEPTED)
def test_the_guard_lets_one_read_only_query_through(sql):
    assert check_sql(sql).strip().rstrip(";").strip() == check_sql(sql)
    assert not check_sql(sql).endswith(";")


@pytest.mark.parametrize(("sql", "reason"), REFUSED)
def test_the_guard_refuses_what_writes_reads_files_or_is_not_one_query(sql, reason):
    with pytest.raises(SqlRefused) as refused:
        check_sql(sql)
    assert refused.value.code == "sql_not_allowed"
    assert refused.value.details["reason"] == reason


# ---- events as rows ------------------------------------------------------------------------


def event(case: str, seq: int, kind: str, at: datetime, index: int = 0, **data: Any) -> dict:
    return {
        "id": f"{case}.{seq}.{index}", "type": f"destek.case.{kind}", "schema_version": 1,
        "case_id": case, "case_number": f"2026-{case[-6:]:0>6}", "precase_id": None,
        "sequence": seq, "index": index,
        "occurred_at": at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": {"kind": "staff", "id": "mehmet"}, "data": data,
    }  # fmt: skip


def test_an_event_becomes_one_row_of_every_column():
    at = datetime(2026, 3, 1, 23, 59, tzinfo=UTC)
    row = event_row(event("c1", 4, "reopened", at, 1, status_from="resolved", to_pool=True,
                          by="customer", warnings=["x"]))  # fmt: skip
    assert set(row) == {name for name, _, _ in COLUMNS} | {"day"}
    assert row["id"] == "c1.4.1" and row["event_index"] == 1 and row["sequence"] == 4
    assert row["reopened_by"] == "customer" and row["to_pool"] is True
    assert row["status_from"] == "resolved" and row["channel"] is None
    assert row["actor_kind"] == "staff" and row["actor_id"] == "mehmet"
    assert row["day"] == "2026-03-01"
    assert '"warnings": ["x"]' in row["data"]  # lists stay in data only


def test_a_hand_edit_has_its_new_values_in_their_columns_and_the_old_in_data():
    from chalicelib.domain import case_change as cc
    from chalicelib.domain.cases import Actor, Case

    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    staff = Actor(kind="staff", id="selin", name="Selin Kaya")
    case = Case(id="c1", number="2026-000007", type="complaint", channel="phone",
                status="open", subject="Kargom gelmedi", description="yok", customer_id="cu1",
                group_id="urun", category_id="kargo", created_by=staff, created_at=at,
                updated_at=at, version=3)  # fmt: skip
    edit = cc.change_case(
        case, cc.ChangeFields(fields={"category_id": "iade", "subject": "Ahmet 0532"}), staff, at
    )
    row = event_row(edit.events[0].model_dump(mode="json"))
    assert row["type"] == "destek.case.fields_changed"
    assert (row["category_id"], row["priority"], row["case_type"]) == ("iade", None, None)
    assert json.loads(row["data"])["previous_category_id"] == "kargo"
    assert json.loads(row["data"])["fields"] == ["category_id", "subject"]
    assert "Ahmet" not in json.dumps(row)


# ---- the local archive and DuckDB -----------------------------------------------------------


class MemoryS3:
    """The few S3 calls the archive writer and the engine make, in memory."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.puts = 0

    def put_object(self, Bucket: str, Key: str, Body: bytes, **_: Any) -> dict:  # noqa: N803
        self.objects[Key] = Body
        self.puts += 1
        return {}

    def get_object(self, Bucket: str, Key: str) -> dict:  # noqa: N803
        return {"Body": io.BytesIO(self.objects[Key])}

    def get_paginator(self, name: str) -> Any:
        objects = self.objects

        class Pages:
            def paginate(self, Bucket: str, Prefix: str):  # noqa: N803
                listed = [k for k in objects if k.startswith(Prefix)]
                yield {"Contents": [{"Key": k, "ETag": str(hash(objects[k]))} for k in listed]}

        return Pages()


def month_of_events(cases: int, start: datetime) -> list[dict]:
    """Per case: opened, routed, resolved; every third reopened; a day apart per case."""
    found = []
    for n in range(cases):
        case, at = f"c{n:06d}", start + timedelta(days=n % 30, minutes=n)
        found += [
            event(case, 1, "opened", at, channel=["phone", "web"][n % 2], case_type="complaint",
                  priority="normal", customer_id="k1", product_id=f"p{n % 3}",
                  product_group="beyaz-esya", under_warranty=True),
            event(case, 2, "routed", at + timedelta(minutes=1), group_id="urun",
                  priority="normal", reason_code="rule_matched"),
            event(case, 3, "resolved", at + timedelta(hours=2), status_from="in_progress",
                  group_id="urun", assignee="mehmet"),
        ]  # fmt: skip
        if n % 3 == 0:
            found.append(event(case, 4, "reopened", at + timedelta(hours=3),
                               status_from="resolved", to_pool=False, by="customer"))  # fmt: skip
    return found


@pytest.fixture
def archive(tmp_path):
    s3 = MemoryS3()
    return s3, ArchiveWriter(s3, "archive"), DuckDbEngine(s3, "archive", tmp_path / "cache")


def test_events_written_as_parquet_are_counted_by_type(archive):
    s3, writer, engine = archive
    events = month_of_events(60, datetime(2026, 3, 1, 9, tzinfo=UTC))
    keys = writer.write(events)
    assert len(keys) == 30 and all(k.startswith("events/day=2026-03-") for k in keys)
    result = engine.run("SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY type",
                        LIMITS)  # fmt: skip
    assert result.columns == ["type", "n"]
    assert result.rows == [["destek.case.opened", 60], ["destek.case.reopened", 20],
                           ["destek.case.resolved", 60], ["destek.case.routed", 60]]  # fmt: skip
    assert result.bytes_scanned > 0 and not result.truncated
    one_day = engine.run("SELECT count(*) FROM events WHERE day = '2026-03-02'", LIMITS)
    assert one_day.rows == [[6]]  # cases 1 and 31, three events each: one file read
    assert one_day.bytes_scanned < result.bytes_scanned / 10
    typed = engine.run("SELECT occurred_at, under_warranty, sequence FROM events "
                       "WHERE id = 'c000001.1.0'", LIMITS)  # fmt: skip
    assert typed.rows == [["2026-03-02T09:01:00", True, 1]]


def test_a_retried_batch_shows_no_duplicate_rows(archive):
    s3, writer, engine = archive
    events = month_of_events(9, datetime(2026, 3, 1, 9, tzinfo=UTC))
    writer.write(events)
    objects = dict(s3.objects)
    writer.write(events)  # the same batch again: the same keys, overwritten
    assert s3.objects.keys() == objects.keys()
    writer.write(events[:5])  # a retry cut differently: new objects, the same events
    assert len(s3.objects) > len(objects)
    result = engine.run("SELECT count(*), count(DISTINCT id) FROM events", LIMITS)
    assert result.rows == [[len(events), len(events)]]


def test_a_slow_query_is_stopped_at_its_time_limit(archive):
    s3, writer, engine = archive
    writer.write(month_of_events(3, datetime(2026, 3, 1, tzinfo=UTC)))
    limits = QueryLimits(seconds=0.5, max_bytes=10**9, max_rows=10)
    started = time.monotonic()
    with pytest.raises(QueryTimedOut):
        engine.run("SELECT count(*) FROM range(1000000000) a, range(1000) b", limits)
    assert time.monotonic() - started < 5


def test_a_query_over_its_bytes_limit_does_not_run(archive):
    s3, writer, engine = archive
    writer.write(month_of_events(60, datetime(2026, 3, 1, tzinfo=UTC)))
    everything = engine.run("SELECT count(*) FROM events", LIMITS).bytes_scanned
    limits = QueryLimits(seconds=10, max_bytes=everything // 5, max_rows=10)
    with pytest.raises(QueryTooLarge) as too_large:
        engine.run("SELECT count(*) FROM events", limits)
    assert too_large.value.details["bytes"] == everything
    # one day's files fit: the limit counts the files the plan reads, pruned by day
    assert engine.run("SELECT count(*) FROM events WHERE day = '2026-03-05'", limits).rows


def test_rows_are_cut_at_the_row_limit(archive):
    s3, writer, engine = archive
    writer.write(month_of_events(10, datetime(2026, 3, 1, tzinfo=UTC)))
    result = engine.run("SELECT id FROM events ORDER BY id",
                        QueryLimits(seconds=10, max_bytes=10**9, max_rows=7))  # fmt: skip
    assert len(result.rows) == 7 and result.truncated


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_text('/etc/hostname')",
        "SELECT * FROM '/etc/hostname'",
        "SELECT * FROM read_csv('/etc/hostname')",
    ],
)
def test_duckdb_reaches_nothing_but_the_archive_even_past_the_guard(archive, sql):
    s3, writer, engine = archive
    writer.write(month_of_events(1, datetime(2026, 3, 1, tzinfo=UTC)))
    with pytest.raises((SqlRefused, SqlInvalid)):
        engine.run(sql, LIMITS)


def test_an_empty_archive_answers_with_no_rows(archive):
    result = archive[2].run("SELECT type, count(*) FROM events GROUP BY type", LIMITS)
    assert result.rows == [] and result.columns == ["type", "count_star()"]


def test_a_syntax_error_is_the_engines_to_say(archive):
    with pytest.raises(SqlInvalid):
        archive[2].run("SELECT nope FROM events", LIMITS)


# ---- the template's standard reports run on DuckDB too --------------------------------------


def named_queries() -> dict[str, str]:
    resources = yaml.safe_load(TEMPLATE.read_text())["Resources"]
    return {name: r["Properties"]["QueryString"] for name, r in resources.items()
            if r["Type"] == "AWS::Athena::NamedQuery"}  # fmt: skip


def test_every_standard_report_runs_on_duckdb_and_reopened_products_are_right(archive):
    s3, writer, engine = archive
    today = date.today()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last_quarter = datetime.combine(quarter_start - timedelta(days=80), datetime.min.time(),
                                    tzinfo=UTC)  # fmt: skip
    recent = datetime.now(UTC) - timedelta(days=20)
    writer.write(month_of_events(30, last_quarter) + month_of_events(12, recent))
    queries = named_queries()
    assert len(queries) >= 5
    answers = {name: engine.run(check_sql(sql), LIMITS) for name, sql in queries.items()}
    reopened = answers["ReopenedByProductQuery"]
    # last quarter's 30 cases: every third (0, 3, ..., 27) reopened; products p0 (n % 3 == 0)
    assert reopened.rows == [["p0", "beyaz-esya", 10, 10]]
    assert sum(r[3] for r in answers["VolumeQuery"].rows) >= 12


# ---- Athena: the requests -------------------------------------------------------------------


def athena_page(columns: list[tuple[str, str]], rows: list[list[str | None]],
                token: str | None = None, header: bool = True) -> dict:  # fmt: skip
    data = ([[{"VarCharValue": n} for n, _ in columns]] if header else []) + [
        [{"VarCharValue": v} if v is not None else {} for v in row] for row in rows
    ]
    info = [{"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": n, "Label": n,
             "Type": t} for n, t in columns]  # fmt: skip
    page = {"ResultSet": {"Rows": [{"Data": d} for d in data],
                          "ResultSetMetadata": {"ColumnInfo": info}}}  # fmt: skip
    if token:
        page["NextToken"] = token
    return page


def stubbed() -> tuple[Any, Stubber]:
    client = boto3.client("athena", region_name="eu-central-1", aws_access_key_id="x",
                          aws_secret_access_key="x")  # fmt: skip
    return client, Stubber(client)


def execution(state: str, scanned: int = 0, reason: str = "") -> dict:
    status: dict[str, Any] = {"State": state}
    if reason:
        status["StateChangeReason"] = reason
    return {"QueryExecution": {"QueryExecutionId": "q1", "Status": status,
                               "Statistics": {"DataScannedInBytes": scanned}}}  # fmt: skip


def test_athena_runs_in_the_workgroup_and_database_and_types_its_answer():
    client, stub = stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, {
        "QueryString": "SELECT type, count(*) AS n FROM events GROUP BY 1",
        "WorkGroup": "destek-prod",
        "QueryExecutionContext": {"Database": "destek_prod", "Catalog": "AwsDataCatalog"},
    })  # fmt: skip
    stub.add_response("get_query_execution", execution("RUNNING"), {"QueryExecutionId": "q1"})
    stub.add_response("get_query_execution", execution("SUCCEEDED", 12345),
                      {"QueryExecutionId": "q1"})  # fmt: skip
    columns = [("type", "varchar"), ("n", "bigint"), ("ok", "boolean"), ("x", "double")]
    stub.add_response("get_query_results",
                      athena_page(columns, [["destek.case.opened", "3", "true", "0.5"]], "t2"),
                      {"QueryExecutionId": "q1", "MaxResults": 5})  # fmt: skip
    stub.add_response("get_query_results",
                      athena_page(columns, [["destek.case.routed", "2", "false", None],
                                            ["destek.case.closed", "1", "true", "1"]],
                                  header=False),
                      {"QueryExecutionId": "q1", "MaxResults": 5, "NextToken": "t2"})  # fmt: skip
    slept: list[float] = []
    engine = AthenaEngine(client, "destek-prod", "destek_prod", sleep=slept.append)
    with stub:
        result = engine.run("SELECT type, count(*) AS n FROM events GROUP BY 1",
                            QueryLimits(seconds=30, max_bytes=10**9, max_rows=3))  # fmt: skip
    stub.assert_no_pending_responses()
    assert result.columns == ["type", "n", "ok", "x"]
    assert result.rows == [["destek.case.opened", 3, True, 0.5],
                           ["destek.case.routed", 2, False, None],
                           ["destek.case.closed", 1, True, 1.0]]  # fmt: skip
    assert result.bytes_scanned == 12345 and not result.truncated and slept == [0.2]


def test_athena_rows_past_the_limit_are_cut():
    client, stub = stubbed()
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, None)
    stub.add_response("get_query_execution", execution("SUCCEEDED", 1), None)
    stub.add_response("get_query_results",
                      athena_page([("id", "varchar")], [["a"], ["b"], ["c"]]), None)  # fmt: skip
    with stub:
        result = AthenaEngine(client, "w", "d").run(
            "SELECT id FROM events", QueryLimits(seconds=30, max_bytes=10**9, max_rows=2)
        )
    assert result.rows == [["a"], ["b"]] and result.truncated


def test_athena_cutoff_and_errors_are_clear_refusals():
    for reason, error in [("Query cancelled! : Bytes scanned limit was exceeded", QueryTooLarge),
                          ("SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved",
                           SqlInvalid)]:  # fmt: skip
        client, stub = stubbed()
        stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, None)
        stub.add_response("get_query_execution", execution("FAILED", 0, reason), None)
        with stub, pytest.raises(error):
            AthenaEngine(client, "w", "d").run("SELECT 1", LIMITS)


def test_athena_stops_a_query_past_its_time_limit():
    client, stub = stubbed()
    now = [0.0]
    stub.add_response("start_query_execution", {"QueryExecutionId": "q1"}, None)
    for _ in range(3):
        stub.add_response("get_query_execution", execution("RUNNING"), None)
    stub.add_response("stop_query_execution", {}, {"QueryExecutionId": "q1"})

    def sleep(seconds: float) -> None:
        now[0] += seconds

    engine = AthenaEngine(client, "w", "d", clock=lambda: now[0], sleep=sleep)
    with stub, pytest.raises(QueryTimedOut):
        engine.run("SELECT 1", QueryLimits(seconds=0.5, max_bytes=10**9, max_rows=1))
    stub.assert_no_pending_responses()


def test_every_question_in_the_data_store_doc_runs(archive):
    import re
    from pathlib import Path

    s3, writer, engine = archive
    writer.write(month_of_events(6, datetime.now(UTC) - timedelta(days=3)))
    doc = (Path(__file__).resolve().parents[2] / "docs" / "data-store.md").read_text()
    questions = re.findall(r"```sql\n(.*?)```", doc, re.S)
    assert len(questions) >= 5
    for sql in questions:
        assert engine.run(check_sql(sql), LIMITS).columns
