"""An order as its customer sees it: the shipment timeline's order, delivery and lateness."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from chalicelib.domain.carriers import DEFAULT_CARRIERS
from chalicelib.domain.order_view import order_view
from chalicelib.domain.orders import (
    Order,
    OrderLine,
    Shipment,
    ShipmentEvent,
    delivered_at,
    is_late,
    timeline,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def event(hours: int, status: str, location: str | None = None) -> ShipmentEvent:
    return ShipmentEvent(at=T0 + timedelta(hours=hours), status=status, location=location)


def shipment(**changes) -> Shipment:
    fields = dict(shipment_id="SH-1", order_id="O-1", customer_id="u1", carrier="Yurtiçi Kargo",
                  tracking_number="123456", status="in_transit", events=[], updated_at=T0,
                  estimated_delivery=date(2026, 3, 4))  # fmt: skip
    return Shipment(**{**fields, **changes})


def test_the_timeline_is_oldest_first_ties_keep_their_order_and_repeats_show_once():
    events = [event(5, "out_for_delivery", "Kadıköy"), event(0, "accepted", "Ankara"),
              event(2, "in_transit", "Ankara"), event(2, "in_transit", "İstanbul"),
              event(0, "accepted", "Ankara")]  # fmt: skip
    shown = timeline(events)
    assert [(e.status, e.location) for e in shown] == [
        ("accepted", "Ankara"), ("in_transit", "Ankara"), ("in_transit", "İstanbul"),
        ("out_for_delivery", "Kadıköy"),
    ]  # fmt: skip


def test_delivered_from_the_shops_time_else_the_delivered_event_else_none():
    at = T0 + timedelta(days=1)
    assert delivered_at(shipment(delivered_at=at)) == at
    teslim = shipment(events=[event(0, "accepted"), event(30, "Teslim Edildi")])
    assert delivered_at(teslim) == T0 + timedelta(hours=30)
    assert delivered_at(shipment(events=[event(0, "accepted")])) is None
    assert delivered_at(shipment(status="DELIVERED")) == T0


def test_late_only_after_the_estimated_day_and_while_not_delivered():
    s = shipment()
    assert not is_late(s, date(2026, 3, 4))  # the day itself is still on time
    assert is_late(s, date(2026, 3, 5))
    assert not is_late(shipment(status="delivered"), date(2026, 3, 9))
    assert not is_late(shipment(estimated_delivery=None), date(2026, 3, 9))


def test_an_order_carries_its_own_shipments_with_their_tracking_links():
    order = Order(order_id="O-1", customer_id="u1", customer_number="S1", placed_at=T0,
                  status="shipped", total=Decimal("20"), updated_at=T0,
                  lines=[OrderLine(sku="A", name="Kettle", quantity=2,
                                   unit_price=Decimal("10"))])  # fmt: skip
    other = shipment(shipment_id="SH-9", order_id="O-2")
    unknown = shipment(shipment_id="SH-2", carrier="Bizim Kurye")
    view = order_view(order, [shipment(), other, unknown], list(DEFAULT_CARRIERS), date(2026, 3, 5))
    assert [s.shipment_id for s in view.shipments] == ["SH-1", "SH-2"]
    known, bare = view.shipments
    assert known.carrier_code == "yurtici" and known.late
    assert known.tracking_url == (
        "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code=123456"
    )
    assert bare.carrier_code is None and bare.tracking_url is None
    assert view.total == Decimal("20") and view.lines[0].name == "Kettle"
