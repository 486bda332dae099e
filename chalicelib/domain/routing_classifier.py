"""A classifier learned from the shop's own resolved cases: which group a case's text ends in
(issue 20, second half). Pure Python, no I/O: multinomial naive Bayes over the words of
the case (their Snowball stems, folded: "paketim", "PAKETİM" and "paketimi" are one word)
and pairs of neighbouring words, the same terms `routing_corrections` reads.

Shapes: `Counts` accumulates examples (a group and a text), page by page, and can be kept
between runs (`to_dict`/`from_dict`, so a training cut short resumes); `fit` turns it into
a `Classifier` with at most `max_terms` terms (the commonest), small enough for one
DynamoDB item once compressed (`pack`/`unpack`: zlib'd JSON, ~60 KB for 5,000 terms and
ten groups; the item limit is 400 KB). `Classifier.predict` gives the likeliest group and
its posterior probability (0..1), or None for a text with no known word.

Which cases are held out of training to measure it: `held_out(case_id)`, a stable fifth
by a hash of the id, so the same case is held out on every run.
"""

from __future__ import annotations

import hashlib
import json
import math
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import Field

from .model import Model
from .routing_corrections import features
from .routing_rules import RoutingDecision

#: additive smoothing (Laplace): an unseen word in a group is not impossible there
ALPHA = 1.0
#: the commonest terms kept in a model (the rest say little and cost bytes)
MAX_TERMS = 5000
#: one case in HOLD_OUT_EVERY is held out of training, to measure the model
HOLD_OUT_EVERY = 5
#: at most this many held-out cases are kept in a training's state (its item stays small)
MAX_HELD_OUT = 2000


def held_out(case_id: str) -> bool:
    """Whether this case measures the model rather than trains it (stable per id)."""
    digest = hashlib.sha256(case_id.encode()).digest()
    return digest[0] % HOLD_OUT_EVERY == 0


