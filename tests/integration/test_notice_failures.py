"""A notice to an address no one can send to ends as `failed`, through the real queue and
table: the case shows the notice failed and a history line, and nothing is retried."""

from __future__ import annotations

import uuid
from datetime import timedelta

from chalicelib.domain.clock import to_iso, utcnow

from .conftest import open_case


def test_a_stored_unsendable_address_fails_once_and_the_case_says_so(
    as_role, drain_routing, drain_notify, mailbox
):
    from chalicelib import wiring

    agent = as_role("agent")
    made = agent.post("/customers", {"name": "Eski Kayıt", "phone": "0536 321 54 76"})
    made = made.body if made.status == 201 else agent.get(
        "/customers?phone=05363215476").body  # fmt: skip
    store = wiring.customer_service().store
    stored = store.get(made["id"])  # an address saved before addresses were checked
    bad = f"<{uuid.uuid4().hex[:6]}>@example.com"
    # a caller made with only a phone starts on SMS: this one chose email, to the bad address
    by_email = stored.contact.model_copy(update={"channel": "email"})
    store.save(stored.model_copy(update={"email": bad, "contact": by_email,
                                         "version": stored.version + 1}),
               stored.version)  # fmt: skip
    case = open_case(agent, customer={"customer_id": made["id"]})
    drain_routing()
    drain_notify()
    found = agent.get(f"/cases/{case['id']}").body
    received = next(n for n in found["notices"] if n["event"] == "case_received")
    assert received["status"] == "failed" and received["note"].startswith("invalid_address")
    lines = [h for h in found["history"] if h["kind"] == "notice_failed"]
    assert [line["data"]["reason"] for line in lines] == ["invalid_address"]
    assert not [m for m in mailbox()["emails"] if bad in m["to"]]
    tomorrow = to_iso(utcnow() + timedelta(days=1))
    waiting = wiring.notifier().notices.awaiting(tomorrow, 1000)
    assert (case["id"], received["id"]) not in waiting  # the outbox sweep never sends it again
