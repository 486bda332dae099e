"""The standard reports, answered from the projection's counters (services/report_projection.py
keeps them; docs/reports.md says what each column means).

Access pattern: a report for a period and dimensions reads one slice of the counters
(`all`, one dimension, or a stored pair; `day` is the items' own date): one Query per
month of the period (and per projection version the period spans), each reading the
items of the days asked × the cell values present those days. The backlog also reads the
slice's levels (one Query) and the days from the period's end to today (the changes since).
Nothing here reads a case, so what a report reads depends on the days and the dimension
values, never on how many cases exist (`items_read`, measured by `make bench`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Protocol

from pydantic import ConfigDict, Field

from ..domain.clock import ISTANBUL, utcnow
from ..domain.errors import InvalidInput
from ..domain.model import Model
from ..domain.report_projection import (
    ALL,
    EDGES,
    NONE,
    day_end,
    epoch_minutes,
    pair_of,
    percentile,
    slice_name,
)
from ..domain.report_table import (
    MAX_DAYS,
    ColumnKind,
    Dimension,
    ReportColumn,
    ReportName,
    ReportTable,
)
from .report_projection import Versions, read_versions

_C, _S, _M, _N = ColumnKind.COUNT, ColumnKind.SHARE, ColumnKind.MINUTES, ColumnKind.NUMBER

#: each report's columns after its dimensions, in order
COLUMNS: dict[ReportName, list[tuple[str, ColumnKind]]] = {
    ReportName.VOLUME: [
        ("opened", _C), ("complaints", _C), ("resolved", _C), ("closed", _C), ("reopened", _C),
        ("escalations", _C), ("replies", _C), ("replies_per_resolved", _N), ("fcr", _C),
        ("fcr_share", _S), ("first_response_median", _M), ("first_response_p90", _M),
        ("first_response_business_median", _M), ("first_response_business_p90", _M),
        ("resolution_median", _M), ("resolution_p90", _M),
        ("resolution_business_median", _M), ("resolution_business_p90", _M),
    ],
    ReportName.SLA: [
        ("sla_first_response_met", _C), ("sla_first_response_breached", _C),
        ("sla_first_response_share", _S), ("sla_resolution_met", _C),
        ("sla_resolution_breached", _C), ("sla_resolution_share", _S), ("sla_share", _S),
    ],
    ReportName.AGENTS: [
        ("resolved", _C), ("replies", _C), ("replies_per_resolved", _N),
        ("first_response_median", _M), ("resolution_median", _M), ("sla_share", _S),
        ("reopened", _C), ("reopen_rate", _S), ("fcr_share", _S),
        ("csat_responses", _C), ("csat", _S),
    ],
    ReportName.SATISFACTION: [
        ("csat_responses", _C), ("csat_satisfied", _C), ("csat", _S), ("csat_average", _N),
        *((f"csat_score_{n}", _C) for n in range(1, 6)),
        ("agent_csat_responses", _C), ("agent_csat", _S), ("agent_csat_average", _N),
    ],
    ReportName.BACKLOG: [
        ("opened", _C), ("resolved", _C), ("closed", _C), ("backlog", _C),
        ("backlog_age_average", _M),
    ],
}  # fmt: skip
#: top complaint topics: this period against the one before, with the topic's actions
TOPIC_COLUMNS: list[tuple[str, ColumnKind]] = [
    ("complaints", _C), ("previous_complaints", _C), ("change", _C), ("change_rate", _N),
    ("opened", _C), ("action", ColumnKind.TEXT), ("link", ColumnKind.LINK),
]  # fmt: skip
TOPIC_DIMENSIONS = (Dimension.TOPIC, Dimension.CATEGORY)
#: complaints per 1,000 registered units, in and out of warranty
PRODUCT_COLUMNS: list[tuple[str, ColumnKind]] = [
    ("complaints", _C), ("units", _C), ("complaints_per_1000_units", _N),
    ("complaints_in_warranty", _C), ("units_in_warranty", _C),
    ("in_warranty_per_1000_units", _N), ("complaints_out_warranty", _C),
    ("units_out_warranty", _C), ("out_warranty_per_1000_units", _N),
]  # fmt: skip
BUILT = (*COLUMNS, ReportName.TOPICS, ReportName.PRODUCTS)
#: the deflection report's columns (domain/deflection.py says what each counts)
DEFLECTION_COLUMNS: list[tuple[str, ColumnKind]] = [
    ("drafts", ColumnKind.COUNT),
    ("drafts_suggested", ColumnKind.COUNT),
    ("drafts_opened", ColumnKind.COUNT),
    ("drafts_deflected", ColumnKind.COUNT),
    ("drafts_filed", ColumnKind.COUNT),
    ("deflection_share", ColumnKind.SHARE),
]


def _deflection_row(raw: dict[str, Any], counted: list[str]) -> dict[str, Any]:
    from ..domain.deflection import share

    row: dict[str, Any] = {c: int(raw.get(c, 0)) for c in counted}
    row["deflection_share"] = share(row["drafts_deflected"], row["drafts_suggested"])
    return row


#: the assistant report's columns (domain/assistant_state.py says what each outcome means)
ASSISTANT_COLUMNS: list[tuple[str, ColumnKind]] = [
    ("conversations", ColumnKind.COUNT),
    ("answered", ColumnKind.COUNT),
    ("handed_over", ColumnKind.COUNT),
    ("abandoned", ColumnKind.COUNT),
    ("answered_share", ColumnKind.SHARE),
    ("handed_over_share", ColumnKind.SHARE),
    ("abandoned_share", ColumnKind.SHARE),
]


def _assistant_row(raw: dict[str, int]) -> dict[str, Any]:
    from ..domain.assistant_state import COUNTERS, share

    row: dict[str, Any] = {c: int(raw.get(c, 0)) for c in COUNTERS}
    for outcome in ("answered", "handed_over", "abandoned"):
        row[f"{outcome}_share"] = share(row[outcome], row["conversations"])
    return row


#: breached cases a drill-down lists at most
BREACHED_LIMIT = 200


class ReportReads(Protocol):
    def config(self) -> dict[str, Any] | None: ...
    def topic_actions(self, dimension: str) -> list[dict[str, Any]]: ...
    def units(self) -> list[dict[str, Any]]: ...
    def product_groups(self, product_ids: list[str]) -> dict[str, str | None]: ...
    def put_topic_action(self, dimension: str, value: str, action: dict[str, Any]) -> None: ...
    def remove_topic_action(self, dimension: str, value: str) -> bool: ...
    def days(self, version: int, slice_: str, start: date, end: date) -> list[dict]: ...
    def levels(self, version: int, slice_: str) -> list[dict[str, Any]]: ...
    def breaches(self, version: int, start: date, end: date) -> list[dict[str, Any]]: ...
    def case_items(self, case_ids: list[str]) -> list[dict[str, Any]]: ...


class TopicAction(Model):
    """What to do about a complaint topic (a routing rule's topic, or a category), written by
    a supervisor: the recommended action, in their words, and a link to the solution
    (a knowledge-base page, a procedure)."""

    action: Annotated[str, Field(min_length=1, max_length=1000)]
    link: Annotated[str, Field(max_length=500, pattern=r"^https?://[^\s]+$")] | None = None

    model_config = ConfigDict(extra="forbid", defer_build=True)


class SavedTopicAction(TopicAction):
    """A topic's action as stored: which dimension and value, by whom and when."""

    dimension: Dimension
    value: str
    updated_by: str
    updated_at: str


class BreachedCase(Model):
    """A case whose SLA target breached in the period: its id and number for the link, its
    subject, which target, when (UTC), the day (Istanbul), and its group, agent and priority
    when it breached."""

    case_id: str
    number: str | None = None
    subject: str | None = None
    target: str
    day: str
    at: str
    group: str | None = None
    agent: str | None = None
    priority: str | None = None


class BreachedCases(Model):
    """At most 200, oldest first; `more` when the period held more; `items_read` counts
    the breach records and cases read."""

    items: list[BreachedCase]
    more: bool = False
    items_read: int = 0


#: the days a report may ask about (the year 2000 on, to the end of 2099)
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)


