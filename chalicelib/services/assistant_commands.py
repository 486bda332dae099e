"""What callers send to the assistant and what it answers (docs/assistant.md#the-api).

Request and answer models only: the API registers its routes with them at import, while
the service and the conversation engine load on first use (cold start).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from ..domain.assistant_settings import MAX_TEXT, AssistantSettings, Link
from ..domain.charsets import strip_c1
from ..domain.model import Model, Strict

ClientMessageId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]


class StartConversation(Strict):
    """`language`: the language the assistant answers in (the page's)."""

    language: Literal["tr", "en"] = "tr"


class SendMessage(Strict):
    """A customer's message. `client_message_id`: the client's own id for it (8-64 of
    `A-Z a-z 0-9 _ -`); sent again with the same id (a retry after a lost answer), the first
    answer comes back and nothing is done twice."""

    client_message_id: ClientMessageId
    text: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TEXT),
        AfterValidator(strip_c1),
    ]


class AssistantSettingsChange(AssistantSettings):
    """The settings as an admin sends them (every field; unknown ones refused)."""

    model_config = Strict.model_config


class ShownMessage(Model):
    """A message as the widget shows it: `author` customer or bot; the assistant's carry
    `links` (shown as links, never as HTML) and `suggestions` (short answers to offer)."""

    id: str
    author: Literal["customer", "bot"]
    text: str
    at: datetime
    links: list[Link] = Field(default_factory=list)
    suggestions: list[str] = Field(default_factory=list)


class ShownHandOff(Model):
    """Where the conversation went: a case and its number, or a pre-case and its
    reference (the pre-case's id)."""

    kind: Literal["case", "precase"]
    number: str | None = None
    reference: str | None = None


class ConversationView(Model):
    """A conversation: `status` open (write on) or closed (handed over or ended: a new one
    is started for the next question)."""

    id: str
    language: Literal["tr", "en"]
    status: Literal["open", "closed"]
    signed_in: bool
    outcome: Literal["answered", "handed_over", "abandoned"] | None = None
    handoff: ShownHandOff | None = None
    messages: list[ShownMessage]


class MessageAnswer(Model):
    """The assistant's answer to one message, and where the conversation stands."""

    conversation_id: str
    status: Literal["open", "closed"]
    answer: ShownMessage
    handoff: ShownHandOff | None = None
