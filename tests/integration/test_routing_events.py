"""The routing queue's handler and the reconciler, with SQS-shaped events and a real queue."""

import json
import uuid
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.clock import utcnow
from devstack.lambda_runtime import LocalContext, scheduled_event

from .conftest import aws, open_case


def record(body: str) -> dict:
    """An SQS record with its own messageId (chalice's generated events all share one)."""
    return {
        "messageId": str(uuid.uuid4()),
        "receiptHandle": str(uuid.uuid4()),
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1795425186267",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1795425186267",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-central-1:123456789012:destek-routing",
        "awsRegion": "eu-central-1",
    }


def opened(case: dict) -> str:
    return json.dumps({"type": "case.opened", "case_id": case["id"], "number": case["number"]})


def history_kinds(api, case_id):
    return [e["kind"] for e in api.get(f"/cases/{case_id}").body["history"]]


def test_partial_batch_failure_reports_only_the_bad_records(as_role, chalice_app, drain_routing):
    agent = as_role("agent")
    case = open_case(agent)
    drain_routing()  # the real message; the batch below is a redelivery of it plus poison
    good = record(opened(case))
    garbage = record("{not json")
    missing = record(json.dumps({"type": "case.opened", "case_id": "c-gone"}))
    wrong_kind = record(json.dumps({"type": "case.deleted", "case_id": case["id"]}))
    result = chalice_app.route_cases(
        {"Records": [good, garbage, missing, wrong_kind]}, LocalContext("route_cases")
    )
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    assert failed == {garbage["messageId"], missing["messageId"], wrong_kind["messageId"]}
    assert history_kinds(agent, case["id"]).count("routed") == 1


def test_redelivery_routes_once(as_role, chalice_app):
    agent = as_role("agent")
    case = open_case(agent)
    event = {"Records": [record(opened(case)), record(opened(case))]}
    for _ in range(2):
        assert (
            chalice_app.route_cases(event, LocalContext("route_cases"))["batchItemFailures"] == []
        )
    assert history_kinds(agent, case["id"]).count("routed") == 1
    assert agent.get(f"/cases/{case['id']}").body["case"]["status"] == "open"


def test_poison_message_ends_in_the_dead_letter_queue(aws_env, drain_routing):
    sqs = aws(aws_env, "sqs")
    sqs.send_message(QueueUrl=aws_env["ROUTING_QUEUE_URL"], MessageBody="poison")
    for _ in range(4):  # maxReceiveCount is 2 in the test stack
        drain_routing()
    dead = sqs.receive_message(QueueUrl=aws_env["ROUTING_DLQ_URL"], MaxNumberOfMessages=10)
    bodies = [m["Body"] for m in dead.get("Messages", [])]
    assert "poison" in bodies
    left = sqs.get_queue_attributes(
        QueueUrl=aws_env["ROUTING_QUEUE_URL"], AttributeNames=["ApproximateNumberOfMessages"]
    )["Attributes"]["ApproximateNumberOfMessages"]
    assert left == "0"


class BrokenQueue:
    def case_opened(self, case_id, number):
        raise ConnectionError("SQS unreachable")


@pytest.fixture
def lost_sends(monkeypatch):
    monkeypatch.setattr(wiring.case_service(), "events", BrokenQueue())


def test_case_whose_message_was_lost_is_routed_by_the_reconciler(
    as_role, chalice_app, drain_routing, lost_sends, monkeypatch
):
    agent = as_role("agent")
    case = open_case(agent)  # written, but its routing message never left
    drain_routing()
    assert agent.get(f"/cases/{case['id']}").body["case"]["status"] == "new"
    chalice_app.reconcile_routing(scheduled_event("reconcile", "eu-central-1"), LocalContext("r"))
    drain_routing()
    assert agent.get(f"/cases/{case['id']}").body["case"]["status"] == "new"  # still in grace
    later = utcnow() + timedelta(minutes=3)
    monkeypatch.setattr(wiring.routing_service(), "clock", lambda: later)
    chalice_app.reconcile_routing(scheduled_event("reconcile", "eu-central-1"), LocalContext("r"))
    drain_routing()
    routed = agent.get(f"/cases/{case['id']}").body
    assert routed["case"]["status"] == "open"
    assert history_kinds(agent, case["id"]).count("routed") == 1


