"""Issue 21: the report projection writes per SQS batch, not per event. The packing
(domain/report_batch.py) and `ReportProjection.handle_batch` on the in-memory store: a cell
the batch's cases share is written once with their increments summed, chunks stay within a
transaction's limits and are as few as the greedy finds, a redelivered batch changes
nothing, and a chunk that cannot be written fails only its own cases."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from chalicelib.domain.report_batch import (
    MAX_ITEMS,
    CaseWrite,
    ChunkOutcome,
    items_of,
    pack,
    summed,
)
from chalicelib.domain.report_projection import Increments, ReportState
from chalicelib.services.report_projection import BatchResult, ReportProjection
from chalicelib.store.dynamo import CancelReason, TransactionCanceled
from chalicelib.store.reports import DynamoReportStore

from .test_report_cells import Recorder as CellsRecorder
from .test_report_service import T0, MemoryReports, ev, opened, routed, store_events


def write(case: str, cells: list[tuple[str, str]], breaches: int = 0) -> CaseWrite:
    """A case's write adding 1 `opened` to each (slice, value) cell on one day and its level."""
    days = {("2026-03-02", s, v): {"opened": 1} for s, v in cells}
    levels = {(s, v): {"active": 1} for s, v in cells}
    state = ReportState(case_id=case, opened_at=T0, values={}, revision=1)
    return CaseWrite(state, 0, Increments(days=days, levels=levels),
                     [{"case_id": case, "day": "2026-03-02", "target": str(i)}
                      for i in range(breaches)], applied=1)  # fmt: skip


def shared(n: int) -> list[tuple[str, str]]:
    return [(f"s{i}", "urun") for i in range(n)]


def test_cases_sharing_their_cells_go_in_one_chunk_and_each_cell_once():
    writes = [write(f"c{i}", shared(10)) for i in range(50)]
    [chunk] = pack(writes)
    assert len(chunk) == 50 and items_of(chunk) == 50 + 20  # 50 states, 20 cells once
    total = summed(chunk)
    assert total.days[("2026-03-02", "s0", "urun")] == {"opened": 50}
    assert total.levels[("s3", "urun")] == {"active": 50}


def test_chunks_stay_within_the_items_of_a_transaction_and_keep_every_case_once():
    # each case has 10 cells of its own and 10 shared: 21 items alone, 11 more beside another
    writes = [write(f"c{i}", shared(5) + [(f"own{j}", f"c{i}") for j in range(5)])
              for i in range(40)]  # fmt: skip
    chunks = pack(writes)
    assert all(items_of(c) <= MAX_ITEMS for c in chunks)
    assert sorted(w.case_id for c in chunks for w in c) == sorted(w.case_id for w in writes)
    # 10 shared items a chunk, then 11 a case: 8 cases a chunk, 5 chunks (not 40)
    assert len(chunks) == 5


def test_interleaved_kinds_of_case_take_as_few_chunks_as_they_need():
    """Two kinds of case, interleaved, each kind's 20 cells its own: 45 of a kind are 65
    items, both kinds 130: two chunks."""
    a = [write(f"a{i}", [(f"s{j}", "a") for j in range(10)]) for i in range(45)]
    b = [write(f"b{i}", [(f"s{j}", "b") for j in range(10)]) for i in range(45)]
    chunks = pack([x for pair in zip(a, b, strict=True) for x in pair])
    assert len(chunks) == 2 and sum(len(c) for c in chunks) == 90
    assert all(items_of(c) <= MAX_ITEMS for c in chunks)


def test_a_state_alone_is_a_chunk_of_its_own_and_a_case_over_the_limit_is_refused():
    alone = CaseWrite(ReportState(case_id="o", opened_at=T0, values={}, revision=1), 0)
    chunks = pack([alone, write("c", shared(3)), alone.__class__(alone.state, 0)])
    assert [len(c) for c in chunks] == [1, 1, 1] and chunks[0][0].case_id == "c"
    with pytest.raises(ValueError):
        pack([write("big", shared(50))])  # 101 items
    # 4 cells, then a state and 2 breach records a case: 32 cases are 100 items, 33 are not
    assert len(pack([write(f"c{i}", shared(2), breaches=2) for i in range(32)])) == 1
    assert len(pack([write(f"c{i}", shared(2), breaches=2) for i in range(33)])) == 2
    assert pack([]) == []


