"""The standard reports on a moto server: cases made and worked through the API, their events
carried as in AWS (the table's stream read as Lambda reads it, the events bus's rule to the
`reports` queue, its handler), and every report number compared with what the test counts
itself from what it did. Also: an event delivered twice counts once, what a report reads
does not grow with the cases, bad input is a 4xx, and a rebuild from the event log gives
the same numbers twice."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.clock import ISTANBUL, utcnow
from chalicelib.domain.report_projection import bucket, percentile
from devstack.lambda_runtime import LocalContext, scheduled_event
from tests.support import unique_phone

from .conftest import aws, case_event_reader, empty_queue


@pytest.fixture
def flow(aws_env, client, chalice_app):
    """`flow()`: the stream to the bus (and so to the reports queue), then the queue to its
    handler, until both are empty."""
    from devstack.dispatcher import Binding, Dispatcher

    sqs = aws(aws_env, "sqs")
    url = aws_env["REPORTS_QUEUE_URL"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    binding = Binding(url, arn["Attributes"]["QueueArn"], chalice_app.project_reports,
                      "project_reports", 10)  # fmt: skip
    reports = Dispatcher(sqs, [binding], aws_env["AWS_REGION"], 0)
    reader = case_event_reader(aws_env, chalice_app)

    def run() -> int:
        reader.drain()
        handled = 0
        while True:
            n = reports.drain()
            handled += n
            if not n:
                return handled

    run()  # what earlier tests left on the queue is theirs
    yield run
    for other in ("WEBHOOKS_QUEUE_URL", "ARCHIVE_QUEUE_URL"):  # the other rules' copies
        if aws_env.get(other):
            empty_queue(sqs, aws_env[other])


def today() -> str:
    return utcnow().astimezone(ISTANBUL).date().isoformat()


def period() -> tuple[str, str]:
    """Today in Istanbul, with a day either side (a test that runs across midnight)."""
    now = utcnow().astimezone(ISTANBUL).date()
    return (now - timedelta(days=1)).isoformat(), (now + timedelta(days=1)).isoformat()


def report(api, name: str, by: str = "") -> dict:
    start, end = period()
    answer = api.get(f"/reports/{name}?from={start}&to={end}" + (f"&by={by}" if by else ""))
    assert answer.status == 200, answer
    return answer.body


def row(table: dict, **values) -> dict:
    found = [r for r in table["rows"] if all(r[k] == v for k, v in values.items())]
    assert len(found) == 1, (values, table["rows"])
    return found[0]


def test_a_rebuild_goes_on_in_the_invocation_that_takes_its_step(
    as_role, group, flow, drain_routing, aws_env, chalice_app, monkeypatch
):
    """Alone on the queue each rebuild step would wait out the reports queue's 30 s batching
    window: the invocation that takes a step goes on with the next ones while it has time
    (pages of 2 events here, so there are several), each step still sending its next
    message; those find their pages done later and are dropped, not failed, and the numbers
    are the live ones."""
    from devstack.dispatcher import Binding, Dispatcher

    work, admin = as_role("supervisor"), as_role("admin")
    for channel in ("phone", "web"):
        open_in(work, group, channel, "complaint")
        drain_routing()
    flow()
    live = report(work, "volume", "group")
    built = wiring.report_rebuild

    def small_pages():
        rebuild = built()
        rebuild.page = 2
        return rebuild

    monkeypatch.setattr(wiring, "report_rebuild", small_pages)
    sqs = aws(aws_env, "sqs")
    url, dead = aws_env["REPORTS_QUEUE_URL"], aws_env["REPORTS_DLQ_URL"]
    dead_before = _visible(sqs, dead)
    started = admin.post("/reports/rebuild", {"from": today()})
    assert started.status == 202, started
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    calls = []

    def project_reports(event, context):
        calls.append(len(event["Records"]))
        return chalice_app.project_reports(event, context)

    binding = Binding(url, arn["Attributes"]["QueueArn"], project_reports, "project_reports",
                      100, timeout_seconds=30)  # fmt: skip
    assert Dispatcher(sqs, [binding], aws_env["AWS_REGION"], 0).poll_once(binding) == 1
    assert calls == [1]  # the first step's message alone
    after_one = admin.get("/reports/rebuild/status").body
    assert after_one["done"] or after_one["pages"] >= 2, after_one  # more than its own page
    monkeypatch.setattr(wiring, "report_rebuild", built)  # the rest at the usual pages
    flow()  # the steps' own messages: dropped; then the rest of the rebuild
    done = admin.get("/reports/rebuild/status").body
    assert done["done"] and done["live"] == started.body["version"]
    assert _visible(sqs, dead) == dead_before  # no step message failed its way out
    assert row(report(work, "volume", "group"), group=group) == row(live, group=group)


def _visible(sqs, url: str) -> int:
    wanted = ["ApproximateNumberOfMessages"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=wanted)
    return int(attributes["Attributes"]["ApproximateNumberOfMessages"])


@pytest.fixture
def group(as_role) -> str:
    """A group of this test's own, so its rows hold only this test's cases."""
    group_id = f"rp{uuid.uuid4().hex[:8]}"
    answer = as_role("admin").put(f"/groups/{group_id}", {"name": "Rapor", "members": ["mehmet"],
                                                         "supervisors": ["selin"]})  # fmt: skip
    assert answer.status == 200, answer
    return group_id


def open_in(api, group_id: str, channel: str, case_type: str, priority: str = "normal",
            **more: str) -> dict:  # fmt: skip
    body = {"customer": {"name": "Rapor Müşterisi", "phone": unique_phone()},
            "type": case_type, "channel": channel, "priority": priority, "group_id": group_id,
            "subject": f"Rapor {channel} {case_type}",
            "description": "Rapor senaryosu", **more}  # fmt: skip
    answer = api.post("/cases", body)
    assert answer.status == 201, answer
    return answer.body


def fresh(api, case_id: str) -> dict:
    return api.get(f"/cases/{case_id}").body


def act(api, case_id: str, path: str, **body) -> dict:
    version = fresh(api, case_id)["case"]["version"]
    answer = api.post(f"/cases/{case_id}/{path}", {"version": version, **body})
    assert answer.status in (200, 201), (path, answer)
    return answer.body


def status(api, case_id: str, to: str) -> dict:
    return act(api, case_id, "status", status=to)


def minutes(case: dict, field: str) -> float:
    from chalicelib.domain.clock import from_iso

    return (from_iso(case[field]) - from_iso(case["created_at"])).total_seconds() / 60


def test_every_report_number_matches_what_the_test_did(
    as_role, group, flow, drain_routing, chalice_app, monkeypatch
):
    work = as_role("supervisor")  # may claim any group's case: selin
    one = open_in(work, group, "phone", "complaint")
    two = open_in(work, group, "email", "question")
    three = open_in(work, group, "web", "complaint", priority="urgent")
    four = open_in(work, group, "phone", "request")
    drain_routing()
    # three is left unanswered past its 30-minute first response target (policy "Acil")
    later = utcnow() + timedelta(minutes=31)
    monkeypatch.setattr(wiring.sla_sweep(), "clock", lambda: later)
    chalice_app.sweep_sla(scheduled_event("sweep", "eu-central-1"), LocalContext("s"))
    monkeypatch.undo()
    for case in (one, two, three):
        act(work, case["id"], "claim")
    act(work, one["id"], "replies", body="Merhaba, çözdük.")
    status(work, one["id"], "resolved")
    act(work, two["id"], "replies", body="İlk yanıt")
    act(work, two["id"], "replies", body="İkinci yanıt")
    status(work, two["id"], "resolved")
    status(work, two["id"], "reopened")
    status(work, two["id"], "in_progress")
    status(work, two["id"], "resolved")
    status(work, two["id"], "closed")
    act(work, three["id"], "replies", body="Geç kaldık, bakıyoruz.")
    assert flow() > 0

    cases = {c["id"]: fresh(work, c["id"]) for c in (one, two, three, four)}
    escalations = sum(1 for c in cases.values() for e in c["history"]
                      if e["kind"] == "sla" and e["data"].get("kind") == "escalation")  # fmt: skip
    assert escalations >= 1
    expected = {
        "opened": 4, "complaints": 2, "resolved": 3, "closed": 1, "reopened": 1, "replies": 4,
        "fcr": 1, "escalations": escalations,
        "replies_per_resolved": round((1 + 2 + 2) / 3, 2),  # replies had at each resolution
        "fcr_share": 1 / 3,
    }  # fmt: skip
    volume = report(work, "volume", "group")
    mine = row(volume, group=group)
    for key, value in expected.items():
        assert mine[key] == pytest.approx(value), key
    # first response: one, two and three answered; medians read from the same buckets
    first = [minutes(c["case"], "first_response_at") for c in cases.values()
             if c["case"].get("first_response_at")]  # fmt: skip
    assert len(first) == 3
    histogram = [0] * 15
    for m in first:
        histogram[bucket(m)] += 1
    assert mine["first_response_median"] == pytest.approx(percentile(histogram, 0.5), abs=0.1)
    assert mine["first_response_p90"] == pytest.approx(percentile(histogram, 0.9), abs=0.1)

    # by group and channel, and by group and type: each row is the test's own count
    by_channel = report(work, "volume", "group,channel")
    assert row(by_channel, group=group, channel="phone")["opened"] == 2
    assert row(by_channel, group=group, channel="email")["opened"] == 1
    assert row(by_channel, group=group, channel="web")["opened"] == 1
    assert [r["group"] for r in by_channel["rows"]].count(group) == 3
    by_agent = report(work, "agents", "group,agent")
    selin = row(by_agent, group=group, agent="selin")
    assert (selin["resolved"], selin["replies"], selin["reopened"]) == (3, 4, 1)
    assert selin["reopen_rate"] == pytest.approx(1 / 3)

    # SLA: first response met by one and two, breached by three (the sweep); resolution met
    # by one, and by two at each of its resolutions (a reopened case is resolved again)
    sla = row(report(work, "sla", "group"), group=group)
    assert (sla["sla_first_response_met"], sla["sla_first_response_breached"]) == (2, 1)
    assert (sla["sla_resolution_met"], sla["sla_resolution_breached"]) == (3, 0)
    assert sla["sla_first_response_share"] == pytest.approx(2 / 3)
    assert sla["sla_share"] == pytest.approx(5 / 6)
    breached = work.get(f"/reports/sla/breached?from={period()[0]}&to={period()[1]}"
                        f"&group={group}").body  # fmt: skip
    assert [(b["case_id"], b["number"], b["subject"], b["target"]) for b in breached["items"]] == [
        (three["id"], three["number"], three["subject"], "first_response")]  # fmt: skip

    # backlog at the end of today: three (in progress) and four (in the pool)
    backlog = report(work, "backlog", "group,day")
    assert row(backlog, group=group, day=today())["backlog"] == 2
    assert row(report(work, "backlog", "group"), group=group)["backlog"] == 2

    # the totals are those of every case (other tests' too, on this shared stack): the sum
    # of every group's row, and the all-cases counters read without a dimension agree
    everything = report(work, "volume")
    for key in ("opened", "complaints", "resolved", "closed", "reopened", "replies", "fcr"):
        assert volume["totals"][key] == sum(r[key] for r in volume["rows"]), key
        assert everything["totals"][key] == volume["totals"][key], key
        assert everything["totals"][key] >= expected[key]
    backlog_all = report(work, "backlog")["totals"]["backlog"]
    assert backlog_all == sum(r["backlog"] for r in report(work, "backlog", "group")["rows"])


def test_an_event_delivered_twice_counts_once(as_role, group, flow, drain_routing, chalice_app):
    from devstack.lambda_runtime import LocalContext as Context

    work = as_role("supervisor")
    case = open_in(work, group, "chat", "question")
    drain_routing()
    act(work, case["id"], "claim")
    act(work, case["id"], "replies", body="Yanıt")
    flow()
    first = row(report(work, "volume", "group"), group=group)
    from chalicelib.store.cases import DynamoCaseStore

    events = DynamoCaseStore(wiring.table()).events(case["id"])  # as the bus carries them
    storage = {"PK", "SK", "entity", "expires_at", "queue_pk", "created_sk"}
    records = [
        {"messageId": str(uuid.uuid4()), "receiptHandle": "r", "body": json.dumps(
            {"detail-type": e["type"], "source": "destek.cases",
             "detail": {k: v for k, v in e.items() if k not in storage}}),
         "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0",
                        "SenderId": "s", "ApproximateFirstReceiveTimestamp": "0"},
         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
         "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:destek-reports",
         "awsRegion": "eu-central-1"}
        for e in events
    ]  # fmt: skip
    for _ in range(2):
        answer = chalice_app.project_reports({"Records": records}, Context("reports"))
        assert answer["batchItemFailures"] == []
    again = row(report(work, "volume", "group"), group=group)
    assert again == first
    assert (again["opened"], again["replies"]) == (1, 1)


def test_an_opening_is_counted_once_when_routing_reaches_the_projection(
    as_role, group, flow, drain_routing
):
    """Issue 21: the opening alone writes the case's report state (one PutItem) and no
    counter; routing counts it where it puts the case, on the opening's day."""
    from chalicelib.services.report_projection import read_versions
    from chalicelib.store.reports import DynamoReportStore, state_key

    work = as_role("supervisor")
    live = read_versions(DynamoReportStore(wiring.table())).live  # a rebuild test may move it
    case = open_in(work, group, "phone", "complaint", priority="low")
    flow()  # the opening reaches the projection before routing
    assert not [r for r in report(work, "volume", "group")["rows"] if r["group"] == group]
    item = wiring.table().get(state_key(live, case["id"]))
    assert item["state"]["opening_pending"] is True and item["state"]["active"] is False
    drain_routing()
    flow()
    counted = row(report(work, "volume", "group"), group=group)
    assert (counted["opened"], counted["complaints"]) == (1, 1)
    assert row(report(work, "backlog", "group"), group=group)["backlog"] == 1
    item = wiring.table().get(state_key(live, case["id"]))
    assert item["state"]["opening_pending"] is False and item["state"]["routed"] is True


