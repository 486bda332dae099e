"""The assistant's settling schedule (every five minutes: app.py): conversations nobody wrote
to for the shop's `abandon_after_minutes` end, answered or abandoned (docs/assistant.md)."""

from __future__ import annotations

from .. import wiring
from ..observability import logger


def settle() -> None:
    done = wiring.assistant_service().sweep()
    logger.info("assistant conversations settled", **done)
