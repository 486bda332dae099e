"""Support vocabulary that means the same thing, for search (docs/search.md, "Relevance").

Customers and article writers name one thing in different words: a customer's "şifre" is
the article's "parola", "bedava" is "ücretsiz", "tamir" is "onarım". A query word whose form
or stem is a member of a group ("şifremi" → `sifre`) also matches the group's other members,
as prefixes, so inflected forms meet too ("parolamı"). Not a member's prefix: "gönderilmiş"
(was sent) is not "gönderi" (a shipment).
Query side only: the index is unchanged, so a new group needs no rebuild.

Groups are folded (ASCII, lowercase), one word each (the analyzer splits "e-posta"), and
general to Turkish e-commerce support, never a fix for one question: a word with several
senses ("geri", "kod") stays out.
"""

from __future__ import annotations

from functools import lru_cache

SYNONYM_GROUPS: tuple[frozenset[str], ...] = tuple(
    frozenset(group.split())
    for group in (
        "sifre parola",
        "mail email eposta posta",
        "ucretsiz bedava",
        "ucret bedel",
        "kargo gonderi gonderim",
        "paket koli",
        "tamir onarim",
        "bozuk bozuldu ariza arizali",
        "defolu kusurlu ayipli",
        "reklam tanitim kampanya",
        "mesaj sms ileti",
        "hasar hasarli ezik yirtik",
        "indirim kupon",
        "yurtdisi yurtdisina ulke",
        "giris oturum",
        "iptal vazgec",
        "montaj kurulum",
        "cep telefon",
        "taksit taksitle taksitli",
    )
)


@lru_cache(maxsize=1)
def _members() -> dict[str, frozenset[str]]:
    """Each member with the other members of its groups."""
    found: dict[str, set[str]] = {}
    for group in SYNONYM_GROUPS:
        for member in group:
            found.setdefault(member, set()).update(group - {member})
    return {m: frozenset(others) for m, others in found.items()}


def synonyms_of(forms: set[str]) -> set[str]:
    """The other words of the groups a query word belongs to. `forms`: the word folded and
    its other forms (stems, `search_text.typed_forms`); a member matches a form it equals."""
    found: set[str] = set()
    for member, others in _members().items():
        for form in forms:
            if form == member:
                found |= others
                break
    return found
