"""What agents' corrections of routing say about the rules (issue 20, second half; the
report is services/routing_learning.py's, shown on the console's learning tab).

An agent who moves a case to another group, or puts it in another category, than routing
chose is telling the admin which words the rules miss. Given those corrections,
`missed_phrases` finds the words (and pairs of words) that most often end in another group
than the rules chose, and `missed_category_phrases` those that most often end in another
category than routing set, each with where they ended and what the admin can do about it
(domain/keyword_suggestion.py): when an enabled rule's keyword already matches the phrase,
that rule (agents moved its cases anyway: its group, category or never-trigger words are
what to look at), else the keyword that would have caught them, as customers wrote it
("paketim", "paketimi", "paket" → "paket"), with its match mode and never-trigger words.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .cases import Case
from .keyword_suggestion import CoveringRule, Suggestion, covering_rule, suggest
from .lifecycle import Status
from .routing_rules import RoutingRule
from .text import MIN_STEM, fold, original_words, stem, turkish_lower

#: words that say nothing about a topic (the commonest of customers' messages)
STOPWORDS = frozenset((
    "merhaba", "iyi", "gunler", "lutfen", "tesekkur", "tesekkurler", "ederim", "bir", "bu",
    "su", "o", "ve", "ile", "icin", "ama", "fakat", "cok", "daha", "hala", "hic", "ben", "biz",
    "siz", "sizin", "benim", "bana", "beni", "ne", "neden", "nasil", "zaman", "kadar", "gibi",
    "var", "yok", "degil", "mi", "mu", "misiniz", "musunuz", "olarak", "oldu", "olur",
    "istiyorum", "rica",
    # a message's courtesies and urgings, in any topic (issue 20's seeded history showed them)
    "merhabalar", "selam", "bilginize", "once", "yazmistim", "acil", "donus", "bekliyorum",
    "yardimci", "magdur", "oldum", "kolay", "gelsin", "calismalar",
))  # fmt: skip
#: a word shorter than this is rarely a topic
MIN_WORD = 4


@dataclass(frozen=True)
class Correction:
    """A case an agent moved: its text, the group the rules chose, the group it ended in;
    as stored also the case, when (ISO time), and the routed and final category."""

    text: str
    routed_group: str
    final_group: str
    case_id: str = ""
    at: str = ""
    routed_category: str | None = None
    final_category: str | None = None
    by: str = ""


@dataclass(frozen=True)
class Example:
    """A resolved case, as the classifier learns from it: its text and the group (and
    category) it was resolved in, and the group routing had chosen (None: not known)."""

    case_id: str
    text: str
    group_id: str
    category_id: str | None = None
    routed_group: str | None = None
    #: how routing chose routed_group (a CaseRouting reason code)
    routed_by: str | None = None


#: a case's text kept with a correction or an example, at most (characters)
MAX_TEXT = 2000


def case_text(case: Case) -> str:
    """What routing read of a case: its subject and description, cut to MAX_TEXT."""
    return f"{case.subject}\n{case.description}"[:MAX_TEXT]


def correction_of(before: Case | None, after: Case, by: str, at: str) -> Correction | None:
    """The correction a change of a case is, if any: staff moved a case that routing had
    placed by rule, by the default group or by the classifier (not one whose group was
    chosen at intake) to another group or category. A move back to the routed group and
    category is kept too (it replaces the case's earlier correction and says nothing)."""
    routing = after.routing
    if before is None or routing is None or routing.reason_code == "group_chosen_at_intake":
        return None
    if (before.group_id, before.category_id) == (after.group_id, after.category_id):
        return None
    return Correction(
        text=case_text(after), routed_group=routing.group_id,
        final_group=after.group_id or routing.group_id, case_id=after.id, at=at,
        routed_category=routing.category_id, final_category=after.category_id, by=by,
    )  # fmt: skip


def example_of(before: Case | None, after: Case) -> Example | None:
    """The training example a change makes: the case was resolved, in a group."""
    if before is None or before.status == after.status or after.group_id is None:
        return None
    if after.status != Status.RESOLVED:
        return None
    routing = after.routing
    return Example(after.id, case_text(after), after.group_id, after.category_id,
                   routing.group_id if routing else None,
                   routing.reason_code if routing else None)  # fmt: skip


@dataclass(frozen=True)
class MissedPhrase:
    """A phrase whose cases agents most often moved to another group than routing chose."""

    #: as customers most often wrote it (lowercased)
    phrase: str
    #: the group the corrected cases with it ended in
    group_id: str
    #: corrected cases with the phrase that ended in group_id
    corrections: int
    #: of all corrected cases with the phrase, the share that ended in group_id (0..1)
    share: float
    #: what to add to a rule of group_id; None when covered_by is set
    suggestion: Suggestion | None = None
    #: the enabled rule whose keyword already matches the phrase, or None
    covered_by: CoveringRule | None = None


@dataclass(frozen=True)
class MissedCategoryPhrase:
    """A phrase whose cases agents most often put in another category than routing set."""

    #: as customers most often wrote it (lowercased)
    phrase: str
    #: the category the corrected cases with it ended in
    category_id: str
    #: corrected cases with the phrase that ended in category_id
    corrections: int
    #: of all cases with the phrase put in another category, the share in category_id (0..1)
    share: float
    #: what to add to a rule that sets category_id; None when covered_by is set
    suggestion: Suggestion | None = None
    #: the enabled rule whose keyword already matches the phrase, or None
    covered_by: CoveringRule | None = None


def _topic_words(text: str) -> list[tuple[str, str] | None]:
    """Per word: (folded stem, as written lowercased), or None for a word that says nothing
    about a topic (short, a stopword, a number)."""
    found: list[tuple[str, str] | None] = []
    for raw in original_words(text):
        lowered = turkish_lower(raw)
        folded = fold(lowered)
        if len(folded) < MIN_WORD or folded in STOPWORDS or folded.isdigit():
            found.append(None)
            continue
        stemmed = stem(lowered)
        stemmed = stemmed if len(stemmed) >= MIN_STEM else lowered
        found.append((fold(stemmed), lowered))
    return found


def _terms(text: str) -> list[tuple[str, str]]:
    """(key, as written) per topic word and per pair of neighbouring topic words; the key is
    the folded stem, so "paketim" and "paketimi" count as one."""
    found = _topic_words(text)
    singles = [w for w in found if w]
    neighbours = zip(found, found[1:], strict=False)
    pairs = [(f"{a[0]} {b[0]}", f"{a[1]} {b[1]}") for a, b in neighbours if a and b]
    return singles + pairs


def features(text: str) -> list[str]:
    """The text's terms as the classifier counts them (domain/routing_classifier.py): the
    folded stem of each topic word and of each pair of neighbouring ones."""
    return [key for key, _ in _terms(text)]


def _missed(
    moves: list[tuple[str, str]],
    rules: Iterable[RoutingRule],
    min_count: int,
    min_share: float,
    top: int,
) -> list[tuple[str, str, int, float, Suggestion | None, CoveringRule | None]]:
    """Per (text, where the case ended) of corrected cases: the phrases that most often end
    in one place, as (phrase, place, cases, share, suggestion, covering rule); at least
    `min_count` cases and `min_share` of the phrase's corrected cases there; most cases
    first, then the higher share, then the phrase. A phrase an enabled rule of `rules`
    matches has that rule and no suggestion."""
    by_place: dict[str, Counter[str]] = defaultdict(Counter)
    total: Counter[str] = Counter()
    written: dict[str, Counter[str]] = defaultdict(Counter)
    vocabulary: set[str] = set()  # every word of the texts, folded: the verbs customers used
    for text, place in moves:
        vocabulary.update(fold(w) for w in original_words(text))
        terms = _terms(text)
        for key in {key for key, _ in terms}:
            by_place[key][place] += 1
            total[key] += 1
        for key, form in terms:
            written[key][form] += 1
    found = []
    for key, places in by_place.items():
        place, count = places.most_common(1)[0]
        share = count / total[key]
        if count >= min_count and share >= min_share:
            found.append((written[key].most_common(1)[0][0], place, count, round(share, 3), key))
    found.sort(key=lambda m: (-m[2], -m[3], m[0]))
    rules = list(rules)
    rows = []
    for phrase, place, count, share, key in found[:top]:  # the matcher asked for these only
        covered = covering_rule(written[key], rules)
        rows.append((phrase, place, count, share,
                     None if covered else suggest(written[key], vocabulary), covered))  # fmt: skip
    return rows


def missed_phrases(
    corrections: list[Correction],
    rules: Iterable[RoutingRule] = (),
    min_count: int = 3,
    min_share: float = 0.6,
    top: int = 20,
) -> list[MissedPhrase]:
    """The phrases of corrected cases (final group ≠ routed group) that most often end in one
    other group: at least `min_count` such cases and `min_share` of the phrase's corrected
    cases in that group; most cases first, then the higher share, then the phrase. Each has
    the first of the enabled `rules` whose keyword matches it, or else a suggestion."""
    moves = [(c.text, c.final_group) for c in corrections if c.final_group != c.routed_group]
    return [MissedPhrase(*row) for row in _missed(moves, rules, min_count, min_share, top)]


def missed_category_phrases(
    corrections: list[Correction],
    rules: Iterable[RoutingRule] = (),
    min_count: int = 3,
    min_share: float = 0.6,
    top: int = 20,
) -> list[MissedCategoryPhrase]:
    """As missed_phrases, for categories: the phrases of cases an agent put in another
    category than routing set (routing set none counts too: a rule could have set it), that
    most often end in one category. A case whose category was cleared is left out."""
    moves = [(c.text, c.final_category) for c in corrections if category_moved(c)]
    rows = _missed(moves, rules, min_count, min_share, top)
    return [MissedCategoryPhrase(*row) for row in rows]


def category_moved(correction: Correction) -> bool:
    """The agent left the case in another category than routing set (not in none)."""
    return bool(correction.final_category) and correction.final_category != (
        correction.routed_category
    )
