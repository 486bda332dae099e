"""The assistant's turn: from a conversation and a message understood, what to do next
(docs/assistant.md#the-dialogue).

`decide` answers what needs no data (a greeting, a question it does not understand, asking
for the order number) and otherwise names the step the service must take with destek's
data: prove a visitor's order (`Verify`), answer about an order (`AnswerOrder`), or open a
case for an agent (`HandOver`). The service does it and comes back here (`verified`,
`not_verified`, `answered`, `handed`) for what to say. Nothing about an order is said
before a visitor proved it, and a failed proof says the same whatever was wrong.

Pure: each function takes a conversation and returns a changed copy with the step.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .assistant_answers import Answer
from .assistant_nlu import ORDER_INTENTS, Heard, Intent
from .assistant_reply import START_SUGGESTIONS, YES_NO, Reply
from .assistant_state import (
    AssistantSettings,
    Conversation,
    HandOff,
    HandOffReason,
    Offer,
    Outcome,
    Stage,
)

#: contacts a visitor is asked for before the assistant points them to the site's forms
CONTACT_TRIES = 2


@dataclass(frozen=True)
class Say:
    reply: Reply


@dataclass(frozen=True)
class Verify:
    """Prove a visitor's order: the order number as typed and the phone's last four digits
    or the email on it; then answer `intent`."""

    order: str
    last_four: str | None
    email: str | None
    intent: Intent


@dataclass(frozen=True)
class AnswerOrder:
    """Answer `intent` about an order: `order` as typed, or None (a signed-in customer's:
    the one in question, else the one on its way)."""

    intent: Intent
    order: str | None


@dataclass(frozen=True)
class Contact:
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class HandOver:
    """Open a case (or pre-case) for an agent. `contact`: how to reach a visitor destek does
    not know; `before`: what the assistant says first (a late delivery's facts)."""

    reason: HandOffReason
    order_id: str | None = None
    contact: Contact | None = None
    before: Reply | None = None


Step = Say | Verify | AnswerOrder | HandOver


def order_key(text: str) -> str:
    """An order number as compared and counted: without spaces or a leading #, upper case
    ("demo-1001" is "DEMO-1001")."""
    return "".join(text.split()).lstrip("#").upper()


def greeting(conversation: Conversation) -> Reply:
    key = "greeting_signed_in" if conversation.signed_in else "greeting"
    return Reply(suggestions=list(START_SUGGESTIONS)).say(key)


def decide(
    conversation: Conversation, heard: Heard, settings: AssistantSettings
) -> tuple[Conversation, Step]:
    """The next step for a customer message (the conversation is not closed)."""
    c = conversation.model_copy(deep=True)
    if c.stage == Stage.AWAIT_CONFIRM and c.offer is not None:
        offer, c.offer, c.stage = c.offer, None, Stage.CHATTING
        if heard.yes:
            return _hand_over(c, offer.reason, offer.order_id)
        if heard.no:
            return c, Say(Reply(suggestions=list(START_SUGGESTIONS)).say("no_problem"))
    if c.stage == Stage.AWAIT_CONTACT:
        step = _contact(c, heard)
        if step is not None:
            return c, step
    explicit = bool(heard.matched)
    if heard.intent == Intent.PERSON:
        return _hand_over(c, HandOffReason.PERSON, c.focus_order)
    waiting = c.stage in (Stage.AWAIT_ORDER, Stage.AWAIT_SECRET)
    if (
        (heard.intent in ORDER_INTENTS and explicit)
        or heard.order
        or heard.secret
        or (waiting and heard.anything)
    ):
        target = (
            heard.intent
            if heard.intent in ORDER_INTENTS and explicit
            else (c.pending_intent or Intent.WHERE)
        )
        c.unknowns = 0
        return _order_question(c, heard, target)
    if heard.intent in ORDER_INTENTS:  # only order words ("kargom?"): where it is
        c.unknowns = 0
        return _order_question(c, heard, c.pending_intent or Intent.WHERE)
    if heard.intent == Intent.GREETING:
        return c, Say(greeting(c))
    if heard.intent == Intent.THANKS:
        c.stage, c.pending_intent, c.pending_order = Stage.CHATTING, None, None
        return c, Say(Reply(suggestions=list(START_SUGGESTIONS)).say("thanks"))
    c.unknowns += 1
    if c.unknowns >= settings.unknowns_before_handoff:
        return _hand_over(c, HandOffReason.NOT_UNDERSTOOD, c.focus_order)
    if c.stage == Stage.AWAIT_SECRET:
        return c, Say(Reply().say("ask_secret"))
    if c.stage == Stage.AWAIT_ORDER and not c.signed_in:
        return c, Say(Reply().say("ask_order"))
    return c, Say(Reply(suggestions=list(START_SUGGESTIONS)).say("not_understood"))


def _contact(c: Conversation, heard: Heard) -> Step | None:
    """A visitor asked for a way to be answered: an email or a phone hands over; an order
    with its proof goes the verified way (None: go on); anything else is asked again, then
    given up on."""
    if heard.order and heard.secret:
        c.stage = Stage.CHATTING
        return None
    reason = c.offer.reason if c.offer else HandOffReason.PERSON
    if not (heard.email or heard.phone) and heard.matched and heard.intent != Intent.PERSON:
        c.stage, c.offer = Stage.CHATTING, None  # another question: the hand-off is dropped
        return None
    if heard.email or heard.phone:
        order_id = c.offer.order_id if c.offer else None
        c.stage, c.offer = Stage.CHATTING, None
        return HandOver(reason, order_id, Contact(email=heard.email, phone=heard.phone))
    c.contact_misses += 1
    if c.contact_misses >= CONTACT_TRIES:
        c.stage, c.offer = Stage.CHATTING, None
        return Say(Reply(suggestions=list(START_SUGGESTIONS)).say("contact_give_up"))
    return Say(Reply().say("contact_missed"))


def _hand_over(
    c: Conversation, reason: HandOffReason, order_id: str | None, before: Reply | None = None
) -> tuple[Conversation, Step]:
    """A known customer is handed over at once; a visitor is asked how to be reached first
    (or to prove an order, which hands it over with the order)."""
    if c.known:
        return c, HandOver(reason, order_id, before=before)
    c.stage, c.offer = Stage.AWAIT_CONTACT, Offer(reason=reason, order_id=order_id)
    c.contact_misses = 0
    reply = before or Reply()
    return c, Say(reply.say("ask_contact"))


def _order_question(c: Conversation, heard: Heard, intent: Intent) -> tuple[Conversation, Step]:
    if c.signed_in:
        chosen = heard.order or (c.focus_order if c.stage != Stage.AWAIT_ORDER else None)
        c.stage, c.pending_intent, c.pending_order = Stage.CHATTING, None, None
        return c, AnswerOrder(intent, chosen)
    order = heard.order
    if order is None and c.stage == Stage.AWAIT_SECRET:
        order = c.pending_order
    if order is None and c.verified_orders and not heard.secret:
        c.stage, c.pending_intent, c.pending_order = Stage.CHATTING, None, None
        return c, AnswerOrder(intent, c.focus_order)
    proved = next(
        (o for o in c.verified_orders if order and order_key(o) == order_key(order)), None
    )
    if proved is not None:
        c.stage, c.pending_intent, c.pending_order, c.focus_order = (
            Stage.CHATTING,
            None,
            None,
            proved,
        )
        return c, AnswerOrder(intent, proved)
    if order and heard.secret:
        return c, Verify(order, heard.last_four, heard.email, intent)
    c.pending_intent = intent
    if order:
        c.stage, c.pending_order = Stage.AWAIT_SECRET, order
        return c, Say(Reply().say("ask_secret"))
    c.stage, c.pending_order = Stage.AWAIT_ORDER, None
    return c, Say(Reply().say("ask_order"))


# ---- after the service's step ----------------------------------------------------------------


def verified(
    conversation: Conversation, order_id: str, customer_id: str, intent: Intent
) -> tuple[Conversation, Step]:
    """The visitor proved the order: it is theirs to ask about from now on."""
    c = conversation.model_copy(deep=True)
    c.customer_id = customer_id
    if order_id not in c.verified_orders:
        c.verified_orders.append(order_id)
    c.focus_order, c.stage, c.pending_intent, c.pending_order = (
        order_id,
        Stage.CHATTING,
        None,
        None,
    )
    c.failed_verifications = 0
    if c.offer is not None:  # proved while waiting for a contact: hand over with the order
        offer, c.offer = c.offer, None
        return _hand_over(c, offer.reason, order_id)
    if intent == Intent.PERSON:
        return _hand_over(c, HandOffReason.PERSON, order_id)
    return c, AnswerOrder(intent, order_id)


def not_verified(
    conversation: Conversation, settings: AssistantSettings, locked: bool
) -> tuple[Conversation, Say]:
    """The same words whatever was wrong (no such order, another phone, a locked number):
    nothing says whether the order exists. After too many failures, or while locked, the
    visitor may leave a contact for an agent instead."""
    c = conversation.model_copy(deep=True)
    c.pending_order = None
    if not locked:
        c.failed_verifications += 1
    if locked or c.failed_verifications >= settings.failures_per_conversation:
        c.stage, c.offer, c.contact_misses = (
            Stage.AWAIT_CONTACT,
            Offer(reason=HandOffReason.NOT_VERIFIED),
            0,
        )
        return c, Say(Reply().say("verify_locked" if locked else "verify_give_up"))
    c.stage = Stage.AWAIT_ORDER
    return c, Say(Reply().say("verify_failed"))


def answered(
    conversation: Conversation, order_id: str, result: Answer
) -> tuple[Conversation, Step]:
    """An answer about an order: counted, the order kept in focus, its offer pending or its
    hand-off (a late delivery) next."""
    c = conversation.model_copy(deep=True)
    c.focus_order = order_id
    if result.reply.answered:
        c.answers += 1
    if result.handoff is not None:
        return _hand_over(c, result.handoff, order_id, before=result.reply)
    if result.offer is not None:
        c.stage, c.offer = Stage.AWAIT_CONFIRM, result.offer
    return c, Say(result.reply)


def offered(conversation: Conversation, reply: Reply, offer: Offer) -> tuple[Conversation, Say]:
    """An answer that ends in a question whose yes opens a request."""
    c = conversation.model_copy(deep=True)
    c.stage, c.offer = Stage.AWAIT_CONFIRM, offer
    reply.suggestions += [s for s in YES_NO if s not in reply.suggestions]
    return c, Say(reply)


def handed(
    conversation: Conversation,
    handoff: HandOff,
    at: datetime,
    before: Reply | None = None,
    existing: bool = False,
) -> tuple[Conversation, Say]:
    """Handed over: the customer is told the case number (or the pre-case's reference) and
    the conversation is settled."""
    c = conversation.model_copy(deep=True)
    c.handoff, c.outcome, c.stage, c.ended_at, c.offer = (
        handoff,
        Outcome.HANDED_OVER,
        Stage.CLOSED,
        at,
        None,
    )
    reply = before or Reply()
    if handoff.kind == "case":
        reply.say("handed_existing" if existing else "handed_case", number=handoff.number or "")
    else:
        reply.say("handed_precase", ref=handoff.id)
    return c, Say(reply)


def settle(conversation: Conversation, at: datetime) -> Conversation:
    """Nobody wrote for a while: the conversation ends, answered or abandoned."""
    from .assistant_state import settled_outcome

    c = conversation.model_copy(deep=True)
    c.outcome, c.stage, c.ended_at, c.offer = settled_outcome(c), Stage.CLOSED, at, None
    return c
