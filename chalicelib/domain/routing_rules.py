"""Keyword routing: ordered rules, first match wins, a default group catches the rest.

A rule names words or phrases and may be limited by conditions on the case (its
type, category subtree, product group, customer category...: domain/conditions.py);
when it matches, the case goes to its group, optionally gets its category and a
priority raised by some steps. The decision says which rule and which words, so the
case's history can show why it went where it did.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from .case_kinds import Priority
from .conditions import CaseFacts, Conditions, all_hold
from .legacy_conditions import RULE, upgrade
from .model import Model
from .text import Phrase

_LADDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
#: a rule can raise a case at most from the lowest priority to the highest
MAX_PRIORITY_BUMP = len(_LADDER) - 1
PhraseText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]


class RuleConditions(Model):
    phrases: list[PhraseText] = Field(min_length=1, max_length=50)
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


class RoutingDecision(Model):
    group_id: str
    rule_id: str | None = None
    rule_name: str | None = None
    matched: list[str] = Field(default_factory=list)
    set_category_id: str | None = None
    priority: Priority
    #: why this group, as a code (the words are the console's): a rule's words matched,
    #: nothing matched and the default group took it, or the agent chose the group at intake
    reason_code: Literal["rule_matched", "default_group", "group_chosen_at_intake"]


def raise_priority(priority: Priority, steps: int) -> Priority:
    return _LADDER[min(_LADDER.index(priority) + steps, len(_LADDER) - 1)]


def decide(rules: list[RoutingRule], case: CaseFacts, default_group: str) -> RoutingDecision:
    """The first enabled rule (by order, then id) whose conditions hold and one of whose
    phrases is in the text; else the default group. The priority is the case's (normal
    when unknown), raised by the rule's bump."""
    text_words, written = case.text_words
    priority = case.priority or Priority.NORMAL
    for rule in sorted(rules, key=lambda r: (r.order, r.id)):
        if not (rule.enabled and all_hold(rule.conditions, case)):
            continue
        matched = [m for p in rule.phrases if (m := Phrase.of(p).find(text_words, written))]
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
