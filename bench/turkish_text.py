"""Routing and sentiment on Turkish written as customers write it (issue 20; docs/turkish-text.md).

Two sets, written before the matcher changed and independently of the rules:

- tests/data/routing_eval.tsv: customer messages with the group a support lead would choose,
  routed by the rules of issue 20 (`EVAL_RULES`: delivery, returns, finance, technical
  service; everything else to customer service);
- tests/data/sentiment_eval.tsv: posts with their label.

Each row has a kind (no Turkish letters, capitals, inflections, typos, negation, two topics,
a verb sharing a keyword's stem...), so the figures say which kind still fails.

`python -m bench.turkish_text` prints accuracy per group, per kind and every miss;
`make bench` writes the totals to docs/performance.md; tests/unit/test_turkish_eval.py keeps
the floors (routing 90% overall, no group under 80%; sentiment 85%, no complaint positive).
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib.domain.conditions import CaseFacts  # noqa: E402
from chalicelib.domain.routing_rules import RoutingRule, decide  # noqa: E402
from chalicelib.domain.sentiment import analyze  # noqa: E402

DATA = ROOT / "tests" / "data"
ROUTING_SET = DATA / "routing_eval.tsv"
SENTIMENT_SET = DATA / "sentiment_eval.tsv"
DEFAULT_GROUP = "musteri"

#: the rules of issue 20, as an admin would set them: each keyword with how loosely it
#: matches and the words that must not trigger it (chalicelib/domain/text.py, MatchMode;
#: chalicelib/domain/routing_rules.py, NotWords)
EVAL_RULES = [
    RoutingRule.model_validate(rule)
    for rule in (
        {"id": "r-teslimat", "name": "Teslimat", "order": 10, "group_id": "teslimat",
         "phrases": ["kargo", "teslimat", "gönderi", "kurye"],
         "match_modes": {"teslimat": "inflected", "gönderi": "inflected", "kurye": "inflected"},
         "not_words": {"gönderi": ["gönderin"]}},
        {"id": "r-iade", "name": "İade ve değişim", "order": 20, "group_id": "iade",
         "phrases": ["iade", "değişim", "geri ödeme"],
         "match_modes": {"değişim": "inflected", "geri ödeme": "inflected"}},
        {"id": "r-finans", "name": "Ödeme ve fatura", "order": 30, "group_id": "finans",
         "phrases": ["fatura", "ödeme", "kredi kartı", "taksit", "havale"],
         "match_modes": {"ödeme": "inflected", "kredi kartı": "inflected",
                         "havale": "inflected"}},
        {"id": "r-teknik", "name": "Teknik servis", "order": 40, "group_id": "teknik",
         "phrases": ["garanti", "arıza", "bozuk", "çalışmıyor"],
         "match_modes": {"garanti": "inflected", "bozuk": "inflected",
                         "çalışmıyor": "inflected"}},
    )
]  # fmt: skip
#: the same rules as they were written before issue 20 (no modes, no words left out)
PLAIN_RULES = [r.model_copy(update={"match_modes": {}, "not_words": {}}) for r in EVAL_RULES]


def tsv_rows(path: Path) -> list[tuple[str, str, str]]:
    """A labelled set's rows: three tab-separated columns a line, `#` lines left out."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            expected, kind, text = line.split("\t")
            rows.append((expected, kind, text))
    return rows


def routing_rows() -> list[tuple[str, str, str]]:
    """(expected group, kind, message) of the routing set."""
    return tsv_rows(ROUTING_SET)


def sentiment_rows() -> list[tuple[str, str, str]]:
    """(expected label, kind, post) of the sentiment set."""
    return tsv_rows(SENTIMENT_SET)


@dataclass
class Score:
    """Right answers out of rows, per class (group or label) and per kind; the misses."""

    right: int = 0
    total: int = 0
    by_class: dict[str, list[int]] = field(default_factory=dict)  # class → [right, total]
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # text, expected, got
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, expected: str, kind: str, text: str, got: str) -> None:
        ok = expected == got
        self.right += ok
        self.total += 1
        for table, key in ((self.by_class, expected), (self.by_kind, kind)):
            cell = table.setdefault(key, [0, 0])
            cell[0] += ok
            cell[1] += 1
        if not ok:
            self.misses.append((text, expected, got))
            self.confusions[(expected, got)] += 1

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    def share(self, table: dict[str, list[int]], key: str) -> float:
        right, total = table[key]
        return right / total


def measure_routing(rules: list[RoutingRule] | None = None) -> Score:
    score = Score()
    for expected, kind, text in routing_rows():
        got = decide(rules or EVAL_RULES, CaseFacts(text=text), DEFAULT_GROUP).group_id
        score.add(expected, kind, text, got)
    return score


def measure_sentiment() -> Score:
    score = Score()
    for expected, kind, text in sentiment_rows():
        score.add(expected, kind, text, analyze(text).label)
    return score


def complaints_labelled_positive(score: Score) -> int:
    return score.confusions[("negative", "positive")]


def _table(score: Score, table: dict[str, list[int]]) -> str:
    return ", ".join(
        f"{key} {score.share(table, key):.0%} ({table[key][0]}/{table[key][1]})"
        for key in sorted(table)
    )


def report_lines(routing: Score, sentiment: Score) -> list[str]:
    """Lines for docs/performance.md and the terminal."""
    return [
        f"routing: {routing.accuracy:.1%} right ({routing.right}/{routing.total}), "
        "floor 90%, no group under 80%",
        f"  per group: {_table(routing, routing.by_class)}",
        f"  per kind: {_table(routing, routing.by_kind)}",
        f"sentiment: {sentiment.accuracy:.1%} right ({sentiment.right}/{sentiment.total}), "
        f"floor 85%; complaints labelled positive: {complaints_labelled_positive(sentiment)}",
        f"  per label: {_table(sentiment, sentiment.by_class)}",
        f"  per kind: {_table(sentiment, sentiment.by_kind)}",
    ]


def main() -> None:
    routing, sentiment = measure_routing(), measure_sentiment()
    print("\n".join(report_lines(routing, sentiment)))
    for title, score in (("routing", routing), ("sentiment", sentiment)):
        print(f"\n{title} misses:")
        for text, expected, got in score.misses:
            print(f"  {expected:>9} ← {got:<9} {text}")


if __name__ == "__main__":
    main()
