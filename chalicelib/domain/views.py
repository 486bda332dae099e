"""Saved views: a named set of case filters and a sort order, personal or shared, and the one
Query that serves each (docs/views-and-presence.md).

A view is served by **one Query on an existing index** (chalicelib/store/README.md): a
group's queue in one status (`queue_newest` / `queue_priority`), an agent's active or
finished cases (`agent_newest` / `agent_priority`), or the cases due or overdue (`overdue`).
Every other filter is applied after the key condition (a DynamoDB `FilterExpression`), so a
page never scans the table. A filter set no index can serve (say "every high priority case",
with no group, agent or SLA state to start from) is refused when the view is saved, with
InvalidInput `view_unserved`, rather than be served by a Scan.

`plan(filters, sort, viewer, now)` decides the Query; it is pure (no I/O), and what it
returns is abstract (a source and conditions on case attributes): only `store/` turns it
into keys and expressions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

from .case_kinds import CaseType, Channel, Priority
from .cases import Actor
from .custom_fields import FieldKey
from .errors import InvalidInput
from .lifecycle import DONE, Status
from .model import Model, Strict
from .tags import TagList
from .text_fields import Id
from .text_fields import Text as Name

#: views one agent keeps, and shared views an installation keeps (the console shows all
#: with a count each, so the number bounds what one look at the list costs)
MAX_PERSONAL = 20
MAX_SHARED = 30
MAX_TAG_FILTERS = 5
#: a count stops here: the console shows "100+" (COUNT Queries read at most this far)
COUNT_CAP = 101
#: and after this many COUNT calls (each reads up to 1 MB of the view's partition): a look at
#: the list is at most (MAX_SHARED + MAX_PERSONAL) * COUNT_ROUNDS calls, whatever the cases
COUNT_ROUNDS = 3
#: "due soon": due within this many hours (the console's overdue list uses the same 4 h)
DUE_SOON = timedelta(hours=4)
#: the assignee filter's two words beside a username
ME, NOBODY = "me", "none"

Sort = Literal["newest", "oldest", "priority", "due"]
Order = Literal["newest", "oldest", "priority"]
SlaState = Literal["breached", "due_soon", "on_track"]
Username = Annotated[str, StringConstraints(min_length=1, max_length=128)]
FieldValue = Annotated[str, StringConstraints(min_length=1, max_length=500)]


class ViewFilters(Strict):
    """What a view keeps. Lists mean "any of"; several filters mean "all of".

    `assignee`: a username, `me` (whoever looks at the view) or `none` (unassigned);
    `fields`: custom field key -> value as typed (read as the field's kind when saved);
    `sla`: `breached` (due time passed), `due_soon` (due within 4 h), `on_track` (neither);
    `older_than_hours` / `newer_than_hours`: the case's age from when it was opened."""

    statuses: list[Status] = Field(default_factory=list, max_length=8)
    group_id: Id | None = None
    assignee: Username | None = None
    types: list[CaseType] = Field(default_factory=list, max_length=8)
    category_id: Id | None = None
    channels: list[Channel] = Field(default_factory=list, max_length=12)
    priorities: list[Priority] = Field(default_factory=list, max_length=8)
    tags: TagList = Field(default_factory=list)
    fields: dict[FieldKey, FieldValue] = Field(default_factory=dict, max_length=5)
    sla: SlaState | None = None
    older_than_hours: Annotated[int, Field(ge=1, le=24 * 365)] | None = None
    newer_than_hours: Annotated[int, Field(ge=1, le=24 * 365)] | None = None

    @field_validator("tags")
    @classmethod
    def _few_tags(cls, tags: list[str]) -> list[str]:
        if len(tags) > MAX_TAG_FILTERS:
            raise ValueError(f"at most {MAX_TAG_FILTERS} tags")
        return tags


class ViewInput(Strict):
    """A new view: `shared` views are seen by every agent (permission `shared_views`)."""

    name: Name
    shared: bool = False
    filters: ViewFilters = Field(default_factory=ViewFilters)
    sort: Sort = "newest"


class ViewEdit(ViewInput):
    """The view's next version; `version` is the one you read (409 when it changed)."""

    version: Annotated[int, Field(ge=1)]


class SavedView(Model):
    """A saved view as stored: `owner` is the username of a personal view, None when shared;
    `field_values` holds each custom field filter's value as its field stores it (a number,
    a boolean, a date), decided when the view was saved."""

    id: str
    name: str
    owner: str | None = None
    filters: ViewFilters
    sort: Sort = "newest"
    field_values: dict[str, Any] = Field(default_factory=dict)
    version: int = 1
    created_by: Actor
    created_at: datetime
    updated_at: datetime

    @property
    def shared(self) -> bool:
        return self.owner is None


class ViewCount(Model):
    """How many cases a view holds now: `count` up to 100, `more` when there are more (the
    console shows "100+")."""

    count: int
    more: bool = False


class ListedView(Model):
    """A view as the list answers it: the view, shared or not, and its live count."""

    id: str
    name: str
    shared: bool
    owner: str | None = None
    filters: ViewFilters
    sort: Sort
    version: int
    count: ViewCount | None = None


class ViewsAnswer(Model):
    items: list[ListedView]


# ---- the Query that serves a view ----------------------------------------------------------

#: (how, attribute path, value): `eq`, `in` (one of a list), `contains` (a list attribute
#: holds it), `lt` / `gt` (compares ISO times as text, to the second), `absent` (no value),
#: `absent_or_gt`
Condition = tuple[str, tuple[str, ...], Any]


class ViewPlan(Model):
    """One Query: `source` is `queue` (a group's queue in one status: `group_id`, `status`),
    `agent` (an agent's cases: `agent`, `done`) or `due` (the cases with a due time,
    ascending, before `due_before`); `order` is `newest`, `oldest` or `priority` (`due`
    reads in due order whatever it says); `conditions` are applied after the key."""

    source: Literal["queue", "agent", "due"]
    group_id: str | None = None
    status: str | None = None
    agent: str | None = None
    done: bool = False
    due_before: str | None = None
    order: Order = "newest"
    conditions: list[Condition] = Field(default_factory=list)


def _second(moment: datetime) -> str:
    """An ISO time to the second, comparable as text with the stored times (which carry
    fractions of a second after it, or none)."""
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def unserved(why: str) -> InvalidInput:
    return InvalidInput(
        f"no index serves this view: {why}; add a group with one status, an agent, or an "
        "SLA state of breached or due soon",
        code="view_unserved",
        details={"why": why},
    )


def plan(
    filters: ViewFilters,
    sort: Sort,
    viewer: str,
    now: datetime,
    field_values: dict[str, Any] | None = None,
) -> ViewPlan:
    """The Query serving `filters` for `viewer` at `now`, or InvalidInput `view_unserved`.

    Which index, in this order of preference: an agent's cases (`assignee` a username or
    `me`; every status asked active, or every one finished), a group's queue (`group_id`
    and one status, or no status and `assignee: none`: the unassigned pool, `open`), the
    due index (`sla` breached or due soon). Sorting by `due` is served by the due index
    only; elsewhere it is read as `priority` (whose key is the rank, then the due time)."""
    statuses = set(filters.statuses)
    agent = viewer if filters.assignee == ME else filters.assignee
    done_asked = {s for s in statuses if s in DONE}
    order: Order = "priority" if sort in ("priority", "due") else sort  # type: ignore[assignment]
    conditions: list[Condition] = []
    result: ViewPlan
    if agent and agent != NOBODY and (not statuses or not done_asked or done_asked == statuses):
        result = ViewPlan(source="agent", agent=agent, done=bool(done_asked), order=order)
        if statuses:
            conditions.append(("in", ("status",), sorted(statuses)))
    elif filters.group_id and (len(statuses) == 1 or (not statuses and filters.assignee == NOBODY)):
        status = next(iter(statuses)) if statuses else Status.OPEN
        result = ViewPlan(source="queue", group_id=filters.group_id, status=status, order=order)
    elif filters.sla in ("breached", "due_soon"):
        before = now if filters.sla == "breached" else now + DUE_SOON
        result = ViewPlan(source="due", due_before=_second(before), order="oldest")
        if statuses:
            conditions.append(("in", ("status",), sorted(statuses)))
    elif agent and agent != NOBODY:
        raise unserved("an agent's view asks for active and finished cases at once")
    elif filters.group_id:
        raise unserved("a group's view needs exactly one status")
    else:
        raise unserved("no group, agent or SLA state to start from")
    if result.source != "queue" and filters.group_id:
        conditions.append(("eq", ("group_id",), filters.group_id))
    if filters.assignee == NOBODY and result.source != "queue":
        conditions.append(("absent", ("assignee",), None))
    elif agent and agent != NOBODY and result.source != "agent":
        conditions.append(("eq", ("assignee",), agent))
    if filters.types:
        conditions.append(("in", ("type",), sorted(t.value for t in filters.types)))
    if filters.category_id:
        conditions.append(("eq", ("category_id",), filters.category_id))
    if filters.channels:
        conditions.append(("in", ("channel",), sorted(c.value for c in filters.channels)))
    if filters.priorities:
        conditions.append(("in", ("priority",), sorted(p.value for p in filters.priorities)))
    conditions += [("contains", ("tags",), tag) for tag in filters.tags]
    values = field_values if field_values is not None else dict(filters.fields)
    conditions += [("eq", ("custom_fields", key), values[key]) for key in sorted(values)]
    soon = _second(now + DUE_SOON)
    if filters.sla == "breached" and result.source != "due":
        conditions.append(("lt", ("due_at",), _second(now)))
    elif filters.sla == "due_soon":
        conditions.append(("gt", ("due_at",), _second(now)))
        if result.source != "due":
            conditions.append(("lt", ("due_at",), soon))
    elif filters.sla == "on_track":
        conditions.append(("absent_or_gt", ("due_at",), soon))
    if filters.older_than_hours:
        conditions.append(
            ("lt", ("created_at",), _second(now - timedelta(hours=filters.older_than_hours)))
        )
    if filters.newer_than_hours:
        conditions.append(
            ("gt", ("created_at",), _second(now - timedelta(hours=filters.newer_than_hours)))
        )
    return result.model_copy(update={"conditions": conditions})


def check_view(filters: ViewFilters, sort: Sort, now: datetime) -> None:
    """Refuse, when it is saved, a view no index serves (InvalidInput `view_unserved`: with
    any viewer, as whether it is served never depends on who looks) or whose age window
    holds no case (`empty_view`)."""
    older, newer = filters.older_than_hours, filters.newer_than_hours
    if older and newer and older >= newer:
        raise InvalidInput("older_than_hours must be below newer_than_hours", code="empty_view")
    plan(filters, sort, "someone", now, field_values=dict.fromkeys(filters.fields, ""))


def counted(count: int) -> ViewCount:
    """A COUNT's result as the list shows it: up to 100, then "more"."""
    if count >= COUNT_CAP:
        return ViewCount(count=COUNT_CAP - 1, more=True)
    return ViewCount(count=count)
