"""The assistant's settings and the small shapes its API declares at import (kept apart from
the conversation engine, so that registering the routes loads no more than these: the
cold-start budget)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from .model import Model

#: characters of one customer message
MAX_TEXT = 500


class Link(Model):
    """A link an answer carries (the carrier's tracking page), shown as a link, never HTML."""

    url: str
    label: str


class AssistantSettings(Model):
    """The shop's choices. `handoff_to`: a case (routed by the keyword rules, with its
    number told to the customer) or a pre-case (an agent reads it first). The verification
    limits count failed attempts per hour, per order number and per client address."""

    handoff_to: Literal["case", "precase"] = "case"
    unknowns_before_handoff: Annotated[int, Field(ge=1, le=5)] = 2
    abandon_after_minutes: Annotated[int, Field(ge=5, le=1440)] = 30
    failures_per_order: Annotated[int, Field(ge=1, le=20)] = 5
    failures_per_address: Annotated[int, Field(ge=1, le=100)] = 10
    failures_per_conversation: Annotated[int, Field(ge=1, le=10)] = 3
    updated_at: datetime | None = None
    updated_by: str | None = None