def test_the_bytes_of_a_chunk_are_bounded_too():
    writes = [write(f"c{i}", shared(2)) for i in range(10)]
    size = writes[0].own_bytes() + 2 * 2_000 * 2  # one case and its four cells
    assert len(pack(writes, max_bytes=size)) == 10


def batch_of(cases: int, group: str = "urun") -> list[dict]:
    """The opening and the routing of each case, as a batch delivers them (all stored)."""
    events = []
    for i in range(cases):
        at = T0 + timedelta(minutes=i)
        events += [opened(f"k{i}", at), routed(f"k{i}", at + timedelta(seconds=1), group)]
    return events


def counted(store: MemoryReports) -> dict:
    return {k: dict(v) for k, v in store.counters.items()} | {
        ("level",) + k: dict(v) for k, v in store.level.items()}  # fmt: skip


def test_a_batch_counts_what_the_events_one_by_one_count_in_fewer_transactions():
    one_by_one, batched = MemoryReports(), MemoryReports()
    events = batch_of(30)
    store_events(one_by_one, *events)
    store_events(batched, *events)
    for e in events:
        ReportProjection(one_by_one).handle(e)
    result = ReportProjection(batched).handle_batch(events)
    assert result.applied == 60 and result.failed == frozenset()
    assert counted(batched) == counted(one_by_one)
    assert batched.states_ == one_by_one.states_
    # 30 routings that count their openings (30 transactions one by one) are one here
    assert batched.chunks == [30]
    assert Counter(v["opened"] for k, v in counted(batched).items() if k[0] == 1) == {30: 10}


def test_a_redelivered_batch_changes_nothing():
    store = MemoryReports()
    events = batch_of(5)
    store_events(store, *events)
    projection = ReportProjection(store)
    projection.handle_batch(events)
    before, chunks = counted(store), list(store.chunks)
    again = projection.handle_batch(list(reversed(events)) + events[:3])
    assert again.applied == 0 and again.failed == frozenset()
    assert counted(store) == before and store.chunks == chunks


def test_events_out_of_order_across_batches_each_count_once():
    store = MemoryReports()
    events = batch_of(4)
    store_events(store, *events)
    projection = ReportProjection(store)
    assert projection.handle_batch(events[5::-2]).applied == 6  # the routings: openings first
    assert projection.handle_batch(events).applied == 2  # the last case
    expected = MemoryReports()
    store_events(expected, *events)
    ReportProjection(expected).handle_batch(events)
    assert counted(store) == counted(expected)


class Moving(MemoryReports):
    """Another container keeps applying `hot`'s events: its state has moved on (its revision)
    each time a chunk holding it is written."""

    def __init__(self, hot: str) -> None:
        super().__init__()
        self.hot, self.tries = hot, 0

    def write_chunk(self, version, writes):
        if any(w.case_id == self.hot for w in writes):
            self.tries += 1
            key = (version, self.hot)
            if key in self.states_:
                self.states_[key] = self.states_[key].model_copy(
                    update={"revision": self.states_[key].revision + 1})  # fmt: skip
        return super().write_chunk(version, writes)


def test_a_case_that_keeps_moving_fails_alone_and_its_chunk_mates_are_written():
    events = batch_of(6)
    store = Moving("k2")
    store_events(store, *events)
    projection = ReportProjection(store)
    projection.handle_batch(events[:6])  # the first three cases' openings and routings
    result = projection.handle_batch(events + [ev("k2", "status_changed", 3, T0 + timedelta(
        hours=1), {"status_from": "open", "status_to": "in_progress"})])  # fmt: skip
    assert result.failed == {"k2.1.0", "k2.2.0", "k2.3.0"}  # the hot case's records alone
    assert store.tries == 3 + 1  # three rounds (and the first batch's)
    assert {c for (_, c) in store.states_} == {f"k{i}" for i in range(6)}
    assert store.states_[(1, "k5")].cursor == "00000002#00"


