"""Planned surveys: their questions, segment, sample, schedule and lifecycle, and the
checking of a customer's answers.

A supervisor builds a survey (draft), starts it (active), may pause it and start it again,
and ends it. Each time its schedule comes due a run selects the segment, samples it and
invites each sampled customer who may be asked (domain/survey_runs.py).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from .case_kinds import CaseType, Channel
from .customers import CustomerCategory
from .errors import Conflict, InvalidInput
from .limits import utf8_size
from .model import Model

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
#: free text answers: at most this many bytes in UTF-8 (a Turkish letter is 2)
MAX_TEXT_BYTES = 4000
#: the shop's default: nobody is surveyed twice within this many days
DEFAULT_THROTTLE_DAYS = 90


class Text(Model):
    """A text in both languages the customer may read."""

    tr: str = Field(min_length=1, max_length=500)
    en: str = Field(min_length=1, max_length=500)


class QuestionKind(StrEnum):
    RATING = "rating"  # a scale, 1–5 by default
    NPS = "nps"  # "how likely are you to recommend us", 0–10 (Reichheld 2003)
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    FREE_TEXT = "free_text"


class Choice(Model):
    id: Code
    text: Text


class Question(Model):
    """One question. `scale_min`/`scale_max` apply to ratings (NPS is always 0–10),
    `choices` to the choice kinds, `max_bytes` to free text."""

    id: Code
    kind: QuestionKind
    text: Text
    required: bool = True
    scale_min: int = Field(default=1, ge=0, le=1)
    scale_max: int = Field(default=5, ge=2, le=10)
    choices: list[Choice] = Field(default_factory=list, max_length=20)
    max_bytes: int = Field(default=2000, ge=1, le=MAX_TEXT_BYTES)

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        choice_kinds = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)
        if self.kind in choice_kinds:
            if len(self.choices) < 2:
                raise ValueError("a choice question needs at least two choices")
            if len({c.id for c in self.choices}) != len(self.choices):
                raise ValueError("choice ids must differ")
        elif self.choices:
            raise ValueError("only choice questions have choices")
        return self

    @property
    def scale(self) -> tuple[int, int]:
        return (0, 10) if self.kind == QuestionKind.NPS else (self.scale_min, self.scale_max)


class Segment(Model):
    """Who a survey is for. Every criterion given must hold (AND); within a list any value
    (OR); an empty segment is every customer. Product criteria hold for one registered
    product of the customer; case criteria for one of their cases."""

    customer_categories: list[CustomerCategory] = Field(default_factory=list, max_length=10)
    product_ids: list[Id] = Field(default_factory=list, max_length=50)
    brands: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=50
    )
    #: product categories of the catalog, at any level (a product under it matches)
    product_groups: list[Id] = Field(default_factory=list, max_length=50)
    purchased_from: date | None = None
    purchased_to: date | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    case_channels: list[Channel] = Field(default_factory=list)
    case_types: list[CaseType] = Field(default_factory=list)
    case_categories: list[Id] = Field(default_factory=list, max_length=50)
    cases_from: date | None = None
    cases_to: date | None = None
    #: customers who have not contacted us (a case, a call) in this many days
    no_contact_days: int | None = Field(default=None, ge=1, le=3650)

    @property
    def needs_products(self) -> bool:
        return bool(self.product_ids or self.brands or self.product_groups or
                    self.purchased_from or self.purchased_to or self.registered_from or
                    self.registered_to)  # fmt: skip

    @property
    def needs_cases(self) -> bool:
        return bool(self.case_channels or self.case_types or self.case_categories or
                    self.cases_from or self.cases_to)  # fmt: skip


class Sample(Model):
    """How many of the segment: all, a share (`percent`), or a number (`count`)."""

    kind: Literal["all", "percent", "count"] = "all"
    percent: float | None = Field(default=None, gt=0, le=100)
    count: int | None = Field(default=None, ge=1, le=1_000_000)

    @model_validator(mode="after")
    def _given(self) -> Sample:
        if self.kind == "percent" and self.percent is None:
            raise ValueError("a percent sample needs `percent`")
        if self.kind == "count" and self.count is None:
            raise ValueError("a count sample needs `count`")
        return self

    def size(self, matched: int) -> int:
        """How many of `matched` customers are drawn: a share rounds half up, so 10% of 15
        is 2 (never more than there are)."""
        if self.kind == "percent":
            return min(matched, int(matched * (self.percent or 0) / 100 + 0.5))
        if self.kind == "count":
            return min(matched, self.count or 0)
        return matched


Frequency = Literal["once", "weekly", "monthly", "quarterly"]


class Schedule(Model):
    frequency: Frequency = "once"
    #: the first run, UTC (the console sends the supervisor's local time as an offset)
    start_at: datetime


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later, the month's last day when it has fewer (Jan 31 + 1 =
    Feb 28 or 29)."""
    total = moment.month - 1 + months
    year, month = moment.year + total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def run_time(schedule: Schedule, number: int) -> datetime | None:
    """When run `number` (0 the first) is due; None when the schedule has no such run."""
    if schedule.frequency == "once":
        return schedule.start_at if number == 0 else None
    if schedule.frequency == "weekly":
        return schedule.start_at + timedelta(weeks=number)
    months = 1 if schedule.frequency == "monthly" else 3
    return add_months(schedule.start_at, months * number)


class SurveyStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    ENDED = "ended"


MOVES: dict[SurveyStatus, set[SurveyStatus]] = {
    SurveyStatus.DRAFT: {SurveyStatus.ACTIVE, SurveyStatus.ENDED},
    SurveyStatus.ACTIVE: {SurveyStatus.PAUSED, SurveyStatus.ENDED},
    SurveyStatus.PAUSED: {SurveyStatus.ACTIVE, SurveyStatus.ENDED},
    SurveyStatus.ENDED: set(),
}


class SurveyDraft(Model):
    """What a supervisor writes."""

    name: str = Field(min_length=1, max_length=200)
    questions: list[Question] = Field(min_length=1, max_length=20)
    segment: Segment = Field(default_factory=Segment)
    sample: Sample = Field(default_factory=Sample)
    schedule: Schedule
    #: the channel the invitations go by; the customer's consent on it is required
    channel: Literal["email", "sms"] = "email"
    #: days an invitation's link works (answers can be changed until then)
    link_days: int = Field(default=14, ge=1, le=90)
    #: a fixed seed repeats the same sample on every run (the same segment); none: each run
    #: draws its own, kept with the run
    seed: int | None = Field(default=None, ge=0, lt=2**63)

    @model_validator(mode="after")
    def _distinct_questions(self) -> SurveyDraft:
        if len({q.id for q in self.questions}) != len(self.questions):
            raise ValueError("question ids must differ")
        return self


class Survey(SurveyDraft):
    id: str
    status: SurveyStatus = SurveyStatus.DRAFT
    created_by: str
    created_at: datetime
    updated_at: datetime
    #: the runs started so far; the next is `run_time(schedule, runs)`
    runs: int = 0
    next_run_at: datetime | None = None
    version: int = 1


def moved(survey: Survey, status: SurveyStatus, now: datetime) -> Survey:
    """The survey in its new status (Conflict for a move its status does not allow). Started
    or restarted, its next run is the first scheduled time not yet run; a past time runs at
    the next tick. Paused or ended, nothing is due."""
    if status not in MOVES[survey.status]:
        raise Conflict(f"a {survey.status.value} survey cannot become {status.value}",
                       code="survey_status")  # fmt: skip
    next_at = run_time(survey.schedule, survey.runs) if status == SurveyStatus.ACTIVE else None
    return survey.model_copy(
        update={
            "status": status,
            "next_run_at": next_at,
            "updated_at": now,
            "version": survey.version + 1,
        }
    )


def editable(survey: Survey) -> None:
    """A running survey's questions cannot change under the answers: pause it first."""
    if survey.status not in (SurveyStatus.DRAFT, SurveyStatus.PAUSED):
        raise Conflict("pause the survey before you change it", code="survey_not_editable")


AnswerValue = int | str | list[str]


def check_answers(questions: list[Question], answers: dict[str, AnswerValue]) -> dict:
    """The answers, checked against the questions: a number within the scale, a choice
    among the question's, distinct choices, free text within its bytes, every required
    question answered, no unknown question. Raises InvalidInput (422) naming each problem;
    returns the answers without empty optional ones."""
    problems: list[dict] = []
    known = {q.id: q for q in questions}
    for key in answers:
        if key not in known:
            problems.append({"field": key, "problem": "unknown_question"})
    kept: dict[str, AnswerValue] = {}
    for q in questions:
        value = answers.get(q.id)
        if value is None or value == "" or value == []:
            if q.required:
                problems.append({"field": q.id, "problem": "required"})
            continue
        problem = _problem(q, value)
        if problem:
            problems.append({"field": q.id, "problem": problem})
        else:
            kept[q.id] = value.strip() if isinstance(value, str) else value
    if problems:
        raise InvalidInput("some answers do not fit their questions", details=problems,
                           code="invalid_answers")  # fmt: skip
    return kept


def _problem(q: Question, value: AnswerValue) -> str | None:
    if q.kind in (QuestionKind.RATING, QuestionKind.NPS):
        low, high = q.scale
        if isinstance(value, bool) or not isinstance(value, int):
            return "not_a_number"
        return None if low <= value <= high else "out_of_scale"
    ids = {c.id for c in q.choices}
    if q.kind == QuestionKind.SINGLE_CHOICE:
        return None if isinstance(value, str) and value in ids else "unknown_choice"
    if q.kind == QuestionKind.MULTIPLE_CHOICE:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "not_a_list"
        if len(set(value)) != len(value):
            return "repeated_choice"
        return None if set(value) <= ids else "unknown_choice"
    if not isinstance(value, str):
        return "not_text"
    if "\x00" in value:
        return "not_text"
    return None if utf8_size(value.strip()) <= q.max_bytes else "too_long"
