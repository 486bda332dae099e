"""When a shipment counts as late for the sweep, and which shipments wait in its index."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chalicelib.domain.late_deliveries import LateDeliverySettings, late_before
from chalicelib.domain.orders import Shipment, ShipmentEvent
from chalicelib.store.late_deliveries import late_index_keys

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def shipment(**changes) -> Shipment:
    fields = dict(shipment_id="SH-1", order_id="O-1", customer_id="u1", carrier="Aras",
                  tracking_number="1", status="in_transit", updated_at=T0,
                  estimated_delivery=date(2026, 3, 4))  # fmt: skip
    return Shipment(**{**fields, **changes})


def test_late_before_counts_the_grace_days():
    assert late_before(date(2026, 3, 5), 0) == date(2026, 3, 5)  # the 4th is late on the 5th
    assert late_before(date(2026, 3, 5), 2) == date(2026, 3, 3)  # the 4th waits until the 7th


def test_off_by_default():
    settings = LateDeliverySettings()
    assert not settings.tell_customer and not settings.open_case
    assert settings.group_id == "teslimat"


def test_only_undelivered_shipments_with_an_estimate_wait_in_the_index():
    assert late_index_keys(shipment()) == {
        "outbox_pk": "LATE_SHIPMENTS", "outbox_sk": "2026-03-04#u1#SH-1"}  # fmt: skip
    assert late_index_keys(shipment(estimated_delivery=None)) == {}
    assert late_index_keys(shipment(status="Teslim edildi")) == {}
    delivered = [ShipmentEvent(at=T0, status="delivered")]
    assert late_index_keys(shipment(events=delivered)) == {}
