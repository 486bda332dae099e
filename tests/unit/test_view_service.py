"""The saved views' service (services/views.py) with stand-in stores: a role that reads only
its own groups counts and reads only those, counts that stopped early say "more", personal
views stay their owner's, shared ones need the permission."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.caller import Caller
from chalicelib.domain.errors import Forbidden, NotFound
from chalicelib.domain.permissions import CaseAccess, Principal, default_role
from chalicelib.domain.views import ViewInput
from chalicelib.services.views import ViewListQuery, ViewService

from .conftest import staff

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


class Views:
    def __init__(self) -> None:
        self.items: dict = {}

    def listed(self, owner):
        return [v for v in self.items.values() if v.owner == owner]

    def add(self, view):
        self.items[view.id] = view

    def get(self, view_id):
        if view_id not in self.items:
            raise NotFound("no such view", code="no_view")
        return self.items[view_id]


class Cases:
    def __init__(self, found: int, complete: bool) -> None:
        self.answer = (found, complete)
        self.plans: list = []

    def count_planned(self, plan, cap, rounds):
        self.plans.append(plan)
        return self.answer


class CaseService:
    def __init__(self, cases: Cases) -> None:
        self.cases = cases

    def filter_value(self, key, typed):
        return typed


def service(found=3, complete=True) -> tuple[ViewService, Cases]:
    cases = Cases(found, complete)
    return ViewService(Views(), CaseService(cases), clock=lambda: NOW), cases


def own_groups_agent() -> Caller:
    role = default_role("agent").model_copy(
        update={"case_access": CaseAccess(read="own", change="own")}
    )
    principal = Principal(kind="staff", subject="s", username="mehmet", roles=["agent"])
    return Caller(principal, (role,), frozenset({"urun"}))


MINE = ViewInput(name="Benim", filters={"assignee": "me"})


def test_a_role_reading_its_own_groups_counts_only_their_cases():
    views, cases = service()
    caller = own_groups_agent()
    views.create(caller, MINE)
    listed = views.list(caller, ViewListQuery())
    assert listed.items[0].count.model_dump() == {"count": 3, "more": False}
    assert ("in", ("group_id",), ["urun"]) in cases.plans[0].conditions
    everyone, cases_all = service()
    everyone.create(staff("mehmet", "agent", ("urun",)), MINE)
    everyone.list(staff("mehmet", "agent", ("urun",)), ViewListQuery())
    assert not any(path == ("group_id",) for _, path, _ in cases_all.plans[0].conditions)


def test_a_count_that_stopped_before_the_end_says_more():
    views, _ = service(found=40, complete=False)
    caller = staff("mehmet", "agent")
    views.create(caller, MINE)
    assert views.list(caller, ViewListQuery()).items[0].count.model_dump() == {
        "count": 40, "more": True}  # fmt: skip


def test_personal_views_are_their_owners_and_shared_ones_need_the_permission():
    views, _ = service()
    made = views.create(staff("mehmet", "agent"), MINE)
    with pytest.raises(NotFound):
        views.get(staff("elif", "agent"), made.id)
    assert views.list(staff("elif", "agent"), ViewListQuery(counts=False)).items == []
    shared = ViewInput(name="Ekip", shared=True, filters={"group_id": "urun", "statuses": ["open"]})
    with pytest.raises(Forbidden):
        views.create(staff("mehmet", "agent"), shared)
    made = views.create(staff("selin", "supervisor"), shared)
    assert made.owner is None and views.get(staff("elif", "agent"), made.id) == made
