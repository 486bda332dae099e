"""Recording a customer's consents: by the shop's backend (signed calls) and by the
customer on their profile. Opt-out links are in services/survey_answers.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import Field

from ..domain.clock import utcnow
from ..domain.consent import ConsentChange, Consents, ConsentSource, applied
from ..domain.errors import NotFound
from ..domain.model import Model
from .ports import ConsentStore, CustomerStore


class ShopConsents(Model):
    """The shop's record of one customer's consents (from İYS, or its own sign-up form),
    the customer named by their customer number."""

    customer_number: str = Field(min_length=1, max_length=64)
    changes: list[ConsentChange] = Field(min_length=1, max_length=2)


class MyConsents(Model):
    """The customer's own choices on their profile."""

    changes: list[ConsentChange] = Field(min_length=1, max_length=2)


class ConsentService:
    def __init__(self, consents: ConsentStore, customers: CustomerStore,
                 clock: Callable[[], datetime] = utcnow) -> None:  # fmt: skip
        self.consents = consents
        self.customers = customers
        self.clock = clock

    def of(self, customer_id: str, history: bool = False) -> Consents:
        return Consents(customer_id=customer_id, channels=self.consents.standing(customer_id),
                        history=self.consents.history(customer_id) if history else [])  # fmt: skip

    def record(self, customer_id: str, changes: list[ConsentChange],
               source: ConsentSource) -> Consents:  # fmt: skip
        """Record the changes; answers the standing consents and, as `history`, the entries
        this call recorded (newest first). They are known without reading the history back
        (a read that, eventually consistent, could miss them); the whole history is
        `GET /customers/{id}/consents`."""
        now = self.clock()
        recorded = [applied(change, source, now) for change in changes]
        for consent in recorded:
            self.consents.record(customer_id, consent)
        newest_first = sorted(recorded, key=lambda c: c.at, reverse=True)
        return Consents(customer_id=customer_id, channels=self.consents.standing(customer_id),
                        history=newest_first)  # fmt: skip

    def from_shop(self, body: ShopConsents) -> Consents:
        customer = self.customers.find("customer_number", body.customer_number)
        if customer is None:
            raise NotFound(f"no customer number {body.customer_number!r}")
        return self.record(customer.id, body.changes, ConsentSource.SHOP)
