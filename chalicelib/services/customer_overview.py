"""The customer 360: everything an agent needs about a caller, on one screen, in two Queries
(three when the customer has shipments).

The customer's partition holds the profile, registered products, orders,
shipments, calls, chatbot transcripts and a line per waiting pre-case (one
Query); the cases across every channel come from the `by_customer` index (the
second). Shipments are shown as the customer sees them on the site
(domain/order_view.py: the carrier's name, its tracking link, late or not), which needs the
carriers (the third). Flags the shop set (risky, banned, cash on
delivery approved, VIP) are listed on their own so the console can show them
first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from ..domain.calls import Call
from ..domain.case_kinds import CaseType, Channel, Priority
from ..domain.cases import CaseOrder
from ..domain.chats import ChatTranscript, PreCaseLine
from ..domain.clock import ISTANBUL, utcnow
from ..domain.customers import Customer, CustomerCategory
from ..domain.errors import NotFound
from ..domain.lifecycle import Status
from ..domain.listing import CaseListQuery
from ..domain.model import Model
from ..domain.order_view import MyShipment, shipment_view
from ..domain.orders import Order, Shipment
from ..domain.ratings import CaseRating, FollowUp
from ..domain.registrations import RegistrationView
from ..domain.warranty import warranty_state
from .carriers import CarrierService
from .ports import CaseStore, ShopRecords

CASES_SHOWN = 50


class CaseLine(Model):
    id: str
    number: str
    type: CaseType
    channel: Channel
    status: Status
    priority: Priority
    subject: str
    group_id: str | None
    assignee: str | None
    created_at: datetime
    updated_at: datetime
    #: the customer's satisfaction rating, the score an agent recorded, an open follow-up
    rating: CaseRating | None = None
    agent_rating: CaseRating | None = None
    follow_up: FollowUp | None = None
    #: the order (and shipment) it is about, when filed from the site's order page
    order: CaseOrder | None = None


class OrderWithShipments(Model):
    order: Order
    #: as the site shows them: with the carrier's name and tracking link when it is known
    shipments: list[MyShipment]


class CustomerOverview(Model):
    customer: Customer
    flags: list[CustomerCategory]
    registrations: list[RegistrationView]
    orders: list[OrderWithShipments]
    #: shipments the shop sent before (or without) their order
    other_shipments: list[MyShipment]
    cases: list[CaseLine]
    more_cases: bool
    #: the call log, newest first
    calls: list[Call]
    #: the shop's chatbot conversations, newest first
    chats: list[ChatTranscript]
    #: what arrived from this customer (email, social, the shop) and waits for an agent
    precases: list[PreCaseLine]


class OverviewService:
    def __init__(
        self,
        records: ShopRecords,
        cases: CaseStore,
        carriers: CarrierService,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.records = records
        self.cases = cases
        self.carriers = carriers
        self.clock = clock

    def overview(self, customer_id: str) -> CustomerOverview:
        part = self.records.customer_partition(customer_id)
        customer: Customer | None = part["profile"]
        if customer is None:
            raise NotFound(f"no customer {customer_id!r}")
        today: date = self.clock().astimezone(ISTANBUL).date()
        registrations = [
            RegistrationView(
                **r.model_dump(),
                warranty=warranty_state(r.warranty_ends, r.warranty_months, today),
            )
            for r in part["registrations"]
        ]
        orders = sorted(part["orders"], key=lambda o: o.placed_at, reverse=True)
        raw: list[Shipment] = part["shipments"]
        carriers = self.carriers.all() if raw else []
        shipments = [(s.order_id, shipment_view(s, carriers, today)) for s in raw]
        order_ids = {o.order_id for o in orders}
        page = self.cases.list(
            CaseListQuery(view="customer", customer_id=customer_id, limit=CASES_SHOWN)
        )
        return CustomerOverview(
            customer=customer,
            flags=[] if customer.category == CustomerCategory.NORMAL else [customer.category],
            registrations=registrations,
            orders=[
                OrderWithShipments(
                    order=o, shipments=[s for order_id, s in shipments if order_id == o.order_id]
                )
                for o in orders
            ],
            other_shipments=[s for order_id, s in shipments if order_id not in order_ids],
            cases=[CaseLine.model_validate(c.model_dump()) for c in page.items],
            more_cases=page.next_cursor is not None,
            calls=sorted(part["calls"], key=lambda c: c.started_at, reverse=True),
            chats=sorted(part["chats"], key=lambda c: c.started_at, reverse=True),
            precases=sorted(part["precases"], key=lambda p: p.received_at, reverse=True),
        )
