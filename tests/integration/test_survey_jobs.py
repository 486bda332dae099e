"""A planned survey's run against its survey's state, the roster's backfill, and what a
deleted customer leaves: a pause holds a run's sending and a restart resumes it from where
it stopped; an end stops it; profiles written before the roster existed are listed in it by
the backfill (once, resumably); deleting a customer removes their standing consents and
their survey throttle mark, and keeps the consent history."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from .test_surveys import QUESTIONS, consent, drain_surveys, mails_to, mark_surveyed, shop_customer

__all__ = ["drain_surveys"]  # the fixture, shared with test_surveys


def seeded(api, shop, admin, count: int, tag: str) -> tuple[str, list[dict]]:
    """`count` customers with consent who registered a product of a brand of their own."""
    brand = f"İş{tag}"
    product = admin.post("/products", {"brand": brand, "model": "M", "name": f"Ü {tag}",
                                       "category_id": "telefon"}).body  # fmt: skip
    people = []
    for i in range(count):
        number, email = f"SJ-{tag}-{i}", f"sj{tag}{i}@example.com"
        cid = shop_customer(api, shop, number, "normal", email)
        registration = {"product_id": product["id"], "serial_number": f"SJ{tag}{i}",
                        "purchase_date": "2026-06-01"}  # fmt: skip
        assert admin.post(f"/customers/{cid}/products", registration).status == 201
        consent(api, shop, number, True, datetime.now(UTC) - timedelta(days=1))
        people.append({"id": cid, "number": number, "email": email})
    return brand, people


def started(supervisor, brand: str, tag: str) -> dict:
    start = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    draft = {"name": f"İş {tag}", "questions": QUESTIONS[:1], "channel": "email",
             "segment": {"brands": [brand]}, "schedule": {"start_at": start}}  # fmt: skip
    made = supervisor.post("/surveys", draft).body
    active = supervisor.post(f"/surveys/{made['id']}/status",
                             {"status": "active", "version": made["version"]})  # fmt: skip
    assert active.status == 200, active
    from chalicelib.events import surveys

    assert surveys.tick()["started"] >= 1
    return supervisor.get(f"/surveys/{made['id']}").body["survey"]  # the run moved its version


def test_a_pause_holds_a_run_and_a_restart_resumes_it(api, shop, as_role, mailbox,
                                                      drain_surveys, monkeypatch):  # fmt: skip
    from chalicelib.services import survey_runs

    monkeypatch.setattr(survey_runs, "SEND_PAGE", 2)  # several sending steps for 5 people
    admin, supervisor = as_role("admin"), as_role("supervisor")
    tag = uuid.uuid4().hex[:8]
    brand, people = seeded(api, shop, admin, 5, tag)
    supervisor.put("/survey-settings", {"throttle_days": 1})
    try:
        survey = started(supervisor, brand, tag)
        # paused before any sending step ran: the selection ends, the sending holds
        pause = {"status": "paused", "version": survey["version"]}
        paused = supervisor.post(f"/surveys/{survey['id']}/status", pause)
        assert paused.status == 200, paused
        paused = paused.body
        drain_surveys()
        (run,) = supervisor.get(f"/surveys/{survey['id']}").body["runs"]
        assert run["phase"] == "sending" and run["held"] == {"cursor": None, "taken": 0}, run
        assert run["counts"]["sampled"] == 5 and run["counts"]["sent"] == 0
        assert all(not mails_to(mailbox, p["email"]) for p in people)

        # started again: the run resumes where it stopped and sends to everyone, once
        restarted = supervisor.post(f"/surveys/{survey['id']}/status",
                                    {"status": "active", "version": paused["version"]})  # fmt: skip
        assert restarted.status == 200, restarted
        drain_surveys()
        (run,) = supervisor.get(f"/surveys/{survey['id']}").body["runs"]
        assert run["phase"] == "done" and run["held"] is None and run["stopped"] is False, run
        assert run["counts"]["sent"] == 5, run["counts"]
        assert all(len(mails_to(mailbox, p["email"])) == 1 for p in people)
    finally:
        supervisor.put("/survey-settings", {"throttle_days": 90})


def test_ending_a_survey_stops_its_run(api, shop, as_role, mailbox, drain_surveys):
    admin, supervisor = as_role("admin"), as_role("supervisor")
    tag = uuid.uuid4().hex[:8]
    brand, people = seeded(api, shop, admin, 3, tag)
    survey = started(supervisor, brand, tag)
    ended = supervisor.post(f"/surveys/{survey['id']}/status",
                            {"status": "ended", "version": survey["version"]})  # fmt: skip
    assert ended.status == 200
    drain_surveys()
    (run,) = supervisor.get(f"/surveys/{survey['id']}").body["runs"]
    assert run["phase"] == "done" and run["stopped"] is True, run
    assert run["counts"]["matched"] == 3 and run["counts"]["sent"] == 0
    assert all(not mails_to(mailbox, p["email"]) for p in people)


def test_the_backfill_lists_old_profiles_in_the_roster(api, shop, as_role, drain_surveys,
                                                       monkeypatch):  # fmt: skip
    from chalicelib import wiring
    from chalicelib.domain.survey_runs import roster_shard
    from chalicelib.services import survey_runs
    from chalicelib.store import keys

    monkeypatch.setattr(survey_runs, "BACKFILL_PAGE", 5000)  # few steps over the shared table
    admin = as_role("admin")
    tag = uuid.uuid4().hex[:8]
    old = [shop_customer(api, shop, f"BF-{tag}-{i}", "normal", f"bf{tag}{i}@example.com")
           for i in range(3)]  # fmt: skip
    table = wiring.table()
    for cid in old:  # as a profile saved before the roster existed
        profile = table.get(keys.customer_key(cid))
        table.put({k: v for k, v in profile.items() if k not in ("queue_pk", "created_sk")})
        assert "queue_pk" not in table.get(keys.customer_key(cid))

    assert as_role("supervisor").post("/survey-roster/backfill").status == 403
    first = admin.post("/survey-roster/backfill")
    assert first.status == 202, first
    assert first.body["started_at"] and first.body["finished_at"] is None
    again = admin.post("/survey-roster/backfill")  # under way: the same pass, not a second
    assert again.body["started_at"] == first.body["started_at"]
    drain_surveys()
    for cid in old:
        item = table.get(keys.customer_key(cid))
        assert item["queue_pk"] == keys.roster_pk(roster_shard(cid)) and item["created_sk"] == cid
    state = admin.get("/survey-roster/backfill").body
    assert state["finished_at"] is not None and state["updated"] >= 3, state
    assert sorted(state["segments_done"]) == list(range(state["segments"]))

    # a second pass finds nothing left to list
    second = admin.post("/survey-roster/backfill").body
    assert second["started_at"] != first.body["started_at"]
    drain_surveys()
    state = admin.get("/survey-roster/backfill").body
    assert state["finished_at"] is not None and state["updated"] == 0, state


def test_deleting_a_customer_removes_their_consents_and_throttle_mark(api, shop, as_role):
    from chalicelib import wiring
    from chalicelib.store import keys

    admin = as_role("admin")
    tag = uuid.uuid4().hex[:8]
    number = f"DEL-{tag}"
    cid = shop_customer(api, shop, number, "normal", f"del{tag}@example.com")
    consent(api, shop, number, True, datetime.now(UTC) - timedelta(days=2))
    mark_surveyed(cid, datetime.now(UTC) - timedelta(days=1))
    table = wiring.table()
    assert table.get(keys.consent_key(cid, "email")) is not None
    assert admin.call("DELETE", f"/customers/{cid}").status == 204
    assert table.get(keys.consent_key(cid, "email")) is None
    assert table.get(keys.surveyed_key(cid)) is None
    history = table.query_all(("PK", f"CUSTOMER#{cid}"), sort_prefix=keys.CONSENT_LOG_PREFIX)
    assert len(history) == 1  # the proof of consent stays
