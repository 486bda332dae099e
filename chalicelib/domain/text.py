"""Turkish-aware text matching, shared by routing and search.

Three things make naive matching fail on what Turkish customers type:

- case: Turkish has dotted and dotless i (İ→i, I→ı), which Python's lower()
  gets wrong ("İADE".lower() is "i̇ade" with a combining dot);
- missing letters: many type without Turkish letters ("odeme", "calismiyor",
  "Iade"), so words are compared folded to ASCII (ç→c, ğ→g, ı→i, ö→o, ş→s, ü→u);
- suffixes: "kargo" must find "kargom", "kargoya", "KARGODAN". A keyword
  matches a word that starts with it (a token prefix); Snowball's Turkish
  stemmer adds what prefixes miss, softened consonants ("kitabım" → "kitap",
  "kırığı" → "kırık"), by comparing stems.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache
from threading import Lock

_TURKISH_UPPER_I = str.maketrans({"I": "ı", "İ": "i"})
_ASCII_FOLD = str.maketrans("çğıöşüâîû", "cgiosuaiu")
_WORD = re.compile(r"[^\W_]+")
#: final consonants that soften before a vowel suffix: kitap → kitabı, renk → rengi
_SOFTENED = {"p": "b", "c": "c", "t": "d", "k": "g"}
#: shorter keywords must match a whole word, or "ev" would match "evrak"
MIN_PREFIX = 3
MIN_STEM = 4

_stem_lock = Lock()


@lru_cache(maxsize=1)
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("turkish")


def turkish_lower(text: str) -> str:
    lowered = unicodedata.normalize("NFC", text).translate(_TURKISH_UPPER_I).lower()
    return lowered.replace("i̇", "i")  # any combining dot left by other scripts' İ


def fold(text: str) -> str:
    """Lowercase the Turkish way, then drop Turkish letters to ASCII."""
    return turkish_lower(text).translate(_ASCII_FOLD)


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """Snowball's Turkish stem of a lowercased word (kept in Turkish letters: it needs them)."""
    with _stem_lock:
        return _stemmer().stemWord(word)


class MatchMode(StrEnum):
    """How loosely a rule's keyword matches (an admin's choice, per keyword)."""

    #: the word itself, in any case, with or without Turkish letters
    EXACT = "exact"
    #: the word and its inflections (kargom, kargoya, kredi kartlarımın) and, for a keyword
    #: that comes from a verb, that verb's forms (ödeme: ödedim, ödeyemiyorum; bozuk: bozuldu)
    INFLECTED = "inflected"
    #: any word that starts with it (kargocu, faturalandırma) or shares its stem: the matching
    #: before issue 20, and what a rule without a setting does
    DERIVED = "derived"


#: clause breaks: punctuation, and a contrast word that starts a clause of its own
_TOKEN = re.compile(r"[^\W_]+|[.,;:!?\n]")
CONTRAST = frozenset({"ama", "fakat", "ancak", "lakin", "but"})


@dataclass(frozen=True)
class Word:
    folded: str
    stem: str  # folded stem, "" when too short to trust
    #: which clause of the text (punctuation and contrast words start a new one)
    clause: int = 0
    #: in the part after the text's last contrast word ("kargom geldi AMA ürün bozuk")
    after_contrast: bool = False


def words(text: str) -> list[Word]:
    result: list[Word] = []
    clause, contrast_at = 0, -1
    tokens = _TOKEN.findall(turkish_lower(text))
    for raw in tokens:
        if not raw[0].isalnum():
            clause += 1
            continue
        folded = raw.translate(_ASCII_FOLD)
        if folded in CONTRAST:
            clause += 1
            contrast_at = len(result)
        stemmed = fold(stem(raw))
        result.append(Word(folded, stemmed if len(stemmed) >= MIN_STEM else "", clause))
    if contrast_at >= 0:
        result[contrast_at:] = [replace(w, after_contrast=True) for w in result[contrast_at:]]
    return result


# ---- Turkish word forms: what may follow a noun or a verb (folded: ı→i, ü→u, ö→o) ------------
# Vowel harmony is not checked: folded text has lost it anyway ("odemesi", "ödemesı").

