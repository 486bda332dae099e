"""Planned surveys in the console: build, schedule, pause, watch the runs, download the
answers (supervisors and admins: `surveys:*`). docs/surveys.md."""

from __future__ import annotations

from typing import Literal

from chalice import Blueprint, Response

from .. import wiring
from ..domain.caller import Caller
from ..domain.errors import BadRequest, PayloadTooLarge
from ..domain.permissions import Action, Resource
from ..domain.surveys import Survey, SurveyDraft
from ..messaging.report_files import CSV_TYPE, XLSX_TYPE
from ..services.case_commands import Strict
from ..services.surveys import StatusChange, SurveyChange, SurveyDetail, SurveySettings
from .endpoint import FileAnswer, endpoint
from .report_exports import MAX_FILE_BYTES, accepts

bp = Blueprint(__name__)
READ, ADD, EDIT = ((Resource.SURVEYS, a) for a in (Action.READ, Action.ADD, Action.EDIT))


class AnswersExport(Strict):
    format: Literal["csv", "xlsx"] = "csv"
    lang: Literal["tr", "en"] = "tr"


@endpoint(bp, "/surveys", permission=READ, response=list[Survey])
def list_surveys(caller: Caller):
    """Every planned survey, newest first."""
    return wiring.survey_service().list()


@endpoint(bp, "/surveys", "POST", permission=ADD, body=SurveyDraft, status=201, response=Survey)
def create_survey(caller: Caller, body: SurveyDraft):
    """A new survey, as a draft: questions, segment, sample, schedule, channel."""
    return wiring.survey_service().create(body, caller.principal.username)


@endpoint(bp, "/surveys/{survey_id}", permission=READ, response=SurveyDetail)
def get_survey(caller: Caller, survey_id: str):
    """A survey with its runs and their figures (invited, sent, skipped by reason,
    answered, response rate)."""
    return wiring.survey_service().detail(survey_id)


@endpoint(bp, "/surveys/{survey_id}", "PUT", permission=EDIT, body=SurveyChange,
          response=Survey)  # fmt: skip
def change_survey(caller: Caller, survey_id: str, body: SurveyChange):
    """Change a draft or paused survey (409 while it is active, or at a stale version)."""
    return wiring.survey_service().change(survey_id, body)


@endpoint(bp, "/surveys/{survey_id}/status", "POST", permission=EDIT, body=StatusChange,
          response=Survey)  # fmt: skip
def move_survey(caller: Caller, survey_id: str, body: StatusChange):
    """Start, pause, restart or end a survey."""
    return wiring.survey_service().move(survey_id, body)


@endpoint(bp, "/surveys/{survey_id}/answers/export", permission=READ, query=AnswersExport,
          response=FileAnswer((CSV_TYPE.split(";")[0], XLSX_TYPE)))  # fmt: skip
def export_answers(caller: Caller, survey_id: str, query: AnswersExport) -> Response:
    """Download a survey's answers (the last of each customer and run) as CSV or XLSX."""
    from ..messaging.report_files import csv_bytes, xlsx_bytes
    from ..messaging.words import console_strings

    if query.format == "xlsx" and not accepts(bp.current_request.headers.get("accept"), XLSX_TYPE):
        raise BadRequest(f"an XLSX file needs 'Accept: {XLSX_TYPE}' (or */*)")
    sheet = wiring.survey_service().answers_sheet(
        survey_id, console_strings(query.lang), query.lang
    )
    if query.format == "csv":
        body: bytes | str = csv_bytes(sheet, query.lang).decode("utf-8")
        content_type = CSV_TYPE
    else:
        body = xlsx_bytes(sheet, query.lang, sheet.title)
        content_type = XLSX_TYPE
    size = len(body.encode() if isinstance(body, str) else body)
    if size > MAX_FILE_BYTES[query.format]:
        raise PayloadTooLarge("the file is too large to download at once",
                              details={"bytes": size})  # fmt: skip
    return Response(body=body, status_code=200, headers={
        "Content-Type": content_type,
        "Content-Disposition": f'attachment; filename="{sheet.file_stem}.{query.format}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
    })  # fmt: skip


@endpoint(bp, "/survey-settings", permission=READ, response=SurveySettings)
def survey_settings(caller: Caller):
    """The shop's throttle: nobody gets a planned survey twice within so many days."""
    return wiring.survey_service().settings()


@endpoint(bp, "/survey-settings", "PUT", permission=EDIT, body=SurveySettings,
          response=SurveySettings)  # fmt: skip
def set_survey_settings(caller: Caller, body: SurveySettings):
    """Set the throttle (1 to 730 days; 90 until set)."""
    return wiring.survey_service().set_settings(body)
