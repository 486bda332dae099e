"""Merge and split rules (domain/case_change.py) and the merge job's copy
(services/case_merges.py MergeJob), without AWS."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain import case_change as cc
from chalicelib.domain.cases import EntryKind, HistoryEntry, Visibility
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.notifications import NoticeEvent
from chalicelib.services.case_merges import MergeJob, MergeStep

from .test_case_change import AHMET, MEHMET, NOW, case_in

S = Status


def pair(source_status=S.IN_PROGRESS, into_status=S.OPEN, **into_fields):
    source = case_in(source_status)
    into = case_in(into_status, **{"id": "c2", "number": "2026-000008", "version": 3,
                                   "description": "ilk", **into_fields})  # fmt: skip
    return source, into


def test_a_merge_makes_the_source_merged_and_tells_its_customer():
    source, into = pair()
    gone, kept = cc.merge(source, into, MEHMET, NOW)
    after = gone.case
    assert after.status == S.MERGED and after.version == source.version + 1
    assert (after.merged_into, after.merged_into_number) == ("c2", "2026-000008")
    assert [(e.kind, e.visibility) for e in gone.entries] == [(EntryKind.MERGED,
                                                               Visibility.PUBLIC)]  # fmt: skip
    assert gone.entries[0].data == {"into_case_id": "c2", "into_number": "2026-000008"}
    assert [(n.event, n.audience, n.data) for n in gone.notices] == [
        (NoticeEvent.CASE_MERGED, "customer", {"into_number": "2026-000008"})]  # fmt: skip
    types = [e.type for e in gone.events]
    assert types == ["destek.case.merged", "destek.case.status_changed"]
    assert gone.events[0].data.role == "source" and gone.events[0].data.into_case_id == "c2"
    assert gone.events[1].data.status_to == "merged"
    assert gone.expected_version == source.version


def test_the_survivor_keeps_its_status_and_clocks_and_gets_the_opening_message():
    source, into = pair(into_status=S.WAITING_CUSTOMER)
    _, kept = cc.merge(source, into, MEHMET, NOW)
    assert kept.case.status == S.WAITING_CUSTOMER and kept.case.sla == into.sla
    assert kept.case.version == 4 and kept.expected_version == 3
    line, opening = kept.entries
    assert line.kind == EntryKind.MERGED and line.data["from_number"] == source.number
    assert opening.kind == EntryKind.REPLY and opening.actor.kind == "customer"
    assert opening.body == source.description and opening.at == source.created_at
    assert opening.data["merged_from"] == source.id and opening.case_id == "c2"
    assert [e.type for e in kept.events] == ["destek.case.merged"]
    assert kept.events[0].data.role == "survivor" and kept.events[0].case_id == "c2"
    assert kept.notices == []


@pytest.mark.parametrize(
    ("source_status", "into_status", "into_fields", "code"),
    [
        (S.OPEN, S.OPEN, {"id": "c1"}, "merge_into_itself"),
        (S.OPEN, S.OPEN, {"customer_id": "cu9"}, "different_customer"),
        (S.CLOSED, S.OPEN, {}, "case_closed"),
        (S.OPEN, S.CLOSED, {}, "target_closed"),
        (S.MERGED, S.OPEN, {}, "case_merged"),
        (S.OPEN, S.MERGED, {"merged_into": "c3", "merged_into_number": "2026-000009"},
         "case_merged"),
    ],
)  # fmt: skip
def test_merges_that_are_refused(source_status, into_status, into_fields, code):
    source, into = pair(source_status, into_status, **into_fields)
    if source_status == S.MERGED:
        source = source.model_copy(update={"merged_into": "c5", "merged_into_number": "x"})
    with pytest.raises(Conflict) as refused:
        cc.merge(source, into, MEHMET, NOW)
    assert refused.value.code == code


def test_a_resolved_case_may_be_merged_and_stops_its_clock():
    from chalicelib.domain.sla_tracking import next_moment

    source, into = pair(S.RESOLVED)
    gone, _ = cc.merge(source, into, MEHMET, NOW)
    assert next_moment(source) is not None  # the reopen window's end
    assert next_moment(gone.case) is None


def message(case_id="c1", actor=AHMET, kind=EntryKind.REPLY) -> HistoryEntry:
    return HistoryEntry(
        id="h-msg", case_id=case_id, at=NOW - timedelta(hours=2), actor=actor, kind=kind,
        visibility=Visibility.PUBLIC, body="Bir de faturam yanlış",
    )  # fmt: skip


def test_a_split_writes_a_line_and_an_event_on_the_source():
    source = case_in(S.IN_PROGRESS)
    command = cc.SplitOff(entry=message(), to_case_id="c9", to_number="2026-000010")
    change = cc.change_case(source, command, MEHMET, NOW)
    assert change.case.status == S.IN_PROGRESS and change.case.version == 6
    (line,) = change.entries
    assert line.kind == EntryKind.SPLIT and line.data == {
        "to_case_id": "c9", "to_number": "2026-000010", "entry_id": "h-msg"}  # fmt: skip
    (event,) = change.events
    assert event.type == "destek.case.split" and event.data.role == "source"
    assert change.notices == []


NOT_MESSAGES = [message(actor=MEHMET), message(kind=EntryKind.NOTE), message(case_id="c2")]


@pytest.mark.parametrize("entry", NOT_MESSAGES, ids=["staff", "note", "other"])
def test_only_a_customer_message_of_the_case_is_split(entry):
    command = cc.SplitOff(entry=entry, to_case_id="c9", to_number="2026-000010")
    with pytest.raises(InvalidInput) as refused:
        cc.change_case(case_in(S.OPEN), command, MEHMET, NOW)
    assert refused.value.code == "not_a_customer_message"


def test_a_closed_case_is_not_split():
    command = cc.SplitOff(entry=message(), to_case_id="c9", to_number="2026-000010")
    with pytest.raises(Conflict) as refused:
        cc.change_case(case_in(S.CLOSED), command, MEHMET, NOW)
    assert refused.value.code == "case_closed"


def test_the_split_off_case_opens_with_its_origin_and_takes_its_number():
    draft = case_in(S.NEW).model_copy(update={"id": "c9", "number": "", "version": 1})
    origin = cc.SplitOrigin(from_case_id="c1", from_number="2026-000007", entry_id="h-msg")
    opened = cc.numbered(cc.change_case(draft, cc.OpenCase(split=origin), MEHMET, NOW),
                         "2026-000010")  # fmt: skip
    assert [e.kind for e in opened.entries] == [EntryKind.CREATED, EntryKind.SPLIT]
    assert [e.type for e in opened.events] == ["destek.case.opened", "destek.case.split"]
    split = opened.events[1]
    assert split.case_number == "2026-000010" and split.data.to_case_number == "2026-000010"
    assert split.data.role == "new" and split.data.from_case_number == "2026-000007"


# ---- the merge job -------------------------------------------------------------------------


class FakeCases:
    """The store's side of the job: a partition per case, items in key order."""

    def __init__(self, source, into, items):
        self.cases = {source.id: source, into.id: into}
        self.partitions = {source.id: items, into.id: []}

    def get(self, case_id):
        from chalicelib.domain.case_record import CaseWithHistory

        return CaseWithHistory(case=self.cases[case_id], history=[], notices=[], attachments=[])

    def merged_items(self, source_id, cursor, limit):
        items = self.partitions[source_id]
        start = int(cursor or 0)
        end = start + limit
        return items[start:end], (str(end) if end < len(items) else None)

    def copy_to_survivor(self, survivor, items):
        stored = {i["SK"]: i for i in self.partitions[survivor.id]}
        for item in items:
            stored[item["SK"]] = {**item, "PK": f"CASE#{survivor.id}", "case_id": survivor.id}
        self.partitions[survivor.id] = sorted(stored.values(), key=lambda i: i["SK"])


