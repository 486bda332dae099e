"""A planned survey's results for supervisors: statistics per question over a period, split
by one of the segment's dimensions, free-text topics and sentiment, and the results as a
sheet for the CSV/XLSX download (docs/surveys.md "Results").

What it reads: the survey, its runs (one small partition), the counter items of the runs
due in the period (one Query: a few items per run; the answers themselves are not read)
and, for free-text questions only, the latest `TEXT_LIMIT` answers of the period (one
bounded Query of the answers index; the result says how many it read and whether there
were more).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from ..domain.clock import ISTANBUL, utcnow
from ..domain.errors import InvalidInput, NotFound
from ..domain.free_text import analyse_answers
from ..domain.report_sheet import Sheet
from ..domain.report_table import ColumnKind
from ..domain.survey_results import (
    ALL,
    QuestionResult,
    RunResult,
    SurveyResults,
    TextResult,
    TopicView,
    add_up,
    groups_of,
    question_result,
    response,
)
from ..domain.survey_runs import run_day
from ..domain.surveys import QuestionKind, Survey
from .ports import DirectoryStore, SurveyStore

#: free-text answers read per results request at most (the newest of the period)
TEXT_LIMIT = 500
#: the console's words for a dimension's values (`<prefix><code>`); brands are names already
VALUE_WORDS = {"customer_category": "customer_category_", "language": "language_",
               "case_channel": "channel_", "case_type": "type_"}  # fmt: skip
#: the longest period one request covers (a survey's counters are a few items per run)
MAX_DAYS = 3 * 366


class SurveyResultsService:
    def __init__(self, surveys: SurveyStore, directory: DirectoryStore,
                 clock: Callable[[], datetime] = utcnow) -> None:  # fmt: skip
        self.surveys = surveys
        self.directory = directory
        self.clock = clock

    def survey(self, survey_id: str) -> Survey:
        survey = self.surveys.get_survey(survey_id)
        if survey is None:
            raise NotFound(f"no survey {survey_id!r}")
        return survey

    def _period(self, survey: Survey, start: date | None, end: date | None) -> tuple[date, date]:
        """The days asked for; by default from the survey's first day to today. InvalidInput
        (422) when `to` is before `from` or the period is longer than MAX_DAYS."""
        low = start or date.fromisoformat(run_day(survey.created_at))
        high = end or self.clock().astimezone(ISTANBUL).date()
        if high < low:
            raise InvalidInput("`to` is before `from`", code="invalid_period",
                               details=[{"field": "to", "problem": "before_from"}])  # fmt: skip
        if (high - low).days >= MAX_DAYS:
            raise InvalidInput(f"a period of at most {MAX_DAYS} days", code="period_too_long",
                               details=[{"field": "from", "problem": "too_long"}])  # fmt: skip
        return low, high

    def results(self, survey_id: str, start: date | None = None, end: date | None = None,
                by: str | None = None) -> SurveyResults:  # fmt: skip
        """The survey's results over the runs due from `start` to `end` (Istanbul days,
        both included), split by the dimension `by` if given (module text). NotFound (404)
        for no such survey; InvalidInput (422) for a bad period."""
        survey = self.survey(survey_id)
        low, high = self._period(survey, start, end)
        items = self.surveys.counter_items(survey.id, low.isoformat(), high.isoformat())
        runs = [r for r in self.surveys.list_runs(survey.id)
                if low.isoformat() <= run_day(r.due_at) <= high.isoformat()]  # fmt: skip
        everyone = [i for i in items if i.dimension == ALL]
        total = add_up(everyone)
        run_results = [
            RunResult(run_id=r.id, due_at=r.due_at.isoformat(), sent=r.counts.sent,
                      answered=r.counts.answered,
                      response=response(r.counts.answered, r.counts.sent))
            for r in runs
        ]  # fmt: skip
        sent = sum(r.counts.sent for r in runs)
        answered = sum(r.counts.answered for r in runs)
        questions: list[QuestionResult] = [question_result(q, total) for q in survey.questions]
        texts = [q for q in survey.questions if q.kind == QuestionKind.FREE_TEXT]
        free_text = self._free_text(survey, texts, {r.id for r in runs}, low, high) if texts else []
        return SurveyResults(
            survey_id=survey.id, from_day=low.isoformat(), to_day=high.isoformat(), by=by,
            runs=run_results, response=response(answered, sent), questions=questions,
            free_text=free_text,
            groups=groups_of(survey.questions, items, by) if by else [],
        )  # fmt: skip

    def _free_text(self, survey: Survey, questions: list, run_ids: set[str], low: date,
                   high: date) -> list[TextResult]:  # fmt: skip
        """Topics and sentiment of the period's newest free-text answers: answers to runs
        due in the period come from its first day to the last link's expiry."""
        since = datetime.combine(low, time(), ISTANBUL)
        until = datetime.combine(high + timedelta(days=survey.link_days + 1), time(), ISTANBUL)
        answered = [inv for inv in self.surveys.latest_answers(survey.id, since, until,
                                                               TEXT_LIMIT + 1)
                    if inv.run_id in run_ids]  # fmt: skip
        complete = len(answered) <= TEXT_LIMIT
        answered = answered[:TEXT_LIMIT]
        rules = self.directory.list_rules()
        out = []
        for q in questions:
            summary = analyse_answers((inv.answers.get(q.id) for inv in answered), rules)
            out.append(TextResult(
                question_id=q.id, read=len(answered), limit=TEXT_LIMIT, complete=complete,
                answers=summary.answers, sentiment=summary.sentiment, examples=summary.examples,
                topics=[TopicView(id=t.topic_id, name=t.topic_name, answers=t.answers,
                                  sentiment=t.sentiment, examples=t.examples)
                        for t in summary.topics],
            ))  # fmt: skip
        return out

    def results_sheet(self, survey_id: str, start: date | None, end: date | None,
                      by: str | None, words: dict[str, str], language: str) -> Sheet:  # fmt: skip
        """The results as a sheet for the download (`results_sheet`)."""
        return results_sheet(self.survey(survey_id), self.results(survey_id, start, end, by),
                             words, language)  # fmt: skip


