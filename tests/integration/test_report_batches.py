"""Issue 21: the report projection writes per SQS batch, on the moto server's table: a batch
of many cases on one day writes its shared counter cells once (counted in items and write
units against the same cases committed one by one), a redelivered batch changes no counter,
two containers handling overlapping batches at once count each event exactly once, and a
chunk that cannot be written returns only its own records to the queue."""

from __future__ import annotations

import json
import math
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from bench.units import item_size
from chalicelib import wiring
from chalicelib.domain.clock import ISTANBUL, to_iso, utcnow
from chalicelib.services.report_projection import ReportProjection, read_versions
from chalicelib.store.reports import DynamoReportStore


class Counting:
    """The table, counting what the report store writes: items and DynamoDB's write units
    (a transaction's item twice, bench/units.py's sizes; a counter update is under 1 KB)."""

    def __init__(self, table: Any) -> None:
        self.table = table
        self.transactions: list[int] = []
        self.puts = 0
        self.units = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.table, name)

    def transact(self, operations: list[dict[str, Any]]) -> None:
        self.table.transact(operations)  # counted once written (none is cancelled here)
        self.transactions.append(len(operations))
        for op in operations:
            ((_, params),) = op.items()
            self.units += 2 * self.size_units(params.get("Item"))

    def put(self, item: dict[str, Any], **kwargs: Any) -> None:
        self.table.put(item, **kwargs)
        self.puts += 1
        self.units += self.size_units(item)

    def size_units(self, item: dict[str, Any] | None) -> int:
        """1 KB units of an item (a counter update, no item here, is under 1 KB)."""
        return max(1, math.ceil(item_size(self.table.ser(item) if item else None) / 1024))


def events_of(cases: list[str], group: str) -> list[dict[str, Any]]:
    """Each case opened and routed to `group` a second later, now (the live version's day)."""
    now = utcnow() - timedelta(minutes=1)
    out = []
    for case in cases:
        actor = {"kind": "system", "id": "destek"}
        common = {"schema_version": 1, "case_id": case, "case_number": f"N-{case}",
                  "index": 0, "actor": actor}  # fmt: skip
        out.append({**common, "id": f"{case}.1.0", "type": "destek.case.opened", "sequence": 1,
                    "occurred_at": to_iso(now),
                    "data": {"channel": "phone", "case_type": "complaint", "priority": "normal",
                             "customer_id": "cu-none"}})  # fmt: skip
        out.append({**common, "id": f"{case}.2.0", "type": "destek.case.routed", "sequence": 2,
                    "occurred_at": to_iso(now + timedelta(seconds=1)),
                    "data": {"group_id": group, "priority": "normal",
                             "reason_code": "default_group"}})  # fmt: skip
    return out


def counters(group: str) -> dict[str, Any]:
    """The group's counters today and its level, as a report reads them."""
    store = DynamoReportStore(wiring.table())
    live = read_versions(store).live
    today = utcnow().astimezone(ISTANBUL).date()
    days = [i for i in store.days(live, "group", today - timedelta(days=1), today)
            if i["cell"] == group]  # fmt: skip
    levels = [i for i in store.levels(live, "group") if i["cell"] == group]
    return {"days": days, "levels": levels}


def strip(found: dict[str, Any]) -> list[dict[str, Any]]:
    """The counters without the cell's own value (two groups compared)."""
    return [{k: v for k, v in i.items() if k not in ("PK", "SK", "cell")}
            for i in found["days"] + found["levels"]]  # fmt: skip


def fresh(n: int) -> list[str]:
    return [f"rb-{uuid.uuid4().hex[:10]}" for _ in range(n)]


def test_a_batch_writes_its_shared_cells_once_and_a_redelivery_changes_nothing(aws_env):
    """20 cases opened and routed to one group on one day: one by one, 20 transactions of
    the state and its 10 day cells and 10 levels (420 items); as one batch, one
    transaction of 20 states and the 20 cells once (40 items)."""
    alone_group, batch_group = f"g-{uuid.uuid4().hex[:8]}", f"g-{uuid.uuid4().hex[:8]}"
    alone = Counting(wiring.table())
    for case in fresh(20):
        assert ReportProjection(DynamoReportStore(alone)).handle_batch(  # type: ignore[arg-type]
            events_of([case], alone_group)).failed == frozenset()  # fmt: skip
    batched = Counting(wiring.table())
    events = events_of(fresh(20), batch_group)
    result = ReportProjection(DynamoReportStore(batched)).handle_batch(events)  # type: ignore[arg-type]
    assert (result.applied, result.failed) == (40, frozenset())

    assert alone.transactions == [21] * 20 and batched.transactions == [40]
    assert batched.units * 5 < alone.units  # 80 units against 840 (the states under 1 KB)
    counted, expected = counters(batch_group), counters(alone_group)
    assert strip(counted) == strip(expected) and counted["days"][0]["opened"] == 20
    assert counted["levels"][0]["active"] == 20

    again = Counting(wiring.table())
    redelivered = ReportProjection(DynamoReportStore(again)).handle_batch(events + events[:7])  # type: ignore[arg-type]
    assert (redelivered.applied, redelivered.failed) == (0, frozenset())
    assert again.transactions == [] and again.puts == 0
    assert counters(batch_group) == counted


