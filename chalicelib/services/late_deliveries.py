"""Before they ask: once a day, shipments whose estimated delivery day has passed without a
delivery are acted on as the shop set (docs/orders.md#late-deliveries): the customer is told,
with the shop's apology and compensation text, and/or a case is opened for the delivery
group. Once per shipment and estimated day: a mark is claimed before acting (two runs, or a
retried one, act once), and the case has an id made of the shipment and the day, so a run
cut short after opening it does not open a second.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..domain.caller import Caller
from ..domain.carriers import carrier_code, folded_name
from ..domain.case_kinds import CaseType, Channel, Priority
from ..domain.cases import SYSTEM, Case, CaseOrder, resolution_due
from ..domain.clock import ISTANBUL, utcnow
from ..domain.customers import Customer
from ..domain.errors import InvalidInput
from ..domain.ids import stable_id
from ..domain.late_deliveries import LateDeliverySettings, LateShipmentCounts, late_before
from ..domain.model import Strict
from ..domain.orders import Shipment
from ..observability import logger
from .carriers import CarrierService
from .ports import CustomerStore, Renderer, Sender

#: the most days one count may span
MAX_COUNT_DAYS = 366


class LateDeliveryChange(LateDeliverySettings):
    """The settings as an admin sends them (every field; unknown ones refused)."""

    model_config = Strict.model_config


class CountQuery(Strict):
    from_day: date
    to_day: date


class LateDeliveries:
    def __init__(
        self,
        store: Any,
        customers: CustomerStore,
        carriers: CarrierService,
        cases: Any,
        sender: Sender,
        renderer: Renderer,
        clock: Callable[[], datetime] = utcnow,
        site_url: str = "",
        sms_alphabet: str = "ucs2",
    ) -> None:
        self.store = store
        self.customers = customers
        self.carriers = carriers
        self.cases = cases
        self.sender = sender
        self.renderer = renderer
        self.clock = clock
        self.site_url = site_url
        self.sms_alphabet = sms_alphabet

    # ---- settings and the count ----------------------------------------------------------

    def settings(self) -> LateDeliverySettings:
        return self.store.settings()

    def save_settings(self, caller: Caller, change: LateDeliveryChange) -> LateDeliverySettings:
        settings = LateDeliverySettings(
            **change.model_dump(exclude={"updated_at", "updated_by"}),
            updated_at=self.clock(), updated_by=caller.principal.username,
        )  # fmt: skip
        self.store.save_settings(settings)
        return settings

    def counts(self, query: CountQuery) -> LateShipmentCounts:
        days = (query.to_day - query.from_day).days
        if days < 0 or days >= MAX_COUNT_DAYS:
            raise InvalidInput(f"from_day..to_day must be 1 to {MAX_COUNT_DAYS} days, in order")
        return self.store.counts(query.from_day, query.to_day)

    # ---- the sweep -----------------------------------------------------------------------

    def sweep(self) -> dict[str, int]:
        """Act on every shipment late enough; returns how many were acted on, found done
        already, or failed (left for the next run). Nothing happens while the shop has
        turned both actions off: the shipments wait in the index."""
        settings = self.store.settings()
        done = {"acted": 0, "already": 0, "failed": 0}
        if not (settings.tell_customer or settings.open_case):
            return done
        now = self.clock()
        today = now.astimezone(ISTANBUL).date()
        carriers = self.carriers.all()
        cursor = None
        while True:
            shipments, cursor = self.store.due(late_before(today, settings.grace_days), cursor)
            for shipment in shipments:
                done[self._one(shipment, settings, carriers, today, now)] += 1
            if not cursor:
                return done

    def _one(self, shipment: Shipment, settings: LateDeliverySettings, carriers: list,
             today: date, now: datetime) -> str:  # fmt: skip
        if not self.store.claim(shipment, now):
            if self.store.is_done(shipment):
                self.store.settled(shipment)
                return "already"
            return "failed"  # another run holds it; the lease decides who finishes
        known = carrier_code(shipment.carrier, carriers)
        carrier = known.code if known else (folded_name(shipment.carrier) or "other")
        try:
            acted = []
            customer = self.customers.get(shipment.customer_id)
            if settings.open_case:
                self._open_case(shipment, customer, settings, known.name if known else None, now)
                acted.append("case")
            told_by = None
            if settings.tell_customer:
                told_by = self._tell(shipment, customer, settings, known, today)
                if told_by:
                    acted.append("customer")
            self.store.done(shipment, carrier, today, now, ",".join(acted) or "nothing",
                            told_by=told_by)  # fmt: skip
        except Exception:  # noqa: BLE001 - any failure: give the mark back, retry next run
            logger.exception("late shipment not handled; the next run retries",
                             shipment_id=shipment.shipment_id)  # fmt: skip
            self.store.release(shipment)
            return "failed"
        self.store.settled(shipment)
        return "acted"

    def _open_case(self, shipment: Shipment, customer: Customer, settings: LateDeliverySettings,
                   carrier_name: str | None, now: datetime) -> None:  # fmt: skip
        case_id = stable_id("c", "late", shipment.customer_id, shipment.shipment_id,
                            str(shipment.estimated_delivery))  # fmt: skip
        if self.cases.exists(case_id):
            return
        # agents read the shop's language: the case's words are the shop's (Turkish) template
        facts = self._facts(shipment, customer, carrier_name)
        text = self.renderer.render("late_shipment_case", "tr", facts)
        self.cases.open_by_destek(Case(
            id=case_id, type=CaseType.COMPLAINT, channel=Channel.API, priority=Priority.HIGH,
            subject=text.subject, description=text.email, customer_id=customer.id,
            requested_group_id=settings.group_id, created_by=SYSTEM, created_at=now,
            updated_at=now, due_at=resolution_due(now, Priority.HIGH),
            order=CaseOrder(order_id=shipment.order_id, shipment_id=shipment.shipment_id,
                            carrier=shipment.carrier, tracking_number=shipment.tracking_number),
        ))  # fmt: skip

    def _tell(self, shipment: Shipment, customer: Customer, settings: LateDeliverySettings,
              known: Any, today: date) -> str | None:  # fmt: skip
        """Email when the customer has a deliverable address, else SMS: the channel used
        (`email`, `sms`), None when neither (the assistant says which: docs/assistant.md)."""
        language = customer.language.value if customer.language.value in ("tr", "en") else "tr"
        apology = settings.apology_en if language == "en" else settings.apology_tr
        facts = {**self._facts(shipment, customer, known.name if known else None),
                 "apology": apology or settings.apology_tr,
                 "orders_url": f"{self.site_url.rstrip('/')}/{language}/orders.html"
                 if self.site_url else ""}  # fmt: skip
        text = self.renderer.render("late_shipment", language, facts)
        if customer.email and customer.email_deliverable:
            self.sender.email(customer.email, text.subject, text.email)
            return "email"
        if customer.phone:
            from ..domain.sms import for_sending  # the SMS codec only when one is sent

            self.sender.sms(customer.phone, for_sending(text.sms, self.sms_alphabet))
            return "sms"
        return None

    @staticmethod
    def _facts(shipment: Shipment, customer: Customer, carrier_name: str | None) -> dict:
        return {"customer_name": customer.name, "order_id": shipment.order_id,
                "shipment_id": shipment.shipment_id,
                "carrier": carrier_name or shipment.carrier,
                "tracking_number": shipment.tracking_number,
                "estimated_delivery": shipment.estimated_delivery}  # fmt: skip
