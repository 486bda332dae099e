"""Finding and creating customers: by customer number, phone (any Turkish format) or email."""

from __future__ import annotations

import secrets
import time
from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, StringConstraints, field_validator

from ..domain.clock import utcnow
from ..domain.customers import (
    ContactPreferences,
    Customer,
    Language,
    channel_for,
    check_contact,
    normalize_email,
)
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.phone import to_e164
from ..observability import logger
from .case_commands import CallerDetails, CustomerNumber, Email, Id, Phone, Strict, Text
from .ports import CustomerLogins, CustomerStore


class NewCustomer(Strict):
    name: Text
    email: Email | None = None
    phone: Phone | None = None
    customer_number: CustomerNumber | None = None
    language: Language = Language.TR


class ContactDetails(ContactPreferences):
    """Contact preferences as a client sends them: an unknown field is refused, not dropped."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class CustomerChanges(Strict):
    version: Annotated[int, Field(ge=1)]
    name: Text | None = None
    language: Language | None = None
    phone: Phone | Literal[""] | None = Field(
        default=None,
        description='a number in any Turkish format; "" removes it; null or absent: unchanged',
    )
    contact: ContactDetails | None = Field(
        default=None,
        description="SMS (or both) needs a phone, email (or both) an email address: else 422 "
        "sms_needs_phone / email_needs_address",
    )

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
    def __init__(self, store: CustomerStore, logins: CustomerLogins | None = None) -> None:
        self.store = store
        self.logins = logins

    def delete(self, customer_id: str) -> Customer:
        """Delete a customer: the profile and what finds it (number, phone, email) in one
        write, and their site sign-in, whose tokens are refused from now on (the sign-in
        record stays, closed). Their cases, products and orders are kept as they are: they
        are the shop's records of what happened. Answers the customer as it was."""
        customer = self.store.get(customer_id)
        self.store.delete(customer, closed_at=time.time())
        if customer.login and self.logins is not None:
            try:
                self.logins.close(customer.login)
            except Exception:  # noqa: BLE001 - the closed record already refuses the sign-in
                logger.exception("customer sign-in not removed", customer_id=customer_id)
        return customer

    def get(self, customer_id: str) -> Customer:
        return self.store.get(customer_id)

    def change(self, customer_id: str, changes: CustomerChanges) -> Customer:
        """Name, language, phone, and how and when they want to hear from us (email, SMS,
        quiet hours).

        A new phone moves its uniqueness item in the same write (another customer's number
        is a 409 `customer_exists`). A channel without its address, or removing the phone an
        SMS choice needs, is a 422 (domain.customers.check_contact) and changes nothing.
        """
        current = self.store.get(customer_id)
        # null leaves a field as it is: a customer always has a name, a language and preferences
        fields = changes.model_dump(
            exclude_unset=True, exclude_none=True, exclude={"version", "phone"}
        )
        update = {k: getattr(changes, k) for k in fields}
        if changes.phone is not None:
            update["phone"] = to_e164(changes.phone) if changes.phone else None
        updated = current.model_copy(update={**update, "version": current.version + 1})
        if "contact" in update or updated.phone != current.phone:
            check_contact(updated.contact.channel, updated.phone, updated.email,
                          sms_only="contact" not in update)  # fmt: skip
        if updated.phone != current.phone:
            if current.version != changes.version:  # the write compares with what we read
                raise Conflict("the customer changed since you read them", code="version_conflict")
            return self.store.save_with_contacts(updated, current)
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
        email = normalize_email(email) if email else None
        phone = to_e164(phone) if phone else None
        return Customer(
            id=new_id("u"),
            customer_number=number or new_customer_number(),
            name=name,
            email=email,
            phone=phone,
            contact=ContactPreferences(channel=channel_for(email, phone)),
            created_at=now,
        )
