"""Customers, and the uniqueness items that find them by phone, email or customer number."""

from __future__ import annotations

from typing import Any

from ..domain.customers import Customer, LookupKind
from ..domain.errors import Conflict, NotFound
from . import keys
from .dynamo import Table, TransactionCanceled


def customer_items(customer: Customer) -> list[dict[str, Any]]:
    """The profile and one uniqueness item per way to find the customer."""
    items = [
        {**customer.model_dump(mode="json"), **keys.customer_key(customer.id), "entity": "customer"}
    ]
    for kind in ("customer_number", "phone", "email"):
        value = getattr(customer, kind)
        if value:
            items.append(
                {**keys.unique_key(kind, value), "customer_id": customer.id, "entity": "unique"}
            )
    return items


class DynamoCustomerStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, customer_id: str) -> Customer:
        item = self.table.get(keys.customer_key(customer_id))
        if item is None:
            raise NotFound(f"no customer {customer_id!r}")
        return Customer.model_validate(item)

    def find(self, kind: LookupKind, value: str) -> Customer | None:
        pointer = self.table.get(keys.unique_key(kind, value))
        if pointer is None:
            return None
        item = self.table.get(keys.customer_key(pointer["customer_id"]))
        return Customer.model_validate(item) if item else None

    def create(self, customer: Customer) -> Customer:
        operations = [
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
            for item in customer_items(customer)
        ]
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            taken = [
                kind
                for kind, reason in zip(
                    ["id", "customer_number", "phone", "email"], exc.reasons, strict=False
                )
                if reason.code == "ConditionalCheckFailed"
            ]
            raise Conflict(
                "a customer with this phone, email or customer number already exists",
                details={"taken": taken},
                code="customer_exists",
            ) from exc
        return customer
