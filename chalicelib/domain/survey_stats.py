"""Survey and satisfaction statistics: counts in, estimates with 95% intervals out. Pure.

Everything starts from **counts**, never from a list of answers, so the per-day counters
the reports keep (per dimension value) can be summed over any period and any values
before a statistic is taken: a `Distribution` is `{score value: responses}` and two add
up with `+` (`merge` sums many). The formulas, with their sources:

- **mean and standard deviation**: x̄ = Σ v·c_v / n, s = √(Σ c_v (v − x̄)² / (n − 1)) (the
  sample deviation, Bessel's n − 1; None below n = 2);
- **95% interval of the mean**: x̄ ± t_{0.975, n−1} · s / √n (Student 1908; any
  statistics textbook, e.g. NIST/SEMATECH e-Handbook §7.2.2.1), None below n = 2.
  `t_quantile` has no scipy (not in the Lambda package): for whole degrees of freedom
  up to 1,000 it inverts the exact distribution function of Abramowitz & Stegun 26.7.3–4
  (a finite sum in θ = atan(t/√ν)) by bisection; above, the Cornish–Fisher expansion of
  A&S 26.7.5 around the normal quantile (error below 1e-9 there); ν = ∞ is the normal;
- **shares with an interval** (CSAT, response rate, any yes/no share): the Wilson score
  interval (Wilson 1927; method 3 of Newcombe 1998, Statistics in Medicine 17:857–872),
  (p̂ + z²/2n ± z √(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n): it stays inside [0, 1] and keeps
  its coverage for small n and shares near 0 or 1, where the textbook p̂ ± z√(p̂q̂/n)
  does not;
- **CSAT**: the share of the top two scores of the scale (4 and 5 of 1–5: Zendesk's and
  Freshdesk's "satisfied"), with its Wilson interval;
- **NPS** (Reichheld 2003): 100 × (promoters 9–10 − detractors 0–6) / n on 0–10. Its
  interval is Wald's with the trinomial variance of a difference of two shares of one
  sample, Var(p̂_P − p̂_D) = (p_P + p_D − (p_P − p_D)²) / n (the multinomial covariance
  −p_P·p_D/n; Rocks 2016, "Interval estimation for the net promoter score", The
  American Statistician 70(4):365–372, §2), so NPS ± 100 · z · √Var, cut to [−100, 100];
  None below n = 2 (with every answer in one class the variance is 0 and so is the
  width: said so by `degenerate`);
- **choice questions**: per option its count and its share of respondents (single
  choice: the shares add up to 1; multiple choice: each is the share of respondents who
  ticked it, so they may add up to more).

z = 1.959964 is the normal's 0.975 quantile (`statistics.NormalDist`, Wichura's AS 241).
Nothing divides by zero: with n = 0 every statistic is None, with n = 1 the mean is the
answer and the intervals that need a spread are None.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import NormalDist

CONFIDENCE = 0.95
#: z for a two-sided 95% interval: the normal's 0.975 quantile
Z95 = NormalDist().inv_cdf(0.975)
#: degrees of freedom above which `t_quantile` uses the Cornish–Fisher expansion
EXACT_DF = 1000
#: the scores a 1–5 CSAT counts as satisfied (the top two)
SATISFIED_FROM = 4
PROMOTER_FROM, DETRACTOR_TO = 9, 6


# ---- the t distribution ---------------------------------------------------------------------


def _t_two_sided(t: float, df: int) -> float:
    """A(t|ν) = P(|T| ≤ t) for whole ν ≥ 1 (Abramowitz & Stegun 26.7.3 odd ν, 26.7.4 even)."""
    theta = math.atan(t / math.sqrt(df))
    c2, s = math.cos(theta) ** 2, math.sin(theta)
    if df % 2:  # odd: 2/π (θ + sinθ cosθ (1 + 2/3 cos²θ + … + 2·4…(ν−3)/(1·3…(ν−2)) cos^{ν−3}θ))
        if df == 1:
            return 2 * theta / math.pi
        term, total = 1.0, 1.0
        for k in range(1, (df - 1) // 2):
            term *= (2 * k) / (2 * k + 1) * c2
            total += term
        return 2 / math.pi * (theta + s * math.cos(theta) * total)
    term, total = 1.0, 1.0  # even: sinθ (1 + 1/2 cos²θ + … + 1·3…(ν−3)/(2·4…(ν−2)) cos^{ν−2}θ)
    for k in range(1, df // 2):
        term *= (2 * k - 1) / (2 * k) * c2
        total += term
    return s * total


def _cornish_fisher(z: float, df: float) -> float:
    """A&S 26.7.5: t_p ≈ z + g1/ν + g2/ν² + g3/ν³ + g4/ν⁴ with z the normal's p-quantile."""
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def t_quantile(p: float, df: float) -> float:
    """The p-quantile (0 < p < 1) of Student's t with `df` degrees of freedom (a whole
    number ≥ 1, or `math.inf` for the normal). `t_quantile(0.975, 10)` = 2.228139.
    ValueError for p outside (0, 1), or df below 1 or not whole (below EXACT_DF)."""
    if not 0 < p < 1:
        raise ValueError("p must be between 0 and 1")
    if df < 1:
        raise ValueError("degrees of freedom must be at least 1")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1 - p, df)
    if math.isinf(df):
        return NormalDist().inv_cdf(p)
    if df > EXACT_DF:
        return _cornish_fisher(NormalDist().inv_cdf(p), df)
    if df != int(df):
        raise ValueError("degrees of freedom must be a whole number")
    nu = int(df)
    if nu == 1:  # Cauchy: closed form
        return math.tan(math.pi * (p - 0.5))
    target = 2 * p - 1  # P(|T| ≤ t)
    low, high = 0.0, 1.0
    while _t_two_sided(high, nu) < target:
        low, high = high, high * 2
    for _ in range(200):  # bisection to the float's precision
        middle = (low + high) / 2
        if middle in (low, high):
            break
        if _t_two_sided(middle, nu) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


