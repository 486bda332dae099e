"""Checklists (docs/checklists-and-library.md): supervisors define them; the case screen
reads the ones a case follows or matches and ticks their steps; supervisors read how often
each step was skipped."""

from __future__ import annotations

from chalice import Blueprint

from .. import wiring
from ..domain.caller import Caller
from ..domain.cases import Case
from ..domain.checklists import Checklist, ChecklistInput, ChecklistStats
from ..domain.errors import NotFound
from ..domain.permissions import Action, Resource
from ..services.checklists import CaseChecklists, ChecklistEdit, TickBody
from .endpoint import endpoint

bp = Blueprint(__name__)


@endpoint(bp, "/checklists", permission=(Resource.CHECKLISTS, Action.READ),
          response=list[Checklist])  # fmt: skip
def list_checklists(caller: Caller):
    """Every checklist at its current version, by name."""
    return wiring.checklist_service().list(caller)


@endpoint(bp, "/checklists", "POST", permission=(Resource.CHECKLISTS, Action.ADD),
          body=ChecklistInput, status=201, response=Checklist)  # fmt: skip
def create_checklist(caller: Caller, body: ChecklistInput):
    """A new checklist for a category, a routing rule (topic) or both: version 1."""
    return wiring.checklist_service().create(caller, body)


@endpoint(bp, "/checklists/{checklist_id}", "PUT", permission=(Resource.CHECKLISTS, Action.EDIT),
          body=ChecklistEdit, response=Checklist)  # fmt: skip
def edit_checklist(caller: Caller, checklist_id: str, body: ChecklistEdit):
    """Save the checklist's next version (cases keep the version they follow); steps given
    with their `id` keep their counters."""
    return wiring.checklist_service().update(caller, checklist_id, body)


@endpoint(bp, "/checklists/{checklist_id}/versions/{version}",
          permission=(Resource.CHECKLISTS, Action.READ), response=Checklist)  # fmt: skip
def checklist_version(caller: Caller, checklist_id: str, version: str):
    """One version of a checklist, as a case that follows it sees it."""
    if not version.isdigit() or len(version) > 6:
        raise NotFound("no such checklist version")
    return wiring.checklist_service().version(caller, checklist_id, int(version))


@endpoint(bp, "/checklists/{checklist_id}/stats", permission=(Resource.REPORTS, Action.READ),
          response=ChecklistStats)  # fmt: skip
def checklist_stats(caller: Caller, checklist_id: str):
    """How often each step was skipped: resolutions counted and those without the step
    ticked, per step (current steps first, then retired ones)."""
    return wiring.checklist_service().stats(caller, checklist_id)


@endpoint(bp, "/cases/{case_id}/checklists", permission=(Resource.CASES, Action.READ),
          response=CaseChecklists)  # fmt: skip
def case_checklists(caller: Caller, case_id: str):
    """The checklists of a case: those it follows (at their versions) and those it matches
    by its category or the routing rule that routed it."""
    return wiring.checklist_service().for_case(caller, case_id)


@endpoint(bp, "/cases/{case_id}/checklists/{checklist_id}/ticks", "POST",
          permission=(Resource.CASES, Action.EDIT), body=TickBody, response=Case)  # fmt: skip
def tick_step(caller: Caller, case_id: str, checklist_id: str, body: TickBody):
    """Tick a step (`done` true) or take the tick back; recorded in the case's history."""
    return wiring.checklist_service().tick(caller, case_id, checklist_id, body)
