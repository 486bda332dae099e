"""The shop's backend, through signed calls (Standard Webhooks) under /integrations/."""

from __future__ import annotations

from chalice import Blueprint

from .. import wiring
from ..domain.caller import Caller
from ..services.shop_sync import CustomerBatch, ShopCustomer
from .endpoint import endpoint

bp = Blueprint(__name__)


@endpoint(
    bp, "/integrations/{shop_id}/customers", "POST", audience="integration", body=ShopCustomer
)
def upsert_customer(caller: Caller, shop_id: str, body: ShopCustomer):
    """Create or update one customer: contact, membership, last visit, category."""
    return wiring.shop_sync().upsert_customer(body)


@endpoint(
    bp, "/integrations/{shop_id}/customer-batches", "POST", audience="integration",
    body=CustomerBatch,
)  # fmt: skip
def upsert_customers(caller: Caller, shop_id: str, body: CustomerBatch):
    """Up to 100 customers at once; each item is applied and reported on its own."""
    return wiring.shop_sync().upsert_customers(body)
