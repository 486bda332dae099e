"""Registered products in their customer's partition, and the serial numbers they claim.

A registration and the uniqueness item of its serial are written (and deleted) in one
transaction, with checks that the customer and the product exist, so a serial belongs
to exactly one customer and a refused registration writes nothing. The same transaction
adds the unit to (or takes it from) its product's count by warranty end month, the
products report's denominator (`keys.unit_count_key`).
"""

from __future__ import annotations

from typing import Any

from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.registrations import Registration
from . import keys
from .dynamo import Table, TransactionCanceled


def registration_item(registration: Registration) -> dict[str, Any]:
    return {
        **registration.model_dump(mode="json"),
        **keys.registration_key(registration.customer_id, registration.id),
        "entity": "registration",
    }


def _count_unit(registration: Registration, amount: int) -> dict[str, Any]:
    key = keys.unit_count_key(registration.product_id, registration.warranty_ends.isoformat())
    return {"Update": {"Key": key, "UpdateExpression": "ADD #u :n SET #p = :p",
                       "ExpressionAttributeNames": {"#u": "units", "#p": "product_id"},
                       "ExpressionAttributeValues": {":n": amount,
                                                     ":p": registration.product_id}}}  # fmt: skip


def _exists(key: dict[str, str]) -> dict[str, Any]:
    return {"ConditionCheck": {"Key": key, "ConditionExpression": "attribute_exists(PK)"}}


class DynamoRegistrationStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def register(self, registration: Registration) -> Registration:
        serial = {
            **keys.serial_key(registration.serial_number),
            "entity": "unique",
            "customer_id": registration.customer_id,
            "registration_id": registration.id,
        }
        operations = [
            _exists(keys.customer_key(registration.customer_id)),
            _exists(keys.product_key(registration.product_id)),
            {"Put": {"Item": serial, "ConditionExpression": "attribute_not_exists(PK)"}},
            {
                "Put": {
                    "Item": registration_item(registration),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            },
            _count_unit(registration, 1),
        ]
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            customer, product, taken, _put = [*exc.reasons, None, None, None, None][:4]
            if customer and customer.code == "ConditionalCheckFailed":
                raise NotFound(f"no customer {registration.customer_id!r}") from exc
            if product and product.code == "ConditionalCheckFailed":
                raise InvalidInput(f"no product {registration.product_id!r}") from exc
            if taken and taken.code == "ConditionalCheckFailed":
                owner = (taken.item or {}).get("customer_id")
                if owner == registration.customer_id:
                    raise Conflict(
                        "this serial number is already registered to this customer",
                        details={"registration_id": (taken.item or {}).get("registration_id")},
                        code="already_registered",
                    ) from exc
                raise Conflict(
                    "this serial number is already registered to another customer",
                    code="serial_taken",
                ) from exc
            raise Conflict("registrations are busy; try again", code="busy") from exc
        return registration

    def get(self, customer_id: str, registration_id: str) -> Registration | None:
        item = self.table.get(keys.registration_key(customer_id, registration_id))
        return Registration.model_validate(item) if item else None

    def list(
        self, customer_id: str, limit: int, cursor: str | None
    ) -> tuple[list[Registration], str | None]:
        """One page of a customer's registrations, newest first (ids are time-ordered)."""
        items, next_cursor = self.table.query(
            ("PK", keys.customer_key(customer_id)["PK"]),
            sort_prefix=keys.REGISTRATION_PREFIX,
            forward=False,
            limit=limit,
            cursor=cursor,
        )
        return [Registration.model_validate(i) for i in items], next_cursor

    def find_serial(self, serial: str) -> Registration | None:
        pointer = self.table.get(keys.serial_key(serial))
        if pointer is None:
            return None
        return self.get(pointer["customer_id"], pointer["registration_id"])

    def remove(self, registration: Registration) -> None:
        """Delete the registration and free its serial, together."""
        try:
            self.table.transact(
                [
                    {
                        "Delete": {
                            "Key": keys.registration_key(registration.customer_id, registration.id),
                            "ConditionExpression": "attribute_exists(PK)",
                        }
                    },
                    {
                        "Delete": {
                            "Key": keys.serial_key(registration.serial_number),
                            "ConditionExpression": "registration_id = :r",
                            "ExpressionAttributeValues": {":r": registration.id},
                        }
                    },
                    _count_unit(registration, -1),
                ]
            )
        except TransactionCanceled as exc:
            raise NotFound(f"no registration {registration.id!r}") from exc
