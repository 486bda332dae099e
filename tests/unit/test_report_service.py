"""ReportProjection, ReportRebuild and ReportService on an in-memory store of the same port:
events out of order, the backlog at each day's end and its age, what a report reads, and a
rebuild that gives the same numbers twice."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from chalicelib.domain.report_batch import ChunkOutcome
from chalicelib.domain.report_projection import event_key, fold, report_day, source
from chalicelib.domain.report_table import Dimension, ReportName
from chalicelib.services.report_projection import ReportProjection, ReportRebuild
from chalicelib.services.reports import ReportService

T0 = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)


class MemoryReports:
    """The report store's port, in memory (the reads count the items they return)."""

    def __init__(self) -> None:
        self.cfg: dict[str, Any] | None = None
        self.states_: dict[tuple[int, str], Any] = {}
        self.counters: dict[tuple[int, str, str, str], Counter] = {}
        self.level: dict[tuple[int, str, str], Counter] = {}
        self.breach: dict[tuple[int, str, str, str], dict] = {}
        self.case_events: dict[str, list[dict]] = {}
        self.writes = 0
        self.chunks: list[int] = []  # the cases of each chunk written

    def config(self):
        return self.cfg

    def save_config(self, config, expected_revision):
        current = self.cfg.get("revision") if self.cfg else None
        if current != expected_revision:
            return False
        self.cfg = dict(config)
        return True

    def state(self, version, case_id):
        return self.states_.get((version, case_id))

    def states(self, version, case_ids):
        return {c: self.states_[(version, c)] for c in case_ids if (version, c) in self.states_}

    def events_after(self, case_id, cursor, upto):
        return [e for e in self.case_events.get(case_id, []) if cursor < event_key(e) <= upto]

    def write(self, version, state, expected_revision, increments, breaches):
        old = self.states_.get((version, state.case_id))
        if (old.revision if old else 0) != expected_revision:
            return False
        self.writes += 1
        self.states_[(version, state.case_id)] = state
        for (day, slice_, cell), counters in increments.days.items():
            self.counters.setdefault((version, slice_, day, cell), Counter()).update(counters)
        for (slice_, cell), counters in increments.levels.items():
            self.level.setdefault((version, slice_, cell), Counter()).update(counters)
        for b in breaches:
            self.breach[(version, b["day"], b["case_id"], b["target"])] = b
        return True

    def write_chunk(self, version, writes):
        """As the table's transaction: every state's condition holds, or nothing is written."""
        moved = frozenset(w.case_id for w in writes
                          if (self.state(version, w.case_id) or SimpleNamespace(revision=0)
                              ).revision != w.expected)  # fmt: skip
        if moved:
            return ChunkOutcome(written=False, moved=moved)
        self.chunks.append(len(writes))
        for w in writes:
            self.write(version, w.state, w.expected, w.increments, w.breaches)
        return ChunkOutcome(written=True)

    def days(self, version, slice_, start, end):
        stored, _ = source(slice_)  # as the store reads it: the stored slice, folded
        return fold(slice_, [
            {"day": d, "cell": c, **n}
            for (v, s, d, c), n in sorted(self.counters.items())
            if v == version and s == stored and start.isoformat() <= d <= end.isoformat()
        ])  # fmt: skip

    def levels(self, version, slice_):
        stored, _ = source(slice_)
        return fold(slice_, [{"cell": c, **n} for (v, s, c), n in self.level.items()
                             if v == version and s == stored])  # fmt: skip

    def breaches(self, version, start, end):
        return [b for (v, d, _, _), b in sorted(self.breach.items())
                if v == version and start.isoformat() <= d <= end.isoformat()]  # fmt: skip

    def case_items(self, case_ids):
        return [{"id": c, "number": f"N-{c}", "subject": "konu"} for c in case_ids]

    def case_item(self, case_id):
        return None

    def customer_category(self, customer_id):
        return "normal"

    def log_page(self, utc_day, limit, cursor):
        day = sorted((e for evs in self.case_events.values() for e in evs
                      if e["occurred_at"][:10] == utc_day),
                     key=lambda e: (e["occurred_at"], e["case_id"], event_key(e)))  # fmt: skip
        start = int(cursor or 0)
        page = day[start:start + limit]  # fmt: skip
        return page, (str(start + limit) if start + limit < len(day) else None)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ev(case: str, kind: str, seq: int, at: datetime, data: dict, actor=None) -> dict:
    return {"id": f"{case}.{seq}.0", "type": f"destek.case.{kind}", "schema_version": 1,
            "case_id": case, "case_number": f"N-{case}", "sequence": seq, "index": 0,
            "occurred_at": iso(at), "actor": actor or {"kind": "system", "id": "destek"},
            "data": data}  # fmt: skip


