"""Staff's flags and notes on customers, and the flag list admins define; only for roles
with the `customer_flags` permission (read: see them; edit: set them; add: define the list)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.customer_flags import FlagListDetails, MarksDetails

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
FLAGS = lazy("chalicelib.domain.customer_flags")
FLAGS_SERVICE = lazy("chalicelib.services.customer_flags")
FLAGS_RESOURCE = Resource.CUSTOMER_FLAGS


@endpoint(bp, "/customer-flags", permission=(FLAGS_RESOURCE, Action.READ), response=FLAGS.FlagList)
def flag_list(caller: Caller):
    """The flags staff can set on a customer (VIP, risky, press... as admins defined them)."""
    return wiring.customer_flags().flag_list()


@endpoint(
    bp, "/customer-flags", "PUT",
    permission=(FLAGS_RESOURCE, Action.ADD), body=FLAGS_SERVICE.FlagListDetails,
    response=FLAGS.FlagList,
)  # fmt: skip
def save_flag_list(caller: Caller, body: FlagListDetails):
    """Replace the flag list (with the version read: 409 when it changed meanwhile)."""
    return wiring.customer_flags().save_flag_list(body)


@endpoint(
    bp, "/customers/{customer_id}/flags",
    permission=(FLAGS_RESOURCE, Action.READ), response=FLAGS.CustomerMarks,
)  # fmt: skip
def customer_marks(caller: Caller, customer_id: str):
    """A customer's flags and staff note (version 0: none set yet)."""
    return wiring.customer_flags().marks(customer_id)


@endpoint(
    bp, "/customers/{customer_id}/flags", "PUT",
    permission=(FLAGS_RESOURCE, Action.EDIT), body=FLAGS_SERVICE.MarksDetails,
    response=FLAGS.CustomerMarks,
)  # fmt: skip
def save_customer_marks(caller: Caller, customer_id: str, body: MarksDetails):
    """Set a customer's flags and staff note (with the version read: 409 when stale)."""
    return wiring.customer_flags().save_marks(customer_id, body, caller.principal.username)
