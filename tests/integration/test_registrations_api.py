"""Registered products through the API against moto: customers register their own on
the site, agents on the phone; a serial belongs to one customer; refusals write nothing."""

from __future__ import annotations

import uuid

import pytest


def serial() -> str:
    return f"SN-IT-{uuid.uuid4().hex[:10].upper()}"


def body(**overrides) -> dict:
    return {
        "product_id": "p-kinetix-orion",
        "serial_number": serial(),
        "purchase_date": "2026-06-15",
        **overrides,
    }


@pytest.fixture
def customer_ids(as_role) -> dict[str, str]:
    admin = as_role("admin")
    numbers = {"ahmet": "10000001", "fatma": "10000002", "john": "10000004"}
    return {
        who: admin.get(f"/customers?customer_number={number}").body["id"]
        for who, number in numbers.items()
    }


def test_the_demo_customer_has_one_product_in_warranty_and_one_expired(as_role):
    mine = as_role("customer").get("/my/products?limit=100").body["items"]
    by_serial = {r["serial_number"]: r for r in mine}
    assert by_serial["SN-DEMO-0001"]["warranty"]["state"] == "in_warranty"
    assert by_serial["SN-DEMO-0001"]["attributes"] == {"renk": "mavi"}
    assert by_serial["SN-DEMO-0002"]["warranty"]["state"] == "expired"
    assert "registered_by" not in by_serial["SN-DEMO-0001"]


def test_a_customer_registers_and_sees_only_their_own(as_role, customer_ids):
    ahmet, fatma = as_role("customer"), as_role("other_customer")
    typed = " sn-it " + uuid.uuid4().hex[:8] + " "
    created = ahmet.post("/my/products", body(serial_number=typed, attributes={"beden": "44"}))
    assert created.status == 201, created
    registration = created.body
    assert registration["serial_number"] == "".join(typed.split()).upper()
    assert registration["source"] == "site"
    assert registration["attributes"] == {"renk": "siyah", "beden": "44"}
    assert registration["warranty_months"] == 6
    assert registration["warranty_ends"] == "2026-12-15"
    assert registration["warranty"]["state"] in ("in_warranty", "ends_soon", "expired")

    assert ahmet.get(f"/my/products/{registration['id']}").body["id"] == registration["id"]
    assert registration["id"] in [r["id"] for r in ahmet.get("/my/products").body["items"]]
    other = fatma.get(f"/my/products/{registration['id']}")
    assert other.status == 404 and other.body["error"]["code"] == "not_found"
    assert registration["id"] not in [r["id"] for r in fatma.get("/my/products").body["items"]]
    # staff see it under Ahmet, with who entered it
    staff_view = as_role("agent").get(f"/customers/{customer_ids['ahmet']}/products").body
    mine = next(r for r in staff_view["items"] if r["id"] == registration["id"])
    assert mine["registered_by"]["kind"] == "customer"


def test_a_serial_taken_by_another_customer_is_refused_and_nothing_is_written(
    as_role, customer_ids, table_items
):
    agent = as_role("agent")
    taken = serial()
    first = agent.post(f"/customers/{customer_ids['john']}/products", body(serial_number=taken))
    assert first.status == 201 and first.body["source"] == "phone"
    before = table_items()
    refused = as_role("customer").post("/my/products", body(serial_number=taken.lower()))
    assert refused.status == 409
    assert refused.body["error"]["code"] == "serial_taken"
    assert "another customer" in refused.body["error"]["message"]
    assert customer_ids["john"] not in str(refused.body)
    again = agent.post(f"/customers/{customer_ids['john']}/products", body(serial_number=taken))
    assert again.status == 409 and again.body["error"]["code"] == "already_registered"
    assert table_items() == before


