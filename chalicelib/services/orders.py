"""The customer's own orders and shipments, for the site (`GET /my/orders`), and the order a
case filed from the site is about.

Only the signed-in customer's partition is ever read: an order id of another customer finds
nothing there, so it is a 404 like one that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from ..domain.caller import Caller
from ..domain.cases import CaseOrder
from ..domain.clock import ISTANBUL, utcnow
from ..domain.errors import InvalidInput, NotFound
from ..domain.order_view import MyOrder, MyOrderPage, order_view
from .carriers import CarrierService
from .case_commands import PageParams
from .ports import ShopRecords


class OrderService:
    def __init__(
        self,
        records: ShopRecords,
        carriers: CarrierService,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.records = records
        self.carriers = carriers
        self.clock = clock

    def _today(self) -> date:
        return self.clock().astimezone(ISTANBUL).date()

    def mine(self, caller: Caller, params: PageParams) -> MyOrderPage:
        """A page of the caller's orders (highest order id first), each with its shipments.
        Two Queries: the page of orders, the customer's shipments."""
        customer_id = caller.principal.customer_id
        if not customer_id:
            return MyOrderPage(items=[])
        orders, next_cursor = self.records.orders(customer_id, params.limit, params.cursor)
        shipments = self.records.shipments(customer_id) if orders else []
        carriers, today = self.carriers.all(), self._today()
        return MyOrderPage(
            items=[order_view(o, shipments, carriers, today) for o in orders],
            next_cursor=next_cursor,
        )

    def my_one(self, caller: Caller, order_id: str) -> MyOrder:
        """One of the caller's orders; NotFound for any other (another customer's included)."""
        customer_id = caller.principal.customer_id
        order = self.records.order(customer_id, order_id) if customer_id else None
        if order is None:
            raise NotFound(f"no order {order_id!r}")
        shipments = self.records.shipments(customer_id)
        return order_view(order, shipments, self.carriers.all(), self._today())

    def case_order(self, customer_id: str, order_id: str, shipment_id: str | None) -> CaseOrder:
        """The order (and shipment) a new case is about, as the case keeps it. Another
        customer's order, or a shipment of another order, is refused like one that does not
        exist (422, nothing written)."""
        order = self.records.order(customer_id, order_id)
        if order is None:
            raise InvalidInput("no order of this customer has this id", code="unknown_order",
                               details={"order_id": order_id})  # fmt: skip
        if shipment_id is None:
            return CaseOrder(order_id=order_id)
        shipments = self.records.shipments(customer_id)
        shipment = next(
            (s for s in shipments if s.shipment_id == shipment_id and s.order_id == order_id), None
        )
        if shipment is None:
            raise InvalidInput("this order has no shipment with this id", code="unknown_shipment",
                               details={"shipment_id": shipment_id})  # fmt: skip
        return CaseOrder(order_id=order_id, shipment_id=shipment_id, carrier=shipment.carrier,
                         tracking_number=shipment.tracking_number)  # fmt: skip
