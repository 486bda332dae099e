"""The satisfaction deviation alert: every Monday, supervisors hear of each group, category
or agent whose customers' satisfaction last week fell significantly below its own
baseline (the test and thresholds: domain/satisfaction_alerts.py).

`SatisfactionAlerts.send(now)`:

1. the weeks (`alert_weeks`: last Monday-to-Sunday week on Istanbul's calendar and the
   eight before it);
2. for each watched dimension (`group`, `category`, `agent`) the weekly tallies from the
   `SatisfactionHistory` port (the report counters: one slice read per dimension) and the
   deviations (`find_deviations`); none found, nothing else is read;
3. who is told, per deviation: a group's own supervisors; an agent's, the supervisors of
   the groups the agent is a member of; a category's, every supervisor. Where that finds
   nobody (a group with no supervisor), every supervisor: an alert never goes unread.
   Only active staff with the role `supervisor` and an email address;
4. for each deviation and supervisor, a mark (`WeeklyMarks.claim` under
   `<dimension>#<value>#<username>`: once per week, dimension value and supervisor, however
   often the run is retried), then the email in the supervisor's language
   (`templates/messages/<language>/satisfaction_alert.j2`). A failed send gives the mark
   back and the run raises at its end, after trying the others, so the schedule's retry
   sends only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..domain.directory import StaffMember
from ..domain.links import console_url
from ..domain.report_sheet import NameOf
from ..domain.report_table import Dimension
from ..domain.satisfaction_alerts import (
    RULE,
    WATCHED,
    AlertRule,
    AlertWeeks,
    Deviation,
    alert_weeks,
    find_deviations,
)
from ..observability import logger
from .ports import DirectoryStore, Renderer, SatisfactionHistory, Sender, WeeklyMarks

TEMPLATE = "satisfaction_alert"
SUPERVISOR = "supervisor"


class AlertsNotSent(Exception):
    """Some alerts could not be sent this run (their marks were given back)."""


@dataclass(frozen=True)
class AlertOutcome:
    """What one run did: the week tested, the deviations found, and which alerts (each
    `<dimension>#<value>#<username>`) were sent, had been sent already, or failed."""

    week: str
    deviations: list[Deviation]
    sent: list[str]
    already: list[str]
    failed: list[str]


def subject_of(deviation: Deviation, username: str) -> str:
    """What an alert is sent once a week for: `<dimension>#<value>#<username>`."""
    return f"{deviation.dimension}#{deviation.value}#{username}"


class SatisfactionAlerts:
    def __init__(
        self,
        history: SatisfactionHistory,
        directory: DirectoryStore,
        marks: WeeklyMarks,
        sender: Sender,
        renderer: Renderer,
        names: Callable[[str], NameOf],
        console: str = "",
        rule: AlertRule = RULE,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.history = history
        self.directory = directory
        self.marks = marks
        self.sender = sender
        self.renderer = renderer
        #: names of groups, agents and categories per language (the report files' names)
        self.names = names
        self.console = console
        self.rule = rule
        self.clock = clock

    def deviations(self, weeks: AlertWeeks) -> list[Deviation]:
        """Every watched dimension's deviations for `weeks`, largest fall first."""
        found: list[Deviation] = []
        for dimension in WATCHED:
            tallies = self.history.weekly(dimension, weeks.all)
            found.extend(find_deviations(dimension, tallies, self.rule))
        return sorted(found, key=lambda d: (-d.drop, d.dimension, d.value))

    def recipients(self, deviation: Deviation, supervisors: list[StaffMember],
                   groups: list[Any]) -> list[StaffMember]:  # fmt: skip
        """Who hears of `deviation` (module text, step 3)."""
        if deviation.dimension == "group":
            chosen = {u for g in groups if g.id == deviation.value for u in g.supervisors}
        elif deviation.dimension == "agent":
            chosen = {u for g in groups if deviation.value in g.members for u in g.supervisors}
        else:
            chosen = set()
        told = [m for m in supervisors if m.username in chosen]
        return told or supervisors

    def context(self, deviation: Deviation, weeks: AlertWeeks, member: StaffMember,
                name_of: NameOf) -> dict[str, Any]:  # fmt: skip
        """What the template reads (shares 0–1, `drop` as a difference of shares)."""
        value_name = name_of(Dimension(deviation.dimension), deviation.value) or deviation.value
        page = console_url(self.console, member.language.value)
        return {
            "name": member.name,
            "dimension": deviation.dimension,
            "value": deviation.value,
            "value_name": value_name,
            "start": weeks.start,
            "end": weeks.end,
            "baseline_start": weeks.baseline[0][0],
            "baseline_end": weeks.baseline[-1][1],
            "baseline_weeks": len(weeks.baseline),
            "responses": deviation.responses,
            "satisfied": deviation.satisfied,
            "share": deviation.share,
            "baseline_responses": deviation.baseline_responses,
            "baseline_satisfied": deviation.baseline_satisfied,
            "baseline_share": deviation.baseline_share,
            "drop": deviation.share - deviation.baseline_share,
            "p_value": deviation.p_value,
            "alpha": self.rule.alpha,
            "console_url": f"{page}#/reports" if page else "",
        }

    def send(self, now: datetime | None = None) -> AlertOutcome:
        """Tell supervisors of last week's deviations, each once (module text). Raises
        AlertsNotSent when some send failed (after trying the others)."""
        now = now or self.clock()
        weeks = alert_weeks(now, self.rule)
        deviations = self.deviations(weeks)
        outcome = AlertOutcome(weeks.code, deviations, [], [], [])
        if not deviations:
            logger.info("satisfaction alerts", week=weeks.code, deviations=0)
            return outcome
        supervisors = [m for m in self.directory.list_staff()
                       if SUPERVISOR in m.roles and m.active and m.email]  # fmt: skip
        groups = self.directory.list_groups() if supervisors else []
        namers: dict[str, NameOf] = {}
        for deviation in deviations:
            for member in self.recipients(deviation, supervisors, groups):
                subject = subject_of(deviation, member.username)
                if not self.marks.claim(weeks.code, subject, now):
                    outcome.already.append(subject)
                    continue
                language = member.language.value
                try:
                    if language not in namers:
                        namers[language] = self.names(language)
                    context = self.context(deviation, weeks, member, namers[language])
                    text = self.renderer.render(TEMPLATE, language, context)
                    message_id = self.sender.email(member.email or "", text.subject, text.email)
                except Exception:
                    logger.exception("satisfaction alert not sent", week=weeks.code,
                                     subject=subject)  # fmt: skip
                    self.marks.release(weeks.code, subject)
                    outcome.failed.append(subject)
                    continue
                self.marks.sent(weeks.code, subject, message_id, now)
                outcome.sent.append(subject)
        logger.info("satisfaction alerts", week=weeks.code, deviations=len(deviations),
                    sent=len(outcome.sent), already=len(outcome.already),
                    failed=len(outcome.failed))  # fmt: skip
        if outcome.failed:
            raise AlertsNotSent(f"{weeks.code}: not sent {outcome.failed}")
        return outcome
