"""The learned classifier's figures in `make bench` (bench/routing_learning.py): the floors
it keeps on the seeded history and on the routing set, and the section docs/performance.md
gets."""

from __future__ import annotations

import pytest

from bench import report
from bench.routing_learning import measure, report_lines


@pytest.fixture(scope="module")
def figures():
    return measure()


def test_the_classifier_learns_what_the_rules_miss(figures):
    assert figures["held_out"] > 100
    assert figures["classifier"] >= 0.85 > figures["rules"]
    assert figures["both"] >= figures["classifier"]


def test_at_the_default_confidence_it_never_costs_the_rules_a_case(figures):
    # on text unlike its history it guesses; sure only where it knows, it leaves the rest
    assert figures["eval_both_sure"] >= figures["eval_rules"]
    assert figures["eval_classifier"] < figures["eval_rules"]


def test_the_model_fits_one_item_and_the_figures_reach_the_report(figures):
    assert figures["model_bytes"] < 400_000
    run = report.Run(date="2026-12-03", machine="test", routing_learning=report_lines(figures))
    text = report.render(run)
    text = text if isinstance(text, str) else "\n".join(text)
    assert "## Routing learned from corrections" in text
    assert f"classifier {figures['classifier']:.1%}" in text
