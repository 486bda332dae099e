"""Notices through the real notify queue, delivered by SES and SNS (moto), recorded on the case."""

from datetime import UTC, datetime, timedelta

from devstack.lambda_runtime import LocalContext, scheduled_event

from .conftest import open_case


def fire_digests(chalice_app, at: datetime) -> None:
    """The arrivals digests' schedule, as EventBridge fires it at `at`."""
    event = {**scheduled_event("digests", "eu-central-1"),
             "time": at.strftime("%Y-%m-%dT%H:%M:%SZ")}  # fmt: skip
    chalice_app.send_arrival_digests(event, LocalContext("send_arrival_digests"))


def test_customer_hears_of_a_new_case_and_the_group_in_its_digest(
    as_role, drain_routing, drain_notify, mailbox, chalice_app
):
    """The seeded groups keep the default, a 15-minute digest: the member is not mailed per
    case, but once per window, and a second run of the schedule sends nothing again."""
    agent = as_role("agent")
    case = open_case(agent, customer={"email": "fatma@example.com"}, subject="Faturam yanlış")
    drain_routing()
    drain_notify()
    emails = mailbox()["emails"]
    to_customer = [
        m for m in emails if m["to"] == ["fatma@example.com"] and case["number"] in m["subject"]
    ]
    assert [m["subject"] for m in to_customer] == [f"Talebiniz alındı: {case['number']}"]
    assert not [m for m in emails if m["to"] == ["burak@destek.example"]
                and case["number"] in m["subject"] + m["body"]]  # fmt: skip
    found = agent.get(f"/cases/{case['id']}").body
    sent = {n["event"]: n for n in found["notices"]}
    assert sent["case_received"]["status"] == "sent"
    assert sent["case_received"]["deliveries"][0]["to"] == "fatma@example.com"
    assert sent["routed_to_group"]["status"] == "skipped"
    assert sent["routed_to_group"]["note"].startswith("arrivals: digest")

    def digests() -> list[dict]:
        return [m for m in mailbox()["emails"] if m["to"] == ["burak@destek.example"]
                and case["number"] in m["body"]]  # fmt: skip

    later = datetime.now(UTC) + timedelta(minutes=17)  # the case's window closed 2 min before
    fire_digests(chalice_app, later)
    fire_digests(chalice_app, later)  # EventBridge's retry
    [digest] = digests()
    assert "Ödeme ve Fatura havuzunda bekleyen" in digest["subject"]
    assert f"#/case/{case['number']}" in digest["body"]


def test_staff_opt_out_of_notice_emails_and_a_group_refuses_an_unknown_setting(as_role):
    agent, admin = as_role("agent"), as_role("admin")
    assert agent.put("/me/notices", {"email_notices": False}).body["email_notices"] is False
    listed = {m["username"]: m for m in admin.get("/staff").body}
    me = agent.get("/me").body["username"]
    assert listed[me]["email_notices"] is False
    assert agent.put("/me/notices", {"email_notices": True}).body["email_notices"] is True
    assert agent.put("/me/notices", {"email_notices": "maybe"}).status == 422
    assert agent.put("/me/notices", {}).status == 422
    finans = admin.get("/groups/finans").body
    details = {k: finans[k] for k in ("name", "members", "supervisors", "version")}
    assert admin.put("/groups/finans", {**details, "arrivals": "hourly"}).status == 422
    assert admin.put("/groups/finans", {**details, "digest_minutes": 20}).status == 422


def test_reply_reaches_the_customer_by_sms_when_they_prefer_it(
    as_role, aws_env, drain_routing, drain_notify, mailbox
):
    agent = as_role("agent")
    new = agent.post("/customers", {"name": "SMS Müşteri", "phone": "0535 444 55 66"}).body
    case = open_case(agent, customer={"customer_id": new["id"]})
    drain_routing()
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    claimed = agent.post(f"/cases/{case['id']}/claim", {"version": version}).body
    agent.post(
        f"/cases/{case['id']}/replies", {"version": claimed["version"], "body": "Kargonuz yolda"}
    )
    drain_notify()
    texts = [m for m in mailbox()["sms"] if m["to"] == "+905354445566"]
    bodies = " | ".join(m["body"] for m in texts)
    assert f"Talebiniz alındı. Talep no: {case['number']}" in bodies
    assert f"{case['number']} numaralı talebinize yanıt verildi" in bodies


