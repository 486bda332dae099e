"""The reports' rebuild over the open data store's archive: the page SQL and rows
(domain/archive_replay.py), and ReportRebuild reading days older than the log from a real
DuckDB archive in a folder (devstack/event_archive.py, as the local stack writes it) and the
recent days from the in-memory log: the same numbers as the live projection, twice, and for
days in both, the same as a rebuild from the log; hand edits replayed from either; a
repeated step does nothing; beyond the archive's first day is out of range."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chalicelib.domain.analytics import QueryLimits
from chalicelib.domain.archive_replay import next_cursor, page_events, page_sql
from chalicelib.domain.report_table import Dimension
from chalicelib.services.report_archive import ArchiveReader
from chalicelib.services.report_projection import ReportRebuild

from .test_report_service import (
    T0,
    MemoryReports,
    ask,
    ev,
    feed,
    opened,
    resolved,
    routed,
    status,
)

LIMITS = QueryLimits(seconds=30, max_bytes=10**9, max_rows=500)


def test_a_page_is_one_days_case_events_after_the_cursor_in_case_order():
    sql = page_sql(date(2026, 1, 5), ["c'1", 3, 0], 50)
    assert "day >= '2026-01-05' AND day <= '2026-01-06'" in sql
    assert "occurred_at < TIMESTAMP '2026-01-06 00:00:00'" in sql
    assert "case_id > 'c''1'" in sql and "sequence = 3 AND event_index > 0" in sql
    assert sql.endswith("ORDER BY case_id, sequence, event_index, id LIMIT 50")
    columns = ["id", "type", "schema_version", "case_id", "case_number", "sequence",
               "event_index", "occurred_at", "actor_kind", "actor_id", "data"]  # fmt: skip
    athena = ["a.1.0", "destek.case.opened", 1, "a", "N-a", 1, 0, "2026-01-05 09:30:00.123",
              "staff", "selin", '{"channel": "web"}']  # fmt: skip
    events = page_events(columns, [athena, athena])  # a Firehose retry: twice
    assert events == [{"id": "a.1.0", "type": "destek.case.opened", "schema_version": 1,
                       "case_id": "a", "case_number": "N-a", "sequence": 1, "index": 0,
                       "occurred_at": "2026-01-05T09:30:00.123000Z",
                       "actor": {"kind": "staff", "id": "selin"},
                       "data": {"channel": "web"}}]  # fmt: skip
    assert next_cursor(columns, [athena, athena], 2) == ["a", 1, 0]
    assert next_cursor(columns, [athena], 2) is None


@pytest.fixture
def archive(tmp_path):
    """A folder laid out as the archive bucket, DuckDB over it, and what writes to it."""
    from devstack.event_archive import DuckDbEngine, events_to_parquet_folder

    engine = DuckDbEngine(None, "archive", tmp_path)
    return engine, lambda events: events_to_parquet_folder(tmp_path, events)


def test_a_rebuild_reads_old_days_from_the_archive_and_recent_ones_from_the_log(archive):
    engine, write = archive
    now = T0 + timedelta(days=70)
    store = MemoryReports()
    old = []
    for n in range(9):  # 60 days back, two days apart: only in the archive
        at = T0 + timedelta(days=n * 2, hours=n)
        events = [opened(f"o{n}", at, "web" if n % 2 else "phone"), routed(f"o{n}", at)]
        if n % 3:  # a hand edit (its new category and priority in the archive's row), then
            # a resolution, counted under the new ones
            edit = {"fields": ["priority", "category_id"], "priority": "high",
                    "previous_priority": "normal", "category_id": "iade",
                    "previous_category_id": None, "case_type": None,
                    "previous_case_type": None}  # fmt: skip
            events += [ev(f"o{n}", "fields_changed", 3, at + timedelta(minutes=30), edit,
                          actor={"kind": "staff", "id": "selin"}),
                       status(f"o{n}", 4, at + timedelta(hours=1), "resolved"),
                       resolved(f"o{n}", 5, at + timedelta(hours=1))]  # fmt: skip
        feed(store, *events)
        old += events
    write(old)
    write(old[:5])  # a batch written twice, cut differently
    for e in old:  # gone from the log (its TTL)
        store.case_events.pop(e["case_id"], None)
    for n in range(4):  # recent: only in the log (the archive lags)
        at = now - timedelta(days=3, hours=n)
        feed(store, opened(f"r{n}", at), routed(f"r{n}", at))
    start, end = (T0 - timedelta(days=1)).date(), now.date()
    by = [Dimension.DAY, Dimension.CHANNEL]
    live = ask(store, "volume", T0.date(), end, by, today=end).rows
    assert sum(r["opened"] for r in live) == 13 and sum(r["resolved"] for r in live) == 6
    by_category = [Dimension.DAY, Dimension.CATEGORY]
    edited = ask(store, "volume", T0.date(), end, by_category, today=end).rows
    assert sum(r["resolved"] for r in edited if r["category"] == "iade") == 6

    sent: list[dict] = []
    reader = ArchiveReader(lambda: engine, LIMITS)
    rebuild = ReportRebuild(store, sent.append, clock=lambda: now, archive=reader,
                            archive_page=4)  # fmt: skip
    with pytest.raises(Exception) as refused:  # the archive's first day may be partial
        rebuild.start(start)
    assert refused.value.code == "rebuild_out_of_range"
    assert refused.value.details["oldest"] == (T0 + timedelta(days=1)).date().isoformat()
    first = (T0 + timedelta(days=1)).date()
    for version in (2, 3):
        status_ = rebuild.start(first)
        assert status_.version == version and status_.archive_day == T0.date().isoformat()
        steps = 0
        while sent:
            message = sent.pop()
            assert rebuild.step(message) in (True, False)
            assert rebuild.step(message) is False  # the same step again: nothing
            steps += 1
        assert rebuild.status().done and rebuild.status().live == version
        # the archive's empty stretch is skipped in one query; 4 rows a page
        assert steps < 40
        assert ask(store, "volume", first, end, by, today=end).rows == [
            r for r in live if r["day"] >= first.isoformat()]  # fmt: skip
        assert ask(store, "volume", first, end, by_category, today=end).rows == [
            r for r in edited if r["day"] >= first.isoformat()]  # fmt: skip


def test_days_in_both_the_log_and_the_archive_rebuild_to_the_same_numbers_from_either(archive):
    """The overlap: days 28 to 8 back are in the log and in the archive. A rebuild from 28
    days back reads them from the log; one from 31 days back reads them from the archive (up
    to its switch-over day, 7 back): the same counters for every day both cover."""
    engine, write = archive
    now = T0 + timedelta(days=40)
    store = MemoryReports()
    events = []
    for n in range(4):  # 32 to 8 days back, eight days apart
        at = now - timedelta(days=32 - n * 8, hours=n)
        case = [opened(f"b{n}", at, "web" if n % 2 else "email"), routed(f"b{n}", at)]
        if n % 2:
            edit = {"fields": ["category_id"], "category_id": "iade",
                    "previous_category_id": None, "priority": None, "previous_priority": None,
                    "case_type": None, "previous_case_type": None}  # fmt: skip
            case.append(ev(f"b{n}", "fields_changed", 3, at + timedelta(minutes=5), edit,
                           actor={"kind": "staff", "id": "selin"}))  # fmt: skip
        case += [status(f"b{n}", 4, at + timedelta(hours=2), "resolved"),
                 resolved(f"b{n}", 5, at + timedelta(hours=2))]  # fmt: skip
        feed(store, *case)
        events += case
    write(events)
    sent: list[dict] = []
    reader = ArchiveReader(lambda: engine, LIMITS)
    rebuild = ReportRebuild(store, sent.append, clock=lambda: now, archive=reader)
    end, first = now.date(), (now - timedelta(days=28)).date()
    by = [Dimension.DAY, Dimension.CATEGORY]
    answers = []
    for start in (first, (now - timedelta(days=31)).date()):
        status_ = rebuild.start(start)
        assert (status_.archive_day is None) == (start == first)  # the log alone, then both
        while sent:
            rebuild.step(sent.pop())
        assert rebuild.status().done
        answers.append(ask(store, "volume", first, end, by, today=end).rows)
    from_log, from_archive = answers
    assert sum(r["resolved"] for r in from_log) == 3 and from_archive == from_log
    assert sum(r["resolved"] for r in from_log if r["category"] == "iade") == 2
