"""The case and its history, as pydantic models shared by every layer above the store."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, model_validator

from .case_kinds import CaseType, Channel, Priority
from .errors import Conflict
from .lifecycle import ACTIVE, Status
from .model import Model
from .ratings import CaseRating, FollowUp
from .sla import CaseSla

#: queue order: urgent first
PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}

#: resolution targets in calendar hours, used until SLA policies (issue 3) refine them
DEFAULT_RESOLUTION_HOURS = {
    Priority.URGENT: 4,
    Priority.HIGH: 8,
    Priority.NORMAL: 24,
    Priority.LOW: 72,
}

#: how long after resolution a customer may still say "not solved"
REOPEN_WINDOW = timedelta(days=7)


def resolution_due(opened_at: datetime, priority: Priority) -> datetime:
    return opened_at + timedelta(hours=DEFAULT_RESOLUTION_HOURS[priority])


class Actor(Model):
    """Who did something: a staff member, a customer, or destek itself."""

    kind: Literal["staff", "customer", "system"]
    id: str
    name: str = ""


SYSTEM = Actor(kind="system", id="destek", name="destek")


class CaseProduct(Model):
    """The customer's registered product a case is about, as registered when it was filed.

    A snapshot: agents see the serial and the warranty without another read, and
    routing rules can match the product group.
    """

    registration_id: str
    product_id: str
    name: str
    serial_number: str
    purchase_date: date
    warranty_ends: date
    product_group: str | None = None


class CaseOrder(Model):
    """The customer's order (and one of its shipments) a case is about, as the shop last
    reported it when the case was filed: agents see the carrier and tracking number without
    another read (docs/orders.md)."""

    order_id: str
    shipment_id: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None


class LinkedArticle(Model):
    """An article linked to a case: it helped solve it. `counted`: the case was resolved
    with the link on it, and the article's `resolved_links` counter took it (once per case,
    whatever reopens follow)."""

    article_id: str
    title: str = ""
    by: str
    at: datetime
    counted: bool = False


class RoutingSuggestion(Model):
    """The learned classifier's group for a case at routing (domain/routing_classifier.py):
    shown to agents; `confidence` is its probability, 0..1."""

    group_id: str
    confidence: float = Field(ge=0, le=1)


class CaseRouting(Model):
    """What routing chose for the case and why, kept on the case: a later move by an agent
    to another group is a correction of it (domain/routing_corrections.py). `group_id` and
    `category_id` are the routed ones; `reason_code` a ReasonCode value (rule_matched,
    default_group, group_chosen_at_intake, classifier_routed); `suggestion`: the
    classifier's, when it had one (no rule matched, or it disagreed with confidence)."""

    group_id: str
    category_id: str | None = None
    reason_code: str
    rule_id: str | None = None
    matched: list[str] = Field(default_factory=list)
    suggestion: RoutingSuggestion | None = None


class StepTick(Model):
    """A ticked checklist step of a case: when and by whom (a staff username)."""

    at: datetime
    by: str


class CaseChecklist(Model):
    """What a case keeps of one checklist (domain/checklists.py): the version it follows
    (the one current at its first tick) and its ticked steps by step id."""

    version: int = Field(ge=1)
    ticked: dict[str, StepTick] = Field(default_factory=dict)


class Case(Model):
    id: str
    number: str = ""
    type: CaseType
    channel: Channel
    status: Status = Status.NEW
    priority: Priority = Priority.NORMAL
    category_id: str | None = None
    subject: str
    description: str
    customer_id: str
    product: CaseProduct | None = None
    #: the order (and shipment) it is about, filed from the site's order page (docs/orders.md)
    order: CaseOrder | None = None
    group_id: str | None = None
    requested_group_id: str | None = None
    assignee: str | None = None
    created_by: Actor
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    sla: CaseSla | None = None
    version: int = 1
    #: when the customer last wrote (filed, replied, answered a resolution), and the
    #: version that change made
    customer_activity_at: datetime | None = None
    customer_activity_version: int = 0
    #: staff username -> the version they last looked at or changed; every change makes a
    #: new version, so a case is unread for someone while its version is above theirs
    seen: dict[str, int] = Field(default_factory=dict)
    #: the customer's satisfaction rating (their last answer), and the score an agent recorded
    #: from the customer on the phone, kept apart (domain/ratings.py)
    rating: CaseRating | None = None
    agent_rating: CaseRating | None = None
    #: a follow-up a low score put on the case (open until someone marks it done)
    follow_up: FollowUp | None = None
    #: knowledge base articles an agent linked to the case (docs/knowledge-base.md)
    articles: list[LinkedArticle] = Field(default_factory=list)
    #: checklist id -> the version the case follows and its ticked steps (domain/checklists.py)
    checklists: dict[str, CaseChecklist] = Field(default_factory=dict)
    #: free tags, normalised and sorted (domain/tags.py)
    tags: list[str] = Field(default_factory=list)
    #: custom field values by key, checked against the admins' definitions
    #: (domain/custom_fields.py)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    #: a `merged` case: the case that carries on in its place (id and number)
    merged_into: str | None = None
    merged_into_number: str | None = None
    #: what routing chose and why (None: routed before issue 20's learning, or not yet)
    routing: CaseRouting | None = None
    #: addresses copied on the case's public replies, lower-cased; staff usernames following
    #: its updates (domain/case_people.py)
    cc: list[str] = Field(default_factory=list)
    followers: list[str] = Field(default_factory=list)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def staff_opener(self) -> str:
        """The username of the staff member who filed the case ("" when a customer, the shop
        or destek did): Caller.reaches_case lets them work it until it has a group."""
        return self.created_by.id if self.created_by.kind == "staff" else ""

    def unread_for(self, username: str) -> bool:
        """Changed since this staff member last looked (their own changes count as looked)."""
        return self.version > self.seen.get(username, 0)

    def customer_unread_for(self, username: str) -> bool:
        """The customer wrote since this staff member last looked."""
        return self.customer_activity_version > self.seen.get(username, 0)


