"""Who hears about what, and when.

A notice is decided where the change happens (it rides in the same write as
the case, so it cannot be lost) and delivered later by the notifier, which
finds addresses, honours the customer's channel and quiet hours, renders the
templates and sends. Every notice stays in the case's partition with what
happened to it, so the case's history shows what was sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import Field

from .case_kinds import Priority
from .cases import SYSTEM, Actor, Case, EntryKind, HistoryEntry
from .customers import ContactPreferences
from .ids import new_id
from .lifecycle import ACTIVE, DONE, Status
from .model import Model
from .sla import SlaEvent


class NoticeEvent(StrEnum):
    CASE_RECEIVED = "case_received"
    AGENT_REPLIED = "agent_replied"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    CASE_RESOLVED = "case_resolved"
    #: the case is finished for good (no more replies): the customer hears it unless they
    #: closed it themselves by confirming the resolution
    CASE_CLOSED = "case_closed"
    ROUTED_TO_GROUP = "routed_to_group"
    SLA_REMINDER = "sla_reminder"
    SLA_BREACH = "sla_breach"
    SLA_ESCALATION = "sla_escalation"
    # the agent's side: the case's owner (or, with none, its group) hears what others did
    CUSTOMER_REPLIED = "customer_replied"
    CASE_REOPENED = "case_reopened"
    CASE_ASSIGNED = "case_assigned"
    ESCALATED_TO_YOU = "escalated_to_you"
    #: for the case's agent (or group): a notice to the customer bounced
    DELIVERY_FAILED = "delivery_failed"
    #: for the supervisors of the case's group: the case got a low satisfaction score
    LOW_RATING = "low_rating"
    #: for the customer: e-library documents an agent sent, as expiring links
    DOCUMENTS_SENT = "documents_sent"
    #: for the customer: their case was merged into another, which carries on (data:
    #: into_number; the notifier adds `into_url`, the survivor's page)
    CASE_MERGED = "case_merged"
    #: for the case's followers: someone else replied, wrote a note or moved its status
    #: (data: what, by, body, status)
    CASE_UPDATED = "case_updated"


Audience = Literal["customer", "assignee", "group", "supervisors", "managers", "followers"]


class Delivery(Model):
    channel: Literal["email", "sms"]
    to: str
    message_id: str
    at: datetime
    #: SMS only: how many parts the carrier bills (GSM-7 160/153, UCS-2 70/67 characters)
    parts: int | None = None


#: how long the notify queue has to deliver a notice it was given (announced after the
#: write, or handed out by the outbox sweep) before the sweep takes the message for lost and
#: hands the notice out again. Without it every sweep queued every waiting notice once more,
#: so a backlog grew by its own size at each sweep (the soak: notices untried for 6 minutes)
HANDOFF = timedelta(minutes=2)


class Notice(Model):
    id: str
    case_id: str
    event: NoticeEvent
    audience: Audience
    emails: list[str] = Field(default_factory=list)  # for managers
    #: staff usernames the audience leaves out: nobody hears about their own action
    exclude: list[str] = Field(default_factory=list)
    urgent: bool = False
    #: the case's priority when the notice was decided: the notice says this one, whenever it
    #: is sent (a retry, a held notice, a slow queue), not a raise that came after it; None on
    #: notices stored before it was kept (they say the case's current priority)
    priority: Priority | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    #: failed: given up on, with the reason in `note` (an address no one can send to, a
    #: provider's refusal, the retry budget spent), or sent and then bounced or complained of
    status: Literal["pending", "held", "sending", "sent", "skipped", "failed"] = "pending"
    deliver_after: datetime
    attempts: int = 0
    deliveries: list[Delivery] = Field(default_factory=list)
    note: str | None = None

    @property
    def awaiting(self) -> bool:
        return self.status in ("pending", "held", "sending")

    @property
    def outbox_at(self) -> datetime:
        """When the outbox sweep should hand the notice out: a held one when its hour comes,
        a claimed one when its lease runs out, a new one (announced to the queue in the
        same breath) only once the queue has had HANDOFF to deliver it and seems to have
        lost it."""
        return self.deliver_after + (HANDOFF if self.status == "pending" else timedelta(0))


def notice(case: Case, event: NoticeEvent, audience: Audience, now: datetime, **extra) -> Notice:
    urgent = extra.pop("urgent", False) or case.priority == Priority.URGENT
    return Notice(
        id=new_id("n"),
        case_id=case.id,
        event=event,
        audience=audience,
        urgent=urgent,
        priority=case.priority,
        created_at=now,
        deliver_after=now,
        **extra,
    )


def notices_for_change(
    before: Case | None, after: Case, entries: list[HistoryEntry], now: datetime
) -> list[Notice]:
    """The notices a change of the case calls for. `before` is None for a new case.

    The customer hears: received, an agent's reply, waiting on you, resolved, closed (by
    an agent or when the reopen window ended; not when they confirmed it). The group
    hears that a case was routed to it. The agent's side hears what others did: the
    customer wrote (on the site, by email, or "not solved"), the case was reopened, it
    was assigned to you (by a supervisor or automatically) or, with nobody assigned, to
    your group. These go to the assignee, or with none to the group; nobody hears about
    their own action. One change has one actor (every entry of it names the same one).
    """
    result = []
    actor = entries[0].actor if entries else SYSTEM
    reopened = before is not None and before.status in DONE and after.status in ACTIVE
    for entry in entries:
        if entry.kind == EntryKind.CREATED:
            result.append(notice(after, NoticeEvent.CASE_RECEIVED, "customer", now))
        elif entry.kind == EntryKind.ROUTED and after.group_id:
            why = {
                "reason_code": entry.reason_code.value if entry.reason_code else None,
                "rule_name": entry.data.get("rule_name"),
                "matched": entry.data.get("matched", []),
            }
            # an automatic assignee hears "assigned to you" instead
            result.append(
                notice(after, NoticeEvent.ROUTED_TO_GROUP, "group", now, data=why,
                       exclude=[after.assignee] if after.assignee else [])
            )  # fmt: skip
        elif entry.kind == EntryKind.REPLY and entry.actor.kind == "staff":
            result.append(
                notice(after, NoticeEvent.AGENT_REPLIED, "customer", now,
                       data={**said_in(entry), "by": entry.actor.name, **_files_of(entry)})
            )  # fmt: skip
        elif entry.kind == EntryKind.REPLY and entry.actor.kind == "customer" and not reopened:
            result += _to_owner(after, NoticeEvent.CUSTOMER_REPLIED, actor, now,
                                said_in(entry))  # fmt: skip
    if reopened:
        said = next((e for e in entries if e.body), None)
        result += _to_owner(after, NoticeEvent.CASE_REOPENED, actor, now,
                            {**said_in(said), "by": actor.name,
                             "by_customer": actor.kind == "customer"})  # fmt: skip
    if before is not None:
        result += _assignment_notices(before, after, entries, actor, now)
    result += _to_followers(before, after, entries, actor, now)
    if before is not None and before.status != after.status:
        if after.status == Status.WAITING_CUSTOMER:
            result.append(notice(after, NoticeEvent.WAITING_ON_CUSTOMER, "customer", now))
        elif after.status == Status.RESOLVED:
            result.append(notice(after, NoticeEvent.CASE_RESOLVED, "customer", now))
        elif after.status == Status.CLOSED and actor.kind != "customer":
            result.append(notice(after, NoticeEvent.CASE_CLOSED, "customer", now))
    return result


#: the notice data's key naming the history line whose text the notice says (`said_in`)
LINE = "line"


def said_in(entry: HistoryEntry | None) -> dict[str, Any]:
    """What a notice says of a line's text: `{"line": <the line's id>}`, a reference to the
    line in the same case partition, which the notifier reads with the case at delivery
    (services/notifier.py `said`), not the text itself (`{"body": ...}`, as notices stored
    before issue 21 carry it). The text is in the line already; a copy made the notice as
    large as the reply, and the notice is written three times (decided, claimed, its
    outcome): a 1.5 KB reply cost its notice 12 write units instead of 4 (docs/
    performance.md). With no line (a reopening without text, a follower's status move) the
    body is empty, as before."""
    return {LINE: entry.id} if entry is not None and entry.body else {"body": ""}


def _files_of(entry: HistoryEntry) -> dict[str, Any]:
    """The files a reply carries, for its email's links (the notifier signs them)."""
    ids = entry.data.get("attachment_ids") or []
    return {"attachment_ids": list(ids)} if ids else {}


#: what a follower hears of, as `what` in the case_updated notice's data
_FOLLOWED = {EntryKind.REPLY: "reply", EntryKind.NOTE: "note",
             EntryKind.STATUS_CHANGED: "status"}  # fmt: skip


def _to_followers(
    before: Case | None, after: Case, entries: list[HistoryEntry], actor: Actor, now: datetime
) -> list[Notice]:
    """One `case_updated` notice for the followers when a change replies, notes or moves the
    status (data: `what`, `by`, `body`, `status`), leaving out the staff member who made it.
    None for a new case, nor when no follower but the actor is left."""
    me = actor.id if actor.kind == "staff" else None
    if before is None or not [f for f in after.followers if f != me]:
        return []
    moved = before.status != after.status
    line = next((e for e in entries if e.kind in _FOLLOWED), None)
    if line is None and not moved:
        return []
    data = {"what": _FOLLOWED[line.kind] if line else "status", "by": actor.name,
            **said_in(line), "status": after.status.value}  # fmt: skip
    return [notice(after, NoticeEvent.CASE_UPDATED, "followers", now, data=data,
                   exclude=[me] if me else [])]  # fmt: skip


def _assignment_notices(
    before: Case, after: Case, entries: list[HistoryEntry], actor: Actor, now: datetime
) -> list[Notice]:
    """A new assignee hears it unless they took the case themselves (a claim); a case moved
    to another group with nobody assigned is announced to that group (routing announces
    its own)."""
    by = actor.name if actor.kind == "staff" else ""
    if after.assignee and after.assignee != before.assignee:
        if actor.kind == "staff" and actor.id == after.assignee:
            return []
        return [notice(after, NoticeEvent.CASE_ASSIGNED, "assignee", now, data={"by": by})]
    routed = any(e.kind == EntryKind.ROUTED for e in entries)
    if after.group_id and after.group_id != before.group_id and not after.assignee and not routed:
        return _to_owner(after, NoticeEvent.CASE_ASSIGNED, actor, now, {"by": by})
    return []


def _to_owner(
    case: Case, event: NoticeEvent, actor: Actor, now: datetime, data: dict[str, Any]
) -> list[Notice]:
    """A notice for whoever owns the case: its assignee, or with none its group (told so by
    `to_group`, for the wording), leaving out the staff member who made the change."""
    me = actor.id if actor.kind == "staff" else None
    if case.assignee:
        return [] if case.assignee == me else [notice(case, event, "assignee", now, data=data)]
    if case.group_id:
        return [
            notice(case, event, "group", now, data={**data, "to_group": True},
                   exclude=[me] if me else [])
        ]  # fmt: skip
    return []  # not routed yet: nobody owns it, and routing will announce it


def notices_for_sla(case: Case, events: list[SlaEvent], now: datetime) -> list[Notice]:
    """Reminders go to the assignee (or the group), breaches to the group, escalations to
    the level's audience. A level for the assignee and the group gives the assignee an
    "escalated to you" of their own, and the group's notice leaves them out."""
    result = []
    for event in events:
        data = {"target": event.target.value, "level": event.level}
        if event.kind == "reminder":
            audience = "assignee" if case.assignee else "group"
            result.append(notice(case, NoticeEvent.SLA_REMINDER, audience, now, data=data))
        elif event.kind == "breach":
            result.append(notice(case, NoticeEvent.SLA_BREACH, "group", now, data=data,
                                 urgent=True))  # fmt: skip
        else:
            audience = {"assignee_and_group": "group", "supervisors": "supervisors"}.get(
                event.notify, "managers"
            )
            named = event.notify == "assignee_and_group" and case.assignee
            if named:
                result.append(notice(case, NoticeEvent.ESCALATED_TO_YOU, "assignee", now,
                                     data=data, urgent=True))  # fmt: skip
            result.append(
                notice(case, NoticeEvent.SLA_ESCALATION, audience, now, data=data,
                       emails=event.emails, urgent=True,
                       exclude=[case.assignee] if named and case.assignee else [])
            )  # fmt: skip
    return result


def quiet_until(prefs: ContactPreferences, now: datetime) -> datetime | None:
    """When the customer's quiet hours end, if `now` falls inside them; else None."""
    if prefs.quiet_from is None or prefs.quiet_until is None:
        return None
    zone = ZoneInfo(prefs.timezone)
    local = now.astimezone(zone)
    start, end = prefs.quiet_from, prefs.quiet_until
    clock = local.time()
    inside = start <= clock < end if start < end else clock >= start or clock < end
    if not inside:
        return None
    ends = datetime.combine(local.date(), end, tzinfo=zone)
    if ends <= local:
        ends += timedelta(days=1)
    return ends


def notice_of_failed_delivery(
    case: Case, failed: Notice, to: str, reason: str, now: datetime
) -> Notice:
    """Tell the case's agent (its group while nobody owns it) that a notice bounced, so
    they can reach the customer another way."""
    audience: Audience = "assignee" if case.assignee else "group"
    data = {"failed_event": failed.event.value, "to": to, "reason": reason}
    return notice(case, NoticeEvent.DELIVERY_FAILED, audience, now, data=data)