def test_find_by_serial_and_remove_frees_the_serial(as_role, customer_ids, table_items):
    agent, supervisor = as_role("agent"), as_role("supervisor")
    unit = serial()
    before = table_items()
    created = agent.post(f"/customers/{customer_ids['john']}/products", body(serial_number=unit))
    found = agent.get(f"/registrations?serial={unit.lower()}")
    assert found.status == 200 and found.body["id"] == created.body["id"]
    assert found.body["customer_id"] == customer_ids["john"]
    path = f"/customers/{customer_ids['john']}/products/{created.body['id']}"
    assert agent.call("DELETE", path).status == 403
    assert supervisor.call("DELETE", path).status == 204
    assert table_items() == before  # the registration and its serial item are both gone
    assert agent.get(f"/registrations?serial={unit}").status == 404
    assert supervisor.call("DELETE", path).status == 404
    elsewhere = f"/customers/{customer_ids['fatma']}/products"
    assert agent.post(elsewhere, body(serial_number=unit)).status == 201


def test_another_customers_registration_id_is_not_found_under_a_different_customer(
    as_role, customer_ids
):
    agent = as_role("agent")
    created = agent.post(f"/customers/{customer_ids['john']}/products", body()).body
    wrong = f"/customers/{customer_ids['fatma']}/products/{created['id']}"
    assert as_role("supervisor").call("DELETE", wrong).status == 404


def test_pages_and_cursors_stay_with_their_customer(as_role, customer_ids):
    ahmet, fatma = as_role("customer"), as_role("other_customer")
    first = ahmet.get("/my/products?limit=1").body
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = ahmet.get(f"/my/products?limit=1&cursor={first['next_cursor']}").body
    assert second["items"][0]["id"] != first["items"][0]["id"]
    stolen = fatma.get(f"/my/products?cursor={first['next_cursor']}")
    assert stolen.status == 400 and stolen.body["error"]["code"] == "invalid_cursor"
    staff_page = as_role("agent").get(
        f"/customers/{customer_ids['ahmet']}/products?cursor={first['next_cursor']}"
    )
    assert staff_page.status == 200


BAD = [
    ({"purchase_date": "2999-01-01"}, 422),
    ({"purchase_date": "1989-12-31"}, 422),
    ({"purchase_date": "15.06.2026"}, 422),
    ({"purchase_date": "2026-02-30"}, 422),
    ({"purchase_date": None}, 422),
    ({"serial_number": "SN#1"}, 422),
    ({"serial_number": "   "}, 422),
    ({"serial_number": "x" * 101}, 422),
    ({"serial_number": 12345}, 422),
    ({"product_id": "p-nothing"}, 422),
    ({"product_id": "../etc"}, 422),
    ({"attributes": {"renk": "mor"}}, 422),
    ({"attributes": {"kol": "uzun"}}, 422),
    ({"attributes": ["renk"]}, 422),
    ({"order_ref": "has space"}, 422),
    ({"seller": ""}, 422),
    ({"colour": "red"}, 422),
]


@pytest.mark.parametrize(("overrides", "status"), BAD, ids=[str(b[0])[:40] for b in BAD])
def test_bad_registrations_are_4xx_and_write_nothing(
    as_role, customer_ids, table_items, overrides, status
):
    before = table_items()
    for caller, path in (
        (as_role("customer"), "/my/products"),
        (as_role("agent"), f"/customers/{customer_ids['fatma']}/products"),
    ):
        answer = caller.post(path, body(**overrides))
        assert answer.status == status, answer
        assert set(answer.body["error"]) == {"code", "message", "details"}
    assert table_items() == before


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/customers/u-nobody/products", 404),
        ("/customers/u-nobody/products?limit=0", 422),
        ("/registrations", 422),
        ("/registrations?serial=SN%23NOPE", 422),
        ("/registrations?serial=SN-NEVER-SEEN", 404),
        ("/customers/u-nobody/products?cursor=garbage", 400),
    ],
)
def test_bad_staff_reads(as_role, path, status):
    answer = as_role("agent").get(path)
    assert answer.status == status, answer


def test_registering_for_an_unknown_customer_is_404_and_writes_nothing(as_role, table_items):
    before = table_items()
    answer = as_role("agent").post("/customers/u-nobody/products", body())
    assert answer.status == 404, answer
    assert table_items() == before
