"""domain/case_change.py without AWS: every command from every status, allowed or refused,
with the history, notices and events each change yields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import TypeAdapter

from chalicelib.domain import case_change as cc
from chalicelib.domain import lifecycle
from chalicelib.domain.case_events import EVENT_TYPES, CaseEvent
from chalicelib.domain.cases import SYSTEM, Actor, Case, EntryKind, ReasonCode
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput
from chalicelib.domain.lifecycle import MOVES, Status
from chalicelib.domain.notifications import NoticeEvent
from chalicelib.domain.sla import SlaEvent, TargetKind

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MEHMET = Actor(kind="staff", id="mehmet", name="Mehmet Demir")
SELIN = Actor(kind="staff", id="selin", name="Selin Kaya")  # a supervisor
AHMET = Actor(kind="customer", id="cu1", name="Ahmet Yılmaz")


def case_in(status: Status, **fields) -> Case:
    """A case as it plausibly is in `status`: owned from in_progress on, in a group from
    open on; a reopened case nobody owns; resolved a day ago."""
    owner = {
        Status.NEW: (None, None),
        Status.OPEN: ("urun", None),
        Status.IN_PROGRESS: ("urun", "mehmet"),
        Status.WAITING_CUSTOMER: ("urun", "mehmet"),
        Status.REOPENED: ("urun", None),
        Status.RESOLVED: ("urun", "mehmet"),
        Status.CLOSED: ("urun", "mehmet"),
        Status.MERGED: ("urun", "mehmet"),
    }[status]
    done = status in (Status.RESOLVED, Status.CLOSED)
    values = dict(
        id="c1", number="2026-000007", type="complaint", channel="phone", status=status,
        subject="Kargom gelmedi", description="3 gündür yok", customer_id="cu1",
        group_id=owner[0], assignee=owner[1], created_by=MEHMET,
        created_at=NOW - timedelta(days=3), updated_at=NOW - timedelta(days=1),
        resolved_at=NOW - timedelta(days=1) if done else None,
        closed_at=NOW - timedelta(hours=1) if status == Status.CLOSED else None,
        version=5,
        **({"merged_into": "c2", "merged_into_number": "2026-000008"}
           if status == Status.MERGED else {}),
    )  # fmt: skip
    return Case(**{**values, **fields})


REMINDER = SlaEvent(kind="reminder", target=TargetKind.FIRST_RESPONSE)


def sla_of(case: Case):
    from chalicelib.domain.business_hours import BusinessCalendar
    from chalicelib.domain.sla import CaseSla

    return CaseSla(policy_id="p", policy_name="Genel", calendar=BusinessCalendar())


#: command name -> (command, actor, time)
COMMANDS = {
    "claim": (cc.Claim(groups=frozenset({"urun"})), MEHMET, NOW),
    "assign": (cc.Assign(group_id="urun", assignee="ayse", reason="izinli"), SELIN, NOW),
    "agent_reply": (cc.Reply(body="Yenisi yolda"), MEHMET, NOW),
    "customer_reply": (cc.Reply(body="Hâlâ gelmedi"), AHMET, NOW),
    "note": (cc.Note(body="depo arandı"), MEHMET, NOW),
    "change_fields": (cc.ChangeFields(fields={"priority": "high"}), MEHMET, NOW),
    "route": (
        cc.Route(group_id="urun", priority="normal", reason_code=ReasonCode.DEFAULT_GROUP),
        SYSTEM,
        NOW,
    ),  # fmt: skip
    "record_sla": (cc.RecordSla(sla=sla_of(None), events=[REMINDER]), SYSTEM, NOW),
    "auto_close": (cc.AutoClose(), SYSTEM, NOW + timedelta(days=7)),
    "confirm_resolution": (cc.ConfirmResolution(comment="Teşekkürler"), AHMET, NOW),
    "file_customer_message": (
        cc.FileCustomerMessage(body="aynı sorun", author=AHMET, data={"merged_from": "p1"}),
        MEHMET,
        NOW,
    ),  # fmt: skip
}

S = Status
ACTIVE_AND_WAITING = {S.NEW, S.OPEN, S.IN_PROGRESS, S.WAITING_CUSTOMER, S.REOPENED}
ALL = set(Status)
#: command -> the statuses it is allowed from; from any other it is refused with this code
ALLOWED: dict[str, tuple[set[Status], str]] = {
    "claim": ({S.OPEN, S.REOPENED}, "not_claimable"),
    "assign": (ACTIVE_AND_WAITING, "case_done"),
    "agent_reply": (ALL - {S.CLOSED}, "case_closed"),
    "customer_reply": (ALL - {S.CLOSED}, "case_closed"),
    "note": (ALL - {S.CLOSED}, "case_closed"),
    "change_fields": (ALL - {S.CLOSED}, "case_closed"),
    "route": ({S.NEW}, "not_new"),
    "record_sla": (ACTIVE_AND_WAITING, "case_done"),
    "auto_close": ({S.RESOLVED}, "illegal_transition"),
    "confirm_resolution": ({S.RESOLVED}, "not_resolved"),
    "file_customer_message": (ALL - {S.CLOSED}, "case_closed"),
}
#: where each allowed command leaves the case, when it moves it
MOVED_TO: dict[tuple[str, Status], Status] = {
    ("claim", S.OPEN): S.IN_PROGRESS,
    ("claim", S.REOPENED): S.IN_PROGRESS,
    ("assign", S.NEW): S.IN_PROGRESS,
    ("assign", S.OPEN): S.IN_PROGRESS,
    ("assign", S.REOPENED): S.IN_PROGRESS,
    ("customer_reply", S.WAITING_CUSTOMER): S.IN_PROGRESS,  # its owner is still there
    ("customer_reply", S.RESOLVED): S.REOPENED,  # owned: stays with the owner, reopened
    ("route", S.NEW): S.OPEN,
    ("auto_close", S.RESOLVED): S.CLOSED,
    ("confirm_resolution", S.RESOLVED): S.CLOSED,
}
CASES = [(name, status) for name in COMMANDS for status in Status]


@pytest.mark.parametrize(("name", "status"), CASES, ids=[f"{n}-{s.value}" for n, s in CASES])
def test_every_command_from_every_status(name, status):
    command, actor, at = COMMANDS[name]
    before = case_in(status)
    if name == "record_sla":
        before = before.model_copy(update={"sla": sla_of(before)})
    snapshot = before.model_copy(deep=True)
    allowed, code = ALLOWED[name]
    if status == S.MERGED:  # read-only: every command is refused, naming the survivor
        allowed, code = set(), "case_merged"
    if status not in allowed:
        with pytest.raises(DomainError) as refused:
            cc.change_case(before, command, actor, at)
        assert refused.value.code == code
        assert before == snapshot  # pure: the case given is untouched
        return
    change = cc.change_case(before, command, actor, at)
    after = change.case
    assert before == snapshot
    assert change.before == before and change.expected_version == 5
    assert after.version == 6 and after.updated_at == at  # the version moves once
    assert change.entries and all(e.case_id == "c1" and e.at == at for e in change.entries)
    assert after.status == MOVED_TO.get((name, status), status)
    types = [e.type for e in change.events]
    assert ("destek.case.status_changed" in types) == (after.status != before.status)
    for index, event in enumerate(change.events):
        assert (event.id, event.sequence, event.index) == (f"c1.6.{index}", 6, index)
        assert (event.case_id, event.case_number) == ("c1", "2026-000007")
        assert event.occurred_at.endswith("Z") and event.actor.id == actor.id
    if after.status != before.status:
        changed = next(e for e in change.events if e.type == "destek.case.status_changed")
        assert (changed.data.status_from, changed.data.status_to) == (before.status, after.status)


@pytest.mark.parametrize(
    ("current", "target"),
    [(c, t) for c in Status for t in Status],
    ids=[f"{c.value}-to-{t.value}" for c in Status for t in Status],
)
def test_change_status_follows_the_state_machine(current, target):
    before = case_in(current)
    command = cc.ChangeStatus(status=target)
    refusal = None
    if current == S.MERGED:
        refusal = "case_merged"  # read-only, whatever the move
    elif target not in MOVES[current]:
        refusal = "illegal_transition"
    elif target == S.IN_PROGRESS and not before.assignee:
        refusal = "unassigned"
    elif target == S.OPEN and not before.group_id:
        refusal = "no_group"  # a new case is routed, not opened by hand
    if refusal:
        with pytest.raises(Conflict) as refused:
            cc.change_case(before, command, MEHMET, NOW)
        assert refused.value.code == refusal
        return
    change = cc.change_case(before, command, MEHMET, NOW)
    assert change.case.status == target
    types = [e.type for e in change.events]
    named = {S.RESOLVED: "destek.case.resolved", S.CLOSED: "destek.case.closed",
             S.REOPENED: "destek.case.reopened"}.get(target)  # fmt: skip
    assert types[-2 if named else -1] == "destek.case.status_changed"
    if named:
        assert types[-1] == named
    if target == S.OPEN:
        assert change.case.assignee is None  # back to the pool
    if target == S.RESOLVED:
        assert change.case.resolved_at == NOW
        assert [n.event for n in change.notices] == [NoticeEvent.CASE_RESOLVED]


def test_status_open_needs_a_group_and_reopening_needs_the_window():
    with pytest.raises(Conflict, match="no group") as refused:
        cc.change_case(case_in(S.IN_PROGRESS, group_id=None), cc.ChangeStatus(status=S.OPEN),
                       MEHMET, NOW)  # fmt: skip
    assert refused.value.code == "no_group"
    late = NOW + timedelta(days=7)
    with pytest.raises(Conflict) as refused:
        cc.change_case(case_in(S.RESOLVED), cc.ChangeStatus(status=S.REOPENED), MEHMET, late)
    assert refused.value.code == "reopen_window_passed"
    with pytest.raises(Conflict) as refused:
        cc.change_case(case_in(S.RESOLVED), cc.Reply(body="yine bozuk"), AHMET, late)
    assert refused.value.code == "reopen_window_passed"


def test_the_automatic_close_decides_its_notice_and_event_as_a_close_does():
    resolved = case_in(S.RESOLVED)
    change = cc.change_case(resolved, cc.AutoClose(), SYSTEM, NOW + timedelta(days=6, hours=23))
    closed = change.case
    assert closed.status == S.CLOSED and closed.closed_at == NOW + timedelta(days=6, hours=23)
    assert [(n.event, n.audience) for n in change.notices] == [
        (NoticeEvent.CASE_CLOSED, "customer")
    ]
    assert [e.type for e in change.events] == [
        "destek.case.status_changed", "destek.case.closed"
    ]  # fmt: skip
    assert change.events[1].data.reason_code == "auto_closed"
    (entry,) = change.entries
    assert (entry.reason_code, entry.data) == (ReasonCode.AUTO_CLOSED, {"days": 7})
    # an agent closing it says the same to the customer; the customer's own "solved" does not
    by_agent = cc.change_case(resolved, cc.ChangeStatus(status=S.CLOSED), MEHMET, NOW)
    assert [n.event for n in by_agent.notices] == [NoticeEvent.CASE_CLOSED]
    confirmed = cc.change_case(resolved, cc.ConfirmResolution(), AHMET, NOW)
    assert confirmed.notices == []
    assert confirmed.events[-1].data.reason_code == "customer_confirmed"


def test_the_automatic_close_waits_for_the_reopen_window():
    with pytest.raises(Conflict) as refused:
        cc.change_case(case_in(S.RESOLVED), cc.AutoClose(), SYSTEM, NOW + timedelta(days=5))
    assert refused.value.code == "reopen_window_open"


def test_routing_and_the_sweep_move_the_status_only_through_the_state_machine(monkeypatch):
    """With a move taken out of the state machine, routing and the automatic close are
    refused: they do not set the status by themselves."""
    monkeypatch.setitem(lifecycle.MOVES, S.NEW, frozenset())
    route, actor, at = COMMANDS["route"]
    with pytest.raises(Conflict) as refused:
        cc.change_case(case_in(S.NEW), route, actor, at)
    assert refused.value.code == "illegal_transition"
    monkeypatch.setitem(lifecycle.MOVES, S.RESOLVED, frozenset({S.REOPENED}))
    with pytest.raises(Conflict) as refused:
        cc.change_case(case_in(S.RESOLVED), cc.AutoClose(), SYSTEM, NOW + timedelta(days=8))
    assert refused.value.code == "illegal_transition"


def test_routing_with_an_automatic_assignee_emits_routed_then_assigned():
    command = cc.Route(group_id="urun", priority="high", reason_code=ReasonCode.RULE_MATCHED,
                       rule_id="r1", rule_name="Kargo", matched=["kargo"],
                       assignee="mehmet")  # fmt: skip
    change = cc.change_case(case_in(S.NEW), command, SYSTEM, NOW)
    assert (change.case.status, change.case.assignee) == (S.IN_PROGRESS, "mehmet")
    assert [e.kind for e in change.entries] == [EntryKind.ROUTED, EntryKind.ASSIGNED]
    assert change.entries[0].changes["status"] == {"from": "new", "to": "open"}
    assert [e.type for e in change.events] == [
        "destek.case.routed", "destek.case.assigned", "destek.case.status_changed"
    ]  # fmt: skip
    routed, assigned, _ = change.events
    assert (routed.data.group_id, routed.data.rule_id, routed.data.priority) == (
        "urun", "r1", "high")  # fmt: skip
    assert (assigned.data.assignee, assigned.data.how) == ("mehmet", "automatic")
    assert {n.event for n in change.notices} == {NoticeEvent.ROUTED_TO_GROUP,
                                                 NoticeEvent.CASE_ASSIGNED}  # fmt: skip


def test_claim_is_for_members_unless_the_role_assigns():
    pool = case_in(S.OPEN)
    with pytest.raises(Forbidden) as refused:
        cc.change_case(pool, cc.Claim(groups=frozenset({"fatura"})), MEHMET, NOW)
    assert refused.value.code == "not_a_member"
    taken = cc.change_case(pool, cc.Claim(may_assign=True), SELIN, NOW)
    assert taken.case.assignee == "selin" and taken.case.seen == {"selin": 6}
    with pytest.raises(Conflict) as refused:
        cc.change_case(case_in(S.REOPENED, assignee="ayse"), cc.Claim(may_assign=True),
                       MEHMET, NOW)  # fmt: skip
    assert refused.value.code == "already_assigned"


def test_assign_keeps_a_case_in_a_group():
    with pytest.raises(InvalidInput):
        cc.change_case(case_in(S.OPEN), cc.Assign(group_id=None, assignee=None), SELIN, NOW)
    with pytest.raises(InvalidInput):
        cc.change_case(case_in(S.NEW), cc.Assign(group_id=None, assignee="ayse"), SELIN, NOW)
    back = cc.change_case(case_in(S.IN_PROGRESS), cc.Assign(group_id="urun", assignee=None),
                          SELIN, NOW)  # fmt: skip
    assert back.case.status == S.OPEN
    assert back.events[0].data.model_dump() == {
        "group_id": "urun", "assignee": None, "previous_group_id": "urun",
        "previous_assignee": "mehmet", "how": "by_supervisor",
    }  # fmt: skip


def test_a_customer_reply_to_an_unowned_case_wakes_it_in_the_pool():
    waiting = case_in(S.WAITING_CUSTOMER, assignee=None)
    change = cc.change_case(waiting, cc.Reply(body="geldi ama bozuk"), AHMET, NOW)
    assert change.case.status == S.OPEN
    assert change.case.customer_activity_version == 6
    assert [e.type for e in change.events] == [
        "destek.case.customer_replied", "destek.case.status_changed"
    ]  # fmt: skip
    assert [n.event for n in change.notices] == [NoticeEvent.CUSTOMER_REPLIED]


def test_a_customer_reply_to_a_resolved_unowned_case_reopens_it_to_the_pool():
    resolved = case_in(S.RESOLVED, assignee=None)
    change = cc.change_case(resolved, cc.Reply(body="geldi ama bozuk"), AHMET, NOW)
    assert change.case.status == S.OPEN and change.case.resolved_at is None
    assert [e.type for e in change.events] == [
        "destek.case.customer_replied", "destek.case.status_changed", "destek.case.reopened"
    ]  # fmt: skip
    assert change.events[2].data.to_pool and change.events[2].data.by == "customer"
    assert [n.event for n in change.notices] == [NoticeEvent.CASE_REOPENED]


def test_the_first_agent_reply_is_the_first_response():
    first = cc.change_case(case_in(S.IN_PROGRESS), cc.Reply(body="bakıyorum"), MEHMET, NOW)
    assert first.case.first_response_at == NOW
    assert first.events[0].data.first_response is True
    again = cc.change_case(first.case, cc.Reply(body="kargo çıktı"), MEHMET, NOW)
    assert again.case.first_response_at == NOW and again.events[0].data.first_response is False
    assert [n.event for n in again.notices] == [NoticeEvent.AGENT_REPLIED]


def test_sla_events_raise_priority_and_name_the_target():
    levels = [SlaEvent(kind="breach", target=TargetKind.RESOLUTION),
              SlaEvent(kind="escalation", target=TargetKind.RESOLUTION, level=1,
                       notify="supervisors", raise_priority=True)]  # fmt: skip
    case = case_in(S.IN_PROGRESS)
    change = cc.change_case(case, cc.RecordSla(sla=sla_of(case), events=levels), SYSTEM, NOW)
    assert change.case.priority == "high"
    assert [e.type for e in change.events] == ["destek.case.sla_breached", "destek.case.escalated"]
    assert change.events[1].data.model_dump() == {
        "target": "resolution", "level": 1, "priority": "high", "sla_policy_id": "p",
        "notify": "supervisors",
    }  # fmt: skip
    assert {n.event for n in change.notices} == {NoticeEvent.SLA_BREACH, NoticeEvent.SLA_ESCALATION}
    with pytest.raises(InvalidInput):
        cc.change_case(case, cc.RecordSla(sla=sla_of(case), events=[]), SYSTEM, NOW)


def test_opening_and_a_converted_precase():
    draft = case_in(S.NEW, version=1, number="")
    change = cc.change_case(draft, cc.OpenCase(precase_id="p9"), MEHMET, NOW)
    assert change.before is None and change.expected_version == 0 and change.case.version == 1
    assert [e.type for e in change.events] == ["destek.case.opened", "destek.precase.converted"]
    assert change.events[0].id == "c1.1.0" and change.events[1].data.precase_id == "p9"
    numbered = cc.numbered(change, "2026-000042")
    assert {e.case_number for e in numbered.events} == {"2026-000042"}
    assert numbered.case.number == "2026-000042"
    with pytest.raises(Conflict):
        cc.change_case(case_in(S.NEW), cc.OpenCase(), MEHMET, NOW)  # version 5: saved already


def test_notes_emit_no_event_but_move_the_version():
    note = cc.change_case(case_in(S.RESOLVED), cc.Note(body="arşiv"), MEHMET, NOW)
    assert note.events == [] and note.notices == [] and note.case.version == 6


def test_a_closed_case_takes_no_note():
    with pytest.raises(Conflict) as refused:
        cc.change_case(case_in(S.CLOSED), cc.Note(body="arşiv"), MEHMET, NOW)
    assert refused.value.code == "case_closed"
    with pytest.raises(InvalidInput):
        cc.change_case(case_in(S.OPEN), cc.ChangeFields(fields={}), MEHMET, NOW)


def test_a_field_edit_emits_fields_changed_with_codes_and_ids_never_the_subject():
    case = case_in(S.IN_PROGRESS, category_id="kargo")
    fields = {"priority": "high", "category_id": "iade", "type": "request",
              "subject": "Ahmet Yılmaz 0532 123 45 67"}  # fmt: skip
    edit = cc.change_case(case, cc.ChangeFields(fields=fields), MEHMET, NOW)
    [event] = edit.events
    assert (event.type, event.id, event.sequence, event.actor.id) == (
        "destek.case.fields_changed",
        "c1.6.0",
        6,
        "mehmet",
    )
    assert event.data.model_dump() == {
        "fields": ["priority", "category_id", "case_type", "subject"],
        "priority": "high", "previous_priority": "normal",
        "category_id": "iade", "previous_category_id": "kargo",
        "case_type": "request", "previous_case_type": "complaint",
    }  # fmt: skip
    wire = TypeAdapter(list[CaseEvent]).dump_json(edit.events).decode()
    assert "Ahmet" not in wire and "0532" not in wire and "Kargom" not in wire
    assert TypeAdapter(list[CaseEvent]).validate_json(wire) == edit.events
    # the subject alone: its name, no values; a category given to a case without one
    subject = cc.change_case(case_in(S.OPEN), cc.ChangeFields(fields={"subject": "Kargo"}),
                             MEHMET, NOW)  # fmt: skip
    assert subject.entries[0].changes == {"subject": {"from": "Kargom gelmedi", "to": "Kargo"}}
    assert subject.events[0].data.model_dump(exclude_none=True) == {"fields": ["subject"]}
    first = cc.change_case(case_in(S.OPEN), cc.ChangeFields(fields={"category_id": "kargo"}),
                           MEHMET, NOW)  # fmt: skip
    assert first.events[0].data.model_dump(exclude_none=True) == {
        "fields": ["category_id"],
        "category_id": "kargo",
    }


def test_an_edit_that_changes_nothing_emits_no_event():
    case = case_in(S.OPEN, category_id="kargo")
    same = {"priority": "normal", "category_id": "kargo", "type": "complaint",
            "subject": "Kargom gelmedi"}  # fmt: skip
    edit = cc.change_case(case, cc.ChangeFields(fields=same), MEHMET, NOW)
    assert edit.events == [] and edit.entries[0].changes == {}


def test_event_ids_are_the_same_for_the_same_change_and_carry_no_personal_data():
    case = case_in(S.RESOLVED)
    one = cc.change_case(case, cc.Reply(body="Ahmet Yılmaz, 0532 123 45 67"), AHMET, NOW)
    two = cc.change_case(case, cc.Reply(body="Ahmet Yılmaz, 0532 123 45 67"), AHMET, NOW)
    assert [e.id for e in one.events] == [e.id for e in two.events]
    wire = TypeAdapter(list[CaseEvent]).dump_json(one.events).decode()
    assert "Ahmet" not in wire and "0532" not in wire and "Kargom" not in wire
    assert TypeAdapter(list[CaseEvent]).validate_json(wire) == one.events  # round trip


def test_every_event_type_is_documented_and_versioned():
    expected = {f"destek.case.{n}" for n in (
        "opened", "routed", "assigned", "customer_replied", "agent_replied", "status_changed",
        "sla_reminder", "sla_breached", "escalated", "resolved", "reopened", "closed",
        "fields_changed", "rated", "checklist_ticked", "documents_sent",
        "macro_applied", "tags_changed", "custom_fields_changed", "merged", "split")}  # fmt: skip
    precase = {f"destek.precase.{n}" for n in (
        "converted", "received", "assigned", "sender_replied", "discarded")}  # fmt: skip
    assert expected | precase == set(EVENT_TYPES)
    for name, model in EVENT_TYPES.items():
        assert model.__doc__ and name in model.__doc__
        schema = model.model_json_schema()
        # one envelope: a case's events and a pre-case's have the same fields
        assert {"id", "schema_version", "case_id", "case_number", "precase_id", "sequence",
                "index", "occurred_at", "actor", "data"} <= set(schema["properties"])  # fmt: skip


def test_no_writer_moves_a_case_outside_change_case():
    """The state machine is consulted, and history lines are built, only in the domain's one
    function; the store has no other way to write a changed case. The lines built elsewhere
    are the delivery lines (a notice given up on, a bounce), a pre-case's carried mails and
    the assistant's conversation on the case it hands over to, which travel in a command."""
    import ast
    from pathlib import Path

    from chalicelib.store.cases import DynamoCaseStore

    root = Path(__file__).resolve().parents[2] / "chalicelib"
    lines_built: dict[str, int] = {}
    for path in root.rglob("*.py"):
        name = str(path.relative_to(root))
        if name in ("domain/case_change.py", "domain/lifecycle.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("lifecycle"):
                assert "check_move" not in {a.name for a in node.names}, name
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "HistoryEntry":
                lines_built[name] = lines_built.get(name, 0) + 1
    assert lines_built == {"services/notifier.py": 1, "services/mail_intake.py": 1,
                           "services/precases.py": 2,
                           "services/assistant_handoff.py": 1}  # fmt: skip
    assert not hasattr(DynamoCaseStore, "save")