def opened(case: str, at: datetime, channel: str = "phone") -> dict:
    return ev(case, "opened", 1, at, {"channel": channel, "case_type": "complaint",
                                      "priority": "normal", "customer_id": "cu"})  # fmt: skip


def routed(case: str, at: datetime, group: str = "urun") -> dict:
    return ev(case, "routed", 2, at, {"group_id": group, "priority": "normal",
                                      "reason_code": "default_group"})  # fmt: skip


def status(case: str, seq: int, at: datetime, to: str) -> dict:
    return ev(case, "status_changed", seq, at, {"status_from": "open", "status_to": to})


def resolved(case: str, seq: int, at: datetime) -> dict:
    return ev(case, "resolved", seq, at, {"status_from": "in_progress"})


def store_events(store: MemoryReports, *events: dict) -> None:
    for e in events:
        store.case_events.setdefault(e["case_id"], []).append(e)
        store.case_events[e["case_id"]].sort(key=event_key)


def feed(store: MemoryReports, *events: dict) -> None:
    """Store the events as the cases' partitions hold them, then deliver them in this order."""
    store_events(store, *events)
    projection = ReportProjection(store)
    for e in events:
        projection.handle(e)


def ask(store, name, start, end, by=(), today=date(2026, 3, 10)) -> Any:
    clock = lambda: datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=12)  # noqa: E731
    return ReportService(store, clock).report(ReportName(name), start, end, list(by))


def test_an_event_that_overtakes_an_earlier_one_applies_it_first():
    store = MemoryReports()
    events = [opened("a", T0), routed("a", T0 + timedelta(seconds=1), "satis")]
    store_events(store, *events)
    projection = ReportProjection(store)
    assert projection.handle(events[1]) == 2  # the routing arrived first: both applied
    assert projection.handle(events[0]) == 0  # the opening, late: a repeat
    assert projection.handle(events[1]) == 0
    table = ask(store, "volume", date(2026, 3, 2), date(2026, 3, 2), [Dimension.GROUP])
    assert [(r["group"], r["opened"]) for r in table.rows] == [("satis", 1)]
    assert store.writes == 1


def test_the_events_of_one_commit_are_applied_in_one_write():
    """Issue 21: a case change writes its events in one transaction (one sequence, indexes
    0, 1, …); the first delivered applies them all in one write, the rest are repeats."""
    store = MemoryReports()
    first = opened("a", T0)
    later = routed("a", T0 + timedelta(seconds=1), "satis")
    commit = [
        status("a", 3, T0 + timedelta(minutes=5), "in_progress"),
        {**resolved("a", 3, T0 + timedelta(minutes=5)), "id": "a.3.1", "index": 1},
    ]
    store_events(store, first, later, *commit)
    projection = ReportProjection(store)
    assert projection.handle(first) == 1  # not the next commit's routing
    assert projection.handle(later) == 1
    assert projection.handle(commit[0]) == 2 and projection.handle(commit[1]) == 0
    assert store.writes == 3
    table = ask(store, "volume", date(2026, 3, 2), date(2026, 3, 2), [Dimension.GROUP])
    counted = [(r["group"], r["opened"], r["resolved"]) for r in table.rows if r["opened"]]
    assert counted == [("satis", 1, 1)]
    # the opening was counted once, where routing put it: no unrouted cell was ever written
    assert [r["group"] for r in table.rows] == ["satis"]


def test_the_backlog_at_each_days_end_and_its_age():
    store = MemoryReports()
    day = timedelta(days=1)
    feed(store,
         opened("a", T0), routed("a", T0),  # Monday 10:00 Istanbul
         opened("b", T0 + day), routed("b", T0 + day),
         status("a", 3, T0 + 2 * day, "resolved"), resolved("a", 4, T0 + 2 * day))  # fmt: skip
    table = ask(store, "backlog", date(2026, 3, 2), date(2026, 3, 4), [Dimension.DAY])
    backlog = {r["day"]: r["backlog"] for r in table.rows}
    assert backlog == {"2026-03-02": 1, "2026-03-03": 2, "2026-03-04": 1}
    ages = {r["day"]: r["backlog_age_average"] for r in table.rows}
    assert ages["2026-03-02"] == 14 * 60  # opened at 10:00, the day ends at midnight
    assert ages["2026-03-03"] == (38 * 60 + 14 * 60) / 2
    assert ages["2026-03-04"] == 14 * 60 + 24 * 60  # b, a day and 14 hours old
    assert table.totals["backlog"] == 1  # the period's backlog is its last day's
    assert ask(store, "backlog", date(2026, 3, 2), date(2026, 3, 3)).totals["backlog"] == 2


