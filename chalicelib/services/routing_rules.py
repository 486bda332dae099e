"""Admins' keyword routing rules, and the box that shows where a sample text would go."""

from __future__ import annotations

from pydantic import Field, model_validator

from ..domain.case_kinds import CaseType, Channel, Priority
from ..domain.conditions import CaseFacts, Conditions
from ..domain.customers import CustomerCategory
from ..domain.errors import InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.legacy_conditions import RULE, fold, old_field
from ..domain.routing_rules import (
    MAX_PRIORITY_BUMP,
    MatchModes,
    NotWords,
    PhraseText,
    RoutingDecision,
    RoutingRule,
    decide,
)
from .case_commands import Id, LongText, Strict, Text
from .condition_refs import check_references
from .ports import DirectoryStore


class RuleDetails(Strict):
    """A rule as an admin sends it. The flat limits of before (`case_types`, `category_id`,
    `product_group`, `customer_category`) are still taken and become conditions."""

    name: Text
    order: int = Field(default=100, ge=0, le=100_000, description="lower runs first")
    enabled: bool = True
    #: the rule's own limits (2 to 100 characters each), so what validates here also saves
    phrases: list[PhraseText] = Field(min_length=1, max_length=50)
    #: per phrase: "exact", "inflected" or "derived" (the default); see domain/text.py
    match_modes: MatchModes
    #: per phrase, single words that never count as it ({"gönderi": ["gönderin"]}); a list
    #: (the shape before issue 20) is taken as the same words for every phrase
    not_words: NotWords
    conditions: Conditions = Field(default_factory=list)
    group_id: Id
    set_category_id: Id | None = None
    priority_bump: int = Field(default=0, ge=0, le=MAX_PRIORITY_BUMP)
    case_types: list[CaseType] | None = old_field()
    category_id: Id | None = old_field()
    product_group: Id | None = old_field()
    customer_category: CustomerCategory | None = old_field()

    @model_validator(mode="after")
    def _fold_old_fields(self) -> RuleDetails:
        self.conditions = fold(self.conditions, self.model_dump(include=set(RULE.fields)), RULE)
        return self

    def stored(self) -> dict:
        """The fields a rule keeps (the old flat ones are in its conditions now)."""
        return self.model_dump(exclude=set(RULE.fields))


class RoutingSample(Strict):
    """A sample case for the test box: its text and whatever else of it the admin gives."""

    text: LongText
    type: CaseType | None = None
    channel: Channel | None = None
    category_id: Id | None = None
    product_group: Id | None = None
    customer_category: CustomerCategory | None = None
    priority: Priority = Priority.NORMAL


def default_group_id(directory: DirectoryStore) -> str | None:
    return next((g.id for g in directory.list_groups() if g.is_default), None)


class RuleService:
    def __init__(self, store: DirectoryStore) -> None:
        self.store = store

    def list(self) -> list[RoutingRule]:
        return sorted(self.store.list_rules(), key=lambda r: (r.order, r.id))

    def add(self, details: RuleDetails) -> RoutingRule:
        return self._save(new_id("r"), details)

    def replace(self, rule_id: str, details: RuleDetails) -> RoutingRule:
        if not any(r.id == rule_id for r in self.store.list_rules()):
            raise NotFound(f"no routing rule {rule_id!r}")
        return self._save(rule_id, details)

    def delete(self, rule_id: str) -> None:
        self.store.delete_rule(rule_id)

    def _save(self, rule_id: str, details: RuleDetails) -> RoutingRule:
        if self.store.get_group(details.group_id) is None:
            raise InvalidInput(f"no group {details.group_id!r}")
        if details.set_category_id and self.store.get_category(details.set_category_id) is None:
            raise InvalidInput(
                f"no category {details.set_category_id!r}", details={"field": "set_category_id"}
            )
        check_references(self.store, details.conditions)
        return self.store.put_rule(RoutingRule(id=rule_id, **details.stored()))

    def try_sample(self, sample: RoutingSample) -> RoutingDecision:
        """Where the sample would be routed now, and why: the admin's test box."""
        path: list[str] = []
        if sample.category_id:
            category = self.store.get_category(sample.category_id)
            if category is None:
                raise InvalidInput(f"no category {sample.category_id!r}")
            path = category.path
        default = default_group_id(self.store)
        if default is None:
            raise InvalidInput("no default group is set")
        facts = CaseFacts(
            text=sample.text,
            type=sample.type,
            channel=sample.channel,
            category_path=path,
            product_group=sample.product_group,
            customer_category=sample.customer_category,
            priority=sample.priority,
        )
        return decide(self.store.list_rules(), facts, default)
