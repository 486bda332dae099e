"""Satisfaction at resolution on a moto server: a case resolved through the API, the notify
queue drained, the rating link read out of the email SES captured; following it records
nothing, the form's POST does; changing the answer, a locked answer, forged, foreign and
expired links, bad input with nothing written, a low score's follow-up and the supervisors'
email, the agent's recorded score apart, and the satisfaction report and its download
after the reports queue is drained (docs/satisfaction.md)."""

# ruff: noqa: F811 (the fixtures `group` and `flow` come from test_reports)
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.clock import utcnow
from chalicelib.domain.signed_links import LinkPurpose
from tests.support import unique_phone

from . import test_reports
from .conftest import all_items
from .test_reports import act, fresh, period, report, row, status

#: the reports' fixtures: a group of the test's own, and the events carried to the projection
flow, group = test_reports.flow, test_reports.group

LINK = re.compile(r"rate\.html\?t=([A-Za-z0-9_-]+)")


def resolved(as_role, drain_routing, group_id: str, category: str | None = None) -> dict:
    """A case of a new customer (by email) in `group_id`, claimed by mehmet and resolved."""
    agent = as_role("agent")
    email = f"csat-{uuid.uuid4().hex[:8]}@example.com"
    body = {"customer": {"name": "Puan Veren", "email": email, "phone": unique_phone()},
            "type": "complaint", "group_id": group_id, "subject": "Kırık ekran",
            "description": "Ekran kırık geldi",
            **({"category_id": category} if category else {})}  # fmt: skip
    opened = agent.post("/cases", body)
    assert opened.status == 201, opened
    drain_routing()
    case_id = opened.body["id"]
    act(agent, case_id, "claim")
    status(agent, case_id, "resolved")
    case = fresh(agent, case_id)["case"]
    assert case["status"] == "resolved"
    return {**case, "email": email}


def token_from_mail(mailbox, case: dict) -> tuple[str, dict]:
    mails = [m for m in mailbox()["emails"]
             if m["to"] == [case["email"]]
             and m["subject"].startswith("Talebiniz çözüldü")]  # fmt: skip
    assert len(mails) == 1, mails
    tokens = set(LINK.findall(mails[0]["body"]))
    assert len(tokens) == 1, mails[0]["body"]  # one link, five scores pre-selected
    return tokens.pop(), mails[0]


@pytest.fixture
def rated_case(as_role, drain_routing, drain_notify, mailbox, group):
    case = resolved(as_role, drain_routing, group)
    drain_notify()
    token, mail = token_from_mail(mailbox, case)
    return case, token, mail


def version_of(as_role, case_id: str) -> int:
    return fresh(as_role("supervisor"), case_id)["case"]["version"]


def test_the_email_holds_the_link_and_only_the_post_records(as_role, rated_case):
    case, token, mail = rated_case
    for score in range(1, 6):  # each score a link, each pre-selecting it on the page
        assert f"rate.html?t={token}&s={score}" in mail["body"]
    public = as_role(None)
    before = version_of(as_role, case["id"])
    for _ in range(2):  # the customer's click and a mail scanner's
        seen = public.get(f"/ratings/{token}")
        assert seen.status == 200, seen
        assert seen.body["case_number"] == case["number"] and seen.body["score"] is None
        assert seen.body["can_answer"] is True
    assert version_of(as_role, case["id"]) == before  # following the link recorded nothing

    answered = public.post(f"/ratings/{token}", {"score": 4, "comment": "Hızlı çözüldü"})
    assert answered.status == 200, answered
    assert answered.body["score"] == 4 and answered.body["comment"] == "Hızlı çözüldü"
    view = fresh(as_role("supervisor"), case["id"])
    rating = view["case"]["rating"]
    assert (rating["score"], rating["source"], rating["comment"]) == (
        4,
        "customer",
        "Hızlı çözüldü",
    )
    assert view["case"]["agent_rating"] is None and view["case"]["follow_up"] is None
    lines = [h for h in view["history"] if h["kind"] == "rated"]
    assert [(h["data"]["score"], h["data"]["previous_score"], h["body"]) for h in lines] == [
        (4, None, "Hızlı çözüldü")
    ]
    # the same answer again (a double click) writes nothing
    again = public.post(f"/ratings/{token}", {"score": 4, "comment": "Hızlı çözüldü"})
    assert again.status == 200 and version_of(as_role, case["id"]) == view["case"]["version"]


