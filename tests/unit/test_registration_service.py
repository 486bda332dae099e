"""Registering customers' products against in-memory stores: snapshots, serials, warranty
as seen in Istanbul, and who may see what."""

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.catalog import Product, ProductAttribute
from chalicelib.domain.customers import Customer
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.services.case_commands import PageParams
from chalicelib.services.registrations import RegisterProduct, RegistrationService, SerialQuery

from .conftest import customer, staff
from .fakes import FakeCatalog, FakeClock, FakeCustomers, FakeRegistrations


class Shop:
    def __init__(self) -> None:
        self.clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
        self.customers = FakeCustomers()
        self.catalog = FakeCatalog()
        self.store = FakeRegistrations(self.customers, self.catalog)
        self.service = RegistrationService(self.store, self.catalog, self.customers, self.clock)
        for cid in ("u1", "u2"):
            self.customers.create(
                Customer(id=cid, customer_number=cid, name=cid, created_at=self.clock())
            )
        self.catalog.create_product(
            Product(
                id="p1", brand="Vestel", model="Venus V7", sub_model="128 GB", name="Venus V7",
                category_id="telefon", category_path=["elektronik", "telefon"],
                attributes=[ProductAttribute(name="renk", values=["siyah", "mavi"],
                                             default="siyah")],
                warranty_months=24, product_group="elektronik",
            )
        )  # fmt: skip
        self.agent = staff("mehmet", "agent")


@pytest.fixture
def shop() -> Shop:
    return Shop()


def command(**overrides) -> RegisterProduct:
    return RegisterProduct.model_validate(
        {"product_id": "p1", "serial_number": " sn-0001 ", "purchase_date": "2025-01-31",
         **overrides}
    )  # fmt: skip


def test_registering_copies_the_product_and_computes_the_warranty(shop):
    view = shop.service.register("u1", command(), "phone", shop.agent.actor)
    assert view.serial_number == "SN-0001"
    assert (view.product_name, view.brand, view.model, view.sub_model) == (
        "Venus V7", "Vestel", "Venus V7", "128 GB",
    )  # fmt: skip
    assert view.attributes == {"renk": "siyah"}
    assert view.warranty_months == 24 and view.warranty_ends == date(2027, 1, 31)
    assert view.warranty.state == "in_warranty" and view.warranty.days_left == 69
    assert view.source == "phone" and view.registered_by.id == "mehmet"
    # an admin's later change to the product does not change the warranty given
    shop.catalog.products["p1"] = shop.catalog.products["p1"].model_copy(
        update={"warranty_months": 6, "name": "Yeni ad"}
    )
    again = shop.service.view("u1", view.id)
    assert again.warranty_months == 24 and again.product_name == "Venus V7"


def test_a_serial_belongs_to_one_customer(shop):
    shop.service.register("u1", command(), "phone", shop.agent.actor)
    with pytest.raises(Conflict) as taken:
        shop.service.register("u2", command(serial_number="Sn- 00 01"), "site", shop.agent.actor)
    assert taken.value.code == "serial_taken"
    assert "another customer" not in str(taken.value.details or "")
    with pytest.raises(Conflict) as again:
        shop.service.register("u1", command(serial_number="sn-0001"), "site", shop.agent.actor)
    assert again.value.code == "already_registered"
    assert len(shop.store.items) == 1


def test_unknown_product_customer_and_odd_dates_are_refused(shop):
    with pytest.raises(InvalidInput):
        shop.service.register("u1", command(product_id="p-none"), "site", shop.agent.actor)
    with pytest.raises(NotFound):
        shop.service.register("u-none", command(), "site", shop.agent.actor)
    with pytest.raises(InvalidInput, match="future"):
        shop.service.register("u1", command(purchase_date="2026-11-24"), "site", shop.agent.actor)
    with pytest.raises(InvalidInput):
        shop.service.register("u1", command(purchase_date="1989-12-31"), "site", shop.agent.actor)
    with pytest.raises(InvalidInput):
        shop.service.register("u1", command(attributes={"renk": "mor"}), "site", shop.agent.actor)
    assert shop.store.items == {}


def test_today_is_istanbul_today(shop):
    shop.clock.now = datetime(2026, 11, 23, 21, 30, tzinfo=UTC)  # 00:30 on the 24th there
    view = shop.service.register(
        "u1", command(purchase_date="2026-11-24"), "site", shop.agent.actor
    )
    assert view.purchase_date == date(2026, 11, 24)
    shop.clock.now = datetime(2028, 11, 23, 21, 0, tzinfo=UTC)  # the 24th, the last day
    assert shop.service.view("u1", view.id).warranty.state == "ends_soon"
    shop.clock.now = datetime(2028, 11, 24, 21, 0, tzinfo=UTC)  # the 25th
    assert shop.service.view("u1", view.id).warranty.state == "expired"


def test_customers_register_and_see_only_their_own(shop):
    ahmet, fatma = customer("u1"), customer("u2")
    mine = shop.service.register_mine(ahmet, command(attributes={"renk": "mavi"}))
    assert mine.attributes == {"renk": "mavi"}
    assert "registered_by" not in mine.model_dump()
    assert shop.store.get("u1", mine.id).source == "site"
    assert [r.id for r in shop.service.mine(ahmet, PageParams()).items] == [mine.id]
    assert shop.service.mine(fatma, PageParams()).items == []
    assert shop.service.my_one(ahmet, mine.id).id == mine.id
    with pytest.raises(NotFound):
        shop.service.my_one(fatma, mine.id)
    with pytest.raises(NotFound):
        shop.service.get("u2", mine.id)


def test_a_customer_without_a_profile_gets_nothing_and_is_told_why(shop):
    nobody = customer(None)
    assert shop.service.mine(nobody, PageParams()).items == []
    with pytest.raises(Conflict) as refused:
        shop.service.register_mine(nobody, command())
    assert refused.value.code == "account_incomplete"
    with pytest.raises(NotFound):
        shop.service.my_one(nobody, "r1")


def test_staff_find_by_serial_list_and_remove(shop):
    view = shop.service.register_for(shop.agent, "u1", command())
    assert view.source == "phone"
    serial = SerialQuery.model_validate({"serial": "sn -0001"}).serial
    assert shop.service.by_serial(serial).id == view.id
    assert [r.id for r in shop.service.of_customer("u1", PageParams()).items] == [view.id]
    assert shop.service.of_customer("u2", PageParams()).items == []
    with pytest.raises(NotFound):
        shop.service.of_customer("u-none", PageParams())
    shop.service.remove("u1", view.id)
    with pytest.raises(NotFound):
        shop.service.by_serial(serial)
    with pytest.raises(NotFound):
        shop.service.remove("u1", view.id)
    # the freed serial can be registered again, by anyone
    assert shop.service.register("u2", command(), "phone", shop.agent.actor).customer_id == "u2"


@pytest.mark.parametrize(
    "overrides",
    [
        {"serial_number": "SN#1"},
        {"serial_number": "   "},
        {"purchase_date": "31.01.2025"},
        {"purchase_date": "2025-02-30"},
        {"product_id": "../x"},
        {"attributes": {f"a{i}": "x" for i in range(21)}},
        {"colour": "red"},
    ],
)
def test_malformed_registrations_fail_validation(overrides):
    with pytest.raises(ValueError):
        command(**overrides)
