"""Addresses SES cannot send to are refused at every door, and what is kept is normalised.

Each door gets the addresses the attacker's probe stored (`<x>@example.com`,
`a@example.com,b`) and others SES refuses; each answers 422 with the field named and
writes nothing.
"""

from __future__ import annotations

import random
import uuid

import pytest

from tests.support import sign_up, unique_phone

from .test_signed_calls import post, signed

UNSENDABLE = [
    "<x>@example.com",
    "a@example.com,b",
    "Ahmet <ahmet@example.com>",
    "ahmet@example",
    "ayşe@example.com",  # SES takes no SMTPUTF8 local part
    "a@@example.com",
    "a b@example.com",
    "ahmet@localhost",
]


def assert_refused(answer, field_suffix: str = "email") -> None:
    assert answer.status == 422, answer
    error = answer.body["error"]
    assert error["code"] == "invalid_input"
    assert any(d["field"].endswith(field_suffix) for d in error["details"]), error


@pytest.mark.parametrize("address", UNSENDABLE)
def test_staff_doors_refuse_unsendable_addresses_and_write_nothing(address, as_role, table_items):
    admin = as_role("admin")
    before = table_items()
    assert_refused(admin.post("/customers", {"name": "Kötü Adres", "email": address}))
    assert_refused(
        admin.post("/cases", {"customer": {"email": address, "name": "Kötü Adres"},
                              "type": "question", "subject": "s", "description": "d"}),
        "customer.email",
    )  # fmt: skip
    assert_refused(admin.put("/staff/kotu", {"name": "Kötü", "email": address, "roles": []}))
    ladder = {"name": "t", "levels": [{"after_minutes": 0, "notify": "managers",
                                       "emails": [address]}]}  # fmt: skip
    assert_refused(admin.post("/escalation-ladders", ladder), "levels")
    assert table_items() == before


@pytest.mark.parametrize("address", UNSENDABLE[:3])
def test_the_shops_calls_refuse_unsendable_addresses(address, api, shop, as_role, table_items):
    number = f"S-E{random.randint(0, 10**9)}"
    item = {"customer_number": number, "name": "Zeynep", "email": address}
    status, body = post(api, f"/integrations/{shop}/customers", signed(item))
    assert status == 422 and body["error"]["code"] == "invalid_input", body
    status, body = post(api, f"/integrations/{shop}/customer-batches", signed({"items": [item]}))
    assert status == 200 and body["refused"] == 1, body
    assert body["items"][0]["error"]["details"][0]["field"] == "email"
    assert as_role("agent").get(f"/customers?customer_number={number}").status == 404


def test_addresses_are_stored_normalised_and_found_either_way(as_role):
    admin = as_role("admin")
    local = f"zeynep.{uuid.uuid4().hex[:6]}"
    made = admin.post("/customers", {"name": "Zeynep", "email": f"  {local.upper()}@Örnek.COM.tr "})
    assert made.status == 201, made
    assert made.body["email"] == f"{local}@örnek.com.tr"
    found = admin.get(f"/customers?email={local}@%C3%96RNEK.com.tr")
    assert found.status == 200 and found.body["id"] == made.body["id"]


def test_ses_gets_an_internationalised_domain_in_ascii(aws_env, mailbox):
    from chalicelib.messaging.sender import AwsSender

    local = f"u{uuid.uuid4().hex[:8]}"
    AwsSender(aws_env["NOTIFY_FROM_EMAIL"]).email(f"{local}@örnek.com.tr", "Konu", "Metin")
    sent = [m for m in mailbox()["emails"] if any(local in to for to in m["to"])]
    assert sent and sent[-1]["to"] == [f"{local}@xn--rnek-4qa.com.tr"], sent


def test_a_site_sign_in_with_an_unsendable_address_cannot_complete_its_account(
    aws_env, api, table_items
):
    """Cognito's sign-up takes addresses SES cannot send to (two dots in a row); destek
    does not."""
    token = sign_up(aws_env, f"k{uuid.uuid4().hex[:6]}..x@example.com")["id"]
    before = table_items()
    answer = api.as_(token).post("/my/account", {"name": "Kötü Adres"})
    assert answer.status == 422 and answer.body["error"]["code"] == "invalid_email", answer
    assert table_items() == before


def test_a_pre_case_from_an_unsendable_sender_gives_no_customer_that_address(as_role):
    """Intake keeps what arrived as it came; converting it never stores the bad address."""
    from chalicelib import wiring
    from chalicelib.domain.case_kinds import Channel
    from chalicelib.domain.precases import Sender
    from chalicelib.services.precases import Arrival

    pool = wiring.precase_pool()
    number = unique_phone()
    with_phone = pool.receive(Arrival(channel=Channel.EMAIL, subject="Soru", text="Fatura?",
                                      sender=Sender(name="Ayla", email="<x>@example.com",
                                                    phone=number)))  # fmt: skip
    agent = as_role("agent")
    made = agent.post(f"/precases/{with_phone.id}/case",
                      {"version": with_phone.version, "type": "question"})  # fmt: skip
    assert made.status == 201, made
    who = agent.get(f"/customers/{made.body['case']['customer_id']}").body
    assert who["email"] is None and who["phone"]
    bad = Sender(name="Ayla", email="a@example.com,b")
    only_mail = pool.receive(Arrival(channel=Channel.EMAIL, subject="Soru", text="?", sender=bad))
    refused = agent.post(f"/precases/{only_mail.id}/case",
                         {"version": only_mail.version, "type": "question"})  # fmt: skip
    assert refused.status == 422 and refused.body["error"]["code"] == "sender_unusable", refused
