"""Planned surveys for supervisors: build, change, start, pause, end; watch the runs; the
shop's throttle; download the answers (CSV or XLSX, messaging/report_files.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import Field

from ..domain.clock import utcnow
from ..domain.errors import NotFound
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.report_sheet import Sheet
from ..domain.report_table import ColumnKind
from ..domain.survey_runs import RunCounts, SurveyRun, response_rate
from ..domain.surveys import (
    QuestionKind,
    Survey,
    SurveyDraft,
    SurveyStatus,
    editable,
    moved,
)
from .ports import SurveyStore

#: answers one download holds at most (a Lambda's answer is at most 6 MB)
MAX_EXPORT_ROWS = 20_000


class SurveyChange(SurveyDraft):
    """The whole definition again, at the version read (409 when it changed since)."""

    version: int = Field(ge=1)


class StatusChange(Model):
    status: SurveyStatus
    version: int = Field(ge=1)


class SurveySettings(Model):
    """The shop's rule: nobody gets a planned survey twice within this many days."""

    throttle_days: int = Field(ge=1, le=730)


class RunView(SurveyRun):
    """A run with its response rate (answered per invitation sent)."""

    response_rate: float | None = None


class SurveyDetail(Model):
    survey: Survey
    runs: list[RunView]
    #: every run together
    totals: RunCounts
    response_rate: float | None = None


class AnswerFile(Model):
    filename: str
    content_type: str
    body: bytes


class SurveyService:
    def __init__(self, surveys: SurveyStore, clock: Callable[[], datetime] = utcnow,
                 resume: Callable[[str], object] | None = None) -> None:  # fmt: skip
        self.surveys = surveys
        self.clock = clock
        #: resumes the runs a pause held (services/survey_runs.py `resume_held`)
        self.resume = resume

    def create(self, draft: SurveyDraft, username: str) -> Survey:
        now = self.clock()
        survey = Survey(**draft.model_dump(), id=new_id("sv"), created_by=username,
                        created_at=now, updated_at=now)  # fmt: skip
        return self.surveys.save_survey(survey, None)

    def get(self, survey_id: str) -> Survey:
        survey = self.surveys.get_survey(survey_id)
        if survey is None:
            raise NotFound(f"no survey {survey_id!r}")
        return survey

    def list(self) -> list[Survey]:
        return sorted(self.surveys.list_surveys(), key=lambda s: s.created_at, reverse=True)

    def change(self, survey_id: str, change: SurveyChange) -> Survey:
        survey = self.get(survey_id)
        editable(survey)
        draft = SurveyDraft.model_validate(change.model_dump(exclude={"version"}))
        updated = survey.model_copy(update={**dict(draft), "updated_at": self.clock(),
                                            "version": change.version + 1})  # fmt: skip
        if survey.status == SurveyStatus.PAUSED:
            updated = updated.model_copy(update={"next_run_at": None})
        return self.surveys.save_survey(updated, change.version)

    def move(self, survey_id: str, change: StatusChange) -> Survey:
        survey = self.get(survey_id)
        if survey.version != change.version:
            from ..domain.errors import Conflict

            raise Conflict("the survey changed since you read it", code="version_conflict")
        saved = self.surveys.save_survey(moved(survey, change.status, self.clock()),
                                         survey.version)  # fmt: skip
        if saved.status == SurveyStatus.ACTIVE and self.resume is not None:
            self.resume(saved.id)  # a run its pause held sends the rest of its sample
        return saved

    def detail(self, survey_id: str) -> SurveyDetail:
        survey = self.get(survey_id)
        runs = self.surveys.list_runs(survey_id)
        totals = RunCounts()
        for run in runs:
            totals = RunCounts(**{k: getattr(totals, k) + getattr(run.counts, k)
                                  for k in RunCounts.model_fields})  # fmt: skip
        views = [
            RunView(**run.model_dump(), response_rate=response_rate(run.counts)) for run in runs
        ]
        return SurveyDetail(survey=survey, runs=views, totals=totals,
                            response_rate=response_rate(totals))  # fmt: skip

    def settings(self) -> SurveySettings:
        return SurveySettings(throttle_days=self.surveys.throttle_days())

    def set_settings(self, settings: SurveySettings) -> SurveySettings:
        self.surveys.set_throttle_days(settings.throttle_days)
        return settings

    def answers_sheet(self, survey_id: str, words: dict[str, str], language: str) -> Sheet:
        """The answers as a sheet: one row per answering customer and run (their last
        answer; the customer's id, so a manager can follow an answer up in the console's
        `#/customer/<id>`), one column per question headed by its text; choices by their
        text."""
        survey = self.get(survey_id)
        rows, cursor = [], None
        while True:
            page, cursor = self.surveys.answers_page(survey_id, cursor, 500)
            for inv in page:
                rows.append([inv.run_id, inv.id, inv.customer_id, inv.answered_at,
                             *(_cell(q, inv.answers.get(q.id), language)
                               for q in survey.questions)])  # fmt: skip
            if not cursor or len(rows) >= MAX_EXPORT_ROWS:
                break
        headers = [words.get("survey_run", "run"), words.get("survey_invitation", "invitation"),
                   words.get("survey_customer", "customer"),
                   words.get("survey_answered_at", "answered_at"),
                   *(getattr(q.text, language) for q in survey.questions)]  # fmt: skip
        kinds = [ColumnKind.DIMENSION, ColumnKind.DIMENSION, ColumnKind.DIMENSION, ColumnKind.TEXT,
                 *(ColumnKind.COUNT if q.kind in (QuestionKind.RATING, QuestionKind.NPS)
                   else ColumnKind.TEXT for q in survey.questions)]  # fmt: skip
        rows = [[*r[:3], r[3].isoformat() if r[3] else None, *r[4:]] for r in rows]
        return Sheet(title=survey.name, headers=headers, kinds=kinds, rows=rows,
                     dimensions=3, file_stem=f"survey_{survey.id}")  # fmt: skip


def _cell(question, value, language: str):
    """An answer as a cell: a number, a choice's text, the choices' texts joined by "; "."""
    if value is None:
        return None
    names = {c.id: getattr(c.text, language) for c in question.choices}
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return names.get(value, value)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return "; ".join(names.get(v, v) for v in value)
    return value
