"""services/routing_learning.py with an in-memory store: a training cut short resumes where
it stopped and counts nothing twice; the held-out cases measure the model before they join
it; the report keeps only real corrections; settings changes are kept with who and when."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.routing_classifier import ClassifierSettings, held_out
from chalicelib.domain.routing_corrections import Correction, Example
from chalicelib.domain.routing_rules import RoutingRule
from chalicelib.services.routing_learning import (
    MODEL_TTL,
    RoutingLearning,
    SettingsChange,
    months_back,
)
from devstack.history import history

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


class MemoryStore:
    """DynamoRoutingLearning's reads and writes over dicts; pages of `page` examples."""

    def __init__(self, page: int = 50) -> None:
        self.page = page
        self.examples: dict[str, list[Example]] = {}
        self.corrections_by_month: dict[str, list[Correction]] = {}
        self.items: dict[str, dict] = {}
        self.pages_read = 0

    def examples_page(self, month, cursor, limit=200):
        self.pages_read += 1
        rows = self.examples.get(month, [])
        start = int(cursor or 0)
        end = start + self.page
        return rows[start:end], (str(end) if end < len(rows) else None)

    def corrections(self, months):
        return [c for m in months for c in self.corrections_by_month.get(m, [])]

    def model(self):
        return self.items.get("model")

    def put_model(self, fields):
        self.items["model"] = fields

    def training(self):
        return self.items.get("training")

    def put_training(self, fields):
        self.items["training"] = fields

    def end_training(self):
        self.items.pop("training", None)

    def settings(self):
        return self.items.get("settings") or ClassifierSettings()

    def put_settings(self, settings):
        self.items["settings"] = settings


def with_history(page: int = 50) -> MemoryStore:
    store = MemoryStore(page)
    for case in history(now=NOW.replace(tzinfo=None), days=150):
        month = case.created_at.strftime("%Y-%m")
        store.examples.setdefault(month, []).append(
            Example(case.case_id, case.text, case.group_id, None, "musteri", "default_group")
        )
    return store


def test_a_training_cut_short_resumes_and_counts_each_case_once():
    store = with_history()
    learning = RoutingLearning(store, clock=lambda: NOW)
    first = learning.train(pages=3)
    assert first.training and not first.trained
    assert store.training()["month"] < 12
    while learning.status().training or not learning.status().trained:
        learning.train(pages=3)
    status = learning.status()
    assert status.examples == 600 and not status.training
    held = sum(held_out(c.case_id) for c in history(now=NOW.replace(tzinfo=None), days=150))
    assert status.held_out == held
    assert status.accuracy > 0.8  # measured before the held-out cases joined
    assert status.rules_accuracy == pytest.approx(0.2, abs=0.1)  # the default group, a fifth
    whole = RoutingLearning(with_history(page=1000), clock=lambda: NOW)
    whole.train()
    assert whole.status().accuracy == status.accuracy  # the same model, in one run or many
    assert learning.predict("kargom nerede kaldı").group_id == "teslimat"


def test_too_few_cases_make_no_model():
    store = MemoryStore()
    store.examples["2026-12"] = [Example(f"c{n}", "kargo", "teslimat") for n in range(5)]
    learning = RoutingLearning(store, clock=lambda: NOW)
    assert not learning.train().trained and learning.predict("kargo") is None


def test_the_report_reads_three_months_and_leaves_moves_back_out():
    store = MemoryStore()
    moved = [Correction("paketim gelmedi", "musteri", "teslimat", f"c{n}") for n in range(3)]
    back = Correction("paketim gelmedi", "musteri", "musteri", "c9")
    store.corrections_by_month = {"2026-12": [*moved, back], "2026-08": moved}
    report = RoutingLearning(store, clock=lambda: NOW).report()
    assert report.months == ["2026-10", "2026-11", "2026-12"]
    assert report.corrections == 3
    assert [(m.routed_group, m.final_group, m.corrections) for m in report.moves] == [
        ("musteri", "teslimat", 3)]  # fmt: skip
    paket = next(p for p in report.phrases if p.phrase == "paketim")
    assert (paket.group_id, paket.corrections, paket.suggestion.keyword) == (
        "teslimat", 3, "paketim")  # fmt: skip
    assert paket.covered_by is None  # no rules given


def test_the_report_names_the_rule_that_already_matches_a_phrase():
    store = MemoryStore()
    store.corrections_by_month = {"2026-12": [
        Correction("faturam gelmedi", "finans", "musteri", f"c{n}") for n in range(3)]}  # fmt: skip
    rule = RoutingRule(id="r-finans", name="Ödeme ve fatura", order=20, group_id="finans",
                       phrases=["fatura"])  # fmt: skip
    report = RoutingLearning(store, clock=lambda: NOW, rules=lambda: [rule]).report()
    row = next(p for p in report.phrases if p.phrase == "faturam")
    assert row.suggestion is None and row.covered_by.rule_name == "Ödeme ve fatura"
    assert next(p for p in report.phrases if p.phrase == "gelmedi").covered_by is None


