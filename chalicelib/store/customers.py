"""Customers, and the uniqueness items that find them by phone, email or customer number."""

from __future__ import annotations

from typing import Any

from ..domain.access import SignIn
from ..domain.customers import Customer, EmailUndeliverable, LookupKind
from ..domain.errors import Conflict, NotFound
from ..domain.text import fold
from . import keys
from .dynamo import Table, TransactionCanceled


def customer_items(customer: Customer) -> list[dict[str, Any]]:
    """The profile and one uniqueness item per way to find the customer."""
    return [item for _kind, item in labelled_items(customer)]


def profile_item(customer: Customer) -> dict[str, Any]:
    return {
        **customer.model_dump(mode="json"),
        **keys.customer_key(customer.id),
        **keys.name_keys(fold(customer.name), customer.id),
        # the roster a planned survey's run pages through (docs/surveys.md)
        **keys.roster_keys(customer.id),
        "entity": "customer",
    }


def pointer_item(kind: str, value: str, customer_id: str) -> dict[str, Any]:
    """A uniqueness item: the phone, email, number or sign-in finds this customer."""
    return {**keys.unique_key(kind, value), "customer_id": customer_id, "entity": "unique"}


def labelled_items(customer: Customer) -> list[tuple[str, dict[str, Any]]]:
    """Each item with what it stands for, to tell which uniqueness a refusal hit."""
    items = [("id", profile_item(customer))]
    for kind in ("customer_number", "phone", "email", "login"):  # an order points on its own
        value = getattr(customer, kind)
        if value:
            items.append((kind, pointer_item(kind, value, customer.id)))
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

    def sign_in(self, sub: str) -> SignIn | None:
        """The sign-in record of a site login (its uniqueness item): whose it is, or closed."""
        item = self.table.get(keys.unique_key("login", sub))
        if item is None:
            return None
        return SignIn(sub=sub, customer_id=item.get("customer_id"),
                      closed_at=item.get("closed_at"))  # fmt: skip

    def delete(self, customer: Customer, closed_at: float) -> None:
        """The profile and the items that find it (number, phone, email), its standing
        consents and survey throttle mark go in one write; the sign-in's item stays,
        closed, so a token of that sign-in is refused from now on.
        Conflict if the customer changed since it was read."""
        operations: list[dict[str, Any]] = [
            {"Delete": {"Key": keys.customer_key(customer.id),
                        "ConditionExpression": "version = :v",
                        "ExpressionAttributeValues": {":v": customer.version}}},
        ]  # fmt: skip
        for kind in ("customer_number", "phone", "email"):
            value = getattr(customer, kind)
            if value:
                operations.append({"Delete": {
                    "Key": keys.unique_key(kind, value),
                    "ConditionExpression": "attribute_not_exists(PK) OR customer_id = :id",
                    "ExpressionAttributeValues": {":id": customer.id}}})  # fmt: skip
        # their standing consents and survey throttle mark go too (no message can be sent to
        # a deleted customer); the consent history stays as the proof the law asks the shop
        # to keep (docs/surveys.md "Consent and the law"); staff's flags and note about them go
        for key in (keys.consent_key(customer.id, "email"), keys.consent_key(customer.id, "sms"),
                    keys.surveyed_key(customer.id),
                    keys.customer_marks_key(customer.id)):  # fmt: skip
            operations.append({"Delete": {"Key": key}})
        if customer.login:
            closed = {**pointer_item("login", customer.login, customer.id),
                      "closed_at": closed_at}  # fmt: skip
            operations.append({"Put": {"Item": closed}})
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            raise Conflict(
                "the customer changed since you read them", code="version_conflict"
            ) from exc

    def by_name(self, text: str, limit: int) -> list[Customer]:
        """Customers whose name starts with `text`, as typed with or without Turkish letters."""
        partition, prefix = keys.name_search(fold(text))
        if not prefix:
            return []
        items, _ = self.table.query(
            ("name_pk", partition), index="by_name", sort_prefix=prefix, limit=limit
        )
        return [Customer.model_validate(i) for i in items]

    def create(self, customer: Customer) -> Customer:
        labelled = labelled_items(customer)
        operations = [
            {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
            for _kind, item in labelled
        ]
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            taken = [
                kind
                for (kind, _item), reason in zip(labelled, exc.reasons, strict=False)
                if reason.code == "ConditionalCheckFailed"
            ]
            raise Conflict(
                "a customer with this phone, email or customer number already exists",
                details={"taken": taken},
                code="customer_exists",
            ) from exc
        return customer

    def link_login(self, customer: Customer, expected_version: int) -> Customer:
        """Give an existing customer their site sign-in: the profile and the login's
        uniqueness item in one write, so a sign-in reaches at most one customer and a
        customer has at most one sign-in."""
        assert customer.login
        try:
            self.table.transact(
                [
                    {
                        "Put": {
                            "Item": profile_item(customer),
                            "ConditionExpression": "version = :v AND attribute_not_exists(login)",
                            "ExpressionAttributeValues": {":v": expected_version},
                        }
                    },
                    {
                        "Put": {
                            "Item": pointer_item("login", customer.login, customer.id),
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                ]
            )
        except TransactionCanceled as exc:
            raise Conflict(
                "this customer or this sign-in is already linked", code="already_linked"
            ) from exc
        return customer

    def save_with_contacts(self, customer: Customer, before: Customer) -> Customer:
        """Replace the profile and move its phone and email uniqueness items with it, in one
        write: a phone or email another customer holds refuses the whole change."""
        operations: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": profile_item(customer),
                    "ConditionExpression": "version = :v",
                    "ExpressionAttributeValues": {":v": before.version},
                }
            }
        ]
        for kind in ("phone", "email"):
            old, new = getattr(before, kind), getattr(customer, kind)
            if old == new:
                continue
            if old:
                operations.append({"Delete": {"Key": keys.unique_key(kind, old)}})
            if new:
                operations.append(
                    {
                        "Put": {
                            "Item": pointer_item(kind, new, customer.id),
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    }
                )
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            first = exc.reasons[0] if exc.reasons else None
            if first is not None and first.code == "ConditionalCheckFailed":
                raise Conflict(
                    "the customer changed since you read them", code="version_conflict"
                ) from exc
            raise Conflict(
                "the phone or email belongs to another customer", code="customer_exists"
            ) from exc
        return customer

    def mark_undeliverable(self, customer: Customer, mark: EmailUndeliverable) -> bool:
        """Mark the customer's email as bouncing, if it is still the address that bounced and
        is not marked yet; False when there was nothing to do (a retry, a changed address)."""
        if not customer.email:
            return False
        found = self.table.update(
            keys.customer_key(customer.id),
            "SET email_undeliverable = :mark, version = version + :one",
            "email = :address AND attribute_not_exists(email_undeliverable)",
            {},
            {":mark": mark.model_dump(mode="json"), ":one": 1, ":address": customer.email},
        )
        return found is not None

    def save(self, customer: Customer, expected_version: int) -> Customer:
        item = profile_item(customer)
        try:
            self.table.transact(
                [
                    {
                        "Put": {
                            "Item": item,
                            "ConditionExpression": "version = :v",
                            "ExpressionAttributeValues": {":v": expected_version},
                        }
                    }
                ]
            )
        except TransactionCanceled as exc:
            reason = exc.reasons[0] if exc.reasons else None
            if reason and reason.code == "ConditionalCheckFailed" and not reason.item:
                raise NotFound(f"no customer {customer.id!r}") from exc
            raise Conflict(
                "the customer changed since you read them", code="version_conflict"
            ) from exc
        return customer
