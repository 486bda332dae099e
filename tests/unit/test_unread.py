"""Unread marks: what changed on a case since a staff member last looked, kept on the case
(its version, the customer's last change, who saw which version), so lists mark each row
without another read and the mark is the same on every device."""

import pytest

from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.services import case_commands as cmd

from .conftest import customer
from .test_case_service import open_for


def rows(world, caller, **params):
    page = world.service.list(caller, cmd.ListCases(**params))
    return {row.id: row for row in page.items}


def mine(world, caller):
    return rows(world, caller, view="mine")


def pool(world, caller, group_id="urun"):
    return rows(world, caller, view="pool", group_id=group_id)


def test_a_routed_case_is_unread_in_the_pool_until_each_agent_looks(world):
    case = world.routing.route(open_for(world).id)  # ayse opened it, the router moved it on
    assert pool(world, world.mehmet)[case.id].unread
    assert pool(world, world.ayse)[case.id].unread  # routing came after her own change
    world.service.mark_seen(world.mehmet, case.id, cmd.Seen(version=case.version))
    assert not pool(world, world.mehmet)[case.id].unread
    assert pool(world, world.selin)[case.id].unread  # looking is per person


def test_what_an_agent_did_themselves_is_not_news_to_them(world):
    case = world.routing.route(open_for(world).id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    case = world.service.reply(world.mehmet, case.id, cmd.Comment(version=case.version, body="Hi"))
    row = mine(world, world.mehmet)[case.id]
    assert not row.unread and not row.customer_unread
    assert case.seen["mehmet"] == case.version


def test_a_customer_reply_marks_the_case_for_its_agent_until_they_open_it(world):
    case = world.routing.route(open_for(world).id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    world.clock.advance(minutes=3)
    world.service.reply(customer(case.customer_id), case.id,
                        cmd.Comment(version=case.version, body="Hâlâ yok"))  # fmt: skip
    row = mine(world, world.mehmet)[case.id]
    assert row.unread and row.customer_unread
    assert row.customer_activity_at == world.clock.now
    world.service.mark_seen(world.mehmet, case.id, cmd.Seen(version=row.version))
    row = mine(world, world.mehmet)[case.id]
    assert not row.unread and not row.customer_unread


def test_a_colleagues_note_is_news_but_not_from_the_customer(world):
    case = world.routing.route(open_for(world).id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    world.service.add_note(world.selin, case.id, cmd.Comment(version=case.version, body="n"))
    row = mine(world, world.mehmet)[case.id]
    assert row.unread and not row.customer_unread


def test_an_old_tab_cannot_take_back_a_later_look(world):
    case = world.routing.route(open_for(world).id)
    case = world.service.claim(world.mehmet, case.id, cmd.Claim(version=case.version))
    world.service.add_note(world.selin, case.id, cmd.Comment(version=case.version, body="n"))
    latest = world.cases.get(case.id).case.version
    world.service.mark_seen(world.mehmet, case.id, cmd.Seen(version=latest))
    world.service.mark_seen(world.mehmet, case.id, cmd.Seen(version=latest - 1))  # stale tab
    assert world.cases.get(case.id).case.seen["mehmet"] == latest
    assert not mine(world, world.mehmet)[case.id].unread


def test_marking_a_version_the_case_never_had_or_no_case_is_refused(world):
    case = world.routing.route(open_for(world).id)
    with pytest.raises(InvalidInput):
        world.service.mark_seen(world.mehmet, case.id, cmd.Seen(version=case.version + 1))
    with pytest.raises(NotFound):
        world.service.mark_seen(world.mehmet, "c-nothing", cmd.Seen(version=1))


def test_rows_do_not_carry_who_saw_what(world):
    case = world.routing.route(open_for(world).id)
    page = world.service.list(world.mehmet, cmd.ListCases(view="pool", group_id="urun"))
    dumped = page.model_dump(mode="json")["items"][0]
    assert dumped["id"] == case.id and "seen" not in dumped and dumped["unread"] is True
