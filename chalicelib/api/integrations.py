"""The shop's backend, through signed calls (Standard Webhooks) under /integrations/."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.intake_commands import ShopCase, ShopChat, ShopSocialPost, SocialPostBatch
    from ..services.shop_sync import (
        Batch,
        CustomerBatch,
        ShopCustomer,
        ShopOrder,
        ShopSale,
        ShopShipment,
    )

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
INTAKE_COMMANDS = lazy("chalicelib.services.intake_commands")
SHOP_SYNC = lazy("chalicelib.services.shop_sync")


@endpoint(
    bp,
    "/integrations/{shop_id}/customers",
    "POST",
    audience="integration",
    body=SHOP_SYNC.ShopCustomer,
    response=SHOP_SYNC.Upserted,
)
def upsert_customer(caller: Caller, shop_id: str, body: ShopCustomer):
    """Create or update one customer: contact, membership, last visit, category."""
    return wiring.shop_sync().upsert_customer(body)


@endpoint(
    bp, "/integrations/{shop_id}/customer-batches", "POST", audience="integration",
    body=SHOP_SYNC.CustomerBatch,
    response=SHOP_SYNC.BatchResult,
)  # fmt: skip
def upsert_customers(caller: Caller, shop_id: str, body: CustomerBatch):
    """Up to 100 customers at once; each item is applied and reported on its own."""
    return wiring.shop_sync().upsert_customers(body)


@endpoint(
    bp,
    "/integrations/{shop_id}/orders",
    "POST",
    audience="integration",
    body=SHOP_SYNC.ShopOrder,
    response=SHOP_SYNC.Upserted,
)
def upsert_order(caller: Caller, shop_id: str, body: ShopOrder):
    """Create or replace an order with its lines (its customer must be known)."""
    return wiring.shop_sync().upsert_order(body)


@endpoint(
    bp,
    "/integrations/{shop_id}/order-batches",
    "POST",
    audience="integration",
    body=SHOP_SYNC.Batch,
    response=SHOP_SYNC.BatchResult,
)
def upsert_orders(caller: Caller, shop_id: str, body: Batch):
    """Up to 100 orders, each reported on its own."""
    return wiring.shop_sync().upsert_orders(body)


@endpoint(
    bp,
    "/integrations/{shop_id}/shipments",
    "POST",
    audience="integration",
    body=SHOP_SYNC.ShopShipment,
    response=SHOP_SYNC.Upserted,
)
def upsert_shipment(caller: Caller, shop_id: str, body: ShopShipment):
    """Create or replace a shipment: carrier, tracking number, status and its events."""
    return wiring.shop_sync().upsert_shipment(body)


@endpoint(
    bp,
    "/integrations/{shop_id}/shipment-batches",
    "POST",
    audience="integration",
    body=SHOP_SYNC.Batch,
    response=SHOP_SYNC.BatchResult,
)
def upsert_shipments(caller: Caller, shop_id: str, body: Batch):
    """Up to 100 shipments, each reported on its own."""
    return wiring.shop_sync().upsert_shipments(body)


@endpoint(
    bp,
    "/integrations/{shop_id}/sales",
    "POST",
    audience="integration",
    body=SHOP_SYNC.ShopSale,
    response=SHOP_SYNC.Upserted,
)
def register_sale(caller: Caller, shop_id: str, body: ShopSale):
    """Register a unit sold to a customer (product, serial, date): its warranty then shows."""
    return wiring.shop_sync().register_sale(body, caller.actor)


@endpoint(
    bp,
    "/integrations/{shop_id}/sale-batches",
    "POST",
    audience="integration",
    body=SHOP_SYNC.Batch,
    response=SHOP_SYNC.BatchResult,
)
def register_sales(caller: Caller, shop_id: str, body: Batch):
    """Up to 100 sold units, each reported on its own."""
    return wiring.shop_sync().register_sales(body, caller.actor)


@endpoint(
    bp,
    "/integrations/{shop_id}/cases",
    "POST",
    audience="integration",
    body=INTAKE_COMMANDS.ShopCase,
    status=201,
    response="chalicelib.services.shop_intake:PreCaseOpened",
)
def open_shop_case(caller: Caller, shop_id: str, body: ShopCase):
    """A case the shop opens for its customer; it waits in the pre-case pool for an agent."""
    return wiring.shop_intake().open_case(shop_id, body)


@endpoint(
    bp,
    "/integrations/{shop_id}/chats",
    "POST",
    audience="integration",
    body=INTAKE_COMMANDS.ShopChat,
    response="chalicelib.services.shop_intake:ChatKept",
)
def keep_chat(caller: Caller, shop_id: str, body: ShopChat):
    """A chatbot transcript, shown on the customer 360 (sent again, it replaces itself)."""
    return wiring.shop_intake().keep_chat(body)


@endpoint(
    bp, "/integrations/{shop_id}/social-posts", "POST", audience="integration",
    body=INTAKE_COMMANDS.ShopSocialPost,
    response="chalicelib.services.social:PostTaken",
)  # fmt: skip
def receive_social_post(caller: Caller, shop_id: str, body: ShopSocialPost):
    """A mention or direct message: scored, filed under a topic; complaints and questions
    become pre-cases."""
    return wiring.social_inbox().receive(body)


@endpoint(
    bp, "/integrations/{shop_id}/social-post-batches", "POST", audience="integration",
    body=INTAKE_COMMANDS.SocialPostBatch,
    response="chalicelib.services.social:PostBatchResult",
)  # fmt: skip
def receive_social_posts(caller: Caller, shop_id: str, body: SocialPostBatch):
    """Up to 100 posts, each reported."""
    return wiring.social_inbox().receive_batch(body)
