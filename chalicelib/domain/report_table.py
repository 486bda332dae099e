"""A standard report's answer, as one table: what the API returns, the console draws, the
CSV and XLSX downloads hold and the weekly summary email shows.

Every standard report (`ReportName`) answers for a period of whole days in Europe/Istanbul
(`start` to `end`, both included) broken down by zero, one or two dimensions (`by`). Its
`columns` say, in order, what each row holds and how to show it (`ColumnKind`); its `rows`
map a column's key to a value: dimension columns hold codes or ids (a group's id, an
agent's username, `complaint`), which a reader turns into names from the vocabulary; the
rest hold numbers. `totals` holds the same keys over every row (dimension keys null).

Words for a report, a column or a dimension are never here: they are `report_<name>`,
`report_col_<key>` and `report_dim_<code>` in templates/console/strings/{tr,en}.json.

Pure: no I/O.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from .model import Model

#: how many days one report may cover (a year and a day: a year against the one before)
MAX_DAYS = 366


class ReportName(StrEnum):
    """The standard reports (issue 15): each a projection of the case events."""

    SLA = "sla"  # SLA compliance: share within target per target, breached cases a click away
    VOLUME = "volume"  # opened, resolved, closed, reopened; trend by day
    BACKLOG = "backlog"  # open at day end and its age
    AGENTS = "agents"  # handled, first response, resolution, SLA share, reopen rate
    TOPICS = "topics"  # top complaint topics against the previous period, with their actions
    PRODUCTS = "products"  # complaints per registered unit, in and out of warranty
    SATISFACTION = "satisfaction"  # CSAT: ratings at resolution, customers' and agents' apart
    DEFLECTION = "deflection"  # new-case drafts that ended after a help article was opened
    ASSISTANT = "assistant"  # the assistant's conversations: answered, handed over, abandoned


class Dimension(StrEnum):
    """What a report can be broken down by. `day` gives a trend."""

    DAY = "day"
    GROUP = "group"
    AGENT = "agent"
    CATEGORY = "category"
    TYPE = "type"
    CHANNEL = "channel"
    PRIORITY = "priority"
    PRODUCT_GROUP = "product_group"
    PRODUCT = "product"
    CUSTOMER_CATEGORY = "customer_category"
    TOPIC = "topic"


class ColumnKind(StrEnum):
    """How a column's values are shown and exported.

    - `dimension`: a code or id (str), or null for "none";
    - `count`: an int;
    - `share`: a float from 0 to 1 (shown as a percentage), or null when nothing was counted;
    - `minutes`: a float of minutes (shown as hours and minutes), or null;
    - `number`: any other float (replies per case, complaints per 1,000 units);
    - `text`: words a supervisor wrote (a topic's recommended action);
    - `link`: a URL (a topic's solution link).
    """

    DIMENSION = "dimension"
    COUNT = "count"
    SHARE = "share"
    MINUTES = "minutes"
    NUMBER = "number"
    TEXT = "text"
    LINK = "link"


class ReportColumn(Model):
    """One column: `key` (the row's key, and `report_col_<key>` for its words; a dimension
    column's key is the dimension's code) and its `kind`."""

    key: str
    kind: ColumnKind


Value = str | int | float | None


class ReportTable(Model):
    """One report's answer (see the module's text). `items_read`: the DynamoDB items the
    report read, which depends on the days and dimension values asked for, never on how
    many cases exist (measured in `make bench`)."""

    report: ReportName
    start: date
    end: date
    by: list[Dimension] = Field(default_factory=list, max_length=2)
    columns: list[ReportColumn]
    rows: list[dict[str, Value]] = Field(default_factory=list)
    totals: dict[str, Value] = Field(default_factory=dict)
    items_read: int = 0
    #: the previous period of the same length, for reports that compare (topics)
    previous_start: date | None = None
    previous_end: date | None = None
    format_version: Literal[1] = 1
