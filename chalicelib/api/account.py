"""The signed-in customer's own account: completing it after sign-up, and the profile."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.accounts import CompleteAccount
    from ..services.customers import CustomerChanges

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
ACCOUNTS = lazy("chalicelib.services.accounts")
CUSTOMERS = lazy("chalicelib.services.customers")


@endpoint(
    bp,
    "/my/account",
    "POST",
    audience="customer",
    body=ACCOUNTS.CompleteAccount,
    response=ACCOUNTS.Profile,
)
def complete_account(caller: Caller, body: CompleteAccount):
    """After sign-up: find or create the customer record; refresh the tokens afterwards."""
    return wiring.account_service().complete(caller.principal, body)


@endpoint(bp, "/my/profile", audience="customer", response=ACCOUNTS.Profile)
def my_profile(caller: Caller):
    """The signed-in customer's details and contact preferences."""
    return wiring.account_service().profile(caller.principal)


@endpoint(
    bp,
    "/my/profile",
    "PATCH",
    audience="customer",
    body=CUSTOMERS.CustomerChanges,
    response=ACCOUNTS.Profile,
)
def change_my_profile(caller: Caller, body: CustomerChanges):
    """Name, language, and how and when to be told (email, SMS, quiet hours)."""
    return wiring.account_service().change(caller.principal, body)
