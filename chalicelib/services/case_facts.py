"""The facts conditions look at in a case (domain/conditions.CaseFacts), read once per decision.

Routing rules, SLA policies and escalation ladders all decide on the same facts. Only
what their conditions name is read: the category (its path in the tree, one GetItem)
when a condition is on the category, the customer (one GetItem) when one is on the
customer's category, so a condition nobody uses costs no call.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from ..domain.cases import Case
from ..domain.conditions import CaseFacts, Condition, ConditionField
from ..domain.customers import Customer, CustomerCategory
from ..domain.errors import NotFound
from ..domain.sla import SlaPolicy, choose_policy
from .ports import DirectoryStore


class FindsCustomers(Protocol):
    def get(self, customer_id: str) -> Customer: ...


def fields_named(condition_lists: Iterable[list[Condition]]) -> set[ConditionField]:
    """Every field the given lists of conditions look at."""
    return {c.field for conditions in condition_lists for c in conditions}


def category_path(directory: DirectoryStore, category_id: str | None) -> list[str]:
    category = directory.get_category(category_id) if category_id else None
    return category.path if category else []


def customer_category(customers: FindsCustomers | None, case: Case) -> CustomerCategory | None:
    if customers is None:
        return None
    try:
        return customers.get(case.customer_id).category
    except NotFound:
        return None


def facts_of(
    directory: DirectoryStore,
    customers: FindsCustomers | None,
    case: Case,
    now: datetime | None = None,
    needed: set[ConditionField] | None = None,
) -> CaseFacts:
    """The case's facts as of `now`; with `needed`, the category and the customer are read
    only if a condition names them (None: read everything)."""
    wants = needed.__contains__ if needed is not None else (lambda field: True)
    path = category_path(directory, case.category_id) if wants(ConditionField.CATEGORY) else []
    return CaseFacts(
        type=case.type,
        channel=case.channel,
        status=case.status,
        priority=case.priority,
        category_path=path,
        product_group=case.product.product_group if case.product else None,
        customer_category=(
            customer_category(customers, case) if wants(ConditionField.CUSTOMER_CATEGORY) else None
        ),
        group_id=case.group_id,
        text=f"{case.subject}\n{case.description}",
        opened_at=case.created_at,
        now=now,
        tags=frozenset(case.tags),
        custom_fields=case.custom_fields,
    )


def policy_for(
    directory: DirectoryStore,
    customers: FindsCustomers,
    case: Case,
    now: datetime | None = None,
) -> SlaPolicy | None:
    """The SLA policy that fits the case as it is now (the most specific one)."""
    policies = directory.list_sla_policies()
    needed = fields_named(p.conditions for p in policies)
    return choose_policy(policies, facts_of(directory, customers, case, now, needed))
