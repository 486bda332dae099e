"""The weekly summary email: every Monday, each supervisor gets last week against the week
before (cases opened, SLA compliance, backlog, top complaint topics), in their language.

`WeeklySummary.send(now)`:

1. the weeks (domain/weekly_summary.py `weeks_before`: the Monday-to-Sunday week before
   `now`'s on Istanbul's calendar, and the one before it);
2. the supervisors: active staff with the role `supervisor` and an email address (one
   Query of the directory);
3. the figures, once for everyone and only if someone is still due a summary: seven
   reports from the `ReportSource` port (volume and SLA for each week, the backlog by day
   over both, the topics for each week);
4. for each supervisor, the week's mark (`WeeklyMarks.claim`, a conditional put) and then
   the email, rendered from `templates/messages/<language>/weekly_summary.j2` (subject and
   text) and `weekly_summary_html.j2` (HTML), sent through SES v2. A mark already taken
   means the summary was sent (or is being sent): nothing is sent again, so a retried or
   doubled run sends each supervisor one email a week. A send that fails gives the mark
   back and the run raises at its end, after trying everyone else, so the schedule's retry
   sends only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..domain.links import console_url
from ..domain.report_sheet import OTHER_TOPIC, NameOf
from ..domain.report_table import Dimension, ReportName
from ..domain.weekly_summary import Figures, Weeks, change, figures_of, weeks_before
from ..observability import logger
from .ports import DirectoryStore, Renderer, ReportSource, Sender, WeeklyMarks

TEMPLATE = "weekly_summary"
SUPERVISOR = "supervisor"


class SummaryNotSent(Exception):
    """Some summaries could not be sent this run (their marks were given back)."""


@dataclass(frozen=True)
class Outcome:
    """What one run did: the week, and who got, already had, or failed to get the email."""

    week: str
    sent: list[str]
    already: list[str]
    failed: list[str]


class WeeklySummary:
    def __init__(
        self,
        source: Callable[[], ReportSource],
        directory: DirectoryStore,
        marks: WeeklyMarks,
        sender: Sender,
        renderer: Renderer,
        names: Callable[[str], NameOf],
        words: Callable[[str], dict[str, str]],
        console: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.source = source
        self.directory = directory
        self.marks = marks
        self.sender = sender
        self.renderer = renderer
        #: names of routing topics per language (the report files' `ReportNames`)
        self.names = names
        #: the console's strings of a language (for the topic `other`)
        self.words = words
        self.console = console
        self.clock = clock

    def figures(self, weeks: Weeks) -> Figures:
        """The summary's numbers for `weeks`, from seven reports."""
        reports = self.source()

        def both(name: ReportName, by: list[Dimension]) -> tuple:
            return (reports.report(name, weeks.start, weeks.end, by),
                    reports.report(name, weeks.previous_start, weeks.previous_end, by))  # fmt: skip

        return figures_of(
            weeks,
            volume=both(ReportName.VOLUME, []),
            sla=both(ReportName.SLA, []),
            backlog_by_day=reports.report(
                ReportName.BACKLOG, weeks.previous_start, weeks.end, [Dimension.DAY]
            ),  # fmt: skip
            topics=both(ReportName.TOPICS, [Dimension.TOPIC]),
        )

    def context(
        self, figures: Figures, name: str, language: str, name_of: NameOf | None = None
    ) -> dict[str, Any]:
        """What the templates read (numbers stay numbers: the templates format them)."""
        weeks = figures.weeks
        name_of = name_of or self.names(language)
        words = self.words(language)

        def topic_name(code: str) -> str:
            if code == OTHER_TOPIC:
                return words.get("report_topic_other", code)
            return name_of(Dimension.TOPIC, code) or code

        page = console_url(self.console, language)
        return {
            "name": name,
            "start": weeks.start,
            "end": weeks.end,
            "previous_start": weeks.previous_start,
            "previous_end": weeks.previous_end,
            "opened": figures.opened,
            "opened_before": figures.opened_before,
            "opened_change": change(figures.opened, figures.opened_before),
            "sla_share": figures.sla_share,
            "sla_share_before": figures.sla_share_before,
            "sla_change": change(figures.sla_share, figures.sla_share_before),
            "backlog": figures.backlog,
            "backlog_before": figures.backlog_before,
            "backlog_change": change(figures.backlog, figures.backlog_before),
            "topics": [
                {
                    "name": topic_name(t.topic),
                    "count": t.count,
                    "previous": t.previous,
                    "change": t.count - t.previous,
                }
                for t in figures.topics
            ],  # fmt: skip
            "console_url": f"{page}#/reports" if page else "",
        }

    def send(self, now: datetime | None = None) -> Outcome:
        """Send last week's summary to every supervisor who has not had it (module text).
        Raises SummaryNotSent when some send failed (after trying the others)."""
        now = now or self.clock()
        weeks = weeks_before(now)
        supervisors = [m for m in self.directory.list_staff()
                       if SUPERVISOR in m.roles and m.active and m.email]  # fmt: skip
        outcome = Outcome(weeks.code, [], [], [])
        if not supervisors:
            return outcome
        figures: Figures | None = None  # read when the first summary is due, not before
        namers: dict[str, NameOf] = {}  # the topics' names, read once per language and run
        for member in supervisors:
            if not self.marks.claim(weeks.code, member.username, now):
                outcome.already.append(member.username)
                continue
            if figures is None:
                try:
                    figures = self.figures(weeks)
                except Exception:  # no reports, no summaries: the retry tries again
                    self.marks.release(weeks.code, member.username)
                    raise
            language = member.language.value
            try:
                if language not in namers:
                    namers[language] = self.names(language)
                context = self.context(figures, member.name, language, namers[language])
                text = self.renderer.render(TEMPLATE, language, context)
                html = self.renderer.html(TEMPLATE, language, context)
                message_id = self.sender.email(member.email or "", text.subject, text.email,
                                               html=html)  # fmt: skip
            except Exception:
                logger.exception("weekly summary not sent", week=weeks.code,
                                 username=member.username)  # fmt: skip
                self.marks.release(weeks.code, member.username)
                outcome.failed.append(member.username)
                continue
            self.marks.sent(weeks.code, member.username, message_id, now)
            outcome.sent.append(member.username)
        logger.info("weekly summary", week=weeks.code, sent=len(outcome.sent),
                    already=len(outcome.already), failed=len(outcome.failed))  # fmt: skip
        if outcome.failed:
            raise SummaryNotSent(f"{weeks.code}: not sent to {outcome.failed}")
        return outcome