class Busy(MemoryReports):
    """The first `conflicts` chunk writes meet another transaction on a hot cell."""

    def __init__(self, conflicts: int) -> None:
        super().__init__()
        self.conflicts = conflicts

    def write_chunk(self, version, writes):
        if self.conflicts:
            self.conflicts -= 1
            return ChunkOutcome(written=False, busy=True)
        return super().write_chunk(version, writes)


def test_a_transaction_conflict_is_tried_again_after_a_jittered_pause_then_fails_its_records():
    pauses: list[float] = []
    store = Busy(conflicts=2)
    events = batch_of(3)
    store_events(store, *events)
    projection = ReportProjection(store, sleep=pauses.append, jitter=lambda: 0.5)
    assert projection.handle_batch(events) == BatchResult(6, frozenset())
    assert pauses == [0.05, 0.1]  # 50 ms × 2^round × (0.5 + jitter)
    stuck = Busy(conflicts=99)
    store_events(stuck, *events)
    pauses.clear()
    result = ReportProjection(stuck, sleep=pauses.append, jitter=lambda: 0.0).handle_batch(events)
    assert result.failed == {e["id"] for e in events} and len(pauses) == 2
    assert stuck.counters == {}


class Broken(MemoryReports):
    """The first chunk's transaction fails for another reason (a throttle past the SDK's
    retries, say); the rest are written."""

    def __init__(self) -> None:
        super().__init__()
        self.first: list[str] | None = None

    def write_chunk(self, version, writes):
        if self.first is None:
            self.first = [w.case_id for w in writes]
            raise RuntimeError("throttled")
        return super().write_chunk(version, writes)


def test_a_chunk_that_fails_fails_only_its_own_cases_records():
    store = Broken()
    # each case in a group of its own: 4 cases a chunk, so 10 cases are 3 chunks
    events = [dict(e, case_id=f"x{i}", id=f"x{i}.{e['sequence']}") for i in range(10)
              for e in batch_of(1, f"g{i}")]  # fmt: skip
    store_events(store, *events)
    result = ReportProjection(store).handle_batch(events)
    assert store.first and len(store.first) < 10
    assert result.failed == {e["id"] for e in events if e["case_id"] in store.first}
    # the others' openings and routings are written, the first chunk's not at all
    assert {c for (_, c) in store.states_} == {f"x{i}" for i in range(10)} - set(store.first)


class Recorder(CellsRecorder):
    """test_report_cells' table, whose transactions are refused for `refuse` (a reason
    code, given to the transaction's second item) when it is set."""

    def __init__(self, refuse: str | None = None) -> None:
        super().__init__()
        self.refuse_transaction = refuse

    def transact(self, operations) -> None:
        if self.refuse_transaction:
            reasons = [CancelReason("None", None)] * len(operations)
            reasons[1] = CancelReason(self.refuse_transaction, None)
            raise TransactionCanceled(reasons)
        super().transact(operations)