# ---- the download -----------------------------------------------------------------------------


def results_sheet(survey: Survey, results: SurveyResults, words: dict[str, str],
                  language: str) -> Sheet:  # fmt: skip
    """The results as a long table: one row per group (everyone, or a value of the
    dimension), question and figure, with its 95% interval where it has one. Headers and
    figure names come from the console's strings (`survey_res_*`)."""

    def w(key: str) -> str:
        return words.get(key, key)

    texts = {q.id: getattr(q.text, language) for q in survey.questions}
    choice_names = {(q.id, c.id): getattr(c.text, language)
                    for q in survey.questions for c in q.choices}  # fmt: skip
    rows: list[list] = []

    def add(group: str, question: str, figure: str, value, low=None, high=None, n=None):
        rows.append([group, question, figure, n, value, low, high])

    def questions_of(group: str, found: list[QuestionResult]) -> None:
        for q in found:
            text = texts.get(q.id, q.id)
            add(group, text, w("survey_res_n"), q.n)
            if q.mean is not None:
                add(group, text, w("survey_res_mean"), q.mean.value, q.mean.low, q.mean.high, q.n)
            if q.csat is not None:
                add(
                    group,
                    text,
                    w("survey_res_csat"),
                    q.csat.share,
                    q.csat.low,
                    q.csat.high,
                    q.csat.n,
                )
            if q.nps is not None:
                add(group, text, w("survey_res_nps"), q.nps.score, q.nps.low, q.nps.high, q.n)
            for s in q.distribution or []:
                add(group, text, f"{w('survey_res_score')} {s.value}", s.share, n=s.count)
            for o in q.options or []:
                add(group, text, choice_names.get((q.id, o.id), o.id), o.share, n=o.count)

    everyone = w("survey_total")
    add(
        everyone,
        "",
        w("survey_count_response_rate"),
        results.response.share,
        results.response.low,
        results.response.high,
        results.response.n,
    )
    questions_of(everyone, results.questions)
    prefix = VALUE_WORDS.get(results.by or "")
    for g in results.groups:
        name = words.get(f"{prefix}{g.value}", g.value) if prefix else g.value
        share = g.response
        add(name, "", w("survey_count_response_rate"), share.share, share.low, share.high,
            share.n)  # fmt: skip
        questions_of(name, g.questions)
    headers = [w("survey_res_group"), w("survey_res_question"), w("survey_res_figure"),
               w("survey_res_count"), w("survey_res_value"), w("survey_res_low"),
               w("survey_res_high")]  # fmt: skip
    kinds = [ColumnKind.DIMENSION, ColumnKind.TEXT, ColumnKind.TEXT, ColumnKind.COUNT,
             ColumnKind.NUMBER, ColumnKind.NUMBER, ColumnKind.NUMBER]  # fmt: skip
    rows = [[*r[:4], *(round(v, 4) if isinstance(v, float) else v for v in r[4:])] for r in rows]
    return Sheet(
        title=survey.name,
        headers=headers,
        kinds=kinds,
        rows=rows,
        dimensions=1,
        file_stem=f"survey_{survey.id}_results_{results.from_day}_{results.to_day}",
    )
