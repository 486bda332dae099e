"""Planned surveys in the console: build, schedule, pause, watch the runs, download the
answers (supervisors and admins: `surveys:*`). docs/surveys.md."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

from chalice import Blueprint, Response
from pydantic import ConfigDict, Field

from .. import wiring
from ..domain.errors import BadRequest, PayloadTooLarge
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from ..domain.survey_results import Dimension as ResultDimension
from ..messaging.report_files import CSV_TYPE, XLSX_TYPE
from ..services.case_commands import Strict
from .endpoint import FileAnswer, endpoint, lazy
from .report_exports import MAX_FILE_BYTES, accepts

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..domain.surveys import SurveyDraft
    from ..services.surveys import StatusChange, SurveyChange, SurveySettings

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
SURVEYS = lazy("chalicelib.domain.surveys")
SURVEYS_SERVICE = lazy("chalicelib.services.surveys")
SURVEY_RESULTS = lazy("chalicelib.domain.survey_results")
READ, ADD, EDIT = ((Resource.SURVEYS, a) for a in (Action.READ, Action.ADD, Action.EDIT))


class AnswersExport(Strict):
    format: Literal["csv", "xlsx"] = "csv"
    lang: Literal["tr", "en"] = "tr"


class ResultsQuery(Model):
    """`from`, `to`: the first and last Istanbul day (YYYY-MM-DD, both included) of the runs
    whose results are summed (default: the survey's first day to today; at most 3 years);
    `by`: one of the segment's dimensions to split the results by."""

    start: date | None = Field(default=None, alias="from", description="first day, YYYY-MM-DD")
    end: date | None = Field(default=None, alias="to", description="last day, YYYY-MM-DD")
    by: ResultDimension | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class ResultsExport(ResultsQuery):
    format: Literal["csv", "xlsx"] = "csv"
    lang: Literal["tr", "en"] = "tr"


@endpoint(bp, "/surveys", permission=READ, response=list[SURVEYS.Survey])
def list_surveys(caller: Caller):
    """Every planned survey, newest first."""
    return wiring.survey_service().list()


@endpoint(
    bp,
    "/surveys",
    "POST",
    permission=ADD,
    body=SURVEYS.SurveyDraft,
    status=201,
    response=SURVEYS.Survey,
)
def create_survey(caller: Caller, body: SurveyDraft):
    """A new survey, as a draft: questions, segment, sample, schedule, channel."""
    return wiring.survey_service().create(body, caller.principal.username)


@endpoint(bp, "/surveys/{survey_id}", permission=READ, response=SURVEYS_SERVICE.SurveyDetail)
def get_survey(caller: Caller, survey_id: str):
    """A survey with its runs and their figures (invited, sent, skipped by reason,
    answered, response rate)."""
    return wiring.survey_service().detail(survey_id)


@endpoint(bp, "/surveys/{survey_id}", "PUT", permission=EDIT, body=SURVEYS_SERVICE.SurveyChange,
          response=SURVEYS.Survey)  # fmt: skip
def change_survey(caller: Caller, survey_id: str, body: SurveyChange):
    """Change a draft or paused survey (409 while it is active, or at a stale version)."""
    return wiring.survey_service().change(survey_id, body)


@endpoint(
    bp,
    "/surveys/{survey_id}/status",
    "POST",
    permission=EDIT,
    body=SURVEYS_SERVICE.StatusChange,
    response=SURVEYS.Survey,
)
def move_survey(caller: Caller, survey_id: str, body: StatusChange):
    """Start, pause, restart or end a survey."""
    return wiring.survey_service().move(survey_id, body)


@endpoint(bp, "/surveys/{survey_id}/answers/export", permission=READ, query=AnswersExport,
          response=FileAnswer((CSV_TYPE.split(";")[0], XLSX_TYPE)))  # fmt: skip
def export_answers(caller: Caller, survey_id: str, query: AnswersExport) -> Response:
    """Download a survey's answers (the last of each customer and run) as CSV or XLSX."""
    from ..messaging.words import console_strings

    sheet = wiring.survey_service().answers_sheet(
        survey_id, console_strings(query.lang), query.lang
    )
    return _file(sheet, query.format, query.lang)


def _file(sheet, file_format: str, language: str) -> Response:
    """A sheet as a CSV or XLSX download (413 when too large to answer at once)."""
    from ..messaging.report_files import csv_bytes, xlsx_bytes

    if file_format == "xlsx" and not accepts(bp.current_request.headers.get("accept"), XLSX_TYPE):
        raise BadRequest(f"an XLSX file needs 'Accept: {XLSX_TYPE}' (or */*)")
    if file_format == "csv":
        body: bytes | str = csv_bytes(sheet, language).decode("utf-8")
        content_type = CSV_TYPE
    else:
        body = xlsx_bytes(sheet, language, sheet.title)
        content_type = XLSX_TYPE
    size = len(body.encode() if isinstance(body, str) else body)
    if size > MAX_FILE_BYTES[file_format]:
        raise PayloadTooLarge("the file is too large to download at once",
                              details={"bytes": size})  # fmt: skip
    return Response(body=body, status_code=200, headers={
        "Content-Type": content_type,
        "Content-Disposition": f'attachment; filename="{sheet.file_stem}.{file_format}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
    })  # fmt: skip


@endpoint(bp, "/surveys/{survey_id}/results", permission=READ, query=ResultsQuery,
          response=SURVEY_RESULTS.SurveyResults)  # fmt: skip
def survey_results(caller: Caller, survey_id: str, query: ResultsQuery):
    """A survey's statistics over the runs due in a period: response rate with its 95%
    interval (per run and in all), per question n, distribution, mean with its Student-t
    interval, CSAT, NPS with its interval, choice shares; free-text topics and sentiment
    over the period's latest 500 answers; optionally split `by` a segment dimension."""
    return wiring.survey_results().results(survey_id, query.start, query.end, query.by)


@endpoint(bp, "/surveys/{survey_id}/results/export", permission=READ, query=ResultsExport,
          response=FileAnswer((CSV_TYPE.split(";")[0], XLSX_TYPE)))  # fmt: skip
def export_results(caller: Caller, survey_id: str, query: ResultsExport) -> Response:
    """Download a survey's results (the figures of GET …/results, one row per group,
    question and figure, with its interval) as CSV or XLSX."""
    from ..messaging.words import console_strings

    sheet = wiring.survey_results().results_sheet(
        survey_id, query.start, query.end, query.by, console_strings(query.lang), query.lang
    )
    return _file(sheet, query.format, query.lang)


@endpoint(bp, "/survey-settings", permission=READ, response=SURVEYS_SERVICE.SurveySettings)
def survey_settings(caller: Caller):
    """The shop's throttle: nobody gets a planned survey twice within so many days."""
    return wiring.survey_service().settings()


@endpoint(bp, "/survey-settings", "PUT", permission=EDIT, body=SURVEYS_SERVICE.SurveySettings,
          response=SURVEYS_SERVICE.SurveySettings)  # fmt: skip
def set_survey_settings(caller: Caller, body: SurveySettings):
    """Set the throttle (1 to 730 days; 90 until set)."""
    return wiring.survey_service().set_settings(body)


class BackfillState(Model):
    """The roster backfill's last pass: when it started and finished (None: under way, or
    never run), profiles it listed, Scan segments read to their end."""

    started_at: str | None = None
    finished_at: str | None = None
    updated: int | None = None
    segments: int | None = None
    segments_done: list[int] | None = None


@endpoint(bp, "/survey-roster/backfill", permission=(Resource.OPERATIONS, Action.READ),
          response=BackfillState)  # fmt: skip
def roster_backfill_state(caller: Caller):
    """The roster backfill's last pass (docs/surveys.md "The roster's backfill")."""
    return wiring.survey_runner().backfill_state()


@endpoint(bp, "/survey-roster/backfill", "POST", permission=(Resource.OPERATIONS, Action.EDIT),
          status=202, response=BackfillState)  # fmt: skip
def start_roster_backfill(caller: Caller):
    """List the customer profiles written before planned surveys in the roster runs read:
    a bounded, resumable pass on the surveys queue (one under way is not started again)."""
    return wiring.survey_runner().start_backfill()
