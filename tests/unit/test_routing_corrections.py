"""Agents' corrections of routing: the phrases that most often end in another group than the
rules chose, with the keyword that would have caught them or the rule that already matched
them (issue 20, second half)."""

from chalicelib.domain.routing_corrections import (
    Correction,
    missed_category_phrases,
    missed_phrases,
)
from chalicelib.domain.routing_rules import RoutingRule
from chalicelib.domain.text import MatchMode

FINANS = RoutingRule(id="r-finans", name="Ödeme ve fatura", order=20, group_id="finans",
                     set_category_id="k-fatura", phrases=["ödeme", "fatura"])  # fmt: skip


def moved(text: str, final: str = "teslimat", routed: str = "musteri") -> Correction:
    return Correction(text=text, routed_group=routed, final_group=final)


def test_a_word_the_rules_miss_is_shown_with_its_group_and_keyword():
    corrections = [
        moved("Paketim nerede kaldı"),
        moved("PAKETİM hâlâ yok"),
        moved("paketimi alamadım"),
        moved("Paket ne zaman gelir"),
        moved("Şifremi unuttum", final="musteri"),  # not a correction: the rules were right
        moved("paketim açılmış geldi", final="teknik"),
    ]
    found = {m.phrase: m for m in missed_phrases(corrections, min_count=3)}
    assert "paketim" in found
    paket = found["paketim"]
    assert (paket.group_id, paket.corrections) == ("teslimat", 4)
    assert paket.suggestion.keyword == "paket" and paket.covered_by is None
    assert paket.share == 0.8  # one of five went to technical service
    assert "şifremi" not in found


def test_phrases_split_between_groups_or_rare_are_left_out():
    corrections = [moved("ürün kutusu ezik", "teslimat"), moved("ürün kutusu ezik", "teknik"),
                   moved("ürün kutusu ezik", "iade"), moved("kurşun kalem", "teknik")]  # fmt: skip
    assert missed_phrases(corrections, min_count=2) == []


def test_most_corrections_first_and_pairs_of_words_count():
    corrections = [moved("kapıda bıraktı kurye yok")] * 3 + [moved("kapıda bıraktılar")] * 2
    found = missed_phrases(corrections, min_count=3)
    counts = [(m.phrase, m.corrections) for m in found]
    # "bıraktılar" is "bıraktı" (one stem), and so is the pair; ties by the phrase
    assert counts[:3] == [("bıraktı", 5), ("kapıda", 5), ("kapıda bıraktı", 5)]
    assert ("kurye", 3) in counts[3:]


def test_courtesies_and_urgings_are_no_topic():
    corrections = [moved("Merhabalar, paketim gelmedi. Acil dönüş bekliyorum. Kolay gelsin.")] * 3
    found = {m.phrase for m in missed_phrases(corrections, min_count=3)}
    assert "paketim" in found
    assert not found & {"merhabalar", "acil", "dönüş", "bekliyorum", "kolay", "gelsin"}


def recategorised(text: str, final: str | None, routed: str | None = "k-genel") -> Correction:
    """A case left in its group but put in category `final` (routing set `routed`)."""
    return Correction(text=text, routed_group="teslimat", final_group="teslimat",
                      routed_category=routed, final_category=final)  # fmt: skip


def test_a_word_that_ends_in_another_category_is_shown_with_its_category_and_keyword():
    """Issue 20: the category side of the report. Routing setting no category counts (a rule
    could have set it); a category cleared or put back as routed says nothing."""
    corrections = [
        recategorised("Faturam yanlış geldi", "k-fatura"),
        recategorised("FATURAMI göremiyorum", "k-fatura", routed=None),
        recategorised("faturamın tutarı", "k-fatura"),
        recategorised("faturamı ödedim", "k-odeme"),
        recategorised("faturam nerede", None),  # cleared: no category to learn
        recategorised("faturam nerede", "k-genel"),  # as routing set it
    ]
    found = {m.phrase: m for m in missed_category_phrases(corrections, min_count=3)}
    fatura = found["faturamı"]  # the commonest form
    assert (fatura.category_id, fatura.corrections, fatura.share) == ("k-fatura", 3, 0.75)
    # customers never wrote "fatura" alone: the form that catches all of theirs, inflected
    suggestion = fatura.suggestion
    assert (suggestion.keyword, suggestion.mode, suggestion.catches) == (
        "faturam", MatchMode.INFLECTED, 1.0)  # fmt: skip
    # the same cases moved no group: the group side has nothing
    assert missed_phrases(corrections, min_count=1) == []


def test_a_phrase_a_rule_already_has_names_the_rule_not_a_keyword():
    """The finans rule has "fatura": cases with it moved elsewhere are no missing keyword
    (the user's report: `fatur` and `fatur adres` were suggested), the rule is what to read."""
    corrections = [moved("Fatura adresim yanlış", final="musteri", routed="finans")] * 3
    found = {m.phrase: m for m in missed_phrases(corrections, [FINANS], min_count=3)}
    for phrase in ("fatura", "fatura adresim"):
        row = found[phrase]
        assert row.suggestion is None
        assert (row.covered_by.rule_id, row.covered_by.rule_name) == ("r-finans", "Ödeme ve fatura")
        assert row.covered_by.matched == "fatura"
    assert found["adresim"].covered_by is None and found["adresim"].suggestion.keyword == "adresim"
    # a disabled rule covers nothing: the word is suggested, as written
    off = FINANS.model_copy(update={"enabled": False})
    row = {m.phrase: m for m in missed_phrases(corrections, [off], min_count=3)}["fatura"]
    assert (row.covered_by, row.suggestion.keyword) == (None, "fatura")


def test_the_category_side_names_the_covering_rule_too():
    corrections = [recategorised("faturam yanlış", "k-odeme", routed="k-fatura")] * 3
    found = {m.phrase: m for m in missed_category_phrases(corrections, [FINANS], min_count=3)}
    assert found["faturam"].covered_by.set_category_id == "k-fatura"
    assert found["faturam"].suggestion is None


def test_suggestions_are_words_as_written_never_stems():
    corrections = [moved("Taşıyıcı firma paketi bırakmadı")] * 2 + [moved("taşıyıcım gelmedi")]
    found = {m.phrase: m for m in missed_phrases(corrections, min_count=3)}
    suggestion = found["taşıyıcı"].suggestion
    assert (suggestion.keyword, suggestion.mode) == ("taşıyıcı", MatchMode.INFLECTED)
    assert suggestion.catches == 1.0  # "taşıyıcım" too
    written = {w for c in corrections for w in c.text.lower().split()} | {"taşıyıcı"}
    for row in missed_phrases(corrections, min_count=1):
        assert set(row.suggestion.keyword.split()) <= written  # "taşıyıç" was a stem
