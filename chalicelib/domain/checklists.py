"""Checklists: the ordered steps an agent works through on a case of some kind (the checks
before a return is accepted, say), and how often each step is skipped.

A checklist is for a case category, a routing topic (the keyword rule that routed the case,
`routing_rule_id` of its routed history line), or both (then the case must match both).
Supervisors and admins define them; every save makes a new, immutable **version**, and a
step keeps its `id` across versions while its text may change (the skipped-step counters
follow the id). A case follows the version that was current when its first step was ticked
(`CaseChecklist.version`, kept on the case), so editing a checklist later never rewrites a
case's ticks.

Skipped steps (docs/checklists-and-library.md): when a case is resolved, every step of each
checklist it follows (or matches, when nobody ticked anything: then the current version) that
is not ticked at the resolution counts as skipped once; every step counts a resolution.
Counted by the `checklists` queue's consumer from `destek.case.resolved`, once per event id.

Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints, model_validator

from .cases import CaseChecklist, EntryKind, HistoryEntry, StepTick
from .errors import InvalidInput
from .model import Model, Strict

MAX_STEPS = 30
StepText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
StepId = Annotated[str, StringConstraints(pattern=r"^s[0-9]{1,4}$")]


class StepInput(Strict):
    """A step as a supervisor writes it: `id` to keep an existing step (its counters stay
    with it), none for a new step."""

    id: StepId | None = None
    text: StepText


class ChecklistInput(Strict):
    """What a supervisor saves: a name, what cases it is for (a category id, a routing rule
    id, or both; at least one), and 1 to 30 steps in order."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
    category_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    routing_rule_id: Annotated[str, StringConstraints(min_length=1, max_length=100)] | None = None
    steps: list[StepInput] = Field(min_length=1, max_length=MAX_STEPS)
    enabled: bool = True

    @model_validator(mode="after")
    def _for_something(self) -> ChecklistInput:
        if not self.category_id and not self.routing_rule_id:
            raise ValueError("give category_id, routing_rule_id or both")
        return self


class ChecklistStep(Model):
    id: str
    text: str


class Checklist(Model):
    """One version of a checklist as stored: `version` counts from 1, each save adds one."""

    id: str
    version: int = Field(ge=1)
    name: str
    category_id: str | None = None
    routing_rule_id: str | None = None
    steps: list[ChecklistStep]
    enabled: bool = True
    updated_at: datetime
    updated_by: str

    def step(self, step_id: str) -> ChecklistStep | None:
        return next((s for s in self.steps if s.id == step_id), None)


def revise(
    current: Checklist | None, checklist_id: str, given: ChecklistInput, at: datetime, by: str
) -> Checklist:
    """The next version: existing step ids kept (InvalidInput `unknown_step` for an id the
    current version does not have; `duplicate_step` for one given twice), new steps numbered
    after the highest id the checklist ever had."""
    known = {s.id for s in current.steps} if current else set()
    seen: set[str] = set()
    for step in given.steps:
        if step.id is None:
            continue
        if step.id not in known:
            raise InvalidInput("no such step in this checklist", code="unknown_step",
                               details={"step_id": step.id})  # fmt: skip
        if step.id in seen:
            raise InvalidInput("a step is given twice", code="duplicate_step",
                               details={"step_id": step.id})  # fmt: skip
        seen.add(step.id)
    highest = max((int(i[1:]) for i in known), default=0)
    steps = []
    for step in given.steps:
        if step.id is None:
            highest += 1
        steps.append(ChecklistStep(id=step.id or f"s{highest}", text=step.text))
    return Checklist(
        id=checklist_id, version=(current.version + 1) if current else 1, name=given.name,
        category_id=given.category_id, routing_rule_id=given.routing_rule_id, steps=steps,
        enabled=given.enabled, updated_at=at, updated_by=by,
    )  # fmt: skip


def routing_rule_of(history: list[HistoryEntry]) -> str | None:
    """The keyword rule that routed the case (its last routed line's `rule_id`), or None
    when the default group or the agent at intake chose its group."""
    for entry in reversed(history):
        if entry.kind == EntryKind.ROUTED:
            return entry.data.get("rule_id")
    return None


