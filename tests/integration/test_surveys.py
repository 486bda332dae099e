"""A planned survey on a seeded segment, end to end: customers made here with known
categories, products, consents and last-survey dates; the run's sample, throttling and
consent filtering checked against values computed here, independently; invitations in SES;
an answer through the link; an opt-out that takes effect at once; bad input refused with
nothing written."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.integration.test_signed_calls import post, signed
from tests.support import unique_phone

from .conftest import _drainer

TEXT = {"tr": "Memnun musunuz?", "en": "Are you satisfied?"}
QUESTIONS = [
    {"id": "overall", "kind": "rating", "text": TEXT},
    {"id": "nps", "kind": "nps", "text": TEXT},
    {"id": "liked", "kind": "multiple_choice", "text": TEXT, "required": False,
     "choices": [{"id": "speed", "text": TEXT}, {"id": "tone", "text": TEXT}]},
    {"id": "words", "kind": "free_text", "text": TEXT, "required": False, "max_bytes": 20},
]  # fmt: skip
SEED = 987654321
LINK = re.compile(r"survey\.html\?t=([A-Za-z0-9_-]+)")
OPT_OUT = re.compile(r"opt-out\.html\?t=([A-Za-z0-9_-]+)")


@pytest.fixture
def drain_surveys(aws_env, client, chalice_app):
    return _drainer(aws_env, "SURVEYS_QUEUE_URL", chalice_app.run_surveys, "run_surveys")


def in_sample_order(seed: int, ids: list[str]) -> list[str]:
    """The run's order, computed here: SHA-256 of the seed, a unit separator and the id."""
    return sorted(ids, key=lambda c: hashlib.sha256(f"{seed}\x1f{c}".encode()).hexdigest()[:16])


def shop_customer(api, shop, number: str, category: str, email: str) -> str:
    body = {"customer_number": number, "name": f"Müşteri {number}", "email": email,
            "phone": unique_phone(), "category": category}  # fmt: skip
    status, answer = post(api, f"/integrations/{shop}/customers", signed(body))
    assert status == 200, answer
    return answer["customer_id"]


def consent(api, shop, number: str, granted: bool, at: datetime | None = None) -> dict:
    change = {"channel": "email", "granted": granted}
    if at:
        change["at"] = at.isoformat()
    status, answer = post(api, f"/integrations/{shop}/consents",
                          signed({"customer_number": number, "changes": [change]}))  # fmt: skip
    assert status == 200, answer
    return answer


def mark_surveyed(customer_id: str, at: datetime) -> None:
    """A last-survey date, as an earlier run would have left it."""
    from chalicelib import wiring
    from chalicelib.domain.clock import to_iso
    from chalicelib.store import keys

    wiring.table().put({**keys.surveyed_key(customer_id), "last_at": to_iso(at),
                        "run_id": "an-earlier-run", "entity": "surveyed"})  # fmt: skip


def mails_to(mailbox, address: str) -> list[dict]:
    return [m for m in mailbox()["emails"] if address in m["to"]]


def run_now(admin, draft: dict, drain) -> dict:
    created = admin.post("/surveys", draft)
    assert created.status == 201, created
    survey = created.body
    started = admin.post(f"/surveys/{survey['id']}/status",
                         {"status": "active", "version": survey["version"]})  # fmt: skip
    assert started.status == 200, started
    from chalicelib.events import surveys

    assert surveys.tick()["started"] >= 1
    drain()
    detail = admin.get(f"/surveys/{survey['id']}")
    assert detail.status == 200, detail
    return detail.body


