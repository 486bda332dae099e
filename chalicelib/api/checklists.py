"""Checklists (docs/checklists-and-library.md): supervisors define them; the case screen
reads the ones a case follows or matches and ticks their steps; supervisors read how often
each step was skipped."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from ..domain.errors import NotFound
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..domain.checklists import ChecklistInput
    from ..services.checklists import ChecklistEdit, TickBody

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CASES = lazy("chalicelib.domain.cases")
CHECKLISTS = lazy("chalicelib.domain.checklists")
CHECKLISTS_SERVICE = lazy("chalicelib.services.checklists")


@endpoint(bp, "/checklists", permission=(Resource.CHECKLISTS, Action.READ),
          response=list[CHECKLISTS.Checklist])  # fmt: skip
def list_checklists(caller: Caller):
    """Every checklist at its current version, by name."""
    return wiring.checklist_service().list(caller)


@endpoint(bp, "/checklists", "POST", permission=(Resource.CHECKLISTS, Action.ADD),
          body=CHECKLISTS.ChecklistInput, status=201, response=CHECKLISTS.Checklist)  # fmt: skip
def create_checklist(caller: Caller, body: ChecklistInput):
    """A new checklist for a category, a routing rule (topic) or both: version 1."""
    return wiring.checklist_service().create(caller, body)


@endpoint(bp, "/checklists/{checklist_id}", "PUT", permission=(Resource.CHECKLISTS, Action.EDIT),
          body=CHECKLISTS_SERVICE.ChecklistEdit, response=CHECKLISTS.Checklist)  # fmt: skip
def edit_checklist(caller: Caller, checklist_id: str, body: ChecklistEdit):
    """Save the checklist's next version (cases keep the version they follow); steps given
    with their `id` keep their counters."""
    return wiring.checklist_service().update(caller, checklist_id, body)


@endpoint(bp, "/checklists/{checklist_id}/versions/{version}",
          permission=(Resource.CHECKLISTS, Action.READ), response=CHECKLISTS.Checklist)  # fmt: skip
def checklist_version(caller: Caller, checklist_id: str, version: str):
    """One version of a checklist, as a case that follows it sees it."""
    if not version.isdigit() or len(version) > 6:
        raise NotFound("no such checklist version")
    return wiring.checklist_service().version(caller, checklist_id, int(version))


@endpoint(bp, "/checklists/{checklist_id}/stats", permission=(Resource.REPORTS, Action.READ),
          response=CHECKLISTS.ChecklistStats)  # fmt: skip
def checklist_stats(caller: Caller, checklist_id: str):
    """How often each step was skipped: resolutions counted and those without the step
    ticked, per step (current steps first, then retired ones)."""
    return wiring.checklist_service().stats(caller, checklist_id)


@endpoint(bp, "/cases/{case_id}/checklists", permission=(Resource.CASES, Action.READ),
          response=CHECKLISTS_SERVICE.CaseChecklists)  # fmt: skip
def case_checklists(caller: Caller, case_id: str):
    """The checklists of a case: those it follows (at their versions) and those it matches
    by its category or the routing rule that routed it."""
    return wiring.checklist_service().for_case(caller, case_id)


@endpoint(
    bp,
    "/cases/{case_id}/checklists/{checklist_id}/ticks",
    "POST",
    permission=(Resource.CASES, Action.EDIT),
    body=CHECKLISTS_SERVICE.TickBody,
    response=CASES.Case,
)
def tick_step(caller: Caller, case_id: str, checklist_id: str, body: TickBody):
    """Tick a step (`done` true) or take the tick back; recorded in the case's history."""
    return wiring.checklist_service().tick(caller, case_id, checklist_id, body)
