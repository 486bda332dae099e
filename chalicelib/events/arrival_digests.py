"""The arrivals digests' schedule entry point (every five minutes, app.py)."""

from __future__ import annotations

from .. import wiring
from ..domain.clock import from_iso


def send(fired_at: str | None = None) -> None:
    """Send the groups' arrivals digests due at the schedule's time (`fired_at`, the
    EventBridge event's `time`, ISO UTC; none: now), so a retried run looks at the same
    windows. Raises when some could not be sent, so the next run (or the retry) sends only
    those (services/arrival_digests.py)."""
    wiring.arrival_digests().send(from_iso(fired_at) if fired_at else None)
