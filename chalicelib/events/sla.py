"""The SLA sweep's schedule entry point."""

from __future__ import annotations

from .. import wiring
from ..observability import logger


def sweep() -> int:
    recorded = wiring.sla_sweep().run()
    logger.info("sla sweep done", events=recorded)
    return recorded