def test_a_category_edited_by_hand_counts_the_later_resolution_under_the_new_one(
    as_role, group, flow, drain_routing
):
    admin = as_role("admin")
    old, new = (admin.post("/categories", {"name": f"Rapor {uuid.uuid4().hex[:6]}"}).body["id"]
                for _ in range(2))  # fmt: skip
    work = as_role("supervisor")
    case = open_in(work, group, "phone", "complaint", category_id=old)
    drain_routing()
    act(work, case["id"], "claim")
    flow()
    assert row(report(work, "backlog", "group,category"), group=group, category=old)[
        "backlog"] == 1  # fmt: skip
    version = fresh(work, case["id"])["case"]["version"]
    edited = work.patch(f"/cases/{case['id']}", {"version": version, "category_id": new,
                                                 "subject": "Rapor: başka konu"})  # fmt: skip
    assert edited.status == 200, edited
    # the edit's own event, from the stream to the reports queue: the backlog moves with it
    assert flow() == 1
    from chalicelib.store.cases import DynamoCaseStore

    [event] = [e for e in DynamoCaseStore(wiring.table()).events(case["id"])
               if e["type"] == "destek.case.fields_changed"]  # fmt: skip
    assert event["data"] == {"fields": ["category_id", "subject"], "category_id": new,
                             "previous_category_id": old, "priority": None,
                             "previous_priority": None, "case_type": None,
                             "previous_case_type": None}  # fmt: skip
    backlog = report(work, "backlog", "group,category")
    assert row(backlog, group=group, category=old)["backlog"] == 0
    assert row(backlog, group=group, category=new)["backlog"] == 1
    status(work, case["id"], "resolved")
    flow()
    # the opening stays under the category it was opened in; the resolution is the new one's
    volume = report(work, "volume", "group,category")
    assert (row(volume, group=group, category=old)["opened"],
            row(volume, group=group, category=old)["resolved"]) == (1, 0)  # fmt: skip
    assert (row(volume, group=group, category=new)["opened"],
            row(volume, group=group, category=new)["resolved"]) == (0, 1)  # fmt: skip
    assert row(report(work, "volume", "category"), category=new)["resolved"] == 1
    assert row(report(work, "backlog", "group,category"), group=group, category=new)[
        "backlog"] == 0  # fmt: skip


