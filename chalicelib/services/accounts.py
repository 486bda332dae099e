"""The customer's own account on the site: completing it after sign-up, and the profile.

Signing up happens in Cognito; destek only learns of the person when the site
asks to complete the account. That step finds or creates the customer record
and writes its id onto the sign-in, so every later token says whose cases the
caller may see. An existing record (say, one an agent made on the phone) is
taken over only when Cognito has verified that the caller owns its email.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain.clock import utcnow
from ..domain.customers import ContactPreferences, Customer, Language
from ..domain.emails import InvalidEmail, checked_email
from ..domain.errors import Conflict, InvalidInput
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.permissions import Principal
from ..domain.phone import to_e164
from .case_commands import Phone, Strict, Text
from .customers import CustomerChanges, CustomerService, new_customer_number
from .ports import CustomerLogins, CustomerStore


class CompleteAccount(Strict):
    name: Text
    phone: Phone | None = None
    language: Language = Language.TR


class Profile(Model):
    """What the customers see of their own record: never the shop's category for them."""

    id: str
    customer_number: str
    name: str
    email: str | None
    phone: str | None
    language: Language
    contact: ContactPreferences
    version: int


def profile_of(customer: Customer) -> Profile:
    return Profile.model_validate(customer.model_dump(include=set(Profile.model_fields)))


class AccountService:
    def __init__(
        self,
        customers: CustomerStore,
        logins: CustomerLogins,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.customers = customers
        self.logins = logins
        self.clock = clock

    def complete(self, principal: Principal, details: CompleteAccount) -> Profile:
        """Idempotent: asking again returns the same customer and re-stamps the sign-in."""
        if principal.customer_id:
            return profile_of(self.customers.get(principal.customer_id))
        customer = self.customers.find("login", principal.subject)
        if customer is None:
            try:
                customer = self._link_or_create(principal, details)
            except Conflict:
                customer = self.customers.find("login", principal.subject)
                if customer is None:  # not a twin request that won the race: a real refusal
                    raise
        self.logins.set_customer_id(principal.username, customer.id)
        return profile_of(customer)

    def _link_or_create(self, principal: Principal, details: CompleteAccount) -> Customer:
        if not principal.email:
            raise InvalidInput("your sign-in has no email address")
        try:
            email = checked_email(principal.email)
        except InvalidEmail as exc:  # Cognito takes addresses SES cannot send to
            raise InvalidInput(
                "your sign-in's email address cannot receive mail; change it and try again",
                details={"email": str(exc)},
                code="invalid_email",
            ) from exc
        on_file = self.customers.find("email", email)
        if on_file is not None:
            if not principal.email_verified:
                raise Conflict(
                    "a customer with this email is already on file; verify your email "
                    "address to reach their cases",
                    code="email_unverified",
                )
            if on_file.login:
                raise Conflict("this email already has a sign-in", code="email_in_use")
            linked = on_file.model_copy(
                update={"login": principal.subject, "version": on_file.version + 1}
            )
            return self.customers.link_login(linked, on_file.version)
        return self.customers.create(
            Customer(
                id=new_id("u"),
                customer_number=new_customer_number(),
                name=details.name,
                email=email,
                phone=to_e164(details.phone) if details.phone else None,
                language=details.language,
                login=principal.subject,
                created_at=self.clock(),
            )
        )

    def profile(self, principal: Principal) -> Profile:
        return profile_of(self.customers.get(principal.own_customer_id()))

    def change(self, principal: Principal, changes: CustomerChanges) -> Profile:
        changed = CustomerService(self.customers).change(principal.own_customer_id(), changes)
        return profile_of(changed)
