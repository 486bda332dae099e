"""Admins' SLA policies, escalation ladders and business calendars."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, ValidationError, field_validator, model_validator

from ..domain.business_hours import BusinessCalendar
from ..domain.case_kinds import CaseType, Priority
from ..domain.conditions import CaseFacts, Conditions
from ..domain.customers import CustomerCategory
from ..domain.emails import InvalidEmail, checked_email
from ..domain.errors import InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.legacy_conditions import LADDER, POLICY, fold, old_field
from ..domain.model import Model
from ..domain.reports import problems_of
from ..domain.sla import (
    DuePreview,
    EscalationLadder,
    EscalationLevel,
    SlaHours,
    SlaPolicy,
    choose_policy,
    preview_due,
)
from .case_commands import Id, Strict, Text
from .condition_refs import check_references
from .ports import DirectoryStore


class PolicyDetails(Strict):
    """A policy as an admin sends it. The flat conditions of before (`case_type`,
    `category_id`, `priority`, `customer_category`) are still taken and become conditions."""

    name: Text
    order: int = Field(default=100, ge=0, le=100_000)
    enabled: bool = True
    conditions: Conditions = Field(default_factory=list)
    #: targets from a second (0.01 minutes: nothing shorter is a target, and the store keeps
    #: no number nearer zero than 1E-130) to a year
    first_response_minutes: float | None = Field(default=None, ge=0.01, le=60 * 24 * 365)
    resolution_minutes: float | None = Field(default=None, ge=0.01, le=60 * 24 * 365)
    hours: SlaHours = "business"
    remind_at: float = Field(default=0.75, ge=0.01, lt=1)
    case_type: CaseType | None = old_field()
    category_id: Id | None = old_field()
    priority: Priority | None = old_field()
    customer_category: CustomerCategory | None = old_field()

    @model_validator(mode="after")
    def _fold_old_fields(self) -> PolicyDetails:
        self.conditions = fold(self.conditions, self.model_dump(include=set(POLICY.fields)), POLICY)
        return self

    def stored(self) -> dict:
        """The fields a policy keeps (the old flat ones are in its conditions now)."""
        return self.model_dump(exclude=set(POLICY.fields))


class LevelDetails(EscalationLevel):
    """A level as an admin sends it: a field the level does not have is refused, not dropped."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class LadderDetails(Strict):
    """A ladder as an admin sends it. The flat `group_id` and `category_id` of before are
    still taken and become conditions (a category hides the group, as it always did)."""

    name: Text
    conditions: Conditions = Field(default_factory=list)
    levels: list[LevelDetails] = Field(min_length=1, max_length=5)
    group_id: Id | None = old_field()
    category_id: Id | None = old_field()

    @model_validator(mode="after")
    def _fold_old_fields(self) -> LadderDetails:
        self.conditions = fold(self.conditions, self.model_dump(include=set(LADDER.fields)), LADDER)
        return self

    def stored(self) -> dict:
        """The fields a ladder keeps (the old flat ones are in its conditions now)."""
        return self.model_dump(exclude=set(LADDER.fields))

    @field_validator("levels")
    @classmethod
    def _managers_reachable(cls, levels: list[EscalationLevel]) -> list[EscalationLevel]:
        """Managers' addresses are checked as every other address is (domain/emails.py)."""
        checked = []
        for index, level in enumerate(levels):
            try:
                emails = [checked_email(e) for e in level.emails]
            except InvalidEmail as exc:
                raise ValueError(f"level {index + 1}: {exc}") from exc
            checked.append(level.model_copy(update={"emails": emails}))
        return checked


class DayHoursDetails(Strict):
    """One weekday's own hours as an admin sends them (checked with the calendar)."""

    opens: time
    closes: time


class CalendarDetails(Strict):
    name: Text
    timezone: str = "Europe/Istanbul"
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    opens: time = time(9, 0)
    closes: time = time(18, 0)
    observe_holidays: bool = True
    day_hours: dict[int, DayHoursDetails] = Field(default_factory=dict)


