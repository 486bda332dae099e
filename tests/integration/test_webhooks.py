"""Case events, from the table's stream to a shop's webhook endpoint, on a moto server: the
stream read as Lambda reads it (devstack/streams.py), the events bus's rule to the webhooks
queue, the fan-out, and the signed deliveries with their retries, dead letters and replay."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from chalicelib.domain.webhooks import ATTEMPTS
from tests.webhook_receiver import Receiver, deduplicated

from .conftest import OLD, aws, case_event_reader, open_case
from .test_signed_calls import post, signed


@pytest.fixture(scope="module")
def receiver():
    running = Receiver().start()
    yield running
    running.stop()


@pytest.fixture
def pipeline(aws_env, client, chalice_app):
    """`flow()` moves everything along once: the stream to the bus (and so to the webhooks
    queue), the fan-out, the deliveries. Returns how many deliveries were handled."""
    from devstack.dispatcher import Binding, Dispatcher

    sqs = aws(aws_env, "sqs")
    reader = case_event_reader(aws_env, chalice_app)

    def binding(variable: str, handler, own_backoff: bool) -> Binding:
        url = aws_env[variable]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
        return Binding(url, arn["Attributes"]["QueueArn"], handler, variable.lower(), 10, "",
                       own_backoff)  # fmt: skip

    fan_out = Dispatcher(sqs, [binding("WEBHOOKS_QUEUE_URL", chalice_app.fan_out_webhooks,
                                       False)], aws_env["AWS_REGION"], 0)  # fmt: skip
    deliveries = Dispatcher(sqs, [binding("WEBHOOK_DELIVERIES_QUEUE_URL",
                                          chalice_app.deliver_webhooks, True)],
                            aws_env["AWS_REGION"], 0)  # fmt: skip

    def delayed() -> int:
        attributes = sqs.get_queue_attributes(
            QueueUrl=aws_env["WEBHOOK_DELIVERIES_QUEUE_URL"],
            AttributeNames=["ApproximateNumberOfMessagesDelayed"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessagesDelayed"])

    class Flow:
        stream = reader

        def __call__(self) -> int:
            """Until the deliveries queue is empty, the copies waiting for an earlier event
            of their case (delayed a few seconds) included."""
            self.fan_out()
            handled = 0
            deadline = time.monotonic() + 60  # a bound, not a wait: done once none is delayed
            while True:
                # asked before the drain: a copy whose delay ends between a drain that found
                # nothing and this question is visible to the drain after it
                waiting = delayed()
                handled += deliveries.drain()
                if not waiting or time.monotonic() > deadline:
                    return handled
                time.sleep(0.25)

        def fan_out(self) -> None:
            reader.drain()
            fan_out.drain()

        def handle(self, messages: list[dict]) -> dict:
            """Hand these received messages to the deliveries' handler as one batch, and
            settle them as Lambda does; the handler's answer."""
            from devstack.lambda_runtime import LocalContext, sqs_record

            binding = deliveries.bindings[0]
            records = [sqs_record(m, binding.queue_arn, aws_env["AWS_REGION"]) for m in messages]
            answer = chalice_app.deliver_webhooks({"Records": records}, LocalContext("deliver"))
            failed = {f["itemIdentifier"] for f in answer["batchItemFailures"]}
            for m in messages:
                if m["MessageId"] not in failed:
                    sqs.delete_message(QueueUrl=binding.queue_url, ReceiptHandle=m["ReceiptHandle"])
            return answer

        def deliveries_once(self) -> int:
            return deliveries.poll_once(deliveries.bindings[0])

    return Flow()


def register(api, shop: str, url: str, types: list[str]) -> tuple[int, dict]:
    return post(api, f"/integrations/{shop}/webhooks", signed({"url": url, "event_types": types}))


def bodiless(at: datetime | None = None) -> dict[str, str]:
    """The signature headers of a call without a body (GET, DELETE)."""
    import uuid

    msg_id, at = f"msg_{uuid.uuid4().hex}", at or datetime.now(UTC)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(OLD).sign(msg_id, at, "")}  # fmt: skip


def shop_get(api, path: str) -> tuple[int, object]:
    response = api.client.http.get(path, headers=bodiless())
    return response.status_code, json.loads(response.body)


def shop_delete(api, path: str) -> int:
    return api.client.http.delete(path, headers=bodiless()).status_code


