"""The shop's customers into destek: create, update, leave alone, refuse one item of a batch."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.services.shop_sync import CustomerBatch, ShopCustomer, ShopSync

from .fakes import FakeCustomers

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)


def shop_customer(number: str, **extra) -> dict:
    return {"customer_number": number, "name": "Ada", "phone": f"0532 000 00 {number[-2:]}",
            **extra}  # fmt: skip


def test_create_then_update_then_nothing_to_do():
    customers = FakeCustomers()
    sync = ShopSync(customers, lambda: NOW)
    made = sync.upsert_customer(ShopCustomer(**shop_customer("SH-01")))
    assert made.status == "created" and customers.get(made.customer_id).phone == "+905320000001"
    changed = sync.upsert_customer(ShopCustomer(**shop_customer("SH-01", category="banned")))
    assert changed.status == "updated" and customers.get(made.customer_id).category == "banned"
    assert customers.get(made.customer_id).version == 2
    same = sync.upsert_customer(ShopCustomer(**shop_customer("SH-01", category="banned")))
    assert same.status == "unchanged"


def test_a_batch_applies_each_item_on_its_own():
    sync = ShopSync(FakeCustomers(), lambda: NOW)
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