class FakeFiles:
    def __init__(self):
        self.copied = []

    def copy_between_cases(self, source_id, into_id, attachment_id):
        self.copied.append((source_id, into_id, attachment_id))


class FakeCalls:
    def __init__(self):
        self.moved = []

    def repoint_calls(self, customer_id, from_id, to_id):
        self.moved.append((customer_id, from_id, to_id))
        return 1


def merged_world(lines: int):
    source, into = pair()
    gone, _ = cc.merge(source, into, MEHMET, NOW)
    items = [{"PK": "CASE#c1", "SK": "#CASE", "entity": "case"}]
    items += [{"PK": "CASE#c1", "SK": f"H#{i:04d}", "entity": "history", "id": f"h{i}",
               "kind": "reply" if i % 2 else "note", "data": {}} for i in range(lines)]  # fmt: skip
    items += [{"PK": "CASE#c1", "SK": "H#9999", "entity": "history", "id": "hs",
               "kind": "status_changed", "data": {}},
              {"PK": "CASE#c1", "SK": "F#a1", "entity": "attachment", "id": "a1"},
              {"PK": "CASE#c1", "SK": "N#n1", "entity": "notice", "id": "n1"}]  # fmt: skip
    store = FakeCases(gone.case, into, sorted(items, key=lambda i: i["SK"]))
    return store, FakeFiles(), FakeCalls()


