"""One way to change a case: `change_case(case, command, actor, at)`.

Every writer of a case (the API's use cases, routing, the SLA sweep and its automatic
close, the mail intake, pre-case conversion, the customer's word on a resolution) builds
a command and hands it here; what comes back (`CaseChange`) is written by the store as
one conditional write: the case at its next version, its history lines, the notices the
change calls for and the case events it emits. Nothing else moves a case's status,
version, history or timestamps (docs/architecture.md#how-a-case-changes).

Pure: no I/O. What needs a read (a group exists, an agent is its member, which SLA
policy applies, who the round robin picks) is looked up by the service first and
carried in the command; what the case itself decides (the state machine, the reopen
window, who may claim, a closed case takes no edits) is checked here. Refusals are
DomainErrors with stable codes (Conflict `illegal_transition`, `not_claimable`,
`already_assigned`, `case_done`, `case_closed`, `unassigned`, `no_group`,
`reopen_window_passed`, `reopen_window_open`, `not_resolved`, `not_new`, `not_rateable`,
`rating_locked`, `no_follow_up`, `already_ticked`, `not_ticked`, `checklist_version`,
`required_fields_missing`, `case_merged` (any command on a merged case),
`merge_into_itself`, `different_customer`, `target_closed`; Forbidden `not_a_member`;
InvalidInput for a change that says nothing (`nothing_to_change` for tags and custom
fields), `unknown_step`, `too_many_tags`, `not_a_customer_message`). Merging and splitting:
docs/merge-and-split.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from . import case_events as ev
from .case_kinds import CaseType, Priority
from .case_people import MAX_CC, MAX_FOLLOWERS
from .cases import (
    REOPEN_WINDOW,
    Actor,
    Case,
    CaseChecklist,
    CaseRouting,
    EntryKind,
    HistoryEntry,
    LinkedArticle,
    ReasonCode,
    RoutingSuggestion,
    StepTick,
    Visibility,
    diff,
    resolution_due,
)
from .clock import to_iso
from .custom_fields import missing, with_values
from .errors import Conflict, Forbidden, InvalidInput
from .ids import new_id
from .lifecycle import ACTIVE, DONE, Status, check_move
from .model import Model
from .notifications import Notice, NoticeEvent, notice, notices_for_change, notices_for_sla
from .ratings import SCALE, CaseRating, FollowUp, RatingSource, is_low
from .routing_rules import raise_priority
from .sla import CaseSla, SlaEvent
from .sla_tracking import follow, with_sla
from .tags import retagged

#: the fields a history line shows the change of
TRACKED = ["status", "assignee", "group_id", "priority", "category_id", "type", "subject"]


# ---- commands ------------------------------------------------------------------------------


class SplitOrigin(Model):
    """Where a split-off case came from: the case and the history line (a customer's
    message) that became its first message."""

    from_case_id: str
    from_number: str
    entry_id: str


class OpenCase(Model):
    """File a new case: `case` given to change_case is the draft at version 1, unnumbered
    (the store gives it its number in the same write). `carried`: history lines written
    with the opening (a converted pre-case's later mails, its refused files)."""

    kind: Literal["open"] = "open"
    precase_id: str | None = None
    carried: list[HistoryEntry] = Field(default_factory=list)
    #: the case and customer message it was split from (SplitOff), if it was
    split: SplitOrigin | None = None


class Route(Model):
    """Routing's decision for a `new` case, with what it looked up: the SLA clocks started
    for the routed case (None: no policy applies) and the agent the group's automatic
    assignment picked (None: the case waits in the pool)."""

    kind: Literal["route"] = "route"
    group_id: str
    priority: Priority
    reason_code: ReasonCode
    set_category_id: str | None = None
    rule_id: str | None = None
    rule_name: str | None = None
    matched: list[str] = Field(default_factory=list)
    sla: CaseSla | None = None
    assignee: str | None = None
    #: the learned classifier's suggestion, kept on the case's `routing`
    suggestion: RoutingSuggestion | None = None


class Claim(Model):
    """An agent takes a case from the pool. `groups`: the groups the agent belongs to now;
    `may_assign`: their role may assign cases (then any group's pool is theirs to take)."""

    kind: Literal["claim"] = "claim"
    groups: frozenset[str] = frozenset()
    may_assign: bool = False


class Assign(Model):
    """A supervisor hands the case to `group_id` and/or `assignee` (None: back to the pool).
    The values are the case's new ones, checked against the directory by the service."""

    kind: Literal["assign"] = "assign"
    group_id: str | None
    assignee: str | None
    reason: str | None = None


class Reply(Model):
    """A public reply: from staff to the customer, or from the customer (site, email).
    `data`: facts kept on the line (the mail it came from, files refused)."""

    kind: Literal["reply"] = "reply"
    body: str
    data: dict[str, Any] = Field(default_factory=dict)


class Note(Model):
    """An internal note: moves nothing, tells nobody, emits no event."""

    kind: Literal["note"] = "note"
    body: str
    #: facts kept on the line (the files it carries: `attachment_ids`)
    data: dict[str, Any] = Field(default_factory=dict)


class ChangePeople(Model):
    """Replace the CC list and/or the followers (None: unchanged), both checked already
    (domain/case_people.py). InvalidInput `nothing_to_change`; Conflict `case_closed`.
    Tells nobody and emits no event: who is copied is the case's own business."""

    kind: Literal["change_people"] = "change_people"
    cc: list[str] | None = None
    followers: list[str] | None = None


class ChangeStatus(Model):
    """Move the case by hand. `required_fields`: the custom fields the case must have a
    value for before it is resolved (looked up by the service for a move to resolved only;
    Conflict `required_fields_missing` naming the missing ones)."""

    kind: Literal["change_status"] = "change_status"
    status: Status
    reason: str | None = None
    required_fields: list[str] = Field(default_factory=list)


class ChangeTags(Model):
    """Add and/or remove free tags (normalised already: domain/tags.py). Emits
    `destek.case.tags_changed` when the tags changed; a change that changes nothing is
    InvalidInput `nothing_to_change`."""

    kind: Literal["change_tags"] = "change_tags"
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class ChangeCustomFields(Model):
    """Set or clear custom field values (`values` checked against the definitions by the
    service: domain/custom_fields.check_values; None clears). `kinds`: each key's kind, so
    the event tells the values of all but text fields. Emits
    `destek.case.custom_fields_changed` when a value changed."""

    kind: Literal["change_custom_fields"] = "change_custom_fields"
    values: dict[str, Any]
    kinds: dict[str, str] = Field(default_factory=dict)


class ChangeFields(Model):
    """Edit priority, category, type or subject. `sla`: the targets of the SLA policy that
    applies to the edited case (the service looks it up), None to keep them. Emits
    `destek.case.fields_changed` when at least one field changed."""

    kind: Literal["change_fields"] = "change_fields"
    fields: dict[str, Any]
    reason: str | None = None
    sla: CaseSla | None = None


class RecordSla(Model):
    """The sweep found SLA moments due: `sla` is the clocks with them marked done."""

    kind: Literal["record_sla"] = "record_sla"
    sla: CaseSla
    events: list[SlaEvent]


class AutoClose(Model):
    """The reopen window of a resolved case ended: closed for good."""

    kind: Literal["auto_close"] = "auto_close"


class ConfirmResolution(Model):
    """The customer says a resolved case is solved (their "not solved" is a Reply)."""

    kind: Literal["confirm_resolution"] = "confirm_resolution"
    comment: str | None = None


class FileCustomerMessage(Model):
    """What the customer wrote elsewhere (a duplicate pre-case), filed on the case by an agent
    as the customer's public message. It moves no status and no SLA clock: the customer
    wrote it before, the agent only files it. `carried`: more lines written with it."""

    kind: Literal["file_customer_message"] = "file_customer_message"
    body: str
    author: Actor
    reason_code: ReasonCode | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    carried: list[HistoryEntry] = Field(default_factory=list)


class Rate(Model):
    """A satisfaction rating of a resolved or closed case (domain/ratings.py): the customer's
    answer through their link, or the score they gave an agent on the phone (`source`
    agent, recorded by the agent). The same source answering again replaces its answer
    within `change_window` of its first one. A low score opens a follow-up and tells the
    group's supervisors (unless one is open already)."""

    kind: Literal["rate"] = "rate"
    score: int = Field(ge=1, le=10)
    #: the shop's scale the score is on (1 to `scale`)
    scale: int = Field(default=SCALE, ge=2, le=10)
    comment: str | None = None
    source: RatingSource
    change_window: timedelta


class CloseFollowUp(Model):
    """The follow-up a low score opened is done: `note` says what was done."""

    kind: Literal["close_follow_up"] = "close_follow_up"
    note: str | None = None


class LinkArticle(Model):
    """Link a knowledge base article to the case (it helped solve it): a history line, the
    link kept on the case. No case event: the link is the knowledge base's measure, not
    a fact of the case's lifecycle (docs/knowledge-base.md). A case resolved with links on
    it marks them counted (`LinkedArticle.counted`), in the same change; one linked to a
    case already resolved is counted at once."""

    kind: Literal["link_article"] = "link_article"
    article_id: str
    title: str = ""


class TickStep(Model):
    """Tick a checklist step (`done`) or take the tick back. The service looks up the
    checklist version the case follows (the current one at a first tick) and carries it:
    `steps` its step ids and texts, `name` its name. Refusals: Conflict `case_done` (a
    resolved or closed case's checklist is final), `already_ticked`, `not_ticked`,
    `checklist_version` (not the version the case follows); InvalidInput `unknown_step`."""

    kind: Literal["tick_step"] = "tick_step"
    checklist_id: str
    version: int
    name: str
    steps: dict[str, str]
    step_id: str
    done: bool


class SendDocuments(Model):
    """Send e-library documents to the customer as expiring links: `documents` are
    `{id, title, url}` (the url a signed link that works `link_days`), told to the customer
    by the `documents_sent` notice; the history line keeps ids and titles, never the links."""

    kind: Literal["send_documents"] = "send_documents"
    documents: list[dict[str, str]] = Field(min_length=1)
    link_days: int
    expires_at: datetime


class ApplyMacro(Model):
    """A macro applied (domain/macros.py): what it does, rendered and looked up by the service,
    in one change of the case (one version, one transaction). In order: the fields set
    (`fields`, with the SLA targets that then apply in `sla`), the public `reply`, the
    internal `note`, the e-library `documents` sent (as SendDocuments carries them), then
    the `status` moved to (checked against the lifecycle after the rest; a refused move
    refuses the whole macro). `from_version`: the version the agent applied it to (a retry
    of the same application finds it in the history line)."""

    kind: Literal["apply_macro"] = "apply_macro"
    macro_id: str
    title: str
    shared: bool
    from_version: int
    reply: str | None = None
    note: str | None = None
    status: Status | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    sla: CaseSla | None = None
    documents: list[dict[str, str]] = Field(default_factory=list)
    link_days: int = 0
    expires_at: datetime | None = None
    add_tags: list[str] = Field(default_factory=list)
    remove_tags: list[str] = Field(default_factory=list)
    required_fields: list[str] = Field(default_factory=list)


class MergeInto(Model):
    """Merge this case (the source) into `into`, the survivor as the service read it: the
    source becomes `merged`, read-only, pointing to the survivor; its customer is told which
    case carries on. The survivor's side is `AbsorbMerge`, written in the same transaction
    (`merge`). Refusals: Conflict `merge_into_itself`, `different_customer`, `case_closed`,
    `case_merged` (either case already merged), `target_closed`."""

    kind: Literal["merge_into"] = "merge_into"
    into: Case


class AbsorbMerge(Model):
    """The survivor's side of a merge: a history line naming the source, and the source's
    opening message as the customer's message at its own time. The source's replies, notes
    and files follow by a job (services/case_merges.py). The survivor keeps its status and
    its own SLA clocks."""

    kind: Literal["absorb_merge"] = "absorb_merge"
    source: Case


class SplitOff(Model):
    """A customer's message of this case was taken into a new case (`to_case_id`, already
    numbered: the opening and this change share one transaction). `entry`: the message's
    history line, as the service read it. Refusals: InvalidInput `not_a_customer_message`;
    Conflict `case_closed`."""

    kind: Literal["split_off"] = "split_off"
    entry: HistoryEntry
    to_case_id: str
    to_number: str


Command = (
    OpenCase
    | Route
    | Claim
    | Assign
    | Reply
    | Note
    | ChangeStatus
    | ChangeFields
    | RecordSla
    | AutoClose
    | ConfirmResolution
    | FileCustomerMessage
    | Rate
    | CloseFollowUp
    | LinkArticle
    | TickStep
    | SendDocuments
    | ApplyMacro
    | ChangeTags
    | ChangeCustomFields
    | MergeInto
    | AbsorbMerge
    | SplitOff
    | ChangePeople
)


class CaseChange(Model):
    """One change of a case, ready to be written in one transaction: the case at its new
    version (`case.version == before.version + 1`; version 1 for an opening, `before` None),
    the history lines, the notices and the events it emits."""

    before: Case | None
    case: Case
    entries: list[HistoryEntry]
    notices: list[Notice]
    events: list[ev.CaseEvent]

    @property
    def expected_version(self) -> int:
        """The version the stored case must still have for the write to succeed (0: new)."""
        return self.before.version if self.before is not None else 0


# ---- the one function ----------------------------------------------------------------------


def change_case(case: Case, command: Command, actor: Actor, at: datetime) -> CaseChange:
    """The case after `command` by `actor` at `at`, or a DomainError saying why not.

    A `merged` case is read-only: every command on it is refused (Conflict `case_merged`,
    details naming the case that carries on)."""
    if case.status == Status.MERGED:
        raise merged_conflict(case)
    handler = _HANDLERS[command.kind]
    return handler(case, command, actor, at)


def merged_conflict(case: Case) -> Conflict:
    """The 409 `case_merged` of a change asked of a merged case: it names the survivor."""
    return Conflict(
        f"this case was merged into {case.merged_into_number}; continue there",
        code="case_merged",
        details={"merged_into": case.merged_into, "merged_into_number": case.merged_into_number},
    )


def merge(source: Case, into: Case, actor: Actor, at: datetime) -> tuple[CaseChange, CaseChange]:
    """Both sides of merging `source` into `into`: (the source's change, the survivor's),
    to be written in one transaction. Refusals as MergeInto says; nothing is decided for
    either unless both may change."""
    if into.status == Status.MERGED:
        raise Conflict(f"{into.number} was itself merged into {into.merged_into_number}",
                       code="case_merged",
                       details={"merged_into": into.merged_into,
                                "merged_into_number": into.merged_into_number})  # fmt: skip
    gone = change_case(source, MergeInto(into=into), actor, at)
    kept = change_case(into, AbsorbMerge(source=source), actor, at)
    return gone, kept


# ---- what each command does ----------------------------------------------------------------

_Specific = list[tuple[type[ev.CaseEventBase], dict[str, Any]]]


def _open(case: Case, command: OpenCase, actor: Actor, at: datetime) -> CaseChange:
    if case.version != 1 or case.status != Status.NEW:
        raise Conflict("only a new, unsaved case can be opened", code="not_new")
    case = _marked(case, actor, at)
    entry = _line(case, actor, EntryKind.CREATED, at, visibility=Visibility.PUBLIC,
                  reason_code=ReasonCode.OPENED, data={"channel": case.channel.value})  # fmt: skip
    notices = notices_for_change(None, case, [entry], at)
    specific: _Specific = [(ev.CaseOpened, {
        "channel": case.channel.value, "case_type": case.type.value,
        "priority": case.priority.value, "category_id": case.category_id,
        "customer_id": case.customer_id, "requested_group_id": case.requested_group_id,
        "precase_id": command.precase_id, **_product_facts(case, at),
        **({"order_id": case.order.order_id, "shipment_id": case.order.shipment_id}
           if case.order else {}),
        **({"tags": case.tags} if case.tags else {}),
    })]  # fmt: skip
    if command.precase_id:
        converted = {"precase_id": command.precase_id, "channel": case.channel.value}
        specific.append((ev.PreCaseConverted, converted))
    entries = [entry, *command.carried]
    if command.split is not None:
        origin = command.split
        entries.append(_line(case, actor, EntryKind.SPLIT, at, visibility=Visibility.PUBLIC,
                             data={"from_case_id": origin.from_case_id,
                                   "from_number": origin.from_number,
                                   "entry_id": origin.entry_id}))  # fmt: skip
        # to_case_number is the case's own, given by the store (`numbered`)
        specific.append((ev.CaseSplit, {
            "role": "new", "from_case_id": origin.from_case_id,
            "from_case_number": origin.from_number, "to_case_id": case.id,
            "to_case_number": case.number, "entry_id": origin.entry_id}))  # fmt: skip
    # the conversion is also the pre-case's last event: it names the pre-case in the envelope
    events = [e.model_copy(update={"precase_id": command.precase_id})
              if isinstance(e, ev.PreCaseConverted) else e
              for e in _stamp(case, specific, actor, at)]  # fmt: skip
    return CaseChange(before=None, case=case, entries=entries, notices=notices, events=events)


def _route(case: Case, command: Route, actor: Actor, at: datetime) -> CaseChange:
    if case.status != Status.NEW:
        raise Conflict(f"only a new case is routed; this one is {case.status.value}",
                       code="not_new")  # fmt: skip
    update: dict[str, Any] = {"group_id": command.group_id, "priority": command.priority}
    if command.set_category_id and not case.category_id:
        update["category_id"] = command.set_category_id
    if command.priority != case.priority:
        update["due_at"] = resolution_due(case.created_at, command.priority)
    update["routing"] = CaseRouting(
        group_id=command.group_id, category_id=update.get("category_id", case.category_id),
        reason_code=command.reason_code.value, rule_id=command.rule_id,
        matched=command.matched, suggestion=command.suggestion,
    )  # fmt: skip
    routed = _moved(case.model_copy(update=update), Status.OPEN, at)
    if command.sla is not None:
        routed = with_sla(routed, command.sla)
    entries = [
        _line(case, actor, EntryKind.ROUTED, at, reason_code=command.reason_code,
              changes=diff(case, routed, ["status", "group_id", "priority", "category_id",
                                          "due_at"]),
              data={"rule_id": command.rule_id, "rule_name": command.rule_name,
                    "matched": command.matched,
                    **_confidence(command),
                    "sla_policy": command.sla.policy_name if command.sla else None})
    ]  # fmt: skip
    specific: _Specific = [(ev.CaseRouted, {
        "group_id": command.group_id, "priority": routed.priority.value,
        "category_id": routed.category_id, "reason_code": command.reason_code.value,
        "rule_id": command.rule_id,
        "sla_policy_id": command.sla.policy_id if command.sla else None,
    })]  # fmt: skip
    after = routed
    if command.assignee:
        after = _moved(routed, Status.IN_PROGRESS, at, assignee=command.assignee)
        entries.append(_line(case, actor, EntryKind.ASSIGNED, at,
                             reason_code=ReasonCode.AUTO_ASSIGNED,
                             changes=diff(routed, after, ["assignee", "status"])))  # fmt: skip
        specific.append(_assigned(routed, after, "automatic"))
    return _finish(case, after, entries, actor, at, specific)


def _confidence(command: Route) -> dict[str, float]:
    """A case the classifier routed says how sure it was (its history line's data)."""
    if command.suggestion is None or command.reason_code != ReasonCode.CLASSIFIER_ROUTED:
        return {}
    return {"confidence": command.suggestion.confidence}


def _claim(case: Case, command: Claim, actor: Actor, at: datetime) -> CaseChange:
    me = actor.id
    if case.status not in (Status.OPEN, Status.REOPENED):
        raise Conflict(
            f"only open or reopened cases can be claimed; this one is {case.status.value}",
            code="not_claimable",
        )
    if case.assignee and case.assignee != me:
        raise Conflict(f"already taken by {case.assignee}", code="already_assigned")
    if not command.may_assign and (case.group_id is None or case.group_id not in command.groups):
        raise Forbidden("you can only claim cases of your own groups", code="not_a_member")
    after = _moved(case, Status.IN_PROGRESS, at, assignee=me)
    entry = _line(case, actor, EntryKind.ASSIGNED, at, reason_code=ReasonCode.CLAIMED,
                  changes=diff(case, after, TRACKED))  # fmt: skip
    return _finish(case, after, [entry], actor, at, [_assigned(case, after, "claimed")])


def _assign(case: Case, command: Assign, actor: Actor, at: datetime) -> CaseChange:
    if case.status in DONE:
        raise Conflict(f"a {case.status.value} case cannot be reassigned", code="case_done")
    if case.group_id and not command.group_id:
        raise InvalidInput("a case cannot leave its group; give another group_id")
    if command.assignee and not command.group_id:
        raise InvalidInput("assign the case to a group before assigning an agent")
    after = case.model_copy(update={"group_id": command.group_id, "assignee": command.assignee})
    target = _status_after_assignment(case.status, command.assignee)
    if case.status == Status.NEW and target != Status.NEW:
        after = _moved(after, Status.OPEN, at)  # routed by hand, before the router
    if target != after.status:
        after = _moved(after, target, at)
    entry = _line(case, actor, EntryKind.ASSIGNED, at, reason=command.reason,
                  reason_code=ReasonCode.ASSIGNED_BY_SUPERVISOR,
                  changes=diff(case, after, TRACKED))  # fmt: skip
    moved = (case.group_id, case.assignee) != (after.group_id, after.assignee)
    specific = [_assigned(case, after, "by_supervisor")] if moved else []
    return _finish(case, after, [entry], actor, at, specific)


def _status_after_assignment(status: Status, assignee: str | None) -> Status:
    if assignee and status in (Status.NEW, Status.OPEN, Status.REOPENED):
        return Status.IN_PROGRESS
    if not assignee and status in (Status.NEW, Status.IN_PROGRESS, Status.REOPENED):
        return Status.OPEN
    return status


def _reply(case: Case, command: Reply, actor: Actor, at: datetime) -> CaseChange:
    if actor.kind == "customer":
        after = _after_customer_reply(case, at)
        specific: _Specific = [(ev.CustomerReplied, {"status_from": case.status.value,
                                                     "status_to": after.status.value})]  # fmt: skip
    else:
        if case.status == Status.CLOSED:
            raise Conflict("this case is closed", code="case_closed")
        after = case.model_copy(update={"first_response_at": case.first_response_at or at})
        specific = [(ev.AgentReplied, {"first_response": case.first_response_at is None})]
    entry = _line(case, actor, EntryKind.REPLY, at, visibility=Visibility.PUBLIC,
                  body=command.body, data=command.data,
                  changes=diff(case, after, TRACKED))  # fmt: skip
    return _finish(case, after, [entry], actor, at, specific,
                   staff_replied=actor.kind == "staff")  # fmt: skip


def _after_customer_reply(case: Case, at: datetime) -> Case:
    """The customer wrote: a case waiting on them wakes (to its owner, or reopened to the
    pool); a resolved one is not solved (reopened, within the window); else unchanged."""
    if case.status == Status.CLOSED:
        raise Conflict("this case is closed; open a new one", code="case_closed")
    if case.status == Status.WAITING_CUSTOMER:
        if case.assignee:
            return _moved(case, Status.IN_PROGRESS, at)
        return _back_to_pool(_moved(case, Status.REOPENED, at), at)
    if case.status == Status.RESOLVED:
        _check_reopen_window(case, at)
        reopened = _moved(case, Status.REOPENED, at)
        return reopened if case.assignee else _back_to_pool(reopened, at)
    return case


def _back_to_pool(case: Case, at: datetime) -> Case:
    """A reopened case nobody owns goes back to its group's pool (open)."""
    return _moved(case, Status.OPEN, at) if case.group_id else case


def _check_reopen_window(case: Case, at: datetime) -> None:
    resolved_at = case.resolved_at or case.updated_at
    if at - resolved_at > REOPEN_WINDOW:
        raise Conflict(
            f"resolved more than {REOPEN_WINDOW.days} days ago; open a new case",
            code="reopen_window_passed",
        )


def _note(case: Case, command: Note, actor: Actor, at: datetime) -> CaseChange:
    if case.status == Status.CLOSED:  # closed cases are read-only (docs/views-and-presence.md)
        raise Conflict("a closed case takes no more notes", code="case_closed")
    entry = _line(case, actor, EntryKind.NOTE, at, body=command.body, data=command.data)
    return _finish(case, case, [entry], actor, at, [])


def _change_people(case: Case, command: ChangePeople, actor: Actor, at: datetime) -> CaseChange:
    if case.status == Status.CLOSED:
        raise Conflict("a closed case cannot be edited", code="case_closed")
    update = {k: v for k, v in (("cc", command.cc), ("followers", command.followers))
              if v is not None and v != getattr(case, k)}  # fmt: skip
    if not update:
        raise InvalidInput("the case has these people already", code="nothing_to_change")
    after = case.model_copy(update=update)
    changes = {k: {"from": getattr(case, k), "to": v} for k, v in update.items()}
    entry = _line(case, actor, EntryKind.PEOPLE_CHANGED, at, changes=changes)
    return _finish(case, after, [entry], actor, at, [], notices=[])


def _change_status(case: Case, command: ChangeStatus, actor: Actor, at: datetime) -> CaseChange:
    after = _status_moved(case, command.status, at, command.required_fields)
    entry = _line(case, actor, EntryKind.STATUS_CHANGED, at, visibility=Visibility.PUBLIC,
                  reason=command.reason, changes=diff(case, after, TRACKED))  # fmt: skip
    specific = [_assigned(case, after, "released")] if after.assignee != case.assignee else []
    return _finish(case, after, [entry], actor, at, specific)


def _status_moved(
    case: Case, target: Status, at: datetime, required: list[str] | None = None
) -> Case:
    """The case moved to `target` by hand, or a Conflict saying why the lifecycle refuses
    (or, for a resolution, which `required` custom fields have no value yet)."""
    check_move(case.status, target)
    if target == Status.RESOLVED and required:
        gone = missing(required, case.custom_fields)
        if gone:
            raise Conflict("fill in the required fields before resolving the case",
                           code="required_fields_missing", details={"missing": gone})  # fmt: skip
    if target == Status.IN_PROGRESS and not case.assignee:
        raise Conflict("claim or assign the case before working on it", code="unassigned")
    if target == Status.OPEN and not case.group_id:
        raise Conflict("the case has no group to return to", code="no_group")
    if target == Status.REOPENED and case.status == Status.RESOLVED:
        _check_reopen_window(case, at)
    update = {"assignee": None} if target == Status.OPEN else {}
    return _moved(case.model_copy(update=update), target, at)


def _change_fields(case: Case, command: ChangeFields, actor: Actor, at: datetime) -> CaseChange:
    fields = {k: v for k, v in command.fields.items() if v is not None}
    unknown = set(fields) - {"priority", "category_id", "type", "subject"}
    if not fields or unknown:
        raise InvalidInput("nothing to change: give priority, category_id, type or subject")
    if case.status == Status.CLOSED:
        raise Conflict("a closed case cannot be edited", code="case_closed")
    after = _with_fields(case, fields, command.sla)
    entry = _line(case, actor, EntryKind.FIELDS_CHANGED, at, reason=command.reason,
                  changes=diff(case, after, TRACKED))  # fmt: skip
    return _finish(case, after, [entry], actor, at, _fields_changed(case, after))


def _with_fields(case: Case, fields: dict[str, Any], sla: CaseSla | None) -> Case:
    """The case with priority, type, category or subject edited (its due time or SLA
    targets following)."""
    fields = dict(fields)
    if "priority" in fields:
        fields["priority"] = Priority(fields["priority"])
    if "type" in fields:
        fields["type"] = CaseType(fields["type"])
    after = case.model_copy(update=fields)
    if "priority" in fields and case.sla is None:
        after = after.model_copy(update={"due_at": resolution_due(case.created_at, after.priority)})
    if sla is not None and case.sla is not None:
        after = with_sla(after, sla)
    return after


#: an edited field's name on the case → its name in `destek.case.fields_changed`; the values
#: of those in `_CODED` go with it (codes and ids), the subject's words never do
_EDITED = {"priority": "priority", "category_id": "category_id", "type": "case_type",
           "subject": "subject"}  # fmt: skip
_CODED = ("priority", "category_id", "case_type")


def _fields_changed(before: Case, after: Case) -> _Specific:
    """The `destek.case.fields_changed` of a hand edit, or none when it changed nothing."""
    data: dict[str, Any] = {"fields": []}
    for name, published in _EDITED.items():
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        data["fields"].append(published)
        if published in _CODED:
            data[published] = getattr(new, "value", new)
            data[f"previous_{published}"] = getattr(old, "value", old)
    return [(ev.FieldsChanged, data)] if data["fields"] else []


_SLA_EVENTS: dict[str, type[ev.CaseEventBase]] = {
    "reminder": ev.SlaReminder,
    "breach": ev.SlaBreached,
    "escalation": ev.CaseEscalated,
}


def _record_sla(case: Case, command: RecordSla, actor: Actor, at: datetime) -> CaseChange:
    if not command.events:
        raise InvalidInput("no SLA event to record")
    if case.status in DONE:
        raise Conflict(f"a {case.status.value} case has no SLA moments", code="case_done")
    priority = case.priority
    for event in command.events:
        if event.raise_priority:
            priority = raise_priority(priority, 1)
    after = case.model_copy(update={"sla": command.sla, "priority": priority})
    entries = [
        _line(case, actor, EntryKind.SLA, at, reason_code=ReasonCode(f"sla_{event.kind}"),
              changes=diff(case, after, ["priority"]) if event.raise_priority else {},
              data=event.model_dump(mode="json"))
        for event in command.events
    ]  # fmt: skip
    specific: _Specific = []
    for event in command.events:
        data: dict[str, Any] = {"target": event.target.value, "level": event.level,
                                "priority": priority.value,
                                "sla_policy_id": command.sla.policy_id}  # fmt: skip
        if event.kind == "escalation":
            data["notify"] = event.notify
        specific.append((_SLA_EVENTS[event.kind], data))
    # the sweep's notices: reminders, breaches and escalations go to the staff side
    notices = notices_for_sla(after, command.events, at)
    return _finish(case, after, entries, actor, at, specific, notices=notices)


def _auto_close(case: Case, command: AutoClose, actor: Actor, at: datetime) -> CaseChange:
    check_move(case.status, Status.CLOSED)
    resolved_at = case.resolved_at or case.updated_at
    if at < resolved_at + REOPEN_WINDOW:
        raise Conflict("the customer may still reopen this case", code="reopen_window_open")
    after = _moved(case, Status.CLOSED, at)
    entry = _line(case, actor, EntryKind.STATUS_CHANGED, at, visibility=Visibility.PUBLIC,
                  reason_code=ReasonCode.AUTO_CLOSED, data={"days": REOPEN_WINDOW.days},
                  changes=diff(case, after, TRACKED))  # fmt: skip
    return _finish(case, after, [entry], actor, at, [], reason_code=ReasonCode.AUTO_CLOSED)


def _confirm(case: Case, command: ConfirmResolution, actor: Actor, at: datetime) -> CaseChange:
    if case.status != Status.RESOLVED:
        raise Conflict(
            f"only a resolved case can be confirmed or reopened; this one is {case.status.value}",
            code="not_resolved",
        )
    after = _moved(case, Status.CLOSED, at)
    entry = _line(case, actor, EntryKind.STATUS_CHANGED, at, visibility=Visibility.PUBLIC,
                  reason_code=ReasonCode.CUSTOMER_CONFIRMED, body=command.comment,
                  changes=diff(case, after, TRACKED))  # fmt: skip
    return _finish(case, after, [entry], actor, at, [],
                   reason_code=ReasonCode.CUSTOMER_CONFIRMED)  # fmt: skip


def _file_message(
    case: Case, command: FileCustomerMessage, actor: Actor, at: datetime
) -> CaseChange:
    if case.status == Status.CLOSED:
        raise Conflict("a closed case takes no more messages; convert it instead",
                       code="case_closed")  # fmt: skip
    entry = _line(case, command.author, EntryKind.REPLY, at, visibility=Visibility.PUBLIC,
                  body=command.body, reason_code=command.reason_code,
                  data=command.data)  # fmt: skip
    specific: _Specific = [(ev.CustomerReplied, {
        "status_from": case.status.value, "status_to": case.status.value,
        "merged_from_precase_id": command.data.get("merged_from"),
    })]  # fmt: skip
    change = _finish(case, case, [entry], actor, at, specific)
    return change.model_copy(update={"entries": [*change.entries, *command.carried]})


def _rate(case: Case, command: Rate, actor: Actor, at: datetime) -> CaseChange:
    if command.score > command.scale:
        raise InvalidInput("the request has invalid fields",
                           details=[{"field": "score", "type": "less_than_equal",
                                     "problem": f"Input should be less than or equal to "
                                                f"{command.scale}"}])  # fmt: skip
    if case.status not in DONE:
        raise Conflict(f"only a resolved or closed case is rated; this one is "
                       f"{case.status.value}", code="not_rateable")  # fmt: skip
    field = "rating" if command.source == "customer" else "agent_rating"
    current: CaseRating | None = getattr(case, field)
    if current is not None and at > current.changeable_until(command.change_window):
        raise Conflict("this rating can no longer be changed", code="rating_locked",
                       details={"changeable_until": to_iso(current.changeable_until(
                           command.change_window))})  # fmt: skip
    rating = CaseRating(
        score=command.score, scale=command.scale, source=command.source, comment=command.comment,
        at=at, first_at=current.first_at if current else at,
        by=actor.id if command.source == "agent" else None,
        answers=current.answers + 1 if current else 1,
    )  # fmt: skip
    previous = current.score if current else None
    low = is_low(command.score, command.scale)
    update: dict[str, Any] = {field: rating}
    entries = [_line(case, actor, EntryKind.RATED, at, body=command.comment,
                     data={"score": command.score, "scale": command.scale, "source": command.source,
                           "previous_score": previous})]  # fmt: skip
    notices: list[Notice] = []
    if low and (case.follow_up is None or not case.follow_up.open):
        update["follow_up"] = FollowUp(score=command.score, source=command.source, at=at)
        entries.append(_line(case, actor, EntryKind.FOLLOW_UP, at,
                             reason_code=ReasonCode.LOW_RATING,
                             data={"score": command.score, "scale": command.scale,
                                   "source": command.source}))  # fmt: skip
        if case.group_id:
            notices.append(notice(case, NoticeEvent.LOW_RATING, "supervisors", at,
                                  data={"score": command.score, "scale": command.scale,
                                        "source": command.source}))  # fmt: skip
    after = case.model_copy(update=update)
    specific: _Specific = [(ev.CaseRated, {"score": command.score, "scale": command.scale,
                                           "source": command.source,
                                           "previous_score": previous, "low": low})]  # fmt: skip
    return _finish(case, after, entries, actor, at, specific, notices=notices)


def _close_follow_up(case: Case, command: CloseFollowUp, actor: Actor, at: datetime) -> CaseChange:
    if case.follow_up is None or not case.follow_up.open:
        raise Conflict("this case has no open follow-up", code="no_follow_up")
    done = case.follow_up.model_copy(update={"done_at": at, "done_by": actor.id})
    after = case.model_copy(update={"follow_up": done})
    entry = _line(case, actor, EntryKind.FOLLOW_UP, at, reason_code=ReasonCode.FOLLOW_UP_DONE,
                  body=command.note, data={"score": done.score, "source": done.source})  # fmt: skip
    return _finish(case, after, [entry], actor, at, [], notices=[])


def _link_article(case: Case, command: LinkArticle, actor: Actor, at: datetime) -> CaseChange:
    if case.status == Status.CLOSED:
        raise Conflict("a closed case takes no more links", code="case_closed")
    if any(link.article_id == command.article_id for link in case.articles):
        raise Conflict("this article is linked to the case already", code="article_already_linked")
    link = LinkedArticle(article_id=command.article_id, title=command.title, by=actor.id, at=at,
                         counted=case.status == Status.RESOLVED)  # fmt: skip
    after = case.model_copy(update={"articles": [*case.articles, link]})
    entry = _line(case, actor, EntryKind.ARTICLE_LINKED, at,
                  data={"article_id": command.article_id, "title": command.title})  # fmt: skip
    return _finish(case, after, [entry], actor, at, [], notices=[])


def _tick_step(case: Case, command: TickStep, actor: Actor, at: datetime) -> CaseChange:
    if case.status in DONE:
        raise Conflict(f"a {case.status.value} case's checklist is final", code="case_done")
    if command.step_id not in command.steps:
        raise InvalidInput("no such step in this checklist", code="unknown_step",
                           details={"step_id": command.step_id})  # fmt: skip
    current = case.checklists.get(command.checklist_id)
    if current is not None and current.version != command.version:
        raise Conflict("the case follows another version of this checklist",
                       code="checklist_version",
                       details={"version": current.version})  # fmt: skip
    state = current or CaseChecklist(version=command.version)
    ticked = dict(state.ticked)
    if command.done and command.step_id in ticked:
        raise Conflict("this step is ticked already", code="already_ticked")
    if not command.done and command.step_id not in ticked:
        raise Conflict("this step is not ticked", code="not_ticked")
    if command.done:
        ticked[command.step_id] = StepTick(at=at, by=actor.id)
    else:
        del ticked[command.step_id]
    checklists = {
        **case.checklists,
        command.checklist_id: state.model_copy(update={"ticked": ticked}),
    }
    after = case.model_copy(update={"checklists": checklists})
    entry = _line(case, actor, EntryKind.CHECKLIST, at,
                  data={"checklist_id": command.checklist_id, "version": command.version,
                        "step_id": command.step_id, "done": command.done,
                        "step_text": command.steps[command.step_id],
                        "checklist_name": command.name})  # fmt: skip
    specific: _Specific = [(ev.ChecklistTicked, {
        "checklist_id": command.checklist_id, "checklist_version": command.version,
        "step_id": command.step_id, "done": command.done})]  # fmt: skip
    return _finish(case, after, [entry], actor, at, specific, notices=[])


def _send_documents(case: Case, command: SendDocuments, actor: Actor, at: datetime) -> CaseChange:
    if case.status == Status.CLOSED:
        raise Conflict("this case is closed", code="case_closed")
    entry, told, sent = _documents_sent(case, command.documents, command.link_days,
                                        command.expires_at, actor, at)  # fmt: skip
    return _finish(case, case, [entry], actor, at, [sent], notices=[told])


def _documents_sent(
    case: Case,
    documents: list[dict[str, str]],
    link_days: int,
    expires_at: datetime,
    actor: Actor,
    at: datetime,
) -> tuple[HistoryEntry, Notice, tuple[type[ev.CaseEventBase], dict[str, Any]]]:
    """Documents sent: the history line (ids and titles, never the links), the customer's
    notice (with the links) and the event."""
    listed = [{"id": d["id"], "title": d["title"]} for d in documents]
    entry = _line(case, actor, EntryKind.DOCUMENTS_SENT, at, visibility=Visibility.PUBLIC,
                  data={"documents": listed, "link_days": link_days,
                        "expires_at": to_iso(expires_at)})  # fmt: skip
    told = notice(case, NoticeEvent.DOCUMENTS_SENT, "customer", at,
                  data={"documents": documents, "link_days": link_days,
                        "by": actor.name})  # fmt: skip
    return entry, told, (ev.DocumentsSent, {"document_ids": [d["id"] for d in listed],
                                            "link_days": link_days})  # fmt: skip


def _apply_macro(case: Case, command: ApplyMacro, actor: Actor, at: datetime) -> CaseChange:
    if case.status == Status.CLOSED:
        raise Conflict("this case is closed", code="case_closed")
    if not (command.reply or command.note or command.status or command.fields
            or command.documents or command.add_tags or command.remove_tags):  # fmt: skip
        raise InvalidInput("the macro does nothing for this case", code="empty_macro")
    macro = {"macro_id": command.macro_id, "macro_title": command.title,
             "from_version": command.from_version}  # fmt: skip
    after = case
    entries: list[HistoryEntry] = []
    specific: _Specific = []
    if command.fields:
        after = _with_fields(case, command.fields, command.sla)
        entries.append(_line(case, actor, EntryKind.FIELDS_CHANGED, at, data=macro,
                             changes=diff(case, after, TRACKED)))  # fmt: skip
        specific += _fields_changed(case, after)
    if command.add_tags or command.remove_tags:
        tagged = after.model_copy(update={"tags": retagged(after.tags, command.add_tags,
                                                            command.remove_tags)})  # fmt: skip
        if tagged.tags != after.tags:
            entries.append(_tags_line(case, after, tagged, actor, at, data=macro))
            specific.append(_tags_event(after, tagged))
        after = tagged
    if command.reply:
        after = after.model_copy(update={"first_response_at": after.first_response_at or at})
        entries.append(_line(case, actor, EntryKind.REPLY, at, visibility=Visibility.PUBLIC,
                             body=command.reply, data=macro))  # fmt: skip
        specific.append((ev.AgentReplied, {"first_response": case.first_response_at is None}))
    if command.note:
        entries.append(_line(case, actor, EntryKind.NOTE, at, body=command.note, data=macro))
    told: list[Notice] = []
    if command.documents and command.expires_at is not None:
        entry, notice_, sent = _documents_sent(case, command.documents, command.link_days,
                                               command.expires_at, actor, at)  # fmt: skip
        entries.append(entry.model_copy(update={"data": {**entry.data, **macro}}))
        told.append(notice_)
        specific.append(sent)
    if command.status is not None and command.status != after.status:
        moved = _status_moved(after, command.status, at, command.required_fields)
        entries.append(_line(case, actor, EntryKind.STATUS_CHANGED, at, data=macro,
                             visibility=Visibility.PUBLIC,
                             changes=diff(after, moved, TRACKED)))  # fmt: skip
        if moved.assignee != after.assignee:
            specific.append(_assigned(after, moved, "released"))
        after = moved
    specific.append((ev.MacroApplied, {
        "macro_id": command.macro_id, "shared": command.shared, "replied": bool(command.reply),
        "status_to": command.status.value if command.status else None,
        "fields": sorted(command.fields), "document_ids": [d["id"] for d in command.documents],
    }))  # fmt: skip
    change = _finish(case, after, entries, actor, at, specific, more_notices=told,
                     staff_replied=bool(command.reply))  # fmt: skip
    if not command.reply:
        return change
    # the reply is the message that asks the customer: one email, not a second "we are
    # waiting on you" (a resolution's notice stays: it carries the confirmation links)
    kept = [n for n in change.notices if n.event != NoticeEvent.WAITING_ON_CUSTOMER]
    return change.model_copy(update={"notices": kept})


def _change_tags(case: Case, command: ChangeTags, actor: Actor, at: datetime) -> CaseChange:
    if case.status == Status.CLOSED:
        raise Conflict("a closed case cannot be edited", code="case_closed")
    after = case.model_copy(update={"tags": retagged(case.tags, command.add, command.remove)})
    if after.tags == case.tags:
        raise InvalidInput("the case has these tags already", code="nothing_to_change")
    entry = _tags_line(case, case, after, actor, at)
    return _finish(case, after, [entry], actor, at, [_tags_event(case, after)], notices=[])


def _tags_line(
    case: Case, before: Case, after: Case, actor: Actor, at: datetime, **fields: Any
) -> HistoryEntry:
    added = sorted(set(after.tags) - set(before.tags))
    removed = sorted(set(before.tags) - set(after.tags))
    data = {**fields.pop("data", {}), "added": added, "removed": removed}
    return _line(case, actor, EntryKind.TAGS_CHANGED, at, data=data,
                 changes={"tags": {"from": before.tags, "to": after.tags}})  # fmt: skip


def _tags_event(before: Case, after: Case) -> tuple[type[ev.CaseEventBase], dict[str, Any]]:
    return ev.TagsChanged, {"added": sorted(set(after.tags) - set(before.tags)),
                            "removed": sorted(set(before.tags) - set(after.tags)),
                            "tags": after.tags}  # fmt: skip


def _change_custom_fields(
    case: Case, command: ChangeCustomFields, actor: Actor, at: datetime
) -> CaseChange:
    if case.status == Status.CLOSED:
        raise Conflict("a closed case cannot be edited", code="case_closed")
    values = with_values(case.custom_fields, command.values)
    changed = sorted(k for k in set(values) | set(case.custom_fields)
                     if values.get(k) != case.custom_fields.get(k))  # fmt: skip
    if not changed:
        raise InvalidInput("the case has these values already", code="nothing_to_change")
    after = case.model_copy(update={"custom_fields": values})
    changes = {k: {"from": case.custom_fields.get(k), "to": values.get(k)} for k in changed}
    entry = _line(case, actor, EntryKind.CUSTOM_FIELDS_CHANGED, at, changes=changes,
                  data={"keys": changed})  # fmt: skip
    told = {k: values.get(k) for k in changed if command.kinds.get(k, "text") != "text"}
    event = (ev.CustomFieldsChanged, {"keys": changed, "values": told})
    return _finish(case, after, [entry], actor, at, [event], notices=[])


def _merge_into(case: Case, command: MergeInto, actor: Actor, at: datetime) -> CaseChange:
    into = command.into
    if into.id == case.id:
        raise Conflict("a case cannot be merged into itself", code="merge_into_itself")
    if into.customer_id != case.customer_id:
        raise Conflict("only cases of the same customer can be merged",
                       code="different_customer")  # fmt: skip
    if case.status == Status.CLOSED:
        raise Conflict("a closed case cannot be merged", code="case_closed")
    if into.status == Status.CLOSED:
        raise Conflict(f"{into.number} is closed; merge into an open case", code="target_closed")
    after = case.model_copy(update={"status": Status.MERGED, "merged_into": into.id,
                                    "merged_into_number": into.number,
                                    "closed_at": at})  # fmt: skip
    facts = {"into_case_id": into.id, "into_number": into.number}
    entry = _line(case, actor, EntryKind.MERGED, at, visibility=Visibility.PUBLIC,
                  changes=diff(case, after, TRACKED), data=facts)  # fmt: skip
    told = notice(case, NoticeEvent.CASE_MERGED, "customer", at,
                  data={"into_number": into.number})  # fmt: skip
    specific: _Specific = [(ev.CaseMerged, _merged_data("source", case, into))]
    return _finish(case, after, [entry], actor, at, specific, notices=[told])


def _absorb_merge(case: Case, command: AbsorbMerge, actor: Actor, at: datetime) -> CaseChange:
    source = command.source
    if case.status == Status.CLOSED:
        raise Conflict(f"{case.number} is closed; merge into an open case", code="target_closed")
    facts = {"from_case_id": source.id, "from_number": source.number}
    entry = _line(case, actor, EntryKind.MERGED, at, visibility=Visibility.PUBLIC, data=facts)
    # the source's first words, at their own time, as the customer's message on the survivor
    author = Actor(kind="customer", id=source.customer_id)
    opening = _line(case, author, EntryKind.REPLY, source.created_at,
                    visibility=Visibility.PUBLIC, body=source.description,
                    data={"merged_from": source.id, "merged_from_number": source.number,
                          "subject": source.subject, "opening": True})  # fmt: skip
    specific: _Specific = [(ev.CaseMerged, _merged_data("survivor", source, case))]
    # the people on the source carry on with it: its CC and followers join the survivor's
    cc = list(dict.fromkeys([*case.cc, *source.cc]))[:MAX_CC]
    followers = list(dict.fromkeys([*case.followers, *source.followers]))[:MAX_FOLLOWERS]
    after = case.model_copy(update={"cc": cc, "followers": followers})
    return _finish(case, after, [entry, opening], actor, at, specific, notices=[])


def _merged_data(role: str, source: Case, into: Case) -> dict[str, Any]:
    return {"role": role, "from_case_id": source.id, "from_case_number": source.number,
            "into_case_id": into.id, "into_case_number": into.number,
            "customer_id": source.customer_id}  # fmt: skip


def _split_off(case: Case, command: SplitOff, actor: Actor, at: datetime) -> CaseChange:
    entry = command.entry
    if entry.case_id != case.id or entry.kind != EntryKind.REPLY or entry.actor.kind != "customer":
        raise InvalidInput("only a customer's message of this case can be split off",
                           code="not_a_customer_message")  # fmt: skip
    if case.status == Status.CLOSED:
        raise Conflict("a closed case cannot be split", code="case_closed")
    line = _line(case, actor, EntryKind.SPLIT, at, visibility=Visibility.PUBLIC,
                 data={"to_case_id": command.to_case_id, "to_number": command.to_number,
                       "entry_id": entry.id})  # fmt: skip
    specific: _Specific = [(ev.CaseSplit, {
        "role": "source", "from_case_id": case.id, "from_case_number": case.number,
        "to_case_id": command.to_case_id, "to_case_number": command.to_number,
        "entry_id": entry.id})]  # fmt: skip
    return _finish(case, case, [line], actor, at, specific, notices=[])


_HANDLERS: dict[str, Callable[[Case, Any, Actor, datetime], CaseChange]] = {
    "open": _open,
    "route": _route,
    "claim": _claim,
    "assign": _assign,
    "reply": _reply,
    "note": _note,
    "change_status": _change_status,
    "change_fields": _change_fields,
    "record_sla": _record_sla,
    "auto_close": _auto_close,
    "confirm_resolution": _confirm,
    "file_customer_message": _file_message,
    "rate": _rate,
    "close_follow_up": _close_follow_up,
    "link_article": _link_article,
    "tick_step": _tick_step,
    "send_documents": _send_documents,
    "apply_macro": _apply_macro,
    "change_tags": _change_tags,
    "change_custom_fields": _change_custom_fields,
    "merge_into": _merge_into,
    "absorb_merge": _absorb_merge,
    "split_off": _split_off,
    "change_people": _change_people,
}


# ---- the common part -----------------------------------------------------------------------


def _finish(
    before: Case,
    after: Case,
    entries: list[HistoryEntry],
    actor: Actor,
    at: datetime,
    specific: _Specific,
    *,
    staff_replied: bool = False,
    notices: list[Notice] | None = None,
    reason_code: ReasonCode | None = None,
    more_notices: list[Notice] | None = None,
) -> CaseChange:
    """The version moves once, `updated_at` is now, the SLA clocks follow the move, the actor
    is marked as having seen it; the notices and the events follow from before and after
    (`more_notices`: told besides those, e.g. documents sent by a macro)."""
    after = _counted_links(before, _bumped(before, after, at))
    after = _marked(follow(before, after, at, staff_replied=staff_replied), actor, at)
    if notices is None:
        notices = notices_for_change(before, after, entries, at)
    notices = [*notices, *(more_notices or [])]
    events = _stamp(after, [*specific, *_status_events(before, after, actor, reason_code)],
                    actor, at)  # fmt: skip
    return CaseChange(before=before, case=after, entries=entries, notices=notices, events=events)


def _counted_links(before: Case, after: Case) -> Case:
    """A case moving to resolved counts each article linked to it, once ever (a case that
    is reopened and resolved again counts none twice)."""
    if after.status != Status.RESOLVED or before.status == Status.RESOLVED:
        return after
    if all(link.counted for link in after.articles):
        return after
    links = [link.model_copy(update={"counted": True}) for link in after.articles]
    return after.model_copy(update={"articles": links})


def newly_counted(change: CaseChange) -> list[str]:
    """The articles whose `resolved_links` counter this change moves (the store adds one to
    each in the change's transaction)."""
    before = {a.article_id for a in change.before.articles if a.counted} if change.before else set()
    return [a.article_id for a in change.case.articles if a.counted and a.article_id not in before]


def _bumped(before: Case, after: Case, at: datetime) -> Case:
    return after.model_copy(update={"version": before.version + 1, "updated_at": at})


def _moved(case: Case, target: Status, at: datetime, **update: object) -> Case:
    """The case in `target` status, if the state machine allows it, with its timestamps."""
    check_move(case.status, target)
    changes: dict[str, object] = {"status": target, **update}
    if target == Status.RESOLVED:
        changes["resolved_at"] = at
    if target == Status.CLOSED:
        changes["closed_at"] = at
    if target in ACTIVE and case.status in DONE:
        changes["resolved_at"] = None
    return case.model_copy(update=changes)


def _marked(case: Case, actor: Actor, at: datetime) -> Case:
    """Who has seen this version: a staff member has seen what they changed themselves;
    a customer's change is news for every agent (the console's unread marks)."""
    if actor.kind == "staff":
        return case.model_copy(update={"seen": {**case.seen, actor.id: case.version}})
    if actor.kind == "customer":
        return case.model_copy(
            update={"customer_activity_at": at, "customer_activity_version": case.version}
        )
    return case


def _line(case: Case, actor: Actor, kind: EntryKind, at: datetime, **fields: Any) -> HistoryEntry:
    return HistoryEntry(id=new_id("h"), case_id=case.id, at=at, actor=actor, kind=kind, **fields)


def _assigned(
    before: Case, after: Case, how: Literal["claimed", "by_supervisor", "automatic", "released"]
) -> tuple[type[ev.CaseEventBase], dict[str, Any]]:
    return ev.CaseAssigned, {
        "group_id": after.group_id, "assignee": after.assignee,
        "previous_group_id": before.group_id, "previous_assignee": before.assignee, "how": how,
    }  # fmt: skip


def _status_events(
    before: Case, after: Case, actor: Actor, reason_code: ReasonCode | None
) -> _Specific:
    """Every status move is a status_changed; resolved, reopened and closed are named too."""
    if before.status == after.status:
        return []
    code = reason_code.value if reason_code else None
    result: _Specific = [(ev.StatusChanged, {"status_from": before.status.value,
                                             "status_to": after.status.value,
                                             "reason_code": code})]  # fmt: skip
    if after.status == Status.RESOLVED:
        result.append((ev.CaseResolved, {"status_from": before.status.value,
                                         "assignee": after.assignee,
                                         "group_id": after.group_id}))  # fmt: skip
    elif after.status == Status.CLOSED:
        result.append((ev.CaseClosed, {"status_from": before.status.value, "reason_code": code}))
    elif (before.status in DONE and after.status in ACTIVE) or after.status == Status.REOPENED:
        result.append((ev.CaseReopened, {"status_from": before.status.value,
                                         "to_pool": after.status == Status.OPEN,
                                         "by": actor.kind}))  # fmt: skip
    return result


def _product_facts(case: Case, at: datetime) -> dict[str, Any]:
    """The opened event's product fields: ids and a flag, never the serial or the name."""
    product = case.product
    if product is None:
        return {}
    return {"product_id": product.product_id, "product_group": product.product_group,
            "under_warranty": at.date() <= product.warranty_ends}  # fmt: skip


def _stamp(case: Case, specific: _Specific, actor: Actor, at: datetime) -> list[ev.CaseEvent]:
    """The envelope: ids from the case and its new version, so the same change always
    yields the same ids (a consumer deduplicates on them)."""
    who = ev.EventActor(kind=actor.kind, id=actor.id)
    return [
        model(id=ev.event_id(case.id, case.version, index), case_id=case.id,
              case_number=case.number, sequence=case.version, index=index,
              occurred_at=to_iso(at), actor=who, data=data)
        for index, (model, data) in enumerate(specific)
    ]  # fmt: skip


def numbered(change: CaseChange, number: str) -> CaseChange:
    """An opening once the store has taken its number: the case and its events carry it."""
    case = change.case.model_copy(update={"number": number})
    events = [
        e.model_copy(update={"case_number": number, "data": e.data.model_copy(
            update={"to_case_number": number})})
        if isinstance(e, ev.CaseSplit) else e.model_copy(update={"case_number": number})
        for e in change.events
    ]  # fmt: skip
    return change.model_copy(update={"case": case, "events": events})
