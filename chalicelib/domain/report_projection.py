"""The standard reports' projection of the case events: an event and the case's report state
in, counter increments and the case's next report state out. Pure: no I/O.

**Cells.** A counter item belongs to one day (Europe/Istanbul date of the event's
`occurred_at`) and one *cell*: a slice of the dimensions and its values. The slices are
the pairs of `PAIRS` and the dimensions of `SINGLE` no pair holds (`SLICES`); a report by
two dimensions other than `day` reads a pair, by one dimension of a pair (or by none:
`all`) the pair's (`customer_category`'s) cells folded to it when read (`fold`); `day` is
the item's own date, so any slice by day is free. A case's event adds to one cell of
every stored slice: 10 items a day at most (19 before issue 21, when `all` and every
single dimension were written too: a cell is a write unit, twice in the transaction).
A dimension a case has no value for is counted under `NONE` (a report shows it as
null).

**Counters** (attribute names of a counter item, integers added with `ADD`; docs/reports.md
says when each is added): `opened` (in the routed group, topic, priority and category, on
the opening's day: see *The opening* below), `resolved`, `closed`, `reopened`,
`escalations`, `replies` (the replying agent), `fcr` (a first resolution with at most one
agent reply, taken back on its day if the case is reopened), `replies_at_resolution`,
`sla_<target>_met` / `sla_<target>_breached` (`first_response`, `resolution`: breached on
`destek.case.sla_breached`, else at the first response or resolution by the case's clock),
first response and resolution times (`frt_*`, `res_*`: `_n`, `_sum`, and histogram counts
`_c<i>` in calendar minutes, `_bn`, `_bsum`, `_b<i>` in business minutes of the case's SLA
calendar; bucket i of `EDGES`), `active` and `age` (changes of the backlog and of the sum
of its opening times, in epoch minutes), `complaints` (openings of type complaint, counted
with `opened`), `in_warranty` / `out_warranty` (openings about a registered product) and
`complaints_in_warranty` / `complaints_out_warranty`.

**The opening** is counted once, where routing puts it (issue 21: counting it at the
requested values and moving it a second later cost 12 + 12 cells). `destek.case.opened`
writes no counter and no level: it records the case's report state with the opening
pending (`ReportState.opening_pending`), which the store writes as one conditional PutItem.
The case's next event applied counts it first: `opened`, `complaints` (by the case's type
then), the warranty side, on the opening's day, and the case's joining of the backlog
(`active`, `age` on the opening's day and in the levels), in the cells the case has after
that event's change when it is `destek.case.routed` or `destek.case.fields_changed`, else
in its cells before that event; then the event applies as any other. Events written with
the opening that say nothing of its cells (`_WITH_OPENING`: `destek.precase.converted`, a
split's) leave it pending. So an opened case appears in the counts when routing (or any
later change) reaches the projection, normally within a second; a case left unrouted is
counted when the unrouted sweep routes it. A state stored before this (no field: not
pending) had its opening counted at the requested values, and routing moves it as before
(`_move_opening`); so does routing after an opening counted by an earlier event.

A hand edit (`destek.case.fields_changed`) gives the case its new priority, category or
type from then on: later counts and its backlog move to the new cells, nothing counted
before moves (an edit before routing counts a pending opening in the edited values, or
moves one counted before, as routing does).

Level items (`active`, `age` per cell, not per day) hold the current backlog; the backlog
at the end of day D is the level minus the `active` changes of every day after D (see
services/reports.py).

**The case's report state** (`ReportState`) remembers what later events need: its cells'
dimension values now, when it was opened, its agent replies, whether it was reopened, the
SLA outcomes counted, the first resolution's FCR, whether it counts in the backlog,
whether its opening is still to be counted, and the last event applied (`cursor`:
`<sequence 8 digits>#<index 2 digits>`, so an event at or before it is a repeat and
changes nothing).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field

from .business_hours import BusinessCalendar, working_minutes_between
from .clock import ISTANBUL, from_iso
from .model import Model
from .report_table import Dimension

#: the dimensions a case's cells carry, in key order
SINGLE: tuple[Dimension, ...] = (
    Dimension.GROUP,
    Dimension.AGENT,
    Dimension.CATEGORY,
    Dimension.TYPE,
    Dimension.CHANNEL,
    Dimension.PRIORITY,
    Dimension.PRODUCT_GROUP,
    Dimension.PRODUCT,
    Dimension.CUSTOMER_CATEGORY,
    Dimension.TOPIC,
)
#: the pairs a report by two dimensions (neither `day`) may ask for, each in this order
PAIRS: tuple[tuple[Dimension, Dimension], ...] = (
    (Dimension.GROUP, Dimension.AGENT),
    (Dimension.GROUP, Dimension.PRIORITY),
    (Dimension.GROUP, Dimension.CATEGORY),
    (Dimension.GROUP, Dimension.CHANNEL),
    (Dimension.AGENT, Dimension.PRIORITY),
    (Dimension.CHANNEL, Dimension.TYPE),
    (Dimension.CATEGORY, Dimension.TYPE),
    (Dimension.PRODUCT_GROUP, Dimension.PRODUCT),
)
#: the value of a dimension a case has none for
NONE = "~"
ALL = "all"
#: the histogram's bucket edges in minutes: bucket i holds [EDGES[i], EDGES[i+1]), the last
#: [EDGES[-1], ∞): 5 and 15 minutes, half an hour, 1, 2, 4, 8 hours, 1, 2, 3, 5, 7, 14, 30 days
EDGES: tuple[int, ...] = (0, 5, 15, 30, 60, 120, 240, 480, 1440, 2880, 4320, 7200, 10080,
                          20160, 43200)  # fmt: skip
TARGETS = ("first_response", "resolution")
DONE_STATUSES = frozenset({"resolved", "closed", "merged"})


def slice_name(dims: tuple[Dimension, ...]) -> str:
    """`all`, a dimension's code, or a pair's codes joined by `+` (in `PAIRS` order)."""
    return "+".join(d.value for d in dims) if dims else ALL


def pair_of(a: Dimension, b: Dimension) -> tuple[Dimension, Dimension] | None:
    """The stored pair for two dimensions (either order), or None when none is kept."""
    for pair in PAIRS:
        if pair in ((a, b), (b, a)):
            return pair
    return None


#: the slices written (issue 21: a cell is a write): every pair, and each dimension no pair
#: holds. `all` and a dimension of a pair are folded from a stored slice when read (`source`)
SLICES: tuple[tuple[Dimension, ...], ...] = (
    *PAIRS, *((d,) for d in SINGLE if not any(d in pair for pair in PAIRS))
)  # fmt: skip
#: the stored slice `all` is folded from: the one with the fewest values
ALL_FROM: tuple[Dimension, ...] = (Dimension.CUSTOMER_CATEGORY,)
#: attributes of a counter or level item that are not counters
NOT_COUNTERS = frozenset({"PK", "SK", "day", "cell", "entity"})


def cells(values: dict[str, str | None]) -> list[tuple[str, str]]:
    """Every (slice, cell value) a case with these dimension values counts in: one per stored
    slice (`SLICES`: 8 pairs, `customer_category`, `topic`: 10 cells). A pair's value is its
    two values joined by `|`."""
    return [(slice_name(dims), "|".join(values.get(d.value) or NONE for d in dims))
            for dims in SLICES]  # fmt: skip


def source(slice_: str) -> tuple[str, int | None]:
    """Where a slice's counters are read: (stored slice, position of the slice's value in its
    cells' `|`-joined values; None: the stored cell as it is, or for `all` every cell).
    `all` → (`customer_category`, None); `group` → (`group+agent`, 0); a stored slice →
    (itself, None). ValueError for a slice no stored one holds."""
    if slice_ == ALL:
        return slice_name(ALL_FROM), None
    stored = {slice_name(dims): dims for dims in SLICES}
    if slice_ in stored:
        return slice_, None
    for dims in SLICES:
        for position, dimension in enumerate(dims):
            if dimension.value == slice_:
                return slice_name(dims), position
    raise ValueError(f"no stored slice holds {slice_!r}")


def fold(slice_: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The counter (or level) items of `slice_` from its stored slice's items (`source`): each
    (day, value) of the slice gets the sum of every counter over the stored cells folded into
    it, as `{"day", "cell", <counter>: sum}` (no `day` for levels), ordered by day then
    value. A stored slice's items come back as they are."""
    stored, position = source(slice_)
    if stored == slice_:
        return items
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        value = ALL if position is None else str(item["cell"]).split("|")[position]
        day = item.get("day")
        into = out.setdefault((day or "", value), {"cell": value} | ({"day": day} if day else {}))
        for name, amount in item.items():
            if name not in NOT_COUNTERS and isinstance(amount, int | float):
                into[name] = into.get(name, 0) + amount
    return [out[key] for key in sorted(out)]


