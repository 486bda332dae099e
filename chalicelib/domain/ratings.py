"""Customer satisfaction at resolution (CSAT): the rating a case gets, and what a low one sets off.

A resolved or closed case is rated once per source (docs/satisfaction.md):

- `customer`: the customer's own answer, through the signed link of their resolved (or
  closed) notice; the last answer counts, and it can be changed for `change_days` after
  the first one (then 409 `rating_locked`);
- `agent`: the score the customer gave an agent on the phone at close, recorded by the
  agent and counted apart (it is the agent's word, not the customer's).

The scale is the shop's choice (`RATING_SCALE`): 1–5 by default (Zendesk's and Freshdesk's
default), 1–3 (Freshdesk's three faces) or 1–2 (Zendesk's good/bad). *Satisfied* is the top
30% and more (`score ≥ ⌈0.7 × scale⌉`: 4–5 on 5, 3 on 3, 2 on 2), *low* the bottom 40% and at
least the lowest score (`score ≤ max(1, ⌊0.4 × scale⌋)`: 1–2 on 5, 1 on 3 and on 2). CSAT %
is satisfied ÷ responses. Ratings and events carry their scale, so a later setting changes
no stored answer's meaning.

A low score opens a follow-up on the case (a visible flag, a history line, the console's
"follow-up" view) and tells the supervisors of the case's group, as Zendesk's "bad
satisfaction" triggers do. Pure: no I/O.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field

from .model import Model

#: the scale's top score (the lowest is 1), by default (RATING_SCALE)
SCALE = 5
#: the scales a shop may choose: 1–5, 1–3 (Freshdesk's faces), 1–2 (Zendesk's good/bad); the
#: reports keep a column per score up to 5
SCALES = (2, 3, 5)
#: bytes of a comment (UTF-8, as stored): a sentence or three, never an essay
MAX_COMMENT_BYTES = 1000
#: how long a rating link works after its notice was rendered, by default (RATING_LINK_DAYS)
LINK_DAYS = 7
#: how long an answer can be changed after the first one, by default (RATING_CHANGE_DAYS)
CHANGE_DAYS = 3

RatingSource = Literal["customer", "agent"]


def is_low(score: int, scale: int = SCALE) -> bool:
    """The bottom 40% of the scale, and at least its lowest score: 1 or 2 on 5, 1 on 3 or 2."""
    return score <= max(1, math.floor(0.4 * scale))


def is_satisfied(score: int, scale: int = SCALE) -> bool:
    """The top of the scale (`score ≥ ⌈0.7 × scale⌉`): 4 or 5 on 5, 3 on 3, 2 on 2, 7–10 on
    10."""
    return score >= math.ceil(0.7 * scale - 1e-9)


class CaseRating(Model):
    """A case's rating from one source. `first_at`: when that source first answered (the
    change window counts from it); `at`: the answer that counts now (the last). `by`: the
    agent who recorded an agent-collected score. `comment`: what the customer wrote (kept on
    the case and its history, never in an event)."""

    score: int = Field(ge=1, le=10)
    scale: int = SCALE
    source: RatingSource
    comment: str | None = None
    at: datetime
    first_at: datetime
    by: str | None = None
    #: how many answers this source gave (1 + the changes)
    answers: int = 1

    def changeable_until(self, change_window: timedelta) -> datetime:
        return self.first_at + change_window


class FollowUp(Model):
    """A follow-up a low score put on the case: open until someone marks it done."""

    reason: Literal["low_rating"] = "low_rating"
    score: int
    source: RatingSource
    at: datetime
    done_at: datetime | None = None
    done_by: str | None = None

    @property
    def open(self) -> bool:
        return self.done_at is None
