"""The outbox index on the real table: a new notice's place leaves the queue a HANDOFF to
deliver it, and the sweep's hand-out moves a notice's place on, once, while it awaits."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.clock import to_iso, utcnow
from chalicelib.domain.errors import Conflict
from chalicelib.domain.notifications import HANDOFF

from .conftest import open_case


def test_a_new_notice_waits_a_handoff_and_a_hand_out_moves_it_on(as_role, drain_routing):
    from chalicelib import wiring

    agent = as_role("agent")
    case = open_case(agent)
    drain_routing()  # decides the "received" notice (and the group's)
    store = wiring.notifier().notices
    found = agent.get(f"/cases/{case['id']}").body
    notice = next(n for n in found["notices"] if n["event"] == "case_received")
    key = (case["id"], notice["id"])
    now = utcnow()
    assert key not in store.awaiting(to_iso(now), 1000)  # announced: the queue has it
    later = now + HANDOFF + timedelta(seconds=5)
    assert key in store.awaiting(to_iso(later), 1000)  # not taken by then: lost, handed out
    assert store.hand_out(*key, later, later + HANDOFF)
    assert key not in store.awaiting(to_iso(later + timedelta(seconds=30)), 1000)
    assert key in store.awaiting(to_iso(later + HANDOFF + timedelta(seconds=1)), 1000)
    stored = store.get(*key)
    claimed = store.claim(stored, now, timedelta(minutes=5))  # a delivery takes it
    assert claimed is not None and claimed.status == "sending"
    assert not store.hand_out(*key, now, now + HANDOFF)  # a live lease: not queued again
    # the claim left the place where the hand-out put it (no index entry moved); the refused
    # hand-out moved it to the lease's end, so the sweeps before then do not try it again
    lease_end = now + timedelta(minutes=5)
    assert key not in store.awaiting(to_iso(lease_end - timedelta(seconds=1)), 1000)
    assert key in store.awaiting(to_iso(lease_end), 1000)
    assert store.hand_out(*key, lease_end, lease_end + HANDOFF)  # the delivery died: again


def test_a_claim_keeps_the_outbox_place_and_a_delivery_records_in_plain_writes(
    as_role, drain_routing, monkeypatch
):
    """A claim leaves the notice's outbox entry as it was (moving it cost two index writes
    a claim); finishing writes the Message-ID reference and the notice without a
    transaction (billed twice), and the finished notice leaves the outbox."""
    from chalicelib import wiring
    from chalicelib.domain.notifications import Delivery

    agent = as_role("agent")
    case = open_case(agent)
    drain_routing()
    store = wiring.notifier().notices
    found = agent.get(f"/cases/{case['id']}").body
    notice = next(n for n in found["notices"] if n["event"] == "case_received")
    key = (case["id"], notice["id"])
    place = store.table.get({"PK": f"CASE#{key[0]}", "SK": f"N#{key[1]}"})["outbox_sk"]
    now = utcnow()
    claimed = store.claim(store.get(*key), now, timedelta(minutes=5))
    assert store.table.get({"PK": f"CASE#{key[0]}", "SK": f"N#{key[1]}"})["outbox_sk"] == place
    transactions = []
    monkeypatch.setattr(store.table, "transact", lambda ops: transactions.append(ops))
    sent = Delivery(channel="email", to="a@example.com", message_id=f"m-{key[1]}", at=now)
    store.finish(claimed.model_copy(update={"status": "sent", "deliveries": [sent]}),
                 case["number"])  # fmt: skip
    assert transactions == []
    assert store.get(*key).status == "sent"
    assert store.case_of_mail(f"m-{key[1]}") == case["id"]
    assert key not in store.awaiting(to_iso(now + timedelta(days=1)), 1000)
    with pytest.raises(Conflict):  # a second finish of the same claim: taken over
        store.finish(claimed.model_copy(update={"status": "sent"}), case["number"])