def test_what_a_report_reads_does_not_grow_with_the_cases(as_role, group, flow, drain_routing):
    work = as_role("supervisor")
    open_in(work, group, "phone", "complaint")
    drain_routing()
    flow()
    day = today()
    reads = {by: report(work, "volume", by)["items_read"] for by in ("", "group", "day")}
    for _ in range(5):
        open_in(work, group, "phone", "complaint")
    drain_routing()
    flow()
    if today() == day:  # across Istanbul's midnight a new day holds items of its own
        assert {by: report(work, "volume", by)["items_read"] for by in reads} == reads
    assert row(report(work, "volume", "group"), group=group)["opened"] == 6


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("/reports/volume?from=2026-03-10&to=2026-03-01", 422, "invalid_period"),
        ("/reports/volume?from=2024-01-01&to=2026-03-01", 422, "period_too_long"),
        ("/reports/topics?from=9999-12-01&to=9999-12-31", 422, "invalid_period"),
        ("/reports/backlog?from=0001-01-01&to=0001-01-02", 422, "invalid_period"),
        ("/reports/volume?from=2026-03-01&to=2026-03-02&by=group,colour", 422,
         "invalid_dimensions"),
        ("/reports/volume?from=2026-03-01&to=2026-03-02&by=type,priority", 422,
         "unsupported_dimensions"),
        ("/reports/volume?from=2026-03-01&to=2026-03-02&by=group,group", 422,
         "invalid_dimensions"),
        ("/reports/volume?from=2026-03-01&to=2026-03-02&by=group,day,channel", 422,
         "invalid_dimensions"),
        ("/reports/volume?from=2026-03-01", 422, "invalid_input"),
        ("/reports/volume?from=yesterday&to=2026-03-02", 422, "invalid_input"),
        ("/reports/weather?from=2026-03-01&to=2026-03-02", 404, "not_found"),
        ("/reports/products?from=2026-03-01&to=2026-03-02&by=channel", 422,
         "invalid_dimensions"),
        ("/reports/topics?from=2026-03-01&to=2026-03-02&by=group", 422, "invalid_dimensions"),
        ("/reports/sla/breached?from=2026-03-01&to=2026-03-02&target=lunch", 422,
         "invalid_input"),
    ],
)  # fmt: skip
def test_bad_questions_are_4xx(as_role, query, status, code):
    answer = as_role("supervisor").get(query)
    assert (answer.status, answer.body["error"]["code"]) == (status, code), answer