class Overlapping(DynamoReportStore):
    """A container's store whose first read of the batch's states waits until the other
    container has read its own: both read before either writes, so both work out the
    writes of the cases their batches share (the race, forced, with no sleep)."""

    def __init__(self, table: Any, barrier: threading.Barrier) -> None:
        super().__init__(table)
        self.barrier = barrier
        self.outcomes: list[bool] = []

    def states(self, version, case_ids):
        found = super().states(version, case_ids)
        if not self.outcomes and self.barrier is not None:
            self.barrier.wait()
        return found

    def write_chunk(self, version, writes):
        outcome = super().write_chunk(version, writes)
        self.outcomes.append(outcome.written)
        return outcome


def test_two_containers_on_overlapping_batches_count_each_event_once(aws_env):
    group = f"g-{uuid.uuid4().hex[:8]}"
    cases = fresh(10)
    first, second = events_of(cases[:6], group), events_of(cases[3:], group)
    barrier = threading.Barrier(2, timeout=60)
    stores = [Overlapping(wiring.table(), barrier) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda pair: ReportProjection(pair[0]).handle_batch(pair[1]),
                                zip(stores, (first, second), strict=True)))  # fmt: skip
    assert all(r.failed == frozenset() for r in results)
    assert sum(r.applied for r in results) == 20  # 10 openings and 10 routings, once
    # one container's chunk held cases the other had written: cancelled, then written again
    assert sorted(s.outcomes for s in stores) == [[False, True], [True]]
    found = counters(group)
    assert [d["opened"] for d in found["days"]] == [10]
    assert [lv["active"] for lv in found["levels"]] == [10]


class FirstChunkFails(DynamoReportStore):
    def __init__(self, table: Any) -> None:
        super().__init__(table)
        self.first: list[str] | None = None

    def write_chunk(self, version, writes):
        if self.first is None:
            self.first = [w.case_id for w in writes]
            raise RuntimeError("throttled past the SDK's retries")
        return super().write_chunk(version, writes)


def record(body: Any) -> dict[str, Any]:
    return {"messageId": str(uuid.uuid4()), "receiptHandle": "r",
            "body": body if isinstance(body, str) else json.dumps(body),
            "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0",
                           "SenderId": "s", "ApproximateFirstReceiveTimestamp": "0"},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
            "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:destek-reports",
            "awsRegion": "eu-central-1"}  # fmt: skip


def test_a_chunk_that_fails_returns_only_its_records_to_the_queue(aws_env, monkeypatch):
    from chalicelib.events import reports

    store = FirstChunkFails(wiring.table())
    monkeypatch.setattr(wiring, "report_projection", lambda: ReportProjection(store))
    cases = fresh(10)
    # a group each: 8 cells of its own beside 12 shared, so 10 cases are two chunks
    events = [e for case in cases for e in events_of([case], f"g-{uuid.uuid4().hex[:8]}")]
    records = [record({"detail-type": e["type"], "source": "destek.cases", "detail": e})
               for e in events]  # fmt: skip
    bad, garbled = record({"detail": {"id": "x"}}), record("not json")  # each fails alone
    answer = reports.handle_batch({"Records": [*records, bad, garbled]})
    assert store.first is not None and 0 < len(store.first) < len(cases)
    failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
    expected = {r["messageId"] for r, e in zip(records, events, strict=True)
                if e["case_id"] in store.first}  # fmt: skip
    assert failed == expected | {bad["messageId"], garbled["messageId"]}
    written = store.states(read_versions(store).live, cases)
    assert set(written) == set(cases) - set(store.first)
    # the records returned are applied when they come back
    again = reports.handle_batch({"Records": [r for r in records if r["messageId"] in expected]})
    assert again["batchItemFailures"] == []
    assert set(store.states(read_versions(store).live, cases)) == set(cases)


def test_a_batch_whose_every_record_fails_raises(aws_env):
    from chalicelib.events import reports

    with pytest.raises(reports.BatchFailed):
        reports.handle_batch({"Records": [record("not json"), record({"detail": {}})]})


def test_a_batchs_case_events_go_before_its_rebuild_step_which_fails_alone(monkeypatch):
    """Supervisors wait on the case events, a rebuild is hours of pages: a batch's events
    are projected first, then its rebuild steps go on with the next ones in the time left
    (services/report_projection.py `ReportRebuild.run`, one budget for the batch). A step
    that fails returns its record alone."""
    from chalicelib.events import reports
    from chalicelib.services.report_projection import BatchResult

    order: list[Any] = []

    class Projection:
        def handle_batch(self, events, time_left):
            order.append(("events", len(events)))
            return BatchResult(len(events), frozenset())

    class Rebuild:
        def run(self, message, more):
            order.append(("rebuild", message["page"], more()))
            if message["page"] == 9:
                raise RuntimeError("the step failed")
            return 1

    monkeypatch.setattr(wiring, "report_projection", Projection)
    monkeypatch.setattr(wiring, "report_rebuild", Rebuild)
    step, broken = (record({"kind": "rebuild", "version": 2, "page": n}) for n in (0, 9))
    cases = [record({"detail-type": e["type"], "source": "destek.cases", "detail": e})
             for e in events_of(fresh(1), "g-order")]  # fmt: skip
    answer = reports.handle_batch({"Records": [step, *cases, broken]})
    assert order == [("events", 2), ("rebuild", 0, True), ("rebuild", 9, True)]
    assert answer["batchItemFailures"] == [{"itemIdentifier": broken["messageId"]}]
