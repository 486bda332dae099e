"""What the shop's backend tells destek: its customers, as they are in the shop.

The shop's own customer id is destek's customer number, so a customer who calls
and reads it out is found, and the shop's next update lands on the same record.
Batch calls apply each item on its own and report each: one bad item does not
stop the other ninety-nine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from ..domain.clock import utcnow
from ..domain.customers import Customer, CustomerCategory, Language, normalize_email
from ..domain.errors import DomainError
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.phone import to_e164
from .case_commands import CustomerNumber, Email, Phone, Strict, Text
from .ports import CustomerStore

MAX_BATCH = 100


class ShopCustomer(Strict):
    """A customer as the shop knows them; `customer_number` is the shop's own id."""

    customer_number: CustomerNumber
    name: Text
    email: Email | None = None
    phone: Phone | None = None
    language: Language = Language.TR
    category: CustomerCategory = CustomerCategory.NORMAL
    membership_tier: Text | None = None
    member_since: date | None = None
    last_visit_at: datetime | None = None


class CustomerBatch(Strict):
    items: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_BATCH)]


class Upserted(Model):
    customer_number: str | None = None
    status: Literal["created", "updated", "unchanged", "refused"]
    customer_id: str | None = None
    error: dict[str, Any] | None = None


class BatchResult(Model):
    created: int
    updated: int
    unchanged: int
    refused: int
    items: list[Upserted]


class ShopSync:
    def __init__(self, customers: CustomerStore, clock: Callable[[], datetime] = utcnow) -> None:
        self.customers = customers
        self.clock = clock

    def upsert_customer(self, data: ShopCustomer) -> Upserted:
        phone = to_e164(data.phone) if data.phone else None
        email = normalize_email(data.email) if data.email else None
        fields = data.model_dump(exclude={"phone", "email", "customer_number"})
        fields.update(phone=phone, email=email)
        found = self.customers.find("customer_number", data.customer_number)
        if found is None:
            created = Customer(
                id=new_id("u"),
                customer_number=data.customer_number,
                created_at=self.clock(),
                **fields,
            )
            self.customers.create(created)
            return Upserted(customer_number=data.customer_number, status="created",
                            customer_id=created.id)  # fmt: skip
        changed = found.model_copy(update=fields)
        if changed == found:
            return Upserted(customer_number=data.customer_number, status="unchanged",
                            customer_id=found.id)  # fmt: skip
        changed.version = found.version + 1
        if (changed.phone, changed.email) != (found.phone, found.email):
            self.customers.save_with_contacts(changed, found)
        else:
            self.customers.save(changed, found.version)
        return Upserted(customer_number=data.customer_number, status="updated",
                        customer_id=found.id)  # fmt: skip

    def upsert_customers(self, batch: CustomerBatch) -> BatchResult:
        results = [self._one(item) for item in batch.items]
        counts = {s: sum(1 for r in results if r.status == s)
                  for s in ("created", "updated", "unchanged", "refused")}  # fmt: skip
        return BatchResult(**counts, items=results)

    def _one(self, item: dict[str, Any]) -> Upserted:
        number = item.get("customer_number") if isinstance(item, dict) else None
        number = number if isinstance(number, str) else None
        try:
            return self.upsert_customer(ShopCustomer.model_validate(item))
        except ValidationError as exc:
            problems = [{"field": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]}
                        for e in exc.errors(include_url=False, include_input=False)]  # fmt: skip
            error = {"code": "invalid_input", "message": "invalid fields", "details": problems}
        except DomainError as exc:
            error = {"code": exc.code, "message": exc.message, "details": exc.details}
        return Upserted(customer_number=number, status="refused", error=error)
