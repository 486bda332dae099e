"""The learned routing classifier (domain/routing_classifier.py), what routing keeps on a
case, and what a change of a case teaches (a correction, a resolved example): no AWS."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain import case_change as cc
from chalicelib.domain.cases import SYSTEM, CaseRouting, ReasonCode, RoutingSuggestion
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.routing_classifier import (
    Classifier,
    ClassifierSettings,
    Counts,
    Prediction,
    accuracy,
    fit,
    held_out,
    with_classifier,
)
from chalicelib.domain.routing_corrections import correction_of, example_of, features
from chalicelib.domain.routing_rules import RoutingDecision

from .test_case_change import NOW, case_in

SHOP = {
    "teslimat": ["Paketim hâlâ gelmedi", "kargom nerede kaldı", "paketimi kurye getirmedi",
                 "kargo takip numarası çalışmıyor", "paket gecikti"],
    "iade": ["ürünü iade etmek istiyorum", "iade kodu gelmedi", "paramı geri istiyorum",
             "iadem onaylanmadı", "ücret iadesi yapılmadı"],
    "teknik": ["telefon açılmıyor", "ekran kırık geldi", "şarj olmuyor cihaz",
               "telefonum ısınıyor", "cihaz kendiliğinden kapanıyor"],
}  # fmt: skip


def trained() -> Classifier:
    counts = Counts()
    for group, texts in SHOP.items():
        for text in texts:
            counts.add(group, text)
    return fit(counts)


def test_it_places_new_wordings_by_their_stems_with_a_probability():
    model = trained()
    guess = model.predict("PAKETİM gelmedi, kurye yok")
    assert guess is not None and guess.group_id == "teslimat"
    assert 0.5 < guess.confidence <= 1
    assert model.predict("iade etmek istiyorum parası").group_id == "iade"
    assert model.predict("cihazım açılmıyor").group_id == "teknik"


def test_a_text_with_no_known_word_has_no_prediction():
    assert trained().predict("merhaba") is None
    one_group = Counts()
    one_group.add("teslimat", "kargo gelmedi")
    assert fit(one_group).predict("kargo") is None  # nothing to choose between


def test_the_model_packs_into_one_small_blob_and_back():
    model = trained()
    blob = model.pack()
    assert len(blob) < 400_000
    again = Classifier.unpack(blob)
    assert again.predict("kargom gelmedi") == model.predict("kargom gelmedi")


def test_counts_survive_a_round_trip_so_a_training_resumes():
    counts = Counts()
    counts.add("iade", "iade kodu")
    again = Counts.from_dict(counts.to_dict())
    again.add("iade", "iade")
    assert again.docs["iade"] == 2 and again.terms["iade"][features("iade")[0]] == 2


def test_pruning_keeps_the_commonest_terms():
    counts = Counts()
    counts.add("a", "kargo kargo kargo paket")
    counts.add("b", "iade iade fatura")
    model = fit(counts, max_terms=2)
    assert set(model.terms) == {features("kargo")[0], features("iade")[0]}
    assert model.vocabulary > 2  # the likelihoods still count every word seen


def test_accuracy_counts_an_unplaceable_text_as_wrong():
    model = trained()
    examples = [("teslimat", features("kargom gelmedi")), ("iade", features("merhaba"))]
    assert accuracy(model, examples) == 0.5
    assert accuracy(model, []) is None


def test_a_fifth_of_cases_is_held_out_always_the_same():
    ids = [f"c-{n}" for n in range(2000)]
    share = sum(map(held_out, ids)) / len(ids)
    assert 0.17 < share < 0.23
    assert [held_out(i) for i in ids[:50]] == [held_out(i) for i in ids[:50]]


def decision(reason="default_group", group="musteri") -> RoutingDecision:
    return RoutingDecision(group_id=group, priority="normal", reason_code=reason)


def test_with_no_rule_matched_it_suggests_and_routes_only_when_turned_on():
    sure = Prediction("teslimat", 0.93)
    off = with_classifier(decision(), sure, ClassifierSettings())
    assert (off.group_id, off.reason_code, off.suggested_group_id) == (
        "musteri", "default_group", "teslimat")  # fmt: skip
    on = with_classifier(decision(), sure, ClassifierSettings(enabled=True))
    assert (on.group_id, on.reason_code, on.suggested_confidence) == (
        "teslimat", "classifier_routed", 0.93)  # fmt: skip
    unsure = with_classifier(
        decision(), Prediction("teslimat", 0.6), ClassifierSettings(enabled=True)
    )
    assert (unsure.group_id, unsure.suggested_group_id) == ("musteri", "teslimat")


def test_against_a_rule_it_only_suggests_and_only_when_sure():
    rule = decision("rule_matched", "iade")
    settings = ClassifierSettings(enabled=True, min_confidence=0.9)
    assert with_classifier(rule, Prediction("teslimat", 0.8), settings) == rule
    strong = with_classifier(rule, Prediction("teslimat", 0.95), settings)
    assert (strong.group_id, strong.suggested_group_id) == ("iade", "teslimat")
    intake = decision("group_chosen_at_intake", "iade")
    assert with_classifier(intake, Prediction("teslimat", 0.99), settings) == intake
    assert with_classifier(rule, Prediction("iade", 0.99), settings) == rule


def test_routing_keeps_what_it_chose_and_why_on_the_case():
    suggestion = RoutingSuggestion(group_id="teslimat", confidence=0.91)
    command = cc.Route(group_id="teslimat", priority="normal", set_category_id="kargo",
                       reason_code=ReasonCode.CLASSIFIER_ROUTED, suggestion=suggestion)  # fmt: skip
    change = cc.change_case(case_in(Status.NEW), command, SYSTEM, NOW)
    assert change.case.routing == CaseRouting(
        group_id="teslimat", category_id="kargo", reason_code="classifier_routed",
        suggestion=RoutingSuggestion(group_id="teslimat", confidence=0.91),
    )  # fmt: skip
    assert change.entries[0].data["confidence"] == 0.91


def routed_case(status: Status = Status.OPEN, **fields):
    routing = CaseRouting(group_id="urun", reason_code="default_group")
    return case_in(status, routing=routing, **fields)


def test_a_move_away_from_routing_is_a_correction_with_the_text():
    before = routed_case()
    after = before.model_copy(update={"group_id": "teslimat", "version": before.version + 1})
    found = correction_of(before, after, "mehmet", "2026-03-02T09:00:00Z")
    assert (found.routed_group, found.final_group, found.case_id, found.by) == (
        "urun", "teslimat", "c1", "mehmet")  # fmt: skip
    assert found.text.startswith("Kargom gelmedi")
    recategorised = before.model_copy(update={"category_id": "kargo"})
    assert correction_of(before, recategorised, "mehmet", "t").final_category == "kargo"


def test_no_correction_without_a_move_or_for_a_group_chosen_at_intake():
    before = routed_case()
    assert correction_of(before, before.model_copy(update={"priority": "high"}), "m", "t") is None
    chosen = before.model_copy(update={"routing": CaseRouting(
        group_id="urun", reason_code="group_chosen_at_intake")})  # fmt: skip
    moved = chosen.model_copy(update={"group_id": "teslimat"})
    assert correction_of(chosen, moved, "m", "t") is None
    unrouted = before.model_copy(update={"routing": None})
    assert correction_of(unrouted, unrouted.model_copy(update={"group_id": "x"}), "m", "t") is None


def test_a_resolution_is_an_example_in_the_group_it_ended_in():
    before = routed_case(Status.IN_PROGRESS, group_id="teslimat")
    after = before.model_copy(update={"status": Status.RESOLVED,
                                      "resolved_at": NOW + timedelta(hours=1)})  # fmt: skip
    example = example_of(before, after)
    assert (example.group_id, example.routed_group, example.routed_by) == (
        "teslimat", "urun", "default_group")  # fmt: skip
    assert example_of(after, after) is None  # no new resolution
    assert example_of(None, after) is None
