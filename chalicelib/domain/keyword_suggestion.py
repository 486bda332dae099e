"""What the corrections report tells an admin about one phrase (issue 20; used by
domain/routing_corrections.py): either the enabled rule whose keyword already matches it (a
keyword is not what is missing: agents moved the cases although, or because, it matched),
or the keyword to add to a rule.

The keyword is a word (or pair) as customers wrote it, never a Snowball stem ("fatura", not
"fatur"), with the match mode that catches the phrase's forms, and the never-trigger words
that keep it off the verb forms its stem would catch ("gönderin", send!, for "gönderi").
Both are checked with the matcher itself (RoutingRule.hits, domain/text.py): the suggestion
must match the phrase's occurrences, and the verb forms are tried against it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from functools import lru_cache

from .model import Model
from .routing_rules import RoutingRule
from .text import (
    MIN_VERB_ROOT,
    NOUN_TAIL,
    VERB_TAIL,
    MatchMode,
    Word,
    fold,
    original_words,
    stem,
    words,
)

#: the modes a suggestion may have, in the order preferred when they catch as many: the word
#: and its inflections first; any derived form only when it catches more of what customers
#: wrote (`exact` never catches more than `inflected`)
MODES = (MatchMode.INFLECTED, MatchMode.DERIVED)
#: the customers' commonest forms of a phrase tried as its keyword
CANDIDATES = 5


class Suggestion(Model):
    """The keyword to add to a rule, as customers wrote it, with its mode (`inflected`,
    `derived`), the words that should never trigger it (verb forms it would catch, for the
    rule's `not_words`), and the share (0..1) of the phrase's occurrences it catches."""

    keyword: str
    mode: MatchMode
    not_words: list[str] = []
    catches: float


class CoveringRule(Model):
    """An enabled rule whose keyword matches the phrase (its conditions aside): the rule, the
    group it routes to, the category it sets (None: none) and the words that matched."""

    rule_id: str
    rule_name: str
    group_id: str
    set_category_id: str | None = None
    matched: str


@lru_cache(maxsize=4096)
def _read(text: str) -> tuple[list[Word], list[str]]:
    return words(text), original_words(text)


def _hits(rule: RoutingRule, text: str) -> bool:
    return bool(rule.hits(*_read(text)))


def covering_rule(forms: Counter[str], rules: Iterable[RoutingRule]) -> CoveringRule | None:
    """The first enabled rule (by order, then id) whose phrases match the phrase as customers
    most often wrote it (`forms`: each form and its count), or None."""
    if not forms:
        return None
    written = forms.most_common(1)[0][0]
    for rule in sorted(rules, key=lambda r: (r.order, r.id)):
        if not rule.enabled:
            continue
        hits = rule.hits(*_read(written))
        if hits:
            return CoveringRule(
                rule_id=rule.id, rule_name=rule.name, group_id=rule.group_id,
                set_category_id=rule.set_category_id, matched=hits[0][0],
            )  # fmt: skip
    return None


# ---- a verb root's forms ------------------------------------------------------------------

_BACK = "aıou"
_FOUR = {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}
_VOICELESS = "çfhkpsşt"


def verb_forms(word: str) -> list[str]:
    """The commonest forms of the verb whose root `word` may be made of: its Snowball stem when
    the word is that stem and one vowel ı/i/u/ü, as a noun made from a verb is ("gönderi" →
    gönder: gönderin, gönderdim, gönderiyor...). Not a stem that does not begin the word as
    written ("taşıyıcı" → taşıyıç: a noun's softened consonant put back; a verb root is not
    softened), nor one followed by anything else ("fatura" → fatur, "kargom" → kargo).
    Whether the stem is a verb at all is for `verb_root` to say."""
    root = stem(word)
    rest = word[len(root) :]
    if len(root) < MIN_VERB_ROOT or not word.startswith(root) or rest not in ("ı", "i", "u", "ü"):
        return []
    vowels = [c for c in root if c in _FOUR]
    if not vowels:
        return []
    i = _FOUR[vowels[-1]]  # the four-way vowel (ı, i, u, ü)
    a = "a" if vowels[-1] in _BACK else "e"  # the two-way one
    d = "t" if root[-1] in _VOICELESS else "d"
    if root[-1] in _FOUR:  # a root ending in a vowel: bekle → bekleyin, bekliyor, bekler
        y, first, progressive = "y", "", root[:-1] + _FOUR[root[-1]] + "yor"
    else:
        y, first, progressive = "", i, root + i + "yor"
    return [
        f"{root}{y}{i}n", f"{root}{y}{i}n{i}z",  # the imperative: send! (gönderin)
        f"{root}{d}{i}", f"{root}{d}{i}m", f"{root}{d}{i}n{i}z", f"{root}{d}{i}k",  # past
        progressive, progressive + "um",
        f"{root}{first}r", f"{root}{y}{a}c{a}k", f"{root}m{a}k",  # aorist, future, infinitive
        f"{root}{first}lm{i}ş",  # passive participle (gönderilmiş)
    ]  # fmt: skip


def verb_root(word: str, vocabulary: Collection[str]) -> bool:
    """Did customers use `word`'s Snowball stem as a verb: is a word of `vocabulary` (folded)
    the stem and a verb's ending that is no noun's (göndermek, gönderdim of "gönderi")? The
    shape alone cannot say: "paketi" (the parcel, accusative) is built as "gönderi" is, and
    "paketin" is "your parcel" where "gönderin" is also "send!"."""
    root = fold(stem(word))
    rests = (known[len(root) :] for known in vocabulary if known.startswith(root))
    # a verb's ending that is no noun's: "gönderdim", not "paketim"
    return any(rest and VERB_TAIL.fullmatch(rest) and not NOUN_TAIL.fullmatch(rest)
               for rest in rests)  # fmt: skip


def _probes(keyword: str, own: set[str], vocabulary: Collection[str]) -> list[tuple[str, str]]:
    """(text, verb form) the keyword must not catch: each word of it that comes from a verb
    customers used (`verb_root`) replaced by one of that verb's forms, leaving out the texts
    customers wrote in these very cases (`own`, folded)."""
    parts = keyword.split()
    found = []
    for n, part in enumerate(parts):
        if not verb_root(part, vocabulary):
            continue
        for form in verb_forms(part):
            text = " ".join([*parts[:n], form, *parts[n + 1 :]])
            if fold(text) not in own:
                found.append((text, form))
    return found


def _rule(keyword: str, mode: MatchMode, not_words: list[str]) -> RoutingRule:
    """A rule with the one keyword, to ask the matcher (its group is never used)."""
    return RoutingRule(id="suggestion", name="suggestion", order=0, group_id="suggestion",
                       phrases=[keyword], match_modes={keyword: mode},
                       not_words={keyword: not_words} if not_words else {})  # fmt: skip


def suggest(forms: Counter[str], vocabulary: Collection[str] = ()) -> Suggestion | None:
    """The keyword that catches most of the phrase's occurrences (`forms`: each form as written,
    lowercased, and its count), chosen among the commonest forms: most occurrences caught,
    then `inflected` over `derived`, then the fewest verb forms caught, then the commoner
    form, then the shorter. The verb forms it would still catch (of a verb customers used:
    `vocabulary`, the folded words of the corrected cases) are its `not_words`, so the
    suggestion as a whole catches none of them. None when no form is a usable keyword."""
    total = sum(forms.values())
    own = {fold(f) for f in forms}
    best: tuple[tuple, str, MatchMode, list[str], int] | None = None
    for candidate, count in forms.most_common(CANDIDATES):
        if len(candidate) < 2:
            continue
        probes = _probes(candidate, own, vocabulary)
        for rank, mode in enumerate(MODES):
            rule = _rule(candidate, mode, [])
            caught = sum(n for form, n in forms.items() if _hits(rule, form))
            over = [form for text, form in probes if _hits(rule, text)]
            key = (-caught, rank, len(over), -count, len(candidate), candidate)
            if best is None or key < best[0]:
                best = (key, candidate, mode, over, caught)
    if best is None or not best[4]:
        return None
    _, keyword, mode, over, _ = best
    not_words = list(dict.fromkeys(over))
    blocked = _rule(keyword, mode, not_words)
    caught = sum(n for form, n in forms.items() if _hits(blocked, form))
    return Suggestion(keyword=keyword, mode=mode, not_words=not_words,
                      catches=round(caught / total, 3))  # fmt: skip