def test_a_planned_survey_on_a_seeded_segment(api, shop, as_role, mailbox, drain_surveys):
    admin, supervisor = as_role("admin"), as_role("supervisor")
    tag = uuid.uuid4().hex[:8]
    brand = f"Marka{tag}"
    product = admin.post("/products", {"brand": brand, "model": "M1", "name": f"Ürün {tag}",
                                       "category_id": "telefon"})  # fmt: skip
    assert product.status == 201, product
    now = datetime.now(UTC)

    # 20 customers of the brand: 14 VIP (the segment), 6 normal (outside it); 2 VIP without
    # the product (outside it too)
    people = []
    for i in range(22):
        number = f"SV-{tag}-{i:02d}"
        email = f"sv{tag}{i:02d}@example.com"
        category = "vip" if i < 14 or i >= 20 else "normal"
        cid = shop_customer(api, shop, number, category, email)
        if i < 20:
            registered = admin.post(f"/customers/{cid}/products", {
                "product_id": product.body["id"], "serial_number": f"SN{tag}{i:02d}",
                "purchase_date": "2026-06-01"})  # fmt: skip
            assert registered.status == 201, registered
        people.append({"i": i, "id": cid, "number": number, "email": email,
                       "category": category})  # fmt: skip
    segment = [p for p in people if p["category"] == "vip" and p["i"] < 20]
    assert len(segment) == 14

    # consent: granted for all but 0-1 (never asked) and 2-3 (granted, then withdrawn);
    # an old grant arriving after the withdrawal of 3 does not undo it
    for p in people:
        if p["i"] not in (0, 1):
            consent(api, shop, p["number"], True, now - timedelta(days=30))
    for p in people[2:4]:
        consent(api, shop, p["number"], False, now - timedelta(days=1))
    consent(api, shop, people[3]["number"], True, now - timedelta(days=5))
    standing = admin.get(f"/customers/{people[3]['id']}/consents").body
    assert standing["channels"][0]["granted"] is False and len(standing["history"]) == 3

    # last surveys: 4-5 ten days ago (throttled at 90 days), 6 a hundred days ago (not)
    for p in people[4:6]:
        mark_surveyed(p["id"], now - timedelta(days=10))
    mark_surveyed(people[6]["id"], now - timedelta(days=100))

    draft = {"name": f"Anket {tag}", "questions": QUESTIONS, "channel": "email",
             "segment": {"customer_categories": ["vip"], "brands": [brand]},
             "sample": {"kind": "percent", "percent": 75}, "seed": SEED,
             "schedule": {"frequency": "once",
                          "start_at": (now - timedelta(minutes=1)).isoformat()}}  # fmt: skip
    detail = run_now(supervisor, draft, drain_surveys)

    # independently: 75% of 14 is 10.5, rounded half up: 11, the first 11 in seed order
    order = in_sample_order(SEED, [p["id"] for p in segment])
    sampled = set(order[:11])
    by_id = {p["id"]: p for p in people}
    expect = {"no_consent": 0, "throttled": 0, "invited": 0}
    for cid in sampled:
        i = by_id[cid]["i"]
        reason = "no_consent" if i in (0, 1, 2, 3) else "throttled" if i in (4, 5) else "invited"
        expect[reason] += 1
    (run,) = detail["runs"]
    assert run["seed"] == SEED and run["phase"] == "done"
    counts = run["counts"]
    assert counts["matched"] == 14 and counts["sampled"] == 11
    assert {k: counts[k] for k in expect} == expect, counts
    assert counts["sent"] == expect["invited"] and counts["answered"] == 0

    # the mails: one to each invited customer, none to anyone else
    for p in people:
        got = mails_to(mailbox, p["email"])
        invited = p["id"] in sampled and p["i"] not in range(6)
        assert len(got) == (1 if invited else 0), (p, got)
    invited = [p for p in people if p["id"] in sampled and p["i"] not in range(6)]
    first = invited[0]
    body = mails_to(mailbox, first["email"])[0]["body"]
    token = LINK.search(body).group(1)
    opt_token = OPT_OUT.search(body).group(1)

    # the link: GET shows and records nothing; bad answers 422 and nothing written
    public = as_role(None)
    page = public.get(f"/survey-links/{token}")
    assert page.status == 200, page
    assert [q["id"] for q in page.body["questions"]] == ["overall", "nps", "liked", "words"]
    assert page.body["answered_at"] is None
    bad = public.post(f"/survey-links/{token}", {"answers": {"overall": 9, "nps": 3}})
    assert bad.status == 422 and bad.body["error"]["code"] == "invalid_answers", bad
    too_long = public.post(f"/survey-links/{token}",
                           {"answers": {"overall": 4, "nps": 3, "words": "ş" * 11}})  # fmt: skip
    assert too_long.status == 422
    assert public.get(f"/survey-links/{token}").body["answered_at"] is None
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert public.get(f"/survey-links/{forged}").status == 404
    assert (
        public.post(f"/survey-links/{forged}", {"answers": {"overall": 4, "nps": 3}}).status == 404
    )

    answered = public.post(f"/survey-links/{token}",
                           {"answers": {"overall": 4, "nps": 9, "liked": ["tone"]}})  # fmt: skip
    assert answered.status == 200 and answered.body["first"] is True, answered
    changed = public.post(f"/survey-links/{token}", {"answers": {"overall": 5, "nps": 10}})
    assert changed.status == 200 and changed.body["first"] is False
    again = supervisor.get(f"/surveys/{detail['survey']['id']}").body
    assert again["runs"][0]["counts"]["answered"] == 1  # the last answer counts, once
    assert again["response_rate"] == pytest.approx(1 / expect["invited"])
    csv = supervisor.get(f"/surveys/{detail['survey']['id']}/answers/export?format=csv&lang=en")
    assert csv.status == 200, csv
    lines = csv.body.strip().splitlines()
    cells = lines[1].split(",")
    assert len(lines) == 2 and cells[2] == first["id"] and cells[4:6] == ["5", "10"], lines
    book = api.client.http.get(
        f"/surveys/{detail['survey']['id']}/answers/export?format=xlsx&lang=en",
        headers={"authorization": f"Bearer {supervisor.token}", "accept": "*/*"})  # fmt: skip
    assert book.status_code == 200, book.body
    from tests.xlsx_reader import read_xlsx

    rows = read_xlsx(book.body).rows
    assert len(rows) == 2 and rows[0][4:6] == lines[0].split(",")[4:6], (rows, lines)
    assert rows[1][2] == first["id"] and rows[1][4:6] == [5, 10], rows  # numbers as numbers

    # opt-out: GET changes nothing; POST (a mail client's one-click form) stops it at once
    looked = public.get(f"/opt-out/{opt_token}")
    assert looked.status == 200 and looked.body == {"channel": "email", "withdrawn": False}
    mine = admin.get(f"/customers/{first['id']}/consents").body
    assert mine["channels"][0]["granted"] is True
    one_click = api.client.http.post(f"/opt-out/{opt_token}", body="List-Unsubscribe=One-Click",
        headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert one_click.status_code == 200, one_click.body
    after = admin.get(f"/customers/{first['id']}/consents").body
    assert after["channels"][0]["granted"] is False
    assert after["history"][0]["source"] == "opt_out_link"
    assert public.get(f"/opt-out/{opt_token}").body["withdrawn"] is True

    # the next run (a second survey on the same segment, throttle 1 day so nobody is held
    # by the first): the opted-out customer is skipped for no consent
    supervisor.put("/survey-settings", {"throttle_days": 1})
    try:
        second = run_now(supervisor, {**draft, "name": f"İkinci {tag}",
                                      "sample": {"kind": "all"}}, drain_surveys)  # fmt: skip
    finally:
        supervisor.put("/survey-settings", {"throttle_days": 90})
    counts2 = second["runs"][0]["counts"]
    assert counts2["sampled"] == 14
    # no consent: 0-3 and the one who opted out; the first run's invitees were surveyed
    # minutes ago, within a day: throttled; 4-5 are ten days back, past a day: invited
    no_consent = {p["id"] for p in segment if p["i"] < 4} | {first["id"]}
    throttled = {p["id"] for p in invited} - {first["id"]}
    assert counts2["no_consent"] == len(no_consent), counts2
    assert counts2["throttled"] == len(throttled), counts2
    assert counts2["invited"] == 14 - len(no_consent) - len(throttled)
    assert len(mails_to(mailbox, first["email"])) == 1  # nothing more after the opt-out


def test_bad_input_is_refused_and_writes_nothing(api, as_role, table_items):
    supervisor, public = as_role("supervisor"), as_role(None)

    def stored() -> list[dict]:  # but the public routes' rate-limit counters
        return [i for i in table_items() if not i["PK"]["S"].startswith("RATE#")]

    before = stored()
    bad_drafts = [
        {"name": "x", "questions": [], "schedule": {"start_at": "2026-12-01T00:00:00Z"}},
        {"name": "x", "questions": [{"id": "q", "kind": "single_choice", "text": TEXT,
                                     "choices": [{"id": "a", "text": TEXT}]}],
         "schedule": {"start_at": "2026-12-01T00:00:00Z"}},
        {"name": "x", "questions": [{"id": "q", "kind": "rating", "text": TEXT}],
         "sample": {"kind": "percent"}, "schedule": {"start_at": "2026-12-01T00:00:00Z"}},
        {"name": "x", "questions": [{"id": "q", "kind": "rating", "text": TEXT}],
         "schedule": {"frequency": "daily", "start_at": "2026-12-01T00:00:00Z"}},
    ]  # fmt: skip
    for draft in bad_drafts:
        answer = supervisor.post("/surveys", draft)
        assert answer.status == 422, answer
    assert supervisor.put("/survey-settings", {"throttle_days": 0}).status == 422
    token = "A" * 67
    assert public.get(f"/survey-links/{token}").status == 404
    assert public.post(f"/survey-links/{token}", {"answers": {"q": 1}}).status == 404
    assert public.get(f"/opt-out/{token}").status == 404
    assert public.post(f"/opt-out/{token}").status == 404
    assert supervisor.get("/surveys/nosuch").status == 404
    assert stored() == before


def test_an_active_survey_cannot_be_changed_and_a_paused_one_can(as_role):
    supervisor = as_role("supervisor")
    draft = {
        "name": "Değişim",
        "questions": [{"id": "q", "kind": "rating", "text": TEXT}],
        "schedule": {"frequency": "weekly", "start_at": "2030-01-01T07:00:00Z"},
    }
    made = supervisor.post("/surveys", draft).body
    active = supervisor.post(f"/surveys/{made['id']}/status",
                             {"status": "active", "version": made["version"]}).body  # fmt: skip
    assert active["next_run_at"].startswith("2030-01-01")
    refused = supervisor.put(f"/surveys/{made['id']}", {**draft, "version": active["version"]})
    assert refused.status == 409 and refused.body["error"]["code"] == "survey_not_editable"
    paused = supervisor.post(f"/surveys/{made['id']}/status",
                             {"status": "paused", "version": active["version"]}).body  # fmt: skip
    assert paused["next_run_at"] is None
    renamed = {**draft, "name": "Yeni ad", "version": paused["version"]}
    changed = supervisor.put(f"/surveys/{made['id']}", renamed)
    assert changed.status == 200 and changed.body["name"] == "Yeni ad"
    stale = supervisor.put(f"/surveys/{made['id']}", {**draft, "version": paused["version"]})
    assert stale.status == 409
    ended = supervisor.post(f"/surveys/{made['id']}/status",
                            {"status": "ended", "version": changed.body["version"]})  # fmt: skip
    assert ended.status == 200
    assert as_role("agent").get("/surveys").status == 403


def test_quiet_hours_delay_an_invitation_and_an_opt_out_meanwhile_cancels_it(
    api, shop, as_role, mailbox, drain_surveys, monkeypatch
):
    """Two customers inside their quiet hours: both invitations wait (counted as delayed,
    nothing sent); one withdraws consent meanwhile; when the hours end the tick sends the
    other's, with RFC 8058's headers, and cancels the first's."""
    from zoneinfo import ZoneInfo

    from chalicelib import wiring

    admin, supervisor = as_role("admin"), as_role("supervisor")
    tag = uuid.uuid4().hex[:8]
    brand = f"Sessiz{tag}"
    product = admin.post("/products", {"brand": brand, "model": "M", "name": f"Ü {tag}",
                                       "category_id": "telefon"}).body  # fmt: skip
    now = datetime.now(UTC)
    local = now.astimezone(ZoneInfo("Europe/Istanbul"))
    quiet = {"channel": "email", "timezone": "Europe/Istanbul",
             "quiet_from": (local - timedelta(hours=1)).strftime("%H:%M"),
             "quiet_until": (local + timedelta(hours=2)).strftime("%H:%M")}  # fmt: skip
    people = []
    for i in range(2):
        number, email = f"QH-{tag}-{i}", f"qh{tag}{i}@example.com"
        cid = shop_customer(api, shop, number, "normal", email)
        admin.post(f"/customers/{cid}/products", {"product_id": product["id"],
                   "serial_number": f"QH{tag}{i}", "purchase_date": "2026-06-01"})  # fmt: skip
        version = admin.get(f"/customers/{cid}").body["version"]
        changed = admin.patch(f"/customers/{cid}", {"version": version, "contact": quiet})
        assert changed.status == 200, changed
        consent(api, shop, number, True, now - timedelta(days=1))
        people.append({"id": cid, "number": number, "email": email})

    draft = {"name": f"Sessiz {tag}", "questions": QUESTIONS[:1], "channel": "email",
             "segment": {"brands": [brand]},
             "schedule": {"start_at": (now - timedelta(minutes=1)).isoformat()}}  # fmt: skip
    detail = run_now(supervisor, draft, drain_surveys)
    counts = detail["runs"][0]["counts"]
    assert (counts["invited"], counts["quiet_delayed"], counts["sent"]) == (2, 2, 0), counts
    assert all(not mails_to(mailbox, p["email"]) for p in people)

    consent(api, shop, people[0]["number"], False)
    sent_headers: list[dict] = []
    runner = wiring.survey_runner()
    real_email = runner.sender.email

    def recording(to, subject, body, html=None, headers=None):
        sent_headers.append(dict(headers or ()))
        return real_email(to, subject, body, html=html, headers=headers)

    monkeypatch.setattr(runner.sender, "email", recording)
    monkeypatch.setattr(runner, "clock", lambda: now + timedelta(hours=3))
    from chalicelib.events import surveys

    assert surveys.tick()["handed_out"] >= 2
    drain_surveys()
    counts = supervisor.get(f"/surveys/{detail['survey']['id']}").body["runs"][0]["counts"]
    assert (counts["sent"], counts["cancelled"]) == (1, 1), counts
    assert not mails_to(mailbox, people[0]["email"])
    (mail,) = mails_to(mailbox, people[1]["email"])
    (headers,) = sent_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    opt_token = OPT_OUT.search(mail["body"]).group(1)
    assert headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000/opt-out/{opt_token}>"


def test_answers_of_the_wrong_json_type_and_oversize_bodies_are_refused(
    api, shop, as_role, mailbox, drain_surveys
):
    """Each answer keeps its JSON type (`true` is no score, `"2"` no NPS, a number no choice or
    text); an unknown top-level field is a 422; the one-click opt-out form is held to the
    64 KiB body limit (413); a public read refuses unknown query parameters. Nothing is
    recorded by any of them."""
    admin, supervisor, public = as_role("admin"), as_role("supervisor"), as_role(None)
    tag = uuid.uuid4().hex[:8]
    brand = f"Tip{tag}"
    product = admin.post("/products", {"brand": brand, "model": "M", "name": f"Ürün {tag}",
                                       "category_id": "telefon"}).body  # fmt: skip
    number, email = f"TY-{tag}", f"ty{tag}@example.com"
    cid = shop_customer(api, shop, number, "normal", email)
    admin.post(f"/customers/{cid}/products", {"product_id": product["id"],
               "serial_number": f"TY{tag}", "purchase_date": "2026-06-01"})  # fmt: skip
    consent(api, shop, number, True, datetime.now(UTC) - timedelta(days=3))
    start = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    draft = {"name": f"Tipler {tag}", "questions": QUESTIONS, "channel": "email",
             "segment": {"brands": [brand]}, "schedule": {"start_at": start}}  # fmt: skip
    supervisor.put("/survey-settings", {"throttle_days": 1})
    try:
        run_now(supervisor, draft, drain_surveys)
    finally:
        supervisor.put("/survey-settings", {"throttle_days": 90})
    (mail,) = mails_to(mailbox, email)
    token = LINK.search(mail["body"]).group(1)
    opt_token = OPT_OUT.search(mail["body"]).group(1)

    for answers in (
        {"overall": True, "nps": 3},
        {"overall": 4, "nps": False},
        {"overall": "4", "nps": 3},
        {"overall": 4.0, "nps": 3},
        {"overall": 4, "nps": 3, "liked": "tone"},
        {"overall": 4, "nps": 3, "liked": [1]},
        {"overall": 4, "nps": 3, "words": 12},
    ):
        bad = public.post(f"/survey-links/{token}", {"answers": answers})
        assert bad.status == 422, (answers, bad)
    extra = public.post(f"/survey-links/{token}", {"answers": {"overall": 4, "nps": 3}, "x": 1})
    assert extra.status == 422 and extra.body["error"]["details"][0]["field"] == "x", extra
    assert public.get(f"/survey-links/{token}?x=1").status == 422
    assert public.get(f"/survey-links/{token}").body["answered_at"] is None

    huge = "List-Unsubscribe=One-Click&pad=" + "a" * (64 * 1024)
    refused = api.client.http.post(f"/opt-out/{opt_token}", body=huge,
        headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert refused.status_code == 413, refused.body
    assert public.get(f"/opt-out/{opt_token}").body["withdrawn"] is False
    assert public.get(f"/opt-out/{opt_token}?x=1").status == 422

    # the shop's signed call: a string or a number for `granted` is no consent change
    for granted in ("false", 0):
        change = {"channel": "email", "granted": granted}
        status, answer = post(api, f"/integrations/{shop}/consents",
                              signed({"customer_number": number, "changes": [change]}))  # fmt: skip
        assert status == 422, answer
    assert admin.get(f"/customers/{cid}/consents").body["channels"][0]["granted"] is True
    ok = public.post(f"/survey-links/{token}", {"answers": {"overall": 4, "nps": 3}})
    assert ok.status == 200, ok


def test_the_shops_consent_call_answers_the_entry_it_recorded(api, shop):
    """Not an empty `history` right after recording a change (docs/surveys.md)."""
    number = f"CH-{uuid.uuid4().hex[:8]}"
    shop_customer(api, shop, number, "normal", f"{number.lower()}@example.com")
    given = datetime.now(UTC).replace(microsecond=0) - timedelta(days=3)
    answered = consent(api, shop, number, True, given)
    (entry,) = answered["history"]
    assert (entry["channel"], entry["granted"], entry["source"]) == ("email", True, "shop")
    assert datetime.fromisoformat(entry["at"]) == given
    assert answered["channels"][0]["granted"] is True
    withdrawn = consent(api, shop, number, False)  # a second call answers its own entry only
    assert [(e["granted"], e["source"]) for e in withdrawn["history"]] == [(False, "shop")]


def test_the_customer_sets_their_consent_on_their_profile(api, aws_env, as_role):
    """Issue 16: consent is settable by the shop's backend and by the customer's profile,
    with its source and time; staff see the change with source `customer`."""
    from tests.support import sign_up

    email = f"izin-{uuid.uuid4().hex[:8]}@example.com"
    me = api.as_(sign_up(aws_env, email)["id"])
    made = me.post("/my/account", {"name": "İzin Veren"})
    assert made.status in (200, 201), made
    customer_id = made.body["id"]
    before = me.get("/my/consents")
    assert before.status == 200 and not any(c["granted"] for c in before.body["channels"])
    ahead = datetime.now(UTC) - timedelta(seconds=5)
    granted = me.put("/my/consents", {"changes": [{"channel": "email", "granted": True}]})
    assert granted.status == 200, granted
    assert [(c["channel"], c["granted"], c["source"]) for c in granted.body["channels"]] == [
        ("email", True, "customer")
    ]
    (entry,) = granted.body["history"]
    assert entry["source"] == "customer" and datetime.fromisoformat(entry["at"]) >= ahead
    staff = as_role("admin").get(f"/customers/{customer_id}/consents").body
    assert (staff["channels"][0]["granted"], staff["channels"][0]["source"]) == (True, "customer")
    withdrawn = me.put("/my/consents", {"changes": [{"channel": "email", "granted": False}]})
    assert withdrawn.body["channels"][0]["granted"] is False
    assert me.get("/my/consents").body["channels"][0]["granted"] is False
    assert [e["granted"] for e in as_role("admin").get(
        f"/customers/{customer_id}/consents").body["history"]] == [False, True]  # fmt: skip


def test_customers_with_no_contact_in_n_days(api, shop, as_role, mailbox, drain_surveys):
    """Issue 16's "customers with no contact in N days", through a run: of four customers of
    a brand, one never contacted us, one opened a case today, one called today and one called
    60 days ago; with no contact in 30 days, the first and the last are the segment."""
    admin, supervisor, agent = as_role("admin"), as_role("supervisor"), as_role("agent")
    tag = uuid.uuid4().hex[:8]
    brand = f"Sessiz{tag}"
    product = admin.post("/products", {"brand": brand, "model": "M1", "name": f"Ürün {tag}",
                                       "category_id": "telefon"})  # fmt: skip
    assert product.status == 201, product
    ids = []
    for i in range(4):
        number = f"NC-{tag}-{i}"
        cid = shop_customer(api, shop, number, "normal", f"nc{tag}{i}@example.com")
        registered = admin.post(f"/customers/{cid}/products", {
            "product_id": product.body["id"], "serial_number": f"NC{tag}{i}",
            "purchase_date": "2026-06-01"})  # fmt: skip
        assert registered.status == 201, registered
        consent(api, shop, number, True)
        ids.append(cid)
    now = datetime.now(UTC)
    opened = agent.post("/cases", {"customer": {"customer_id": ids[1]}, "type": "question",
                                   "subject": "Soru", "description": "Bir sorum var"})  # fmt: skip
    assert opened.status == 201, opened
    for cid, when in ((ids[2], now - timedelta(minutes=5)), (ids[3], now - timedelta(days=60))):
        call = agent.post(f"/customers/{cid}/calls", {
            "direction": "inbound", "outcome": "answered", "duration_seconds": 60,
            "started_at": when.isoformat(), "number": "0537 123 98 76"})  # fmt: skip
        assert call.status == 201, call
    draft = {"name": f"Sessizler {tag}", "questions": QUESTIONS[:1], "channel": "email",
             "segment": {"brands": [brand], "no_contact_days": 30},
             "schedule": {"frequency": "once",
                          "start_at": (now - timedelta(minutes=1)).isoformat()}}  # fmt: skip
    detail = run_now(supervisor, draft, drain_surveys)
    counts = detail["runs"][0]["counts"]
    assert (counts["matched"], counts["invited"]) == (2, 2), counts
    invited = [i for i in range(4) if mails_to(mailbox, f"nc{tag}{i}@example.com")]
    assert invited == [0, 3]
