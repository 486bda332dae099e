"""The case use cases against in-memory ports."""

import pytest

from chalicelib.domain.cases import EntryKind, Visibility
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from chalicelib.domain.lifecycle import Status
from chalicelib.services import case_commands as cmd

from .conftest import customer
from .fakes import RecordingEvents


def open_for(world, caller=None, **customer_fields):
    details = customer_fields or {"phone": "0532 123 45 67", "name": "Ahmet Yılmaz"}
    command = cmd.OpenCase(
        customer=details, type="complaint", subject="Kargom gelmedi", description="3 gündür yok"
    )
    return world.service.open_case(caller or world.ayse, command)


def routed(world, **kw):
    case = open_for(world, **kw)
    return world.routing.route(case.id)


def test_phone_intake_creates_unknown_caller_and_queues_routing(world):
    case = open_for(world)
    assert case.number == "2026-000001"
    assert case.status == Status.NEW
    assert world.events.opened == [case.id]
    created = world.customers.get(case.customer_id)
    assert created.phone == "+905321234567"
    assert created.name == "Ahmet Yılmaz"
    history = world.service.get(world.ayse, case.id).history
    assert [e.kind for e in history] == [EntryKind.CREATED]
    assert history[0].actor.id == "ayse"


def test_same_caller_in_another_format_is_found_not_duplicated(world):
    first = open_for(world)
    second = open_for(world, phone="+90 532 1234567")
    assert second.customer_id == first.customer_id
    assert len(world.customers.by_id) == 1


def test_unknown_caller_without_name_is_refused(world):
    with pytest.raises(InvalidInput):
        open_for(world, email="new@example.com")
    assert world.cases.cases == {}


def test_lost_routing_message_does_not_fail_intake(world):
    world.service.events = RecordingEvents(fail=True)
    case = open_for(world)
    assert world.cases.get(case.id).case.status == Status.NEW
    world.clock.advance(minutes=3)
    assert world.routing.reconcile() == 1
    assert world.events.opened == [case.id]


def test_routing_goes_to_default_group_once(world):
    case = routed(world)
    assert (case.status, case.group_id) == (Status.OPEN, "urun")
    again = world.routing.route(case.id)
    assert again.version == case.version
    kinds = [e.kind for e in world.service.get(world.ayse, case.id).history]
    assert kinds.count(EntryKind.ROUTED) == 1


def test_claim_needs_membership_and_moves_to_in_progress(world):
    case = routed(world)  # in group urun
    with pytest.raises(Forbidden):
        world.service.claim(world.ayse, case.id, cmd.Claim(version=case.version))
    claimed = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    assert (claimed.status, claimed.assignee) == (Status.IN_PROGRESS, "mehmet")


def test_stale_version_is_a_conflict_and_changes_nothing(world):
    case = routed(world)
    world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    before = world.cases.get(case.id)
    with pytest.raises(Conflict) as refused:
        world.service.add_note(world.mehmet, case.id, cmd.Comment(version=case.version, body="x"))
    assert refused.value.code == "version_conflict"
    assert refused.value.details["current_version"] == case.version + 1
    assert world.cases.get(case.id) == before


def test_supervisor_assigns_agent_and_group(world):
    case = routed(world)
    moved = world.service.assign(
        world.selin, case.id, cmd.Assign(version=case.version, group_id="teslimat")
    )
    assert (moved.group_id, moved.status, moved.assignee) == ("teslimat", Status.OPEN, None)
    given = world.service.assign(
        world.selin, case.id, cmd.Assign(version=moved.version, assignee="ayse", reason="kargo")
    )
    assert (given.assignee, given.status) == ("ayse", Status.IN_PROGRESS)
    back = world.service.assign(
        world.selin, case.id, cmd.Assign(version=given.version, assignee=None)
    )
    assert (back.assignee, back.status) == (None, Status.OPEN)
    entries = [
        e for e in world.service.get(world.selin, case.id).history if e.kind == EntryKind.ASSIGNED
    ]
    assert entries[1].changes["assignee"] == {"from": None, "to": "ayse"}
    assert entries[1].reason == "kargo"


def test_assigning_an_agent_outside_the_group_is_refused(world):
    case = routed(world)
    with pytest.raises(InvalidInput) as refused:
        world.service.assign(
            world.selin, case.id, cmd.Assign(version=case.version, assignee="ayse")
        )
    # its own code, so the console says why (not the generic invalid_input)
    assert refused.value.code == "not_a_group_member"
    assert refused.value.details == {"assignee": "ayse", "group_id": case.group_id}


def test_reply_note_and_resolution(world):
    case = routed(world)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.reply(
        world.mehmet, case.id, cmd.Comment(version=case.version, body="Bakıyorum")
    )
    assert case.first_response_at == world.clock.now
    case = world.service.add_note(
        world.mehmet, case.id, cmd.Comment(version=case.version, body="iç not")
    )
    case = world.service.change_status(
        world.mehmet,
        case.id,
        cmd.ChangeStatus(version=case.version, status="resolved", reason="ok"),
    )
    assert case.status == Status.RESOLVED and case.resolved_at == world.clock.now
    history = world.service.get(world.mehmet, case.id).history
    notes = [e for e in history if e.kind == EntryKind.NOTE]
    assert notes[0].visibility == Visibility.INTERNAL