class EntryKind(StrEnum):
    CREATED = "created"
    ROUTED = "routed"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    REPLY = "reply"
    NOTE = "note"
    FIELDS_CHANGED = "fields_changed"
    SLA = "sla"
    #: a notice destek gave up on; `data` names it and says why
    NOTICE_FAILED = "notice_failed"
    #: a notice could not be delivered (a bounce, a complaint); data names it and why
    DELIVERY_FAILED = "delivery_failed"
    #: a satisfaction rating (the customer's or one an agent recorded); `body` is its
    #: comment; data: score, scale, source, previous_score
    RATED = "rated"
    #: a follow-up opened by a low score (reason_code low_rating; data: score, source) or
    #: marked done (reason_code follow_up_done; `body`: what was done)
    FOLLOW_UP = "follow_up"
    #: a knowledge base article linked to the case; data: article_id, title
    ARTICLE_LINKED = "article_linked"
    #: a checklist step ticked or unticked; data: checklist_id, version, step_id, done,
    #: step_text, checklist_name
    CHECKLIST = "checklist"
    #: e-library documents sent to the customer as expiring links; data: documents
    #: [{id, title}], link_days, expires_at
    DOCUMENTS_SENT = "documents_sent"
    #: tags added or removed; data: added, removed (normalised tags)
    TAGS_CHANGED = "tags_changed"
    #: custom field values set or cleared; `changes`: {key: {from, to}}
    CUSTOM_FIELDS_CHANGED = "custom_fields_changed"
    #: a merge (docs/merge-and-split.md): on the source, data: into_case_id, into_number;
    #: on the survivor, data: from_case_id, from_number (public: both customers' pages say it)
    MERGED = "merged"
    #: a split: on the source, data: to_case_id, to_number, entry_id; on the new case,
    #: data: from_case_id, from_number, entry_id
    SPLIT = "split"
    #: the CC list or the followers changed; `changes`: {"cc"|"followers": {from, to}}
    PEOPLE_CHANGED = "people_changed"


class ReasonCode(StrEnum):
    """Why destek wrote a history line, as a stable code; the console says it in words.

    The facts a reason needs travel in the entry's `data` (named per code below), so
    the words, names and local times are the reader's, never stored English text.
    `reason` keeps only what a person typed.
    """

    OPENED = "opened"  # data: channel
    GROUP_CHOSEN_AT_INTAKE = "group_chosen_at_intake"
    RULE_MATCHED = "rule_matched"  # data: rule_id, rule_name, matched
    DEFAULT_GROUP = "default_group"
    #: no rule matched; the learned classifier chose the group (the admin turned it on);
    #: data: confidence (0..1)
    CLASSIFIER_ROUTED = "classifier_routed"
    AUTO_ASSIGNED = "auto_assigned"
    CLAIMED = "claimed"
    ASSIGNED_BY_SUPERVISOR = "assigned_by_supervisor"
    CUSTOMER_CONFIRMED = "customer_confirmed"
    AUTO_CLOSED = "auto_closed"  # data: days
    SLA_REMINDER = "sla_reminder"  # data: target
    SLA_BREACH = "sla_breach"  # data: target
    SLA_ESCALATION = "sla_escalation"  # data: target, level, notify
    #: a notice bounced / was reported as spam; data: notice_id, event, to, reason, kind
    BOUNCED = "bounced"
    COMPLAINED = "complained"
    #: files an email brought that were not kept; data: files_refused [{filename, reason}]
    FILES_REFUSED = "files_refused"
    #: a pre-case set aside as this case's duplicate; data: merged_from, files
    MERGED_DUPLICATE = "merged_duplicate"
    #: a low satisfaction score opened a follow-up; data: score, source
    LOW_RATING = "low_rating"
    FOLLOW_UP_DONE = "follow_up_done"


class Visibility(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"


class HistoryEntry(Model):
    """One append-only line of a case's history: who, when, what, why."""

    id: str
    case_id: str
    at: datetime
    actor: Actor
    kind: EntryKind
    visibility: Visibility = Visibility.INTERNAL
    body: str | None = None
    changes: dict[str, dict[str, Any]] = Field(default_factory=dict)
    #: what a person typed as the reason (a supervisor's note on an assignment); never code text
    reason: str | None = None
    #: why destek wrote the line, when it was destek's own doing or a standard move
    reason_code: ReasonCode | None = None
    #: structured facts about the event, e.g. the routing rule and the words it matched
    data: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _read_legacy_reason(cls, value: Any) -> Any:
        """Lines stored before reason codes carry English text in `reason`: read it as a code."""
        from .legacy_reasons import upgrade

        return upgrade(value) if isinstance(value, dict) else value


def diff(before: Case, after: Case, fields: list[str]) -> dict[str, dict[str, Any]]:
    """The fields that changed, as {field: {"from": old, "to": new}} for the history."""
    changes: dict[str, dict[str, Any]] = {}
    for name in fields:
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            changes[name] = {"from": _plain(old), "to": _plain(new)}
    return changes


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, StrEnum) else value


def version_conflict(current: Case) -> Conflict:
    """The 409 `version_conflict` of a change made against an older version of the case:
    its details carry the current version and the case as it is now, so a client can show
    what changed and try again on it (optimistic locking, one shape for every case write)."""
    return Conflict(
        "the case changed since you read it; here is the current one",
        details={"current_version": current.version, "case": current.model_dump(mode="json")},
        code="version_conflict",
    )
