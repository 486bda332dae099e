"""Customer routes for staff: find a caller, register one, read one."""

from __future__ import annotations

from chalice import Blueprint, Response

from .. import wiring
from ..domain.caller import Caller
from ..domain.customers import Customer
from ..domain.permissions import Action, Resource
from ..services.calls import CallPage, LogCall, LoggedCall
from ..services.case_commands import PageParams
from ..services.customers import CustomerChanges, CustomerLookup, NameSearch, NewCustomer
from .endpoint import endpoint

bp = Blueprint(__name__)


@endpoint(
    bp,
    "/customers",
    permission=(Resource.CUSTOMERS, Action.READ),
    query=CustomerLookup,
    response=Customer,
)
def find_customer(caller: Caller, query: CustomerLookup):
    """Find one customer by customer number, phone (any Turkish format) or email."""
    return wiring.customer_service().lookup(query)


@endpoint(bp, "/customer-search", permission=(Resource.CUSTOMERS, Action.READ), query=NameSearch)
def search_customers(caller: Caller, query: NameSearch):
    """Customers whose name starts as typed (`?name=ahmet yil`), Turkish letters or not."""
    return wiring.customer_service().search(query)


@endpoint(
    bp,
    "/customers",
    "POST",
    permission=(Resource.CUSTOMERS, Action.ADD),
    body=NewCustomer,
    status=201,
    response=Customer,
)
def create_customer(caller: Caller, body: NewCustomer):
    """Register a customer."""
    return wiring.customer_service().create(body)


@endpoint(
    bp, "/customers/{customer_id}", permission=(Resource.CUSTOMERS, Action.READ), response=Customer
)
def get_customer(caller: Caller, customer_id: str):
    """One customer."""
    return wiring.customer_service().get(customer_id)


@endpoint(
    bp, "/customers/{customer_id}/calls", "POST", permission=(Resource.CALLS, Action.ADD),
    body=LogCall, status=201,
    response=LoggedCall,
)  # fmt: skip
def log_call(caller: Caller, customer_id: str, body: LogCall):
    """Record an inbound or outbound call; optionally on a case, or open a case from it."""
    return wiring.call_log().log(caller, customer_id, body)


@endpoint(
    bp, "/customers/{customer_id}/calls", permission=(Resource.CALLS, Action.READ),
    query=PageParams,
    response=CallPage,
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
    permission=(Resource.CUSTOMERS, Action.EDIT), body=CustomerChanges,
    response=Customer,
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
