"""Keyword routing: ordered rules, first match wins, a default group catches the rest.

A rule names words or phrases and may be limited by conditions on the case (its
type, category subtree, product group, customer category...: domain/conditions.py);
when it matches, the case goes to its group, optionally gets its category and a
priority raised by some steps. The decision says which rule and which words, so the
case's history can show why it went where it did.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    StringConstraints,
    ValidationInfo,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .case_kinds import Priority
from .conditions import CaseFacts, Conditions, all_hold
from .legacy_conditions import RULE, upgrade
from .model import Model
from .text import MatchMode, Phrase, Word, denied

_LADDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
#: a rule can raise a case at most from the lowest priority to the highest
MAX_PRIORITY_BUMP = len(_LADDER) - 1
PhraseText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]


#: a rule's phrases parsed once per container, not once per case (Phrase is immutable)
_phrase = lru_cache(maxsize=4096)(Phrase.of)


def _phrases_of(info: ValidationInfo) -> list[str] | None:
    """The rule's phrases, validated (they come first), or None when they are not valid."""
    phrases = info.data.get("phrases")
    return phrases if isinstance(phrases, list) else None


def _unknown_phrases(field: str, names: dict, info: ValidationInfo) -> None:
    """A 422 `unknown_phrase` when `names` names a phrase the rule does not have."""
    phrases = _phrases_of(info)
    unknown = sorted(set(names) - set(phrases)) if phrases is not None else []
    if unknown:
        raise PydanticCustomError(
            "unknown_phrase", "{field} names phrases the rule does not have: {unknown}",
            {"field": field, "unknown": ", ".join(unknown)},
        )  # fmt: skip


def _modes_name_phrases(modes: dict[str, MatchMode], info: ValidationInfo) -> dict:
    _unknown_phrases("match_modes", modes, info)
    return modes


def _per_phrase(value: Any, info: ValidationInfo) -> Any:
    """A rule stored (or sent) before issue 20 made them per keyword kept one list for the
    whole rule: it reads as that list for every one of the rule's phrases."""
    if not isinstance(value, list):
        return value
    phrases = _phrases_of(info) or []
    return {phrase: list(value) for phrase in phrases} if value else {}


def _not_words_name_phrases(not_words: dict[str, list[str]], info: ValidationInfo) -> dict:
    _unknown_phrases("not_words", not_words, info)
    words = {w for ws in not_words.values() for w in ws}
    several = sorted(w for w in words if len(Phrase.of(w).keywords) != 1)
    if several:
        raise PydanticCustomError(
            "not_one_word", "not_words are single words, not: {several}",
            {"several": ", ".join(several)},
        )  # fmt: skip
    # a phrase with no such words is the same as a phrase not named: kept once, not named
    return {phrase: words for phrase, words in not_words.items() if words}


#: per phrase, how loosely it matches ("exact", "inflected", "derived"); a phrase not named
#: here matches any derived form (the matching before issue 20). A name that is not one of the
#: rule's phrases is a 422 `unknown_phrase`.
MatchModes = Annotated[
    dict[PhraseText, MatchMode],
    AfterValidator(_modes_name_phrases),
    Field(default_factory=dict, max_length=50),
]
#: per phrase, the single words that never count as that phrase, in any mode: "gönderin"
#: (send!) for `gönderi` (shipment), not for the rule's other phrases. A phrase that is not
#: the rule's is a 422 `unknown_phrase`, a word of several words one `not_one_word`. A list
#: (the shape before issue 20, one list for the whole rule) reads as that list per phrase.
NotWords = Annotated[
    dict[PhraseText, Annotated[list[PhraseText], Field(max_length=50)]],
    BeforeValidator(_per_phrase),
    AfterValidator(_not_words_name_phrases),
    Field(default_factory=dict, max_length=50),
]


class RuleConditions(Model):
    #: the rule's words and phrases; declared before match_modes and not_words, which are
    #: checked against them
    phrases: list[PhraseText] = Field(min_length=1, max_length=50)
    match_modes: MatchModes
    not_words: NotWords
    #: limits on the case besides its words (empty: any case)
    conditions: Conditions = Field(default_factory=list)