#: a noun's inflections: plural, possessive, case, -ki, the copula ("faturalarımızdaki")
NOUN_TAIL = re.compile(
    r"(?:l[ae]r)?"
    r"(?:[iu]?m[iu]z|[iu]?n[iu]z|l[ae]r[iu]|[iu]?m|[iu]?n|s?[iu])?"
    r"(?:y?[iu]|y?[ae]|n?[dt][ae]n?|n?[iu]n|y?l[ae]|n[iu]|n[ae])?"
    r"(?:k[iu])?"
    r"(?:d[iu]r|t[iu]r|y?[iu]m|y?[iu]z|s[iu]n(?:[iu]z)?|y?d[iu](?:[mkn]|n[iu]z|l[ae]r)?|y?m[iu]s|y?s[ae])?"
)
#: a verb's forms: voice, ability, negation (kept as a group: some keywords need it), a tense
#: or participle (obligatory: a bare root is too short to trust), copula, person, case
VERB_TAIL = re.compile(
    r"(?:[iu]l|[iu]n|l|n|d[iu]r|t[iu]r)?"
    r"(?:y?[ae]bil)?"
    r"(?P<neg>y?[ae]m[aeiu]|m[aeiu])?"
    r"(?:y?[iu]?yo(?:r)?|d[iu]|t[iu]|m[iu]s|y?[ae]c[ae][kg]|[aeiu]?r|z|m[ae]l[iu]|y?[ae]n"
    r"|d[iu][kg]|t[iu][kg]|m[ae]k|y?[iu]p|y?[ae]r[ae]k|y?[iu]nc[ae]|s[ae])"
    r"(?:d[iu]|m[iu]s|s[ae]|k[ae]n)?"
    r"(?:[iu]m[iu]z|[iu]n[iu]z|s[iu]n(?:[iu]z)?|n[iu]z|l[ae]r|[iu]?m|[iu]?n|k|[iu]?z|s[iu]|[iu])?"
    r"(?:y?[iu]|y?[ae]|n?[dt][ae]n?|n?[iu]n|y?l[ae])?"
)
#: nouns whose base is another noun a customer uses alone: "teslim edilmedi" is a delivery
BASE_NOUNS = {"teslimat": "teslim", "tahsilat": "tahsil"}
#: a keyword made from a verb by this ending (folded) stands for the verb's forms too;
#: True: only the verb's negative forms (çalışmıyor: çalışmadı, çalışmayan, not çalışıyor)
_VERB_ENDINGS = (("miyor", True), ("muyor", True), ("me", False), ("ma", False),
                 ("uk", False), ("ik", False))  # fmt: skip
#: frequent words one letter from a keyword that are never its slip ("değilim" is not
#: "değişim"); a word starting with one of these is not read as a typo
NOT_TYPOS = ("degil", "istiyor", "istemiyor", "lutfen", "tesekkur", "merhaba", "nerede",
             "sonra", "kadar", "simdi", "hemen", "neden", "nasil")  # fmt: skip
#: a keyword's verb root is trusted from this length ("boz" of bozuk; not "ol" of olmuyor)
MIN_VERB_ROOT = 3
#: keywords this long tolerate one typed slip (faturra, garnti, odme); shorter ones never
MIN_TYPO = 5


def _verb_roots(folded: str) -> tuple[tuple[str, bool], ...]:
    for ending, negative in _VERB_ENDINGS:
        root = folded[: -len(ending)]
        if folded.endswith(ending) and len(root) >= MIN_VERB_ROOT and len(folded) >= 5:
            return ((root, negative),)
    return ()


def _verb_form(rest: str, negative: bool) -> bool:
    found = VERB_TAIL.fullmatch(rest)
    return bool(found) and (not negative or bool(found.group("neg")))


@dataclass(frozen=True)
class Keyword:
    """One word of a rule's phrase, ready to compare against a text's words.

    `prefixes`: the folded word and its softened form (kitap → kitab); `nouns`: the stems that
    take a noun's inflections (those, the base noun of BASE_NOUNS, a compound's head without its
    -(s)I: "kartı" of "kredi kartı" → "kart"); `verbs`: (root, negative only) of the verb it
    comes from (ödeme → öde, bozuk → boz, çalışmıyor → çalış, negative)."""

    text: str
    prefixes: tuple[str, ...]
    stem: str
    mode: MatchMode = MatchMode.DERIVED
    nouns: tuple[str, ...] = ()
    verbs: tuple[tuple[str, bool], ...] = ()

    @classmethod
    def of(cls, word: str, mode: MatchMode = MatchMode.DERIVED, head: bool = False) -> Keyword:
        """`head`: the last word of a phrase of several, which may carry a compound's -(s)I."""
        lowered = turkish_lower(word)
        folded = fold(word)
        prefixes = [folded]
        if len(folded) >= MIN_PREFIX and folded[-1] in _SOFTENED:
            prefixes.append(folded[:-1] + _SOFTENED[folded[-1]])
        nouns = list(prefixes)
        if folded in BASE_NOUNS:
            nouns.append(BASE_NOUNS[folded])
        if head and len(folded) >= 5 and folded[-1] in "iu":
            nouns.append(folded[:-2] if folded[-2] == "s" else folded[:-1])
        stemmed = fold(stem(lowered))
        return cls(word, tuple(prefixes), stemmed if len(stemmed) >= MIN_STEM else "", mode,
                   tuple(nouns), _verb_roots(folded))  # fmt: skip

    def _form(self, text: str, typo: bool) -> bool:
        """Is `text` (folded) one of the keyword's forms in its mode, allowing a slip?"""
        for noun in self.nouns:
            for head in _heads(text, noun, typo):
                rest = text[len(head) :]
                if self.mode == MatchMode.DERIVED or NOUN_TAIL.fullmatch(rest):
                    return True
        for root, negative in self.verbs:
            for head in _heads(text, root, typo and len(root) >= MIN_TYPO - 1):
                if _verb_form(text[len(head) :], negative):
                    return True
        return False

    def matches(self, word: Word) -> bool:
        folded = word.folded
        if folded == self.prefixes[0]:
            return True
        if self.mode == MatchMode.EXACT or len(self.prefixes[0]) < MIN_PREFIX:
            return False  # short keywords match whole words only: "ev" is not in "evrak"
        if self.mode == MatchMode.DERIVED:
            if len(self.prefixes[0]) >= MIN_PREFIX and folded.startswith(self.prefixes):
                return True
            if self.stem and word.stem in (self.stem, self.prefixes[0]):
                return True
        if self._form(folded, typo=False):
            return True
        if any(folded.startswith(r) and _verb_form(folded[len(r) :], False)
               for r, negative in self.verbs if negative):  # fmt: skip
            return False  # "çalışıyor" is one letter from "çalışmıyor" and means the opposite
        verb = self.prefixes[0][:-1]  # gönderi → gönder: "gönderdiniz" is no slip of "gönderi"
        rest = folded[len(verb) :]
        if folded.startswith(verb) and rest[:1] in ("d", "t", "m") and _verb_form(rest, False):
            return False
        if folded.startswith(NOT_TYPOS):
            return False
        return len(self.prefixes[0]) >= MIN_TYPO and self._form(folded, typo=True)


