"""The satisfaction deviation alert: has a group's, category's or agent's satisfaction last
week fallen significantly below its own baseline? Pure: weekly tallies in, deviations out.

**What is compared.** The CSAT share (customers' ratings of 4–5 on 1–5, of all their
ratings; agent-collected scores are not in it) of the *tested week* — the whole
Monday-to-Sunday week before the run, Istanbul's calendar — against the same value's
*baseline*: the `BASELINE_WEEKS` = 8 weeks before it, pooled (their satisfied and their
responses summed: weeks with more answers weigh more, a quiet week does not swing it).
Each value is compared with its own past, not with the others, so an agent whose
customers are always a little less happy is not flagged every week; a sudden fall is.

**The test.** The one-sided two-proportion z-test with the pooled share (the textbook
test of H0: p_week = p_base against H1: p_week < p_base; e.g. Fleiss, Levin & Paik,
Statistical Methods for Rates and Proportions, 3rd ed. 2003; NIST/SEMATECH e-Handbook of
Statistical Methods, "comparing two proportions"):

    p̄ = (s_w + s_b) / (n_w + n_b),  z = (p̂_b − p̂_w) / √(p̄ (1 − p̄) (1/n_w + 1/n_b))

flagged when **all** of:

- z ≥ z_{1−α} = 1.645, α = `ALPHA` = 0.05 one-sided (p-value = 1 − Φ(z) ≤ 0.05);
- the week has at least `MIN_WEEK` = 20 ratings and the baseline `MIN_BASELINE` = 40
  (about five a week): below that a single unhappy customer moves the share by five
  points or more and the normal approximation the test rests on is poor, so small
  samples are never flagged;
- the share fell by at least `MIN_DROP` = 10 percentage points: a drop can be
  significant on large samples and still too small to act on; this also keeps the false
  alarms down when many values are tested each week (about 3 groups + categories +
  agents: with α = 0.05 alone, one in twenty steady values would be flagged a week).

A rise is never flagged (one-sided), nor a value with no baseline. The choice of a
week-against-pooled-baseline test over a CUSUM or EWMA chart: the weekly counts are small
and uneven, which the z-test accounts for through n, and a supervisor can check the
alert by hand from the four numbers it shows (this week's and the baseline's ratings and
satisfied); docs/satisfaction-statistics.md says more.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import NormalDist

from .survey_stats import Distribution
from .weekly_summary import weeks_before

BASELINE_WEEKS = 8
ALPHA = 0.05
MIN_WEEK = 20
MIN_BASELINE = 40
#: the smallest fall of the share that is flagged, in percentage points
MIN_DROP = 10.0
#: the dimensions whose values are watched (report dimension codes)
WATCHED = ("group", "category", "agent")


@dataclass(frozen=True)
class AlertRule:
    """The thresholds (module text); the defaults are the alert's."""

    baseline_weeks: int = BASELINE_WEEKS
    alpha: float = ALPHA
    min_week: int = MIN_WEEK
    min_baseline: int = MIN_BASELINE
    min_drop: float = MIN_DROP


RULE = AlertRule()


@dataclass(frozen=True)
class WeekTally:
    """One week's ratings of one dimension value: how many, how many satisfied, and their
    distribution over the scale (for the statistics of domain/survey_stats.py)."""

    responses: int = 0
    satisfied: int = 0
    scores: Distribution = field(default_factory=Distribution)


@dataclass(frozen=True)
class AlertWeeks:
    """The tested week (`start` Monday to `end` Sunday) and its baseline's weeks, oldest
    first; `code` is the tested week's ISO name (`2026-W48`)."""

    start: date
    end: date
    baseline: tuple[tuple[date, date], ...]

    @property
    def code(self) -> str:
        year, week, _ = self.start.isocalendar()
        return f"{year}-W{week:02d}"

    @property
    def all(self) -> list[tuple[date, date]]:
        """Every week read, oldest first: the baseline's, then the tested one."""
        return [*self.baseline, (self.start, self.end)]


def alert_weeks(now: datetime, rule: AlertRule = RULE) -> AlertWeeks:
    """The week before `now`'s (Istanbul) and the `baseline_weeks` weeks before that."""
    start = weeks_before(now).start
    baseline = tuple(
        (start - timedelta(days=7 * k), start - timedelta(days=7 * k - 6))
        for k in range(rule.baseline_weeks, 0, -1)
    )
    return AlertWeeks(start=start, end=start + timedelta(days=6), baseline=baseline)


@dataclass(frozen=True)
class Deviation:
    """A value whose week fell significantly below its baseline: the counts the test used,
    the shares (0–1), the fall in percentage points, z and the one-sided p-value."""

    dimension: str
    value: str
    responses: int
    satisfied: int
    share: float
    baseline_responses: int
    baseline_satisfied: int
    baseline_share: float
    drop: float
    z: float
    p_value: float


def one_sided_z(week: WeekTally, baseline: WeekTally) -> tuple[float, float] | None:
    """z and the one-sided p-value of "the week's share is below the baseline's" (module
    text), or None when either has no ratings or the pooled share is 0 or 1 (no spread)."""
    n_w, n_b = week.responses, baseline.responses
    if n_w <= 0 or n_b <= 0:
        return None
    pooled = (week.satisfied + baseline.satisfied) / (n_w + n_b)
    if pooled <= 0 or pooled >= 1:
        return None
    se = math.sqrt(pooled * (1 - pooled) * (1 / n_w + 1 / n_b))
    z = (baseline.satisfied / n_b - week.satisfied / n_w) / se
    return z, 1 - NormalDist().cdf(z)


def pooled(weeks: Sequence[WeekTally]) -> WeekTally:
    return WeekTally(responses=sum(w.responses for w in weeks),
                     satisfied=sum(w.satisfied for w in weeks))  # fmt: skip


def find_deviations(dimension: str, weeks: Mapping[str, Sequence[WeekTally]],
                    rule: AlertRule = RULE) -> list[Deviation]:  # fmt: skip
    """The values of `dimension` whose last week fell significantly below their baseline.

    `weeks`: per value, its tallies oldest first, the tested week last (the
    `baseline_weeks` before it are its baseline; older ones are ignored, missing ones
    count as no ratings). Returns the flagged values, largest fall first."""
    found = []
    for value, tallies in weeks.items():
        if not tallies:
            continue
        week = tallies[-1]
        base = pooled(tallies[:-1][-rule.baseline_weeks :])
        if week.responses < rule.min_week or base.responses < rule.min_baseline:
            continue
        share, base_share = week.satisfied / week.responses, base.satisfied / base.responses
        drop = round(100 * (base_share - share), 9)  # 10 points stays 10, not 9.99…
        tested = one_sided_z(week, base)
        if tested is None or drop < rule.min_drop or tested[1] > rule.alpha:
            continue
        found.append(Deviation(
            dimension=dimension, value=value, responses=week.responses,
            satisfied=week.satisfied, share=share, baseline_responses=base.responses,
            baseline_satisfied=base.satisfied, baseline_share=base_share, drop=drop,
            z=tested[0], p_value=tested[1],
        ))  # fmt: skip
    return sorted(found, key=lambda d: (-d.drop, d.dimension, d.value))
