"""The assistant ("Kargom nerede?"): public conversations for the site's widget and the
shop's own apps, a signed-in customer's token optional; the shop's settings; the day report
is `GET /reports/assistant` (docs/assistant.md)."""

from __future__ import annotations

from chalice import Blueprint

from .. import wiring
from ..domain.caller import Caller
from ..domain.permissions import Action, Resource
from ..services.assistant_commands import (
    AssistantSettingsChange,
    ConversationView,
    MessageAnswer,
    SendMessage,
    StartConversation,
)
from .endpoint import client_address, endpoint

bp = Blueprint(__name__)
SETTINGS = "chalicelib.domain.assistant_settings:AssistantSettings"


@endpoint(
    bp, "/assistant/conversations", "POST", audience="public", rate_limit=20,
    optional_customer=True, body=StartConversation, status=201, response=ConversationView,
)  # fmt: skip
def start_conversation(caller: Caller | None, body: StartConversation):
    """Start a conversation with the assistant: its greeting. With a customer's token it is
    theirs (their own orders, no verification); without, the visitor proves an order first."""
    return wiring.assistant_service().start(caller, body)


@endpoint(
    bp, "/assistant/conversations/{conversation_id}", audience="public", rate_limit=30,
    optional_customer=True, response=ConversationView,
)  # fmt: skip
def read_conversation(caller: Caller | None, conversation_id: str):
    """A conversation with its messages (a page reloaded picks it up again). A signed-in
    customer's conversation is 404 for anyone else."""
    return wiring.assistant_service().get(caller, conversation_id)


@endpoint(
    bp, "/assistant/conversations/{conversation_id}/messages", "POST", audience="public",
    rate_limit=30, optional_customer=True, body=SendMessage, response=MessageAnswer,
)  # fmt: skip
def send_message(caller: Caller | None, conversation_id: str, body: SendMessage):
    """Send a message, get the assistant's answer. The same `client_message_id` again gets
    the first answer back; 409 `conversation_closed` once it was handed over or ended."""
    client = client_address(bp.current_request)
    return wiring.assistant_service().send(caller, conversation_id, body, client)


@endpoint(
    bp, "/assistant/settings", permission=(Resource.CARRIERS, Action.READ), response=SETTINGS
)  # fmt: skip
def assistant_settings(caller: Caller):
    """The assistant's settings: case or pre-case on hand-off, unknowns before it, minutes
    before a quiet conversation ends, verification limits."""
    return wiring.assistant_service().settings()


@endpoint(
    bp, "/assistant/settings", "PUT", permission=(Resource.CARRIERS, Action.EDIT),
    body=AssistantSettingsChange, response=SETTINGS,
)  # fmt: skip
def save_assistant_settings(caller: Caller, body: AssistantSettingsChange):
    """Set them (every field)."""
    return wiring.assistant_service().save_settings(caller, body)