# ---- the agent's side: the owner hears what the customer (or someone else) did ----------

STAFF = "@destek.example"  # the seeded staff's addresses: <username>@destek.example


def deliver_case(api, case_id: str) -> None:
    """Deliver this case's waiting notices, as the notify handler would (the queue holds every
    other test's notices too)."""
    from chalicelib import wiring

    for notice in api.get(f"/cases/{case_id}").body["notices"]:
        if notice["status"] in ("pending", "held"):
            wiring.notifier().deliver(case_id, notice["id"])


def emails_to(mailbox, username: str, number: str, subject: str = "") -> list[dict]:
    """The emails to this staff member about this case (whose subject starts so)."""
    return [
        m for m in mailbox()["emails"]
        if m["to"] == [f"{username}{STAFF}"] and number in m["subject"]
        and m["subject"].startswith(subject)
    ]  # fmt: skip


def claimed_by_mehmet(as_role, drain_routing, **customer) -> dict:
    agent = as_role("agent")
    case = open_case(agent, customer=customer or {"customer_number": "10000001"})
    drain_routing()
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    claimed = agent.post(f"/cases/{case['id']}/claim", {"version": version})
    assert claimed.status == 200, claimed
    return claimed.body


def transactions_during(run) -> list[list[dict]]:
    """The TransactItems of every transaction the app writes while `run` runs."""
    from chalicelib.store.aws import client as aws_client

    seen: list[list[dict]] = []
    hook = lambda params, **_: seen.append(params["TransactItems"])  # noqa: E731
    events = aws_client("dynamodb").meta.events
    events.register("before-parameter-build.dynamodb.TransactWriteItems", hook)
    try:
        run()
    finally:
        events.unregister("before-parameter-build.dynamodb.TransactWriteItems", hook)
    return seen


def test_a_customers_reply_on_the_site_is_written_with_its_notice_and_mailed_to_the_assignee(
    as_role, drain_routing, mailbox
):
    case = claimed_by_mehmet(as_role, drain_routing)
    ahmet = as_role("customer")

    def reply():
        answer = ahmet.post(f"/cases/{case['id']}/replies",
                            {"version": case["version"], "body": "Kargo hâlâ gelmedi"})  # fmt: skip
        assert answer.status == 201, answer

    (transaction,) = transactions_during(reply)
    puts = [op["Put"]["Item"] for op in transaction if "Put" in op]
    # one write: the case, its history line, its notice and its event
    assert {i["entity"]["S"] for i in puts} == {"case", "history", "notice", "event"}
    event = next(i for i in puts if i["entity"]["S"] == "event")
    assert event["type"]["S"] == "destek.case.customer_replied"
    notice = next(i for i in puts if i["entity"]["S"] == "notice")
    assert notice["event"]["S"] == "customer_replied" and notice["audience"]["S"] == "assignee"
    deliver_case(as_role("agent"), case["id"])
    (sent,) = emails_to(mailbox, "mehmet", case["number"], "Müşteri yanıt verdi")
    assert "Kargo hâlâ gelmedi" in sent["body"] and "Ahmet Yılmaz" in sent["body"]


def test_not_solved_reopens_and_the_assignee_is_mailed_the_reason(as_role, drain_routing, mailbox):
    agent = as_role("agent")
    case = claimed_by_mehmet(as_role, drain_routing)
    resolved = agent.post(f"/cases/{case['id']}/status",
                          {"version": case["version"], "status": "resolved"}).body  # fmt: skip
    answer = as_role("customer").post(f"/cases/{case['id']}/resolution", {
        "version": resolved["version"], "solved": False, "comment": "Yine çalışmıyor"})  # fmt: skip
    assert answer.status == 200 and answer.body["status"] == "reopened", answer
    deliver_case(agent, case["id"])
    (sent,) = emails_to(mailbox, "mehmet", case["number"], "Talep yeniden açıldı")
    assert "çözülmediğini yazdı" in sent["body"] and "Yine çalışmıyor" in sent["body"]