def test_todays_backlog_is_as_old_as_it_is_now_not_at_midnight():
    """Today has not ended: its backlog's age is measured now (a case opened at 10:00 is 5
    hours old at 15:00), not at the coming midnight, which the case screen would contradict."""
    store = MemoryReports()
    feed(store, opened("a", T0), routed("a", T0))  # Monday 10:00 Istanbul
    today = ask(store, "backlog", date(2026, 3, 2), date(2026, 3, 2), today=date(2026, 3, 2))
    assert today.totals["backlog"] == 1
    assert today.totals["backlog_age_average"] == 5 * 60  # asked at 15:00 Istanbul
    by_day = ask(store, "backlog", date(2026, 3, 2), date(2026, 3, 2), [Dimension.DAY],
                 today=date(2026, 3, 2))  # fmt: skip
    assert [r["backlog_age_average"] for r in by_day.rows] == [5 * 60]


def test_a_report_reads_days_times_values_not_cases():
    store = MemoryReports()
    for n in range(30):
        at = T0 + timedelta(minutes=n)
        feed(store, opened(f"c{n}", at, "phone" if n % 2 else "web"),
             routed(f"c{n}", at + timedelta(seconds=1)))  # fmt: skip
    table = ask(store, "volume", date(2026, 3, 1), date(2026, 3, 3), [Dimension.CHANNEL])
    assert table.items_read == 2  # one day holds data, two channels
    assert {r["channel"]: r["opened"] for r in table.rows} == {"phone": 15, "web": 15}
    by_day = ask(store, "volume", date(2026, 3, 1), date(2026, 3, 3), [Dimension.DAY])
    assert [r["opened"] for r in by_day.rows] == [0, 30, 0] and by_day.items_read == 1


def test_bad_questions_are_refused():
    store = MemoryReports()
    with pytest.raises(Exception) as refused:
        ask(store, "volume", date(2026, 3, 1), date(2026, 3, 2),
            [Dimension.TYPE, Dimension.PRIORITY])  # fmt: skip
    assert refused.value.code == "unsupported_dimensions"
    with pytest.raises(Exception) as refused:
        ask(store, "volume", date(2025, 1, 1), date(2026, 3, 2))
    assert refused.value.code == "period_too_long"


def test_a_rebuild_gives_the_same_numbers_twice_and_reads_through_versions():
    store = MemoryReports()
    now = T0 + timedelta(days=3)
    for n in range(25):
        at = T0 + timedelta(hours=n * 2)
        feed(store, opened(f"c{n}", at, "web" if n % 3 else "phone"), routed(f"c{n}", at))
        if n % 2:
            feed(store, status(f"c{n}", 3, at + timedelta(hours=1), "resolved"),
                 resolved(f"c{n}", 4, at + timedelta(hours=1)))  # fmt: skip
    sent: list[dict] = []
    rebuild = ReportRebuild(store, sent.append, clock=lambda: now, page=7)
    start, end = date(2026, 3, 1), date(2026, 3, 5)
    live = ask(store, "volume", start, end, [Dimension.DAY, Dimension.CHANNEL]).rows
    assert sum(r["opened"] for r in live) == 25 and sum(r["resolved"] for r in live) == 12
    for version in (2, 3):
        status_ = rebuild.start(date(2026, 3, 2))
        assert status_.version == version
        while sent:
            rebuild.step(sent.pop())
        assert rebuild.status().done and rebuild.status().live == version
        assert ask(store, "volume", start, end, [Dimension.DAY, Dimension.CHANNEL]).rows == live
        backlog = ask(store, "backlog", start, end, [Dimension.DAY], today=date(2026, 3, 5))
        assert backlog.totals["backlog"] == 13  # the 13 even-numbered cases are open
    # a step sent twice moves nothing twice
    rebuild.start(date(2026, 3, 2))
    first = sent.pop()
    rebuild.step(first)
    assert rebuild.step(first) is False
    assert report_day(iso(now)) == "2026-03-05"