def test_keyword_rule_routes_and_history_says_why(as_role, drain_routing):
    agent = as_role("agent")
    case = open_case(agent, subject="KARGOM gelmedi", description="kargoya verilmiş diyorlar")
    drain_routing()
    found = agent.get(f"/cases/{case['id']}").body
    assert found["case"]["group_id"] == "teslimat"
    assert found["case"]["category_id"] == "k-teslimat"
    routed = next(e for e in found["history"] if e["kind"] == "routed")
    assert routed["reason_code"] == "rule_matched"
    assert routed["data"]["rule_name"] == "Kargo ve teslimat"
    assert routed["data"]["matched"] == ["KARGOM"]
    assert routed["changes"]["group_id"] == {"from": None, "to": "teslimat"}


def test_admin_adds_a_rule_and_tests_a_sample(as_role, drain_routing):
    admin = as_role("admin")
    sample = {"text": "Garanti belgem kayboldu"}
    before = admin.post("/routing-rules/test", sample).body
    assert before["group_id"] == "urun" and before["rule_id"] is None
    rule = admin.post(
        "/routing-rules",
        {"name": "Garanti", "order": 1, "phrases": ["garanti belge"], "group_id": "finans",
         "priority_bump": 1},
    )  # fmt: skip
    assert rule.status == 201, rule
    try:
        after = admin.post("/routing-rules/test", sample).body
        assert after["group_id"] == "finans"
        assert after["matched"] == ["Garanti belgem"]
        assert after["priority"] == "high"
        case = open_case(as_role("agent"), subject="GARANTİ BELGEM yok", description="?")
        drain_routing()
        routed = as_role("agent").get(f"/cases/{case['id']}").body["case"]
        assert (routed["group_id"], routed["priority"]) == ("finans", "high")
    finally:
        assert admin.call("DELETE", f"/routing-rules/{rule.body['id']}").status == 204
    assert admin.post("/routing-rules/test", sample).body["group_id"] == "urun"


def test_rule_refusals(as_role):
    admin = as_role("admin")
    bad = [
        {"name": "x", "phrases": [], "group_id": "urun"},
        {"name": "x", "phrases": ["a b"], "group_id": "nowhere"},
        {"name": "x", "phrases": ["kargo"], "group_id": "urun", "priority_bump": 9},
        {"name": "x", "phrases": ["kargo"], "group_id": "urun", "set_category_id": "k-none"},
        {"name": "x", "phrases": ["k"], "group_id": "urun"},  # a rule holds 2 to 100 characters
    ]
    for body in bad:
        assert admin.post("/routing-rules", body).status == 422, body
    assert admin.call("DELETE", "/routing-rules/r-nothing").status == 404
    assert (
        admin.put(
            "/routing-rules/r-nothing", {"name": "x", "phrases": ["kargo"], "group_id": "urun"}
        ).status
        == 404
    )


def test_routed_case_shows_its_sla_targets(as_role, drain_routing):
    agent = as_role("agent")
    case = open_case(agent, priority="urgent")
    drain_routing()
    found = agent.get(f"/cases/{case['id']}").body
    assert found["case"]["sla"]["policy_name"] == "Acil"
    kinds = [t["kind"] for t in found["targets"]]
    assert kinds == ["first_response", "resolution"]
    first = found["targets"][0]
    assert first["state"] == "running" and 0 < first["minutes_left"] <= 30
    routed = next(e for e in found["history"] if e["kind"] == "routed")
    assert routed["data"]["sla_policy"] == "Acil"


