"""An in-memory world for the assistant's unit tests: two customers with orders, the
assistant's store, the late-delivery marks, and a hand-off that records what it opened."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from chalicelib.domain.assistant_state import (
    AssistantDay,
    AssistantSettings,
    ConversationChanged,
    HandOff,
)
from chalicelib.domain.customers import Customer
from chalicelib.domain.errors import NotFound
from chalicelib.domain.late_deliveries import LateDeliverySettings
from chalicelib.domain.orders import Order, OrderLine, Shipment, ShipmentEvent
from chalicelib.messaging.assistant_words import AssistantWords
from chalicelib.services.assistant import AssistantService
from chalicelib.services.assistant_facts import OrderFactsReader
from chalicelib.services.carriers import CarrierService

from .fakes import FakeClock

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 12:00 in Istanbul
TODAY = date(2026, 11, 23)


class MemoryAssistantStore:
    def __init__(self) -> None:
        self.items: dict[str, object] = {}
        self.fails: dict[tuple[str, str, int], int] = {}
        self.days: dict[str, AssistantDay] = {}
        self.transcripts: dict[str, object] = {}
        self.saved_settings = AssistantSettings()

    def get(self, conversation_id):
        return self.items.get(conversation_id)

    def save(self, conversation, read_version, settings, settled=False):
        current = self.items.get(conversation.id)
        if (current.version if current else 0) != read_version:
            raise ConversationChanged("changed")
        saved = conversation.model_copy(update={"version": read_version + 1})
        self.items[saved.id] = saved
        if settled and saved.outcome is not None:
            day = saved.started_at.date().isoformat()
            counted = self.days.setdefault(day, AssistantDay(day=day))
            counted.conversations += 1
            setattr(counted, saved.outcome.value, getattr(counted, saved.outcome.value) + 1)
            if saved.customer_id:
                from chalicelib.store.assistant import transcript

                self.transcripts[saved.id] = transcript(saved)
        return saved

    def idle(self, now, cursor):
        return [c.id for c in self.items.values() if c.outcome is None], None

    def failures(self, order, address, hour):
        return self.fails.get(("order", order, hour), 0), self.fails.get(
            ("address", address, hour), 0
        )

    def add_failure(self, order, address, hour):
        for key in (("order", order, hour), ("address", address, hour)):
            self.fails[key] = self.fails.get(key, 0) + 1

    def settings(self):
        return self.saved_settings

    def save_settings(self, settings):
        self.saved_settings = settings


class MemoryRecords:
    def __init__(self) -> None:
        self.by_customer: dict[str, dict[str, Order]] = {}
        self.shipping: dict[str, list[Shipment]] = {}

    def order(self, customer_id, order_id):
        return self.by_customer.get(customer_id, {}).get(order_id)

    def orders(self, customer_id, limit, cursor):
        mine = sorted(self.by_customer.get(customer_id, {}).values(), key=lambda o: o.order_id)
        return list(reversed(mine))[:limit], None

    def shipments(self, customer_id):
        return list(self.shipping.get(customer_id, []))


class MemoryCustomers:
    def __init__(self, records: MemoryRecords) -> None:
        self.by_id: dict[str, Customer] = {}
        self.records = records

    def get(self, customer_id):
        if customer_id not in self.by_id:
            raise NotFound("no customer")
        return self.by_id[customer_id]

    def find(self, kind, value):
        if kind == "order":
            owner = next(
                (c for c, orders in self.records.by_customer.items() if value in orders), None
            )
            return self.by_id.get(owner) if owner else None
        return next((c for c in self.by_id.values() if getattr(c, kind) == value), None)


class MemoryCarriers:
    def list(self):
        return []


class MemoryLate:
    def __init__(self) -> None:
        self.late_settings = LateDeliverySettings()
        self.marks: list[tuple[str, str, str]] = []  # shipment id, when, channel

    def settings(self):
        return self.late_settings

    def told(self, shipments):
        ids = {s.shipment_id: s for s in shipments}
        return [(ids[sid], at, ch) for sid, at, ch in self.marks if sid in ids]


class RecordingHandOffs:
    def __init__(self) -> None:
        self.opened: list[tuple[str, object]] = []

    def hand_over(self, conversation, step, handoff_to, today):
        self.opened.append((conversation.id, step))
        if not conversation.known or handoff_to == "precase":
            return HandOff(kind="precase", id=f"p-{conversation.id}", reason=step.reason), False
        return HandOff(
            kind="case", id=f"c-{conversation.id}", number="2026-000042", reason=step.reason
        ), False


class AssistantWorld:
    """Ahmet (phone ending 4567) with an order on its way (DEMO-1001, Yurtiçi, due in two
    days), a delivered one (DEMO-0998) and a late one (DEMO-0990, due three days ago);
    Fatma (phone ending 4321) with her own order (FAT-2001)."""

    def __init__(self) -> None:
        self.clock = FakeClock(NOW)
        self.store = MemoryAssistantStore()
        self.records = MemoryRecords()
        self.customers = MemoryCustomers(self.records)
        self.late = MemoryLate()
        self.handoffs = RecordingHandOffs()
        facts = OrderFactsReader(
            self.records, self.customers, CarrierService(MemoryCarriers()), self.late, self.clock
        )
        self.service = AssistantService(
            self.store, facts, self.handoffs, AssistantWords(), self.clock
        )
        self.ahmet = self.customer("c-ahmet", "Ahmet", "+905321234567", "ahmet@example.com")
        self.fatma = self.customer("c-fatma", "Fatma", "+905337654321", "fatma@example.com")
        self.order(
            "c-ahmet",
            "DEMO-1001",
            "shipped",
            Shipment(
                shipment_id="S-1",
                order_id="DEMO-1001",
                customer_id="c-ahmet",
                carrier="Yurtiçi Kargo",
                tracking_number="YK104719",
                status="in_transit",
                estimated_delivery=TODAY + timedelta(days=2),
                updated_at=NOW,
                events=[
                    ShipmentEvent(
                        at=NOW - timedelta(hours=3), status="in_transit", location="Ankara"
                    )
                ],
            ),
        )
        self.order(
            "c-ahmet",
            "DEMO-0998",
            "delivered",
            Shipment(
                shipment_id="S-2",
                order_id="DEMO-0998",
                customer_id="c-ahmet",
                carrier="Aras Kargo",
                tracking_number="AR3513",
                status="delivered",
                estimated_delivery=TODAY - timedelta(days=17),
                updated_at=NOW,
                delivered_at=NOW - timedelta(days=18),
            ),
        )
        self.order(
            "c-fatma",
            "FAT-2001",
            "shipped",
            Shipment(
                shipment_id="S-3",
                order_id="FAT-2001",
                customer_id="c-fatma",
                carrier="MNG Kargo",
                tracking_number="MNG999888",
                status="in_transit",
                estimated_delivery=TODAY + timedelta(days=1),
                updated_at=NOW,
            ),
        )

    def customer(self, customer_id, name, phone, email) -> Customer:
        made = Customer(
            id=customer_id,
            customer_number=customer_id,
            name=name,
            phone=phone,
            email=email,
            created_at=NOW,
        )
        self.customers.by_id[customer_id] = made
        return made

    def order(self, customer_id, order_id, status, *shipments: Shipment) -> None:
        self.records.by_customer.setdefault(customer_id, {})[order_id] = Order(
            order_id=order_id,
            customer_id=customer_id,
            customer_number=customer_id,
            placed_at=NOW - timedelta(days=3),
            status=status,
            total=Decimal("10"),
            lines=[OrderLine(sku="A", name="A", quantity=1, unit_price=Decimal("10"))],
            updated_at=NOW,
        )
        self.records.shipping.setdefault(customer_id, []).extend(shipments)
