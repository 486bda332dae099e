"""Checklists: supervisors define them, the case screen shows the ones a case matches, agents
tick steps (a change of the case, through change_case), and each resolution counts the steps
left unticked (the `checklists` queue's consumer of `destek.case.resolved`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import Field

from ..domain.caller import Caller
from ..domain.case_change import TickStep, change_case
from ..domain.cases import Case, CaseChecklist, version_conflict
from ..domain.checklists import (
    Checklist,
    ChecklistInput,
    ChecklistStats,
    checklists_for,
    revise,
    routing_rule_of,
    skipped_steps,
    stats_of,
    ticks_at,
)
from ..domain.clock import from_iso, utcnow
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.model import Model, Strict
from .cases import CaseService
from .ports import CaseStore


class ChecklistEdit(ChecklistInput):
    """A checklist's next version: `version` is the one you read (409 `version_conflict`
    when someone saved another meanwhile)."""

    version: int = Field(ge=1)


class TickBody(Strict):
    """Tick (`done` true) or untick a step; `version`: the case's version you read."""

    version: int = Field(ge=1)
    step_id: str = Field(min_length=1, max_length=10)
    done: bool = True


class CaseChecklistView(Model):
    """A checklist on a case: the version the case follows (or the current one, before its
    first tick) and which steps are ticked (step id -> when, by whom)."""

    checklist: Checklist
    followed: bool
    ticked: dict[str, Any]


class CaseChecklists(Model):
    case_id: str
    case_version: int
    checklists: list[CaseChecklistView]


class ChecklistService:
    def __init__(
        self,
        store: Any,
        cases: CaseService,
        case_store: CaseStore,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.cases = cases
        self.case_store = case_store
        self.clock = clock

    # ---- defining ------------------------------------------------------------------------

    def list(self, caller: Caller) -> list[Checklist]:
        return sorted(self.store.all(), key=lambda c: (c.name.casefold(), c.id))

    def create(self, caller: Caller, given: ChecklistInput) -> Checklist:
        checklist = revise(None, new_id("k"), given, self.clock(), caller.principal.username)
        self.store.save(checklist)
        return checklist

    def update(self, caller: Caller, checklist_id: str, given: ChecklistEdit) -> Checklist:
        current = self._current(checklist_id)
        if current.version != given.version:
            raise Conflict("the checklist changed since you read it", code="version_conflict",
                           details={"current_version": current.version})  # fmt: skip
        body = ChecklistInput.model_validate(given.model_dump(exclude={"version"}))
        checklist = revise(current, checklist_id, body, self.clock(), caller.principal.username)
        self.store.save(checklist)
        return checklist

    def version(self, caller: Caller, checklist_id: str, version: int) -> Checklist:
        found = self.store.version(checklist_id, version)
        if found is None:
            raise NotFound("no such checklist version")
        return found

    def stats(self, caller: Caller, checklist_id: str) -> ChecklistStats:
        """How often each step was skipped at resolutions (domain/checklists.py)."""
        return stats_of(self._current(checklist_id), self.store.counters(checklist_id))

    def _current(self, checklist_id: str) -> Checklist:
        found = self.store.current(checklist_id)
        if found is None:
            raise NotFound("no such checklist")
        return found

    # ---- on a case -----------------------------------------------------------------------

    def for_case(self, caller: Caller, case_ref: str) -> CaseChecklists:
        """The checklists the case follows (at their versions) and the current ones it
        matches by its category and the rule that routed it."""
        found = self.cases.visible(caller, case_ref)
        case = found.case
        views = []
        for checklist_id, state in case.checklists.items():
            definition = self.store.version(checklist_id, state.version)
            if definition is not None:
                views.append(_view(definition, state, followed=True))
        matching = checklists_for(self.store.all(), case.category_id,
                                  routing_rule_of(found.history))  # fmt: skip
        views += [_view(c, None, followed=False) for c in matching if c.id not in case.checklists]
        return CaseChecklists(case_id=case.id, case_version=case.version, checklists=views)

    def tick(self, caller: Caller, case_id: str, checklist_id: str, body: TickBody) -> Case:
        """Tick or untick a step: one change of the case, with its history line and event."""
        found = self.case_store.get(case_id)
        case = found.case
        caller.require_case(case.group_id, case.assignee, change=True, opened_by=case.staff_opener)
        if case.version != body.version:
            raise version_conflict(case)
        definition = self._followed_or_matching(case, found.history, checklist_id)
        command = TickStep(checklist_id=checklist_id, version=definition.version,
                           name=definition.name, steps={s.id: s.text for s in definition.steps},
                           step_id=body.step_id, done=body.done)  # fmt: skip
        return self.case_store.apply(change_case(case, command, caller.actor, self.clock()))

    def _followed_or_matching(self, case: Case, history: list, checklist_id: str) -> Checklist:
        state = case.checklists.get(checklist_id)
        if state is not None:
            found = self.store.version(checklist_id, state.version)
        else:
            found = self.store.current(checklist_id)
            rule = routing_rule_of(history)
            if found is not None and not checklists_for([found], case.category_id, rule):
                raise InvalidInput("this checklist is not for this case",
                                   code="checklist_not_for_case")  # fmt: skip
        if found is None:
            raise NotFound("no such checklist")
        return found

    # ---- counting skipped steps ----------------------------------------------------------

    def count_resolution(self, event: dict[str, Any]) -> bool:
        """A `destek.case.resolved` event: add each checklist step's resolved and skipped
        counts, as the ticks stood at the resolution; once per event id (False: counted
        already, or nothing to count)."""
        found = self.case_store.get(event["case_id"])
        until = from_iso(event["occurred_at"])
        followed = ticks_at(found.history, until)
        versions = {}
        for checklist_id, state in followed.items():
            definition = self.store.version(checklist_id, state.version)
            if definition is not None:
                versions[(checklist_id, state.version)] = definition
        matching = checklists_for(self.store.all(), found.case.category_id,
                                  routing_rule_of(found.history))  # fmt: skip
        counts = skipped_steps(followed, versions, matching)
        if not counts:
            return False
        return self.store.count_resolution(found.case.id, event["id"], counts, self.clock())


def _view(
    definition: Checklist, state: CaseChecklist | None, *, followed: bool
) -> CaseChecklistView:
    ticked = {k: v.model_dump(mode="json") for k, v in (state.ticked if state else {}).items()}
    return CaseChecklistView(checklist=definition, followed=followed, ticked=ticked)
