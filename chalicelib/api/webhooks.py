"""Shop webhooks: the shop's own signed calls under /integrations/{shop_id}/webhooks, and
the admins' view of every endpoint and of the deliveries that were dead-lettered."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from chalice import Blueprint
from pydantic import Field

from .. import wiring
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..domain.webhooks import NewEndpoint, ReplayRange

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
WEBHOOKS = lazy("chalicelib.domain.webhooks")


class FailureQuery(Model):
    limit: Annotated[int, Field(ge=1, le=100)] = 25
    cursor: str | None = None


@endpoint(
    bp, "/integrations/{shop_id}/webhooks", "POST", audience="integration",
    body=WEBHOOKS.NewEndpoint, status=201, response=WEBHOOKS.RegisteredEndpoint,
)  # fmt: skip
def register_webhook(caller: Caller, shop_id: str, body: NewEndpoint):
    """Register an endpoint for the case events it names; the answer holds its signing
    secret, shown this once."""
    return wiring.webhook_service().register(shop_id, body)


@endpoint(
    bp, "/integrations/{shop_id}/webhooks", "GET", audience="integration",
    response=list[WEBHOOKS.Endpoint],
)  # fmt: skip
def list_webhooks(caller: Caller, shop_id: str):
    """The shop's endpoints (without their secrets)."""
    return wiring.webhook_service().endpoints(shop_id)


class Removed(Model):
    id: str
    removed: bool


@endpoint(
    bp, "/integrations/{shop_id}/webhooks/{endpoint_id}", "DELETE", audience="integration",
    response=Removed,
)  # fmt: skip
def remove_webhook(caller: Caller, shop_id: str, endpoint_id: str):
    """Stop sending to an endpoint (deliveries under way are dropped); 404 if there is none.
    (A signed call's answer is kept for its webhook-id, so it is JSON, not an empty 204.)"""
    wiring.webhook_service().remove(shop_id, endpoint_id)
    return {"id": endpoint_id, "removed": True}


@endpoint(
    bp, "/integrations/{shop_id}/webhooks/{endpoint_id}/replay", "POST", audience="integration",
    body=WEBHOOKS.ReplayRange, status=202, response="chalicelib.services.webhooks:ReplayAccepted",
)  # fmt: skip
def replay_webhook(caller: Caller, shop_id: str, endpoint_id: str, body: ReplayRange):
    """Send the endpoint again the events of its types that occurred in [from, to) (at most
    30 days back), each signed with its own event id."""
    return wiring.webhook_service().replay(shop_id, endpoint_id, body)


@endpoint(
    bp, "/webhooks", permission=(Resource.OPERATIONS, Action.READ), response=list[WEBHOOKS.Endpoint]
)
def all_webhooks(caller: Caller):
    """Every shop's webhook endpoints (without their secrets)."""
    return wiring.webhook_service().endpoints()


@endpoint(
    bp, "/webhooks/failed-deliveries", permission=(Resource.OPERATIONS, Action.READ),
    query=FailureQuery, response="chalicelib.services.webhooks:FailedDeliveries",
)  # fmt: skip
def failed_deliveries(caller: Caller, query: FailureQuery):
    """Deliveries whose retries (about a day) ran out, newest first."""
    return wiring.webhook_service().failures(query.limit, query.cursor)
