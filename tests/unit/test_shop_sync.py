"""The shop's customers into destek: create, update, leave alone, refuse one item of a batch."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.services.shop_sync import CustomerBatch, ShopCustomer, ShopSync

from .fakes import FakeCustomers, FakeShopRecords

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def shop_customer(number: str, **extra) -> dict:
    return {"customer_number": number, "name": "Ada", "phone": f"0532 000 00 {number[-2:]}",
            **extra}  # fmt: skip


def test_create_then_update_then_nothing_to_do():
    customers = FakeCustomers()
    sync = ShopSync(customers, FakeShopRecords(), lambda: NOW)
    made = sync.upsert_customer(ShopCustomer(**shop_customer("SH-01")))
    assert made.status == "created" and customers.get(made.customer_id).phone == "+905320000001"
    changed = sync.upsert_customer(ShopCustomer(**shop_customer("SH-01", category="banned")))
    assert changed.status == "updated" and customers.get(made.customer_id).category == "banned"
    assert customers.get(made.customer_id).version == 2
    same = sync.upsert_customer(ShopCustomer(**shop_customer("SH-01", category="banned")))
    assert same.status == "unchanged"


def test_a_batch_applies_each_item_on_its_own():
    sync = ShopSync(FakeCustomers(), FakeShopRecords(), lambda: NOW)
    result = sync.upsert_customers(CustomerBatch(items=[
        shop_customer("SH-01"),
        {"name": "no number"},
        shop_customer("SH-02", phone="0532 000 00 01"),
        shop_customer("SH-03", category="vip"),
    ]))  # fmt: skip
    assert [i.status for i in result.items] == ["created", "refused", "refused", "created"]
    assert result.items[1].error["code"] == "invalid_input"
    assert result.items[2].error["code"] == "customer_exists"
    assert (result.created, result.refused) == (2, 2)


def test_orders_need_their_customer_first_and_their_total_is_computed():
    customers, records = FakeCustomers(), FakeShopRecords()
    sync = ShopSync(customers, records, lambda: NOW)
    order = {
        "order_id": "O-1",
        "customer_number": "SH-01",
        "placed_at": "2026-11-01T10:00:00Z",
        "status": "delivered",
        "lines": [
            {"sku": "A", "name": "Kılıf", "quantity": 2, "unit_price": "149.90"},
            {"sku": "B", "name": "Şarj aleti", "quantity": 1, "unit_price": "399.00"},
        ],
    }
    result = sync.upsert_orders(CustomerBatch(items=[order]))
    assert result.items[0].error["code"] == "unknown_customer"
    sync.upsert_customer(ShopCustomer(**shop_customer("SH-01")))
    assert sync.upsert_orders(CustomerBatch(items=[order])).updated == 1
    assert str(records.orders["O-1"].total) == "698.80"
