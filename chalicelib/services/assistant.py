"""The assistant's use cases: start a conversation, take a message and answer it, settle the
conversations nobody writes to any more, the shop's settings (docs/assistant.md).

A message is one turn: understood (domain/assistant_nlu.py), decided
(domain/assistant_dialogue.py), the step done with destek's data (proving an order,
reading it, handing over), answered in the conversation's language, and written with the
conversation in one conditional write at the version read. Two requests at once: one
writes, the other reads the conversation again and takes its turn after it; the same
message sent again (its `client_message_id`) gets its first answer back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..domain import assistant_dialogue as dialogue
from ..domain.assistant_answers import answer, is_cancelled
from ..domain.assistant_dialogue import AnswerOrder, HandOver, Say, Step, Verify, order_key
from ..domain.assistant_nlu import understand
from ..domain.assistant_reply import Reply
from ..domain.assistant_state import (
    MAX_MESSAGES,
    AssistantSettings,
    Conversation,
    ConversationChanged,
    HandOffReason,
    Message,
    Offer,
    Stage,
)
from ..domain.assistant_verify import proves
from ..domain.caller import Caller
from ..domain.clock import utcnow
from ..domain.errors import Conflict, NotFound
from ..domain.ids import new_id
from ..domain.orders import Order, Shipment, delivered_at, is_delivered_status
from ..messaging.assistant_words import AssistantWords
from ..observability import logger
from .assistant_commands import (
    AssistantSettingsChange,
    ConversationView,
    MessageAnswer,
    SendMessage,
    ShownHandOff,
    ShownMessage,
    StartConversation,
)
from .assistant_facts import OrderFactsReader
from .assistant_handoff import HandOffs

#: tries of one message against writes of the same conversation that came first
WRITE_TRIES = 3
#: steps one message may take (verify, answer, hand over): a loop is a bug, not a hang
MAX_STEPS = 6


class ConversationClosed(Conflict):
    """The conversation was handed over or ended: start a new one (409)."""

    code = "conversation_closed"


def shown(message: Message) -> ShownMessage:
    return ShownMessage(
        **message.model_dump(include={"id", "author", "text", "at", "links", "suggestions"})
    )


def shown_handoff(conversation: Conversation) -> ShownHandOff | None:
    h = conversation.handoff
    if h is None:
        return None
    if h.kind == "case":
        return ShownHandOff(kind="case", number=h.number)
    return ShownHandOff(kind="precase", reference=h.id)


def view(conversation: Conversation) -> ConversationView:
    return ConversationView(
        id=conversation.id,
        language=conversation.language,
        status="closed" if conversation.closed else "open",
        signed_in=conversation.signed_in,
        outcome=conversation.outcome.value if conversation.outcome else None,
        handoff=shown_handoff(conversation),
        messages=[shown(m) for m in conversation.messages],
    )


def _on_its_way(order: Order, shipments: list[Shipment]) -> bool:
    """Not delivered yet: a shipment not delivered, or none yet and not cancelled."""
    own = [s for s in shipments if s.order_id == order.order_id]
    if own:
        return any(delivered_at(s) is None for s in own)
    return not (is_delivered_status(order.status) or is_cancelled(order.status))


class AssistantService:
    def __init__(
        self,
        store: Any,
        facts: OrderFactsReader,
        handoffs: HandOffs,
        words: AssistantWords,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`store`: store/assistant.py (conversations, limits, settings, day counters)."""
        self.store = store
        self.facts = facts
        self.handoffs = handoffs
        self.words = words
        self.clock = clock

    # ---- settings ------------------------------------------------------------------------

    def settings(self) -> AssistantSettings:
        return self.store.settings()

    def save_settings(self, caller: Caller, change: AssistantSettingsChange) -> AssistantSettings:
        settings = AssistantSettings(
            **change.model_dump(exclude={"updated_at", "updated_by"}),
            updated_at=self.clock(),
            updated_by=caller.principal.username,
        )
        self.store.save_settings(settings)
        return settings

    # ---- conversations -------------------------------------------------------------------

    def start(self, caller: Caller | None, body: StartConversation) -> ConversationView:
        """A new conversation with the assistant's greeting; a signed-in customer's is theirs
        (its messages are refused to anyone else), a visitor's belongs to whoever holds its
        id."""
        now = self.clock()
        customer_id = caller.principal.customer_id if caller else None
        conversation = Conversation(
            id=new_id("v"),
            language=body.language,
            started_at=now,
            last_at=now,
            signed_in=bool(customer_id),
            customer_id=customer_id,
        )
        conversation.messages.append(
            self._said(
                conversation, dialogue.greeting(conversation), f"{conversation.id}.0", None, now
            )
        )
        saved = self.store.save(conversation, 0, self.store.settings())
        return view(saved)

    def get(self, caller: Caller | None, conversation_id: str) -> ConversationView:
        conversation = self._load(caller, conversation_id)
        settings = self.store.settings()
        if not conversation.closed and self.clock() >= conversation.idle_at(settings):
            conversation = self._settle(conversation, settings) or conversation
        return view(conversation)

    def send(
        self, caller: Caller | None, conversation_id: str, body: SendMessage, client: str
    ) -> MessageAnswer:
        """Take one message and answer it. `client`: the caller's address (the verification
        limits count per address). NotFound for another customer's conversation,
        ConversationClosed once it was handed over or ended."""
        for _ in range(WRITE_TRIES):
            conversation = self._load(caller, conversation_id)
            earlier = conversation.answer_to(body.client_message_id)
            if earlier is not None:
                return self._answer(conversation, earlier)
            if conversation.closed:
                raise ConversationClosed("this conversation has ended; start a new one")
            settings = self.store.settings()
            now = self.clock()
            if now >= conversation.idle_at(settings):
                self._settle(conversation, settings)
                raise ConversationClosed("this conversation has ended; start a new one")
            turn = self._turn(conversation, body, settings, client, now)
            try:
                saved = self.store.save(
                    turn, conversation.version, settings, settled=turn.outcome is not None
                )
            except ConversationChanged:
                continue  # another message came first: take this one after it
            return self._answer(saved, saved.messages[-1])
        raise Conflict("the conversation is busy; send the message again", code="conversation_busy")

    def _load(self, caller: Caller | None, conversation_id: str) -> Conversation:
        conversation = self.store.get(conversation_id)
        if conversation is None:
            raise NotFound("no such conversation")
        if conversation.signed_in:
            mine = caller.principal.customer_id if caller else None
            if mine != conversation.customer_id:
                raise NotFound("no such conversation")
        return conversation

    def _answer(self, conversation: Conversation, message: Message) -> MessageAnswer:
        return MessageAnswer(
            conversation_id=conversation.id,
            status="closed" if conversation.closed else "open",
            answer=shown(message),
            handoff=shown_handoff(conversation),
        )

    def _said(
        self,
        conversation: Conversation,
        reply: Reply,
        message_id: str,
        reply_to: str | None,
        at: datetime,
    ) -> Message:
        text, links, suggestions = self.words.render(reply, conversation.language)
        return Message(
            id=message_id,
            author="bot",
            text=text,
            at=at,
            reply_to=reply_to,
            links=links,
            suggestions=suggestions,
            answered=reply.answered,
        )

    # ---- one turn ------------------------------------------------------------------------

    def _turn(
        self,
        conversation: Conversation,
        body: SendMessage,
        settings: AssistantSettings,
        client: str,
        now: datetime,
    ) -> Conversation:
        heard = understand(body.text, conversation.stage.expecting)
        c = conversation.model_copy(deep=True)
        c.messages.append(
            Message(
                id=body.client_message_id,
                author="customer",
                text=body.text,
                at=now,
                intent=heard.intent,
            )
        )
        c.last_at = now
        if len(c.messages) + 2 >= MAX_MESSAGES:  # no room for another exchange after this
            step: Step = HandOver(HandOffReason.TOO_LONG, c.focus_order)
            if not c.known:
                c = dialogue.settle(c, now)
                step = Say(Reply().say("contact_give_up"))
        else:
            c, step = dialogue.decide(c, heard, settings)
        for _ in range(MAX_STEPS):
            if isinstance(step, Say):
                break
            c, step = self._do(c, step, settings, client, now)
        else:
            raise RuntimeError("the assistant's steps did not end in an answer")
        c.messages.append(
            self._said(c, step.reply, f"{body.client_message_id}.a", body.client_message_id, now)
        )
        return c

    def _do(
        self, c: Conversation, step: Step, settings: AssistantSettings, client: str, now: datetime
    ) -> tuple[Conversation, Step]:
        if isinstance(step, Verify):
            return self._verify(c, step, settings, client, now)
        if isinstance(step, AnswerOrder):
            return self._answer_order(c, step)
        if isinstance(step, HandOver):
            handoff, existing = self.handoffs.hand_over(
                c, step, settings.handoff_to, self.facts.today()
            )
            return dialogue.handed(c, handoff, now, step.before, existing)
        raise TypeError(f"unknown step {step!r}")

    def _verify(
        self, c: Conversation, step: Verify, settings: AssistantSettings, client: str, now: datetime
    ) -> tuple[Conversation, Step]:
        """The order and its proof, within the limits: the same answer for a number that
        does not exist, a wrong phone or email, and a locked number or address."""
        key, hour = order_key(step.order), int(now.timestamp() // 3600)
        if c.failed_verifications >= settings.failures_per_conversation:
            return dialogue.not_verified(c, settings, locked=True)  # no more guesses here
        by_order, by_address = self.store.failures(key, client, hour)
        if by_order >= settings.failures_per_order or by_address >= settings.failures_per_address:
            logger.warning("assistant verification locked", conversation_id=c.id)
            return dialogue.not_verified(c, settings, locked=True)
        found = self.facts.by_number(step.order)
        ok = (
            found is not None
            and proves(found[1], step.last_four, step.email)
            and c.customer_id in (None, found[1].id)
        )
        if not ok or found is None:
            self.store.add_failure(key, client, hour)
            return dialogue.not_verified(c, settings, locked=False)
        order, customer = found
        return dialogue.verified(c, order.order_id, customer.id, step.intent)

    def _answer_order(self, c: Conversation, step: AnswerOrder) -> tuple[Conversation, Step]:
        customer_id = c.customer_id or ""
        shipments = None
        if step.order is not None:
            order = self.facts.own(customer_id, step.order)
            if order is None:
                return c, Say(Reply().say("order_not_found_mine", order=step.order))
        else:
            orders, shipments = self.facts.recent(customer_id)
            if not orders:
                return dialogue.offered(
                    c, Reply().say("no_orders"), Offer(reason=HandOffReason.PERSON)
                )
            order = self._choose(c, step, orders, shipments)
            if order is None:
                on_way = [o.order_id for o in orders if _on_its_way(o, shipments)]
                c = c.model_copy(update={"stage": Stage.AWAIT_ORDER, "pending_intent": step.intent})
                reply = Reply(suggestions=list(on_way[:4])).say(
                    "which_order", orders=", ".join(on_way)
                )
                return c, Say(reply)
        facts = self.facts.facts(order, c.language, shipments)
        return dialogue.answered(c, order.order_id, answer(step.intent, facts))

    @staticmethod
    def _choose(
        c: Conversation, step: AnswerOrder, orders: list[Order], shipments: list[Shipment]
    ) -> Order | None:
        """The order a signed-in customer means without saying: the one in focus, else the
        only one on its way, else (none on its way) the newest; None: several on their way."""
        by_id = {o.order_id: o for o in orders}
        if c.focus_order in by_id:
            return by_id[c.focus_order]
        on_way = [o for o in orders if _on_its_way(o, shipments)]
        if len(on_way) == 1:
            return on_way[0]
        return orders[0] if not on_way else None

    # ---- settling ------------------------------------------------------------------------

    def _settle(
        self, conversation: Conversation, settings: AssistantSettings
    ) -> Conversation | None:
        settled = dialogue.settle(conversation, self.clock())
        try:
            return self.store.save(settled, conversation.version, settings, settled=True)
        except ConversationChanged:
            return None  # someone wrote or settled it meanwhile

    def sweep(self) -> dict[str, int]:
        """Settle every open conversation nobody wrote to for `abandon_after_minutes`:
        answered or abandoned, counted on its day, its transcript on the customer's 360.
        Reads only conversations gone quiet (the sparse `outbox` index)."""
        settings = self.store.settings()
        now = self.clock()
        done = {"settled": 0, "skipped": 0}
        cursor = None
        while True:
            ids, cursor = self.store.idle(now, cursor)
            for conversation_id in ids:
                conversation = self.store.get(conversation_id)
                if (
                    conversation is None
                    or conversation.closed
                    or now < conversation.idle_at(settings)
                ):
                    done["skipped"] += 1
                    continue
                done["settled" if self._settle(conversation, settings) else "skipped"] += 1
            if not cursor:
                return done