def test_the_last_answer_counts_until_the_window_closes(as_role, rated_case, monkeypatch):
    case, token, _ = rated_case
    public = as_role(None)
    assert public.post(f"/ratings/{token}", {"score": 5}).status == 200
    changed = public.post(f"/ratings/{token}", {"score": 3, "comment": "Aslında idare eder"})
    assert changed.status == 200 and changed.body["score"] == 3
    view = fresh(as_role("supervisor"), case["id"])
    assert view["case"]["rating"]["score"] == 3 and view["case"]["rating"]["answers"] == 2
    lines = [(h["data"]["score"], h["data"]["previous_score"])
             for h in view["history"] if h["kind"] == "rated"]  # fmt: skip
    assert lines == [(5, None), (3, 5)]
    # four days later (the link still works for seven): the answer is locked
    later = utcnow() + timedelta(days=4)
    monkeypatch.setattr(wiring.rating_service(), "clock", lambda: later)
    locked = public.post(f"/ratings/{token}", {"score": 1})
    assert locked.status == 409 and locked.body["error"]["code"] == "rating_locked", locked
    shown = public.get(f"/ratings/{token}")
    assert shown.status == 200 and shown.body["can_answer"] is False and shown.body["score"] == 3


def test_forged_foreign_and_expired_links(as_role, rated_case, as_role_customer_case):
    case, token, _ = rated_case
    public = as_role(None)
    # one character of the signature changed
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    answer = public.get(f"/ratings/{tampered}")
    assert answer.status == 404 and answer.body["error"]["code"] == "link_invalid"
    # this case's id, signed for another customer: opens nothing (the same 404)
    signer = wiring.link_keys().signer()
    later = utcnow() + timedelta(days=1)
    foreign = signer.sign(LinkPurpose.case_rating, case["id"], as_role_customer_case, later)
    assert public.get(f"/ratings/{foreign}").status == 404
    assert public.post(f"/ratings/{foreign}", {"score": 5}).status == 404
    # a survey's token for the case is no rating link
    other_purpose = signer.sign(LinkPurpose.survey, case["id"], case["customer_id"], later)
    assert public.get(f"/ratings/{other_purpose}").status == 404
    # genuine but expired: 410, and nothing written
    before = version_of(as_role, case["id"])
    past = signer.sign(LinkPurpose.case_rating, case["id"], case["customer_id"],
                       utcnow() - timedelta(minutes=2))  # fmt: skip
    expired = public.post(f"/ratings/{past}", {"score": 5})
    assert expired.status == 410 and expired.body["error"]["code"] == "link_expired", expired
    assert version_of(as_role, case["id"]) == before


@pytest.fixture
def as_role_customer_case(as_role) -> str:
    """The seeded customer Ahmet's id (another customer than the rated case's)."""
    return as_role("supervisor").get("/customers?customer_number=10000001").body["id"]


@pytest.mark.parametrize(
    "body",
    [
        {"score": 6},
        {"score": 0},
        {"score": "beş"},
        {},
        {"score": 3, "comment": "ç" * 501},
        {"score": 3, "extra": 1},
        # JSON types are kept: no bool, numeric string or float for the score
        {"score": True},
        {"score": "2"},
        {"score": 2.0},
        {"score": 3, "comment": 5},
    ],
)
def test_bad_answers_are_422_and_write_nothing(as_role, rated_case, body):
    case, token, _ = rated_case
    before = version_of(as_role, case["id"])
    answer = as_role(None).post(f"/ratings/{token}", body)
    assert answer.status == 422, answer
    assert version_of(as_role, case["id"]) == before


def test_a_case_not_resolved_takes_no_rating(as_role, drain_routing, group):
    case = resolved(as_role, drain_routing, group)
    agent = as_role("agent")
    status(agent, case["id"], "reopened")
    signer = wiring.link_keys().signer()
    token = signer.sign(LinkPurpose.case_rating, case["id"], case["customer_id"],
                        utcnow() + timedelta(days=1))  # fmt: skip
    refused = as_role(None).post(f"/ratings/{token}", {"score": 5})
    assert refused.status == 409 and refused.body["error"]["code"] == "not_rateable"
    assert as_role(None).get(f"/ratings/{token}").body["can_answer"] is False


def test_a_low_score_puts_a_follow_up_and_tells_the_supervisors(
    as_role, rated_case, drain_notify, mailbox
):
    case, token, _ = rated_case
    assert as_role(None).post(f"/ratings/{token}", {"score": 1, "comment": "Berbat"}).status == 200
    drain_notify()
    to_selin = [m for m in mailbox()["emails"] if m["to"] == ["selin@destek.example"]
                and m["subject"] == f"Düşük memnuniyet puanı: {case['number']} (1/5)"]  # fmt: skip
    assert len(to_selin) == 1, to_selin
    assert "Berbat" not in to_selin[0]["body"]  # the comment stays on the case
    supervisor = as_role("supervisor")
    flagged = all_items(supervisor, "/cases?view=follow_up&limit=100")
    assert case["id"] in [c["id"] for c in flagged]
    view = fresh(supervisor, case["id"])
    assert view["case"]["follow_up"]["score"] == 1 and view["case"]["follow_up"]["done_at"] is None
    assert [h["reason_code"] for h in view["history"] if h["kind"] == "follow_up"] == ["low_rating"]

    note = {"version": view["case"]["version"], "note": "Aradım, özür diledim"}
    done = supervisor.post(f"/cases/{case['id']}/follow-up/done", note)
    assert done.status == 200, done
    assert done.body["follow_up"]["done_by"] == "selin"
    flagged = all_items(supervisor, "/cases?view=follow_up&limit=100")
    assert case["id"] not in [c["id"] for c in flagged]
    again = supervisor.post(
        f"/cases/{case['id']}/follow-up/done", {"version": done.body["version"]}
    )
    assert again.status == 409 and again.body["error"]["code"] == "no_follow_up"


