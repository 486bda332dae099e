"""A planned survey's results: the counters its answers keep, and the statistics read off
them. Pure.

**Counters.** Every answer is counted when it is written (store/surveys.py `save_answers`,
in the answer's own transaction) into small counter items, one per run and dimension value
(and one per run for everyone, dimension `all`), so a results read sums a handful of items
and never reads the answers themselves (but the free text, below). An item's attributes:

- `sent`: invitations sent (the response rate's denominator), added when one is sent;
- `answered`: customers who answered (once each, whatever they changed later);
- `n:<question>`: customers who answered that question;
- `v:<question>:<score>`: answers of a rating or NPS question with that score;
- `c:<question>:<choice>`: answers of a choice question that picked that choice.

`counted(questions, answers)` names the counters one set of answers adds; the invitation
keeps that list, so a changed answer takes exactly its previous counters back and adds the
new ones (`deltas`), and the sums always equal a count of the last answers.

**Dimensions** (`DIMENSIONS`): a run's results can be split by what the invitation knew of
its customer: their category and language always, the brand of their newest registered
product the segment matched (when the segment asks about products) and the channel of
their newest case it matched (when it asks about cases). One value per dimension and
invitation, so a dimension's values add up to the total.

**Statistics** (domain/survey_stats.py): per question n; ratings their distribution, mean
with its Student-t 95% interval and, on 1–5, CSAT (4–5) with Wilson's interval; NPS its
score with its interval; choices each option's count and share of those who answered the
question; response rate (answered / sent) with Wilson's interval, per run, for the period,
and per dimension value.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import Field

from .model import Model
from .survey_stats import Distribution, Interval, choices, csat, nps, share_of, summary
from .surveys import Question, QuestionKind

#: what results can be split by (docs/surveys.md "Results")
Dimension = Literal["customer_category", "language", "brand", "product", "product_group",
                    "case_channel", "case_type", "case_category"]  # fmt: skip
DIMENSIONS: tuple[str, ...] = ("customer_category", "language", "brand", "product", "product_group",
                               "case_channel", "case_type", "case_category")  # fmt: skip
#: the dimension of the counters that hold every answer of a run
ALL = "all"


def counted(questions: list[Question], answers: Mapping[str, object]) -> list[str]:
    """The counter names one customer's (checked) answers add, in question order."""
    out: list[str] = []
    for q in questions:
        value = answers.get(q.id)
        if value is None or value == "" or value == []:
            continue
        out.append(f"n:{q.id}")
        if q.kind in (QuestionKind.RATING, QuestionKind.NPS):
            out.append(f"v:{q.id}:{value}")
        elif q.kind == QuestionKind.SINGLE_CHOICE:
            out.append(f"c:{q.id}:{value}")
        elif q.kind == QuestionKind.MULTIPLE_CHOICE and isinstance(value, list):
            out.extend(f"c:{q.id}:{choice}" for choice in value)
    return out


def deltas(previous: Iterable[str], new: Iterable[str], first: bool) -> dict[str, int]:
    """What one answer changes on its counters: +1 for each new name, −1 for each previous
    one (a changed answer), `answered` +1 the first time. Names that cancel are left out."""
    change: Counter[str] = Counter(new)
    change.subtract(Counter(previous))
    if first:
        change["answered"] += 1
    return {name: n for name, n in change.items() if n}


class CounterItem(Model):
    """One counter item as read: its run, the Istanbul day the run was due, the dimension
    (`all` for everyone) and value, and its counters."""

    day: str
    run_id: str
    dimension: str
    value: str
    counters: dict[str, int] = Field(default_factory=dict)


def add_up(items: Iterable[CounterItem]) -> dict[str, int]:
    """The counters of many items summed (runs of a period)."""
    total: Counter[str] = Counter()
    for item in items:
        total.update(item.counters)
    return dict(total)


# ---- what the API answers ---------------------------------------------------------------------


class Estimate(Model):
    """A share (0..1) or a figure with its 95% interval (None when there is none yet)."""

    value: float | None
    low: float | None = None
    high: float | None = None


class ShareView(Model):
    count: int
    n: int
    share: float | None
    low: float | None = None
    high: float | None = None


class ScoreCount(Model):
    value: int
    count: int
    share: float | None


class OptionView(Model):
    id: str
    count: int
    #: of those who answered the question (multiple choice: may add up to more than 1)
    share: float | None


class NpsView(Model):
    score: float | None
    low: float | None = None
    high: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    #: every answer in one class: the interval has no width
    degenerate: bool = False


class QuestionResult(Model):
    """One question's figures. `distribution` for ratings and NPS (every score of the
    scale, in order), `mean` (with its Student-t interval) for ratings, `csat` for 1–5
    ratings, `nps` for NPS, `options` for choices; free text only its n here."""

    id: str
    kind: QuestionKind
    n: int
    distribution: list[ScoreCount] | None = None
    mean: Estimate | None = None
    sd: float | None = None
    csat: ShareView | None = None
    nps: NpsView | None = None
    options: list[OptionView] | None = None