def test_a_supervisors_reassignment_reaches_the_new_assignee_not_the_supervisor(
    as_role, drain_routing, mailbox
):
    case = claimed_by_mehmet(as_role, drain_routing)
    selin = as_role("supervisor")
    moved = selin.post(f"/cases/{case['id']}/assign",
                       {"version": case["version"], "assignee": "elif"})  # fmt: skip
    assert moved.status == 200, moved
    deliver_case(selin, case["id"])
    (sent,) = emails_to(mailbox, "elif", case["number"], "Size atandı")
    assert "Selin" in sent["body"] and "tarafından size atandı" in sent["body"]
    assert emails_to(mailbox, "selin", case["number"]) == []


def test_an_escalation_naming_the_assignee_reaches_them_as_their_own(
    as_role, chalice_app, drain_routing, mailbox, monkeypatch
):
    from datetime import timedelta

    from chalicelib import wiring
    from chalicelib.domain.clock import utcnow
    from devstack.lambda_runtime import LocalContext, scheduled_event

    agent = as_role("agent")
    case = open_case(agent, priority="urgent", customer={"customer_number": "10000001"})
    drain_routing()
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    agent.post(f"/cases/{case['id']}/claim", {"version": version})
    later = utcnow() + timedelta(minutes=31)  # past the urgent 30-minute first response
    monkeypatch.setattr(wiring.sla_sweep(), "clock", lambda: later)
    monkeypatch.setattr(wiring.notifier(), "clock", lambda: later)  # the notices are due then
    chalice_app.sweep_sla(scheduled_event("sweep", "eu-central-1"), LocalContext("s"))
    notices = agent.get(f"/cases/{case['id']}").body["notices"]
    mine = [n for n in notices if n["event"] == "escalated_to_you"]
    assert [n["audience"] for n in mine] == ["assignee"]
    group = next(n for n in notices if n["event"] == "sla_escalation")
    assert group["exclude"] == ["mehmet"]
    deliver_case(agent, case["id"])
    subjects = [m["subject"] for m in emails_to(mailbox, "mehmet", case["number"])]
    assert f"Size yükseltildi (seviye 1): {case['number']}" in subjects
    assert not any(s.startswith("Yükseltme") for s in subjects)  # the group's, without him


def test_routing_files_the_digest_groups_arrival_itself(as_role, drain_routing):
    """Routing settles the group's arrival in its own write (issue 21): the notice is
    `skipped` with its digest window as soon as the case is routed, the arrival is filed
    under that window, and the notice never waits in the outbox for the notifier."""
    from chalicelib import wiring
    from chalicelib.domain.clock import from_iso, to_iso
    from chalicelib.domain.staff_notices import window_start

    agent = as_role("agent")
    case = open_case(agent, subject="Faturam yanlış")
    drain_routing()  # and no notifier
    found = agent.get(f"/cases/{case['id']}").body
    routed = next(n for n in found["notices"] if n["event"] == "routed_to_group")
    assert routed["status"] == "skipped" and routed["note"].startswith("arrivals: digest ")
    start = from_iso(routed["note"].removeprefix("arrivals: digest "))
    assert start == window_start(from_iso(routed["created_at"]), 15)
    arrivals, _ = wiring.arrival_digests().arrivals.window(found["case"]["group_id"], start)
    assert case["id"] in [a.case_id for a in arrivals]
    store = wiring.notifier().notices
    later = datetime.now(UTC) + timedelta(days=1)
    assert (case["id"], routed["id"]) not in store.awaiting(to_iso(later), 1000)
