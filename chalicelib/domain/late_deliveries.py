"""Before they ask: what destek does when a shipment's estimated delivery day has passed
without a delivery, as the shop sets it (docs/orders.md#late-deliveries).

Pure: the settings, the day a shipment counts as late from, and the late-shipments count.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import Field, StringConstraints

from .model import Model

Apology = Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000)]


class LateDeliverySettings(Model):
    """The shop's choice: tell the customer (email, else SMS, in their language, with the
    shop's own apology and compensation text), open a case for the delivery group, both, or
    neither (the default: nothing happens until the shop turns it on). `grace_days`: days
    after the estimated day before destek acts (0: the day after it)."""

    tell_customer: bool = False
    open_case: bool = False
    group_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")] = "teslimat"
    grace_days: Annotated[int, Field(ge=0, le=14)] = 0
    apology_tr: Apology = ""
    apology_en: Apology = ""
    updated_at: datetime | None = None
    updated_by: str | None = None


def late_before(today: date, grace_days: int) -> date:
    """Shipments whose estimated day is before this day are late enough to act on: today is
    after the estimated day plus the grace days."""
    return today - timedelta(days=grace_days)


class CarrierCount(Model):
    carrier: str
    late: int


class LateShipmentCounts(Model):
    """Shipments found late per carrier (code, or the shop's own text folded when the carrier
    is unknown) between two days (Istanbul, both included: the day the sweep found each)."""

    from_day: date
    to_day: date
    total: int
    carriers: list[CarrierCount]