def test_an_event_dated_before_the_live_versions_first_day_still_counts_on_its_day():
    """After a rebuild from 4 March, 2 and 3 March read version 1: events of those days
    delivered late (or a case worked with a clock set back) reach version 1 too."""
    store = MemoryReports()
    now = T0 + timedelta(days=3)
    feed(store, opened("a", T0), routed("a", T0))  # 2 March
    sent: list[dict] = []
    rebuild = ReportRebuild(store, sent.append, clock=lambda: now)
    rebuild.start(date(2026, 3, 4))
    while sent:
        rebuild.step(sent.pop())
    assert rebuild.status().live == 2
    late = T0 + timedelta(days=1)  # 3 March, delivered after the rebuild
    feed(store, opened("b", late, "web"), routed("b", late),
         status("b", 3, late + timedelta(hours=1), "resolved"),
         resolved("b", 4, late + timedelta(hours=1)))  # fmt: skip
    feed(store, status("a", 3, now, "resolved"), resolved("a", 4, now))  # 5 March: version 2
    table = ask(store, "volume", date(2026, 3, 2), date(2026, 3, 5), [Dimension.DAY],
                today=now.date())  # fmt: skip
    counts = {r["day"]: (r["opened"], r["resolved"]) for r in table.rows}
    assert counts == {"2026-03-02": (1, 0), "2026-03-03": (1, 1), "2026-03-04": (0, 0),
                      "2026-03-05": (0, 1)}  # fmt: skip


def test_every_report_column_and_dimension_has_words_in_both_languages():
    import json
    from pathlib import Path

    from chalicelib.services.reports import (
        ASSISTANT_COLUMNS,
        COLUMNS,
        DEFLECTION_COLUMNS,
        PRODUCT_COLUMNS,
        TOPIC_COLUMNS,
    )

    folder = Path(__file__).resolve().parents[2] / "templates" / "console" / "strings"
    keys = {f"report_{r.value}" for r in ReportName}
    keys |= {f"report_dim_{d.value}" for d in Dimension}
    columns = [*TOPIC_COLUMNS, *PRODUCT_COLUMNS, *(c for cols in COLUMNS.values() for c in cols)]
    keys |= {f"report_col_{key}" for key, _ in [*columns, *DEFLECTION_COLUMNS, *ASSISTANT_COLUMNS]}
    for language in ("tr", "en"):
        words = json.loads((folder / f"{language}.json").read_text(encoding="utf-8"))
        assert sorted(keys - set(words)) == [], language


def test_months_cut_a_period_at_month_ends():
    from chalicelib.store.reports import months

    assert months(date(2026, 1, 30), date(2026, 3, 2)) == [
        ("2026-01", "2026-01-30", "2026-01-31"), ("2026-02", "2026-02-01", "2026-02-28"),
        ("2026-03", "2026-03-01", "2026-03-02")]  # fmt: skip
    assert months(date(2026, 12, 5), date(2026, 12, 5)) == [("2026-12", "2026-12-05",
                                                              "2026-12-05")]  # fmt: skip


def test_the_assistant_report_gives_each_days_outcomes_and_shares():
    from chalicelib.domain.assistant_state import AssistantDay
    from chalicelib.domain.errors import InvalidInput

    days = [AssistantDay(day="2026-11-02", conversations=4, answered=3, handed_over=1),
            AssistantDay(day="2026-11-03", conversations=1, abandoned=1)]  # fmt: skip
    service = ReportService(None, assistant_days=lambda start, end: days)
    table = service.report(ReportName.ASSISTANT, date(2026, 11, 1), date(2026, 11, 3),
                           [Dimension.DAY])  # fmt: skip
    assert [r["conversations"] for r in table.rows] == [0, 4, 1]
    assert table.rows[1]["answered_share"] == 0.75 and table.rows[0]["answered_share"] is None
    assert table.totals["conversations"] == 5 and table.totals["abandoned_share"] == 0.2
    whole = service.report(ReportName.ASSISTANT, date(2026, 11, 1), date(2026, 11, 3), [])
    assert whole.rows == [] and whole.totals["handed_over"] == 1
    with pytest.raises(InvalidInput):
        service.report(ReportName.ASSISTANT, date(2026, 11, 1), date(2026, 11, 3),
                       [Dimension.GROUP])  # fmt: skip


# ---- a rebuild goes on in the invocation that takes its step ------------------------------


def _rebuild_world(cases: int = 25) -> tuple[MemoryReports, datetime]:
    store = MemoryReports()
    now = T0 + timedelta(days=3)
    for n in range(cases):
        at = T0 + timedelta(hours=n * 2)
        feed(store, opened(f"c{n}", at, "web" if n % 3 else "phone"), routed(f"c{n}", at))
        if n % 2:
            feed(store, status(f"c{n}", 3, at + timedelta(hours=1), "resolved"),
                 resolved(f"c{n}", 4, at + timedelta(hours=1)))  # fmt: skip
    return store, now


