"""The satisfaction deviation alert's schedule entry point (Mondays 08:30 Istanbul, app.py)."""

from __future__ import annotations

from .. import wiring


def send() -> None:
    """Tell supervisors of last week's significant falls in satisfaction, each once; raises
    when some could not be sent, so the schedule's retry sends only those
    (services/satisfaction_alerts.py)."""
    wiring.satisfaction_alerts().send()