def report_day(occurred_at: str) -> str:
    """The Europe/Istanbul date (`yyyy-mm-dd`) of an event's UTC `occurred_at`."""
    return from_iso(occurred_at).astimezone(ISTANBUL).date().isoformat()


def epoch_minutes(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


def bucket(minutes: float) -> int:
    """The histogram bucket of a duration (negative durations count as 0)."""
    index = 0
    for i, edge in enumerate(EDGES):
        if minutes >= edge:
            index = i
    return index


def percentile(counts: list[int], q: float) -> float | None:
    """The q-quantile (0 < q < 1) read from bucket counts over `EDGES`, interpolating
    linearly inside the bucket where the rank falls (as Prometheus' histogram_quantile):
    rank r = q·n; with C the count before bucket i and c_i its own, the value is
    lo_i + (r − C) / c_i · (hi_i − lo_i); in the last, open bucket it is its lower edge.
    None when nothing was counted."""
    total = sum(counts)
    if total <= 0:
        return None
    rank = q * total
    before = 0
    for i, count in enumerate(counts):
        if count and before + count >= rank:
            low = EDGES[i]
            if i + 1 >= len(EDGES):
                return float(low)
            return low + (rank - before) / count * (EDGES[i + 1] - low)
        before += count
    return float(EDGES[-1])


class CaseFacts(Model):
    """What the projection asked the case item for (one GetItem; see `needs_case`): its
    dimensions now, when it was opened, its SLA clocks' breach times (None: the target
    exists and never breached; absent: the case has no such target) and calendar."""

    opened_at: datetime
    values: dict[str, str | None]
    status: str
    first_response_at: datetime | None = None
    breached_at: dict[str, datetime | None] = Field(default_factory=dict)
    calendar: BusinessCalendar | None = None
    #: the customer's category, read at the opening
    customer_category: str | None = None


class ReportState(Model):
    """One case's report state (see the module's text)."""

    case_id: str
    cursor: str = ""
    opened_at: datetime
    values: dict[str, str | None]
    #: counted in the backlog (of this projection version) now
    active: bool = False
    #: the opening's warranty counter (`in_warranty`, `out_warranty`; None: no registered
    #: product), moved with its count
    warranty: str | None = None
    routed: bool = False
    replies: int = 0
    first_response_at: datetime | None = None
    resolutions: int = 0
    reopened: bool = False
    #: targets counted since their last settlement: met or breached
    sla: dict[str, str] = Field(default_factory=dict)
    #: the first resolution counted as first-contact: its day and cell values
    fcr_day: str | None = None
    fcr_values: dict[str, str | None] | None = None
    #: the writes of this state so far (a conditional put checks it)
    revision: int = 0
    #: satisfaction: per source (customer, agent), the day and cell values its counted answer
    #: was added on, so a changed answer is taken back where it was counted
    rated: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: the opening is recorded but not counted yet: the case's next event counts it (see the
    #: module's text); False for a state stored before issue 21's change (counted then)
    opening_pending: bool = False


class Increments(Model):
    """Counter changes: (day, slice, cell value) → counter → amount, and level changes:
    (slice, cell value) → counter → amount. Zero amounts are left out."""

    days: dict[tuple[str, str, str], dict[str, int]] = Field(default_factory=dict)
    levels: dict[tuple[str, str], dict[str, int]] = Field(default_factory=dict)

    def add(self, other: Increments) -> None:
        for key, counters in other.days.items():
            mine = self.days.setdefault(key, {})
            for name, amount in counters.items():
                mine[name] = mine.get(name, 0) + amount
        for key, counters in other.levels.items():
            mine = self.levels.setdefault(key, {})
            for name, amount in counters.items():
                mine[name] = mine.get(name, 0) + amount
        self.prune()

    def prune(self) -> None:
        for table in (self.days, self.levels):
            for key in list(table):
                table[key] = {k: v for k, v in table[key].items() if v}
                if not table[key]:
                    del table[key]


def event_key(event: dict[str, Any]) -> str:
    """The cursor value of an event: `<sequence, 8 digits>#<index, 2 digits>`."""
    return f"{int(event['sequence']):08d}#{int(event['index']):02d}"


def is_case_event(event: dict[str, Any]) -> bool:
    return bool(event.get("case_id")) and str(event.get("type", "")).startswith("destek.case.")


def needs_case(state: ReportState | None, event: dict[str, Any]) -> bool:
    """Whether applying `event` needs the case read first: a case the projection has not met
    (its opening is older than the events it has), a first response or a resolution
    (the SLA clocks and calendar)."""
    kind = event["type"]
    if kind == "destek.case.opened":
        return False
    if state is None:
        return True
    if kind == "destek.case.agent_replied":
        return bool(event["data"].get("first_response"))
    return kind == "destek.case.resolved"


def seed(case_id: str, facts: CaseFacts) -> ReportState:
    """The state of a case met first by a later event: as the case is now, not counted in
    the backlog (its next event adds it, if still open)."""
    return ReportState(case_id=case_id, opened_at=facts.opened_at, values=dict(facts.values),
                       routed=True, first_response_at=facts.first_response_at)  # fmt: skip


def count_in_cells(
    days: dict[tuple[str, str, str], dict[str, int]],
    day: str,
    values: dict[str, str | None],
    counters: dict[str, int],
) -> None:
    """Add `counters` (counter name → amount) to each of the 10 cells (`cells(values)`) a
    case with dimension `values` counts in on `day` (`yyyy-mm-dd`), in `days`:
    (day, slice, cell value) → counter → running sum. How the projection counts every event;
    bench/loader.py writes its loaded cases' counters with it."""
    for slice_, value in cells(values):
        mine = days.setdefault((day, slice_, value), {})
        for name, amount in counters.items():
            mine[name] = mine.get(name, 0) + amount


class _Acc:
    def __init__(self) -> None:
        self.days: dict[tuple[str, str, str], dict[str, int]] = {}

    def count(self, day: str, values: dict[str, str | None], counters: dict[str, int]) -> None:
        count_in_cells(self.days, day, values, counters)


def _duration(prefix: str, at: datetime, opened: datetime, calendar: BusinessCalendar | None,
              counters: dict[str, int]) -> None:  # fmt: skip
    minutes = max((at - opened).total_seconds() / 60, 0.0)
    counters[f"{prefix}_n"] = 1
    counters[f"{prefix}_sum"] = round(minutes)
    counters[f"{prefix}_c{bucket(minutes)}"] = 1
    if calendar is not None:
        business = max(working_minutes_between(calendar, opened, at), 0.0)
        counters[f"{prefix}_bn"] = 1
        counters[f"{prefix}_bsum"] = round(business)
        counters[f"{prefix}_b{bucket(business)}"] = 1


def _sla_outcome(facts: CaseFacts | None, target: str, at: datetime) -> str | None:
    if facts is None or target not in facts.breached_at:
        return None
    breached = facts.breached_at[target]
    return "breached" if breached is not None and breached <= at else "met"


def apply(
    state: ReportState | None, event: dict[str, Any], facts: CaseFacts | None = None
) -> tuple[ReportState | None, Increments]:
    """The case's next state and the counters `event` (a case event's JSON) adds.

    `facts`: the case as read when `needs_case` said so (else None); an opening's facts
    carry only the customer's category. A repeat (at or before the state's cursor), a
    pre-case's event, or a later event of a case that cannot be read, changes nothing."""
    out = Increments()
    if not is_case_event(event) and event.get("type") != "destek.precase.converted":
        return state, out
    key = event_key(event)
    kind, data = event["type"], event.get("data") or {}
    at = from_iso(event["occurred_at"])
    day = report_day(event["occurred_at"])
    if kind == "destek.case.opened":
        if state is not None:
            return state, out
        values = {
            "group": data.get("requested_group_id"), "agent": None,
            "category": data.get("category_id"), "type": data.get("case_type"),
            "channel": data.get("channel"), "priority": data.get("priority"),
            "product_group": data.get("product_group"), "product": data.get("product_id"),
            "customer_category": facts.customer_category if facts else None, "topic": None,
        }  # fmt: skip
        before = ReportState(case_id=event["case_id"], opened_at=at, values=values)
    elif state is None:
        if facts is None:
            return None, out
        before = seed(event["case_id"], facts)
    else:
        before = state
    if before.cursor and key <= before.cursor:
        return state, out
    after = before.model_copy(deep=True)
    after.cursor = key
    acc = _Acc()
    values = after.values
    # the cells the pending opening is counted in (None: not counted by this event)
    joined: dict[str, str | None] | None = None
    pending = before.opening_pending and kind not in _WITH_OPENING
    if pending:
        after.opening_pending, after.active = False, True
        if kind not in _MOVING:
            joined = dict(values)
            _count_opening(acc, after, joined, 1)
    if kind == "destek.case.opened":
        if data.get("product_id") and data.get("under_warranty") is not None:
            after.warranty = "in_warranty" if data["under_warranty"] else "out_warranty"
        after.opening_pending = True  # counted by the next event (the module's text)
    elif kind == "destek.case.routed":
        moved = dict(values, group=data.get("group_id"), priority=data.get("priority"),
                     topic=data.get("rule_id"),
                     category=data.get("category_id") or values.get("category"))  # fmt: skip
        if pending:
            joined = moved
            _count_opening(acc, after, moved, 1)
        elif not before.routed:
            _move_opening(acc, before, values, moved)
        after.values, after.routed = moved, True
    elif kind == "destek.case.fields_changed":
        edited = data.get("fields") or []
        moved = dict(values, **{dim: data.get(name) for dim, name in _EDITED.items()
                                if name in edited})  # fmt: skip
        if pending:
            joined = moved
            _count_opening(acc, after, moved, 1)
        elif not before.routed:
            # the opening counts as routed: an edit before routing moves it as routing does
            _move_opening(acc, before, values, moved)
        after.values = moved
    elif kind == "destek.case.assigned":
        after.values = dict(values, group=data.get("group_id") or values.get("group"),
                            agent=data.get("assignee"))  # fmt: skip
    elif kind == "destek.case.agent_replied":
        agent = event["actor"]["id"] if event["actor"]["kind"] == "staff" else values.get("agent")
        by_agent = dict(values, agent=agent)
        counters = {"replies": 1}
        after.replies += 1
        if data.get("first_response") and after.first_response_at is None:
            after.first_response_at = at
            _duration("frt", at, after.opened_at, facts.calendar if facts else None, counters)
            outcome = _sla_outcome(facts, "first_response", at)
            if outcome and "first_response" not in after.sla:
                counters[f"sla_first_response_{outcome}"] = 1
                after.sla["first_response"] = outcome
        acc.count(day, by_agent, counters)
    elif kind in ("destek.case.sla_breached", "destek.case.sla_reminder",
                  "destek.case.escalated"):  # fmt: skip
        if data.get("priority"):
            after.values = values = dict(values, priority=data["priority"])
        if kind == "destek.case.escalated":
            acc.count(day, values, {"escalations": 1})
        target = data.get("target")
        if kind == "destek.case.sla_breached" and target in TARGETS and target not in after.sla:
            acc.count(day, values, {f"sla_{target}_breached": 1})
            after.sla[target] = "breached"
    elif kind == "destek.case.resolved":
        resolved_by = dict(values, agent=data.get("assignee") or values.get("agent"),
                           group=data.get("group_id") or values.get("group"))  # fmt: skip
        counters = {"resolved": 1, "replies_at_resolution": after.replies}
        after.resolutions += 1
        _duration("res", at, after.opened_at, facts.calendar if facts else None, counters)
        outcome = _sla_outcome(facts, "resolution", at)
        if outcome and "resolution" not in after.sla:
            counters[f"sla_resolution_{outcome}"] = 1
            after.sla["resolution"] = outcome
        if after.resolutions == 1 and not after.reopened and after.replies <= 1:
            counters["fcr"] = 1
            after.fcr_day, after.fcr_values = day, resolved_by
        acc.count(day, resolved_by, counters)
        after.active = False
    elif kind == "destek.case.reopened":
        acc.count(day, values, {"reopened": 1})
        if after.fcr_day and after.fcr_values is not None:
            acc.count(after.fcr_day, after.fcr_values, {"fcr": -1})
            after.fcr_day, after.fcr_values = None, None
        after.reopened = True
        after.sla.pop("resolution", None)
        if data.get("to_pool"):
            after.values = dict(values, agent=None)
        after.active = True
    elif kind == "destek.case.closed":
        acc.count(day, values, {"closed": 1})
        after.active = False
    elif kind == "destek.case.status_changed":
        after.active = data.get("status_to") not in DONE_STATUSES
    elif kind == "destek.case.rated":
        _rated(acc, after, day, data)
    if state is None and kind != "destek.case.opened" and facts is not None:
        # a seeded case joins the backlog as it is now, when it is open
        after.active = after.active or (facts.status not in DONE_STATUSES and kind not in _LEAVING)
    out.days = {k: v for k, v in acc.days.items()}
    if joined is not None:
        # the opening joins the backlog on its day in the cells it was counted in; the event
        # then moves the case from there as it would any counted case
        counted = after.model_copy(update={"values": joined, "active": True})
        _backlog(out, report_day(_iso(after.opened_at)), None, counted)
        _backlog(out, day, counted, after)
    else:
        _backlog(out, day, before if state is not None or kind == "destek.case.opened" else None,
                 after)  # fmt: skip
    out.prune()
    after.revision = before.revision + 1 if state is not None else 1
    return after, out


_LEAVING = frozenset({"destek.case.resolved", "destek.case.closed"})
#: events written with an opening, in its transaction, that say nothing of the case's cells:
#: they leave a pending opening pending (counted by the case's next change, where it is)
_WITH_OPENING = frozenset({"destek.precase.converted", "destek.case.split"})
#: events that change the cells a pending opening is counted in (after their change)
_MOVING = frozenset({"destek.case.routed", "destek.case.fields_changed"})
#: a dimension a hand edit changes → its field in `destek.case.fields_changed`
_EDITED = {"priority": "priority", "category": "category_id", "type": "case_type"}


def _move_opening(acc: _Acc, state: ReportState, old: dict[str, str | None],
                  new: dict[str, str | None]) -> None:  # fmt: skip
    """Move the opening's counts from a case's old cells to its new ones, on the opening's
    day: `opened`, its warranty side, and `complaints` (and the side's) by each side's type."""
    if new == old:
        return
    _count_opening(acc, state, old, -1)
    _count_opening(acc, state, new, 1)


def _count_opening(acc: _Acc, state: ReportState, values: dict[str, str | None],
                   sign: int) -> None:  # fmt: skip
    """Count (sign 1) or take back (-1) a case's opening in the cells of `values`, on the
    opening's day: `opened`, its warranty side, and `complaints` (and the side's) when
    `values` say the case is a complaint."""
    counted = {"opened": sign}
    if state.warranty:
        counted[state.warranty] = sign
    if values.get("type") == "complaint":
        counted["complaints"] = sign
        if state.warranty:
            counted[f"complaints_{state.warranty}"] = sign
    acc.count(report_day(_iso(state.opened_at)), values, counted)


#: satisfaction counters' prefix per source: the customer's own answers, and the scores
#: agents recorded from the phone (counted apart)
RATING_PREFIX = {"customer": "rt", "agent": "rta"}


def rating_counters(source: str, score: int, scale: int, sign: int = 1) -> dict[str, int]:
    """One answer's counters: `<p>_n` (responses), `<p>_sum` (scores), `<p>_sat` (satisfied:
    4–5 on 5) and `<p>_s<score>` (the distribution), `<p>` = `rt` (customer) or `rta`
    (agent); `sign` -1 takes an answer back."""
    from .ratings import is_satisfied

    prefix = RATING_PREFIX.get(source, "rt")
    counters = {f"{prefix}_n": sign, f"{prefix}_sum": sign * score,
                f"{prefix}_s{score}": sign}  # fmt: skip
    if is_satisfied(score, scale):
        counters[f"{prefix}_sat"] = sign
    return counters


def _rated(acc: _Acc, after: ReportState, day: str, data: dict[str, Any]) -> None:
    """`destek.case.rated`: the answer counts on its day in the case's cells now (its group,
    its agent...); a changed answer first takes the previous score back where it was
    counted (its day and cells, remembered in the state; else this day's)."""
    source, scale = data.get("source", "customer"), int(data.get("scale") or 5)
    previous = data.get("previous_score")
    counted = after.rated.get(source)
    if previous is not None:
        where = counted or {"day": day, "values": after.values}
        acc.count(where["day"], where["values"],
                  rating_counters(source, int(previous), scale, -1))  # fmt: skip
    acc.count(day, after.values, rating_counters(source, int(data["score"]), scale))
    after.rated = {**after.rated, source: {"day": day, "values": dict(after.values)}}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _backlog(out: Increments, day: str, before: ReportState | None, after: ReportState) -> None:
    """Move the case's backlog membership: out of its cells before, into its cells after."""
    delta: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for state, sign in ((before, -1), (after, 1)):
        if state is None or not state.active or (sign == -1 and state.cursor == ""):
            continue
        minutes = epoch_minutes(state.opened_at)
        for cell in cells(state.values):
            mine = delta[cell]
            mine["active"] = mine.get("active", 0) + sign
            mine["age"] = mine.get("age", 0) + sign * minutes
    for (slice_, value), counters in delta.items():
        counters = {k: v for k, v in counters.items() if v}
        if not counters:
            continue
        level = out.levels.setdefault((slice_, value), {})
        mine = out.days.setdefault((day, slice_, value), {})
        for name, amount in counters.items():
            level[name] = level.get(name, 0) + amount
            mine[name] = mine.get(name, 0) + amount


def day_end(day: str) -> datetime:
    """The end of an Istanbul day (midnight after it), in UTC."""
    start = datetime.fromisoformat(day).replace(tzinfo=ISTANBUL)
    return (start + timedelta(days=1)).astimezone(UTC)


def facts_from_case(case: Any, customer_category: str | None = None) -> CaseFacts:
    """A case's facts for the projection (`case`: a domain/cases.py Case): its values now,
    its opening, first response, status, and each SLA clock's breach time and calendar."""
    breached: dict[str, datetime | None] = {}
    calendar = None
    if case.sla is not None:
        calendar = case.sla.calendar
        for clock in case.sla.clocks:
            breached[clock.kind.value] = clock.breached_at
    product = case.product
    values = {
        "group": case.group_id, "agent": case.assignee, "category": case.category_id,
        "type": case.type.value, "channel": case.channel.value, "priority": case.priority.value,
        "product_group": product.product_group if product else None,
        "product": product.product_id if product else None,
        "customer_category": customer_category, "topic": None,
    }  # fmt: skip
    return CaseFacts(opened_at=case.created_at, values=values, status=case.status.value,
                     first_response_at=case.first_response_at, breached_at=breached,
                     calendar=calendar, customer_category=customer_category)  # fmt: skip


def new_breaches(
    before: ReportState | None, after: ReportState, event: dict[str, Any]
) -> list[dict[str, Any]]:
    """The breached targets this event counted, as drill-down records: day, case, target and
    the case's group, agent and priority then."""
    found = []
    for target in TARGETS:
        was = before.sla.get(target) if before is not None else None
        if after.sla.get(target) == "breached" and was != "breached":
            found.append({
                "day": report_day(event["occurred_at"]), "case_id": event["case_id"],
                "case_number": event.get("case_number"), "target": target,
                "at": event["occurred_at"], "group": after.values.get("group"),
                "agent": after.values.get("agent"), "priority": after.values.get("priority"),
            })  # fmt: skip
    return found
