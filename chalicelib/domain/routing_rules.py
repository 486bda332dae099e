"""Keyword routing: ordered rules, first match wins, a default group catches the rest.

A rule names words or phrases and may be limited to case types, a category
subtree, a product group or a customer category; when it matches, the case
goes to its group, optionally gets its category and a priority raised by some
steps. The decision says which rule and which words, so the case's history can
show why it went where it did.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from .case_kinds import CaseType, Priority
from .customers import CustomerCategory
from .model import Model
from .text import Phrase, original_words, words

_LADDER = [Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT]
PhraseText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]


class RuleConditions(Model):
    phrases: list[PhraseText] = Field(min_length=1, max_length=50)
    case_types: list[CaseType] = Field(default_factory=list, description="empty: any type")
    category_id: str | None = Field(
        default=None, description="the case's category is in this subtree"
    )
    product_group: str | None = None
    customer_category: CustomerCategory | None = None


class RuleActions(Model):
    group_id: str
    set_category_id: str | None = None
    priority_bump: int = Field(
        default=0, ge=0, le=3, description="steps up: low→normal→high→urgent"
    )


class RoutingRule(RuleConditions, RuleActions):
    id: str
    name: str
    order: int = Field(ge=0, le=100_000)
    enabled: bool = True


class RoutingInput(Model):
    """What routing looks at in a case."""

    text: str
    case_type: CaseType | None = None
    category_path: list[str] = Field(default_factory=list)
    product_group: str | None = None
    customer_category: CustomerCategory | None = None
    priority: Priority = Priority.NORMAL


class RoutingDecision(Model):
    group_id: str
    rule_id: str | None = None
    rule_name: str | None = None
    matched: list[str] = Field(default_factory=list)
    set_category_id: str | None = None
    priority: Priority
    reason: str


def raise_priority(priority: Priority, steps: int) -> Priority:
    return _LADDER[min(_LADDER.index(priority) + steps, len(_LADDER) - 1)]


def _applies(rule: RoutingRule, case: RoutingInput) -> bool:
    if not rule.enabled:
        return False
    if rule.case_types and case.case_type not in rule.case_types:
        return False
    if rule.category_id and rule.category_id not in case.category_path:
        return False
    if rule.product_group and rule.product_group != case.product_group:
        return False
    return not (rule.customer_category and rule.customer_category != case.customer_category)


def decide(rules: list[RoutingRule], case: RoutingInput, default_group: str) -> RoutingDecision:
    text_words, written = words(case.text), original_words(case.text)
    for rule in sorted(rules, key=lambda r: (r.order, r.id)):
        if not _applies(rule, case):
            continue
        matched = [m for p in rule.phrases if (m := Phrase.of(p).find(text_words, written))]
        if matched:
            return RoutingDecision(
                group_id=rule.group_id,
                rule_id=rule.id,
                rule_name=rule.name,
                matched=matched,
                set_category_id=rule.set_category_id,
                priority=raise_priority(case.priority, rule.priority_bump),
                reason=f"rule '{rule.name}' matched: {', '.join(matched)}",
            )
    return RoutingDecision(
        group_id=default_group, priority=case.priority, reason="default group (no rule matched)"
    )
