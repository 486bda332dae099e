"""Checklists without AWS: versions and step ids, which cases a checklist is for, the tick
command through change_case, the ticks as a resolution saw them, skipped-step counting, and
the counters' idempotence (a fake store with the real store's once-per-event rule)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import case_change as cc
from chalicelib.domain import checklists as ck
from chalicelib.domain.cases import Actor, Case, CaseChecklist, EntryKind, HistoryEntry, StepTick
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.lifecycle import Status

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MEHMET = Actor(kind="staff", id="mehmet", name="Mehmet Demir")


def given(*steps, **fields) -> ck.ChecklistInput:
    return ck.ChecklistInput(
        name=fields.pop("name", "İade kontrolleri"),
        steps=[ck.StepInput(**s) if isinstance(s, dict) else ck.StepInput(text=s) for s in steps],
        **({"category_id": "iade"} | fields),
    )


def first_version() -> ck.Checklist:
    return ck.revise(None, "k1", given("Fatura var mı?", "Ambalaj sağlam mı?"), NOW, "selin")


def case(status: Status = Status.IN_PROGRESS, **fields) -> Case:
    return Case(
        id="c1",
        number="2026-000001",
        type="request",
        channel="phone",
        status=status,
        subject="İade",
        description="İade etmek istiyorum",
        customer_id="cu1",
        group_id="urun",
        assignee="mehmet",
        created_by=MEHMET,
        created_at=NOW - timedelta(days=1),
        updated_at=NOW - timedelta(hours=1),
        version=4,
        **fields,
    )


def tick(c: Case, step: str, done: bool = True, checklist: ck.Checklist | None = None):
    checklist = checklist or first_version()
    command = cc.TickStep(
        checklist_id=checklist.id,
        version=checklist.version,
        name=checklist.name,
        steps={s.id: s.text for s in checklist.steps},
        step_id=step,
        done=done,
    )
    return cc.change_case(c, command, MEHMET, NOW)


# ---- versions -------------------------------------------------------------------------------


def test_a_new_checklist_numbers_its_steps_and_an_edit_keeps_their_ids():
    one = first_version()
    assert (one.version, [s.id for s in one.steps]) == (1, ["s1", "s2"])
    two = ck.revise(
        one,
        "k1",
        given({"id": "s2", "text": "Ambalaj ve etiket sağlam mı?"}, "Seri numarası eşleşiyor mu?"),
        NOW,
        "selin",
    )
    assert two.version == 2
    assert [(s.id, s.text) for s in two.steps] == [
        ("s2", "Ambalaj ve etiket sağlam mı?"),
        ("s3", "Seri numarası eşleşiyor mu?"),
    ]
    # a step removed in version 2 never gives its id to a new one
    three = ck.revise(two, "k1", given({"id": "s3", "text": "x"}, "yeni"), NOW, "selin")
    assert [s.id for s in three.steps] == ["s3", "s4"]


@pytest.mark.parametrize(
    "steps, code",
    [
        ([{"id": "s9", "text": "yok"}], "unknown_step"),
        ([{"id": "s1", "text": "a"}, {"id": "s1", "text": "b"}], "duplicate_step"),
    ],
)
def test_an_edit_naming_a_step_it_does_not_have_is_refused(steps, code):
    with pytest.raises(InvalidInput) as refused:
        ck.revise(first_version(), "k1", given(*steps), NOW, "selin")
    assert refused.value.code == code


def test_a_checklist_for_nothing_or_with_no_step_is_refused():
    with pytest.raises(ValueError):
        ck.ChecklistInput(name="x", steps=[ck.StepInput(text="a")])
    with pytest.raises(ValueError):
        ck.ChecklistInput(name="x", category_id="iade", steps=[])


# ---- matching -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "category, rule, case_category, case_rule, expected",
    [
        ("iade", None, "iade", None, True),
        ("iade", None, "kargo", "r-iade", False),
        (None, "r-iade", None, "r-iade", True),
        (None, "r-iade", "iade", "r-kargo", False),
        ("iade", "r-iade", "iade", "r-iade", True),
        ("iade", "r-iade", "iade", None, False),  # naming both needs both
    ],
)
def test_a_checklist_is_for_a_case_by_category_topic_or_both(
    category, rule, case_category, case_rule, expected
):
    checklist = ck.revise(
        None, "k", given("a", category_id=category, routing_rule_id=rule), NOW, "selin"
    )
    assert ck.matches(checklist, case_category, case_rule) is expected
    disabled = checklist.model_copy(update={"enabled": False})
    assert ck.matches(disabled, case_category, case_rule) is False


def test_the_topic_is_the_rule_of_the_last_routed_line():
    def routed(rule):
        return HistoryEntry(
            id=f"h{rule}",
            case_id="c1",
            at=NOW,
            actor=MEHMET,
            kind=EntryKind.ROUTED,
            data={"rule_id": rule},
        )

    assert ck.routing_rule_of([]) is None
    assert ck.routing_rule_of([routed("r-kargo"), routed("r-iade")]) == "r-iade"


# ---- ticking: a change of the case ----------------------------------------------------------


def test_a_tick_records_the_version_a_line_and_an_event_and_an_untick_takes_it_back():
    ticked = tick(case(), "s1")
    assert ticked.case.version == 5
    assert ticked.case.checklists["k1"].version == 1
    assert set(ticked.case.checklists["k1"].ticked) == {"s1"}
    (line,) = ticked.entries
    assert line.kind == EntryKind.CHECKLIST
    assert line.data == {
        "checklist_id": "k1",
        "version": 1,
        "step_id": "s1",
        "done": True,
        "step_text": "Fatura var mı?",
        "checklist_name": "İade kontrolleri",
    }
    (event,) = ticked.events
    assert event.type == "destek.case.checklist_ticked"
    assert event.data.model_dump() == {
        "checklist_id": "k1",
        "checklist_version": 1,
        "step_id": "s1",
        "done": True,
    }
    assert "Fatura" not in event.model_dump_json()  # the text stays out of the event
    assert ticked.notices == []
    unticked = tick(ticked.case, "s1", done=False)
    assert unticked.case.checklists["k1"].ticked == {}
    assert unticked.events[0].data.done is False


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_finished_case_takes_no_ticks(status):
    with pytest.raises(Conflict) as refused:
        tick(case(status), "s1")
    assert refused.value.code == "case_done"


def test_ticking_twice_unticking_nothing_an_unknown_step_or_another_version_is_refused():
    once = tick(case(), "s1").case
    for c, step, done, code in [
        (once, "s1", True, "already_ticked"),
        (case(), "s1", False, "not_ticked"),
    ]:
        with pytest.raises(Conflict) as refused:
            tick(c, step, done)
        assert refused.value.code == code
    with pytest.raises(InvalidInput) as unknown:
        tick(case(), "s7")
    assert unknown.value.code == "unknown_step"
    two = ck.revise(first_version(), "k1", given({"id": "s1", "text": "x"}), NOW, "selin")
    with pytest.raises(Conflict) as other:
        tick(once, "s1", done=False, checklist=two)
    assert other.value.code == "checklist_version"


# ---- skipped steps --------------------------------------------------------------------------


def lines_of(*changes) -> list[HistoryEntry]:
    return [e for change in changes for e in change.entries]


def test_the_ticks_a_resolution_saw_are_replayed_from_the_history():
    one = tick(case(), "s1")
    later = cc.change_case(
        one.case,
        cc.TickStep(
            checklist_id="k1",
            version=1,
            name="n",
            steps={"s1": "a", "s2": "b"},
            step_id="s2",
            done=True,
        ),
        MEHMET,
        NOW + timedelta(hours=2),
    )
    history = lines_of(one, later)
    assert set(ck.ticks_at(history, NOW + timedelta(hours=1))["k1"].ticked) == {"s1"}
    assert set(ck.ticks_at(history, NOW + timedelta(hours=3))["k1"].ticked) == {"s1", "s2"}
    untick = tick(later.case, "s1", done=False)  # at NOW, sorted by time: s1 ticked then not
    assert ck.ticks_at([*history, untick.entries[0]], NOW)["k1"].ticked == {}


def test_each_unticked_step_of_a_followed_or_matched_checklist_counts_as_skipped():
    one = first_version()
    other = ck.revise(None, "k2", given("Kargo firması arandı", category_id="iade"), NOW, "s")
    followed = {"k1": CaseChecklist(version=1, ticked={"s1": StepTick(at=NOW, by="mehmet")})}
    counts = ck.skipped_steps(followed, {("k1", 1): one}, [one, other])
    assert [(c.checklist_id, c.step_id, c.skipped) for c in counts] == [
        ("k1", "s1", 0),
        ("k1", "s2", 1),
        ("k2", "s1", 1),
    ]
    # a followed checklist counts against the version the case followed, not the current one
    newer = ck.revise(one, "k1", given("Yeni adım"), NOW, "selin")
    counts = ck.skipped_steps(followed, {("k1", 1): one}, [newer])
    assert [c.step_id for c in counts] == ["s1", "s2"]
    assert ck.skipped_steps({}, {}, []) == []


def test_stats_give_a_skip_rate_per_step_and_keep_retired_steps():
    two = ck.revise(first_version(), "k1", given({"id": "s2", "text": "Ambalaj"}), NOW, "selin")
    stats = ck.stats_of(
        two,
        {
            "s1": {"resolved": 4, "skipped": 1, "text": "Fatura var mı?"},
            "s2": {"resolved": 4, "skipped": 3, "text": "Ambalaj"},
        },
    )
    assert [(s.step_id, s.in_current_version, s.skip_rate) for s in stats.steps] == [
        ("s2", True, 0.75),
        ("s1", False, 0.25),
    ]
    empty = ck.stats_of(two, {})
    assert empty.steps[0].skip_rate is None and empty.steps[0].resolved == 0


# ---- counting once per event (the service against a store with the real rule) ---------------


class OnceStore:
    """The checklist store's contract: counts added once per event id."""

    def __init__(self, checklists):
        self.checklists = {c.id: c for c in checklists}
        self.counted: set[str] = set()
        self.counters: dict[tuple[str, str], dict[str, int]] = {}

    def all(self):
        return list(self.checklists.values())

    def version(self, checklist_id, version):
        found = self.checklists.get(checklist_id)
        return found if found and found.version == version else None

    def count_resolution(self, case_id, event_id, counts, at):
        if event_id in self.counted:
            return False
        self.counted.add(event_id)
        for c in counts:
            cell = self.counters.setdefault(
                (c.checklist_id, c.step_id), {"resolved": 0, "skipped": 0}
            )
            cell["resolved"] += 1
            cell["skipped"] += c.skipped
        return True


class OneCase:
    def __init__(self, found):
        self.found = found

    def get(self, case_id):
        return self.found


def test_a_resolution_is_counted_once_however_often_its_event_arrives():
    from chalicelib.domain.case_record import CaseWithHistory
    from chalicelib.services.checklists import ChecklistService

    checklist = first_version()
    ticked = tick(case(category_id="iade"), "s1")
    resolved = cc.change_case(
        ticked.case, cc.ChangeStatus(status=Status.RESOLVED), MEHMET, NOW + timedelta(minutes=5)
    )
    event = next(e for e in resolved.events if e.type == "destek.case.resolved")
    found = CaseWithHistory(case=resolved.case, history=lines_of(ticked, resolved))
    store = OnceStore([checklist])
    service = ChecklistService(store, None, OneCase(found), clock=lambda: NOW)
    as_json = event.model_dump(mode="json")
    assert service.count_resolution(as_json) is True
    assert service.count_resolution(as_json) is False  # redelivered: nothing added
    assert store.counters == {
        ("k1", "s1"): {"resolved": 1, "skipped": 0},
        ("k1", "s2"): {"resolved": 1, "skipped": 1},
    }