def check_period(start: date, end: date) -> None:
    """InvalidInput unless start ≤ end, at most MAX_DAYS days, within FIRST_DAY–LAST_DAY."""
    if start < FIRST_DAY or end > LAST_DAY:
        raise InvalidInput("a report covers days from 2000 to 2099", code="invalid_period",
                           details={"first": FIRST_DAY.isoformat(),
                                    "last": LAST_DAY.isoformat()})  # fmt: skip
    if end < start:
        raise InvalidInput("the period ends before it starts", code="invalid_period",
                           details={"from": start.isoformat(), "to": end.isoformat()})  # fmt: skip
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"a report covers at most {MAX_DAYS} days", code="period_too_long",
                           details={"max_days": MAX_DAYS})  # fmt: skip


def slice_for(by: list[Dimension]) -> tuple[tuple[Dimension, ...], str]:
    """The stored slice that answers `by` (day aside): its dimensions, in stored order, and
    its name; InvalidInput when two dimensions are not a stored pair."""
    if len(by) > 2 or len(set(by)) != len(by):
        raise InvalidInput("a report is broken down by at most two different dimensions",
                           code="invalid_dimensions",
                           details={"by": [d.value for d in by]})  # fmt: skip
    dims = [d for d in by if d != Dimension.DAY]
    if len(dims) == 2:
        pair = pair_of(dims[0], dims[1])
        if pair is None:
            from ..domain.report_projection import PAIRS

            raise InvalidInput(
                "these two dimensions are not kept together",
                code="unsupported_dimensions",
                details={"by": [d.value for d in by],
                         "pairs": ["+".join(d.value for d in p) for p in PAIRS]},
            )  # fmt: skip
        return pair, slice_name(pair)
    return tuple(dims), slice_name(tuple(dims))


