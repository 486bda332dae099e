"""Saved views, bulk status and presence on a case (docs/views-and-presence.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy
from .etags import conditional

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..domain.presence import PresenceInput
    from ..domain.views import ViewEdit, ViewInput
    from ..services import case_commands as cmd
    from ..services.views import ViewListQuery, ViewPageQuery

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CMD = lazy("chalicelib.services.case_commands")
CASES_SERVICE = lazy("chalicelib.services.cases")
LISTING = lazy("chalicelib.domain.listing")
PRESENCE = lazy("chalicelib.domain.presence")
VIEWS = lazy("chalicelib.domain.views")
SERVICE = lazy("chalicelib.services.views")
CASES_READ = (Resource.CASES, Action.READ)


@endpoint(bp, "/views", permission=CASES_READ, query=SERVICE.ViewListQuery,
          response=VIEWS.ViewsAnswer)  # fmt: skip
def list_views(caller: Caller, query: ViewListQuery):
    """The shared views and your own, by name, each with how many cases it holds now (up to
    100, then `more`). With `If-None-Match` of the answer's `ETag`: 304 when nothing moved."""
    return conditional(bp.current_request, wiring.view_service().list(caller, query))


@endpoint(bp, "/views", "POST", permission=CASES_READ, body=VIEWS.ViewInput, status=201,
          response=VIEWS.SavedView)  # fmt: skip
def create_view(caller: Caller, body: ViewInput):
    """A new view, personal or (`shared_views` add) shared. 422 `view_unserved` when no
    index serves its filters: give a group with one status, an agent, or an SLA state."""
    return wiring.view_service().create(caller, body)


@endpoint(bp, "/views/{view_id}", permission=CASES_READ, response=VIEWS.SavedView)
def get_view(caller: Caller, view_id: str):
    """One shared view, or one of yours."""
    return wiring.view_service().get(caller, view_id)


@endpoint(bp, "/views/{view_id}", "PUT", permission=CASES_READ, body=VIEWS.ViewEdit,
          response=VIEWS.SavedView)  # fmt: skip
def edit_view(caller: Caller, view_id: str, body: ViewEdit):
    """Save the view's next version (`version`: the one you read; 409 when it changed)."""
    return wiring.view_service().edit(caller, view_id, body)


@endpoint(bp, "/views/{view_id}", "DELETE", permission=CASES_READ, status=204)
def delete_view(caller: Caller, view_id: str):
    """Delete one of your views, or (`shared_views` edit) a shared one."""
    wiring.view_service().delete(caller, view_id)
    return Response(body="", status_code=204)


@endpoint(bp, "/views/{view_id}/cases", permission=CASES_READ, query=SERVICE.ViewPageQuery,
          response=LISTING.CaseRowPage)  # fmt: skip
def view_cases(caller: Caller, view_id: str, query: ViewPageQuery):
    """One page of the view's cases (one Query), each marked unread when it changed since
    you last looked; a page may be short, with `next_cursor` to read on. With
    `If-None-Match` of the answer's `ETag`: 304 when nothing moved."""
    return conditional(bp.current_request, wiring.view_service().cases(caller, view_id, query))


@endpoint(bp, "/case-status-changes", "POST", permission=(Resource.CASES, Action.EDIT),
          body=CMD.BulkStatus, response=CASES_SERVICE.BulkTagged)  # fmt: skip
def change_status_many(caller: Caller, body: cmd.BulkStatus):
    """Move up to 50 cases, each at the version you read, to one status; each is reported
    applied or refused with its error (a retry finds the moved ones applied)."""
    return wiring.case_service().change_status_many(caller, body)


@endpoint(bp, "/cases/{case_id}/presence", "PUT", permission=CASES_READ,
          body=PRESENCE.PresenceInput, response=PRESENCE.PresenceAnswer)  # fmt: skip
def mark_presence(caller: Caller, case_id: str, body: PresenceInput):
    """You are viewing or replying to the case (for 60 s): answers who else is on it and the
    case's current version, so the screen knows when it changed meanwhile."""
    return wiring.presence_service().mark(caller, case_id, body)


@endpoint(bp, "/cases/{case_id}/presence", "DELETE", permission=CASES_READ, status=204)
def leave_case(caller: Caller, case_id: str):
    """You left the case: your mark goes at once."""
    wiring.presence_service().leave(caller, case_id)
    return Response(body="", status_code=204)