def matches(checklist: Checklist, category_id: str | None, rule_id: str | None) -> bool:
    """An enabled checklist is for a case when each thing it names (category, routing rule)
    is the case's; a checklist naming both needs both."""
    if not checklist.enabled:
        return False
    if checklist.category_id and checklist.category_id != category_id:
        return False
    if checklist.routing_rule_id and checklist.routing_rule_id != rule_id:
        return False
    return bool(checklist.category_id or checklist.routing_rule_id)


def checklists_for(
    checklists: list[Checklist], category_id: str | None, rule_id: str | None
) -> list[Checklist]:
    """The current checklists a case matches, by name then id."""
    found = [c for c in checklists if matches(c, category_id, rule_id)]
    return sorted(found, key=lambda c: (c.name.casefold(), c.id))


def ticks_at(history: list[HistoryEntry], until: datetime) -> dict[str, CaseChecklist]:
    """The case's checklists as they stood at `until` (a resolution's moment), replayed from
    its checklist history lines: a consumer that runs later (after a reopening and more
    ticks) still counts what the resolution saw."""
    state: dict[str, CaseChecklist] = {}
    for entry in sorted(history, key=lambda e: e.at):
        if entry.kind != EntryKind.CHECKLIST or entry.at > until:
            continue
        data: dict[str, Any] = entry.data
        checklist_id, step_id = data["checklist_id"], data["step_id"]
        current = state.get(checklist_id) or CaseChecklist(version=data["version"])
        ticked = dict(current.ticked)
        if data.get("done"):
            ticked[step_id] = StepTick(at=entry.at, by=entry.actor.id)
        else:
            ticked.pop(step_id, None)
        state[checklist_id] = current.model_copy(update={"ticked": ticked})
    return state


class StepCount(Model):
    """One step's counts from one resolution: 1 resolved, 1 or 0 skipped."""

    checklist_id: str
    step_id: str
    text: str
    skipped: int


def skipped_steps(
    followed: dict[str, CaseChecklist], versions: dict[tuple[str, int], Checklist],
    matching: list[Checklist],
) -> list[StepCount]:  # fmt: skip
    """Each step of each checklist the resolved case followed (`followed`: the ticks at the
    resolution; `versions`: those versions' definitions) and of each current checklist it
    matched but never ticked (`matching`), with 1 skipped when it was not ticked."""
    counts: list[StepCount] = []
    for checklist_id, state in sorted(followed.items()):
        definition = versions.get((checklist_id, state.version))
        if definition is None:
            continue  # a checklist deleted since: nothing left to count against
        counts.extend(StepCount(checklist_id=checklist_id, step_id=s.id, text=s.text,
                                skipped=0 if s.id in state.ticked else 1)
                      for s in definition.steps)  # fmt: skip
    for checklist in matching:
        if checklist.id not in followed:
            counts.extend(StepCount(checklist_id=checklist.id, step_id=s.id, text=s.text,
                                    skipped=1) for s in checklist.steps)  # fmt: skip
    return counts


class StepStats(Model):
    """How one step fared at resolutions: `resolved` cases that had it, `skipped` of those
    without it ticked, `skip_rate` = skipped / resolved (0 to 1; null before any)."""

    step_id: str
    text: str
    in_current_version: bool
    resolved: int
    skipped: int
    skip_rate: float | None


class ChecklistStats(Model):
    checklist_id: str
    name: str
    version: int
    steps: list[StepStats]


def stats_of(checklist: Checklist, counters: dict[str, dict[str, Any]]) -> ChecklistStats:
    """The current steps in order, then steps of older versions that have counts."""
    current = {s.id for s in checklist.steps}
    rows = []
    for step_id, text in [*((s.id, s.text) for s in checklist.steps),
                          *((i, c.get("text", "")) for i, c in sorted(counters.items())
                            if i not in current)]:  # fmt: skip
        count = counters.get(step_id, {})
        resolved, skipped = int(count.get("resolved", 0)), int(count.get("skipped", 0))
        rate = round(skipped / resolved, 4) if resolved else None
        rows.append(StepStats(step_id=step_id, text=text, in_current_version=step_id in current,
                              resolved=resolved, skipped=skipped, skip_rate=rate))  # fmt: skip
    return ChecklistStats(checklist_id=checklist.id, name=checklist.name,
                          version=checklist.version, steps=rows)  # fmt: skip
