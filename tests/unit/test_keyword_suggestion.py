"""The corrections report's suggestion for one phrase (domain/keyword_suggestion.py): a word
as customers wrote it, with the mode that catches their forms, checked with the matcher, and
never-trigger words for the verb forms its stem would catch; or the rule that already has it."""

from collections import Counter

import pytest

from chalicelib.domain.keyword_suggestion import covering_rule, suggest, verb_forms, verb_root
from chalicelib.domain.routing_rules import RoutingRule
from chalicelib.domain.text import MatchMode, original_words, words


def as_rule(suggestion) -> RoutingRule:
    """The rule an admin gets by adding the suggestion as it is."""
    keyword = suggestion.keyword
    return RoutingRule(id="r", name="r", order=0, group_id="teslimat", phrases=[keyword],
                       match_modes={keyword: suggestion.mode},
                       not_words={keyword: suggestion.not_words})  # fmt: skip


def caught(rule: RoutingRule, text: str) -> bool:
    return bool(rule.hits(words(text), original_words(text)))


#: the folded words of corrected cases where customers also used the verb "göndermek"
VOCABULARY = {"faturayi", "gondermek", "gonderdim", "gonderi", "gonderim", "gonderimi"}


def test_gonderi_is_suggested_as_written_and_never_catches_the_imperative():
    """The user's report: `gönder` (the stem) was suggested for "gönderi" and would match
    "gönderin" (send!), the over-match issue 20 is about."""
    forms = Counter({"gönderi": 3, "gönderim": 2, "gönderimi": 1})
    suggestion = suggest(forms, VOCABULARY)
    assert suggestion.keyword != "gönder"
    assert suggestion.keyword == "gönderi" and suggestion.mode == MatchMode.INFLECTED
    assert suggestion.catches == 1.0
    rule = as_rule(suggestion)
    assert all(caught(rule, form) for form in forms)
    for verb in ("gönderin", "Lütfen faturayı gönderin", "gönderdim", "gönderiyor", "gönderir",
                 "göndermek"):  # fmt: skip
        assert not caught(rule, verb), verb
    assert "gönderin" in suggestion.not_words


def test_a_customer_form_is_never_a_never_trigger_word():
    """ "gönderiniz" (your shipment) written in these cases is one of the phrase's forms."""
    suggestion = suggest(Counter({"gönderi": 3, "gönderiniz": 2}), VOCABULARY)
    assert "gönderiniz" not in suggestion.not_words
    assert caught(as_rule(suggestion), "gönderiniz")


@pytest.mark.parametrize(
    ("forms", "keyword"),
    [
        ({"faturam": 4, "fatura": 1, "faturamı": 1}, "fatura"),  # catches all: not "fatur"
        ({"taşıyıcı": 3, "taşıyıcım": 1}, "taşıyıcı"),  # not "taşıyıç"
        ({"paketim": 3, "paketimi": 2, "paket": 1}, "paket"),
        ({"fatura adresi": 3, "fatura adresim": 1}, "fatura adresi"),
    ],
)
def test_the_keyword_is_a_form_customers_wrote_that_catches_theirs(forms, keyword):
    suggestion = suggest(Counter(forms))
    assert suggestion.keyword == keyword and suggestion.keyword in forms
    assert suggestion.catches == 1.0
    assert all(caught(as_rule(suggestion), form) for form in forms)


def test_derived_only_when_it_catches_more_of_what_customers_wrote():
    assert suggest(Counter({"fatura": 3})).mode == MatchMode.INFLECTED
    derived = suggest(Counter({"fatura": 3, "faturalandırma": 2}))
    assert (derived.keyword, derived.mode) == ("fatura", MatchMode.DERIVED)


def test_a_noun_built_like_gonderi_gets_no_verb_forms_without_a_verb_in_the_cases():
    """ "paketi" is paket + the accusative, built as "gönderi" is; no customer wrote a verb
    "paketmek", so "paketin" (your parcel) is no never-trigger word."""
    vocabulary = {"paketi", "paketim", "gelmedi", "gondermek"}
    assert not verb_root("paketi", vocabulary) and verb_root("gönderi", vocabulary)
    suggestion = suggest(Counter({"paketi": 3, "paketim": 2}), vocabulary)
    assert suggestion.not_words == [] and caught(as_rule(suggestion), "paketin")


def test_verb_forms_only_of_a_root_a_noun_is_made_from():
    assert "gönderin" in verb_forms("gönderi") and "gönderdim" in verb_forms("gönderi")
    assert verb_forms("taşıyıcı") == []  # taşıyıç: a softened consonant put back, no verb
    assert verb_forms("fatura") == [] and verb_forms("kargom") == []


def test_the_covering_rule_is_the_first_enabled_one_by_order():
    later = RoutingRule(id="b", name="B", order=30, group_id="finans", phrases=["fatura"])
    first = RoutingRule(id="a", name="A", order=10, group_id="iade", phrases=["fatura iade"])
    off = RoutingRule(id="c", name="C", order=0, group_id="x", phrases=["fatura"], enabled=False)
    found = covering_rule(Counter({"fatura": 2, "faturam": 1}), [later, first, off])
    assert (found.rule_id, found.group_id, found.matched) == ("b", "finans", "fatura")
    assert covering_rule(Counter({"paket": 3}), [later, first, off]) is None