class RuleActions(Model):
    group_id: str
    set_category_id: str | None = None
    priority_bump: int = Field(
        default=0, ge=0, le=MAX_PRIORITY_BUMP, description="steps up: low→normal→high→urgent"
    )


class RoutingRule(RuleConditions, RuleActions):
    """A rule as stored and listed; an item in the shape before issue 14 (flat `case_types`,
    `category_id`, `product_group`, `customer_category`) reads as its conditions, and one
    from before issue 20 made `not_words` per phrase reads its list under every phrase."""

    id: str
    name: str
    order: int = Field(ge=0, le=100_000)
    enabled: bool = True

    @model_validator(mode="before")
    @classmethod
    def _read_old_shape(cls, data: Any) -> Any:
        return upgrade(data, RULE)

    def hits(self, text_words: list[Word], written: list[str]) -> list[tuple[str, bool]]:
        """Each place one of the rule's phrases is in the text and not denied by the customer
        ("kargo sorunu değil") nor made of one of the phrase's `not_words`: the words as
        written and whether they come after the text's last contrast word ("... ama ürün
        bozuk")."""
        found = []
        for text in self.phrases:
            blocked = {
                start for word in self.not_words.get(text, ()) for start in
                _phrase(word, MatchMode.EXACT).starts(text_words)
            }  # fmt: skip
            phrase = _phrase(text, self.match_modes.get(text, MatchMode.DERIVED))
            size = len(phrase.keywords)
            live = [
                start for start in phrase.starts(text_words)
                if not blocked.intersection(range(start, start + size))
                and not denied(text_words, start + size - 1)
            ]  # fmt: skip
            if live:
                after = any(text_words[start].after_contrast for start in live)
                found.append((" ".join(written[live[0] : live[0] + size]), after))
        return found


class RoutingDecision(Model):
    group_id: str
    rule_id: str | None = None
    rule_name: str | None = None
    matched: list[str] = Field(default_factory=list)
    set_category_id: str | None = None
    priority: Priority
    #: why this group, as a code (the words are the console's): a rule's words matched,
    #: nothing matched and the default group took it, the agent chose the group at intake, or
    #: nothing matched and the learned classifier chose it (domain/routing_classifier.py)
    reason_code: Literal[
        "rule_matched", "default_group", "group_chosen_at_intake", "classifier_routed"
    ]
    #: the learned classifier's group and confidence (0..1), when it has a suggestion
    suggested_group_id: str | None = None
    suggested_confidence: float | None = None


def raise_priority(priority: Priority, steps: int) -> Priority:
    return _LADDER[min(_LADDER.index(priority) + steps, len(_LADDER) - 1)]


def decide(rules: list[RoutingRule], case: CaseFacts, default_group: str) -> RoutingDecision:
    """The first enabled rule (by order, then id) whose conditions hold and one of whose
    phrases is in the text, not denied (RoutingRule.hits); else the default group. When the
    text turns with a contrast word ("kargom geldi ama ürün bozuk"), the first rule with a
    phrase after it wins: that is the customer's point. The priority is the case's (normal
    when unknown), raised by the rule's bump."""
    text_words, written = case.text_words
    priority = case.priority or Priority.NORMAL
    candidates = []
    for rule in sorted(rules, key=lambda r: (r.order, r.id)):
        if not (rule.enabled and all_hold(rule.conditions, case)):
            continue
        hits = rule.hits(text_words, written)
        if hits:
            candidates.append((rule, hits))
    if candidates:
        rule, hits = next((c for c in candidates if any(after for _, after in c[1])),
                          candidates[0])  # fmt: skip
        matched = list(dict.fromkeys(words for words, _ in hits))  # each phrase as first found
        if matched:
            return RoutingDecision(
                group_id=rule.group_id,
                rule_id=rule.id,
                rule_name=rule.name,
                matched=matched,
                set_category_id=rule.set_category_id,
                priority=raise_priority(priority, rule.priority_bump),
                reason_code="rule_matched",
            )
    return RoutingDecision(group_id=default_group, priority=priority, reason_code="default_group")
