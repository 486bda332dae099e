"""The customer's orders on the site (Siparişlerim) and the carriers table (docs/orders.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.carriers import CarrierChange
    from ..services.case_commands import PageParams
    from ..services.late_deliveries import CountQuery, LateDeliveryChange

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CARRIERS = lazy("chalicelib.domain.carriers")
CARRIERS_SERVICE = lazy("chalicelib.services.carriers")
CASE_COMMANDS = lazy("chalicelib.services.case_commands")
LATE_DELIVERIES = lazy("chalicelib.services.late_deliveries")
ORDER_VIEW = lazy("chalicelib.domain.order_view")


@endpoint(
    bp, "/my/orders", audience="customer", permission=(Resource.ORDERS, Action.READ),
    query=CASE_COMMANDS.PageParams, response=ORDER_VIEW.MyOrderPage,
)  # fmt: skip
def my_orders(caller: Caller, query: PageParams):
    """Your orders (the newest order number first), each with its lines and shipments."""
    return wiring.order_service().mine(caller, query)


@endpoint(
    bp, "/my/orders/{order_id}", audience="customer", permission=(Resource.ORDERS, Action.READ),
    response=ORDER_VIEW.MyOrder,
)  # fmt: skip
def my_order(caller: Caller, order_id: str):
    """One of your orders: lines, shipments with tracking links, timelines, delivery dates."""
    return wiring.order_service().my_one(caller, order_id)


@endpoint(
    bp, "/carriers", permission=(Resource.CARRIERS, Action.READ), response=list[CARRIERS.Carrier]
)
def list_carriers(caller: Caller):
    """Every carrier with its tracking page's URL template: the defaults and the stored."""
    return wiring.carrier_service().all()


@endpoint(
    bp, "/carriers/{code}", permission=(Resource.CARRIERS, Action.READ), response=CARRIERS.Carrier
)
def get_carrier(caller: Caller, code: str):
    """One carrier."""
    return wiring.carrier_service().get(code)


@endpoint(
    bp, "/carriers/{code}", "PUT", permission=(Resource.CARRIERS, Action.EDIT),
    body=CARRIERS_SERVICE.CarrierChange, response=CARRIERS.Carrier,
)  # fmt: skip
def put_carrier(caller: Caller, code: str, body: CarrierChange):
    """Add a carrier or change one (a default too): name, https tracking URL template with
    {tracking_number}, other names shops write for it."""
    return wiring.carrier_service().put(caller, code, body)


@endpoint(
    bp, "/late-deliveries/settings", permission=(Resource.CARRIERS, Action.READ),
    response="chalicelib.domain.late_deliveries:LateDeliverySettings",
)  # fmt: skip
def late_delivery_settings(caller: Caller):
    """What destek does when an estimated delivery day passes: tell the customer, open a case."""
    return wiring.late_deliveries().settings()


@endpoint(
    bp,
    "/late-deliveries/settings",
    "PUT",
    permission=(Resource.CARRIERS, Action.EDIT),
    body=LATE_DELIVERIES.LateDeliveryChange,
    response="chalicelib.domain.late_deliveries:LateDeliverySettings",
)
def save_late_delivery_settings(caller: Caller, body: LateDeliveryChange):
    """Set it: tell the customer (with the shop's apology and compensation text, tr/en),
    open a case for the delivery group, the grace days."""
    return wiring.late_deliveries().save_settings(caller, body)


@endpoint(
    bp,
    "/reports/late-shipments",
    permission=(Resource.REPORTS, Action.READ),
    query=LATE_DELIVERIES.CountQuery,
    response="chalicelib.domain.late_deliveries:LateShipmentCounts",
)
def late_shipments(caller: Caller, query: CountQuery):
    """Shipments found late per carrier between two days (Istanbul, both included)."""
    return wiring.late_deliveries().counts(query)