def _share(count: int, n: int) -> ShareView:
    s = share_of(count, n)
    return ShareView(count=count, n=n, share=s.share, low=_low(s.interval),
                     high=_high(s.interval))  # fmt: skip


def _low(interval: Interval | None) -> float | None:
    return interval.low if interval else None


def _high(interval: Interval | None) -> float | None:
    return interval.high if interval else None


def response(answered: int, sent: int) -> ShareView:
    """Answered per invitation sent, with Wilson's interval. More answers than sends (a
    run whose sends were counted before the counters existed) are cut to the sends."""
    return _share(min(answered, sent), sent)


def question_result(q: Question, counters: Mapping[str, int]) -> QuestionResult:
    """A question's figures from summed counters (module text)."""
    n = int(counters.get(f"n:{q.id}", 0))
    out = QuestionResult(id=q.id, kind=q.kind, n=n)
    if q.kind in (QuestionKind.RATING, QuestionKind.NPS):
        low, high = q.scale
        dist = Distribution({v: int(counters.get(f"v:{q.id}:{v}", 0))
                             for v in range(low, high + 1)
                             if counters.get(f"v:{q.id}:{v}", 0)})  # fmt: skip
        out.distribution = [
            ScoreCount(value=v, count=dist.counts.get(v, 0),
                       share=dist.counts.get(v, 0) / dist.n if dist.n else None)
            for v in range(low, high + 1)
        ]  # fmt: skip
        if q.kind == QuestionKind.RATING:
            s = summary(dist)
            out.mean = Estimate(value=s.mean, low=_low(s.mean_interval),
                                high=_high(s.mean_interval))  # fmt: skip
            out.sd = s.sd
            if (low, high) == (1, 5):
                c = csat(dist)
                out.csat = ShareView(count=c.count, n=c.n, share=c.share,
                                     low=_low(c.interval), high=_high(c.interval))  # fmt: skip
        else:
            score = nps(dist)
            out.nps = NpsView(score=score.score, low=_low(score.interval),
                              high=_high(score.interval), promoters=score.promoters,
                              passives=score.passives, detractors=score.detractors,
                              degenerate=score.degenerate)  # fmt: skip
    elif q.kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        prefix = f"c:{q.id}:"
        counts = {k[len(prefix) :]: int(v) for k, v in counters.items() if k.startswith(prefix)}
        ids = [c.id for c in q.choices]
        out.options = [OptionView(id=o.option, count=o.count, share=o.share)
                       for o in choices(counts, n, ids)]  # fmt: skip
    return out


class TopicView(Model):
    id: str
    name: str
    answers: int
    sentiment: dict[str, int]
    examples: list[str]


class TextResult(Model):
    """A free-text question's topics and sentiment (domain/free_text.py) over the latest
    answers read: `read` of at most `limit`; `complete` False when there were more."""

    question_id: str
    read: int
    limit: int
    complete: bool
    answers: int
    sentiment: dict[str, int]
    examples: dict[str, list[str]]
    topics: list[TopicView]


class RunResult(Model):
    run_id: str
    due_at: str
    sent: int
    answered: int
    response: ShareView


class GroupResult(Model):
    """The figures of one value of the dimension asked for."""

    value: str
    sent: int
    answered: int
    response: ShareView
    questions: list[QuestionResult]


class SurveyResults(Model):
    """A survey's results over the runs due within `from_day`…`to_day` (Istanbul days)."""

    survey_id: str
    from_day: str
    to_day: str
    by: str | None = None
    runs: list[RunResult]
    #: every run of the period: answered / sent
    response: ShareView
    questions: list[QuestionResult]
    free_text: list[TextResult] = Field(default_factory=list)
    groups: list[GroupResult] = Field(default_factory=list)


def groups_of(questions: list[Question], items: Iterable[CounterItem],
              by: str) -> list[GroupResult]:  # fmt: skip
    """Per value of dimension `by`, its counters summed over the items' runs: most answers
    first, then by value."""
    by_value: dict[str, list[CounterItem]] = {}
    for item in items:
        if item.dimension == by:
            by_value.setdefault(item.value, []).append(item)
    out = []
    for value, found in by_value.items():
        total = add_up(found)
        sent, answered = int(total.get("sent", 0)), int(total.get("answered", 0))
        found_questions = [question_result(q, total) for q in questions]
        out.append(GroupResult(value=value, sent=sent, answered=answered,
                               response=response(answered, sent),
                               questions=found_questions))  # fmt: skip
    return sorted(out, key=lambda g: (-g.answered, g.value))
