"""What the shop's backend hands over about a customer's trouble: a case, a chat transcript.

A case the shop opens (a return form on its site, a failed payment it noticed)
was filed by no agent, so it waits in the pre-case pool like an email would:
an agent reads it before it gets a number, an SLA clock and a customer notice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain.case_kinds import CaseType, Channel
from ..domain.chats import ChatMessage, ChatTranscript
from ..domain.clock import utcnow
from ..domain.model import Model
from ..domain.precases import Sender, SuggestedAction, mood_of, suggest
from ..domain.topics import topic_of
from .intake_commands import ShopCase, ShopChat
from .ports import DirectoryStore, ShopRecords
from .precases import Arrival, PreCasePool
from .shop_sync import ShopSync


class PreCaseOpened(Model):
    precase_id: str
    customer_id: str
    topic: str


class ChatKept(Model):
    transcript_id: str
    customer_id: str
    messages: int


class ShopIntake:
    def __init__(
        self,
        sync: ShopSync,
        pool: PreCasePool,
        records: ShopRecords,
        directory: DirectoryStore,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sync = sync
        self.pool = pool
        self.records = records
        self.directory = directory
        self.clock = clock

    def open_case(self, shop_id: str, data: ShopCase) -> PreCaseOpened:
        customer = self.sync.customer(data.customer_number)
        text = f"{data.subject}\n{data.description}"
        mood = mood_of(text)
        topic = topic_of(self.directory.list_rules(), text)
        refs = [f"order {data.order_id}" if data.order_id else "", data.reference or ""]
        pre = self.pool.receive(
            Arrival(
                channel=Channel.API,
                subject=data.subject,
                text=data.description,
                case_type=data.type,
                sender=Sender(name=customer.name, email=customer.email, phone=customer.phone),
                customer_id=customer.id,
                mood=mood,
                topic=topic.id,
                suggested_action=(
                    suggest(mood, bool(customer.phone))
                    if data.type == CaseType.COMPLAINT
                    else SuggestedAction.REVIEW
                ),
                source_ref=" · ".join([f"shop {shop_id}", *(r for r in refs if r)]),
            )
        )
        return PreCaseOpened(precase_id=pre.id, customer_id=customer.id, topic=topic.id)

    def keep_chat(self, data: ShopChat) -> ChatKept:
        customer = self.sync.customer(data.customer_number)
        chat = ChatTranscript(
            id=data.transcript_id,
            customer_id=customer.id,
            bot=data.bot,
            started_at=data.started_at,
            ended_at=data.ended_at,
            outcome=data.outcome,
            messages=[ChatMessage(**m.model_dump()) for m in data.messages],
        )
        self.records.put_chat(chat)
        return ChatKept(transcript_id=chat.id, customer_id=customer.id, messages=len(chat.messages))
