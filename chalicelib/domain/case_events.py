"""Case and pre-case events: the named moments of a case's (or a pre-case's) life, as a
versioned, published contract.

Every change of a case (domain/case_change.py) and every move of a pre-case
(domain/precases.py) emits zero or more of these; they are written in the same DynamoDB
transaction as the change itself (store/cases.py, store/precases.py), so an event exists
exactly when its change does. Another part of destek publishes them from the table's
stream; consumers (reports, surveys, the shop's webhooks) subscribe.

One envelope for both (`EventBase`): every event has `id`, `type`, `schema_version`,
`case_id`, `case_number`, `precase_id`, `sequence`, `index`, `occurred_at`, `actor` and
`data`, always present, null when they do not apply. Its *subject*, the thing whose life
it belongs to, is the case when `case_id` is set (every `destek.case.*` event, and
`destek.precase.converted`, which also names the pre-case), else the pre-case
(`destek.precase.received`, `.assigned`, `.sender_replied`, `.discarded`: `case_id` and
`case_number` are null; a case they point to is in `data`). A consumer that tracks a
pre-case filters on `precase_id`; one that tracks cases, on `case_id`.

`data` is small and typed per event, and holds ids and codes only, never personal data
(no names, addresses or text a person wrote): a consumer that needs more reads the case
or pre-case through the API.

Delivery is at least once: a consumer deduplicates on `id`, `<subject id>.<sequence>.<index>`,
derived from the subject, the version the change made and the event's place in it, so a
change written once has one id per event however often it is read or re-sent. `sequence`
is the subject's version after the change: it orders one subject's events (several events
of one change share it and are ordered by `index`); it has gaps, since some changes (an
internal note, an edit that changed nothing, a pre-case's conversion, told by the case's
events) emit none in the subject's order. `schema_version` grows when a field is removed or
changes meaning; adding an optional field does not raise it.

The models here are the source of the events page: their docstrings are its text.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from .model import Model

SCHEMA_VERSION = 1


class EventActor(Model):
    """Who caused the event: `staff` (id: the username), `customer` (id: the customer id),
    or `system` (id: `destek` for destek's own moves, or an integration's name)."""

    kind: Literal["staff", "customer", "system"]
    id: str


class EventBase(Model):
    """The envelope every event has, a case's or a pre-case's (see the module's text)."""

    #: unique per event, stable across re-reads and re-sends: `<subject id>.<sequence>.<index>`
    id: str
    schema_version: int = SCHEMA_VERSION
    #: the case; null on a pre-case's own events
    case_id: str | None = None
    case_number: str | None = None
    #: the pre-case: on its own events, and on `destek.precase.converted`
    precase_id: str | None = None
    #: the subject's version after the change that emitted the event (orders its events)
    sequence: int = Field(ge=1)
    #: the event's place among those of the same change, from 0
    index: int = Field(ge=0)
    #: when the change happened, ISO 8601 in UTC (`2026-03-01T09:30:00.000000Z`)
    occurred_at: str
    actor: EventActor

    @property
    def subject_id(self) -> str:
        """The case's id, else the pre-case's: whose partition holds the event, whose
        version `sequence` is."""
        return self.case_id or self.precase_id or ""


class CaseEventBase(EventBase):
    """The envelope of a case's events: `case_id` and `case_number` always set."""

    case_id: str
    case_number: str


class PreCaseEventBase(EventBase):
    """The envelope of a pre-case's own events: `precase_id` set, `case_id` and
    `case_number` null; `sequence` is the pre-case's version."""

    precase_id: str
    case_id: None = None
    case_number: None = None


# ---- data per event type -------------------------------------------------------------------


class OpenedData(Model):
    channel: str = Field(description="phone, email, web, api, social, ...")
    case_type: str = Field(description="complaint, request, question, ...")
    priority: str
    category_id: str | None = None
    customer_id: str
    #: the group chosen at intake, if any (routing decides otherwise)
    requested_group_id: str | None = None
    #: the pre-case it was converted from, if it came through the pre-case pool
    precase_id: str | None = None
    #: the catalog product of the customer's registered product the case is about, if any
    product_id: str | None = None
    #: that product's group (the catalog's `product_group`)
    product_group: str | None = None
    #: whether the product was under warranty the day the case was opened (UTC date)
    under_warranty: bool | None = None
    #: the shop's order the case is about, if it was filed from one (docs/orders.md)
    order_id: str | None = None
    #: the shop's shipment of that order the case is about, if any
    shipment_id: str | None = None
    #: the tags it was opened with (domain/tags.py; later ones: `destek.case.tags_changed`)
    tags: list[str] = []


class CaseOpened(CaseEventBase):
    """`destek.case.opened`: a case was filed (by an agent, the customer on the site, or a
    pre-case converted). It is `new` until routing puts it into a group's pool."""

    type: Literal["destek.case.opened"] = "destek.case.opened"
    data: OpenedData


class RoutedData(Model):
    group_id: str
    priority: str
    category_id: str | None = None
    #: why this group: group_chosen_at_intake, rule_matched, default_group or
    #: classifier_routed (the learned classifier, once an admin turned it on)
    reason_code: str
    rule_id: str | None = None
    #: the SLA policy whose clocks started, if any
    sla_policy_id: str | None = None


class CaseRouted(CaseEventBase):
    """`destek.case.routed`: routing put a new case into a group (its pool, or straight to an
    agent when the group assigns automatically: a `destek.case.assigned` follows)."""

    type: Literal["destek.case.routed"] = "destek.case.routed"
    data: RoutedData


class AssignedData(Model):
    group_id: str | None
    #: the agent's username; null when the case went back to the group's pool
    assignee: str | None
    previous_group_id: str | None = None
    previous_assignee: str | None = None
    #: claimed (the agent took it), by_supervisor, automatic (the group's auto-assign), or
    #: released (the case was put back to the group's pool by a status change to open)
    how: Literal["claimed", "by_supervisor", "automatic", "released"]


class CaseAssigned(CaseEventBase):
    """`destek.case.assigned`: the case's group or agent changed (claimed, handed over by a
    supervisor, assigned automatically, or returned to the pool with `assignee` null)."""

    type: Literal["destek.case.assigned"] = "destek.case.assigned"
    data: AssignedData


class CustomerRepliedData(Model):
    #: the status before and after (a reply wakes a waiting case, reopens a resolved one)
    status_from: str
    status_to: str
    #: the pre-case merged in as this message, when an agent filed a duplicate
    merged_from_precase_id: str | None = None


class CustomerReplied(CaseEventBase):
    """`destek.case.customer_replied`: the customer wrote on the case (on the site, by
    email, or a duplicate pre-case of theirs merged into it by an agent)."""

    type: Literal["destek.case.customer_replied"] = "destek.case.customer_replied"
    data: CustomerRepliedData


class AgentRepliedData(Model):
    #: this reply is the case's first response (it meets the first-response target)
    first_response: bool


class AgentReplied(CaseEventBase):
    """`destek.case.agent_replied`: an agent sent the customer a public reply."""

    type: Literal["destek.case.agent_replied"] = "destek.case.agent_replied"
    data: AgentRepliedData


class StatusChangedData(Model):
    status_from: str
    status_to: str
    #: why, when destek or a standard move caused it (auto_closed, customer_confirmed, ...)
    reason_code: str | None = None


class StatusChanged(CaseEventBase):
    """`destek.case.status_changed`: the status moved (every move, whoever made it; the
    named moments resolved, reopened and closed come as their own events as well).
    Statuses: new, open, in_progress, waiting_customer, reopened, resolved, closed."""

    type: Literal["destek.case.status_changed"] = "destek.case.status_changed"
    data: StatusChangedData


class SlaData(Model):
    #: first_response or resolution
    target: str
    #: the escalation level reached (0 for reminders and breaches)
    level: int = 0
    #: the case's priority after the event (a ladder level may raise it)
    priority: str
    sla_policy_id: str | None = None


class SlaReminder(CaseEventBase):
    """`destek.case.sla_reminder`: a target's reminder share has run out (the target is near)."""

    type: Literal["destek.case.sla_reminder"] = "destek.case.sla_reminder"
    data: SlaData


class SlaBreached(CaseEventBase):
    """`destek.case.sla_breached`: a target's due time passed before it was met."""

    type: Literal["destek.case.sla_breached"] = "destek.case.sla_breached"
    data: SlaData


class EscalatedData(SlaData):
    #: who the level tells: assignee_and_group, supervisors or managers
    notify: str


class CaseEscalated(CaseEventBase):
    """`destek.case.escalated`: an escalation ladder's level was reached for a late target."""

    type: Literal["destek.case.escalated"] = "destek.case.escalated"
    data: EscalatedData


class ResolvedData(Model):
    status_from: str
    assignee: str | None = None
    group_id: str | None = None


class CaseResolved(CaseEventBase):
    """`destek.case.resolved`: an agent marked the case resolved; the customer may confirm it
    or reopen it within the reopen window (7 days), else it is closed automatically."""

    type: Literal["destek.case.resolved"] = "destek.case.resolved"
    data: ResolvedData


class ReopenedData(Model):
    status_from: str
    #: the case went back to its group's pool (nobody owned it)
    to_pool: bool
    #: customer (replied or said "not solved") or staff
    by: Literal["customer", "staff", "system"]


class CaseReopened(CaseEventBase):
    """`destek.case.reopened`: a resolved or closed case needs work again (the customer said
    "not solved" or replied within the reopen window, or an agent reopened it), or an agent
    moved a case to `reopened` by hand."""

    type: Literal["destek.case.reopened"] = "destek.case.reopened"
    data: ReopenedData


class ClosedData(Model):
    status_from: str
    #: customer_confirmed (the customer said solved), auto_closed (the reopen window
    #: ended), or null (an agent closed it)
    reason_code: str | None = None


class CaseClosed(CaseEventBase):
    """`destek.case.closed`: the case is finished for good; it takes no more replies."""

    type: Literal["destek.case.closed"] = "destek.case.closed"
    data: ClosedData


class FieldsChangedData(Model):
    """What a hand edit changed: `fields` names every field that changed, in this order:
    `priority`, `category_id`, `case_type`, `subject`. The codes and ids that changed have
    their new value (`priority`, `category_id`, `case_type`) and the one before
    (`previous_...`; null when the case had none); a field not changed is null in both.
    The subject is text a person wrote: only its name is in `fields`, never its words."""

    fields: list[Literal["priority", "category_id", "case_type", "subject"]] = Field(min_length=1)
    priority: str | None = None
    previous_priority: str | None = None
    category_id: str | None = None
    previous_category_id: str | None = None
    case_type: str | None = None
    previous_case_type: str | None = None


class FieldsChanged(CaseEventBase):
    """`destek.case.fields_changed`: staff edited the case's priority, category, type or
    subject by hand (an edit that changes nothing emits none). Reports count the case's
    later moments under the new values; what was counted before stays where it was."""

    type: Literal["destek.case.fields_changed"] = "destek.case.fields_changed"
    data: FieldsChangedData


class RatedData(Model):
    #: the score that counts now, 1 to `scale`
    score: int
    #: the scale's top score (5)
    scale: int
    #: customer (their own answer through the rating link) or agent (the score the customer
    #: gave an agent on the phone, recorded by the agent: counted apart)
    source: Literal["customer", "agent"]
    #: the score this answer replaces (the same source's previous answer), null for a first
    previous_score: int | None = None
    #: the score is low (the bottom 40%: 1 or 2 on 5): a follow-up was put on the case
    low: bool = False


class CaseRated(CaseEventBase):
    """`destek.case.rated`: a resolved or closed case got a satisfaction rating, or its rating
    changed (the last answer counts; a consumer takes `previous_score` back). The comment
    is never in the event (it is personal data): read the case."""

    type: Literal["destek.case.rated"] = "destek.case.rated"
    data: RatedData


class ChecklistTickedData(Model):
    #: the checklist (domain/checklists.py) and the version the case follows
    checklist_id: str
    checklist_version: int
    #: the step's id within the checklist (kept across versions)
    step_id: str
    #: true: the step was ticked; false: a tick was taken back
    done: bool


class ChecklistTicked(CaseEventBase):
    """`destek.case.checklist_ticked`: an agent ticked a checklist step on the case, or took a
    tick back (`done` false). The step's text is not in the event: read the checklist
    (`GET /checklists/{id}/versions/{version}`). Skipped steps are counted at
    `destek.case.resolved` from the ticks then."""

    type: Literal["destek.case.checklist_ticked"] = "destek.case.checklist_ticked"
    data: ChecklistTickedData


class DocumentsSentData(Model):
    #: the e-library documents sent (ids; their titles are in the library)
    document_ids: list[str]
    #: how many days the links in the message work
    link_days: int


class DocumentsSent(CaseEventBase):
    """`destek.case.documents_sent`: an agent sent e-library documents to the customer as
    expiring links by email (or SMS, the customer's channel), never as attachments."""

    type: Literal["destek.case.documents_sent"] = "destek.case.documents_sent"
    data: DocumentsSentData


class MacroAppliedData(Model):
    #: the macro applied (domain/macros.py) and whether it is a shared one
    macro_id: str
    shared: bool
    #: it sent a public reply
    replied: bool
    #: the status it moved the case to (None: it moved none)
    status_to: str | None = None
    #: the fields it set (priority, type, category_id)
    fields: list[str] = []
    #: the e-library documents it sent
    document_ids: list[str] = []


class MacroApplied(CaseEventBase):
    """`destek.case.macro_applied`: an agent applied a macro; its reply, note, fields, status
    and documents are in the same change (and told by their own events beside this one)."""

    type: Literal["destek.case.macro_applied"] = "destek.case.macro_applied"
    data: MacroAppliedData


class TagsChangedData(Model):
    #: the tags added and removed by this change, and every tag the case has after it
    #: (normalised: domain/tags.py)
    added: list[str] = []
    removed: list[str] = []
    tags: list[str] = []


class TagsChanged(CaseEventBase):
    """`destek.case.tags_changed`: tags were added to or removed from the case (by hand, or
    by a macro). Tags are codes agents choose, kept in the open data store's archive for
    reports (docs/tags-and-fields.md)."""

    type: Literal["destek.case.tags_changed"] = "destek.case.tags_changed"
    data: TagsChangedData


class CustomFieldsChangedData(Model):
    #: the custom fields whose value changed (set, changed or cleared)
    keys: list[str]
    #: their new values (null: cleared), for number, date, list and checkbox fields only:
    #: a text field's value may hold what a person wrote, so only its key is told
    values: dict[str, str | int | float | bool | None] = {}


class CustomFieldsChanged(CaseEventBase):
    """`destek.case.custom_fields_changed`: values of the admins' custom case fields were
    set or cleared (docs/tags-and-fields.md); distinct from `destek.case.fields_changed`,
    which tells the built-in fields (priority, category, type, subject)."""

    type: Literal["destek.case.custom_fields_changed"] = "destek.case.custom_fields_changed"
    data: CustomFieldsChangedData


class MergedData(Model):
    #: `source`: this case was merged into `into_case_id` and is now `merged`, read-only;
    #: `survivor`: `from_case_id` was merged into this case, which carries on
    role: Literal["source", "survivor"]
    #: the merged case (the source), and the case that carries on (the survivor)
    from_case_id: str
    from_case_number: str
    into_case_id: str
    into_case_number: str
    customer_id: str


class CaseMerged(CaseEventBase):
    """`destek.case.merged`: one case was merged into another of the same customer
    (docs/merge-and-split.md). Emitted on both: on the source (`role` source, with its
    `destek.case.status_changed` to `merged`) and on the survivor (`role` survivor), each
    in its own case's order, written in one transaction. The source's replies, notes and
    files are copied to the survivor after it (a job; the survivor's history lines name
    the source in `data.merged_from`)."""

    type: Literal["destek.case.merged"] = "destek.case.merged"
    data: MergedData


class SplitData(Model):
    #: `source`: a customer message of this case was taken into `to_case_id`;
    #: `new`: this case was opened from a message of `from_case_id`
    role: Literal["source", "new"]
    from_case_id: str
    from_case_number: str
    to_case_id: str
    to_case_number: str
    #: the history line (the customer's message) that was split off
    entry_id: str


class CaseSplit(CaseEventBase):
    """`destek.case.split`: a customer message of a case was taken into a new case of the
    same customer (docs/merge-and-split.md). Emitted on both, in one transaction: on the new
    case after its `destek.case.opened` (`role` new), and on the case it came from (`role`
    source)."""

    type: Literal["destek.case.split"] = "destek.case.split"
    data: SplitData


class PreCaseConvertedData(Model):
    precase_id: str
    channel: str


class PreCaseConverted(CaseEventBase):
    """`destek.precase.converted`: a pre-case (an email, a post, the shop's report) became
    this case; it comes with the case's `destek.case.opened`, in the case's order, and
    names the pre-case in `precase_id` too (the last event of the pre-case's life)."""

    type: Literal["destek.precase.converted"] = "destek.precase.converted"
    data: PreCaseConvertedData


# ---- a pre-case's own events ---------------------------------------------------------------


class PreCaseReceivedData(Model):
    channel: str = Field(description="email, social, api (the shop's report), ...")
    #: the customer the sender matched (by address, phone or the shop's word); null when
    #: nobody matched or the sender was not verified (a forged mail is matched to no one)
    customer_id: str | None = None
    #: email: false when SES's SPF/DKIM/DMARC verdicts say the sender is forged or the mail
    #: had no usable From, else true; null on channels without such a check
    sender_verified: bool | None = None
    #: the case type it would likely be (complaint, question), if one shows
    case_type: str | None = None
    #: the routing rule its words matched (`other` when none), if it was scored
    topic: str | None = None
    #: negative, neutral or positive, if it was scored
    mood: str | None = None
    #: the social platform of a post
    platform: str | None = None
    file_count: int = 0
    #: the codes of what the agent must know (sender_unverified, text_cut, file_refused, ...)
    warnings: list[str] = Field(default_factory=list)


class PreCaseReceived(PreCaseEventBase):
    """`destek.precase.received`: something arrived unattended (an email, a social post, the
    shop's report) and waits in the pre-case pool for an agent. Its `sequence` is 1."""

    type: Literal["destek.precase.received"] = "destek.precase.received"
    data: PreCaseReceivedData


class PreCaseAssignedData(Model):
    #: the agent's username
    assignee: str
    previous_assignee: str | None = None
    #: claimed (the agent took it) or by_supervisor (handed out, or taken over)
    how: Literal["claimed", "by_supervisor"]


class PreCaseAssigned(PreCaseEventBase):
    """`destek.precase.assigned`: an agent claimed the pre-case, or a supervisor handed it
    to one; it left the pool."""

    type: Literal["destek.precase.assigned"] = "destek.precase.assigned"
    data: PreCaseAssignedData


class PreCaseSenderRepliedData(Model):
    #: the later mail's id on the pre-case (stable: the same mail again is the same id)
    message_id: str
    file_count: int = 0
    warnings: list[str] = Field(default_factory=list)


class PreCaseSenderReplied(PreCaseEventBase):
    """`destek.precase.sender_replied`: the sender wrote again, answering the pre-case's mail,
    while it waited; the mail joins it and becomes a reply on the case it turns into."""

    type: Literal["destek.precase.sender_replied"] = "destek.precase.sender_replied"
    data: PreCaseSenderRepliedData


class PreCaseDiscardedData(Model):
    #: spam (opens nothing) or duplicate (merged into the case it repeats)
    reason_code: Literal["spam", "duplicate"]
    #: pooled or claimed
    status_from: str
    #: the agent who held it, if any
    assignee: str | None = None
    #: the case a duplicate was merged into (a `destek.case.customer_replied` there tells it)
    duplicate_of_case_id: str | None = None
    duplicate_of_case_number: str | None = None


class PreCaseDiscarded(PreCaseEventBase):
    """`destek.precase.discarded`: an agent or supervisor set the pre-case aside as spam or as
    a duplicate of an existing case; it is finished and never becomes a case."""

    type: Literal["destek.precase.discarded"] = "destek.precase.discarded"
    data: PreCaseDiscardedData


PreCaseEvent = Annotated[
    PreCaseReceived | PreCaseAssigned | PreCaseSenderReplied | PreCaseDiscarded,
    Field(discriminator="type"),
]

#: every event destek publishes, a case's or a pre-case's (the stream reader validates an
#: item against this union)
CaseEvent = Annotated[
    CaseOpened
    | CaseRouted
    | CaseAssigned
    | CustomerReplied
    | AgentReplied
    | StatusChanged
    | SlaReminder
    | SlaBreached
    | CaseEscalated
    | CaseResolved
    | CaseReopened
    | CaseClosed
    | FieldsChanged
    | CaseRated
    | ChecklistTicked
    | DocumentsSent
    | MacroApplied
    | TagsChanged
    | CustomFieldsChanged
    | CaseMerged
    | CaseSplit
    | PreCaseConverted
    | PreCaseReceived
    | PreCaseAssigned
    | PreCaseSenderReplied
    | PreCaseDiscarded,
    Field(discriminator="type"),
]

#: every event model, by its type name (the events page lists them in this order)
EVENT_TYPES: dict[str, type[EventBase]] = {
    model.model_fields["type"].default: model
    for model in (
        CaseOpened,
        CaseRouted,
        CaseAssigned,
        CustomerReplied,
        AgentReplied,
        StatusChanged,
        SlaReminder,
        SlaBreached,
        CaseEscalated,
        CaseResolved,
        CaseReopened,
        CaseClosed,
        FieldsChanged,
        CaseRated,
        ChecklistTicked,
        DocumentsSent,
        MacroApplied,
        TagsChanged,
        CustomFieldsChanged,
        CaseMerged,
        CaseSplit,
        PreCaseConverted,
        PreCaseReceived,
        PreCaseAssigned,
        PreCaseSenderReplied,
        PreCaseDiscarded,
    )
}


def event_id(subject_id: str, sequence: int, index: int) -> str:
    """The id a consumer deduplicates on: the same change always yields the same ids."""
    return f"{subject_id}.{sequence}.{index}"