def test_who_may_read_reports_and_rebuild_them(as_role):
    day = today()
    path = f"/reports/volume?from={day}&to={day}"
    assert as_role("agent").get(path).status == 403
    assert as_role("supervisor").get(path).status == 200
    assert as_role("admin").get(path).status == 200
    assert as_role("supervisor").post("/reports/rebuild", {}).status == 403
    action = {"action": "Kargo firmasını arayın", "link": "https://example.com/kargo"}
    assert as_role("agent").put("/reports/topics/category/x", action).status == 403
    refused = as_role("supervisor").put("/reports/topics/category/x", {**action, "link": "ftp:x"})
    assert refused.status == 422
    # older than the log (29 days) and than the archive's first day (a test's month is at
    # most 62 days back): out of range
    far = (utcnow().astimezone(ISTANBUL).date() - timedelta(days=1000)).isoformat()
    refused = as_role("admin").post("/reports/rebuild", {"from": far})
    assert (refused.status, refused.body["error"]["code"]) == (422, "rebuild_out_of_range")


def test_a_rebuild_from_the_event_log_gives_the_live_numbers(as_role, group, flow, drain_routing):
    """One rebuild of today from the log (it reads every event the worker's stack had today:
    the slow part). Twice the same numbers: the scripted month's two rebuilds over the
    archive and the log (test_report_month.py) and the unit tests."""
    work, admin = as_role("supervisor"), as_role("admin")
    for channel in ("phone", "web"):
        case = open_in(work, group, channel, "complaint")
        drain_routing()
        act(work, case["id"], "claim")
        act(work, case["id"], "replies", body="Yanıt")
        if channel == "phone":
            status(work, case["id"], "resolved")
    flow()
    live = {name: report(work, name, "group") for name in ("volume", "sla", "agents")}
    started = admin.post("/reports/rebuild", {"from": today()})
    assert started.status == 202, started
    flow()
    done = admin.get("/reports/rebuild/status").body
    assert done["done"] and done["live"] == started.body["version"]
    for name, table in live.items():
        rebuilt = report(work, name, "group")
        assert row(rebuilt, group=group) == row(table, group=group), name


