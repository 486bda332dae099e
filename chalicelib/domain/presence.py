"""Presence on a case: who else is looking at it or answering it now (docs/views-and-presence.md).

The case screen says every `POLL_SECONDS` that its reader is `viewing` the case, or
`replying` (text in the reply box); each say is kept `TTL` from its time. Whoever is seen
within the TTL is present; an older mark (a closed tab, a lost network) is simply left out,
and DynamoDB's TTL deletes the item later. Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from .model import Model, Strict

Mode = Literal["viewing", "replying"]
#: how long one mark counts (the console says again every 15 s: four missed polls)
TTL = timedelta(seconds=60)
POLL_SECONDS = 15


class PresenceInput(Strict):
    """`mode`: `viewing` the case or `replying` to it (something typed in the reply box)."""

    mode: Mode = "viewing"


class Present(Model):
    """Another staff member on the case: `at` is when they were last seen (UTC)."""

    username: str
    mode: Mode
    at: datetime


class PresenceAnswer(Model):
    """Who else is on the case now, and the case's current version and status: a reader
    whose version is older knows the case changed meanwhile (someone replied, moved it) and
    can refresh it without a reload."""

    case_id: str
    version: int
    status: str
    others: list[Present] = Field(default_factory=list)
    poll_seconds: int = POLL_SECONDS


def present(marks: list[Present], me: str, now: datetime) -> list[Present]:
    """The marks of others seen within the TTL, replying first, then by name."""
    live = [m for m in marks if m.username != me and now - m.at < TTL]
    return sorted(live, key=lambda m: (m.mode != "replying", m.username))


def expires_at(now: datetime) -> int:
    """The mark's TTL attribute: epoch seconds when DynamoDB may delete it (a day after it
    stopped counting; reads never rely on the deletion)."""
    return int((now + TTL + timedelta(days=1)).timestamp())