def _heads(text: str, stem_: str, typo: bool) -> list[str]:
    """The beginnings of `text` that are `stem_` itself or, with `typo`, one edit from it that
    ends as `stem_` ends: a slip inside the word ("faturra", "garnti"), not a suffix's first
    letter taken for one ("gönderir" is not "gönderi" with a slip)."""
    if not typo:
        return [stem_] if text.startswith(stem_) else []
    from .search_text import within_one_edit  # one module's import, only on a near miss

    return [
        text[:n]
        for n in (len(stem_) - 1, len(stem_), len(stem_) + 1)
        if 0 < n <= len(text)
        and text[:n] != stem_
        and text[n - 1] == stem_[-1]
        and within_one_edit(stem_, text[:n])
    ]


#: words after a topic that say it is not the customer's problem ("kargo sorunu değil",
#: "iade istemiyorum", "ödemeyle ilgili bir sorun yok")
_DENIAL = ("degil", "istemiyor", "istemem", "istemeyiz", "gerekmiyor")
_NO = ("yok",)
#: words between a topic and "yok"/"değil" that make it a denial of that topic; without one,
#: "kargodan haber yok" and "faturası içinde yok" are complaints about what is missing
_TOPIC_WORDS = ("sorun", "problem", "sikinti", "ilgili", "konu", "mesele", "derd", "sikayet",
                "ile", "hakkinda", "taraf", "bir")  # fmt: skip
#: how far after the topic a denial may come, in words
DENIAL_REACH = 4


def denied(text_words: list[Word], end: int) -> bool:
    """Does the customer deny the topic whose last word is at `end`? A word of _DENIAL within
    DENIAL_REACH words in the same clause, with only topic words or verbs between ("iade etmek
    istemiyorum"), or "yok"/"değil" after a topic word ("kargo sorunu yok")."""
    clause = text_words[end].clause
    between: list[str] = []
    for word in text_words[end + 1 : end + 1 + DENIAL_REACH]:
        if word.clause != clause:
            return False
        if word.folded.startswith(_DENIAL):
            if word.folded.startswith("degil") and between:
                return any(b.startswith(_TOPIC_WORDS) for b in between)
            return True
        if word.folded.startswith(_NO):
            return any(b.startswith(_TOPIC_WORDS) for b in between)
        between.append(word.folded)
    return False


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together, in order, like "kargo gelmedi"."""

    text: str
    keywords: tuple[Keyword, ...]

    @classmethod
    def of(cls, text: str, mode: MatchMode = MatchMode.DERIVED) -> Phrase:
        parts = _WORD.findall(text)
        return cls(text, tuple(Keyword.of(w, mode, head=len(parts) > 1 and i == len(parts) - 1)
                               for i, w in enumerate(parts)))  # fmt: skip

    def starts(self, text_words: list[Word]) -> list[int]:
        """Where in the words the phrase is, every place."""
        size = len(self.keywords)
        if not size:
            return []
        return [
            start
            for start in range(len(text_words) - size + 1)
            if all(
                k.matches(w)
                for k, w in zip(self.keywords, text_words[start : start + size], strict=True)
            )  # fmt: skip
        ]

    def find(self, text_words: list[Word], original: list[str]) -> str | None:
        """The matching words as written in the text, or None."""
        found = self.starts(text_words)
        if not found:
            return None
        start = found[0]
        return " ".join(original[start : start + len(self.keywords)])


def original_words(text: str) -> list[str]:
    """The words as the customer wrote them, to show why a rule matched."""
    return _WORD.findall(unicodedata.normalize("NFC", text))
