"""Hand-off, never a dead end: the assistant opens a case (or a pre-case, as the shop set)
with the conversation on it, through the same use cases every other channel uses
(docs/assistant.md#hand-off).

- A known customer (signed in, or a visitor who proved an order) gets a case opened by
  `CaseService.open_by_destek` (channel `chat`, routed by the keyword rules on its subject
  and the customer's own words, like any case), with the order on it and the whole
  conversation as an internal note; or, when the shop hands over to pre-cases, a pre-case in
  the pool (`PreCasePool.receive`, its topic from the same rules).
- A visitor who proved nothing is only ever a pre-case, with the contact they left and not
  matched to any customer (as unverified mail is not).
- A delivery the late-delivery sweep already opened a case for is not opened twice: the
  customer is told that case's number.

The case's and the pre-case's ids are made of the conversation's (`stable_id`), so a
retried message opens nothing twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..domain.assistant_dialogue import Contact, HandOver
from ..domain.assistant_reply import Line
from ..domain.assistant_state import Conversation, HandOff, HandOffReason
from ..domain.case_kinds import CaseType, Channel, Priority
from ..domain.cases import SYSTEM, Case, CaseOrder, EntryKind, HistoryEntry, resolution_due
from ..domain.clock import utcnow
from ..domain.errors import DomainError, NotFound
from ..domain.ids import stable_id
from ..domain.limits import CASE_TEXT_BYTES, PRECASE_TEXT_BYTES, SHORT_TEXT_BYTES, fit_utf8
from ..domain.orders import Shipment, is_late
from ..domain.precases import Sender, SuggestedAction, mood_of
from ..domain.topics import topic_of
from ..messaging.assistant_words import AssistantWords
from ..observability import logger

#: the shop's language: what agents read (the case's subject, the transcript's labels)
SHOP_LANGUAGE = "tr"
TYPES = {
    HandOffReason.LATE: CaseType.COMPLAINT,
    HandOffReason.NOT_RECEIVED: CaseType.COMPLAINT,
    HandOffReason.NOTICE: CaseType.QUESTION,
    HandOffReason.CANCEL: CaseType.REQUEST,
    HandOffReason.RETURN: CaseType.REQUEST,
    HandOffReason.INVOICE: CaseType.REQUEST,
}


def transcript_text(conversation: Conversation, words: AssistantWords, contact: str = "") -> str:
    """The conversation as an agent reads it, in the shop's language: a title, then each
    message after whose it is, links on their own lines."""

    def say(key: str, **facts: Any) -> str:
        return words.line(Line(key, facts), SHOP_LANGUAGE)

    lines = [say("transcript_title", started=conversation.started_at)]
    if contact:
        lines.append(say("transcript_contact", contact=contact))
    for message in conversation.messages:
        who = say("transcript_customer" if message.author == "customer" else "transcript_bot")
        lines.append(f"{who}: {message.text}")
        lines += [f"  {link.url}" for link in message.links]
    return "\n".join(lines)


def customer_words(conversation: Conversation) -> str:
    """What the customer wrote, one message a line: what routing reads, and the case's
    description the customer sees as theirs."""
    return "\n".join(m.text for m in conversation.messages if m.author == "customer")


class HandOffs:
    def __init__(
        self,
        cases: Any,
        pool: Callable[[], Any],
        rules: Callable[[], list],
        records: Any,
        orders: Any,
        words: AssistantWords,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`cases`: CaseService; `pool()`: the pre-case pool (built on first use); `rules()`:
        the keyword routing rules; `records`: the shop's records (shipments); `orders`:
        OrderService (the order a case is about, checked against its customer)."""
        self.cases = cases
        self.pool = pool
        self.rules = rules
        self.records = records
        self.orders = orders
        self.words = words
        self.clock = clock

    def hand_over(
        self, conversation: Conversation, step: HandOver, handoff_to: str, today: Any
    ) -> tuple[HandOff, bool]:
        """Open what the step calls for: (what was opened, whether it existed before: the
        late-delivery sweep's case, or this conversation's own on a retry)."""
        if not conversation.known:
            return self._visitor(conversation, step), False
        if step.reason == HandOffReason.LATE and step.order_id:
            found = self._sweeps_case(conversation, step.order_id, today)
            if found is not None:
                return found, True
        if handoff_to == "precase":
            return self._precase(conversation, step, step.contact), False
        return self._case(conversation, step)

    # ---- a case --------------------------------------------------------------------------

    def _case(self, conversation: Conversation, step: HandOver) -> tuple[HandOff, bool]:
        case_id = stable_id("c", "assistant", conversation.id)
        existing = self.cases.opened(case_id)
        if existing is not None:
            return HandOff(
                kind="case", id=case_id, number=existing.number, reason=step.reason
            ), False
        now = self.clock()
        priority = Priority.HIGH if step.reason == HandOffReason.LATE else Priority.NORMAL
        text, _ = fit_utf8(customer_words(conversation) or self._subject(step), CASE_TEXT_BYTES)
        case = Case(
            id=case_id,
            type=TYPES.get(step.reason, CaseType.QUESTION),
            channel=Channel.CHAT,
            priority=priority,
            subject=self._subject(step),
            description=text,
            customer_id=conversation.customer_id or "",
            created_by=SYSTEM,
            created_at=now,
            updated_at=now,
            due_at=resolution_due(now, priority),
            order=self._order(conversation, step),
        )
        note, _ = fit_utf8(transcript_text(conversation, self.words), CASE_TEXT_BYTES)
        carried = [
            HistoryEntry(
                id=stable_id("h", case_id, "assistant"),
                case_id=case_id,
                at=now,
                actor=SYSTEM,
                kind=EntryKind.NOTE,
                body=note,
                data={"conversation_id": conversation.id},
            )
        ]
        opened = self.cases.open_by_destek(case, carried)
        logger.info(
            "assistant handed over",
            conversation_id=conversation.id,
            case_id=opened.id,
            reason=step.reason.value,
        )
        return HandOff(kind="case", id=opened.id, number=opened.number, reason=step.reason), False

    def _subject(self, step: HandOver) -> str:
        subject = self.words.word(f"case_subject_{step.reason.value}", SHOP_LANGUAGE)
        if step.order_id:
            subject = self.words.word("case_subject_order", SHOP_LANGUAGE).format(
                subject=subject, order=step.order_id
            )
        return fit_utf8(subject, SHORT_TEXT_BYTES // 4)[0]

    def _order(self, conversation: Conversation, step: HandOver) -> CaseOrder | None:
        """The order the case is about, checked against the customer's own partition (a
        conversation only holds orders it proved, but a case says only what is theirs)."""
        if not step.order_id or not conversation.customer_id:
            return None
        try:
            return self.orders.case_order(conversation.customer_id, step.order_id, None)
        except DomainError:
            return None

    def _sweeps_case(self, conversation: Conversation, order_id: str, today: Any) -> HandOff | None:
        """The case the late-delivery sweep opened for a late shipment of this order, if it
        did (its id is made of the shipment and its estimated day: services/late_deliveries)."""
        customer_id = conversation.customer_id or ""
        shipments: list[Shipment] = self.records.shipments(customer_id)
        for shipment in shipments:
            if shipment.order_id != order_id or not is_late(shipment, today):
                continue
            case_id = stable_id(
                "c", "late", customer_id, shipment.shipment_id, str(shipment.estimated_delivery)
            )
            found = self.cases.opened(case_id)
            if found is not None:
                return HandOff(
                    kind="case", id=found.id, number=found.number, reason=HandOffReason.LATE
                )
        return None

    # ---- a pre-case ----------------------------------------------------------------------

    def _visitor(self, conversation: Conversation, step: HandOver) -> HandOff:
        return self._precase(conversation, step, step.contact or Contact())

    def _precase(
        self, conversation: Conversation, step: HandOver, contact: Contact | None
    ) -> HandOff:
        from ..services.precases import Arrival

        precase_id = stable_id("p", "assistant", conversation.id)
        pool = self.pool()
        try:
            pool.get(precase_id)
            return HandOff(kind="precase", id=precase_id, reason=step.reason)
        except NotFound:
            pass
        words = customer_words(conversation)
        shown = " · ".join(x for x in (contact.email, contact.phone) if x) if contact else ""
        text, _ = fit_utf8(transcript_text(conversation, self.words, shown), PRECASE_TEXT_BYTES)
        phone = None
        if contact and contact.phone:
            from ..domain.phone import to_e164

            try:
                phone = to_e164(contact.phone)
            except DomainError:
                phone = None
        name = self.words.word("visitor_name", SHOP_LANGUAGE)
        mood = mood_of(words or text)
        refs = [f"assistant {conversation.id}", f"order {step.order_id}" if step.order_id else ""]
        pool.receive(
            Arrival(
                channel=Channel.CHAT,
                subject=self._subject(step),
                text=text,
                case_type=TYPES.get(step.reason, CaseType.QUESTION),
                sender=Sender(name=name, email=contact.email if contact else None, phone=phone),
                customer_id=conversation.customer_id,
                mood=mood,
                topic=topic_of(self.rules(), f"{self._subject(step)}\n{words}").id,
                suggested_action=SuggestedAction.REVIEW,
                source_ref=" · ".join(r for r in refs if r),
            ),
            precase_id=precase_id,
            match=False,
        )
        logger.info(
            "assistant handed over to the pool",
            conversation_id=conversation.id,
            precase_id=precase_id,
            reason=step.reason.value,
        )
        return HandOff(kind="precase", id=precase_id, reason=step.reason)
