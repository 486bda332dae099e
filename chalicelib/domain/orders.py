"""Orders and shipments as the shop's backend reports them, kept beside the customer.

destek does not own them: the shop sends the current state and destek keeps the
latest, so an agent sees what the customer bought and where it is without
opening the shop's admin.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from .model import Model
from .text import fold


class OrderLine(Model):
    sku: str
    name: str
    quantity: int = Field(ge=1)
    unit_price: Decimal = Field(ge=0)
    product_id: str | None = None


class Order(Model):
    order_id: str
    customer_id: str
    customer_number: str
    placed_at: datetime
    status: str
    currency: str = "TRY"
    total: Decimal = Field(ge=0)
    lines: list[OrderLine] = Field(default_factory=list)
    updated_at: datetime


class ShipmentEvent(Model):
    at: datetime
    status: str
    location: str | None = None


class Shipment(Model):
    shipment_id: str
    order_id: str
    customer_id: str
    carrier: str
    tracking_number: str
    status: str
    events: list[ShipmentEvent] = Field(default_factory=list)
    updated_at: datetime
    #: the day the shop promised it (the customer's own day, Istanbul), if it said
    estimated_delivery: date | None = None
    #: when it was delivered, as the shop said or as its delivered event says
    delivered_at: datetime | None = None


#: statuses (folded: Turkish letters dropped, lowercase, no spaces) that mean "delivered"
DELIVERED_STATUSES = frozenset({"delivered", "teslimedildi", "teslimalindi"})


def is_delivered_status(status: str) -> bool:
    return "".join(ch for ch in fold(status) if ch.isalnum()) in DELIVERED_STATUSES


def delivered_at(shipment: Shipment) -> datetime | None:
    """When the shipment was delivered: the shop's `delivered_at`, else its earliest
    delivered event, else None (a delivered status without a time gives `updated_at`)."""
    if shipment.delivered_at is not None:
        return shipment.delivered_at
    for event in timeline(shipment.events):
        if is_delivered_status(event.status):
            return event.at
    return shipment.updated_at if is_delivered_status(shipment.status) else None


def timeline(events: list[ShipmentEvent]) -> list[ShipmentEvent]:
    """A shipment's events oldest first; events at the same moment keep the order the shop
    sent them in (a stable sort), and an event sent twice (same time, status and place) is
    shown once."""
    seen: set[tuple[datetime, str, str | None]] = set()
    shown: list[ShipmentEvent] = []
    for event in sorted(events, key=lambda e: e.at):
        key = (event.at, event.status, event.location)
        if key not in seen:
            seen.add(key)
            shown.append(event)
    return shown


def is_late(shipment: Shipment, today: date) -> bool:
    """Its estimated delivery day has passed (today, Istanbul, is after it) and it is not
    delivered."""
    due = shipment.estimated_delivery
    return due is not None and today > due and delivered_at(shipment) is None
