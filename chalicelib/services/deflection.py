"""Recording how new-case drafts ended (domain/deflection.py; docs/knowledge-base.md,
"Answers before a case is filed"): one report a draft, counted once on its Istanbul day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain.clock import utcnow
from ..domain.deflection import DraftReport, Recorded
from .ports import DeflectionStore


class DeflectionService:
    def __init__(self, store: DeflectionStore, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.clock = clock

    def record(self, report: DraftReport) -> Recorded:
        """Keep the draft's first report and count it; a repeat changes nothing and answers
        the outcome first reported (`recorded` false)."""
        recorded, outcome = self.store.record(report, self.clock())
        return Recorded(draft=report.draft, outcome=outcome, recorded=recorded)