def _segments(versions: Versions, start: date, end: date) -> list[tuple[int, date, date]]:
    """The period cut where the version a day reads changes: (version, first, last)."""
    out: list[tuple[int, date, date]] = []
    day = start
    while day <= end:
        version = versions.version_for(day.isoformat())
        if out and out[-1][0] == version:
            out[-1] = (version, out[-1][1], day)
        else:
            out.append((version, day, day))
        day += timedelta(days=1)
    return out


def _counts(item: dict[str, Any], prefix: str) -> list[int]:
    return [int(item.get(f"{prefix}{i}", 0)) for i in range(len(EDGES))]


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def derive(raw: dict[str, int], report: ReportName) -> dict[str, Any]:
    """A row's columns from its summed counters (the formulas are in docs/reports.md)."""
    g = lambda name: int(raw.get(name, 0))  # noqa: E731

    def quantile(prefix: str, q: float) -> float | None:
        value = percentile(_counts(raw, prefix), q)
        return round(value, 1) if value is not None else None

    met = g("sla_first_response_met") + g("sla_resolution_met")
    settled = met + g("sla_first_response_breached") + g("sla_resolution_breached")
    out: dict[str, Any] = {
        "opened": g("opened"), "complaints": g("complaints"), "resolved": g("resolved"),
        "closed": g("closed"), "reopened": g("reopened"), "escalations": g("escalations"),
        "replies": g("replies"), "fcr": g("fcr"),
        "replies_per_resolved": (round(g("replies_at_resolution") / g("resolved"), 2)
                                 if g("resolved") else None),
        "fcr_share": _share(g("fcr"), g("resolved")),
        "reopen_rate": _share(g("reopened"), g("resolved")),
        "first_response_median": quantile("frt_c", 0.5),
        "first_response_p90": quantile("frt_c", 0.9),
        "first_response_business_median": quantile("frt_b", 0.5),
        "first_response_business_p90": quantile("frt_b", 0.9),
        "resolution_median": quantile("res_c", 0.5),
        "resolution_p90": quantile("res_c", 0.9),
        "resolution_business_median": quantile("res_b", 0.5),
        "resolution_business_p90": quantile("res_b", 0.9),
        "sla_share": _share(met, settled),
    }  # fmt: skip
    out.update(_satisfaction(g))
    for target in ("first_response", "resolution"):
        m, b = g(f"sla_{target}_met"), g(f"sla_{target}_breached")
        out[f"sla_{target}_met"], out[f"sla_{target}_breached"] = m, b
        out[f"sla_{target}_share"] = _share(m, m + b)
    return {key: out.get(key) for key, _ in COLUMNS[report]}


