"""A shop's webhook receiver on loopback hears a case's whole life from the local stack: the
table's stream, the events bus on moto, the rule to the webhooks queue, the fan-out and the
signed POSTs, as in AWS. The receiver checks each signature with the official
`standardwebhooks` library, and after deduplication on `webhook-id` sees every event of the
case once, in the order they happened as they arrived (no sorting: destek delivers a case's
events in order), up to the close the SLA sweep made on its own."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import boto3

from devstack.seed import DEMO_SHOP
from tests.support import sign_in
from tests.webhook_receiver import Receiver, deduplicated

from .conftest import Http, eventually, start_stack
from .test_channels import signed_post


def stored_events(env: dict[str, str], case_id: str) -> list[dict]:
    """The case's events as the table holds them (read straight from the stack's moto)."""
    dynamodb = boto3.client("dynamodb", endpoint_url=env["AWS_ENDPOINT_URL"],
                            region_name=env["AWS_REGION"], aws_access_key_id="local",
                            aws_secret_access_key="local")  # fmt: skip
    items = dynamodb.query(
        TableName=env["TABLE_NAME"], KeyConditionExpression="PK = :pk AND begins_with(SK, :ev)",
        ExpressionAttributeValues={":pk": {"S": f"CASE#{case_id}"}, ":ev": {"S": "~EV#"}},
    )["Items"]  # fmt: skip
    return [{"id": i["id"]["S"], "type": i["type"]["S"]} for i in items]


def pass_the_reopen_window(env: dict[str, str], case_id: str) -> None:
    """Seven days on, for this one case: its resolution and its timer put eight days back
    (the sweep reads the timer index and checks the resolution time)."""
    dynamodb = boto3.client("dynamodb", endpoint_url=env["AWS_ENDPOINT_URL"],
                            region_name=env["AWS_REGION"], aws_access_key_id="local",
                            aws_secret_access_key="local")  # fmt: skip
    past = (datetime.now(UTC) - timedelta(days=8)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    dynamodb.update_item(
        TableName=env["TABLE_NAME"], Key={"PK": {"S": f"CASE#{case_id}"}, "SK": {"S": "#CASE"}},
        UpdateExpression="SET resolved_at = :past, timer_sk = :timer",
        ExpressionAttributeValues={":past": {"S": past}, ":timer": {"S": f"{past}#{case_id}"}},
    )  # fmt: skip


def test_a_shop_hears_a_whole_case_life_signed_in_order_once_each(stack, http):
    receiver = Receiver().start()
    try:
        status, endpoint = signed_post(stack.url, f"/integrations/{DEMO_SHOP}/webhooks", {
            "url": receiver.url("/destek"), "event_types": ["*"], "description": "e2e",
        })  # fmt: skip
        assert status == 201, endpoint
        secret = endpoint["secret"]
        agent = http("ayse")

        status, case = agent.call("POST", "/cases", {
            "customer": {"phone": "0532 123 45 67"}, "type": "complaint",
            "subject": "KARGOM GELMEDİ", "description": "Kargoya verilmiş diyorlar ama yok.",
        })  # fmt: skip
        assert status == 201, case
        answered = time.time()

        def got(kind: str):
            return [r for r in receiver.at("/destek")
                    if r.event["case_id"] == case["id"] and r.event["type"] == kind]  # fmt: skip

        opened = eventually(lambda: got("destek.case.opened"))
        assert opened[0].at > answered  # after the API's answer (bench/ measures how long)

        def routed():
            found = agent.call("GET", f"/cases/{case['id']}")[1]
            return found["case"] if found["case"]["status"] == "open" else None

        current = eventually(routed)
        steps = [("claim", {}), ("replies", {"body": "Kargonuz yarın elinizde."}),
                 ("status", {"status": "resolved"})]  # fmt: skip
        for path, body in steps:
            status, current = agent.call("POST", f"/cases/{case['id']}/{path}",
                                         {"version": current["version"], **body})  # fmt: skip
            assert status in (200, 201), current
            current = current.get("case", current)
        eventually(lambda: got("destek.case.resolved"))
        pass_the_reopen_window(stack.env, case["id"])
        closed = eventually(lambda: got("destek.case.closed"), timeout=30)
        assert closed[0].event["data"]["reason_code"] == "auto_closed"
        assert closed[0].event["actor"] == {"kind": "system", "id": "destek"}

        mine = [r for r in receiver.at("/destek") if r.event["case_id"] == case["id"]]
        assert mine and all(r.verifies(secret) for r in mine)
        assert all(r.headers["webhook-id"] == r.event["id"] for r in mine)
        events = deduplicated(mine)  # first receipts, in arrival order
        assert [e["type"] for e in events] == [
            "destek.case.opened", "destek.case.routed", "destek.case.status_changed",
            "destek.case.assigned", "destek.case.status_changed", "destek.case.agent_replied",
            "destek.case.status_changed", "destek.case.resolved",
            "destek.case.status_changed", "destek.case.closed",
        ]  # fmt: skip
        # every event the table holds for the case, and nothing else, arrived in its order
        assert [(e["id"], e["type"]) for e in events] == [
            (e["id"], e["type"]) for e in stored_events(stack.env, case["id"])
        ]
        # the events page documents every type the shop received
        with urllib.request.urlopen(stack.url + "/events.json", timeout=15) as answer:
            documented = {e["type"] for e in json.loads(answer.read())["events"]}
        assert {e["type"] for e in events} <= documented
    finally:
        receiver.stop()


def test_an_event_written_just_before_a_kill_is_published_after_the_restart():
    """The first stack reads no stream (DESTEK_STREAM_PAUSED): the case's events are in the
    table, unpublished, when the stack is killed. The restarted stack reads the stream from
    its oldest record and the shop hears them."""
    receiver = Receiver().start()
    first = start_stack(extra_env={"DESTEK_STREAM_PAUSED": "1"}, fresh=True)
    second = None
    try:
        status, endpoint = signed_post(first.url, f"/integrations/{DEMO_SHOP}/webhooks", {
            "url": receiver.url("/kill"), "event_types": ["destek.case.opened"]})  # fmt: skip
        assert status == 201, endpoint
        agent = Http(first.url, sign_in(first.env, "ayse"))
        status, case = agent.call("POST", "/cases", {
            "customer": {"phone": "0532 123 45 67"}, "type": "question",
            "subject": "Fatura", "description": "Faturamı göremiyorum."})  # fmt: skip
        assert status == 201, case
        time.sleep(2)
        assert receiver.at("/kill") == []  # held back: not yet published
        first.process.kill()
        first.process.wait(timeout=30)
        second = start_stack(state_dir=first.state_dir)
        heard = eventually(lambda: [r for r in receiver.at("/kill")
                                    if r.event["case_id"] == case["id"]], timeout=60)  # fmt: skip
        assert heard[0].verifies(endpoint["secret"])
        assert heard[0].event["type"] == "destek.case.opened"
    finally:
        receiver.stop()
        if second is not None:
            second.stop()
        else:
            first.process.kill()
        first.remove()
