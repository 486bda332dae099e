"""Finding and creating customers: by customer number, phone (any Turkish format) or email."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, StringConstraints, field_validator

from ..domain.clock import utcnow
from ..domain.customers import ContactPreferences, Customer, Language, normalize_email
from ..domain.errors import InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.phone import to_e164
from .case_commands import CallerDetails, CustomerNumber, Email, Id, Phone, Strict, Text
from .ports import CustomerStore


class NewCustomer(Strict):
    name: Text
    email: Email | None = None
    phone: Phone | None = None
    customer_number: CustomerNumber | None = None
    language: Language = Language.TR


class CustomerChanges(Strict):
    version: Annotated[int, Field(ge=1)]
    name: Text | None = None
    language: Language | None = None
    contact: ContactPreferences | None = None

    @field_validator("contact")
    @classmethod
    def _contact(cls, value: ContactPreferences | None) -> ContactPreferences | None:
        """Refused here, not when a notice is due: the notifier reads these on every notice."""
        if value is None:
            return value
        try:
            ZoneInfo(value.timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
            raise ValueError(f"unknown time zone {value.timezone[:64]!r}") from exc
        if any(
            t is not None and t.tzinfo is not None for t in (value.quiet_from, value.quiet_until)
        ):
            raise ValueError("quiet hours are wall-clock times without an offset (see timezone)")
        return value


class CustomerLookup(Strict):
    customer_number: CustomerNumber | None = None
    phone: Phone | None = None
    email: Email | None = None
    order_number: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="an order the shop reported"
    )
    id: Id | None = None


class NameSearch(Strict):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
    limit: Annotated[int, Field(ge=1, le=50)] = 20


class CustomerMatches(Model):
    items: list[Customer]


def new_customer_number() -> str:
    """Eight digits a caller can read out; uniqueness is enforced by the store's condition."""
    return str(10_000_000 + secrets.randbelow(90_000_000))


class CustomerService:
    def __init__(self, store: CustomerStore) -> None:
        self.store = store

    def get(self, customer_id: str) -> Customer:
        return self.store.get(customer_id)

    def change(self, customer_id: str, changes: CustomerChanges) -> Customer:
        """Name, language and how and when they want to hear from us (email, SMS, quiet hours)."""
        current = self.store.get(customer_id)
        # null leaves a field as it is: a customer always has a name, a language and preferences
        fields = changes.model_dump(exclude_unset=True, exclude_none=True, exclude={"version"})
        updated = current.model_copy(
            update={**{k: getattr(changes, k) for k in fields}, "version": current.version + 1}
        )
        return self.store.save(updated, changes.version)

    def lookup(self, query: CustomerLookup) -> Customer:
        if query.id:
            return self.store.get(query.id)
        keys = self._keys(query.customer_number, query.phone, query.email)
        if query.order_number:
            keys.append(("order", query.order_number))
        if not keys:
            raise InvalidInput("give id, customer_number, phone, email or order_number")
        for kind, value in keys:
            found = self.store.find(kind, value)
            if found:
                return found
        raise NotFound("no customer matches", details={"lookup": dict(keys)})

    def search(self, query: NameSearch) -> CustomerMatches:
        """By name as the agent types it: from the first name on, Turkish letters or not."""
        return CustomerMatches(items=self.store.by_name(query.name, query.limit))

    def create(self, data: NewCustomer, now: datetime | None = None) -> Customer:
        now = now or utcnow()
        customer = self._build(data.name, data.email, data.phone, data.customer_number, now)
        customer.language = data.language
        return self.store.create(customer)

    def resolve_caller(self, details: CallerDetails, now: datetime) -> tuple[str, Customer | None]:
        """The customer id to open a case for, and the new customer to create with it (if any).

        A known customer id is not read here: the store checks it exists inside the
        case's own transaction, which keeps phone intake to one write.
        """
        if details.customer_id:
            return details.customer_id, None
        keys = self._keys(details.customer_number, details.phone, details.email)
        for kind, value in keys:
            found = self.store.find(kind, value)
            if found:
                return found.id, None
        if not details.name:
            raise InvalidInput(
                "no customer matches; give a name to create one",
                details={"lookup": dict(keys)},
            )
        customer = self._build(
            details.name, details.email, details.phone, details.customer_number, now
        )
        customer.language = details.language
        return customer.id, customer

    @staticmethod
    def _keys(number: str | None, phone: str | None, email: str | None) -> list[tuple[str, str]]:
        keys: list[tuple[str, str]] = []
        if number:
            keys.append(("customer_number", number.strip()))
        if phone:
            keys.append(("phone", to_e164(phone)))
        if email:
            keys.append(("email", normalize_email(email)))
        return keys

    @staticmethod
    def _build(
        name: str, email: str | None, phone: str | None, number: str | None, now: datetime
    ) -> Customer:
        return Customer(
            id=new_id("u"),
            customer_number=number or new_customer_number(),
            name=name,
            email=normalize_email(email) if email else None,
            phone=to_e164(phone) if phone else None,
            created_at=now,
        )