class PreviewRequest(Strict):
    """A sample case for the due-time preview: the policy by id, or as the admin's form has
    it now (unsaved), or neither (the policy the sample's priority and type would choose);
    a wall-clock `opened_at` (no offset) is read in the calendar's zone."""

    policy_id: Id | None = None
    policy: PolicyDetails | None = None
    calendar_id: Id = "default"
    priority: Priority | None = None
    case_type: CaseType | None = None
    opened_at: datetime = Field(description="between the years 2000 and 2100")

    @field_validator("opened_at")
    @classmethod
    def _plausible(cls, value: datetime) -> datetime:
        # the holiday tables and the date arithmetic have limits; no sample needs them
        if not 2000 <= value.year <= 2100:
            raise ValueError("a moment between the years 2000 and 2100")
        return value

    @model_validator(mode="after")
    def _one_policy(self) -> PreviewRequest:
        if self.policy_id is not None and self.policy is not None:
            raise ValueError("give policy_id or policy, not both")
        return self


class SlaPreview(Model):
    """The sample's due times: `policy_id` null (and no targets) when no policy applies."""

    policy_id: str | None = None
    policy_name: str | None = None
    calendar_id: str
    timezone: str
    opened_at: datetime
    targets: list[DuePreview] = Field(default_factory=list)


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
        check_references(self.store, details.conditions)
        policy = SlaPolicy(id=policy_id or new_id("p"), **details.stored())
        return self.store.put_sla_policy(policy)

    def delete_policy(self, policy_id: str) -> None:
        self.store.delete_sla_policy(policy_id)

    def ladders(self) -> list[EscalationLadder]:
        return sorted(self.store.list_ladders(), key=lambda lad: lad.id)

    def save_ladder(self, details: LadderDetails, ladder_id: str | None = None) -> EscalationLadder:
        if ladder_id and not any(lad.id == ladder_id for lad in self.store.list_ladders()):
            raise NotFound(f"no escalation ladder {ladder_id!r}")
        check_references(self.store, details.conditions)
        delays = [level.after_minutes for level in details.levels]
        if delays != sorted(delays):
            raise InvalidInput("each level must come at or after the one before it")
        ladder = EscalationLadder(id=ladder_id or new_id("l"), **details.stored())
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
                details=problems_of(problems),
            ) from exc
        return self.store.put_calendar(calendar)

    def preview(self, request: PreviewRequest) -> SlaPreview:
        """Due times for a sample case (domain/sla.preview_due); writes nothing."""
        calendar = next((c for c in self.calendars() if c.id == request.calendar_id), None)
        if calendar is None:
            raise InvalidInput(
                f"no calendar {request.calendar_id!r}",
                details=[{"field": "calendar_id", "type": "unknown_calendar"}],
                code="unknown_calendar",
            )
        opened_at = request.opened_at
        if opened_at.tzinfo is None:
            opened_at = opened_at.replace(tzinfo=ZoneInfo(calendar.timezone))
        policy = self._sample_policy(request)
        answer = SlaPreview(
            calendar_id=calendar.id,
            timezone=calendar.timezone,
            opened_at=opened_at.astimezone(ZoneInfo(calendar.timezone)),
        )
        if policy is None:
            return answer
        try:
            targets = preview_due(policy, calendar, opened_at)
        except ValueError as exc:
            raise InvalidInput(str(exc), code="target_beyond_calendar") from exc
        return answer.model_copy(
            update={"policy_id": policy.id, "policy_name": policy.name, "targets": targets}
        )

    def _sample_policy(self, request: PreviewRequest) -> SlaPolicy | None:
        if request.policy is not None:
            if not (request.policy.first_response_minutes or request.policy.resolution_minutes):
                raise InvalidInput("give first_response_minutes, resolution_minutes or both")
            return SlaPolicy(id="preview", **request.policy.stored())
        policies = self.policies()
        if request.policy_id is not None:
            found = next((p for p in policies if p.id == request.policy_id), None)
            if found is None:
                raise NotFound(f"no SLA policy {request.policy_id!r}")
            return found
        facts = CaseFacts(priority=request.priority, type=request.case_type)
        return choose_policy(policies, facts)