def _satisfaction(g: Callable[[str], int]) -> dict[str, Any]:
    """CSAT columns from the rating counters (domain/report_projection.py `rating_counters`):
    CSAT % = satisfied (4–5) ÷ responses, the average = sum of scores ÷ responses, the
    distribution per score; the customers' own answers, and agent-collected scores apart."""
    out: dict[str, Any] = {
        "csat_responses": g("rt_n"), "csat_satisfied": g("rt_sat"),
        "csat": _share(g("rt_sat"), g("rt_n")),
        "csat_average": round(g("rt_sum") / g("rt_n"), 2) if g("rt_n") else None,
        "agent_csat_responses": g("rta_n"), "agent_csat": _share(g("rta_sat"), g("rta_n")),
        "agent_csat_average": round(g("rta_sum") / g("rta_n"), 2) if g("rta_n") else None,
    }  # fmt: skip
    for n in range(1, 6):
        out[f"csat_score_{n}"] = g(f"rt_s{n}")
    return out


def _add(into: dict[str, int], item: dict[str, Any]) -> None:
    for name, value in item.items():
        if name in ("PK", "SK", "day", "cell", "entity") or not isinstance(value, int | float):
            continue
        into[name] = into.get(name, 0) + int(value)


class ReportService:
    """Answers a standard report as a ReportTable (domain/report_table.py)."""

    def __init__(
        self,
        store: ReportReads,
        clock: Callable[[], datetime] = utcnow,
        deflection_days: Callable[[date, date], list[dict[str, Any]]] | None = None,
        assistant_days: Callable[[date, date], list[Any]] | None = None,
    ) -> None:
        """`deflection_days(start, end)`: the help centre's draft counters of each day
        (store/deflection.py), for the deflection report; `assistant_days(start, end)`: the
        assistant's conversations settled per day (store/assistant.py)."""
        self.store = store
        self.clock = clock
        self.deflection_days = deflection_days
        self.assistant_days = assistant_days

    def report(self, name: ReportName, start: date, end: date, by: list[Dimension]) -> ReportTable:
        """`name` for the days [start, end] (Europe/Istanbul, at most MAX_DAYS) by 0–2
        dimensions; InvalidInput (422) for a bad period, dimensions or a report not built."""
        if name == ReportName.TOPICS:
            return self.topics(start, end, by)
        if name == ReportName.PRODUCTS:
            return self.products(start, end, by)
        if name == ReportName.DEFLECTION:
            return self.deflection(start, end, by)
        if name == ReportName.ASSISTANT:
            return self.assistant(start, end, by)
        if name not in BUILT:
            raise InvalidInput("this report is not available yet", code="report_not_built",
                               details={"report": name.value,
                                        "available": [r.value for r in BUILT]})  # fmt: skip
        check_period(start, end)
        dims, slice_ = slice_for(by)
        versions = read_versions(self.store)
        today = self.clock().astimezone(ISTANBUL).date()
        read_end = max(end, today) if name == ReportName.BACKLOG else end
        items: list[dict[str, Any]] = []
        if name == ReportName.BACKLOG:  # levels and their changes: the live version's
            items.extend(self.store.days(versions.live, slice_, start, read_end))
        else:
            for version, first, last in _segments(versions, start, read_end):
                items.extend(self.store.days(version, slice_, first, last))
        items_read = len(items)
        levels: list[dict[str, Any]] = []
        if name == ReportName.BACKLOG:
            levels = self.store.levels(versions.live, slice_)
            items_read += len(levels)
        by_day = Dimension.DAY in by
        rows: dict[tuple, dict[str, int]] = {}
        period = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        for item in items:
            if not (start.isoformat() <= item["day"] <= end.isoformat()):
                continue
            _add(rows.setdefault(self._row_key(by, dims, item["cell"], item["day"]), {}), item)
        if by_day and len(by) == 1:
            for day in period:
                rows.setdefault((day.isoformat(),), {})
        if name == ReportName.BACKLOG:
            self._backlog(rows, by, dims, items, levels, period, end)
        columns = [ReportColumn(key=d.value, kind=ColumnKind.DIMENSION) for d in by]
        columns += [ReportColumn(key=k, kind=kind) for k, kind in COLUMNS[name]]
        out_rows, total = [], {}
        for key in sorted(rows, key=lambda k: tuple("" if v is None else str(v) for v in k)):
            raw = rows[key]
            row: dict[str, Any] = dict(zip([d.value for d in by], key, strict=True))
            row.update(derive(raw, name))
            if name == ReportName.BACKLOG:
                row.update(self._backlog_columns(raw))
            out_rows.append(row)
            counted = dict(raw)
            if by_day and key[by.index(Dimension.DAY)] != end.isoformat():
                counted.pop("backlog_n", None)  # the period's backlog is its last day's
                counted.pop("backlog_age", None)
            _add(total, counted)
        totals: dict[str, Any] = {d.value: None for d in by}
        totals.update(derive(total, name))
        if name == ReportName.BACKLOG:
            totals.update(self._backlog_columns(total))
        return ReportTable(report=name, start=start, end=end, by=by, columns=columns,
                           rows=out_rows, totals=totals, items_read=items_read)  # fmt: skip

    def deflection(self, start: date, end: date, by: list[Dimension]) -> ReportTable:
        """The help centre's answers before a case is filed (domain/deflection.py): drafts,
        those that showed articles, opened one, ended without filing after opening one
        (deflected), and the deflection share; by day or for the whole period."""
        check_period(start, end)
        if by not in ([], [Dimension.DAY]):
            details = {"by": [d.value for d in by], "allowed": ["day"]}
            raise InvalidInput("deflection is by day or for the whole period",
                               code="invalid_dimensions", details=details)  # fmt: skip
        items = self.deflection_days(start, end) if self.deflection_days else []
        counted = [c for c, _ in DEFLECTION_COLUMNS if c != "deflection_share"]
        per_day = {i["day"]: i for i in items}
        rows = []
        if by:
            for n in range((end - start).days + 1):
                day = (start + timedelta(days=n)).isoformat()
                raw = per_day.get(day, {})
                rows.append({"day": day, **_deflection_row(raw, counted)})
        total = {c: sum(int(i.get(c, 0)) for i in items) for c in counted}
        totals: dict[str, Any] = {d.value: None for d in by}
        totals.update(_deflection_row(total, counted))
        columns = [ReportColumn(key=d.value, kind=ColumnKind.DIMENSION) for d in by]
        columns += [ReportColumn(key=k, kind=kind) for k, kind in DEFLECTION_COLUMNS]
        return ReportTable(report=ReportName.DEFLECTION, start=start, end=end, by=by,
                           columns=columns, rows=rows, totals=totals,
                           items_read=len(items))  # fmt: skip

    def assistant(self, start: date, end: date, by: list[Dimension]) -> ReportTable:
        """The assistant's conversations (docs/assistant.md): how many, and how many were
        answered without an agent, handed over, abandoned, with their shares; by the day
        they started (Istanbul) or for the whole period. One Query a month."""
        check_period(start, end)
        if by not in ([], [Dimension.DAY]):
            details = {"by": [d.value for d in by], "allowed": ["day"]}
            raise InvalidInput("the assistant report is by day or for the whole period",
                               code="invalid_dimensions", details=details)  # fmt: skip
        days = self.assistant_days(start, end) if self.assistant_days else []
        per_day = {d.day: d.model_dump() for d in days}
        rows = []
        if by:
            for n in range((end - start).days + 1):
                day = (start + timedelta(days=n)).isoformat()
                rows.append({"day": day, **_assistant_row(per_day.get(day, {}))})
        total: dict[str, int] = {}
        for raw in per_day.values():
            _add(total, raw)
        totals: dict[str, Any] = {d.value: None for d in by}
        totals.update(_assistant_row(total))
        columns = [ReportColumn(key=d.value, kind=ColumnKind.DIMENSION) for d in by]
        columns += [ReportColumn(key=k, kind=kind) for k, kind in ASSISTANT_COLUMNS]
        return ReportTable(report=ReportName.ASSISTANT, start=start, end=end, by=by,
                           columns=columns, rows=rows, totals=totals,
                           items_read=len(days))  # fmt: skip

    @staticmethod
    def _row_key(by: list[Dimension], dims: tuple[Dimension, ...], cell: str, day: str) -> tuple:
        values = dict(zip(dims, cell.split("|"), strict=True)) if dims else {}
        key = []
        for d in by:
            if d == Dimension.DAY:
                key.append(day)
            else:
                value = values.get(d)
                key.append(None if value in (None, NONE, ALL) else value)
        return tuple(key)

    def _backlog(self, rows: dict[tuple, dict[str, int]], by: list[Dimension],
                 dims: tuple[Dimension, ...], items: list[dict[str, Any]],
                 levels: list[dict[str, Any]], period: list[date], end: date) -> None:  # fmt: skip
        """The backlog at each day's end (by day) or at the period's end: each cell's level
        now less the changes of every later day; its age at that end, or now for today."""
        after: dict[str, list[tuple[str, int, int]]] = {}
        for item in items:
            after.setdefault(item["cell"], []).append(
                (item["day"], int(item.get("active", 0)), int(item.get("age", 0)))
            )
        cells = {lv["cell"]: (int(lv.get("active", 0)), int(lv.get("age", 0))) for lv in levels}
        for cell in after:
            cells.setdefault(cell, (0, 0))
        ends = period if Dimension.DAY in by else [end]
        now = self.clock()  # today has not ended: its backlog is as old as it is now
        for cell, (active_now, age_now) in cells.items():
            changes = after.get(cell, [])
            for day in ends:
                later = [(a, g) for d, a, g in changes if d > day.isoformat()]
                active = active_now - sum(a for a, _ in later)
                age = age_now - sum(g for _, g in later)
                if active == 0 and not any(d == day.isoformat() for d, _, _ in changes):
                    continue
                key = self._row_key(by, dims, cell, day.isoformat())
                raw = rows.setdefault(key, {})
                raw["backlog_n"] = raw.get("backlog_n", 0) + active
                end_minute = epoch_minutes(min(day_end(day.isoformat()), now))
                raw["backlog_age"] = raw.get("backlog_age", 0) + active * end_minute - age

    @staticmethod
    def _backlog_columns(raw: dict[str, int]) -> dict[str, Any]:
        n = int(raw.get("backlog_n", 0))
        return {
            "backlog": n,
            "backlog_age_average": round(raw.get("backlog_age", 0) / n, 1) if n else None,
        }

    def breached(
        self, start: date, end: date, group: str | None = None, agent: str | None = None,
        priority: str | None = None, target: str | None = None,
    ) -> BreachedCases:  # fmt: skip
        """The cases whose target breached in [start, end], filtered by the group, agent,
        priority and target they had then; their subjects from the cases (BatchGetItem)."""
        check_period(start, end)
        versions = read_versions(self.store)
        records: list[dict[str, Any]] = []
        for version, first, last in _segments(versions, start, end):
            records.extend(self.store.breaches(version, first, last))
        read = len(records)
        wanted = {"group": group, "agent": agent, "priority": priority, "target": target}
        chosen = [r for r in records
                  if all(v is None or r.get(k) == v for k, v in wanted.items())]  # fmt: skip
        chosen.sort(key=lambda r: (r["at"], r["case_id"], r["target"]))
        more = len(chosen) > BREACHED_LIMIT
        chosen = chosen[:BREACHED_LIMIT]
        cases = {c["id"]: c for c in self.store.case_items([r["case_id"] for r in chosen])}
        read += len(cases)
        items = [
            BreachedCase(
                case_id=r["case_id"], number=cases.get(r["case_id"], {}).get("number")
                or r.get("case_number"), subject=cases.get(r["case_id"], {}).get("subject"),
                target=r["target"], day=r["day"], at=r["at"], group=r.get("group"),
                agent=r.get("agent"), priority=r.get("priority"),
            )
            for r in chosen
        ]  # fmt: skip
        return BreachedCases(items=items, more=more, items_read=read)

    # ---- top complaint topics --------------------------------------------------------------

    def topics(self, start: date, end: date, by: list[Dimension]) -> ReportTable:
        """The complaint topics (by `topic`, the routing rule that matched, the default; or
        by `category`), most complained about first, against the period of the same length
        just before, each with the action and link a supervisor set for it."""
        check_period(start, end)
        by = by or [Dimension.TOPIC]
        if len(by) != 1 or by[0] not in TOPIC_DIMENSIONS:
            details = {"by": [d.value for d in by], "allowed": [d.value for d in TOPIC_DIMENSIONS]}
            raise InvalidInput("top topics are by topic or by category",
                               code="invalid_dimensions", details=details)  # fmt: skip
        dimension = by[0]
        length = (end - start).days + 1
        previous_end = start - timedelta(days=1)
        previous_start = previous_end - timedelta(days=length - 1)
        versions = read_versions(self.store)
        items: list[dict[str, Any]] = []
        for version, first, last in _segments(versions, previous_start, end):
            items.extend(self.store.days(version, dimension.value, first, last))
        actions = {a["value"]: a for a in self.store.topic_actions(dimension.value)}
        now: dict[str | None, dict[str, int]] = {}
        before: dict[str | None, dict[str, int]] = {}
        for item in items:
            value = None if item["cell"] in (NONE, ALL) else item["cell"]
            into = now if item["day"] >= start.isoformat() else before
            _add(into.setdefault(value, {}), item)
        rows = []
        for value in set(now) | set(before):
            current, earlier = now.get(value, {}), before.get(value, {})
            complaints = int(current.get("complaints", 0))
            previous = int(earlier.get("complaints", 0))
            if not complaints and not previous:
                continue
            action = actions.get(value or "") or {}
            rows.append({
                dimension.value: value, "complaints": complaints,
                "previous_complaints": previous, "change": complaints - previous,
                "change_rate": round((complaints - previous) / previous, 4) if previous else None,
                "opened": int(current.get("opened", 0)), "action": action.get("action"),
                "link": action.get("link"),
            })  # fmt: skip
        rows.sort(key=lambda r: (-r["complaints"], -r["previous_complaints"],
                                 r[dimension.value] or "~"))  # fmt: skip
        complaints = sum(r["complaints"] for r in rows)
        previous = sum(r["previous_complaints"] for r in rows)
        totals = {
            dimension.value: None, "complaints": complaints, "previous_complaints": previous,
            "change": complaints - previous,
            "change_rate": round((complaints - previous) / previous, 4) if previous else None,
            "opened": sum(r["opened"] for r in rows), "action": None, "link": None,
        }  # fmt: skip
        columns = [ReportColumn(key=dimension.value, kind=ColumnKind.DIMENSION)]
        columns += [ReportColumn(key=k, kind=kind) for k, kind in TOPIC_COLUMNS]
        return ReportTable(report=ReportName.TOPICS, start=start, end=end, by=[dimension],
                           columns=columns, rows=rows, totals=totals,
                           items_read=len(items) + len(actions), previous_start=previous_start,
                           previous_end=previous_end)  # fmt: skip

    def set_topic_action(self, dimension: Dimension, value: str, action: TopicAction,
                         by: str, at: datetime) -> SavedTopicAction:  # fmt: skip
        """Set (or replace) a topic's recommended action and link; InvalidInput for a
        dimension other than topic or category."""
        if dimension not in TOPIC_DIMENSIONS:
            allowed = [d.value for d in TOPIC_DIMENSIONS]
            raise InvalidInput(
                "actions are kept per topic or per category",
                code="invalid_dimensions",
                details={"allowed": allowed},
            )
        from ..domain.clock import to_iso

        saved = SavedTopicAction(**action.model_dump(), dimension=dimension, value=value,
                                 updated_by=by, updated_at=to_iso(at))  # fmt: skip
        self.store.put_topic_action(
            dimension.value, value, saved.model_dump(mode="json", exclude={"dimension", "value"})
        )
        return saved

    def remove_topic_action(self, dimension: Dimension, value: str) -> None:
        if not self.store.remove_topic_action(dimension.value, value):
            from ..domain.errors import NotFound

            raise NotFound("this topic has no action")

    def topic_actions(self, dimension: Dimension) -> list[SavedTopicAction]:
        return [SavedTopicAction.model_validate({k: v for k, v in a.items()
                                                 if k not in ("PK", "SK", "entity")})
                for a in self.store.topic_actions(dimension.value)]  # fmt: skip

    # ---- product complaint rate ------------------------------------------------------------

    def products(self, start: date, end: date, by: list[Dimension]) -> ReportTable:
        """Complaints per 1,000 registered units, by `product_group` (the default), `product`,
        or both, in and out of warranty. Complaints: those opened in the period about a
        registered product (in or out of warranty the day they were opened). Units: the
        registrations now, in warranty when their warranty ends in the period's last month or
        later (counted by month)."""
        check_period(start, end)
        by = by or [Dimension.PRODUCT_GROUP]
        allowed = {Dimension.PRODUCT_GROUP, Dimension.PRODUCT}
        if not set(by) <= allowed or len(set(by)) != len(by):
            details = {"by": [d.value for d in by], "allowed": sorted(d.value for d in allowed)}
            raise InvalidInput("the product report is by product group and product",
                               code="invalid_dimensions", details=details)  # fmt: skip
        pair = (Dimension.PRODUCT_GROUP, Dimension.PRODUCT)
        versions = read_versions(self.store)
        items: list[dict[str, Any]] = []
        for version, first, last in _segments(versions, start, end):
            items.extend(self.store.days(version, slice_name(pair), first, last))
        unit_items = self.store.units()
        groups = self.store.product_groups(sorted({u["product_id"] for u in unit_items}))
        end_month = end.isoformat()[:7]
        rows: dict[tuple, dict[str, int]] = {}

        def key_of(group: str | None, product: str | None) -> tuple:
            named = {Dimension.PRODUCT_GROUP: group, Dimension.PRODUCT: product}
            return tuple(named[d] for d in by)

        for item in items:
            group, product = (None if v == NONE else v for v in item["cell"].split("|"))
            if product is None:
                continue  # not about a registered product
            _add(rows.setdefault(key_of(group, product), {}), item)
        for unit in unit_items:
            product = unit["product_id"]
            raw = rows.setdefault(key_of(groups.get(product), product), {})
            units = int(unit.get("units", 0))
            side = "units_in" if unit["SK"].rsplit("#", 1)[-1] >= end_month else "units_out"
            raw[side] = raw.get(side, 0) + units
        out_rows, total = [], {}
        for key in sorted(rows, key=lambda k: tuple(v or "" for v in k)):
            raw = rows[key]
            if not raw.get("complaints") and not raw.get("units_in") and not raw.get("units_out"):
                continue
            out_rows.append({**dict(zip([d.value for d in by], key, strict=True)),
                             **_rates(raw)})  # fmt: skip
            _add(total, raw)
        columns = [ReportColumn(key=d.value, kind=ColumnKind.DIMENSION) for d in by]
        columns += [ReportColumn(key=k, kind=kind) for k, kind in PRODUCT_COLUMNS]
        totals = {**{d.value: None for d in by}, **_rates(total)}
        return ReportTable(report=ReportName.PRODUCTS, start=start, end=end, by=by,
                           columns=columns, rows=out_rows, totals=totals,
                           items_read=len(items) + len(unit_items) + len(groups))  # fmt: skip


def _rates(raw: dict[str, int]) -> dict[str, Any]:
    """Complaints per 1,000 units: complaints ÷ units × 1000 (null without units)."""

    def per(complaints: int, units: int) -> float | None:
        return round(complaints / units * 1000, 1) if units > 0 else None

    inside, outside = int(raw.get("units_in", 0)), int(raw.get("units_out", 0))
    c_in, c_out = (
        int(raw.get("complaints_in_warranty", 0)),
        int(raw.get("complaints_out_warranty", 0)),
    )
    complaints = int(raw.get("complaints", 0))
    return {
        "complaints": complaints, "units": inside + outside,
        "complaints_per_1000_units": per(complaints, inside + outside),
        "complaints_in_warranty": c_in, "units_in_warranty": inside,
        "in_warranty_per_1000_units": per(c_in, inside),
        "complaints_out_warranty": c_out, "units_out_warranty": outside,
        "out_warranty_per_1000_units": per(c_out, outside),
    }  # fmt: skip
