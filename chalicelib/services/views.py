"""Saved views (docs/views-and-presence.md): keep personal and shared views, list them with
a live count each, and read one page of a view's cases (one Query each, domain/views.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ..domain.caller import Caller
from ..domain.carriers import folded_name
from ..domain.clock import utcnow
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.listing import CaseRowPage, rows_for
from ..domain.model import Strict
from ..domain.permissions import Action, Resource
from ..domain.views import (
    COUNT_CAP,
    COUNT_ROUNDS,
    MAX_PERSONAL,
    MAX_SHARED,
    ListedView,
    SavedView,
    ViewCount,
    ViewEdit,
    ViewInput,
    ViewPlan,
    ViewsAnswer,
    check_view,
    counted,
    plan,
)


class ViewPageQuery(Strict):
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    cursor: Annotated[str, StringConstraints(max_length=2048)] | None = None


class ViewListQuery(Strict):
    """`counts`: `false` leaves the counts out (a form that only needs the names)."""

    counts: bool = True


class ViewService:
    def __init__(
        self, store: Any, case_service: Any, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.store = store
        self.case_service = case_service
        self.clock = clock

    # ---- keeping views -------------------------------------------------------------------

    def list(self, caller: Caller, query: ViewListQuery) -> ViewsAnswer:
        """The shared views, then the caller's own, by name, each with its count now (one
        COUNT Query per view, at most MAX_SHARED + MAX_PERSONAL)."""
        shared = sorted(self.store.listed(None), key=_by_name)
        personal = sorted(self.store.listed(caller.principal.username), key=_by_name)
        items = []
        for view in [*shared, *personal]:
            count = self.count(caller, view) if query.counts else None
            items.append(ListedView(id=view.id, name=view.name, shared=view.shared,
                                    owner=view.owner, filters=view.filters, sort=view.sort,
                                    version=view.version, count=count))  # fmt: skip
        return ViewsAnswer(items=items)

    def get(self, caller: Caller, view_id: str) -> SavedView:
        view = self.store.get(view_id)
        if view.owner is not None and view.owner != caller.principal.username:
            raise NotFound("no such view", code="no_view")
        return view

    def create(self, caller: Caller, body: ViewInput) -> SavedView:
        """A new view, checked to be served by one Query (422 `view_unserved`); shared views
        need `shared_views` add; at most MAX_PERSONAL / MAX_SHARED (422 `too_many_views`)."""
        if body.shared:
            caller.require(Resource.SHARED_VIEWS, Action.ADD)
        owner = None if body.shared else caller.principal.username
        most = MAX_SHARED if body.shared else MAX_PERSONAL
        if len(self.store.listed(owner)) >= most:
            raise InvalidInput("too many views", code="too_many_views", details={"max": most})
        now = self.clock()
        view = SavedView(id=new_id("v"), name=body.name, owner=owner, filters=body.filters,
                         sort=body.sort, field_values=self._checked(body), created_by=caller.actor,
                         created_at=now, updated_at=now)  # fmt: skip
        self.store.add(view)
        return view

    def edit(self, caller: Caller, view_id: str, body: ViewEdit) -> SavedView:
        """The next version (409 `version_conflict` on a stale `version`); making a view
        shared, or editing a shared one, needs `shared_views` edit."""
        view = self._editable(caller, view_id)
        if body.shared and view.owner is not None:
            caller.require(Resource.SHARED_VIEWS, Action.EDIT)
        if view.version != body.version:
            raise Conflict("the view changed since you read it", code="version_conflict",
                           details={"current_version": view.version})  # fmt: skip
        owner = None if body.shared else (view.owner or caller.principal.username)
        after = view.model_copy(update={
            "name": body.name, "filters": body.filters, "sort": body.sort, "owner": owner,
            "field_values": self._checked(body), "version": view.version + 1,
            "updated_at": self.clock()})  # fmt: skip
        self.store.replace(after)
        return after

    def delete(self, caller: Caller, view_id: str) -> None:
        self._editable(caller, view_id)
        self.store.remove(view_id)

    def _editable(self, caller: Caller, view_id: str) -> SavedView:
        view = self.get(caller, view_id)
        if view.owner is None and not caller.can(Resource.SHARED_VIEWS, Action.EDIT):
            raise Forbidden("only supervisors change shared views", code="shared_view")
        return view

    def _checked(self, body: ViewInput) -> dict[str, Any]:
        """The view's custom field values as their fields store them, once it is known an
        index serves it."""
        check_view(body.filters, body.sort, self.clock())
        return {key: self.case_service.filter_value(key, typed)
                for key, typed in body.filters.fields.items()}  # fmt: skip

    # ---- reading a view ------------------------------------------------------------------

    def cases(self, caller: Caller, view_id: str, query: ViewPageQuery) -> CaseRowPage:
        """One page of the view's cases for the caller, each marked unread or not: one Query
        (its conditions applied after the key; a page may come back short, with a cursor)."""
        view = self.get(caller, view_id)
        page = self.case_service.cases.list_planned(self._plan(caller, view), query.limit,
                                                    query.cursor)  # fmt: skip
        rows = rows_for(page, caller.principal.username)
        if caller.case_access.read == "all":
            return rows
        mine = [c for c in rows.items if caller.reaches_case(c.group_id, c.assignee, change=False)]
        return rows.model_copy(update={"items": mine})

    def count(self, caller: Caller, view: SavedView) -> ViewCount:
        """How many cases the view holds now, up to 100 then "more" (a COUNT Query)."""
        found, complete = self.case_service.cases.count_planned(
            self._plan(caller, view), COUNT_CAP, COUNT_ROUNDS
        )
        if complete:
            return counted(found)
        return ViewCount(count=min(found, COUNT_CAP - 1), more=True)

    def _plan(self, caller: Caller, view: SavedView) -> ViewPlan:
        """The view's Query for this caller; a role that reads only its own groups' cases
        counts and reads only those (a group outside them: 403 `outside_your_groups`)."""
        decided = plan(view.filters, view.sort, caller.principal.username, self.clock(),
                       view.field_values)  # fmt: skip
        if caller.case_access.read == "all":
            return decided
        if view.filters.group_id:
            caller.require_case(view.filters.group_id, None, change=False)
            return decided
        mine = sorted(caller.groups) or ["-"]
        return decided.model_copy(
            update={"conditions": [*decided.conditions, ("in", ("group_id",), mine)]}
        )


def _by_name(view: SavedView) -> tuple[str, str]:
    return folded_name(view.name), view.id
