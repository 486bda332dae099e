"""Agents' corrections of routing: the phrases that most often end in another group than the
rules chose, with the keyword that would have caught them (issue 20, second half)."""

from chalicelib.domain.routing_corrections import (
    Correction,
    missed_category_phrases,
    missed_phrases,
)


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
    assert (paket.group_id, paket.corrections, paket.keyword) == ("teslimat", 4, "paket")
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
    fatura = next(m for m in found.values() if m.keyword == "fatura")
    assert (fatura.category_id, fatura.corrections, fatura.share) == ("k-fatura", 3, 0.75)
    # the same cases moved no group: the group side has nothing
    assert missed_phrases(corrections, min_count=1) == []
