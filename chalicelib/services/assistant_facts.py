"""What the assistant may say about an order, read from destek's data: the order, its
shipments with the carriers' tracking links (the carrier table), what destek and the shop
recorded as sent to the customer about them, and the shop's late-delivery threshold.

Reads (docs/assistant.md#what-it-reads): a visitor's order by number is the order pointer
and the customer (two GetItem) then the order (GetItem); a signed-in customer's is a GetItem
of their own partition, or a page of their orders (Query); then their shipments (Query),
the late marks of those with an estimated day (BatchGetItem), the late-delivery settings
(GetItem) and the stored carriers (Query).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..domain.assistant_answers import NoticeFact, OrderFacts, sent_by
from ..domain.assistant_dialogue import order_key
from ..domain.clock import ISTANBUL, from_iso, utcnow
from ..domain.customers import Customer
from ..domain.late_deliveries import late_before
from ..domain.order_view import order_view
from ..domain.orders import Order, Shipment
from .carriers import CarrierService
from .ports import CustomerStore, ShopRecords

#: a signed-in customer's orders the assistant looks through for "the one on its way"
RECENT_ORDERS = 20


def _variants(typed: str) -> list[str]:
    """The order number as typed, then as compared (upper case, no spaces or #)."""
    cleaned = "".join(typed.split()).lstrip("#")
    return list(dict.fromkeys([cleaned, order_key(typed)]))


class OrderFactsReader:
    def __init__(
        self,
        records: ShopRecords,
        customers: CustomerStore,
        carriers: CarrierService,
        late: Any,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`late`: the late-delivery store (store/late_deliveries.py): its settings and the
        marks of shipments whose customer it told."""
        self.records = records
        self.customers = customers
        self.carriers = carriers
        self.late = late
        self.clock = clock

    def today(self) -> date:
        return self.clock().astimezone(ISTANBUL).date()

    def by_number(self, typed: str) -> tuple[Order, Customer] | None:
        """Any customer's order by its number (a visitor's, before it is proved)."""
        for number in _variants(typed):
            customer = self.customers.find("order", number)
            if customer is not None:
                order = self.records.order(customer.id, number)
                if order is not None:
                    return order, customer
        return None

    def own(self, customer_id: str, typed: str) -> Order | None:
        """One of the customer's own orders by number; None for anyone else's."""
        for number in _variants(typed):
            order = self.records.order(customer_id, number)
            if order is not None:
                return order
        return None

    def recent(self, customer_id: str) -> tuple[list[Order], list[Shipment]]:
        """The customer's newest orders (highest order number first) and their shipments."""
        orders, _ = self.records.orders(customer_id, RECENT_ORDERS, None)
        return orders, (self.records.shipments(customer_id) if orders else [])

    def facts(
        self, order: Order, language: str, shipments: list[Shipment] | None = None
    ) -> OrderFacts:
        """Everything an answer about this order may say."""
        if shipments is None:
            shipments = self.records.shipments(order.customer_id)
        own = [s for s in shipments if s.order_id == order.order_id]
        today = self.today()
        view = order_view(order, own, self.carriers.all(), today)
        settings = self.late.settings()
        notices = [
            NoticeFact(shipment_id=s.shipment_id, channel=channel, at=from_iso(at), source="destek")
            for s, at, channel in self.late.told(own)
        ]
        for shipment in own:
            for event in shipment.events:
                channel = sent_by(event.status)
                if channel is not None:
                    notices.append(
                        NoticeFact(
                            shipment_id=shipment.shipment_id,
                            channel=channel,
                            at=event.at,
                            source="shop",
                        )
                    )
        apology = settings.apology_en if language == "en" else settings.apology_tr
        return OrderFacts(
            order=view,
            notices=notices,
            today=today,
            late_before=late_before(today, settings.grace_days),
            apology=apology or settings.apology_tr,
        )
