"""The assistant's conversations, their idle index, the verification limits, the settings and
the day counters (docs/assistant.md; key layout in chalicelib/store/README.md).

- a conversation: `PK = ASSIST#<id>`, `SK = #CONV`, the whole state and its messages in one
  item, written at its `version` (`attribute_not_exists` for the first, `version = :read`
  after); kept CONVERSATION_DAYS by the table's TTL (a known customer's transcript stays
  on their 360);
- while open it carries `outbox_pk = ASSISTANT_IDLE`, `outbox_sk = <idle at>#<id>`: the
  settling sweep reads only conversations gone quiet, from the sparse `outbox` index;
- settling one (handed over, or gone quiet) is one transaction: the conversation at its
  version, its day's counters (`ASSISTDAY#<yyyy-mm>` / `<day>`, ADD) and, for a known
  customer, the chatbot transcript on their 360 (`CUSTOMER#<id>` / `CHAT#<started>#<id>`,
  the shop's chats' shape): counted once, whoever settles it;
- failed order proofs per hour: `ASSISTFAIL#order#<order number>` and
  `ASSISTFAIL#address#<client address>`, `SK = <hours since the epoch>`, `ADD failures`,
  gone by TTL after two hours.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..domain.assistant_state import (
    COUNTERS,
    AssistantDay,
    AssistantSettings,
    Conversation,
    ConversationChanged,
    Message,
)
from ..domain.chats import ChatMessage, ChatTranscript
from ..domain.clock import ISTANBUL, to_iso
from . import keys
from .dynamo import Table, TransactionCanceled
from .reports import months

CONVERSATION_DAYS = 90
PAGE = 100
#: the name the transcripts carry on the 360 (`bot`)
BOT = "destek"


def _day(moment: datetime) -> str:
    return moment.astimezone(ISTANBUL).date().isoformat()


def transcript(conversation: Conversation) -> ChatTranscript:
    """The conversation as the customer 360 shows a shop's chat (domain/chats.py): the
    assistant's links follow its text, one a line."""

    def text(message: Message) -> str:
        return "\n".join([message.text, *(link.url for link in message.links)])

    return ChatTranscript(
        id=conversation.id,
        customer_id=conversation.customer_id or "",
        bot=BOT,
        started_at=conversation.started_at,
        ended_at=conversation.ended_at,
        outcome=conversation.outcome.value if conversation.outcome else "answered",
        messages=[
            ChatMessage(author=m.author, text=text(m), at=m.at) for m in conversation.messages
        ],
    )


class DynamoAssistantStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- conversations -------------------------------------------------------------------

    def get(self, conversation_id: str) -> Conversation | None:
        item = self.table.get(keys.conversation_key(conversation_id))
        return Conversation.model_validate(item) if item else None

    def _item(self, conversation: Conversation, settings: AssistantSettings) -> dict[str, Any]:
        item = {
            **conversation.model_dump(mode="json"),
            **keys.conversation_key(conversation.id),
            "entity": "conversation",
            "expires_at": int(
                (conversation.started_at + timedelta(days=CONVERSATION_DAYS)).timestamp()
            ),
        }
        if conversation.outcome is None:
            idle = to_iso(conversation.idle_at(settings))
            item |= {"outbox_pk": keys.ASSISTANT_IDLE, "outbox_sk": f"{idle}#{conversation.id}"}
        return item

    def save(
        self,
        conversation: Conversation,
        read_version: int,
        settings: AssistantSettings,
        settled: bool = False,
    ) -> Conversation:
        """Write the conversation at `read_version + 1` if it is still at `read_version` (0:
        a new one); `settled`: it ended with this write, so its day's counters and, for a
        known customer, its transcript on the 360 go in the same transaction.
        ConversationChanged when another write came first."""
        saved = conversation.model_copy(update={"version": read_version + 1})
        put: dict[str, Any] = {"Item": self._item(saved, settings)}
        if read_version:
            put |= {
                "ConditionExpression": "version = :read",
                "ExpressionAttributeValues": {":read": read_version},
            }
        else:
            put["ConditionExpression"] = "attribute_not_exists(PK)"
        operations: list[dict[str, Any]] = [{"Put": put}]
        if settled and saved.outcome is not None:
            operations.append(self._count(saved))
            if saved.customer_id:
                chat = transcript(saved)
                key = keys.chat_key(chat.customer_id, to_iso(chat.started_at), chat.id)
                operations.append(
                    {"Put": {"Item": {**chat.model_dump(mode="json"), **key, "entity": "chat"}}}
                )
        try:
            if len(operations) == 1:
                self.table.put(
                    put["Item"], put["ConditionExpression"], put.get("ExpressionAttributeValues")
                )
            else:
                self.table.transact(operations)
        except TransactionCanceled as exc:
            if exc.reasons and exc.reasons[0].code == "ConditionalCheckFailed":
                raise ConversationChanged("the conversation changed; read it again") from exc
            raise
        except self.table.client.exceptions.ConditionalCheckFailedException as exc:
            raise ConversationChanged("the conversation changed; read it again") from exc
        return saved

    @staticmethod
    def _count(conversation: Conversation) -> dict[str, Any]:
        outcome = conversation.outcome.value if conversation.outcome else "abandoned"
        return {
            "Update": {
                "Key": keys.assistant_day_key(_day(conversation.started_at)),
                "UpdateExpression": "ADD conversations :one, #o :one SET entity = :e",
                "ExpressionAttributeNames": {"#o": outcome},
                "ExpressionAttributeValues": {":one": 1, ":e": "assistant_day"},
            }
        }

    def idle(self, now: datetime, cursor: str | None) -> tuple[list[str], str | None]:
        """A page of the ids of open conversations nobody wrote to until `now`."""
        found, next_cursor = self.table.query(
            ("outbox_pk", keys.ASSISTANT_IDLE),
            index="outbox",
            sort_before=to_iso(now),
            limit=PAGE,
            cursor=cursor,
        )
        return [i["outbox_sk"].rsplit("#", 1)[1] for i in found], next_cursor

    # ---- verification limits -------------------------------------------------------------

    def failures(self, order: str, address: str, hour: int) -> tuple[int, int]:
        """Failed proofs this hour: (of the order number, from the address)."""
        wanted = [
            keys.verify_failure_key("order", order, hour),
            keys.verify_failure_key("address", address, hour),
        ]
        found = {i["PK"]: int(i.get("failures", 0)) for i in self.table.batch_get(wanted)}
        return found.get(wanted[0]["PK"], 0), found.get(wanted[1]["PK"], 0)

    def add_failure(self, order: str, address: str, hour: int) -> None:
        expires = (hour + 2) * 3600
        self.table.transact(
            [
                {
                    "Update": {
                        "Key": keys.verify_failure_key(scope, value, hour),
                        "UpdateExpression": "ADD failures :one SET expires_at = :x, entity = :e",
                        "ExpressionAttributeValues": {
                            ":one": 1,
                            ":x": expires,
                            ":e": "assistant_failures",
                        },
                    }
                }
                for scope, value in (("order", order), ("address", address))
            ]
        )

    # ---- settings and the day counters ---------------------------------------------------

    def settings(self) -> AssistantSettings:
        item = self.table.get(keys.ASSISTANT_SETTINGS)
        return AssistantSettings.model_validate(item) if item else AssistantSettings()

    def save_settings(self, settings: AssistantSettings) -> None:
        self.table.put(
            {
                **settings.model_dump(mode="json"),
                **keys.ASSISTANT_SETTINGS,
                "entity": "assistant_settings",
            }
        )

    def days(self, start: date, end: date) -> list[AssistantDay]:
        """The counters of each day in [start, end] that has any: one Query a month."""
        found = []
        for month, first, last in months(start, end):
            items = self.table.query_all(("PK", f"ASSISTDAY#{month}"), sort_between=(first, last))
            found += [
                AssistantDay(day=i["SK"], **{c: int(i.get(c, 0)) for c in COUNTERS}) for i in items
            ]
        return found
