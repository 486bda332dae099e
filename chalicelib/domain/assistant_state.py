"""A conversation with the assistant as destek keeps it, the shop's settings for it, and how
it ends (docs/assistant.md).

A conversation is one item: who is talking (a signed-in customer, or a visitor and the
orders they proved), what the assistant is waiting for, and every message both ways. It is
written at a `version`, conditionally, so two copies of one request never both answer; a
message the client sends again with the same `client_message_id` finds its answer here.

Outcomes (counted once, when the conversation is settled):
- `handed_over`: a case or pre-case was opened for an agent;
- `answered`: the assistant answered at least one question from destek's data, and no
  agent was needed;
- `abandoned`: the customer stopped writing (no message for `abandon_after_minutes`) before
  any answer: mid-verification, after only questions it could not answer.

Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import Field

from .assistant_nlu import Expecting, Intent
from .assistant_settings import MAX_TEXT, AssistantSettings, Link
from .errors import Conflict
from .model import Model

__all__ = ["MAX_TEXT", "AssistantSettings", "Link"]  # kept here too: one place to import from

Language = Literal["tr", "en"]
#: messages a conversation keeps, both ways (the item stays far below DynamoDB's 400 KB: a
#: customer's message is at most MAX_TEXT characters, the assistant's answers a few hundred)
MAX_MESSAGES = 80


class ConversationChanged(Conflict):
    """Another request wrote the conversation since it was read (409): read it again."""

    code = "conversation_changed"


class Stage(StrEnum):
    """What the assistant waits for."""

    CHATTING = "chatting"
    AWAIT_ORDER = "await_order"  # which order (a visitor's, to verify; or one of several)
    AWAIT_SECRET = "await_secret"  # the phone's last four digits or the email on the order
    AWAIT_CONTACT = "await_contact"  # a visitor to hand over: an email or phone to answer on
    AWAIT_CONFIRM = "await_confirm"  # an offer to open a request: yes or no
    CLOSED = "closed"  # settled: handed over, or ended; a new message starts a new one

    @property
    def expecting(self) -> Expecting:
        return {
            Stage.AWAIT_ORDER: Expecting.ORDER,
            Stage.AWAIT_SECRET: Expecting.SECRET,
            Stage.AWAIT_CONTACT: Expecting.CONTACT,
            Stage.AWAIT_CONFIRM: Expecting.CONFIRM,
        }.get(self, Expecting.NOTHING)


class Outcome(StrEnum):
    ANSWERED = "answered"
    HANDED_OVER = "handed_over"
    ABANDONED = "abandoned"


class HandOffReason(StrEnum):
    """Why the assistant handed over (the case's subject says it in the shop's words)."""

    PERSON = "person"  # the customer asked for one
    NOT_UNDERSTOOD = "not_understood"  # questions it could not answer
    NOT_VERIFIED = "not_verified"  # a visitor could not prove an order and left a contact
    LATE = "late"  # a delivery late beyond the shop's threshold
    NOT_RECEIVED = "not_received"  # delivered on record, not in the customer's hands
    NOTICE = "notice"  # no SMS or email on record, the customer wants one looked into
    CANCEL = "cancel"
    RETURN = "return"
    INVOICE = "invoice"
    TOO_LONG = "too_long"  # the conversation reached MAX_MESSAGES


class Message(Model):
    """One message. A customer's: `id` is the client's own id (a retry sends the same);
    `intent` what it was understood as. The assistant's: `reply_to` the customer message it
    answers, `links`, `suggestions` (short answers the widget offers as buttons) and
    `answered` (it answered a question from destek's data)."""

    id: str
    author: Literal["customer", "bot"]
    text: str
    at: datetime
    intent: Intent | None = None
    reply_to: str | None = None
    links: list[Link] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)
    answered: bool = False


class Offer(Model):
    """What a "yes" opens: a request for an agent, about an order (or none)."""

    reason: HandOffReason
    order_id: str | None = None


class HandOff(Model):
    """The case (with its number) or pre-case (by id: it has no number before an agent takes
    it) the conversation became."""

    kind: Literal["case", "precase"]
    id: str
    number: str | None = None
    reason: HandOffReason


class Conversation(Model):
    id: str
    language: Language = "tr"
    started_at: datetime
    last_at: datetime
    #: signed in: the customer's own orders, no verification. A visitor: `customer_id` is
    #: set once they proved an order, and only `verified_orders` are theirs to ask about
    signed_in: bool = False
    customer_id: str | None = None
    verified_orders: list[str] = Field(default_factory=list)
    stage: Stage = Stage.CHATTING
    #: what a visitor asked before proving an order (answered once they have)
    pending_intent: Intent | None = None
    #: the order number a visitor gave, waiting for its phone digits or email
    pending_order: str | None = None
    #: the order the conversation is about
    focus_order: str | None = None
    offer: Offer | None = None
    unknowns: int = 0
    failed_verifications: int = 0
    #: contacts asked for and not given (a visitor to hand over)
    contact_misses: int = 0
    #: answers from destek's data
    answers: int = 0
    handoff: HandOff | None = None
    outcome: Outcome | None = None
    ended_at: datetime | None = None
    messages: list[Message] = Field(default_factory=list)
    version: int = 0

    @property
    def known(self) -> bool:
        """destek knows whose conversation this is (signed in, or an order proved)."""
        return bool(self.customer_id)

    @property
    def closed(self) -> bool:
        return self.stage == Stage.CLOSED

    def answer_to(self, client_message_id: str) -> Message | None:
        """The assistant's answer to a customer message already taken (a retry)."""
        return next(
            (m for m in self.messages if m.author == "bot" and m.reply_to == client_message_id),
            None,
        )

    def idle_at(self, settings: AssistantSettings) -> datetime:
        """When it counts as abandoned if nobody writes."""
        return self.last_at + timedelta(minutes=settings.abandon_after_minutes)


def settled_outcome(conversation: Conversation) -> Outcome:
    """How a conversation that ends now (nobody wrote for a while) ended."""
    if conversation.handoff is not None:
        return Outcome.HANDED_OVER
    return Outcome.ANSWERED if conversation.answers else Outcome.ABANDONED


class AssistantDay(Model):
    """Conversations settled, counted on the Istanbul day they started."""

    day: str
    conversations: int = 0
    answered: int = 0
    handed_over: int = 0
    abandoned: int = 0


#: the day counters (store/assistant.py)
COUNTERS = ("conversations", "answered", "handed_over", "abandoned")


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
