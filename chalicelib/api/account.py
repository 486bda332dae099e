"""The signed-in customer's own account: completing it after sign-up, and the profile."""

from __future__ import annotations

from chalice import Blueprint

from .. import wiring
from ..domain.caller import Caller
from ..services.accounts import CompleteAccount, Profile
from ..services.customers import CustomerChanges
from .endpoint import endpoint

bp = Blueprint(__name__)


@endpoint(bp, "/my/account", "POST", audience="customer", body=CompleteAccount, response=Profile)
def complete_account(caller: Caller, body: CompleteAccount):
    """After sign-up: find or create the customer record; refresh the tokens afterwards."""
    return wiring.account_service().complete(caller.principal, body)


@endpoint(bp, "/my/profile", audience="customer", response=Profile)
def my_profile(caller: Caller):
    """The signed-in customer's details and contact preferences."""
    return wiring.account_service().profile(caller.principal)


@endpoint(bp, "/my/profile", "PATCH", audience="customer", body=CustomerChanges, response=Profile)
def change_my_profile(caller: Caller, body: CustomerChanges):
    """Name, language, and how and when to be told (email, SMS, quiet hours)."""
    return wiring.account_service().change(caller.principal, body)
