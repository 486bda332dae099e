"""The late-delivery sweep's schedule entry point (daily, 10:00 Istanbul: app.py)."""

from __future__ import annotations

from .. import wiring
from ..observability import logger


def sweep() -> None:
    """Act on shipments whose estimated delivery day has passed (services/late_deliveries.py);
    a failed one is left for the next run."""
    done = wiring.late_deliveries().sweep()
    logger.info("late deliveries swept", **done)
