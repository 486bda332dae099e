"""Admins' keyword routing rules, and the box that shows where a sample text would go."""

from __future__ import annotations

from pydantic import Field

from ..domain.case_kinds import CaseType, Priority
from ..domain.customers import CustomerCategory
from ..domain.errors import InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.routing_rules import (
    PhraseText,
    RoutingDecision,
    RoutingInput,
    RoutingRule,
    decide,
)
from .case_commands import Id, LongText, Strict, Text
from .ports import DirectoryStore


class RuleDetails(Strict):
    name: Text
    order: int = Field(default=100, ge=0, le=100_000, description="lower runs first")
    enabled: bool = True
    #: the rule's own limits (2 to 100 characters each), so what validates here also saves
    phrases: list[PhraseText] = Field(min_length=1, max_length=50)
    case_types: list[CaseType] = Field(default_factory=list)
    category_id: Id | None = None
    product_group: Id | None = None
    customer_category: CustomerCategory | None = None
    group_id: Id
    set_category_id: Id | None = None
    priority_bump: int = Field(default=0, ge=0, le=3)


class RoutingSample(Strict):
    text: LongText
    type: CaseType | None = None
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
        for field in ("category_id", "set_category_id"):
            value = getattr(details, field)
            if value and self.store.get_category(value) is None:
                raise InvalidInput(f"no category {value!r}", details={"field": field})
        return self.store.put_rule(RoutingRule(id=rule_id, **details.model_dump()))

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
        routing_input = RoutingInput(
            text=sample.text,
            case_type=sample.type,
            category_path=path,
            product_group=sample.product_group,
            customer_category=sample.customer_category,
            priority=sample.priority,
        )
        return decide(self.store.list_rules(), routing_input, default)
