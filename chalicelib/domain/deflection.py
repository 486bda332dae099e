"""Self-service that answers first, measured (issue 17, part 6; docs/knowledge-base.md,
"Answers before a case is filed").

While a customer writes a new case on the site, the best matching public articles appear
beside the form. The page keeps a **draft**: an id it makes itself, the articles shown and
the ones opened, and how it ended: the customer **filed** the case, or **left** the page
without filing. It reports the draft once when it ends; the first report of a draft id is
the one kept (a repeat, a retry, a second tab: nothing counted twice).

A draft's counters (`counters`), added to its Istanbul day's totals:

- `drafts`: every draft reported;
- `drafts_suggested`: drafts that showed at least one article (the share's denominator);
- `drafts_opened`: drafts in which at least one shown article was opened;
- `drafts_deflected`: drafts that ended without filing after an article was opened;
- `drafts_filed`: drafts that showed articles and were filed anyway.

The **deflection share** of a period is Σ drafts_deflected ÷ Σ drafts_suggested (`share`):
of the drafts that were offered answers, how many ended after the customer read one
instead of filing. A draft that left without opening anything is not deflected (the
customer may simply have given up), and one that opened an article and filed anyway is not either.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from .clock import ISTANBUL
from .model import Model

#: articles one draft may report as shown (the page shows 5 at a time; a long draft whose
#: suggestions changed as the customer typed shows more)
MAX_SHOWN = 30
#: what one report may weigh, in UTF-8 bytes (30 slugs of at most 100 characters, and keys)
MAX_REPORT_BYTES = 8 * 1024
COUNTERS = ("drafts", "drafts_suggested", "drafts_opened", "drafts_deflected", "drafts_filed")

DraftId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{16,64}$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,99}$")]


class Outcome(StrEnum):
    FILED = "filed"
    LEFT = "left"


class DraftReport(Model):
    """How a new-case draft ended. `draft`: the page's own id for it (16–64 letters, digits,
    `-`, `_`); `shown`: the slugs of the articles shown (at most 30); `opened`: those of them
    the customer opened; `outcome`: filed or left. Opened articles must have been shown."""

    model_config = ConfigDict(extra="forbid")

    draft: DraftId
    shown: list[Slug] = Field(default_factory=list, max_length=MAX_SHOWN)
    opened: list[Slug] = Field(default_factory=list, max_length=MAX_SHOWN)
    outcome: Outcome

    @model_validator(mode="after")
    def _opened_were_shown(self) -> DraftReport:
        if set(self.opened) - set(self.shown):
            raise ValueError("an opened article must be one of those shown")
        self.shown = list(dict.fromkeys(self.shown))
        self.opened = list(dict.fromkeys(self.opened))
        return self


def counters(report: DraftReport) -> dict[str, int]:
    """The draft's contribution to its day's counters (module docstring), each 0 or 1."""
    suggested = bool(report.shown)
    opened = bool(report.opened)
    return {
        "drafts": 1,
        "drafts_suggested": int(suggested),
        "drafts_opened": int(opened),
        "drafts_deflected": int(opened and report.outcome == Outcome.LEFT),
        "drafts_filed": int(suggested and report.outcome == Outcome.FILED),
    }


def day_of(at: datetime) -> str:
    """The Istanbul day (YYYY-MM-DD) a draft counts on: the day its report arrived."""
    return at.astimezone(ISTANBUL).date().isoformat()


def share(deflected: int, suggested: int) -> float | None:
    """Deflected drafts over drafts that showed articles; None when none did."""
    return round(deflected / suggested, 4) if suggested else None


class Recorded(Model):
    """The answer to a report: `recorded` false when this draft was reported before (the
    first report stands; nothing is counted again)."""

    draft: str
    outcome: Outcome
    recorded: bool