def test_customer_sees_own_case_without_internal_lines_and_not_others(world):
    case = routed(world)
    world.service.add_note(world.mehmet, case.id, cmd.Comment(version=case.version, body="gizli"))
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version + 1))
    case = world.service.change_status(
        world.mehmet,
        case.id,
        cmd.ChangeStatus(version=case.version, status="waiting_customer", reason="müşteri sinirli"),
    )
    mine = world.service.get(customer(case.customer_id), case.id)
    shown = str(mine.model_dump())
    assert "gizli" not in shown and "sinirli" not in shown
    assert [e.kind for e in mine.history] == [EntryKind.CREATED, EntryKind.STATUS_CHANGED]
    assert mine.history[1].status == {"from": "in_progress", "to": "waiting_customer"}
    assert "assignee" not in mine.case.model_dump() and "group_id" not in mine.case.model_dump()
    with pytest.raises(NotFound):
        world.service.get(customer("someone-else"), case.id)
    with pytest.raises(NotFound):
        world.service.get(customer(None), case.number)


def test_customer_reply_wakes_a_waiting_case(world):
    case = routed(world)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="waiting_customer")
    )
    woke = world.service.reply(
        customer(case.customer_id),
        case.id,
        cmd.Comment(version=case.version, body="Fotoğraf ekledim"),
    )
    assert woke.status == Status.IN_PROGRESS


def test_illegal_move_and_reopen_window(world):
    case = routed(world)
    with pytest.raises(Conflict):
        world.service.change_status(
            world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="resolved")
        )
    with pytest.raises(Conflict) as unassigned:
        world.service.change_status(
            world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="in_progress")
        )
    assert unassigned.value.code == "unassigned"
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="resolved")
    )
    world.clock.advance(days=8)
    with pytest.raises(Conflict) as late:
        world.service.change_status(
            world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="reopened")
        )
    assert late.value.code == "reopen_window_passed"


def test_update_fields_records_changes_and_recomputes_due(world):
    case = routed(world)
    updated = world.service.update(
        world.mehmet,
        case.id,
        cmd.UpdateCase(version=case.version, priority="urgent", category_id="k1"),
    )
    assert updated.due_at < case.due_at
    entry = world.service.get(world.mehmet, case.id).history[-1]
    assert entry.changes["priority"] == {"from": "normal", "to": "urgent"}
    with pytest.raises(InvalidInput):
        world.service.update(
            world.mehmet, case.id, cmd.UpdateCase(version=updated.version, category_id="nope")
        )
    with pytest.raises(InvalidInput):
        world.service.update(world.mehmet, case.id, cmd.UpdateCase(version=updated.version))


def test_list_views(world):
    a = routed(world)
    b = routed(world, phone="0533 765 43 21", name="Fatma")
    world.service.claim(world.mehmet, b.id, cmd.Claim(version=b.version))
    pool = world.service.list(world.mehmet, cmd.ListCases(view="pool", group_id="urun"))
    assert [c.id for c in pool.items] == [a.id]
    mine = world.service.list(world.mehmet, cmd.ListCases(view="mine"))
    assert [c.id for c in mine.items] == [b.id]
    with pytest.raises(InvalidInput):
        world.service.list(world.mehmet, cmd.ListCases(view="group"))
    world.clock.advance(hours=25)
    overdue = world.service.list(world.mehmet, cmd.ListCases(view="overdue"))
    assert {c.id for c in overdue.items} == {a.id, b.id}


def test_commands_refuse_unknown_fields_and_values():
    with pytest.raises(ValueError):
        cmd.OpenCase(customer={"phone": "1"}, type="praise", subject="s", description="d")
    with pytest.raises(ValueError):
        cmd.Claim(version=1, sneaky=True)
    with pytest.raises(ValueError):
        cmd.OpenCase(customer={}, type="question", subject="s", description="d")
    with pytest.raises(ValueError):
        cmd.Assign(version=1)


def test_customer_never_learns_about_anothers_case_from_a_conflict(world):
    case = routed(world)
    with pytest.raises(NotFound):
        world.service.reply(customer("someone-else"), case.id, cmd.Comment(version=99, body="x"))


def test_supervisor_assigns_a_case_before_the_router_does(world):
    case = open_for(world)
    assert case.status == Status.NEW
    given = world.service.assign(
        world.selin,
        case.id,
        cmd.Assign(version=case.version, group_id="teslimat", assignee="ayse"),
    )
    assert (given.status, given.group_id, given.assignee) == (
        Status.IN_PROGRESS,
        "teslimat",
        "ayse",
    )
    assert world.routing.route(case.id).version == given.version  # the router leaves it alone
    pooled = open_for(world)
    pooled = world.service.assign(
        world.selin, pooled.id, cmd.Assign(version=pooled.version, group_id="teslimat")
    )
    assert (pooled.status, pooled.assignee) == (Status.OPEN, None)


