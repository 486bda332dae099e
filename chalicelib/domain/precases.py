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
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import Field

from .case_kinds import CaseType, Channel
from .cases import Actor
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


def assigned(pre: PreCase, to: str, by: Actor, at: datetime) -> PreCase:
    """Claimed by an agent, or handed to one by a supervisor."""
    _require_open(pre)
    return pre.model_copy(
        update={
            "status": PreCaseStatus.CLAIMED,
            "assignee": to,
            "assigned_by": by,
            "assigned_at": at,
            "version": pre.version + 1,
        }
    )


def finished(
    pre: PreCase,
    status: PreCaseStatus,
    by: Actor,
    at: datetime,
    *,
    case_id: str | None = None,
    case_number: str | None = None,
    duplicate_of: str | None = None,
) -> PreCase:
    """Converted to a case, or set aside as spam or a duplicate: the end of its life."""
    _require_open(pre)
    if status in OPEN_STATUSES:
        raise ValueError("a pre-case finishes as converted, spam or duplicate")
    return pre.model_copy(
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