def test_top_complaint_topics_against_the_previous_period_with_their_actions(
    as_role, group, flow, drain_routing
):
    admin, work = as_role("admin"), as_role("supervisor")
    word = "rapor" + "".join(chr(ord("a") + int(c, 16) % 26) for c in uuid.uuid4().hex[:8])
    rule = admin.post("/routing-rules", {"name": "Rapor konusu", "phrases": [word], "order": 0,
                                         "group_id": group})  # fmt: skip
    assert rule.status == 201, rule
    topic = rule.body["id"]
    for case_type in ("complaint", "complaint", "question"):
        body = {
            "customer": {"name": "Konu Müşterisi", "phone": unique_phone()},
            "type": case_type,
            "subject": f"{word} sorunu",
            "description": f"{word} bozuk",
        }
        assert work.post("/cases", body).status == 201
    drain_routing()
    flow()
    action = {"action": "Önce yazılım güncellemesini önerin", "link": "https://example.com/k/1"}
    saved = work.put(f"/reports/topics/topic/{topic}", action)
    assert saved.status == 200 and saved.body["updated_by"] == "selin", saved
    table = report(work, "topics")
    assert table["by"] == ["topic"] and table["previous_end"] < table["start"]
    mine = row(table, topic=topic)
    assert (mine["complaints"], mine["previous_complaints"], mine["change"], mine["opened"]) == (
        2, 0, 2, 3)  # fmt: skip
    assert (mine["action"], mine["link"]) == (action["action"], action["link"])
    complaints = [r["complaints"] for r in table["rows"]]
    assert complaints == sorted(complaints, reverse=True)  # most complained about first
    listed = work.get("/reports/topics/topic").body
    assert any(a["value"] == topic and a["action"] == action["action"] for a in listed)
    assert work.call("DELETE", f"/reports/topics/topic/{topic}").status == 204
    assert row(report(work, "topics"), topic=topic)["action"] is None
    assert work.call("DELETE", f"/reports/topics/topic/{topic}").status == 404