def test_the_report_has_a_categories_section_beside_the_groups_one():
    store = MemoryStore()
    put = [Correction("faturam yanlış", "finans", "finans", f"c{n}", routed_category="k-odeme",
                      final_category="k-fatura") for n in range(3)]  # fmt: skip
    store.corrections_by_month = {"2026-12": put}
    report = RoutingLearning(store, clock=lambda: NOW).report()
    assert (report.corrections, report.moves, report.phrases) == (0, [], [])
    categories = report.categories
    assert categories.corrections == 3
    assert [(m.routed_category, m.final_category, m.corrections) for m in categories.moves] == [
        ("k-odeme", "k-fatura", 3)]  # fmt: skip
    row = next(p for p in categories.phrases if p.phrase == "faturam")
    assert (row.category_id, row.corrections, row.share, row.suggestion.keyword) == (
        "k-fatura", 3, 1.0, "faturam")  # fmt: skip


def test_a_settings_change_keeps_the_rest_and_who_and_when():
    store = MemoryStore()
    learning = RoutingLearning(store, clock=lambda: NOW)
    learning.change_settings(SettingsChange(min_confidence=0.9), "admin")
    after = learning.change_settings(SettingsChange(enabled=True), "selin")
    assert (after.enabled, after.min_confidence, after.changed_by, after.changed_at) == (
        True, 0.9, "selin", NOW)  # fmt: skip


def test_a_settings_change_that_names_nothing_is_refused():
    learning = RoutingLearning(MemoryStore(), clock=lambda: NOW)
    with pytest.raises(InvalidInput) as refused:
        learning.change_settings(SettingsChange(), "admin")
    assert refused.value.code == "nothing_to_change"
    assert learning.settings().changed_by is None


def test_months_back_crosses_the_year():
    assert months_back(datetime(2026, 2, 1), 3) == ["2025-12", "2026-01", "2026-02"]


def test_routing_reads_the_model_once_per_ttl_not_once_per_case():
    store = with_history()
    reads = []
    read = store.model
    store.model = lambda: reads.append(1) or read()
    now = [NOW]
    learning = RoutingLearning(store, clock=lambda: now[0])
    assert learning.predict("kargom nerede") is None and len(reads) == 1  # no model yet
    learning.train(pages=1000)  # the container that trains keeps its model at once
    assert learning.predict("kargom nerede").group_id == "teslimat"
    count = len(reads)
    for _ in range(5):
        learning.predict("kargom nerede")
    assert len(reads) == count
    now[0] = NOW + MODEL_TTL
    learning.predict("kargom nerede")
    assert len(reads) == count + 1


def test_the_reports_rows_answer_the_same_json_as_before():
    """The API's rows are built from the domain's dataclasses (MissedPhrase,
    MissedCategoryPhrase): every field, in its order, with its schema's name and words."""
    store = MemoryStore()
    billing = [Correction("faturam yanlış", "finans", "musteri", f"f{n}", routed_category="k-odeme",
                          final_category="k-fatura") for n in range(3)]  # fmt: skip
    parcels = [Correction("paketim gelmedi", "musteri", "teslimat", f"p{n}") for n in range(3)]
    store.corrections_by_month = {"2026-12": billing + parcels}
    rule = RoutingRule(id="r-finans", name="Ödeme ve fatura", order=20, group_id="finans",
                       phrases=["fatura"])  # fmt: skip
    report = RoutingLearning(store, clock=lambda: NOW, rules=lambda: [rule]).report(top=100)
    answer = report.model_dump(mode="json")
    rows = {r["phrase"]: r for r in answer["phrases"]}
    assert rows["faturam"] == {
        "phrase": "faturam", "group_id": "musteri", "corrections": 3, "share": 1.0,
        "suggestion": None,
        "covered_by": {"rule_id": "r-finans", "rule_name": "Ödeme ve fatura",
                       "group_id": "finans", "set_category_id": None, "matched": "faturam"},
    }  # fmt: skip
    assert list(rows["paketim"]) == ["phrase", "group_id", "corrections", "share",
                                     "suggestion", "covered_by"]  # fmt: skip
    assert rows["paketim"]["suggestion"] == {
        "keyword": "paketim",
        "mode": "inflected",
        "not_words": [],
        "catches": 1.0,
    }
    assert rows["paketim"]["covered_by"] is None
    category = next(r for r in answer["categories"]["phrases"] if r["phrase"] == "faturam")
    assert list(category) == ["phrase", "category_id", "corrections", "share", "suggestion",
                              "covered_by"]  # fmt: skip
    assert category["category_id"] == "k-fatura" and category["covered_by"]["rule_id"] == "r-finans"
    schemas = report.model_json_schema()["$defs"]
    assert {"MissedPhraseRow", "MissedCategoryRow"} <= set(schemas)
    assert "covered_by" in schemas["MissedPhraseRow"]["description"]
    assert schemas["MissedPhraseRow"]["required"] == ["phrase", "group_id", "corrections", "share"]
