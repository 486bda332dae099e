"""Warranty dates: when a warranty ends, and where it stands on a given day.

Pure date arithmetic with no clock of its own: callers pass today's date as seen
in Istanbul, so a customer at 00:30 local time is not told yesterday's answer.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from typing import Literal

from .errors import InvalidInput
from .model import Model

#: at or below this many days left, the warranty "ends soon"
ENDS_SOON_DAYS = 30
EARLIEST_PURCHASE = date(1990, 1, 1)


class WarrantyState(Model):
    state: Literal["in_warranty", "ends_soon", "expired"]
    ends_on: date
    days_left: int  # 0 once expired


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it is shorter:
    31 January + 1 month is 28 (or 29) February, as Turkish law counts month periods."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def warranty_ends(purchase_date: date, months: int) -> date:
    """The last day covered: the purchase date `months` later (the purchase date itself for
    a product sold without warranty)."""
    return add_months(purchase_date, months)


def warranty_state(ends_on: date, months: int, today: date) -> WarrantyState:
    """Covered through `ends_on` inclusive; a product sold without warranty (0 months) has
    none to be in, so it is expired from the day it was bought."""
    days_left = (ends_on - today).days
    if months == 0 or days_left < 0:
        return WarrantyState(state="expired", ends_on=ends_on, days_left=0)
    state = "ends_soon" if days_left <= ENDS_SOON_DAYS else "in_warranty"
    return WarrantyState(state=state, ends_on=ends_on, days_left=days_left)


def check_purchase_date(purchase_date: date, today: date) -> None:
    if purchase_date > today:
        raise InvalidInput("the purchase date is in the future", details={"field": "purchase_date"})
    if purchase_date < EARLIEST_PURCHASE:
        raise InvalidInput(
            f"the purchase date is before {EARLIEST_PURCHASE.isoformat()}",
            details={"field": "purchase_date"},
        )
