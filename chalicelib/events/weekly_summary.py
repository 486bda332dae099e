"""The weekly summary's schedule entry point (Mondays 08:00 Istanbul, app.py)."""

from __future__ import annotations

from .. import wiring


def send() -> None:
    """Send last week's summary to every supervisor who has not had it; raises when some
    could not be sent, so the schedule's retry sends only those (services/weekly_summary.py)."""
    wiring.weekly_summary().send()
