"""The call log: every phone call with a customer, inbound or outbound, with its outcome.

Calls are kept in the customer's partition (newest first by start time), so the
customer 360 reads them with everything else; a call may point at a case.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from .cases import Actor
from .model import Model


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class Outcome(StrEnum):
    ANSWERED = "answered"
    MISSED = "missed"
    VOICEMAIL = "voicemail"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    CALLBACK_REQUESTED = "callback_requested"


class Call(Model):
    id: str
    customer_id: str
    case_id: str | None = None
    direction: Direction
    number: str  # E.164
    started_at: datetime
    duration_seconds: int = Field(ge=0)
    outcome: Outcome
    notes: str | None = None
    agent: Actor
    recorded_at: datetime
