"""What the shop's backend tells destek: its customers, as they are in the shop.

The shop's own customer id is destek's customer number, so a customer who calls
and reads it out is found, and the shop's next update lands on the same record.
Batch calls apply each item on its own and report each: one bad item does not
stop the other ninety-nine.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, Field, StringConstraints, ValidationError

from ..domain.cases import Actor
from ..domain.clock import utcnow
from ..domain.customers import Customer, CustomerCategory, Language, normalize_email
from ..domain.errors import DomainError, InvalidInput
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.orders import Order, OrderLine, Shipment, ShipmentEvent
from ..domain.phone import to_e164
from ..domain.reports import MAX_PROBLEM_BYTES, cut_utf8, problems_of
from .case_commands import CustomerNumber, Email, Phone, Strict, Text
from .ports import CustomerStore, ShopRecords
from .registrations import RegisterProduct, RegistrationService

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


class Batch(Strict):
    items: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_BATCH)]


CustomerBatch = Batch
Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")]


class ShopOrderLine(Strict):
    sku: Ref
    name: Text
    quantity: Annotated[int, Field(ge=1, le=100_000)]
    unit_price: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
    product_id: Ref | None = Field(default=None, description="destek's product, if known")


class ShopOrder(Strict):
    order_id: Ref
    customer_number: CustomerNumber
    placed_at: datetime
    status: Text
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")] = "TRY"
    lines: Annotated[list[ShopOrderLine], Field(min_length=1, max_length=200)]


class ShopShipmentEvent(Strict):
    at: datetime
    status: Text
    location: Text | None = None


class ShopShipment(Strict):
    shipment_id: Ref
    order_id: Ref
    customer_number: CustomerNumber
    carrier: Text
    tracking_number: Ref
    status: Text
    events: Annotated[list[ShopShipmentEvent], Field(max_length=200)] = []
    estimated_delivery: date | None = Field(
        default=None, description="the day the shop promised it (Istanbul)"
    )
    delivered_at: AwareDatetime | None = Field(
        default=None, description="when it was delivered (else a `delivered` event says it)"
    )


class ShopSale(RegisterProduct):
    """A unit the shop sold to a customer: registered for them, so its warranty shows."""

    customer_number: CustomerNumber


class Upserted(Model):
    customer_number: str | None = None
    ref: str | None = None
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
    def __init__(
        self,
        customers: CustomerStore,
        records: ShopRecords,
        clock: Callable[[], datetime] = utcnow,
        registrations: RegistrationService | None = None,
    ) -> None:
        self.customers = customers
        self.records = records
        self.clock = clock
        self.registrations = registrations

    def _customer_id(self, customer_number: str) -> str:
        return self.customer(customer_number).id

    def customer(self, customer_number: str) -> Customer:
        """The shop's customer by its own id; the shop sends customers before their news."""
        found = self.customers.find("customer_number", customer_number)
        if found is None:
            raise InvalidInput(
                "no customer with this customer_number: send the customer first",
                code="unknown_customer",
            )
        return found

    def upsert_order(self, data: ShopOrder) -> Upserted:
        customer_id = self._customer_id(data.customer_number)
        lines = [OrderLine(**line.model_dump()) for line in data.lines]
        total = sum((line.unit_price * line.quantity for line in lines), Decimal("0"))
        order = Order(
            **data.model_dump(exclude={"lines"}),
            customer_id=customer_id,
            total=total,
            lines=lines,
            updated_at=self.clock(),
        )
        self.records.put_order(order)
        return Upserted(customer_number=data.customer_number, ref=data.order_id,
                        status="updated", customer_id=customer_id)  # fmt: skip

    def upsert_shipment(self, data: ShopShipment) -> Upserted:
        customer_id = self._customer_id(data.customer_number)
        events = sorted((ShipmentEvent(**e.model_dump()) for e in data.events), key=lambda e: e.at)
        shipment = Shipment(
            **data.model_dump(exclude={"events", "customer_number"}),
            customer_id=customer_id,
            events=events,
            updated_at=self.clock(),
        )
        self.records.put_shipment(shipment)
        return Upserted(customer_number=data.customer_number, ref=data.shipment_id,
                        status="updated", customer_id=customer_id)  # fmt: skip

    def register_sale(self, data: ShopSale, actor: Actor) -> Upserted:
        """The same registration as the site's or an agent's (one customer per serial);
        the shop sending the same sale again is told it is registered already."""
        if self.registrations is None:
            raise InvalidInput("product registration is not available")
        customer_id = self._customer_id(data.customer_number)
        command = RegisterProduct(**data.model_dump(exclude={"customer_number"}))
        made = self.registrations.register(customer_id, command, "shop", actor)
        return Upserted(customer_number=data.customer_number, ref=made.id, status="created",
                        customer_id=customer_id)  # fmt: skip

    def register_sales(self, batch: Batch, actor: Actor) -> BatchResult:
        return self._batch(batch, ShopSale, lambda sale: self.register_sale(sale, actor))

    def upsert_orders(self, batch: Batch) -> BatchResult:
        return self._batch(batch, ShopOrder, self.upsert_order)

    def upsert_shipments(self, batch: Batch) -> BatchResult:
        return self._batch(batch, ShopShipment, self.upsert_shipment)

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

    def upsert_customers(self, batch: Batch) -> BatchResult:
        return self._batch(batch, ShopCustomer, self.upsert_customer)

    def _batch(
        self, batch: Batch, model: type[Strict], apply: Callable[..., Upserted]
    ) -> BatchResult:
        results = [self._one(item, model, apply) for item in batch.items]
        counts = {s: sum(1 for r in results if r.status == s)
                  for s in ("created", "updated", "unchanged", "refused")}  # fmt: skip
        return BatchResult(**counts, items=results)

    @staticmethod
    def _one(item: dict[str, Any], model: type[Strict], apply: Callable[..., Upserted]) -> Upserted:
        number = item.get("customer_number") if isinstance(item, dict) else None
        number = number if isinstance(number, str) else None
        try:
            return apply(model.model_validate(item))
        except ValidationError as exc:
            problems = problems_of(exc.errors(include_url=False, include_input=False))
            error = {"code": "invalid_input", "message": "invalid fields", "details": problems}
        except DomainError as exc:
            error = {"code": exc.code, "message": cut_utf8(exc.message, MAX_PROBLEM_BYTES),
                     "details": exc.details}  # fmt: skip
        return Upserted(customer_number=number, status="refused", error=error)
