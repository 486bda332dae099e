"""The open data store on moto: a case's real changes, from the table's stream through the
events bus and its archive rule to the local archiver's Parquet in S3, asked in SQL through
POST /analytics/sql (DuckDB, the local engine); who may ask, and what is refused."""

from __future__ import annotations

import pytest

from .conftest import aws, case_event_reader, open_case


@pytest.fixture
def archived(aws_env, chalice_app):
    """`flow()` publishes what the stream holds (to the bus, so to the archive queue) and
    archives what the queue holds, as the local stack's reader and archiver do."""
    from devstack.event_archive import ArchiveWriter, QueueArchiver

    reader = case_event_reader(aws_env, chalice_app)
    writer = ArchiveWriter(aws(aws_env, "s3"), aws_env["ARCHIVE_BUCKET"])
    archiver = QueueArchiver(aws(aws_env, "sqs"), aws_env["ARCHIVE_QUEUE_URL"], writer)

    def flow() -> int:
        reader.drain()
        return archiver.drain()

    return flow


def test_a_cases_events_reach_the_archive_and_are_asked_in_sql(as_role, archived, drain_routing):
    archived()  # what earlier tests left on the queue
    agent = as_role("agent")
    case = open_case(agent, type="complaint", subject="Kargom gelmedi")
    drain_routing()
    assert archived() >= 2
    sql = ("SELECT type, channel, case_type, group_id, actor_kind FROM events "
           f"WHERE case_id = '{case['id']}' ORDER BY sequence, event_index")  # fmt: skip
    answer = as_role("supervisor").post("/analytics/sql", {"sql": sql})
    assert answer.status == 200, answer
    rows = answer.body["rows"]
    assert answer.body["columns"] == ["type", "channel", "case_type", "group_id", "actor_kind"]
    assert rows[0] == ["destek.case.opened", "phone", "complaint", None, "staff"]
    assert ["destek.case.routed", None, None, "teslimat", "system"] in rows
    assert answer.body["bytes_scanned"] > 0 and answer.body["truncated"] is False
    # each event once, whatever batches carried it
    count = f"SELECT count(*), count(DISTINCT id) FROM events WHERE case_id = '{case['id']}'"
    again = as_role("supervisor").post("/analytics/sql", {"sql": count})
    assert again.body["rows"] == [[len(rows), len(rows)]]


@pytest.mark.parametrize(
    ("sql", "code"),
    [
        ("DELETE FROM events", "sql_not_allowed"),
        ("SELECT 1; SELECT 2", "sql_not_allowed"),
        ("SELECT * FROM read_text('/etc/hostname')", "sql_not_allowed"),
        ("SELECT nope FROM events", "sql_invalid"),
    ],
)
def test_bad_sql_is_a_clear_400(as_role, sql, code):
    answer = as_role("supervisor").post("/analytics/sql", {"sql": sql})
    assert answer.status == 400, answer
    assert answer.body["error"]["code"] == code


def test_agents_may_not_ask(as_role):
    answer = as_role("agent").post("/analytics/sql", {"sql": "SELECT 1"})
    assert answer.status == 403