def test_registration_refuses_bad_urls_and_unknown_types_and_stores_nothing(api, shop):
    before = shop_get(api, f"/integrations/{shop}/webhooks")[1]
    refusals = [
        ("ftp://127.0.0.1/hook", ["destek.case.opened"], "invalid_webhook_url", "https_required"),
        ("https://user:pw@example.com/hook", ["*"], "invalid_webhook_url", "credentials_in_url"),
        ("https://", ["*"], "invalid_webhook_url", "no_host"),
        ("https://no-such-host.invalid/hook", ["*"], "invalid_webhook_url", "unresolvable"),
        ("http://127.0.0.1/" + "ğ" * 1100, ["*"], "invalid_webhook_url", "too_long"),
    ]
    for url, types, code, reason in refusals:
        status, body = register(api, shop, url, types)
        assert (status, body["error"]["code"]) == (422, code), (url, body)
        assert body["error"]["details"]["reason"] == reason
    status, body = register(api, shop, "http://127.0.0.1:9/hook", ["destek.case.opend"])
    assert (status, body["error"]["code"]) == (422, "unknown_event_type")
    assert body["error"]["details"]["unknown"] == ["destek.case.opend"]
    status, body = register(api, shop, "http://127.0.0.1:9/hook", [])
    assert status == 422
    assert shop_get(api, f"/integrations/{shop}/webhooks")[1] == before


def test_the_secret_is_shown_once_and_only_the_shop_sees_its_endpoints(api, shop, as_role):
    status, made = register(api, shop, "http://127.0.0.1:9/once",
                            ["destek.case.closed", "destek.case.opened"])  # fmt: skip
    assert status == 201, made
    assert made["secret"].startswith("whsec_") and len(made["secret"]) > 40
    assert made["event_types"] == ["destek.case.opened", "destek.case.closed"]  # page order
    status, listed = shop_get(api, f"/integrations/{shop}/webhooks")
    assert status == 200
    mine = next(e for e in listed if e["id"] == made["id"])
    assert "secret" not in mine and made["secret"] not in json.dumps(listed)
    # unsigned, or another shop's signature: refused
    assert api.get(f"/integrations/{shop}/webhooks").status == 401
    # admins see every shop's endpoints, never a secret; an agent sees none
    assert as_role("admin").get("/webhooks").status == 200
    assert made["secret"] not in json.dumps(as_role("admin").get("/webhooks").body)
    assert as_role("agent").get("/webhooks").status == 403
    assert shop_delete(api, f"/integrations/{shop}/webhooks/{made['id']}") == 200
    assert shop_delete(api, f"/integrations/{shop}/webhooks/{made['id']}") == 404
    assert made["id"] not in json.dumps(shop_get(api, f"/integrations/{shop}/webhooks")[1])


def test_a_cases_events_reach_the_endpoint_signed_in_order_and_once(
    api, shop, as_role, drain_routing, receiver, pipeline
):
    status, endpoint = register(api, shop, receiver.url("/all"), ["*"])
    assert status == 201
    agent = as_role("agent")
    case = open_case(agent, customer={"customer_number": "10000001"})
    drain_routing()
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    claimed = agent.post(f"/cases/{case['id']}/claim", {"version": version}).body
    replied = agent.post(f"/cases/{case['id']}/replies",
                         {"version": claimed["version"], "body": "Yenisi yolda"})  # fmt: skip
    assert replied.status == 201
    pipeline()

    got = [r for r in receiver.at("/all") if r.event["case_id"] == case["id"]]
    assert all(r.verifies(endpoint["secret"]) for r in got)
    assert not any(r.verifies("whsec_" + "A" * 44) for r in got)
    assert [r.headers["webhook-id"] for r in got] == [r.event["id"] for r in got]
    events = deduplicated(got)
    assert [e["type"] for e in events] == [
        "destek.case.opened", "destek.case.routed", "destek.case.status_changed",
        "destek.case.assigned", "destek.case.status_changed", "destek.case.agent_replied",
    ]  # fmt: skip
    assert len(got) == len(events)  # each once

    # the same event fanned out again (a redelivered message): no second POST
    from chalicelib import wiring
    from chalicelib.domain.case_events import EVENT_TYPES

    first = events[0]
    wiring.webhook_fan_out().fan_out(EVENT_TYPES[first["type"]].model_validate(first))
    pipeline()
    assert len([r for r in receiver.at("/all") if r.event["case_id"] == case["id"]]) == len(got)
    assert shop_delete(api, f"/integrations/{shop}/webhooks/{endpoint['id']}") == 200


