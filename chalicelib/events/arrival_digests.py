"""The arrivals digests' schedule entry point (every five minutes, app.py)."""

from __future__ import annotations

from .. import wiring


def send() -> None:
    """Send the groups' arrivals digests that are due; raises when some could not be sent, so
    the next run (or the schedule's retry) sends only those (services/arrival_digests.py)."""
    wiring.arrival_digests().send()
