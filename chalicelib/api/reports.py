"""The standard reports (services/reports.py; docs/reports.md): a report as one table, the
breached cases behind the SLA report, and the projection's rebuild (admins)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

from chalice import Blueprint, Response
from pydantic import ConfigDict, Field

from .. import wiring
from ..domain.errors import InvalidInput, NotFound
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from ..domain.report_table import Dimension, ReportName
from .endpoint import endpoint

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.reports import TopicAction

bp = Blueprint(__name__)
#: the service's models by name: it loads with the first request that needs it (cold start)
SERVICE = "chalicelib.services.reports"

#: `by`: dimension codes, comma-separated (how many, which: `ReportQuery.dimensions`)
_BY = r"^[a-z_]+(,[a-z_]+)*$"


class ReportQuery(Model):
    """Which report table: `from`, `to`, the first and last day (Europe/Istanbul, both
    included, at most 366 days); `by`: up to two dimensions, comma-separated (`group,day`).
    The one query of a report and of its file (api/report_exports.py adds the format).
    A day that is no `YYYY-MM-DD`, a parameter missing or unknown: 422 `invalid_input`; the
    rest `dimensions()` checks."""

    start: date = Field(alias="from", description="first day, YYYY-MM-DD")
    end: date = Field(alias="to", description="last day, YYYY-MM-DD (included)")
    by: Annotated[str, Field(pattern=_BY, max_length=60)] | None = Field(
        default=None, description="zero, one or two dimensions, comma-separated: group,day"
    )

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)

    def dimensions(self) -> list[Dimension]:
        """`by` as dimensions, once the period and the breakdown are checked as every report
        checks them, before anything is read. Raises InvalidInput (422): `invalid_period`
        (`to` before `from`, outside 2000–2099), `period_too_long` (over 366 days),
        `invalid_dimensions` (unknown, repeated, more than two), `unsupported_dimensions`
        (two that are not a kept pair)."""
        from ..services.reports import check_period, slice_for

        check_period(self.start, self.end)
        by = dimensions(self.by)
        slice_for(by)
        return by


class BreachedQuery(Model):
    """The period and, optionally, the group, agent, priority and target the case had when
    its target breached."""

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    group: Annotated[str, Field(max_length=100)] | None = None
    agent: Annotated[str, Field(max_length=100)] | None = None
    priority: Annotated[str, Field(max_length=20)] | None = None
    target: Annotated[str, Field(pattern=r"^(first_response|resolution)$")] | None = None

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class RebuildBody(Model):
    """`from`: the first day (Europe/Istanbul) to rebuild: up to 29 days back from the table's
    event log, older days from the open data store's archive, at most back to the day after
    its first (422 `rebuild_out_of_range` beyond); none: as far back as the log goes."""

    start: date | None = Field(default=None, alias="from")

    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


def dimensions(by: str | None) -> list[Dimension]:
    """The dimension codes of `by`; InvalidInput `invalid_dimensions` naming the unknown."""
    codes = [c for c in (by or "").split(",") if c]
    known = {d.value for d in Dimension}
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput("unknown dimension", code="invalid_dimensions",
                           details={"unknown": unknown, "known": sorted(known)})  # fmt: skip
    return [Dimension(c) for c in codes]


@endpoint(
    bp, "/reports/sla/breached", permission=(Resource.REPORTS, Action.READ), query=BreachedQuery,
    response=f"{SERVICE}:BreachedCases",
)  # fmt: skip
def breached_cases(caller: Caller, query: BreachedQuery):
    """The cases whose SLA target breached in the period (ids, numbers, subjects), for the
    SLA report's drill-down."""
    return wiring.report_service().breached(query.start, query.end, query.group, query.agent,
                                            query.priority, query.target)  # fmt: skip


@endpoint(
    bp, "/reports/topics/{dimension}", permission=(Resource.REPORTS, Action.READ),
    response=list[f"{SERVICE}:SavedTopicAction"],
)  # fmt: skip
def topic_actions(caller: Caller, dimension: str):
    """The recommended actions and links set for complaint topics (`topic`) or categories
    (`category`)."""
    return wiring.report_service().topic_actions(_topic_dimension(dimension))


@endpoint(
    bp, "/reports/topics/{dimension}/{value}", "PUT", permission=(Resource.REPORTS, Action.EDIT),
    body=f"{SERVICE}:TopicAction", response=f"{SERVICE}:SavedTopicAction",
)  # fmt: skip
def set_topic_action(caller: Caller, dimension: str, value: str, body: TopicAction):
    """Set what to do about a complaint topic (a routing rule's id, under `topic`) or a
    category (its id, under `category`): the top topics report shows it on its row."""
    from ..domain.clock import utcnow

    return wiring.report_service().set_topic_action(_topic_dimension(dimension), value, body,
                                                    caller.actor.id, utcnow())  # fmt: skip


@endpoint(
    bp, "/reports/topics/{dimension}/{value}", "DELETE", permission=(Resource.REPORTS, Action.EDIT),
    status=204,
)  # fmt: skip
def remove_topic_action(caller: Caller, dimension: str, value: str):
    """Remove a topic's action; 404 if it has none."""
    wiring.report_service().remove_topic_action(_topic_dimension(dimension), value)
    return Response(body="", status_code=204)


def _topic_dimension(code: str) -> Dimension:
    if code not in ("topic", "category"):
        raise NotFound("actions are kept per topic or per category")
    return Dimension(code)


@endpoint(
    bp, "/reports/rebuild", "POST", permission=(Resource.OPERATIONS, Action.EDIT),
    body=RebuildBody, status=202, response="chalicelib.services.report_projection:RebuildStatus",
)  # fmt: skip
def rebuild_reports(caller: Caller, body: RebuildBody):
    """Rebuild the reports' counters from the stored case events into a fresh version (or
    resume the rebuild under way); it runs a page at a time in the background."""
    return wiring.report_rebuild().start(body.start)


@endpoint(
    bp, "/reports/rebuild/status", permission=(Resource.OPERATIONS, Action.EDIT),
    response="chalicelib.services.report_projection:RebuildStatus",
)  # fmt: skip
def rebuild_status(caller: Caller):
    """The rebuild under way, or the live version when none is (`done`)."""
    return wiring.report_rebuild().status()


@endpoint(
    bp, "/reports/{name}", permission=(Resource.REPORTS, Action.READ), query=ReportQuery,
    response="chalicelib.domain.report_table:ReportTable",
)  # fmt: skip
def report(caller: Caller, name: str, query: ReportQuery):
    """A standard report (sla, volume, backlog, agents) for the period, by up to two
    dimensions, as one table."""
    try:
        report_name = ReportName(name)
    except ValueError:
        raise NotFound("no such report", details={"known": [r.value for r in ReportName]}) from None
    return wiring.report_service().report(report_name, query.start, query.end,
                                          query.dimensions())  # fmt: skip