def test_a_later_event_waits_until_the_earlier_one_got_through_then_both_arrive_in_order(
    api, shop, as_role, drain_routing, receiver, pipeline, aws_env
):
    from chalicelib import wiring

    wanted = ["destek.case.opened", "destek.case.agent_replied"]
    status, endpoint = register(api, shop, receiver.url("/ordered"), wanted)
    assert status == 201
    agent = as_role("agent")
    case = open_case(agent, customer={"customer_number": "10000001"})
    drain_routing()
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    claimed = agent.post(f"/cases/{case['id']}/claim", {"version": version}).body
    replied = agent.post(f"/cases/{case['id']}/replies",
                         {"version": claimed["version"], "body": "Yenisi yolda"})  # fmt: skip
    assert replied.status == 201
    pipeline.fan_out()
    # the two deliveries for this endpoint, taken off the queue (others put back at once)
    sqs, url = aws(aws_env, "sqs"), aws_env["WEBHOOK_DELIVERIES_QUEUE_URL"]
    mine: dict[str, dict] = {}
    for _ in range(10):
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, AttributeNames=["All"],
                                  VisibilityTimeout=60).get("Messages", [])  # fmt: skip
        for m in got:
            body = json.loads(m["Body"])
            if body["endpoint_id"] == endpoint["id"]:
                mine[body["event_type"]] = m
            else:
                sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                              VisibilityTimeout=0)  # fmt: skip
        if len(mine) == 2 or not got:
            break
    assert sorted(mine) == sorted(wanted)

    def arrived() -> list[str]:
        return [
            r.event["type"] for r in receiver.at("/ordered") if r.event["case_id"] == case["id"]
        ]

    # the reply first: the opening (a type the endpoint wants) has not got through, so no POST
    # and no failure: the message is done, a copy comes back in two seconds
    assert pipeline.handle([mine["destek.case.agent_replied"]])["batchItemFailures"] == []
    assert arrived() == []
    # the routing, claim and status events before it are of types the endpoint does not want
    assert pipeline.handle([mine["destek.case.opened"]])["batchItemFailures"] == []
    assert arrived() == ["destek.case.opened"]
    assert pipeline() >= 1
    assert arrived() == ["destek.case.opened", "destek.case.agent_replied"]
    reply_id = next(r.event["id"] for r in receiver.at("/ordered")
                    if r.event["type"] == "destek.case.agent_replied")  # fmt: skip
    record = wiring.webhook_store().delivery(endpoint["id"], reply_id, None)
    assert (record["status"], record["attempts"]) == ("delivered", 1)  # the wait was no attempt
    assert shop_delete(api, f"/integrations/{shop}/webhooks/{endpoint['id']}") == 200


def test_the_bus_carries_each_event_with_its_type_as_detail_type(
    aws_env, as_role, drain_routing, pipeline
):
    agent = as_role("agent")
    sqs = aws(aws_env, "sqs")
    url = aws_env["WEBHOOKS_QUEUE_URL"]
    case = open_case(agent, customer={"customer_number": "10000001"})
    pipeline.stream.drain()
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    mine = [json.loads(m["Body"]) for m in messages]
    mine = [m for m in mine if m.get("detail", {}).get("case_id") == case["id"]]
    assert [(m["source"], m["detail-type"]) for m in mine] == [
        ("destek.cases", "destek.case.opened")
    ]
    assert mine[0]["detail"]["id"] == f"{case['id']}.1.0"
    for m in messages:
        sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def test_a_failing_endpoint_is_retried_with_backoff_then_dead_lettered(
    api, shop, as_role, receiver, pipeline, aws_env
):
    from chalicelib import wiring

    receiver.status["/down"] = 503
    status, endpoint = register(api, shop, receiver.url("/down"), ["destek.case.opened"])
    assert status == 201
    admin = as_role("admin")
    dead_before = {q["queue"]: q["messages"] for q in admin.get("/dead-letters").body}
    case = open_case(as_role("agent"), customer={"customer_number": "10000001"})
    pipeline()  # the first attempt
    assert len(receiver.at("/down")) == 1
    # the second waits 5 s (the message is invisible until then)
    assert pipeline.deliveries_once() == 0
    time.sleep(2)
    assert pipeline.deliveries_once() == 0 and len(receiver.at("/down")) == 1
    time.sleep(3.5)
    # the rest of the day's schedule, shrunk to a second a wait
    wiring.webhook_delivery().backoff_scale = 0
    try:
        assert pipeline.deliveries_once() == 1 and len(receiver.at("/down")) == 2
        deadline = time.monotonic() + 60
        while len(receiver.at("/down")) < ATTEMPTS and time.monotonic() < deadline:
            time.sleep(1.1)
            pipeline.deliveries_once()
        time.sleep(1.1)
        pipeline.deliveries_once()  # the receive that moves it to the dead-letter queue
    finally:
        wiring.webhook_delivery().backoff_scale = 1.0
    attempts = receiver.at("/down")
    assert len(attempts) == ATTEMPTS == 8
    assert {r.headers["webhook-id"] for r in attempts} == {f"{case['id']}.1.0"}
    gaps = [b.at - a.at for a, b in zip(attempts, attempts[1:], strict=False)]
    assert gaps[0] >= 5 and all(g >= 1 for g in gaps)

    failed = admin.get("/webhooks/failed-deliveries").body["items"]
    line = next(f for f in failed if f["event_id"] == f"{case['id']}.1.0")
    assert (line["endpoint_id"], line["attempts"], line["response_status"]) == (
        endpoint["id"], ATTEMPTS, 503)  # fmt: skip
    dead_after = {q["queue"]: q["messages"] for q in admin.get("/dead-letters").body}
    assert dead_after["webhook-deliveries"] == dead_before.get("webhook-deliveries", 0) + 1
    assert as_role("agent").get("/webhooks/failed-deliveries").status == 403


