"""The local stack as a new user runs it: real HTTP, real tokens, real queues and schedules."""

from __future__ import annotations

import boto3

from chalicelib.domain.cases import Actor, Case, EntryKind, HistoryEntry
from chalicelib.domain.clock import utcnow
from chalicelib.domain.ids import new_id
from chalicelib.store.cases import DynamoCaseStore
from chalicelib.store.dynamo import Table
from tests.support import free_port

from .conftest import eventually, start_stack


def aws(stack, service):
    return boto3.client(
        service,
        endpoint_url=stack.env["AWS_ENDPOINT_URL"],
        region_name=stack.env["AWS_REGION"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def test_phone_intake_to_resolution(stack, http):
    agent, supervisor = http("mehmet"), http("selin")
    assert http(None).call("GET", "/cases")[0] == 401
    status, case = agent.call(
        "POST",
        "/cases",
        {"customer": {"phone": "+90 532 123 45 67"}, "type": "complaint",
         "subject": "Ürün arızalı", "description": "Kutudan kırık çıktı"},
    )  # fmt: skip
    assert status == 201, case
    assert case["status"] == "new"

    def routed():
        found = agent.call("GET", f"/cases/{case['number']}")[1]
        return found if found["case"]["status"] == "open" else None

    found = eventually(routed)  # the dispatcher fed the routing queue to the router
    assert found["case"]["group_id"] == "urun"
    pool = supervisor.call("GET", "/cases?view=pool&group_id=urun")[1]
    assert case["id"] in [c["id"] for c in pool["items"]]
    version = found["case"]["version"]
    status, claimed = agent.call("POST", f"/cases/{case['id']}/claim", {"version": version})
    assert status == 200 and claimed["assignee"] == "mehmet"
    status, replied = agent.call(
        "POST",
        f"/cases/{case['id']}/replies",
        {"version": claimed["version"], "body": "Yenisi yolda"},
    )
    assert status == 201
    stale = agent.call("POST", f"/cases/{case['id']}/notes", {"version": version, "body": "x"})
    assert stale[0] == 409 and stale[1]["error"]["code"] == "version_conflict"
    status, resolved = agent.call(
        "POST", f"/cases/{case['id']}/status", {"version": replied["version"], "status": "resolved"}
    )
    assert status == 200 and resolved["status"] == "resolved"
    customer_view = http("ahmet@example.com").call("GET", f"/cases/{case['id']}")
    assert customer_view[0] == 200
    assert "Yenisi yolda" in str(customer_view[1]["history"])
    assert http("fatma@example.com").call("GET", f"/cases/{case['id']}")[0] == 404


def test_unrouted_case_is_found_by_the_scheduled_reconciler(stack, http):
    """A case written without its routing message (a Lambda died in between)."""
    agent = http("mehmet")
    customer = agent.call("GET", "/customers?customer_number=10000002")[1]
    now = utcnow()
    case = Case(
        id=new_id("c"), type="question", channel="phone", subject="Fatura", description="?",
        customer_id=customer["id"], created_by=Actor(kind="staff", id="mehmet"),
        created_at=now, updated_at=now,
    )  # fmt: skip
    entry = HistoryEntry(
        id=new_id("h"), case_id=case.id, at=now, actor=case.created_by, kind=EntryKind.CREATED
    )
    store = DynamoCaseStore(Table(stack.env["TABLE_NAME"], aws(stack, "dynamodb")))
    store.create(case, entry)

    def routed():
        return agent.call("GET", f"/cases/{case.id}")[1]["case"]["status"] == "open"

    eventually(routed, timeout=30)


def test_poison_message_reaches_the_dead_letter_queue(stack):
    sqs = aws(stack, "sqs")
    sqs.send_message(QueueUrl=stack.env["ROUTING_QUEUE_URL"], MessageBody="not a routing message")

    def in_dlq():
        got = sqs.receive_message(QueueUrl=stack.env["ROUTING_DLQ_URL"], MaxNumberOfMessages=10)
        return any(m["Body"] == "not a routing message" for m in got.get("Messages", []))

    eventually(in_dlq, timeout=30)


def test_stops_on_ctrl_c_and_starts_again_on_the_same_ports():
    api_port, moto_port = free_port(), free_port()
    first = start_stack(api_port, moto_port)
    assert first.stop() == 0
    second = start_stack(api_port, moto_port)
    try:
        assert second.env["API_URL"].endswith(str(api_port))
    finally:
        assert second.stop() == 0
