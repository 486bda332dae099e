"""Pre-cases: what arrived without an agent (email, social posts, the shop's backend).

A pre-case waits in one pool until an agent claims it (or a supervisor hands it
out), and then becomes a case, or is set aside as spam or a duplicate. Keeping
it apart from cases means nothing unreviewed gets a case number, an SLA clock or
a "we received your request" message, the way Zendesk's suspended tickets and
Freshdesk's social inbox keep noise out of the queues.

Moves:

    pooled ──► claimed ──► converted | spam | duplicate
       └────────────────────┘ (straight from the pool too)

A claimed pre-case may be handed to another agent; a finished one never moves.

Every move is decided here, with the pre-case events it emits (domain/case_events.py):
a `PreCaseChange` the store writes in one transaction. Arriving emits
`destek.precase.received`, claiming or handing out `destek.precase.assigned`, a later
mail of the sender `destek.precase.sender_replied`, spam or a duplicate
`destek.precase.discarded`; a conversion emits nothing in the pre-case's order (the new
case's `destek.precase.converted` tells it, in the case's transaction).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from . import case_events as ev
from .case_kinds import CaseType, Channel
from .cases import Actor
from .clock import to_iso
from .errors import Conflict
from .model import Model
from .sentiment import analyze


class PreCaseStatus(StrEnum):
    POOLED = "pooled"
    CLAIMED = "claimed"
    CONVERTED = "converted"
    SPAM = "spam"
    DUPLICATE = "duplicate"


OPEN_STATUSES = (PreCaseStatus.POOLED, PreCaseStatus.CLAIMED)


class SuggestedAction(StrEnum):
    """What the agent should probably do first; a hint, never automatic."""

    APOLOGIZE_AND_ASK_DETAILS = "apologize_and_ask_details"  # an angry public post
    ANSWER_QUESTION = "answer_question"
    CALL_BACK = "call_back"  # an angry post from a known customer with a phone
    REVIEW = "review"  # anything else a person should look at


class Sender(Model):
    """Who it came from, as far as the channel tells."""

    name: str = ""
    email: str | None = None
    phone: str | None = None
    handle: str | None = Field(default=None, description="social media handle")


class SocialPost(Model):
    platform: str
    kind: Literal["mention", "direct_message"] = "mention"
    author_handle: str
    url: str
    posted_at: datetime


class Mood(Model):
    label: Literal["negative", "neutral", "positive"]
    score: float = Field(description="-1 (very negative) to 1 (very positive)")
    is_question: bool = False


class PreCaseFile(Model):
    """A file that came with it; the bytes wait in S3 until the pre-case becomes a case."""

    id: str
    filename: str
    content_type: str
    size: int


class WarningCode(StrEnum):
    """What the agent must know before trusting what arrived; the console says it in words
    (templates/console/strings, `warn_<code>`)."""

    #: SES's SPF/DKIM/DMARC verdicts say the sender is forged; `detail` holds them
    SENDER_UNVERIFIED = "sender_unverified"
    #: no usable From; `detail`: no_from or no_address
    SENDER_UNKNOWN = "sender_unknown"
    #: the display name held another address (and was dropped)
    DISPLAY_NAME_ADDRESS = "display_name_address"
    #: over the item's byte limit; the whole stays in the raw mail in S3; `detail`: bytes kept
    TEXT_CUT = "text_cut"
    HTML_CUT = "html_cut"
    #: a file not kept: `filename`, and `detail` the reason (attachments.FileVerdict)
    FILE_REFUSED = "file_refused"
    #: a reply to a case that takes none any more: `case_number`
    REPLY_TO_CLOSED_CASE = "reply_to_closed_case"


class PreCaseWarning(Model):
    """One thing to know about a pre-case (or a later mail on it), with its facts."""

    code: WarningCode
    detail: str = ""
    filename: str | None = None
    case_number: str | None = None


class PreCaseMessage(Model):
    """A later mail of the same sender that answered the pre-case's mail (In-Reply-To or
    References), kept as its own item beside the pre-case until it becomes a case."""

    id: str
    received_at: datetime
    subject: str
    text: str
    message_id: str | None = None
    files: list[PreCaseFile] = Field(default_factory=list)
    warnings: list[PreCaseWarning] = Field(default_factory=list)
    source_ref: str | None = None


class PreCase(Model):
    id: str
    channel: Channel
    status: PreCaseStatus = PreCaseStatus.POOLED
    received_at: datetime
    subject: str
    text: str
    html: str | None = Field(default=None, description="sanitized HTML of an email")
    case_type: CaseType | None = Field(default=None, description="the type it would likely be")
    sender: Sender
    customer_id: str | None = Field(default=None, description="the customer the sender matched")
    post: SocialPost | None = None
    mood: Mood | None = None
    topic: str | None = Field(default=None, description="the group routing keywords point to")
    suggested_action: SuggestedAction | None = None
    files: list[PreCaseFile] = Field(default_factory=list)
    source_ref: str | None = Field(
        default=None, description="where it came from: the stored email, the shop's reference"
    )
    #: the Message-ID of the mail it came from (replies to it find this pre-case)
    message_id: str | None = None
    warnings: list[PreCaseWarning] = Field(default_factory=list)
    #: later mails from the sender answering this one (read with the pre-case)
    messages: list[PreCaseMessage] = Field(default_factory=list)
    assignee: str | None = None
    assigned_by: Actor | None = None
    assigned_at: datetime | None = None
    case_id: str | None = None
    case_number: str | None = None
    duplicate_of: str | None = None
    finished_by: Actor | None = None
    finished_at: datetime | None = None
    version: int = 1

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


def _require_open(pre: PreCase) -> None:
    if not pre.is_open:
        raise Conflict(
            f"this pre-case is already {pre.status.value}",
            code="precase_finished",
            details={"status": pre.status.value, "case_number": pre.case_number},
        )


class PreCaseChange(Model):
    """One move of a pre-case, ready to be written in one transaction (store/precases.py):
    the pre-case at its new version, the version the stored one must still have (0: a new
    pre-case), and the events it emits."""

    precase: PreCase
    expected_version: int = 0
    events: list[ev.PreCaseEvent] = Field(default_factory=list)


#: warnings that say the sender may not be who the mail says (services/mail_intake.py
#: matches such a sender to no customer)
UNVERIFIED_SENDER = (WarningCode.SENDER_UNVERIFIED, WarningCode.SENDER_UNKNOWN)


def received(pre: PreCase) -> PreCaseChange:
    """A pre-case arriving (version 1): `destek.precase.received`, caused by the matched
    customer, else by destek (whoever the sender is, nobody has vouched for them)."""
    verified = (
        not any(w.code in UNVERIFIED_SENDER for w in pre.warnings)
        if pre.channel == Channel.EMAIL
        else None
    )
    data = ev.PreCaseReceivedData(
        channel=pre.channel.value,
        customer_id=pre.customer_id,
        sender_verified=verified,
        case_type=pre.case_type.value if pre.case_type else None,
        topic=pre.topic,
        mood=pre.mood.label if pre.mood else None,
        platform=pre.post.platform if pre.post else None,
        file_count=len(pre.files),
        warnings=[w.code.value for w in pre.warnings],
    )
    return PreCaseChange(precase=pre, events=_stamp(pre, ev.PreCaseReceived, data,
                                                    _sender(pre), pre.received_at))  # fmt: skip


def assigned(pre: PreCase, to: str, by: Actor, at: datetime) -> PreCaseChange:
    """Claimed by an agent, or handed to one by a supervisor: `destek.precase.assigned`."""
    _require_open(pre)
    after = pre.model_copy(
        update={
            "status": PreCaseStatus.CLAIMED,
            "assignee": to,
            "assigned_by": by,
            "assigned_at": at,
            "version": pre.version + 1,
        }
    )
    data = ev.PreCaseAssignedData(
        assignee=to,
        previous_assignee=pre.assignee,
        how="claimed" if by.kind == "staff" and by.id == to else "by_supervisor",
    )
    return PreCaseChange(precase=after, expected_version=pre.version,
                         events=_stamp(after, ev.PreCaseAssigned, data, by, at))  # fmt: skip


def joined(pre: PreCase, message: PreCaseMessage) -> PreCaseChange:
    """A later mail of the sender onto their open pre-case: its version moves on (an agent
    converting it meanwhile hears 409) and `destek.precase.sender_replied` is emitted."""
    _require_open(pre)
    after = pre.model_copy(
        update={"messages": [*pre.messages, message], "version": pre.version + 1}
    )
    data = ev.PreCaseSenderRepliedData(
        message_id=message.id,
        file_count=len(message.files),
        warnings=[w.code.value for w in message.warnings],
    )
    return PreCaseChange(precase=after, expected_version=pre.version,
                         events=_stamp(after, ev.PreCaseSenderReplied, data, _sender(pre),
                                       message.received_at))  # fmt: skip


def finished(
    pre: PreCase,
    status: PreCaseStatus,
    by: Actor,
    at: datetime,
    *,
    case_id: str | None = None,
    case_number: str | None = None,
    duplicate_of: str | None = None,
) -> PreCaseChange:
    """Converted to a case, or set aside as spam or a duplicate: the end of its life.
    Spam and duplicates emit `destek.precase.discarded`; a conversion nothing here (the
    case's `destek.precase.converted`)."""
    _require_open(pre)
    if status in OPEN_STATUSES:
        raise ValueError("a pre-case finishes as converted, spam or duplicate")
    after = pre.model_copy(
        update={
            "status": status,
            "case_id": case_id,
            "case_number": case_number,
            "duplicate_of": duplicate_of,
            "finished_by": by,
            "finished_at": at,
            "version": pre.version + 1,
        }
    )
    events: list[ev.PreCaseEvent] = []
    if status in (PreCaseStatus.SPAM, PreCaseStatus.DUPLICATE):
        duplicate = status == PreCaseStatus.DUPLICATE
        data = ev.PreCaseDiscardedData(
            reason_code=status.value,
            status_from=pre.status.value,
            assignee=pre.assignee,
            duplicate_of_case_id=case_id if duplicate else None,
            duplicate_of_case_number=duplicate_of if duplicate else None,
        )
        events = _stamp(after, ev.PreCaseDiscarded, data, by, at)
    return PreCaseChange(precase=after, expected_version=pre.version, events=events)


def _sender(pre: PreCase) -> Actor:
    if pre.customer_id:
        return Actor(kind="customer", id=pre.customer_id)
    return Actor(kind="system", id="destek")


def _stamp(
    pre: PreCase, model: type[ev.PreCaseEventBase], data: Model, actor: Actor, at: datetime
) -> list[ev.PreCaseEvent]:
    """The envelope: the id from the pre-case and its new version, so a retried write of
    the same move has the same id (a consumer deduplicates on it)."""
    return [
        model(id=ev.event_id(pre.id, pre.version, 0), precase_id=pre.id,  # type: ignore[call-arg]
              sequence=pre.version, index=0, occurred_at=to_iso(at),
              actor=ev.EventActor(kind=actor.kind, id=actor.id), data=data)
    ]  # fmt: skip


def mood_of(text: str) -> Mood:
    """The sentiment of a post or message, as a pre-case keeps it."""
    found = analyze(text)
    return Mood(label=found.label, score=found.score, is_question=found.is_question)


def suggest(mood: Mood, known_customer_with_phone: bool) -> SuggestedAction:
    if mood.label == "negative":
        if known_customer_with_phone:
            return SuggestedAction.CALL_BACK
        return SuggestedAction.APOLOGIZE_AND_ASK_DETAILS
    if mood.is_question:
        return SuggestedAction.ANSWER_QUESTION
    return SuggestedAction.REVIEW


def likely_type(mood: Mood) -> CaseType | None:
    if mood.label == "negative":
        return CaseType.COMPLAINT
    if mood.is_question:
        return CaseType.QUESTION
    return None


def needs_a_person(mood: Mood) -> bool:
    """A negative post or a question opens a pre-case; praise and chatter are only counted."""
    return mood.label == "negative" or mood.is_question
