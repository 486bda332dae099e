"""A customer's registered product: which product, which unit (serial), bought when.

The product's name, brand, model and warranty period are copied in at
registration: the warranty a customer was given does not change when an admin
later edits or deletes the product.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from .cases import Actor
from .catalog import ProductAttribute
from .errors import InvalidInput
from .model import Model
from .warranty import WarrantyState

Source = Literal["site", "phone", "shop"]
#: what a normalized serial may hold: letters, digits and the separators printed on labels
SERIAL = re.compile(r"^[A-Z0-9][A-Z0-9._/-]{0,63}$")


def normalize_serial(text: str) -> str:
    """One spelling per unit: `sn-demo 0001 ` and `SN-DEMO0001` are the same label typed
    twice. Uppercase by plain (not Turkish) rules: serials are Latin, and `i` must become
    `I` whatever the locale of the person typing."""
    return "".join(text.split()).upper()


def check_serial(serial: str) -> str:
    if not SERIAL.fullmatch(serial):
        raise ValueError("a serial number is 1-64 letters, digits and . _ / - (spaces are ignored)")
    return serial


class Registration(Model):
    id: str
    customer_id: str
    product_id: str
    product_name: str
    brand: str
    model: str
    sub_model: str | None = None
    serial_number: str  # normalized
    purchase_date: date
    seller: str | None = None
    order_ref: str | None = None
    attributes: dict[str, str] = Field(default_factory=dict)
    warranty_months: int
    warranty_ends: date
    source: Source
    registered_at: datetime
    registered_by: Actor


class RegistrationView(Registration):
    """A registration as staff see it: with where its warranty stands today."""

    warranty: WarrantyState


class CustomerRegistration(Model):
    """A registration as its customer sees it: not which staff member entered it."""

    id: str
    product_id: str
    product_name: str
    brand: str
    model: str
    sub_model: str | None = None
    serial_number: str
    purchase_date: date
    seller: str | None = None
    order_ref: str | None = None
    attributes: dict[str, str]
    warranty_months: int
    warranty_ends: date
    source: Source
    registered_at: datetime
    warranty: WarrantyState


class RegistrationPage(Model):
    items: list[RegistrationView]
    next_cursor: str | None = None


class CustomerRegistrationPage(Model):
    items: list[CustomerRegistration]
    next_cursor: str | None = None


def choose_attributes(
    defined: list[ProductAttribute], chosen: dict[str, str] | None
) -> dict[str, str]:
    """The customer's choices checked against the product's attributes, defaults filled in."""
    chosen = dict(chosen or {})
    known = {a.name: a for a in defined}
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise InvalidInput(
            "the product has no such attribute",
            details={"unknown": unknown, "attributes": list(known)},
        )
    result: dict[str, str] = {}
    for attribute in defined:
        value = chosen.get(attribute.name, attribute.default)
        if value is None:
            continue
        if attribute.values and value not in attribute.values:
            raise InvalidInput(
                f"{value!r} is not a {attribute.name} this product comes in",
                details={"attribute": attribute.name, "values": attribute.values},
            )
        result[attribute.name] = value
    return result
