"""An order as its customer sees it on the site: lines, shipments with the carrier's tracking
link, the status timeline, the estimated delivery and whether it is late.

Pure: built from what the shop reported (domain/orders.py), the carriers
(domain/carriers.py) and the day it is in Istanbul.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from .carriers import Carrier, carrier_code, tracking_url
from .model import Model
from .orders import Order, OrderLine, Shipment, ShipmentEvent, delivered_at, is_late, timeline


class MyShipment(Model):
    """A shipment: `carrier` as the shop wrote it, `carrier_code`/`carrier_name` when it is
    a known carrier, and then `tracking_url`, the carrier's own page for the number."""

    shipment_id: str
    carrier: str
    carrier_code: str | None = None
    carrier_name: str | None = None
    tracking_number: str
    tracking_url: str | None = None
    status: str
    #: the day the shop promised it (Istanbul), if it said
    estimated_delivery: date | None = None
    delivered_at: datetime | None = None
    #: the estimated day has passed and it is not delivered
    late: bool = False
    #: its events, oldest first
    timeline: list[ShipmentEvent]
    updated_at: datetime


class MyOrder(Model):
    order_id: str
    placed_at: datetime
    status: str
    currency: str
    #: the sum of the lines' quantity × unit price
    total: Decimal
    lines: list[OrderLine]
    shipments: list[MyShipment]
    updated_at: datetime


class MyOrderPage(Model):
    items: list[MyOrder]
    next_cursor: str | None = None


def shipment_view(shipment: Shipment, carriers: list[Carrier], today: date) -> MyShipment:
    known = carrier_code(shipment.carrier, carriers)
    return MyShipment(
        shipment_id=shipment.shipment_id,
        carrier=shipment.carrier,
        carrier_code=known.code if known else None,
        carrier_name=known.name if known else None,
        tracking_number=shipment.tracking_number,
        tracking_url=(
            tracking_url(known.tracking_url_template, shipment.tracking_number) if known else None
        ),
        status=shipment.status,
        estimated_delivery=shipment.estimated_delivery,
        delivered_at=delivered_at(shipment),
        late=is_late(shipment, today),
        timeline=timeline(shipment.events),
        updated_at=shipment.updated_at,
    )


def order_view(
    order: Order, shipments: list[Shipment], carriers: list[Carrier], today: date
) -> MyOrder:
    """The order with its own shipments (those naming its order id), by shipment id."""
    own = sorted((s for s in shipments if s.order_id == order.order_id),
                 key=lambda s: s.shipment_id)  # fmt: skip
    return MyOrder(
        **order.model_dump(
            include={"order_id", "placed_at", "status", "currency", "total", "lines", "updated_at"}
        ),  # fmt: skip
        shipments=[shipment_view(s, carriers, today) for s in own],
    )
