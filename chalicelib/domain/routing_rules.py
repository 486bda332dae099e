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

from pydantic import Field, StringConstraints, model_validator

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


def check_phrase_options(
    phrases: list[str], modes: dict[str, MatchMode], not_words: list[str]
) -> None:
    """A mode names one of the rule's phrases; a word that must not match is a single word.
    ValueError (a 422 at the API) otherwise."""
    unknown = sorted(set(modes) - set(phrases))
    if unknown:
        raise ValueError(f"match_modes names phrases the rule does not have: {unknown}")
    if any(len(Phrase.of(w).keywords) != 1 for w in not_words):
        raise ValueError("not_words are single words")


class RuleConditions(Model):
    phrases: list[PhraseText] = Field(min_length=1, max_length=50)
    #: per phrase, how loosely it matches; a phrase not named here matches any derived form
    #: (the matching before issue 20)
    match_modes: dict[PhraseText, MatchMode] = Field(default_factory=dict, max_length=50)
    #: words that never count as this rule's words, in any mode ("gönderin" for "gönderi")
    not_words: list[PhraseText] = Field(default_factory=list, max_length=50)
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
    `category_id`, `product_group`, `customer_category`) reads as its conditions."""

    id: str
    name: str
    order: int = Field(ge=0, le=100_000)
    enabled: bool = True

    @model_validator(mode="before")
    @classmethod
    def _read_old_shape(cls, data: Any) -> Any:
        return upgrade(data, RULE)

    @model_validator(mode="after")
    def _options_name_phrases(self) -> RoutingRule:
        check_phrase_options(self.phrases, self.match_modes, self.not_words)
        return self

    def hits(self, text_words: list[Word], written: list[str]) -> list[tuple[str, bool]]:
        """Each place one of the rule's phrases is in the text and not denied by the customer
        ("kargo sorunu değil") nor made of a word in `not_words`: the words as written and
        whether they come after the text's last contrast word ("... ama ürün bozuk")."""
        blocked = {
            start for word in self.not_words for start in
            _phrase(word, MatchMode.EXACT).starts(text_words)
        }  # fmt: skip
        found = []
        for text in self.phrases:
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
