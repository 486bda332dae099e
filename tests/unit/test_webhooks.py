"""Shop webhooks without AWS: the URL rules (SSRF), event types, the retry schedule, the replay
range, one delivery's outcomes, and the stream publisher's partial failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook

from chalicelib.domain import webhooks as wh
from chalicelib.domain.errors import InvalidInput
from chalicelib.messaging.queue_registry import WEBHOOK_DELIVERIES
from chalicelib.messaging.webhook_http import Answer
from chalicelib.services.webhooks import WebhookDelivery

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def resolver(*addresses: str):
    return lambda host, port: list(addresses)


@pytest.mark.parametrize(
    ("url", "addresses", "reason"),
    [
        ("http://shop.example/hook", ["93.184.216.34"], "https_required"),
        ("https://10.0.0.5/hook", ["10.0.0.5"], "private_address"),
        ("https://localhost/hook", ["127.0.0.1"], "private_address"),
        ("https://metadata.example/", ["169.254.169.254"], "private_address"),
        ("https://v6.example/", ["::1"], "private_address"),
        ("https://mapped.example/", ["::ffff:192.168.1.1"], "private_address"),
        ("https://cgnat.example/", ["100.64.0.1"], "private_address"),
        # one private address among public ones is enough to refuse
        ("https://mixed.example/", ["93.184.216.34", "192.168.0.1"], "private_address"),
        ("https://shop.example/hook#x", ["93.184.216.34"], "fragment"),
        ("https://a:b@shop.example/", ["93.184.216.34"], "credentials_in_url"),
        ("https://shop.example:99999/", ["93.184.216.34"], "malformed"),
        ("https://nowhere.example/", [], "unresolvable"),
        ("https://shop.example/" + "ş" * 1100, ["93.184.216.34"], "too_long"),  # bytes, not chars
    ],
)
def test_urls_that_could_reach_inside_or_cannot_be_used_are_refused(url, addresses, reason):
    with pytest.raises(InvalidInput) as refused:
        wh.check_url(url, resolver(*addresses))
    assert refused.value.code == "invalid_webhook_url"
    assert refused.value.details["reason"] == reason


def test_a_public_https_url_passes_and_the_local_stack_allows_loopback_http():
    assert wh.check_url("https://shop.example/hooks?x=1", resolver("93.184.216.34")) == (
        "shop.example", 443)  # fmt: skip
    assert wh.check_url("http://127.0.0.1:8099/h", resolver("127.0.0.1"), local=True) == (
        "127.0.0.1", 8099)  # fmt: skip
    with pytest.raises(InvalidInput):
        wh.check_url("http://127.0.0.1:8099/h", resolver("127.0.0.1"), local=False)


def test_event_types_are_known_names_in_the_pages_order():
    assert wh.check_event_types(["destek.case.closed", "destek.case.opened",
                                 "destek.case.closed"]) == [
        "destek.case.opened", "destek.case.closed"]  # fmt: skip
    assert wh.check_event_types(["*", "destek.case.opened"]) == ["*"]
    with pytest.raises(InvalidInput) as refused:
        wh.check_event_types(["destek.case.opened", "destek.case.exploded"])
    assert refused.value.code == "unknown_event_type"
    assert refused.value.details["unknown"] == ["destek.case.exploded"]
    assert wh.wants(["*"], "destek.case.routed") and not wh.wants(["x"], "destek.case.routed")
    # a hand edit's event may be subscribed to, alone or with others
    assert wh.check_event_types(["destek.case.fields_changed", "destek.case.opened"]) == [
        "destek.case.opened", "destek.case.fields_changed"]  # fmt: skip
    assert wh.wants(["destek.case.fields_changed"], "destek.case.fields_changed")


def test_retries_back_off_for_about_a_day_and_the_queue_dead_letters_after_the_last():
    delays = [wh.retry_delay(n) for n in range(1, wh.ATTEMPTS)]
    assert delays == [5, 300, 1800, 7200, 18000, 28800, 28800]
    assert 22 * 3600 < sum(delays) < 26 * 3600
    assert all(0 < d <= 12 * 3600 for d in delays)  # SQS's longest visibility timeout
    assert wh.retry_delay(wh.ATTEMPTS) is None
    assert WEBHOOK_DELIVERIES.max_receives == wh.ATTEMPTS
    assert WEBHOOK_DELIVERIES.own_backoff
    assert [wh.retry_delay(n, scale=0) for n in range(1, wh.ATTEMPTS)] == [1] * 7


def test_a_replay_range_is_within_the_thirty_days_kept_and_forwards():
    def span(start, end):
        return wh.ReplayRange.model_validate({"from": start, "to": end})

    start, end = wh.check_replay(span(NOW - timedelta(days=2), NOW + timedelta(days=1)), NOW)
    assert (start, end) == (NOW - timedelta(days=2), NOW)  # the future is cut off
    for bad, reason in [
        (span(NOW, NOW - timedelta(hours=1)), "from_not_before_to"),
        (span(NOW - timedelta(days=31), NOW), "older_than_window"),
        (span(NOW + timedelta(hours=1), NOW + timedelta(hours=2)), "in_the_future"),
        (span("2026-02-28T10:00:00", "2026-03-01T09:00:00"), "timezone_required"),
    ]:
        with pytest.raises(InvalidInput) as refused:
            wh.check_replay(bad, NOW)
        assert refused.value.details["reason"] == reason


# ---- one delivery --------------------------------------------------------------------------


class FakeStore:
    def __init__(self) -> None:
        self.secret = wh.new_secret()
        self.records: dict[tuple, dict] = {}
        self.failed: list[dict] = []
        self.endpoint_gone = False
        self.earlier: list[wh.EarlierEvent] = []
        self.asked: list[list[str]] = []
        self.registered = wh.Endpoint(
            id="wh_1",
            shop_id="s",
            url="https://shop.example/h",
            event_types=["*"],
            created_at="2026-03-01T00:00:00Z",
        )

    def earlier_events(self, event):
        return self.earlier

    def delivery_statuses(self, endpoint_id, event_ids):
        self.asked.append(event_ids)
        found = {e: self.records.get((endpoint_id, e, None)) for e in event_ids}
        return {e: r["status"] for e, r in found.items() if r}

    def delivery(self, endpoint_id, event_id, replay_id):
        return self.records.get((endpoint_id, event_id, replay_id))

    def endpoint(self, shop_id, endpoint_id):
        if self.endpoint_gone:
            return None
        return self.registered.model_copy(
            update={"id": endpoint_id, "shop_id": shop_id}
        ), self.secret

    def record_delivered(self, delivery, attempts, status, at):
        key = (delivery["endpoint_id"], delivery["event_id"], delivery.get("replay_id"))
        self.records[key] = {"status": "delivered", "attempts": attempts}

    def record_failed(self, delivery, attempts, status, error, at):
        key = (delivery["endpoint_id"], delivery["event_id"], delivery.get("replay_id"))
        self.records[key] = {"status": "failed"}
        self.failed.append({"attempts": attempts, "status": status, "error": error})


class FakePost:
    def __init__(self, *answers: Answer) -> None:
        self.answers = list(answers)
        self.sent: list[tuple] = []

    def __call__(self, url, body, headers, timeout, local):
        self.sent.append((url, body, headers))
        return self.answers.pop(0)


DELIVERY = {"endpoint_id": "wh_1", "shop_id": "s", "event_id": "c1.1.0",
            "event_type": "destek.case.opened", "event": {"id": "c1.1.0", "type": "x"}}  # fmt: skip


def test_a_delivery_is_posted_once_signed_and_not_again_after_it_got_through():
    store, post = FakeStore(), FakePost(Answer(204), Answer(200))
    delivery = WebhookDelivery(store, post, 5)  # the real clock: the library checks the time
    assert delivery.deliver(DELIVERY, 1).kind == "delivered"
    url, body, headers = post.sent[0]
    assert headers["webhook-id"] == "c1.1.0"
    Webhook(store.secret).verify(body, headers)  # the official library accepts it
    assert delivery.deliver(DELIVERY, 2).kind == "delivered" and len(post.sent) == 1
    # a replay of the same event is its own delivery
    assert delivery.deliver({**DELIVERY, "replay_id": "rp_1"}, 1).kind == "delivered"


def test_a_failed_delivery_waits_its_backoff_and_the_last_is_recorded_for_admins():
    store = FakeStore()
    post = FakePost(Answer(500), Answer(None, "timed out"), Answer(302), Answer(200))
    delivery = WebhookDelivery(store, post, 5, clock=lambda: NOW)
    assert delivery.deliver(DELIVERY, 1).delay == 5
    assert delivery.deliver(DELIVERY, 2).delay == 300
    assert not store.failed
    dead = delivery.deliver(DELIVERY, wh.ATTEMPTS)
    assert dead.kind == "dead" and store.failed == [
        {"attempts": wh.ATTEMPTS, "status": 302, "error": "HTTP 302"}]  # fmt: skip
    # re-driven from the dead-letter queue: tried again (a failure is not a delivery)
    assert delivery.deliver(DELIVERY, 1).kind == "delivered" and len(post.sent) == 4


ENDPOINT = wh.Endpoint(id="wh_1", shop_id="s", url="https://shop.example/h",
                       event_types=["destek.case.opened", "destek.case.resolved"],
                       created_at="2026-03-01T09:00:00.000000Z")  # fmt: skip


def earlier(event_id: str, kind: str = "destek.case.opened", minutes_ago: int = 5):
    at = (NOW - timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return wh.EarlierEvent(event_id, kind, at)


def test_an_earlier_event_the_endpoint_gets_since_its_registration_is_awaited():
    events = [
        earlier("c1.1.0", minutes_ago=40),  # before the endpoint was registered: never sent
        earlier("c1.2.0", "destek.case.routed"),  # a type it does not want
        earlier("c1.3.0"),
        earlier("c1.3.1", "destek.case.resolved", minutes_ago=30),  # at its registration
    ]
    assert wh.awaited(ENDPOINT, events, NOW) == ["c1.3.0", "c1.3.1"]
    assert wh.awaited(ENDPOINT.model_copy(update={"event_types": ["*"]}), events, NOW) == [
        "c1.2.0", "c1.3.0", "c1.3.1"]  # fmt: skip
    assert wh.awaited(ENDPOINT, [], NOW) == []


def test_an_earlier_event_lost_before_the_deliveries_queue_holds_nothing_back_for_ever():
    # every delivery that reached the queue settles within the retry schedule
    limit = sum(wh.RETRY_DELAYS) // 60 + 60
    late = NOW + timedelta(minutes=limit + 1)
    assert wh.awaited(ENDPOINT, [earlier("c1.3.0")], NOW + timedelta(minutes=limit - 6)) == [
        "c1.3.0"]  # fmt: skip
    assert wh.awaited(ENDPOINT, [earlier("c1.3.0")], late) == []


def test_only_a_delivered_or_dead_lettered_earlier_event_lets_a_later_one_go():
    ids = ["c1.1.0", "c1.2.0", "c1.3.0"]
    assert wh.holding_back(ids, {}) == ids
    assert wh.holding_back(ids, {"c1.1.0": "delivered", "c1.2.0": "failed"}) == ["c1.3.0"]
    assert wh.holding_back(ids, {i: "failed" for i in ids}) == []
    assert wh.holding_back(ids, {"c1.1.0": "pending"}) == ids


def test_a_wait_starts_short_and_grows_mildly_to_a_minute():
    waits = [wh.order_wait(n) for n in range(30)]
    assert waits[:5] == [2, 2, 3, 4, 5]
    assert waits == sorted(waits) and waits[-1] == wh.ORDER_WAIT_MAX == 60
    assert wh.order_wait(3, scale=0) == 1


LATER = {**DELIVERY, "event_id": "c1.4.0", "event_type": "destek.case.resolved",
         "event": {"id": "c1.4.0", "type": "destek.case.resolved", "case_id": "c1",
                   "sequence": 4, "index": 0}}  # fmt: skip


def test_a_later_event_waits_for_an_earlier_one_without_spending_an_attempt():
    store, post = FakeStore(), FakePost(Answer(200), Answer(200))
    store.earlier = [earlier("c1.1.0")]
    delivery = WebhookDelivery(store, post, 5, clock=lambda: NOW)
    first = delivery.deliver(LATER, 1)
    assert (first.kind, first.delay, post.sent) == ("wait", 2, [])
    assert first.message == {**LATER, "waits": 1} and store.asked == [["c1.1.0"]]
    again = delivery.deliver(first.message, 1)  # the next copy: its receive count starts again
    assert (again.kind, again.delay, again.message["waits"]) == ("wait", 2, 2)
    store.records[("wh_1", "c1.1.0", None)] = {"status": "delivered", "attempts": 1}
    assert delivery.deliver(again.message, 1).kind == "delivered" and len(post.sent) == 1
    # the record keeps the attempts (POSTs), not the waits, and not the `waits` counter
    assert store.records[("wh_1", "c1.4.0", None)] == {"status": "delivered", "attempts": 1}


def test_a_dead_lettered_earlier_event_does_not_hold_a_later_one_back():
    store, post = FakeStore(), FakePost(Answer(200))
    store.earlier = [earlier("c1.1.0")]
    store.records[("wh_1", "c1.1.0", None)] = {"status": "failed"}
    assert WebhookDelivery(store, post, 5, clock=lambda: NOW).deliver(LATER, 1).kind == "delivered"


def test_a_replay_is_sent_as_read_and_an_earlier_event_of_another_type_is_not_awaited():
    store, post = FakeStore(), FakePost(Answer(200), Answer(200))
    store.earlier = [earlier("c1.1.0")]
    delivery = WebhookDelivery(store, post, 5, clock=lambda: NOW)
    assert delivery.deliver({**LATER, "replay_id": "rp_1"}, 1).kind == "delivered"
    assert store.asked == []  # not even read
    store.earlier, store.registered = [earlier("c1.1.0", "destek.case.routed")], ENDPOINT
    assert delivery.deliver(LATER, 1).kind == "delivered" and store.asked == []


def test_a_delivery_to_a_removed_endpoint_is_dropped_without_a_post():
    store, post = FakeStore(), FakePost()
    store.endpoint_gone = True
    assert WebhookDelivery(store, post, 5).deliver(DELIVERY, 1).kind == "gone"
    assert post.sent == []


# ---- the stream publisher -------------------------------------------------------------------


def stream_record(sequence: str, sort_key: str, image: dict, name: str = "INSERT") -> dict:
    from boto3.dynamodb.types import TypeSerializer

    serializer = TypeSerializer()
    return {"eventName": name, "dynamodb": {
        "SequenceNumber": sequence, "Keys": {"PK": {"S": "CASE#c1"}, "SK": {"S": sort_key}},
        "NewImage": {k: serializer.serialize(v) for k, v in image.items()}}}  # fmt: skip


def event_image(sequence: int, index: int = 0) -> dict:
    return {
        "PK": "CASE#c1", "SK": f"~EV#{sequence:08d}#{index:02d}", "entity": "event",
        "expires_at": 1, "id": f"c1.{sequence}.{index}", "schema_version": 1, "case_id": "c1",
        "case_number": "2026-000001", "sequence": sequence, "index": index,
        "occurred_at": "2026-03-01T09:30:00.000000Z", "actor": {"kind": "system", "id": "destek"},
        "type": "destek.case.status_changed",
        "data": {"status_from": "new", "status_to": "open", "reason_code": None},
    }  # fmt: skip


class FakeBus:
    def __init__(self, takes: int) -> None:
        self.takes = takes
        self.published: list = []

    def publish(self, events):
        self.published.extend(events[: self.takes])
        return min(self.takes, len(events))


def test_the_publisher_puts_only_valid_event_inserts_and_names_the_first_left(monkeypatch):
    from chalicelib import wiring
    from chalicelib.events import publish

    records = [
        stream_record("1", "#CASE", {"PK": "CASE#c1", "SK": "#CASE"}),  # the case: not an event
        stream_record("2", "~EV#00000002#00", event_image(2)),
        stream_record("3", "~EV#00000002#01", {"PK": "CASE#c1", "type": "destek.case.nope"}),
        stream_record("4", "~EV#00000003#00", event_image(3)),
        stream_record("5", "~EV#00000003#00", event_image(3), name="REMOVE"),  # the TTL's
        stream_record("6", "~EV#00000004#00", event_image(4)),
    ]
    bus = FakeBus(takes=1)
    monkeypatch.setattr(wiring, "event_bus", lambda: bus)
    answer = publish.handle_stream({"Records": records})
    assert [e.id for e in bus.published] == ["c1.2.0"]
    # the invalid one is skipped, not retried; the shard resumes at the first left (4)
    assert answer == {"batchItemFailures": [{"itemIdentifier": "4"}]}
    bus.takes = 10
    assert publish.handle_stream({"Records": records}) == {"batchItemFailures": []}
    assert [e.id for e in bus.published][-3:] == ["c1.2.0", "c1.3.0", "c1.4.0"]


def test_the_bus_retries_refused_entries_and_reports_how_far_it_got(monkeypatch):
    from chalicelib.domain.case_events import StatusChanged
    from chalicelib.messaging import event_bus

    events = [StatusChanged.model_validate(event_image(n)) for n in range(1, 13)]
    calls: list[list[str]] = []

    class Client:
        def put_events(self, Entries):  # noqa: N803 (boto3's name)
            calls.append([e["Detail"] for e in Entries])
            # the first call refuses its third entry once; the third call refuses everything
            if len(calls) == 1:
                return {"Entries": [{"ErrorCode": "ThrottlingException"} if i == 2 else
                                    {"EventId": "x"} for i in range(len(Entries))]}  # fmt: skip
            if len(calls) >= 3:
                return {"Entries": [{"ErrorCode": "InternalFailure"} for _ in Entries]}
            return {"Entries": [{"EventId": "x"} for _ in Entries]}

    import chalicelib.store.aws as aws

    monkeypatch.setattr(aws, "client", lambda name: Client())
    bus = event_bus.EventBridgeBus("destek-test-events", sleep=lambda s: None)
    assert bus.publish(events) == 10  # the first ten went (one on a retry); the rest did not
    assert [len(c) for c in calls] == [10, 1, 2, 2, 2, 2]
    assert '"id": "c1.3.0"' in calls[1][0]
