"""Admins' SLA policies, escalation ladders and business calendars."""

from __future__ import annotations

from datetime import time
from typing import Literal

from pydantic import Field, ValidationError

from ..domain.business_hours import BusinessCalendar
from ..domain.case_kinds import CaseType, Priority
from ..domain.customers import CustomerCategory
from ..domain.errors import InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.sla import EscalationLadder, EscalationLevel, SlaPolicy
from .case_commands import Id, Strict, Text
from .ports import DirectoryStore


class PolicyDetails(Strict):
    name: Text
    order: int = Field(default=100, ge=0, le=100_000)
    enabled: bool = True
    case_type: CaseType | None = None
    category_id: Id | None = None
    priority: Priority | None = None
    customer_category: CustomerCategory | None = None
    #: targets from a second (0.01 minutes: nothing shorter is a target, and the store keeps
    #: no number nearer zero than 1E-130) to a year
    first_response_minutes: float | None = Field(default=None, ge=0.01, le=60 * 24 * 365)
    resolution_minutes: float | None = Field(default=None, ge=0.01, le=60 * 24 * 365)
    hours: Literal["business", "calendar"] = "business"
    remind_at: float = Field(default=0.75, ge=0.01, lt=1)


class LadderDetails(Strict):
    name: Text
    group_id: Id | None = None
    category_id: Id | None = None
    levels: list[EscalationLevel] = Field(min_length=1, max_length=5)


class CalendarDetails(Strict):
    name: Text
    timezone: str = "Europe/Istanbul"
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    observe_holidays: bool = True


class SlaConfigService:
    def __init__(self, store: DirectoryStore) -> None:
        self.store = store

    def policies(self) -> list[SlaPolicy]:
        return sorted(self.store.list_sla_policies(), key=lambda p: (p.order, p.id))

    def save_policy(self, details: PolicyDetails, policy_id: str | None = None) -> SlaPolicy:
        if not (details.first_response_minutes or details.resolution_minutes):
            raise InvalidInput("give first_response_minutes, resolution_minutes or both")
        if policy_id and not any(p.id == policy_id for p in self.store.list_sla_policies()):
            raise NotFound(f"no SLA policy {policy_id!r}")
        self._check_category(details.category_id)
        policy = SlaPolicy(id=policy_id or new_id("p"), **details.model_dump())
        return self.store.put_sla_policy(policy)

    def delete_policy(self, policy_id: str) -> None:
        self.store.delete_sla_policy(policy_id)

    def ladders(self) -> list[EscalationLadder]:
        return sorted(self.store.list_ladders(), key=lambda lad: lad.id)

    def save_ladder(self, details: LadderDetails, ladder_id: str | None = None) -> EscalationLadder:
        if ladder_id and not any(lad.id == ladder_id for lad in self.store.list_ladders()):
            raise NotFound(f"no escalation ladder {ladder_id!r}")
        if details.group_id and self.store.get_group(details.group_id) is None:
            raise InvalidInput(f"no group {details.group_id!r}")
        self._check_category(details.category_id)
        delays = [level.after_minutes for level in details.levels]
        if delays != sorted(delays):
            raise InvalidInput("each level must come at or after the one before it")
        ladder = EscalationLadder(id=ladder_id or new_id("l"), **details.model_dump())
        return self.store.put_ladder(ladder)

    def delete_ladder(self, ladder_id: str) -> None:
        self.store.delete_ladder(ladder_id)

    def calendars(self) -> list[BusinessCalendar]:
        stored = {c.id: c for c in self.store.list_calendars()}
        stored.setdefault("default", BusinessCalendar())
        return sorted(stored.values(), key=lambda c: c.id)

    def save_calendar(self, calendar_id: str, details: CalendarDetails) -> BusinessCalendar:
        try:
            calendar = BusinessCalendar(id=calendar_id, **details.model_dump())
        except ValidationError as exc:
            problems = exc.errors(include_url=False, include_context=False, include_input=False)
            raise InvalidInput(
                "the calendar has invalid fields",
                details=[
                    {"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
                    for e in problems
                ],
            ) from exc
        return self.store.put_calendar(calendar)

    def _check_category(self, category_id: str | None) -> None:
        if category_id and self.store.get_category(category_id) is None:
            raise InvalidInput(f"no category {category_id!r}")