# ---- aggregates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """Responses per score value (`{5: 12, 4: 3, 1: 1}`): what the counters hold for a day
    and a dimension value. Values with no responses may be left out; `a + b` sums two."""

    counts: Mapping[int, int] = field(default_factory=dict)

    def __add__(self, other: Distribution) -> Distribution:
        out = dict(self.counts)
        for value, count in other.counts.items():
            out[value] = out.get(value, 0) + count
        return Distribution({v: c for v, c in out.items() if c})

    @property
    def n(self) -> int:
        return sum(self.counts.values())

    def at_least(self, value: int) -> int:
        """Responses with a score of `value` or more."""
        return sum(c for v, c in self.counts.items() if v >= value)

    def at_most(self, value: int) -> int:
        return sum(c for v, c in self.counts.items() if v <= value)


def merge(distributions: Iterable[Distribution]) -> Distribution:
    """The sum of many distributions (days of a period, values of a dimension)."""
    out = Distribution()
    for d in distributions:
        out = out + d
    return out


def from_counters(item: Mapping[str, object], prefix: str, values: Iterable[int]) -> Distribution:
    """A distribution from a counter item's `<prefix><value>` attributes (absent: 0), e.g.
    `from_counters(item, "rt_s", range(1, 6))` (the report counters' customer ratings)."""
    counts = {}
    for value in values:
        raw = item.get(f"{prefix}{value}", 0)
        count = int(raw) if isinstance(raw, int | float) else 0
        if count:
            counts[value] = count
    return Distribution(counts)


# ---- statistics -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A confidence interval: `low` ≤ `high`, at `confidence` (0.95)."""

    low: float
    high: float
    confidence: float = CONFIDENCE


@dataclass(frozen=True)
class Share:
    """`count` of `n` with its share (None when n = 0) and Wilson interval."""

    count: int
    n: int
    share: float | None
    interval: Interval | None


@dataclass(frozen=True)
class Summary:
    """A score question's (or CSAT's) numbers: n, mean, standard deviation, the mean's
    interval, and each value's count and share of n."""

    n: int
    mean: float | None
    sd: float | None
    mean_interval: Interval | None
    counts: dict[int, int]
    shares: dict[int, float]


@dataclass(frozen=True)
class Nps:
    """Net promoter score on −100..100 with its counts and 95% Wald interval (module text);
    `degenerate` when every answer is in one class (the interval has no width)."""

    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    interval: Interval | None
    degenerate: bool = False


@dataclass(frozen=True)
class OptionCount:
    option: str
    count: int
    #: of the respondents (multiple choice: may add up to more than 1 over options)
    share: float | None


def wilson(count: int, n: int, z: float = Z95) -> Interval | None:
    """Wilson's score interval of the share count/n (module text); None when n = 0.
    ValueError when count is negative or above n."""
    if n < 0 or count < 0 or count > n:
        raise ValueError("count must be between 0 and n")
    if n == 0:
        return None
    p = count / n
    z2 = z * z
    centre = p + z2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    scale = 1 + z2 / n
    # at 0 and n the bounds are exactly 0 and 1 (the float sum leaves ±1e-17)
    low = 0.0 if count == 0 else max(0.0, (centre - half) / scale)
    high = 1.0 if count == n else min(1.0, (centre + half) / scale)
    return Interval(low=low, high=high)


def share_of(count: int, n: int) -> Share:
    """count/n with its Wilson interval; share and interval None when n = 0."""
    return Share(count=count, n=n, share=count / n if n else None, interval=wilson(count, n))


def summary(distribution: Distribution) -> Summary:
    """n, mean, sample standard deviation, the mean's t interval, counts and shares."""
    counts = {v: c for v, c in sorted(distribution.counts.items()) if c}
    n = sum(counts.values())
    if n == 0:
        return Summary(n=0, mean=None, sd=None, mean_interval=None, counts={}, shares={})
    mean = sum(v * c for v, c in counts.items()) / n
    shares = {v: c / n for v, c in counts.items()}
    if n < 2:
        return Summary(n=n, mean=mean, sd=None, mean_interval=None, counts=counts,
                       shares=shares)  # fmt: skip
    sd = math.sqrt(sum(c * (v - mean) ** 2 for v, c in counts.items()) / (n - 1))
    half = t_quantile(0.5 + CONFIDENCE / 2, n - 1) * sd / math.sqrt(n)
    return Summary(n=n, mean=mean, sd=sd, mean_interval=Interval(mean - half, mean + half),
                   counts=counts, shares=shares)  # fmt: skip


def csat(distribution: Distribution, satisfied_from: int = SATISFIED_FROM) -> Share:
    """CSAT: the share of scores ≥ `satisfied_from` (4 on 1–5) with its Wilson interval."""
    return share_of(distribution.at_least(satisfied_from), distribution.n)


def csat_of(satisfied: int, responses: int) -> Share:
    """CSAT from the two counters the reports keep (satisfied, responses)."""
    return share_of(satisfied, responses)


def nps(distribution: Distribution, z: float = Z95) -> Nps:
    """The NPS of a 0–10 distribution with its interval (module text)."""
    n = distribution.n
    promoters = distribution.at_least(PROMOTER_FROM)
    detractors = distribution.at_most(DETRACTOR_TO)
    passives = n - promoters - detractors
    if n == 0:
        return Nps(n=0, promoters=0, passives=0, detractors=0, score=None, interval=None)
    p_p, p_d = promoters / n, detractors / n
    score = 100 * (p_p - p_d)
    if n < 2:
        return Nps(n=n, promoters=promoters, passives=passives, detractors=detractors,
                   score=score, interval=None)  # fmt: skip
    variance = max(p_p + p_d - (p_p - p_d) ** 2, 0.0) / n
    half = 100 * z * math.sqrt(variance)
    return Nps(
        n=n, promoters=promoters, passives=passives, detractors=detractors, score=score,
        interval=Interval(max(-100.0, score - half), min(100.0, score + half)),
        degenerate=max(promoters, passives, detractors) == n,
    )  # fmt: skip


def response_rate(responses: int, sent: int) -> Share:
    """Responses per survey sent, with its Wilson interval (None when nothing was sent).
    ValueError when there are more responses than sends."""
    return share_of(responses, sent)


def choices(counts: Mapping[str, int], respondents: int,
            options: Iterable[str] | None = None) -> list[OptionCount]:  # fmt: skip
    """Each option's count and share of the respondents who answered the question, in
    `options` order (options nobody chose: 0), then any other counted option by name.
    Single choice: respondents = the sum of counts; multiple choice: the people who
    answered, so shares may add up to more than 1. Share None when nobody answered."""
    order = list(options or [])
    order += sorted(o for o in counts if o not in order)
    return [OptionCount(option=o, count=int(counts.get(o, 0)),
                        share=int(counts.get(o, 0)) / respondents if respondents else None)
            for o in order]  # fmt: skip
