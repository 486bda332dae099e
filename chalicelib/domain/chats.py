"""Chatbot conversations the shop's site had with a customer, kept for the customer 360.

The bot is the shop's; destek keeps the transcript so the agent who picks up the
phone next sees what the customer already tried, as Zendesk shows a messaging
conversation beside the ticket.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from .model import Model


class ChatMessage(Model):
    author: Literal["customer", "bot", "agent"]
    text: str
    at: datetime


class ChatTranscript(Model):
    id: str
    customer_id: str
    bot: str
    started_at: datetime
    ended_at: datetime | None = None
    outcome: Literal["answered", "handed_over", "abandoned"] = "answered"
    messages: list[ChatMessage]


class PreCaseLine(Model):
    """A customer's pre-case still waiting for an agent, as the 360 lists it."""

    id: str
    channel: str
    subject: str
    received_at: datetime
    status: str
    assignee: str | None = None
