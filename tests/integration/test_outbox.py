"""The outbox index on the real table: a new notice's place leaves the queue a HANDOFF to
deliver it, and the sweep's hand-out moves a notice's place on, once, while it awaits."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.clock import to_iso, utcnow
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