def test_a_chunk_is_one_transaction_of_its_states_first_then_each_cell_once():
    a, b = write("a", shared(2), breaches=1), write("b", shared(2), breaches=1)
    b.breaches.append(dict(b.breaches[0], at="later"))  # breached again the same day
    table = Recorder()
    store = DynamoReportStore(table)  # type: ignore[arg-type]
    assert store.write_chunk(1, [a, b]).written
    [operations] = table.transactions
    assert [op["Put"]["Item"]["PK"] for op in operations[:2]] == ["RPTCASE#1#a", "RPTCASE#1#b"]
    assert operations[0]["Put"]["ConditionExpression"] == "attribute_not_exists(PK)"
    updates = [op["Update"] for op in operations if "Update" in op]
    assert len(updates) == 4 and all(u["ExpressionAttributeValues"][":c0"] == 2 for u in updates)
    records = [op["Put"]["Item"] for op in operations[2:] if "Put" in op]
    assert [(r["SK"], r.get("at")) for r in records] == [
        ("2026-03-02#a#0", None), ("2026-03-02#b#0", "later")]  # fmt: skip
    alone = CaseWrite(ReportState(case_id="o", opened_at=T0, values={}, revision=2), 1)
    assert store.write_chunk(1, [alone]).written and table.puts[0]["item"]["PK"] == "RPTCASE#1#o"
    assert len(table.transactions) == 1  # the state alone: a PutItem, not a transaction


def test_a_cancelled_chunk_says_which_states_moved_or_that_it_met_another_transaction():
    a, b = write("a", shared(2)), write("b", shared(2))
    moved = DynamoReportStore(Recorder("ConditionalCheckFailed")).write_chunk(1, [a, b])  # type: ignore[arg-type]
    assert moved == ChunkOutcome(written=False, moved=frozenset({"b"}))
    busy = DynamoReportStore(Recorder("TransactionConflict")).write_chunk(1, [a, b])  # type: ignore[arg-type]
    assert busy == ChunkOutcome(written=False, busy=True)
    with pytest.raises(TransactionCanceled):
        DynamoReportStore(Recorder("ValidationError")).write_chunk(1, [a, b])  # type: ignore[arg-type]


class Billed(MemoryReports):
    """The in-memory store, billing each write as DynamoDB would (every item under 1 KB): a
    state alone is a PutItem (1 unit), a transaction 2 units an item."""

    def __init__(self) -> None:
        super().__init__()
        self.units = 0

    def write(self, version, state, expected_revision, increments, breaches):
        written = super().write(version, state, expected_revision, increments, breaches)
        items = len(increments.days) + len(increments.levels) + len(breaches)
        self.units += (2 * (1 + items) if items else 1) if written else 0
        return written

    def write_chunk(self, version, writes):
        if len(writes) == 1:  # as the store: a lone case's write is its own
            ok = self.write(version, writes[0].state, writes[0].expected,
                            writes[0].increments, writes[0].breaches)  # fmt: skip
            return ChunkOutcome(written=ok, moved=frozenset() if ok else {writes[0].case_id})
        before = self.units
        outcome = super().write_chunk(version, writes)  # its states via `write`: billed anew
        total = summed(writes)
        cells = len(total.days) + len(total.levels) + sum(len(w.breaches) for w in writes)
        self.units = before + (2 * (len(writes) + cells) if outcome.written else 0)
        return outcome


def a_day_of_lives(cases: int) -> list[dict]:
    """Each case opened, routed to one of 3 groups, claimed by one of its 3 agents, answered,
    resolved and closed between 09:00 and about 15:00 Istanbul, every event of the day in
    time order (9 a case, 5 of them counting)."""
    out = []
    for i in range(cases):
        c, g = f"d{i}", f"g{i % 3}"
        agent, at = f"{g}-a{i % 9 // 3}", T0 + timedelta(minutes=(i * 37) % 360)

        def e(kind, seq, minutes, data, index=0, c=c, at=at):
            return dict(ev(c, kind, seq, at + timedelta(minutes=minutes), data), index=index,
                        id=f"{c}.{seq}.{index}")  # fmt: skip

        out += [
            opened(c, at, ("web", "phone")[i % 2]),
            routed(c, at + timedelta(seconds=1), g),
            e("assigned", 3, 10, {"group_id": g, "assignee": agent, "how": "claimed"}),
            e("status_changed", 3, 10, {"status_from": "open", "status_to": "in_progress"}, 1),
            e("agent_replied", 4, 30, {"first_response": True}),
            e("status_changed", 5, 90, {"status_from": "in_progress", "status_to": "resolved"}),
            e("resolved", 5, 90, {"status_from": "in_progress", "assignee": agent}, 1),
            e("status_changed", 6, 120, {"status_from": "resolved", "status_to": "closed"}),
            e("closed", 6, 120, {"status_from": "resolved"}, 1),
        ]
    return sorted(out, key=lambda x: x["occurred_at"])


