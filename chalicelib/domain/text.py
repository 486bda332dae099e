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
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Word:
    folded: str
    stem: str  # folded stem, "" when too short to trust


def words(text: str) -> list[Word]:
    result = []
    for raw in _WORD.findall(turkish_lower(text)):
        stemmed = fold(stem(raw))
        result.append(Word(raw.translate(_ASCII_FOLD), stemmed if len(stemmed) >= MIN_STEM else ""))
    return result


@dataclass(frozen=True)
class Keyword:
    """One word of a rule's phrase, ready to compare against a text's words."""

    text: str
    prefixes: tuple[str, ...]
    stem: str

    @classmethod
    def of(cls, word: str) -> Keyword:
        lowered = turkish_lower(word)
        folded = fold(word)
        prefixes = [folded]
        if len(folded) >= MIN_PREFIX and folded[-1] in _SOFTENED:
            prefixes.append(folded[:-1] + _SOFTENED[folded[-1]])
        stemmed = fold(stem(lowered))
        return cls(word, tuple(prefixes), stemmed if len(stemmed) >= MIN_STEM else "")

    def matches(self, word: Word) -> bool:
        if word.folded == self.prefixes[0]:
            return True
        if len(self.prefixes[0]) >= MIN_PREFIX and word.folded.startswith(self.prefixes):
            return True
        return bool(self.stem) and word.stem in (self.stem, self.prefixes[0])


@dataclass(frozen=True)
class Phrase:
    """Words that must appear together, in order, like "kargo gelmedi"."""

    text: str
    keywords: tuple[Keyword, ...]

    @classmethod
    def of(cls, text: str) -> Phrase:
        return cls(text, tuple(Keyword.of(w) for w in _WORD.findall(text)))

    def find(self, text_words: list[Word], original: list[str]) -> str | None:
        """The matching words as written in the text, or None."""
        size = len(self.keywords)
        if not size:
            return None
        for start in range(len(text_words) - size + 1):
            window = text_words[start : start + size]
            if all(k.matches(w) for k, w in zip(self.keywords, window, strict=True)):
                return " ".join(original[start : start + size])
        return None


def original_words(text: str) -> list[str]:
    """The words as the customer wrote them, to show why a rule matched."""
    return _WORD.findall(unicodedata.normalize("NFC", text))