def test_product_complaints_per_registered_unit_in_and_out_of_warranty(
    as_role, flow, drain_routing
):
    admin, work = as_role("admin"), as_role("supervisor")
    product = admin.post("/products", {"brand": "Rapor", "model": f"R{uuid.uuid4().hex[:6]}",
                                       "name": "Rapor Telefonu", "category_id": "telefon",
                                       "warranty_months": 24})  # fmt: skip
    assert product.status == 201, product
    product_id, group = product.body["id"], product.body["product_group"]
    this_year = utcnow().astimezone(ISTANBUL).date().replace(day=1).isoformat()
    units = []  # (customer id, registration id, in warranty)
    for purchased in (this_year, this_year, "2020-01-15"):
        customer = work.post("/customers", {"name": "Ürün Müşterisi", "phone": unique_phone()})
        assert customer.status == 201, customer
        serial = f"SN-RP-{uuid.uuid4().hex[:10]}"
        registered = work.post(
            f"/customers/{customer.body['id']}/products",
            {"product_id": product_id, "serial_number": serial, "purchase_date": purchased},
        )
        assert registered.status == 201, registered
        units.append((customer.body["id"], registered.body["id"], purchased == this_year))
    for (customer_id, registration_id, _), case_type in zip(
        units + units[:1], ["complaint", "complaint", "complaint", "question"], strict=True
    ):  # fmt: skip
        body = {
            "customer": {"customer_id": customer_id},
            "type": case_type,
            "registration_id": registration_id,
            "subject": "Ekran",
            "description": "Ekran",
        }
        assert work.post("/cases", body).status == 201
    drain_routing()
    flow()
    table = report(work, "products", "product")
    mine = row(table, product=product_id)
    assert (mine["complaints"], mine["units"], mine["complaints_per_1000_units"]) == (
        3, 3, 1000.0)  # fmt: skip
    assert (mine["complaints_in_warranty"], mine["units_in_warranty"]) == (2, 2)
    assert (mine["complaints_out_warranty"], mine["units_out_warranty"]) == (1, 1)
    by_group = row(report(work, "products", "product_group,product"), product=product_id)
    assert by_group["product_group"] == group and by_group["complaints"] == 3
    # a registration removed is a unit less
    customer_id, registration_id, _ = units[2]
    removed = work.call("DELETE", f"/customers/{customer_id}/products/{registration_id}")
    assert removed.status == 204, removed
    assert row(report(work, "products", "product"), product=product_id)["units"] == 2


