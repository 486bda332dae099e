"""Customers' registered products: registered on the site, by an agent on the phone, or
(later) by the shop's backend; each with its warranty as it stands today in Istanbul."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from ..domain.caller import Caller
from ..domain.cases import Actor, CaseProduct
from ..domain.catalog import AttributeText
from ..domain.clock import ISTANBUL, utcnow
from ..domain.errors import InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.registrations import (
    CustomerRegistration,
    CustomerRegistrationPage,
    Registration,
    RegistrationPage,
    RegistrationView,
    Source,
    check_serial,
    choose_attributes,
    normalize_serial,
)
from ..domain.warranty import check_purchase_date, warranty_ends, warranty_state
from .case_commands import PageParams, Strict, Text
from .ports import CatalogStore, CustomerStore, RegistrationStore

Serial = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100),
    AfterValidator(normalize_serial),
    AfterValidator(check_serial),
    Field(description="as printed; case and spaces do not matter"),
]
OrderRef = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_/.#-]{0,63}$")]


class RegisterProduct(Strict):
    product_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
    serial_number: Serial
    purchase_date: date = Field(description="YYYY-MM-DD, not in the future, not before 1990")
    seller: Text | None = None
    order_ref: OrderRef | None = None
    attributes: dict[AttributeText, AttributeText] | None = Field(
        default=None, max_length=20, description="the product's attributes; defaults if left out"
    )


class SerialQuery(Strict):
    serial: Serial


def for_customer(view: RegistrationView) -> CustomerRegistration:
    return CustomerRegistration.model_validate(view.model_dump())


class RegistrationService:
    def __init__(
        self,
        store: RegistrationStore,
        catalog: CatalogStore,
        customers: CustomerStore,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.customers = customers
        self.clock = clock

    def today(self) -> date:
        return self.clock().astimezone(ISTANBUL).date()

    # ---- registering ---------------------------------------------------------------------

    def register(
        self, customer_id: str, command: RegisterProduct, source: Source, actor: Actor
    ) -> RegistrationView:
        """Register a unit for a customer: the product's name, brand, model and warranty
        period are copied in; the serial is claimed in the same write (one customer each)."""
        product = self.catalog.get_product(command.product_id)
        if product is None:
            raise InvalidInput(f"no product {command.product_id!r}")
        now = self.clock()
        today = now.astimezone(ISTANBUL).date()
        check_purchase_date(command.purchase_date, today)
        registration = Registration(
            id=new_id("r"),
            customer_id=customer_id,
            product_id=product.id,
            product_name=product.name,
            brand=product.brand,
            model=product.model,
            sub_model=product.sub_model,
            serial_number=command.serial_number,
            purchase_date=command.purchase_date,
            seller=command.seller,
            order_ref=command.order_ref,
            attributes=choose_attributes(product.attributes, command.attributes),
            warranty_months=product.warranty_months,
            warranty_ends=warranty_ends(command.purchase_date, product.warranty_months),
            source=source,
            registered_at=now,
            registered_by=actor,
        )
        return self._view(self.store.register(registration), today)

    def register_mine(self, caller: Caller, command: RegisterProduct) -> CustomerRegistration:
        """The site's form: the signed-in customer registers a product of their own."""
        customer_id = caller.principal.own_customer_id()
        return for_customer(self.register(customer_id, command, "site", caller.actor))

    def register_for(
        self, caller: Caller, customer_id: str, command: RegisterProduct
    ) -> RegistrationView:
        """An agent registers a product for a customer on the phone."""
        return self.register(customer_id, command, "phone", caller.actor)

    def remove(self, customer_id: str, registration_id: str) -> None:
        """Delete a registration and free its serial (a mistaken entry, a returned unit)."""
        self.store.remove(self.get(customer_id, registration_id))

    # ---- reading -------------------------------------------------------------------------

    def get(self, customer_id: str, registration_id: str) -> Registration:
        """The customer's registration; NotFound when it is not theirs (cases use this)."""
        registration = self.store.get(customer_id, registration_id)
        if registration is None:
            raise NotFound(f"no registration {registration_id!r}")
        return registration

    def case_product(self, customer_id: str, registration_id: str) -> CaseProduct:
        """The registration a new case is about, as the case keeps it; another customer's
        registration is refused exactly like one that does not exist."""
        try:
            registration = self.get(customer_id, registration_id)
        except NotFound as exc:
            raise InvalidInput(
                "no registered product of this customer has this id",
                details={"registration_id": registration_id},
            ) from exc
        product = self.catalog.get_product(registration.product_id)
        return CaseProduct(
            registration_id=registration.id,
            product_id=registration.product_id,
            name=registration.product_name,
            serial_number=registration.serial_number,
            purchase_date=registration.purchase_date,
            warranty_ends=registration.warranty_ends,
            product_group=product.product_group if product else None,
        )

    def view(self, customer_id: str, registration_id: str) -> RegistrationView:
        return self._view(self.get(customer_id, registration_id), self.today())

    def of_customer(self, customer_id: str, params: PageParams) -> RegistrationPage:
        items, next_cursor = self.store.list(customer_id, params.limit, params.cursor)
        if not items and not params.cursor:
            self.customers.get(customer_id)  # an unknown customer is a 404, not an empty list
        today = self.today()
        return RegistrationPage(
            items=[self._view(r, today) for r in items], next_cursor=next_cursor
        )

    def by_serial(self, serial: str) -> RegistrationView:
        registration = self.store.find_serial(serial)
        if registration is None:
            raise NotFound("no product is registered with this serial number")
        return self._view(registration, self.today())

    def mine(self, caller: Caller, params: PageParams) -> CustomerRegistrationPage:
        customer_id = caller.principal.customer_id
        if not customer_id:
            return CustomerRegistrationPage(items=[])
        items, next_cursor = self.store.list(customer_id, params.limit, params.cursor)
        today = self.today()
        return CustomerRegistrationPage(
            items=[for_customer(self._view(r, today)) for r in items], next_cursor=next_cursor
        )

    def my_one(self, caller: Caller, registration_id: str) -> CustomerRegistration:
        customer_id = caller.principal.customer_id
        if not customer_id:
            raise NotFound(f"no registration {registration_id!r}")
        return for_customer(self.view(customer_id, registration_id))

    @staticmethod
    def _view(registration: Registration, today: date) -> RegistrationView:
        state = warranty_state(registration.warranty_ends, registration.warranty_months, today)
        return RegistrationView(**registration.model_dump(), warranty=state)
