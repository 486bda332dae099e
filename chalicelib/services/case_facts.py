"""What routing rules and SLA policies look at in a case, read once for both."""

from __future__ import annotations

from typing import Protocol

from ..domain.cases import Case
from ..domain.customers import Customer, CustomerCategory
from ..domain.errors import NotFound
from ..domain.sla import SlaPolicy, choose_policy
from .ports import DirectoryStore


class FindsCustomers(Protocol):
    def get(self, customer_id: str) -> Customer: ...


def category_path(directory: DirectoryStore, case: Case) -> list[str]:
    category = directory.get_category(case.category_id) if case.category_id else None
    return category.path if category else []


def customer_category(customers: FindsCustomers, case: Case) -> CustomerCategory | None:
    try:
        return customers.get(case.customer_id).category
    except NotFound:
        return None


def policy_for(
    directory: DirectoryStore, customers: FindsCustomers, case: Case
) -> SlaPolicy | None:
    """The SLA policy that fits the case as it is now (the most specific one)."""
    return choose_policy(
        directory.list_sla_policies(),
        case.type,
        category_path(directory, case),
        case.priority,
        customer_category(customers, case),
    )