def test_the_report_its_csv_its_xlsx_and_the_same_question_in_sql_agree(
    as_role, group, flow, drain_routing, aws_env, client, tokens
):
    """One scripted day in a group of the test's own, asked four ways: the API's table, the
    CSV and the XLSX downloads of it, and SQL over the open data store's archive of the
    same events (the archive queue fed by its own rule, written as Parquet, read by DuckDB)."""
    import csv
    import io

    from devstack.event_archive import ArchiveWriter, QueueArchiver
    from tests.xlsx_reader import read_xlsx

    writer = ArchiveWriter(aws(aws_env, "s3"), aws_env["ARCHIVE_BUCKET"])
    archiver = QueueArchiver(aws(aws_env, "sqs"), aws_env["ARCHIVE_QUEUE_URL"], writer)
    work = as_role("supervisor")
    cases = [open_in(work, group, channel, "complaint") for channel in ("phone", "email", "web")]
    drain_routing()
    act(work, cases[0]["id"], "claim")
    act(work, cases[0]["id"], "replies", body="Çözdük.")
    status(work, cases[0]["id"], "resolved")
    assert flow() > 0
    archiver.drain()

    table = report(work, "volume", "group")
    mine = row(table, group=group)
    at = 1 + table["rows"].index(mine)  # the files keep the table's rows in order, after a header
    assert (mine["opened"], mine["complaints"], mine["resolved"], mine["replies"]) == (3, 3, 1, 1)

    start, end = period()
    path = f"/reports/volume/export?from={start}&to={end}&by=group&lang=en"
    headers = {"authorization": f"Bearer {tokens['supervisor']}"}
    answer = client.http.get(path + "&format=csv", headers=headers)
    assert answer.status_code == 200, answer.body
    lines = list(csv.reader(io.StringIO(answer.body.decode("utf-8-sig"))))
    head, found = lines[0], lines[at]
    assert found[0] == "Rapor"  # the group's name, not its id
    for key, word in (("opened", "Opened"), ("complaints", "Complaints"),
                      ("resolved", "Resolved"), ("replies", "Agent replies")):  # fmt: skip
        assert int(found[head.index(word)]) == mine[key], key
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    answer = client.http.get(path + "&format=xlsx", headers={**headers, "accept": xlsx})
    assert answer.status_code == 200, answer.body
    book = read_xlsx(answer.body)
    sheet_row = book.rows[at]
    assert sheet_row[book.rows[0].index("Opened")] == mine["opened"]
    assert sheet_row[book.rows[0].index("Resolved")] == mine["resolved"]

    ids = ", ".join(f"'{c['id']}'" for c in cases)
    sql = ("SELECT count(*) FILTER (WHERE type = 'destek.case.opened'),"
           " count(*) FILTER (WHERE type = 'destek.case.resolved'),"
           " count(*) FILTER (WHERE type = 'destek.case.agent_replied'),"
           " count(DISTINCT case_id) FILTER (WHERE type = 'destek.case.routed'"
           f" AND group_id = '{group}')"
           f" FROM events WHERE case_id IN ({ids})")  # fmt: skip
    asked = work.post("/analytics/sql", {"sql": sql})
    assert asked.status == 200, asked
    assert asked.body["rows"] == [[mine["opened"], mine["resolved"], mine["replies"], 3]]
