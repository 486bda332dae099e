"""Orders and shipments as the shop's backend reports them, kept beside the customer.

destek does not own them: the shop sends the current state and destek keeps the
latest, so an agent sees what the customer bought and where it is without
opening the shop's admin.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import Field

from .model import Model


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
