"""The search analyzer: one way to turn text into index terms, used for indexing, querying
and highlighting alike (docs/search.md).

It reuses routing's Turkish rules (domain/text.py): Turkish lowercase (İ→i, I→ı), words
folded to ASCII (`odeme` is `ödeme`), Snowball's Turkish stem. Each word of a text is
indexed as two terms, its folded form and its folded stem ("kargoya" → `kargoya`,
`kargo`), because Snowball, which needs the Turkish letters for its vowel harmony, cuts
text typed without them differently (`faturamı` → `fatura`, `faturami` → `faturami`); the
two terms together let either spelling meet the other.

A query word matches a document word when one of the word's *alternatives* does:

- its folded form as a prefix (`kargo` finds `kargom`, `KARGODAN`), or whole when it is
  shorter than MIN_PREFIX letters (`ev` never finds `evrak`);
- its folded stem, as a prefix too when at least MIN_STEM letters long (`siparişimi` →
  `siparis`, which finds `siparişler`);
- the softened form of a final p, ç, t, k (`kitap` finds `kitabı`, as routing does);
- the other words of its synonym group (search_synonyms.py: `sifre` finds `parola`);
- and, for words of FUZZY_MIN_LENGTH letters or more only, the index's terms one edit
  away (Damerau–Levenshtein 1: a letter dropped, added, changed or two swapped), found by
  the engine among its own vocabulary (`fuzzy_candidates`). Short words are never fuzzy:
  one edit of `iade` is already another word.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from .search_synonyms import synonyms_of
from .text import MIN_PREFIX, MIN_STEM, fold, stem, turkish_lower

_WORD = re.compile(r"[^\W_]+")
#: words of this many letters or more may carry one typo
FUZZY_MIN_LENGTH = 5
#: a query's words, at most: a pasted paragraph must not become a thousand-term query
MAX_QUERY_WORDS = 12
#: what one edit may produce: the folded alphabet (Turkish letters fold to these) and digits
_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_SOFTENED = {"p": "b", "c": "c", "t": "d", "k": "g"}
_FOLD = str.maketrans("çğıöşüâîû", "cgiosuaiu")
#: words so common in Turkish questions that they only slow a query down; dropped from a
#: query that has other words (still indexed: a quoted title may need them)
STOP_WORDS = frozenset(
    [
        "acaba",
        "ama",
        "bana",
        "ben",
        "beni",
        "benim",
        "bir",
        "bu",
        "cok",
        "da",
        "daha",
        "de",
        "diye",
        "gibi",
        "hala",
        "hangi",
        "hem",
        "hic",
        "icin",
        "ile",
        "ise",
        "ki",
        "mi",
        "mu",
        "ne",
        "neden",
        "nasil",
        "o",
        "olan",
        "olarak",
        "sen",
        "siz",
        "size",
        "sizin",
        "su",
        "ve",
        "veya",
        "ya",
        "zaman",
        # question words and fillers of customers' questions (measured: bench/relevance.py)
        "istiyorum",
        "kac",
        "lazim",
        "nerde",
        "nerede",
        "niye",
        "var",
        "yok",
    ]
)


def _terms_of(word: str) -> tuple[str, str]:
    """(folded word, folded stem) of one word already lowercased the Turkish way."""
    return word.translate(_FOLD), fold(stem(word))


def index_terms(text: str) -> str:
    """The text as the engine indexes it: each word's folded form and, when it differs and
    is at least MIN_STEM letters, its folded stem, space-separated, in order."""
    out: list[str] = []
    for raw in _WORD.findall(turkish_lower(text)):
        folded, stemmed = _terms_of(raw)
        out.append(folded)
        if stemmed != folded and len(stemmed) >= MIN_STEM:
            out.append(stemmed)
    return " ".join(out)


@dataclass(frozen=True)
class QueryWord:
    """One word of a query and what it matches in the index.

    exact: terms matched whole; prefixes: terms matched as prefixes of index terms;
    fuzzy: whether the word may carry a typo (long enough); folded: the folded word, the
    start of its one-edit neighbourhood."""

    text: str
    folded: str
    exact: frozenset[str]
    prefixes: frozenset[str]
    fuzzy: bool
    #: index terms one edit away, filled by the engine from its vocabulary (fuzzy only)
    neighbours: frozenset[str] = frozenset()

    def matches(self, terms: tuple[str, str]) -> bool:
        """Does a document word (its folded form and folded stem) match this query word?"""
        for term in terms:
            if term in self.exact or term in self.neighbours:
                return True
            if any(term.startswith(p) for p in self.prefixes):
                return True
        return False

    def with_neighbours(self, neighbours: set[str]) -> QueryWord:
        return QueryWord(self.text, self.folded, self.exact, self.prefixes, self.fuzzy,
                         frozenset(neighbours - self.exact))  # fmt: skip


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: its words (stop words dropped unless nothing else is left)."""

    text: str
    words: tuple[QueryWord, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return not self.words

    def matches(self, terms: tuple[str, str]) -> bool:
        return any(w.matches(terms) for w in self.words)

    def with_neighbours(self, found: dict[str, set[str]]) -> SearchQuery:
        """The query with each fuzzy word's neighbours as the engine found them (by folded)."""
        words = tuple(w.with_neighbours(found.get(w.folded, set())) if w.fuzzy else w
                      for w in self.words)  # fmt: skip
        return SearchQuery(self.text, words)


def query_word(raw: str) -> QueryWord:
    """One query word's alternatives (see the module's text). `raw` as typed."""
    lowered = turkish_lower(raw)
    folded, stemmed = _terms_of(lowered)
    exact = {folded}
    prefixes: set[str] = set()
    if len(folded) >= MIN_PREFIX:
        prefixes.add(folded)
        if folded[-1] in _SOFTENED:
            prefixes.add(folded[:-1] + _SOFTENED[folded[-1]])
    if len(stemmed) >= MIN_STEM:  # shorter stems are not indexed (index_terms)
        prefixes.add(stemmed)
    prefixes |= synonyms_of({folded, stemmed})
    fuzzy = len(folded) >= FUZZY_MIN_LENGTH
    return QueryWord(raw, folded, frozenset(exact), frozenset(prefixes), fuzzy)


def parse_query(text: str) -> SearchQuery:
    """The words of what the person typed, each with its alternatives, at most
    MAX_QUERY_WORDS, repeated words once. Stop words go unless they are all there is."""
    raws = _WORD.findall(unicodedata.normalize("NFC", text))
    seen: dict[str, str] = {}
    for raw in raws:
        seen.setdefault(fold(raw), raw)
    kept = [raw for f, raw in seen.items() if f not in STOP_WORDS] or list(seen.values())
    return SearchQuery(text, tuple(query_word(raw) for raw in kept[:MAX_QUERY_WORDS]))


def one_edit(word: str) -> set[str]:
    """Every string one edit from `word` over the folded alphabet: a letter deleted,
    swapped with the next, replaced or inserted (Damerau–Levenshtein distance 1, Norvig's
    construction). About 73·n + 36 strings for n letters; the engine keeps those in its
    vocabulary."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    inserts = {a + c + b for a, b in splits for c in _ALPHABET}
    return (deletes | swaps | replaces | inserts) - {word}


def within_one_edit(a: str, b: str) -> bool:
    """Are two strings at most one edit apart (the same relation as `one_edit`)?"""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        rest_a, rest_b = a[i + 1 :], b[i + 1 :]
        if rest_a == rest_b:
            return True  # one replaced
        return a[i + 1 : i + 2] == b[i : i + 1] and b[i + 1 : i + 2] == a[i : i + 1] and \
            a[i + 2 :] == b[i + 2 :]  # fmt: skip
    return a[i:] == b[i + 1 :]  # one inserted


# ---- highlighting ----------------------------------------------------------------------

#: the highlight's marks; everything else of a snippet is escaped text
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
ELLIPSIS = "…"


def matcher(query: SearchQuery) -> Callable[[str], bool]:
    """Whether a word as written matches the query, remembered per distinct word (a text
    repeats its words; the analyzer is the costly part)."""
    seen: dict[str, bool] = {}

    def matches(word: str) -> bool:
        found = seen.get(word)
        if found is None:
            found = seen[word] = query.matches(_terms_of(turkish_lower(word)))
        return found

    return matches


def mentions(text: str, query: SearchQuery, matched: Callable[[str], bool] | None = None) -> bool:
    """Does any word of `text` match the query? (`matched`: a `matcher` to share)"""
    matched = matched or matcher(query)
    return any(matched(w) for w in _WORD.findall(text))


def highlight(
    text: str, query: SearchQuery, size: int = 200, matched: Callable[[str], bool] | None = None
) -> str:
    """A snippet of `text`, at most about `size` characters, around the window with the
    most matched words, safe to put in HTML: the text escaped (html.escape, quotes too), the
    matched words wrapped in <mark></mark>, "…" where it was cut. No match: the start.
    `matched`: a `matcher` of the query shared by the hits of one answer."""
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    matched = matched or matcher(query)
    hits = [i for i, (s, e) in enumerate(spans) if matched(text[s:e])]
    start = 0
    if hits:
        best, best_count, last = hits[0], 0, 0
        for first, i in enumerate(hits):  # the first word of the densest window of `size`
            last = max(last, first)
            while last + 1 < len(hits) and spans[hits[last + 1]][0] < spans[i][0] + size:
                last += 1
            if last - first + 1 > best_count:
                best, best_count = i, last - first + 1
        start = max(0, spans[best][0] - size // 4)
        start = _word_start(text, start)
    end = min(len(text), start + size)
    if end < len(text):
        end = _word_end(text, end)
    marked = set(hits)
    out: list[str] = [ELLIPSIS] if start > 0 else []
    at = start
    for i, (s, e) in enumerate(spans):
        if s < start or e > end:
            continue
        if i in marked:
            out.append(html.escape(text[at:s]))
            out.append(MARK_OPEN + html.escape(text[s:e]) + MARK_CLOSE)
            at = e
    out.append(html.escape(text[at:end]))
    if end < len(text):
        out.append(ELLIPSIS)
    return _squeeze("".join(out))


def _word_start(text: str, at: int) -> int:
    """Move back to the start of the word `at` falls in (never cut a word in two)."""
    while at > 0 and not text[at - 1].isspace():
        at -= 1
    return at


def _word_end(text: str, at: int) -> int:
    while at < len(text) and not text[at].isspace():
        at += 1
    return at


def _squeeze(snippet: str) -> str:
    """Line breaks and runs of spaces as one space: a snippet is one line."""
    return re.sub(r"\s+", " ", snippet).strip()