def test_a_replay_sends_the_events_of_a_range_again(
    api, shop, as_role, drain_routing, receiver, pipeline
):
    agent = as_role("agent")
    start = datetime.now(UTC) - timedelta(seconds=1)
    case = open_case(agent, customer={"customer_number": "10000001"})
    drain_routing()
    pipeline()
    # registered after the case opened: it has received nothing of it
    status, endpoint = register(api, shop, receiver.url("/late"), ["destek.case.routed"])
    assert status == 201
    end = datetime.now(UTC) + timedelta(seconds=1)
    span = {"from": start.isoformat(), "to": end.isoformat()}
    for _ in range(2):  # a second replay sends them again
        status, accepted = post(
            api, f"/integrations/{shop}/webhooks/{endpoint['id']}/replay", signed(span)
        )
        assert status == 202, accepted
        pipeline()
    got = [r for r in receiver.at("/late") if r.event["case_id"] == case["id"]]
    assert [r.event["type"] for r in got] == ["destek.case.routed"] * 2
    assert all(r.verifies(endpoint["secret"]) for r in got)
    assert {r.headers["webhook-id"] for r in got} == {f"{case['id']}.2.0"}

    # a range outside the 30 days kept, or backwards: refused
    for bad in ({"from": (start - timedelta(days=31)).isoformat(), "to": end.isoformat()},
                {"from": end.isoformat(), "to": start.isoformat()},
                {"from": "2026-01-01T00:00:00", "to": end.isoformat()}):  # fmt: skip
        status, body = post(
            api, f"/integrations/{shop}/webhooks/{endpoint['id']}/replay", signed(bad)
        )
        assert (status, body["error"]["code"]) == (422, "invalid_replay_range"), bad
    status, body = post(api, f"/integrations/{shop}/webhooks/wh_nope/replay", signed(span))
    assert status == 404


def test_a_signature_made_by_destek_verifies_with_the_library_and_the_stored_secret(api, shop):
    """The secret in the answer is the one deliveries are signed with (not a copy)."""
    from chalicelib import wiring

    status, made = register(api, shop, "http://127.0.0.1:9/sig", ["*"])
    stored = wiring.webhook_store().endpoint(shop, made["id"])
    assert stored is not None and stored[1] == made["secret"]
    at = datetime.now(UTC)
    signature = Webhook(made["secret"]).sign("e1", at, "{}")
    Webhook(stored[1]).verify(
        "{}",
        {
            "webhook-id": "e1",
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": signature,
        },
    )


def test_the_events_page_lists_every_event_with_its_schema_from_the_models(api):
    from chalicelib.domain.case_events import EVENT_TYPES

    answer = api.get("/events.json")
    assert answer.status == 200
    listed = answer.body["events"]
    assert [e["type"] for e in listed] == list(EVENT_TYPES)
    for event in listed:
        model = EVENT_TYPES[event["type"]]
        assert event["description"] and event["description"].split()[0] in model.__doc__
        assert {"id", "type", "sequence", "index", "occurred_at", "data"} <= set(
            event["schema"]["properties"]
        )
        assert event["schema"]["properties"]["type"]["const"] == event["type"]
    page = api.client.http.get("/events")
    assert (
        page.status_code == 200
        and "default-src 'none'"
        in {k.lower(): v for k, v in page.headers.items()}["content-security-policy"]
    )
    html = page.body.decode()
    assert all(f'id="{t}"' in html for t in EVENT_TYPES)
    assert 'href="events"' in api.client.http.get("/docs").body.decode()