def test_the_job_copies_lines_and_files_and_a_second_run_duplicates_nothing():
    store, files, calls = merged_world(lines=7)
    job = MergeJob(store, files, calls)
    step = MergeStep(source_id="c1", into_id="c2")
    assert job.run(step, pages=10) is None
    first = list(store.partitions["c2"])
    assert len(first) == 8  # 7 replies and notes, 1 file; not the meta, status line, notice
    assert all(i["data"]["merged_from"] == "c1" for i in first if i["entity"] == "history")
    assert job.run(step, pages=10) is None
    assert store.partitions["c2"] == first
    assert files.copied == [("c1", "c2", "a1")] * 2  # the same object again
    assert calls.moved == [("cu1", "c1", "c2")] * 2


def test_the_job_goes_a_page_at_a_time_and_hands_the_rest_on():
    import chalicelib.services.case_merges as merges

    store, files, calls = merged_world(lines=250)
    sent = []
    job = MergeJob(store, files, calls, enqueue=sent.append)
    original = merges.QUEUE_PAGES
    merges.QUEUE_PAGES = 1
    try:
        job.run_to_end(MergeStep(source_id="c1", into_id="c2"))
        assert len(sent) == 1 and sent[0]["cursor"] == "100" and calls.moved == []
        while sent:
            job.run_to_end(MergeStep.model_validate(sent.pop()))
    finally:
        merges.QUEUE_PAGES = original
    assert len(store.partitions["c2"]) == 251 and calls.moved == [("cu1", "c1", "c2")]


def test_the_job_refuses_a_case_that_was_not_merged_into_that_one():
    store, files, calls = merged_world(lines=1)
    with pytest.raises(InvalidInput) as refused:
        MergeJob(store, files, calls).run(MergeStep(source_id="c2", into_id="c1"), pages=1)
    assert refused.value.code == "not_merged"


def test_the_customer_reads_where_a_merged_case_lives_on():
    from chalicelib.domain.customer_view import customer_case, customer_history

    source, into = pair()
    gone, kept = cc.merge(source, into, MEHMET, NOW)
    assert customer_case(gone.case).merged_into_number == "2026-000008"
    (line,) = customer_history(gone.entries)
    assert (line.kind, line.other_number, line.other_is) == (EntryKind.MERGED, "2026-000008",
                                                             "into")  # fmt: skip
    shown = customer_history(kept.entries)
    assert [(e.kind, e.other_is) for e in shown] == [(EntryKind.MERGED, "from"),
                                                     (EntryKind.REPLY, None)]  # fmt: skip
