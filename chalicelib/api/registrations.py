"""Registered products: customers register their own on the site; staff read, register
on the phone, find a unit by serial, and remove a mistaken registration."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.case_commands import PageParams
    from ..services.registrations import RegisterProduct, SerialQuery

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CASE_COMMANDS = lazy("chalicelib.services.case_commands")
UNITS = lazy("chalicelib.domain.registrations")
REGISTRATIONS_SERVICE = lazy("chalicelib.services.registrations")
REGISTRATIONS = Resource.REGISTRATIONS


@endpoint(
    bp, "/my/products", audience="customer",
    permission=(REGISTRATIONS, Action.READ), query=CASE_COMMANDS.PageParams,
    response=UNITS.CustomerRegistrationPage,
)  # fmt: skip
def my_products(caller: Caller, query: PageParams):
    """The signed-in customer's registered products, newest first, each with its warranty."""
    return wiring.registration_service().mine(caller, query)


@endpoint(
    bp, "/my/products", "POST", audience="customer",
    permission=(REGISTRATIONS, Action.ADD), body=REGISTRATIONS_SERVICE.RegisterProduct, status=201,
    response=UNITS.CustomerRegistration,
)  # fmt: skip
def register_my_product(caller: Caller, body: RegisterProduct):
    """Register a product you bought (its serial number can belong to one customer only)."""
    return wiring.registration_service().register_mine(caller, body)


@endpoint(
    bp, "/my/products/{registration_id}", audience="customer",
    permission=(REGISTRATIONS, Action.READ),
    response=UNITS.CustomerRegistration,
)  # fmt: skip
def my_product(caller: Caller, registration_id: str):
    """One of your registered products, with its warranty."""
    return wiring.registration_service().my_one(caller, registration_id)


@endpoint(
    bp, "/customers/{customer_id}/products",
    permission=(REGISTRATIONS, Action.READ), query=CASE_COMMANDS.PageParams,
    response=UNITS.RegistrationPage,
)  # fmt: skip
def customer_products(caller: Caller, customer_id: str, query: PageParams):
    """A customer's registered products, newest first, each with its warranty."""
    return wiring.registration_service().of_customer(customer_id, query)


@endpoint(
    bp, "/customers/{customer_id}/products", "POST",
    permission=(REGISTRATIONS, Action.ADD), body=REGISTRATIONS_SERVICE.RegisterProduct, status=201,
    response=UNITS.RegistrationView,
)  # fmt: skip
def register_customer_product(caller: Caller, customer_id: str, body: RegisterProduct):
    """Register a product for a customer (on the phone)."""
    return wiring.registration_service().register_for(caller, customer_id, body)


@endpoint(
    bp,
    "/registrations",
    permission=(REGISTRATIONS, Action.READ),
    query=REGISTRATIONS_SERVICE.SerialQuery,
    response=UNITS.RegistrationView,
)
def find_by_serial(caller: Caller, query: SerialQuery):
    """The registration of a serial number, whoever's it is."""
    return wiring.registration_service().by_serial(query.serial)


@endpoint(
    bp, "/customers/{customer_id}/products/{registration_id}", "DELETE",
    permission=(REGISTRATIONS, Action.DELETE),
    status=204,
)  # fmt: skip
def remove_customer_product(caller: Caller, customer_id: str, registration_id: str):
    """Remove a registration and free its serial number."""
    wiring.registration_service().remove(customer_id, registration_id)
    return Response(body="", status_code=204)