def test_the_agent_records_the_phone_score_apart(as_role, rated_case):
    case, _, _ = rated_case
    agent = as_role("agent")
    version = version_of(as_role, case["id"])
    for bad in ({"version": version, "score": True}, {"version": version, "score": "5"},
                {"version": str(version), "score": 5}):  # fmt: skip
        refused = agent.post(f"/cases/{case['id']}/rating", bad)
        assert refused.status == 422, (bad, refused)
    assert version_of(as_role, case["id"]) == version
    recorded = agent.post(f"/cases/{case['id']}/rating",
                          {"version": version_of(as_role, case["id"]), "score": 5})  # fmt: skip
    assert recorded.status == 201, recorded
    assert recorded.body["agent_rating"]["source"] == "agent"
    assert recorded.body["agent_rating"]["by"] == "mehmet" and recorded.body["rating"] is None
    # a customer may not record one
    ahmet = as_role("customer")
    assert ahmet.post(f"/cases/{case['id']}/rating", {"version": 1, "score": 5}).status == 403


def test_the_satisfaction_report_by_category_and_its_download(
    as_role,
    drain_routing,
    drain_notify,
    mailbox,
    group,
    flow,
    client,
    tokens,
):
    admin = as_role("admin")
    category = admin.post("/categories", {"name": f"Puan {uuid.uuid4().hex[:6]}"}).body["id"]
    public = as_role(None)
    cases = [resolved(as_role, drain_routing, group, category) for _ in range(3)]
    drain_notify()
    links = [token_from_mail(mailbox, c)[0] for c in cases]
    assert public.post(f"/ratings/{links[0]}", {"score": 5}).status == 200
    assert public.post(f"/ratings/{links[1]}", {"score": 2}).status == 200
    assert public.post(f"/ratings/{links[1]}", {"score": 4}).status == 200  # changed: 2 → 4
    mehmet = as_role("agent")
    by_phone = {"version": version_of(as_role, cases[2]["id"]), "score": 1}
    recorded = mehmet.post(f"/cases/{cases[2]['id']}/rating", by_phone)
    assert recorded.status == 201
    flow()
    supervisor = as_role("supervisor")
    table = report(supervisor, "satisfaction", "category")
    mine = row(table, category=category)
    # the customers: 5 and 4 (the 2 taken back); the agent's 1 apart
    assert mine["csat_responses"] == 2 and mine["csat_satisfied"] == 2 and mine["csat"] == 1.0
    assert mine["csat_average"] == 4.5
    assert [mine[f"csat_score_{n}"] for n in range(1, 6)] == [0, 0, 0, 1, 1]
    assert mine["agent_csat_responses"] == 1 and mine["agent_csat"] == 0.0
    by_group = row(report(supervisor, "satisfaction", "group"), group=group)
    assert by_group["csat_responses"] == 2
    agents = row(report(supervisor, "agents", "group,agent"), group=group, agent="mehmet")
    assert agents["csat_responses"] == 2 and agents["csat"] == 1.0

    start, end = period()
    answer = client.http.get(
        f"/reports/satisfaction/export?from={start}&to={end}&by=category&format=csv&lang=en",
        headers={"authorization": f"Bearer {tokens['supervisor']}"},
    )
    assert answer.status_code == 200, answer.body
    rows = list(csv.reader(io.StringIO(answer.body[3:].decode("utf-8"))))  # English: commas
    assert rows[0][:4] == ["Category", "Ratings", "Satisfied (4–5)", "CSAT (%)"]
    named = [r for r in rows if r[0].startswith("Puan ")]
    assert named and named[0][1:4] == ["2", "2", "100"], rows