def test_a_day_of_case_lives_in_batches_of_100_bills_under_a_quarter_of_the_units():
    """The synthetic measure of docs/performance.md: 100 case lives, event by event 147 write
    units a case (as `python -m bench.case_life` counts the projection's), in batches of
    100 records about 29."""
    events = a_day_of_lives(100)
    one_by_one, batched = Billed(), Billed()
    store_events(one_by_one, *events)
    store_events(batched, *events)
    for e in events:
        ReportProjection(one_by_one).handle_batch([e])
    for start in range(0, len(events), 100):
        assert not ReportProjection(batched).handle_batch(events[start : start + 100]).failed
    assert counted(batched) == counted(one_by_one)
    assert one_by_one.units == 100 * 147
    assert batched.units < one_by_one.units / 4


class Direct(MemoryReports):
    """Records the cases written by `write` alone (not as part of a chunk)."""

    def __init__(self) -> None:
        super().__init__()
        self.direct: list[str] = []
        self.chunking = False

    def write(self, version, state, expected_revision, increments, breaches):
        if not self.chunking:
            self.direct.append(state.case_id)
        return super().write(version, state, expected_revision, increments, breaches)

    def write_chunk(self, version, writes):
        self.chunking = True
        try:
            return super().write_chunk(version, writes)
        finally:
            self.chunking = False


def test_a_case_catching_up_on_more_than_a_transaction_is_written_in_turn_beside_the_batch():
    """A case whose events reach 12 days (10 cells a day each) passes 100 items alone: its
    writes go one after another, conditional each on the one before; the other cases of
    the batch are packed as usual, and every count is what one by one gives."""
    long = [opened("long", T0), routed("long", T0 + timedelta(seconds=1))] + [
        ev("long", "agent_replied", 3 + day, T0 + timedelta(days=day, hours=1),
           {"first_response": False}, actor={"kind": "staff", "id": "ayse"})
        for day in range(12)
    ]  # fmt: skip
    events = long + batch_of(3)
    batched, one_by_one = Direct(), MemoryReports()
    store_events(batched, *events)
    store_events(one_by_one, *events)
    for e in events:
        ReportProjection(one_by_one).handle(e)
    result = ReportProjection(batched).handle_batch(events)
    assert (result.applied, result.failed) == (len(events), frozenset())
    assert batched.direct.count("long") >= 2 and set(batched.direct) == {"long"}
    assert batched.chunks == [3]
    assert counted(batched) == counted(one_by_one)
    assert batched.states_[(1, "long")].cursor == "00000014#00"


def test_the_cases_a_batch_has_no_time_left_for_return_to_the_queue_and_count_when_back():
    """Each case's reads wait on DynamoDB: with fewer than RESERVE_SECONDS left the cases
    not worked out yet are failed (a later batch brings them back), those worked out are
    written, and nothing is lost or counted twice."""
    store = MemoryReports()
    events = batch_of(6)
    store_events(store, *events)
    left = iter([30.0, 25.0, 20.0, 15.0, 9.0])  # seconds left before each case
    result = ReportProjection(store).handle_batch(events, lambda: next(left, 0.0))
    assert result.applied == 8  # four cases' openings and routings
    late = {c for (_, c) in store.states_} ^ {f"k{i}" for i in range(6)}
    assert len(late) == 2 and result.failed == {e["id"] for e in events if e["case_id"] in late}
    back = ReportProjection(store).handle_batch([e for e in events if e["id"] in result.failed])
    assert (back.applied, back.failed) == (4, frozenset())
    expected = MemoryReports()
    store_events(expected, *events)
    ReportProjection(expected).handle_batch(events)
    assert counted(store) == counted(expected)