def test_customer_says_not_solved_within_the_window(world):
    case = routed(world)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="resolved")
    )
    me = customer(case.customer_id)
    world.clock.advance(days=2)
    reopened = world.service.reply(
        me, case.id, cmd.Comment(version=case.version, body="Hâlâ bozuk")
    )
    assert reopened.status == Status.REOPENED
    assert world.cases.get(case.id).case.assignee == "mehmet"  # back to its owner


def test_unowned_case_the_customer_reopens_goes_back_to_the_pool(world):
    case = routed(world)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="waiting_customer")
    )
    case = world.service.assign(
        world.selin, case.id, cmd.Assign(version=case.version, assignee=None)
    )
    woke = world.service.reply(
        customer(case.customer_id), case.id, cmd.Comment(version=case.version, body="Cevap")
    )
    assert woke.status == Status.OPEN
    pool = world.service.list(world.mehmet, cmd.ListCases(view="pool", group_id="urun"))
    assert case.id in [c.id for c in pool.items]


def test_customer_cannot_reopen_after_the_window(world):
    case = routed(world)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.change_status(
        world.mehmet, case.id, cmd.ChangeStatus(version=case.version, status="resolved")
    )
    world.clock.advance(days=8)
    with pytest.raises(Conflict):
        world.service.reply(
            customer(case.customer_id), case.id, cmd.Comment(version=case.version, body="x")
        )


def test_concurrent_group_edits_never_lose_one(world, monkeypatch):
    from chalicelib.services.directory import DirectoryService, GroupDetails, RoleCatalog

    directory = DirectoryService(world.directory, RoleCatalog(world.directory))
    stale = world.directory.list_groups()  # admin 1 reads
    directory.put_group(  # admin 2 adds ayse to urun meanwhile
        "urun", GroupDetails(name="Ürün", members=["mehmet", "ayse"], is_default=True)
    )
    monkeypatch.setattr(world.directory, "list_groups", lambda: stale)
    with pytest.raises(Conflict):  # admin 1 makes teslimat the default from a stale read
        directory.put_group(
            "teslimat", GroupDetails(name="Kargo", members=["ayse"], is_default=True)
        )
    assert world.directory.groups["urun"].members == ["mehmet", "ayse"]
    assert [g.id for g in world.directory.groups.values() if g.is_default] == ["urun"]


def test_no_default_group_means_routing_fails_and_retries(world):
    from chalicelib.services.routing import NoGroupToRouteTo

    case = open_for(world)
    world.directory.groups["urun"] = world.directory.groups["urun"].model_copy(
        update={"is_default": False}
    )
    with pytest.raises(NoGroupToRouteTo):
        world.routing.route(case.id)
    assert world.cases.get(case.id).case.status == Status.NEW


@pytest.mark.parametrize("mode", ["round_robin", "fewest_open"])
def test_auto_assignment_skips_agents_off_shift(world, mode):
    from chalicelib.domain.directory import StaffMember

    for name in ("can", "elif"):
        world.directory.put_staff(StaffMember(username=name, name=name, roles=["agent"]))
    group = world.directory.groups["urun"].model_copy(
        update={"members": ["mehmet", "elif", "can"], "auto_assign": mode}
    )
    world.directory.put_group(group)
    world.directory.put_staff(world.directory.staff["can"].model_copy(update={"on_shift": False}))
    given = [world.routing.route(open_for(world).id).assignee for _ in range(4)]
    assert given == ["mehmet", "elif", "mehmet", "elif"]  # both ways, can is off shift
    case = world.cases.get(world.routing.route(open_for(world).id).id)
    assert case.case.status == Status.IN_PROGRESS
    assert [e.kind for e in case.history][-2:] == [EntryKind.ROUTED, EntryKind.ASSIGNED]


def test_fewest_open_prefers_the_least_loaded(world):
    from chalicelib.domain.directory import StaffMember

    world.directory.put_staff(StaffMember(username="elif", name="elif", roles=["agent"]))
    first = world.routing.route(open_for(world).id)  # no auto-assign yet: stays in the pool
    assert first.assignee is None
    world.service.claim(world.mehmet, first.id, cmd.Claim(version=first.version))
    world.directory.put_group(
        world.directory.groups["urun"].model_copy(
            update={"members": ["mehmet", "elif"], "auto_assign": "fewest_open"}
        )
    )
    assert world.routing.route(open_for(world).id).assignee == "elif"


def test_nobody_on_shift_leaves_the_case_in_the_pool(world):
    world.directory.put_group(
        world.directory.groups["urun"].model_copy(update={"auto_assign": "round_robin"})
    )
    world.directory.put_staff(
        world.directory.staff["mehmet"].model_copy(update={"on_shift": False})
    )
    case = world.routing.route(open_for(world).id)
    assert (case.status, case.assignee) == (Status.OPEN, None)
