"""The learned routing classifier against the rules (issue 20, second half;
docs/turkish-text.md#learning-from-corrections).

The seeded history (devstack/history.py: 600 resolved cases of the issue 20 groups, the
same every run) is split as the service splits it (domain/routing_classifier.held_out: a
fifth, by a hash of the case id); the classifier is fitted on the rest, as
services/routing_learning.py fits it, and the held-out cases are routed three ways: by the
rules of bench/turkish_text.py alone (the default group when none matches), by the
classifier alone, by both (a rule where one matches, else the classifier: routing with the
classifier turned on at confidence 0), and by both at the settings' default confidence (the
classifier only where it is that sure, else the default group). Then the classifier fitted
on the whole history meets tests/data/routing_eval.tsv, written independently of the history.

`python -m bench.routing_learning` prints the lines; `make bench` writes them to
docs/performance.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.turkish_text import DEFAULT_GROUP, EVAL_RULES, routing_rows  # noqa: E402
from chalicelib.domain.conditions import CaseFacts  # noqa: E402
from chalicelib.domain.routing_classifier import (  # noqa: E402
    Classifier,
    ClassifierSettings,
    Counts,
    fit,
    held_out,
)
from chalicelib.domain.routing_rules import decide  # noqa: E402
from devstack.history import PastCase, history  # noqa: E402


def _fitted(cases: list[PastCase]) -> Classifier:
    counts = Counts()
    for case in cases:
        counts.add(case.group_id, case.text)
    return fit(counts)


#: the settings' default confidence (domain/routing_classifier.ClassifierSettings)
THRESHOLD = ClassifierSettings().min_confidence


def _routes(text: str, model: Classifier) -> tuple[str, str, str, str]:
    """(rules', classifier's, both's, both's at THRESHOLD) group for a text."""
    decision = decide(EVAL_RULES, CaseFacts(text=text), DEFAULT_GROUP)
    guess = model.predict(text)
    learned = guess.group_id if guess else DEFAULT_GROUP
    matched = decision.reason_code == "rule_matched"
    both = decision.group_id if matched else learned
    sure = guess is not None and guess.confidence >= THRESHOLD
    return decision.group_id, learned, both, decision.group_id if matched or not sure else learned


def measure() -> dict[str, float | int]:
    """Accuracies (0..1) on the held-out history and on the routing set, and sizes."""
    cases = history()
    kept = [c for c in cases if not held_out(c.case_id)]
    held = [c for c in cases if held_out(c.case_id)]
    model = _fitted(kept)
    right = [0, 0, 0, 0]
    for case in held:
        for i, got in enumerate(_routes(case.text, model)):
            right[i] += got == case.group_id
    whole = _fitted(cases)
    rows = routing_rows()
    eval_right = [0, 0, 0, 0]
    for expected, _kind, text in rows:
        for i, got in enumerate(_routes(text, whole)):
            eval_right[i] += got == expected
    return {
        "cases": len(cases), "held_out": len(held),
        "rules": right[0] / len(held), "classifier": right[1] / len(held),
        "both": right[2] / len(held), "both_sure": right[3] / len(held),
        "eval_rows": len(rows), "eval_rules": eval_right[0] / len(rows),
        "eval_classifier": eval_right[1] / len(rows), "eval_both": eval_right[2] / len(rows),
        "eval_both_sure": eval_right[3] / len(rows),
        "model_bytes": len(whole.pack()), "terms": len(whole.terms),
    }  # fmt: skip


def report_lines(figures: dict[str, float | int]) -> list[str]:
    f = figures
    return [
        f"seeded history: {f['cases']} resolved cases, {f['held_out']} held out "
        f"(devstack/history.py)",
        f"  held out: rules {f['rules']:.1%}, classifier {f['classifier']:.1%}, "
        f"both (a rule, else the classifier) {f['both']:.1%}, "
        f"both at confidence {THRESHOLD:.0%} {f['both_sure']:.1%}",
        f"tests/data/routing_eval.tsv ({f['eval_rows']} rows), fitted on the whole history: "
        f"rules {f['eval_rules']:.1%}, classifier {f['eval_classifier']:.1%}, "
        f"both {f['eval_both']:.1%}, both at confidence {THRESHOLD:.0%} "
        f"{f['eval_both_sure']:.1%}",
        f"model: {f['terms']} terms, {f['model_bytes'] / 1024:.1f} KB packed "
        "(one DynamoDB item, limit 400 KB)",
    ]


def main() -> None:
    print("\n".join(report_lines(measure())))


if __name__ == "__main__":
    main()