@dataclass
class Counts:
    """Examples seen so far: cases per group, and per group how often each term occurred."""

    docs: Counter[str] = field(default_factory=Counter)
    terms: dict[str, Counter[str]] = field(default_factory=dict)

    def add(self, group_id: str, text: str) -> None:
        self.add_terms(group_id, features(text))

    def add_terms(self, group_id: str, terms: list[str]) -> None:
        self.docs[group_id] += 1
        self.terms.setdefault(group_id, Counter()).update(terms)

    @property
    def examples(self) -> int:
        return sum(self.docs.values())

    def to_dict(self) -> dict[str, Any]:
        return {"docs": dict(self.docs), "terms": {g: dict(c) for g, c in self.terms.items()}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Counts:
        return cls(
            Counter({g: int(n) for g, n in data.get("docs", {}).items()}),
            {g: Counter({t: int(n) for t, n in c.items()}) for g, c in data["terms"].items()}
            if data.get("terms") else {},
        )  # fmt: skip


@dataclass(frozen=True)
class Prediction:
    group_id: str
    #: the posterior probability of the group, 0..1
    confidence: float


@dataclass(frozen=True)
class Classifier:
    """A fitted model: cases per group, term counts per group (kept terms only) and each
    group's total of counted terms (all terms, so pruning does not skew the likelihoods)."""

    docs: dict[str, int]
    totals: dict[str, int]
    terms: dict[str, dict[str, int]]
    vocabulary: int

    @property
    def examples(self) -> int:
        return sum(self.docs.values())

    def predict(self, text: str) -> Prediction | None:
        """The likeliest group and its posterior probability; None when the text has no
        word the model knows (or the model has fewer than two groups)."""
        return self.predict_terms(features(text))

    def predict_terms(self, terms: list[str]) -> Prediction | None:
        """`predict` for a text's terms (`features`), as held-out examples keep them:
        per group log P(group) + Σ log P(term | group) over the known terms, then the
        best group's share of the exponentiated scores."""
        known = [t for t in terms if t in self.terms]
        if not known or len(self.docs) < 2:
            return None
        all_docs = self.examples
        scores = {}
        for group, docs in self.docs.items():
            denominator = math.log(self.totals[group] + ALPHA * self.vocabulary)
            score = math.log(docs / all_docs)
            for term in known:
                score += math.log(self.terms[term].get(group, 0) + ALPHA) - denominator
            scores[group] = score
        best = max(scores, key=lambda g: (scores[g], g))
        total = sum(math.exp(s - scores[best]) for s in scores.values())
        return Prediction(best, round(1 / total, 4))

    def pack(self) -> bytes:
        """The model as one compressed blob (a DynamoDB binary attribute)."""
        body = {"docs": self.docs, "totals": self.totals, "terms": self.terms,
                "vocabulary": self.vocabulary}  # fmt: skip
        return zlib.compress(json.dumps(body, separators=(",", ":")).encode(), 9)

    @classmethod
    def unpack(cls, blob: bytes) -> Classifier:
        body = json.loads(zlib.decompress(blob))
        return cls(body["docs"], body["totals"], body["terms"], body["vocabulary"])


def fit(counts: Counts, max_terms: int = MAX_TERMS) -> Classifier:
    """The model of these counts, keeping the `max_terms` commonest terms (ties by term)."""
    overall: Counter[str] = Counter()
    for per_group in counts.terms.values():
        overall.update(per_group)
    kept = sorted(overall, key=lambda t: (-overall[t], t))[:max_terms]
    terms = {
        t: {g: c[t] for g, c in counts.terms.items() if c.get(t)} for t in kept
    }  # fmt: skip
    totals = {g: sum(counts.terms.get(g, Counter()).values()) for g in counts.docs}
    return Classifier(dict(counts.docs), totals, terms, max(len(overall), 1))


def accuracy(classifier: Classifier, examples: list[tuple[str, list[str]]]) -> float | None:
    """The share (0..1) of (group, terms) examples the model puts in their group; a text it
    cannot place counts as wrong. None for no examples."""
    if not examples:
        return None
    right = 0
    for group, terms in examples:
        predicted = classifier.predict_terms(terms)
        right += predicted is not None and predicted.group_id == group
    return round(right / len(examples), 4)


class ClassifierSettings(Model):
    """The admin's settings of the learned classifier. `enabled`: routing may use it (off by
    default: until then it only suggests); `min_confidence` (0.5..1): how sure it must be to
    route a case no rule matched, or to be shown against a rule's group. `changed_by` /
    `changed_at`: the last change (each change is also logged, `routing classifier
    settings changed`)."""

    enabled: bool = False
    min_confidence: float = Field(default=0.8, ge=0.5, le=1)
    changed_by: str | None = None
    changed_at: datetime | None = None


def with_classifier(
    decision: RoutingDecision, prediction: Prediction | None, settings: ClassifierSettings
) -> RoutingDecision:
    """The rules' decision with the classifier's word on it.

    - a group chosen at intake, no prediction, or a prediction of the decided group: as is;
    - no rule matched (the default group): the prediction is a suggestion; with the
      classifier enabled and at least `min_confidence`, the case goes to its group
      (reason `classifier_routed`);
    - a rule matched and the classifier disagrees with at least `min_confidence`: the rule
      keeps the case, the prediction is a suggestion shown to agents."""
    if (
        prediction is None
        or decision.reason_code == "group_chosen_at_intake"
        or prediction.group_id == decision.group_id
    ):
        return decision
    strong = prediction.confidence >= settings.min_confidence
    suggestion = {"suggested_group_id": prediction.group_id,
                  "suggested_confidence": prediction.confidence}  # fmt: skip
    if decision.reason_code == "default_group":
        if settings.enabled and strong:
            return decision.model_copy(
                update={
                    **suggestion,
                    "group_id": prediction.group_id,
                    "reason_code": "classifier_routed",
                }  # fmt: skip
            )
        return decision.model_copy(update=suggestion)
    return decision.model_copy(update=suggestion) if strong else decision