def _volume(store: MemoryReports) -> list[dict]:
    return ask(store, "volume", date(2026, 3, 1), date(2026, 3, 5),
               [Dimension.DAY, Dimension.CHANNEL]).rows  # fmt: skip


def test_a_rebuild_step_goes_on_with_the_next_steps_in_its_invocation():
    """Alone on the reports queue each step would wait out its 30 s batching window: `run`
    takes the whole rebuild in one call while time allows, and the messages each step still
    sent find their pages done and are dropped. Without the continuation the first call
    takes one page and the rebuild is not done."""
    store, now = _rebuild_world()
    live = _volume(store)
    sent: list[dict] = []
    rebuild = ReportRebuild(store, sent.append, clock=lambda: now, page=7)
    rebuild.start(date(2026, 3, 2))
    first = sent.pop()
    asked: list[float] = []

    def more(needs: float) -> bool:
        asked.append(needs)
        return True

    taken = rebuild.run(first, more)
    assert taken > 3  # every page of 4 days at 7 events a page, in this one call
    assert rebuild.status().done and rebuild.status().live == 2
    assert set(asked) == {10.0}  # a step of the log keeps the batch's 10 s
    assert len(sent) == taken - 1  # each step but the last sent its next as before
    assert all(rebuild.run(m, more) == 0 for m in sent)  # their pages are done: dropped
    assert _volume(store) == live


def test_a_rebuild_stops_when_its_invocation_runs_out_of_time_and_resumes_from_the_queue():
    store, now = _rebuild_world()
    live = _volume(store)
    sent: list[dict] = []
    rebuild = ReportRebuild(store, sent.append, clock=lambda: now, page=7)
    rebuild.start(date(2026, 3, 2))
    budget = iter([True, True, True, False])  # asked before each step: time for three
    assert rebuild.run(sent.pop(), lambda needs: next(budget)) == 3
    assert not rebuild.status().done and rebuild.status().pages == 3
    assert [m["page"] for m in sent] == [1, 2, 3]  # the last one is the step awaited
    assert rebuild.run(sent.pop(), lambda needs: True) > 1  # the next invocation goes on
    assert rebuild.status().done
    assert _volume(store) == live


def test_a_rebuild_that_dies_mid_run_resumes_from_its_queued_step():
    """The invocation dies after two pages (a timeout, a crash): the message the second
    step sent is on the queue, and a later invocation finishes from it; nothing counts
    twice."""
    store, now = _rebuild_world()
    live = _volume(store)
    sent: list[dict] = []
    rebuild = ReportRebuild(store, sent.append, clock=lambda: now, page=7)
    rebuild.start(date(2026, 3, 2))
    steps = [0]
    real_log_page = store.log_page

    def dies_at_the_third(utc_day, limit, cursor):
        steps[0] += 1
        if steps[0] == 3:
            raise TimeoutError("the invocation ends here")
        return real_log_page(utc_day, limit, cursor)

    store.log_page = dies_at_the_third
    with pytest.raises(TimeoutError):
        rebuild.run(sent.pop(), lambda needs: True)
    store.log_page = real_log_page
    assert rebuild.status().pages == 2 and [m["page"] for m in sent] == [1, 2]
    queued = sent[:]
    sent.clear()
    for message in queued:  # the queue hands both over; the first is a step already taken
        rebuild.run(message, lambda needs: True)
    assert rebuild.status().done
    assert _volume(store) == live


def test_a_first_step_without_time_left_is_sent_again_as_it_is():
    """The batch's own events took the invocation's time: the step goes back on the queue
    at once (failing its record would hold it for the visibility timeout), untaken."""
    store, now = _rebuild_world(4)
    sent: list[dict] = []
    rebuild = ReportRebuild(store, sent.append, clock=lambda: now, page=7)
    rebuild.start(date(2026, 3, 2))
    first = sent.pop()
    assert rebuild.run(first, lambda needs: False) == 0
    assert sent == [first] and rebuild.status().pages == 0
    assert rebuild.run({**first, "page": 5}, lambda needs: False) == 0  # not awaited: dropped
    assert sent == [first]


def test_a_step_of_the_archive_needs_its_querys_limit_and_its_writes():
    store, now = _rebuild_world(1)
    limits = SimpleNamespace(seconds=20.0)
    rebuild = ReportRebuild(store, lambda m: None, clock=lambda: now,
                            archive=SimpleNamespace(limits=limits))  # fmt: skip
    assert rebuild.step_seconds({"phase": "archive"}) == 25.0
    assert rebuild.step_seconds({"phase": "log"}) == 10.0
