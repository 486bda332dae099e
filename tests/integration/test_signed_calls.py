"""The shop's backend signs its calls with the official `standardwebhooks` package; destek
accepts exactly those, applies each webhook-id once, and reports batch items one by one."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from tests.integration.conftest import NEW, OLD
from tests.support import e164, unique_phone


def signed(body: dict, secret: str = NEW, msg_id: str | None = None, at: datetime | None = None,
           send: str | None = None) -> tuple[str, dict[str, str]]:  # fmt: skip
    """The body as sent, and the headers the official library makes for it."""
    data = json.dumps(body)
    msg_id = msg_id or f"msg_{uuid.uuid4().hex}"
    at = at or datetime.now(tz=UTC)
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, data),
        "content-type": "application/json",
    }
    return (send if send is not None else data), headers


def post(api, path: str, payload: tuple[str, dict[str, str]]):
    data, headers = payload
    response = api.client.http.post(path, headers=headers, body=data)
    return response.status_code, json.loads(response.body)


_PHONES: dict[str, str] = {}


def customer(number: str, **extra) -> dict:
    phone = _PHONES.setdefault(number, unique_phone())  # the same number sends the same phone
    return {"customer_number": number, "name": "Zeynep Arslan", "email": f"{number}@shop.example",
            "phone": phone, "category": "vip", **extra}  # fmt: skip


def test_a_call_signed_with_any_active_secret_is_applied(api, shop, as_role):
    for secret, number in ((OLD, "S-100001"), (NEW, "S-100002")):
        status, body = post(api, f"/integrations/{shop}/customers",
                            signed(customer(number), secret))  # fmt: skip
        assert status == 200, body
        assert body["status"] == "created"
    found = as_role("agent").get("/customers?customer_number=S-100002").body
    assert found["category"] == "vip" and found["phone"] == e164(customer("S-100002")["phone"])


def test_the_same_webhook_id_is_answered_as_before_and_applied_once(api, shop, as_role):
    msg_id = f"msg_{uuid.uuid4().hex}"
    first = post(api, f"/integrations/{shop}/customers",
                 signed(customer("S-200001"), msg_id=msg_id))  # fmt: skip
    again = post(api, f"/integrations/{shop}/customers",
                 signed(customer("S-200001"), msg_id=msg_id))  # fmt: skip
    assert first == again and first[1].get("status") == "created", (first, again)
    found = as_role("agent").get("/customers?customer_number=S-200001").body
    assert found["version"] == 1
    reused = post(api, f"/integrations/{shop}/customers",
                  signed(customer("S-200001", name="Başka"), msg_id=msg_id))  # fmt: skip
    assert reused[0] == 409 and reused[1]["error"]["code"] == "webhook_id_reused"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(lambda: signed(customer("S-300001"), "whsec_" + base64.b64encode(
            b"someone else's secret").decode()), id="wrong secret"),
        pytest.param(lambda: signed(customer("S-300001"),
                                    at=datetime.now(tz=UTC) - timedelta(minutes=6)), id="stale"),
        pytest.param(lambda: signed(customer("S-300001"),
                                    send=json.dumps(customer("S-300001", category="banned"))),
                     id="tampered body"),
        pytest.param(lambda: (json.dumps(customer("S-300001")),
                              {"content-type": "application/json"}), id="unsigned"),
        pytest.param(lambda: (lambda d, h: (d, {**h, "webhook-signature": "v1,###"}))(
            *signed(customer("S-300001"))), id="garbled signature"),
    ],
)  # fmt: skip
def test_calls_not_signed_by_the_shop_are_refused_and_change_nothing(
    api, shop, payload, table_items
):
    before = table_items()
    status, body = post(api, f"/integrations/{shop}/customers", payload())
    assert status == 401, body
    assert table_items() == before


def test_an_unknown_shop_is_refused(api, shop):
    status, _ = post(api, "/integrations/no-such-shop/customers", signed(customer("S-400001")))
    assert status == 401


def test_an_update_moves_contacts_and_category(api, shop, as_role):
    post(api, f"/integrations/{shop}/customers", signed(customer("S-500001")))
    status, body = post(api, f"/integrations/{shop}/customers", signed(customer(
        "S-500001", email="yeni@shop.example", category="cod_approved",
        membership_tier="Altın", member_since="2021-03-01",
        last_visit_at="2026-11-20T18:30:00+03:00")))  # fmt: skip
    assert status == 200 and body["status"] == "updated", body
    agent = as_role("agent")
    found = agent.get("/customers?email=yeni@shop.example").body
    assert found["customer_number"] == "S-500001" and found["category"] == "cod_approved"
    assert found["membership_tier"] == "Altın" and found["member_since"] == "2021-03-01"
    assert agent.get("/customers?email=S-500001@shop.example").status == 404


def test_a_batch_reports_each_item(api, shop):
    post(api, f"/integrations/{shop}/customers", signed(customer("S-600001")))
    items = [
        customer("S-600002"),
        customer("S-600001", category="risky"),
        customer("S-600001", category="risky"),
        {"customer_number": "S-600003"},  # no name
        customer("S-600004", phone=customer("S-600001")["phone"]),
    ]
    status, body = post(api, f"/integrations/{shop}/customer-batches", signed({"items": items}))
    assert status == 200, body
    assert [i["status"] for i in body["items"]] == [
        "created", "updated", "unchanged", "refused", "refused"]  # fmt: skip
    assert (body["created"], body["updated"], body["unchanged"], body["refused"]) == (1, 1, 1, 2)
    assert body["items"][3]["error"]["code"] == "invalid_input"
    assert body["items"][4]["error"]["code"] == "customer_exists"
    too_many = {"items": [customer(f"S-7{n:05d}") for n in range(101)]}
    assert post(api, f"/integrations/{shop}/customer-batches", signed(too_many))[0] == 422


def test_a_sold_unit_is_registered_for_its_customer_with_its_warranty(api, shop, as_role):
    post(api, f"/integrations/{shop}/customers", signed(customer("S-810001")))
    sale = {"customer_number": "S-810001", "product_id": "p-arcelik-k3300",
            "serial_number": "ARC-SHOP-0001", "purchase_date": "2026-11-01",
            "order_ref": "O-610001"}  # fmt: skip
    status, body = post(api, f"/integrations/{shop}/sales", signed(sale))
    assert status == 200 and body["status"] == "created", body
    agent = as_role("agent")
    found = agent.get("/registrations?serial=ARC-SHOP-0001").body
    assert found["source"] == "shop" and found["order_ref"] == "O-610001"
    assert found["warranty"]["state"] == "in_warranty"
    again = {**sale, "customer_number": "10000001"}  # the same unit, another customer
    status, batch = post(api, f"/integrations/{shop}/sale-batches", signed({"items": [again]}))
    assert status == 200 and batch["items"][0]["error"]["code"] == "serial_taken"
