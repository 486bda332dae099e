"""Customer routes for staff: find a caller, register one, read one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.calls import LogCall
    from ..services.case_commands import PageParams
    from ..services.customers import CustomerChanges, CustomerLookup, NameSearch, NewCustomer

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CALLS = lazy("chalicelib.services.calls")
CASE_COMMANDS = lazy("chalicelib.services.case_commands")
CUSTOMERS = lazy("chalicelib.domain.customers")
CUSTOMERS_SERVICE = lazy("chalicelib.services.customers")


@endpoint(
    bp,
    "/customers",
    permission=(Resource.CUSTOMERS, Action.READ),
    query=CUSTOMERS_SERVICE.CustomerLookup,
    response=CUSTOMERS.Customer,
)
def find_customer(caller: Caller, query: CustomerLookup):
    """Find one customer by customer number, phone (any Turkish format) or email."""
    return wiring.customer_service().lookup(query)


@endpoint(
    bp,
    "/customer-search",
    permission=(Resource.CUSTOMERS, Action.READ),
    query=CUSTOMERS_SERVICE.NameSearch,
)
def search_customers(caller: Caller, query: NameSearch):
    """Customers whose name starts as typed (`?name=ahmet yil`), Turkish letters or not."""
    return wiring.customer_service().search(query)


@endpoint(
    bp,
    "/customers",
    "POST",
    permission=(Resource.CUSTOMERS, Action.ADD),
    body=CUSTOMERS_SERVICE.NewCustomer,
    status=201,
    response=CUSTOMERS.Customer,
)
def create_customer(caller: Caller, body: NewCustomer):
    """Register a customer."""
    return wiring.customer_service().create(body)


@endpoint(
    bp,
    "/customers/{customer_id}",
    permission=(Resource.CUSTOMERS, Action.READ),
    response=CUSTOMERS.Customer,
)
def get_customer(caller: Caller, customer_id: str):
    """One customer."""
    return wiring.customer_service().get(customer_id)


@endpoint(
    bp, "/customers/{customer_id}/calls", "POST", permission=(Resource.CALLS, Action.ADD),
    body=CALLS.LogCall, status=201,
    response=CALLS.LoggedCall,
)  # fmt: skip
def log_call(caller: Caller, customer_id: str, body: LogCall):
    """Record an inbound or outbound call; optionally on a case, or open a case from it."""
    return wiring.call_log().log(caller, customer_id, body)


@endpoint(
    bp, "/customers/{customer_id}/calls", permission=(Resource.CALLS, Action.READ),
    query=CASE_COMMANDS.PageParams,
    response=CALLS.CallPage,
)  # fmt: skip
def list_calls(caller: Caller, customer_id: str, query: PageParams):
    """The customer's calls, newest first."""
    return wiring.call_log().list(customer_id, query)


@endpoint(
    bp,
    "/customers/{customer_id}/overview",
    permission=(Resource.CUSTOMERS, Action.READ),
    response="chalicelib.services.customer_overview:CustomerOverview",
)
def customer_overview(caller: Caller, customer_id: str):
    """The customer 360: flags, products and warranty, orders and shipments, every case."""
    return wiring.overview_service().overview(customer_id)


@endpoint(
    bp, "/customers/{customer_id}", "PATCH",
    permission=(Resource.CUSTOMERS, Action.EDIT), body=CUSTOMERS_SERVICE.CustomerChanges,
    response=CUSTOMERS.Customer,
)  # fmt: skip
def change_customer(caller: Caller, customer_id: str, body: CustomerChanges):
    """Name, language, and contact preferences (channel, quiet hours)."""
    return wiring.customer_service().change(customer_id, body)


@endpoint(
    bp, "/customers/{customer_id}", "DELETE", permission=(Resource.CUSTOMERS, Action.DELETE),
    status=204,
)  # fmt: skip
def delete_customer(caller: Caller, customer_id: str):
    """Delete a customer and their site sign-in (its tokens are refused from now on); their
    cases, products and orders stay as the shop's records."""
    deleted = wiring.customer_service().delete(customer_id)
    if deleted.login:
        wiring.access_gate().forget(deleted.login)  # at once here; within a minute elsewhere
    return Response(body="", status_code=204)
