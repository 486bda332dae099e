"""Weekly satisfaction per dimension value, read from the standard reports' counters (the
`SatisfactionHistory` port of services/ports.py, for the deviation alert).

The CSAT counters of a day and cell, as the report projection adds them for a customer's
rating (domain/report_projection.py `rating_counters`, prefix `rt`): `rt_n` (ratings),
`rt_sat` (of them, satisfied: 4–5 on 1–5) and `rt_s<v>` (ratings of score v). The scores
agents recorded from the phone (`rta_*`) are left out: the alert watches what customers
said themselves. The names are `RESPONSES`, `SATISFIED` and `SCORE_PREFIX` below.

Access pattern: one slice (`group`, `category`, `agent`) for the days of every week asked
(nine weeks: 63 days), one Query per month and projection version those days touch
(services/reports.py `_segments`), reading days × the slice's values with counters those
days. Cells of no value (`~`: a case with no group, agent or category) are left out.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..domain.report_projection import ALL, NONE
from ..domain.satisfaction_alerts import WeekTally
from ..domain.survey_stats import Distribution, from_counters
from .report_projection import read_versions
from .reports import ReportReads, _segments

RESPONSES = "rt_n"
SATISFIED = "rt_sat"
SCORE_PREFIX = "rt_s"
#: the scores read (1–5 by default; a shop's longer scale fits)
SCALE = range(1, 11)


def _int(item: dict[str, Any], name: str) -> int:
    value = item.get(name, 0)
    return int(value) if isinstance(value, int | float) else 0


class ReportSatisfactionHistory:
    """`SatisfactionHistory` over the report store (see the module's text)."""

    def __init__(self, store: ReportReads) -> None:
        self.store = store

    def weekly(self, dimension: str, weeks: list[tuple[date, date]]) -> dict[str, list[WeekTally]]:
        if not weeks:
            return {}
        start, end = min(w[0] for w in weeks), max(w[1] for w in weeks)
        versions = read_versions(self.store)
        items: list[dict[str, Any]] = []
        for version, first, last in _segments(versions, start, end):
            items.extend(self.store.days(version, dimension, first, last))
        sums: dict[str, list[tuple[int, int, Distribution]]] = {}
        for item in items:
            value, day = item.get("cell"), item.get("day", "")
            if value in (None, NONE, ALL) or not _int(item, RESPONSES):
                continue
            index = next((i for i, (s, e) in enumerate(weeks)
                          if s.isoformat() <= day <= e.isoformat()), None)  # fmt: skip
            if index is None:
                continue
            row = sums.setdefault(value, [(0, 0, Distribution())] * len(weeks))
            n, s, d = row[index]
            row[index] = (n + _int(item, RESPONSES), s + _int(item, SATISFIED),
                          d + from_counters(item, SCORE_PREFIX, SCALE))  # fmt: skip
        return {value: [WeekTally(responses=n, satisfied=s, scores=d) for n, s, d in row]
                for value, row in sums.items()}  # fmt: skip