def test_sweep_through_the_schedule_handler_reads_the_sparse_index(
    as_role, chalice_app, drain_routing, monkeypatch
):
    agent = as_role("agent")
    case = open_case(agent, priority="urgent")
    drain_routing()
    later = utcnow() + timedelta(minutes=31)  # past the 30-minute first response target
    monkeypatch.setattr(wiring.sla_sweep(), "clock", lambda: later)
    for _ in range(2):  # a second run finds nothing new
        chalice_app.sweep_sla(scheduled_event("sweep", "eu-central-1"), LocalContext("s"))
    history = agent.get(f"/cases/{case['id']}").body["history"]
    sla = [(e["data"]["kind"], e["data"]["target"]) for e in history if e["kind"] == "sla"]
    assert ("breach", "first_response") in sla
    assert sla.count(("breach", "first_response")) == 1
    assert ("escalation", "first_response") in sla


def test_sla_config_refusals(as_role):
    admin = as_role("admin")
    assert admin.post("/sla-policies", {"name": "x"}).status == 422
    assert admin.post("/sla-policies", {"name": "x", "resolution_minutes": 0}).status == 422
    assert (
        admin.post(
            "/sla-policies", {"name": "x", "resolution_minutes": 5, "category_id": "k-no"}
        ).status
        == 422
    )
    late_first = {"name": "x", "levels": [{"after_minutes": 60, "notify": "supervisors"},
                                          {"after_minutes": 0, "notify": "managers"}]}  # fmt: skip
    assert admin.post("/escalation-ladders", late_first).status == 422
    assert admin.put("/calendars/c1", {"name": "x", "weekdays": []}).status == 422
    assert admin.put("/calendars/c1", {"name": "x", "timezone": "Mars/Base"}).status == 422
    assert (
        admin.put("/calendars/c1", {"name": "x", "opens": "18:00", "closes": "09:00"}).status == 422
    )
    assert (
        admin.put(
            "/groups/urun", {"name": "Ürün", "calendar_id": "nope", "is_default": True}
        ).status
        == 422
    )


def test_admin_redrives_the_dead_letter_queue(as_role, aws_env, drain_routing):
    sqs = aws(aws_env, "sqs")
    case = open_case(as_role("agent"))
    drain_routing()
    # a good message that failed earlier (say the table was throttled) sits in the DLQ
    sqs.send_message(QueueUrl=aws_env["ROUTING_DLQ_URL"], MessageBody=opened(case))
    admin = as_role("admin")
    counts = {q["queue"]: q["messages"] for q in admin.get("/dead-letters").body}
    assert counts["routing"] >= 1
    moved = admin.post("/dead-letters/routing/redrive", {"limit": 50})
    assert moved.status == 200 and moved.body["moved"] >= 1
    assert {q["queue"]: q["messages"] for q in admin.get("/dead-letters").body}["routing"] == 0
    drain_routing()  # redelivered; routing is idempotent, poison fails back to the DLQ again
    assert admin.post("/dead-letters/nowhere/redrive", {}).status == 404


def test_group_assigns_routed_cases_automatically(as_role, drain_routing, tokens):
    admin = as_role("admin")
    finans = {"name": "Ödeme ve Fatura", "members": ["burak"], "supervisors": ["selin"]}
    assert admin.put("/groups/finans", {**finans, "auto_assign": "fewest_open"}).status == 200
    try:
        case = open_case(as_role("agent"), subject="Ödeme iki kez çekildi")
        drain_routing()
        found = as_role("agent").get(f"/cases/{case['id']}").body
        assert (found["case"]["group_id"], found["case"]["assignee"]) == ("finans", "burak")
        assert found["case"]["status"] == "in_progress"
        assert found["history"][-1]["reason_code"] == "auto_assigned"
    finally:
        assert admin.put("/groups/finans", finans).status == 200