def test_the_sweeps_close_asks_again_until_answered(
    as_role, drain_routing, drain_notify, mailbox, group, monkeypatch
):
    """Issue 16 asks at every close, "by an agent or closed by the sweep": the SLA sweep's
    automatic close (the reopen window over) sends the customer a closed notice whose link
    rates the case; a case the customer rated already gets the notice without one."""
    unrated = resolved(as_role, drain_routing, group)
    answered = resolved(as_role, drain_routing, group)
    drain_notify()
    token, _ = token_from_mail(mailbox, answered)
    assert as_role(None).post(f"/ratings/{token}", {"score": 4}).status == 200

    later = utcnow() + timedelta(days=8)  # past the 7-day reopen window
    sweep = wiring.sla_sweep()
    monkeypatch.setattr(sweep, "clock", lambda: later)
    monkeypatch.setattr(wiring.notifier(), "clock", lambda: later)  # the notices are due then
    # only this test's cases: the sweep must not close other tests' cases on the shared table
    monkeypatch.setattr(sweep.cases, "due_for_sla",
                        lambda until, limit: [unrated["id"], answered["id"]])  # fmt: skip
    assert sweep.run() == 2
    drain_notify()

    def closed_mail(case: dict) -> dict:
        mails = [m for m in mailbox()["emails"]
                 if m["to"] == [case["email"]]
                 and m["subject"].startswith("Talebiniz kapatıldı")]  # fmt: skip
        assert len(mails) == 1, mails
        return mails[0]

    tokens = set(LINK.findall(closed_mail(unrated)["body"]))
    assert len(tokens) == 1
    closed_token = tokens.pop()
    public = as_role(None)
    shown = public.get(f"/ratings/{closed_token}")
    assert shown.status == 200 and shown.body["can_answer"] is True, shown
    assert public.post(f"/ratings/{closed_token}", {"score": 5}).status == 200
    view = fresh(as_role("supervisor"), unrated["id"])
    assert view["case"]["status"] == "closed"
    assert (view["case"]["rating"]["score"], view["case"]["rating"]["source"]) == (5, "customer")
    assert LINK.findall(closed_mail(answered)["body"]) == []  # rated already: not asked again


def test_the_shops_chosen_scale(as_role, drain_routing, drain_notify, mailbox, group, monkeypatch):
    """RATING_SCALE 3 (Freshdesk's three faces): the email asks from 1 to 3 with a link per
    score, the page is told its scale, a score over it is 422 and writes nothing, and the
    rating keeps its scale; the agent's recorded score is on the same scale."""
    monkeypatch.setattr(wiring.notifier(), "rating_scale", 3)
    monkeypatch.setattr(wiring.rating_service(), "scale", 3)
    case = resolved(as_role, drain_routing, group)
    drain_notify()
    token, mail = token_from_mail(mailbox, case)
    assert "1 (memnun değilim) ile 3 (memnunum)" in mail["body"]
    assert re.findall(r"^\s+(\d): \S+&s=\d$", mail["body"], re.M) == ["1", "2", "3"]
    public = as_role(None)
    assert public.get(f"/ratings/{token}").body["scale"] == 3
    before = version_of(as_role, case["id"])
    over = public.post(f"/ratings/{token}", {"score": 4})
    assert over.status == 422, over
    assert over.body["error"]["details"][0]["type"] == "less_than_equal"
    assert version_of(as_role, case["id"]) == before
    done = public.post(f"/ratings/{token}", {"score": 3})
    assert done.status == 200 and done.body["score"] == 3
    rating = fresh(as_role("supervisor"), case["id"])["case"]["rating"]
    assert (rating["score"], rating["scale"]) == (3, 3)
    agent = as_role("agent")
    refused = agent.post(f"/cases/{case['id']}/rating",
                         {"version": version_of(as_role, case["id"]), "score": 5})  # fmt: skip
    assert refused.status == 422, refused
    assert agent.get("/me").body["rating_scale"] == 5  # the console's setting (unpatched here)


def test_a_customer_on_sms_gets_the_bare_link_in_their_text(
    as_role, drain_routing, drain_notify, mailbox, group
):
    """ "In their language and channel": a customer with only a phone is asked by SMS, with
    the page's bare link (no five links in a text), and that link rates the case."""
    agent = as_role("agent")
    phone = unique_phone()
    body = {"customer": {"name": "SMS Puanlayan", "phone": phone}, "type": "complaint",
            "group_id": group, "subject": "Kırık ekran",
            "description": "Ekran kırık geldi"}  # fmt: skip
    opened = agent.post("/cases", body)
    assert opened.status == 201, opened
    drain_routing()
    act(agent, opened.body["id"], "claim")
    status(agent, opened.body["id"], "resolved")
    drain_notify()
    number = opened.body["number"]
    texts = [
        m["body"] for m in mailbox()["sms"] if number in m["body"] and "Puanlayın" in m["body"]
    ]
    assert len(texts) == 1, texts
    tokens = LINK.findall(texts[0])
    assert len(tokens) == 1 and "&s=" not in texts[0], texts[0]
    public = as_role(None)
    assert public.post(f"/ratings/{tokens[0]}", {"score": 5}).status == 200
    assert fresh(agent, opened.body["id"])["case"]["rating"]["score"] == 5
