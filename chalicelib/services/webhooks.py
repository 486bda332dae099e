"""Shop webhooks: registration, the fan-out of each case event, delivery, replay.

The walk of one event: the stream puts it on the events bus; the `webhooks` queue's rule
takes every `destek.cases` event; `WebhookFanOut.fan_out` reads the endpoints (one Query)
and sends one message per endpoint that wants the type to the `webhook-deliveries` queue;
`WebhookDelivery.deliver` POSTs it, signed, and records the outcome; a failure waits the
next retry delay (domain/webhooks.py RETRY_DELAYS, as the message's visibility) and after
the last attempt is recorded as failed (listed for admins) and left to the dead-letter
queue. Before the POST, the delivery waits (a fresh, delayed copy of its message) while an
earlier event of the same case or pre-case that the endpoint gets is not yet settled there
(delivered or dead-lettered): a shop sees each case's events in order. A replay walks the
event log of a time range a page at a time through the fan-out
queue, for one endpoint.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ..domain.case_events import EventBase
from ..domain.clock import from_iso, to_iso, utcnow
from ..domain.errors import Conflict, NotFound
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.webhooks import (
    MAX_ENDPOINTS_PER_SHOP,
    EarlierEvent,
    Endpoint,
    NewEndpoint,
    RegisteredEndpoint,
    ReplayRange,
    awaited,
    check_event_types,
    check_replay,
    check_url,
    holding_back,
    new_secret,
    order_wait,
    retry_delay,
    wants,
)
from ..observability import logger

#: events a replay page reads (one Query)
REPLAY_PAGE = 100


class WebhookStore(Protocol):
    def add_endpoint(self, endpoint: Endpoint, secret: str) -> None: ...
    def endpoints(self, shop_id: str | None = None) -> list[Endpoint]: ...
    def endpoint(self, shop_id: str, endpoint_id: str) -> tuple[Endpoint, str] | None: ...
    def remove_endpoint(self, shop_id: str, endpoint_id: str) -> bool: ...
    def delivery(self, endpoint_id: str, event_id: str, replay_id: str | None) -> dict | None: ...
    def delivery_statuses(self, endpoint_id: str, event_ids: list[str]) -> dict[str, str]: ...
    def earlier_events(self, event: dict[str, Any]) -> list[EarlierEvent]: ...
    def record_delivered(self, delivery: dict, attempts: int, status: int,
                         at: datetime) -> None: ...  # fmt: skip
    def record_failed(self, delivery: dict, attempts: int, status: int | None, error: str,
                      at: datetime) -> None: ...  # fmt: skip
    def failures(self, limit: int, cursor: str | None) -> tuple[list[dict], str | None]: ...
    def events_between(self, day: str, start: datetime, end: datetime, limit: int,
                       cursor: str | None) -> tuple[list[dict], str | None]: ...  # fmt: skip


class WebhookQueues(Protocol):
    def send_deliveries(self, deliveries: list[dict[str, Any]]) -> None: ...
    def send_replay_page(self, page: dict[str, Any]) -> None: ...
    def retry_later(self, receipt_handle: str, seconds: int) -> None: ...
    def send_delayed(self, delivery: dict[str, Any], seconds: int) -> None: ...


class ReplayAccepted(Model):
    """A replay under way: its events are sent over the next moments, each with its own
    delivery (and retries); `webhook-id` stays the event's id."""

    replay_id: str
    endpoint_id: str
    start: str
    end: str


class FailedDelivery(Model):
    """A delivery whose retries ran out (it is also in the deliveries' dead-letter queue)."""

    endpoint_id: str
    shop_id: str
    event_id: str
    event_type: str
    replay_id: str | None = None
    attempts: int
    #: the endpoint's last HTTP status; null when none came (timeout, refused, ...)
    response_status: int | None = None
    error: str = ""
    #: when the last attempt failed
    at: str


class FailedDeliveries(Model):
    items: list[FailedDelivery]
    next_cursor: str | None = None


class WebhookService:
    """What a shop (and an admin) does with endpoints."""

    def __init__(
        self,
        store: WebhookStore,
        queues: WebhookQueues,
        resolve: Callable[[str, int], list[str]],
        local: bool = False,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.queues = queues
        self.resolve = resolve
        self.local = local
        self.clock = clock

    def register(self, shop_id: str, wanted: NewEndpoint) -> RegisteredEndpoint:
        """Check everything first (URL, types, the shop's limit), then store: a refusal
        stores nothing."""
        check_url(wanted.url, self.resolve, self.local)
        types = check_event_types(wanted.event_types)
        if len(self.store.endpoints(shop_id)) >= MAX_ENDPOINTS_PER_SHOP:
            raise Conflict(
                f"a shop has at most {MAX_ENDPOINTS_PER_SHOP} webhook endpoints",
                details={"limit": MAX_ENDPOINTS_PER_SHOP},
                code="too_many_webhooks",
            )
        endpoint = Endpoint(
            id=new_id("wh_"), shop_id=shop_id, url=wanted.url, event_types=types,
            description=wanted.description, created_at=to_iso(self.clock()),
        )  # fmt: skip
        secret = new_secret()
        self.store.add_endpoint(endpoint, secret)
        return RegisteredEndpoint(**endpoint.model_dump(), secret=secret)

    def endpoints(self, shop_id: str | None = None) -> list[Endpoint]:
        return self.store.endpoints(shop_id)

    def remove(self, shop_id: str, endpoint_id: str) -> None:
        if not self.store.remove_endpoint(shop_id, endpoint_id):
            raise NotFound("no such webhook endpoint")

    def replay(self, shop_id: str, endpoint_id: str, span: ReplayRange) -> ReplayAccepted:
        """Send the endpoint the events of [from, to) again (those of its types)."""
        if self.store.endpoint(shop_id, endpoint_id) is None:
            raise NotFound("no such webhook endpoint")
        start, end = check_replay(span, self.clock())
        from ..store.webhooks import days

        replay_id = new_id("rp_")
        self.queues.send_replay_page({
            "kind": "replay", "replay_id": replay_id, "shop_id": shop_id,
            "endpoint_id": endpoint_id, "start": to_iso(start), "end": to_iso(end),
            "day": days(start, end)[0], "cursor": None,
        })  # fmt: skip
        logger.info("webhook replay asked", shop_id=shop_id, endpoint_id=endpoint_id,
                    replay_id=replay_id, start=to_iso(start), end=to_iso(end))  # fmt: skip
        return ReplayAccepted(replay_id=replay_id, endpoint_id=endpoint_id,
                              start=to_iso(start), end=to_iso(end))  # fmt: skip

    def failures(self, limit: int, cursor: str | None) -> FailedDeliveries:
        items, next_cursor = self.store.failures(limit, cursor)
        return FailedDeliveries(items=items, next_cursor=next_cursor)


class WebhookFanOut:
    """The fan-out queue's work: an event to every endpoint that wants it; a replay page."""

    def __init__(self, store: WebhookStore, queues: WebhookQueues) -> None:
        self.store = store
        self.queues = queues

    def fan_out(self, event: EventBase) -> int:
        """One delivery message per endpoint that wants the event's type; how many."""
        body = event.model_dump(mode="json")
        deliveries = [
            {"endpoint_id": e.id, "shop_id": e.shop_id, "event_id": event.id,
             "event_type": body["type"], "event": body}
            for e in self.store.endpoints() if wants(e.event_types, body["type"])
        ]  # fmt: skip
        if deliveries:
            self.queues.send_deliveries(deliveries)
        return len(deliveries)

    def replay_page(self, page: dict[str, Any]) -> int:
        """One page of a replay's range: its events, then the message for the next page
        (or the next day); the number of deliveries sent. A page sent twice sends its
        deliveries twice, and the delivery record of (endpoint, event, replay) stops the
        second POST."""
        from ..store.webhooks import days

        found = self.store.endpoint(page["shop_id"], page["endpoint_id"])
        if found is None:
            logger.info("replay of a removed endpoint dropped", **_ids(page))
            return 0
        endpoint, _ = found
        start, end = from_iso(page["start"]), from_iso(page["end"])
        events, cursor = self.store.events_between(page["day"], start, end, REPLAY_PAGE,
                                                   page.get("cursor"))  # fmt: skip
        deliveries = [
            {"endpoint_id": endpoint.id, "shop_id": endpoint.shop_id, "event_id": e["id"],
             "event_type": e["type"], "event": e, "replay_id": page["replay_id"]}
            for e in events if wants(endpoint.event_types, e["type"])
        ]  # fmt: skip
        if deliveries:
            self.queues.send_deliveries(deliveries)
        remaining = days(start, end)
        if cursor:
            self.queues.send_replay_page({**page, "cursor": cursor})
        elif page["day"] != remaining[-1]:
            self.queues.send_replay_page(
                {**page, "day": remaining[remaining.index(page["day"]) + 1], "cursor": None}
            )
        return len(deliveries)


def _ids(page: dict[str, Any]) -> dict[str, Any]:
    return {k: page.get(k) for k in ("shop_id", "endpoint_id", "replay_id")}


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery message: `delivered` (now or before), `gone` (the
    endpoint was removed), `retry` after `delay` seconds, `dead` (the last attempt), or
    `wait`: not POSTed, an earlier event goes first; the delivery comes back, as `message`
    (its next copy), after `delay` seconds."""

    kind: str
    delay: int | None = None
    message: dict[str, Any] | None = None


class WebhookDelivery:
    """One delivery message: POST it once, signed, unless it was delivered already."""

    def __init__(
        self,
        store: WebhookStore,
        post: Callable[..., Any],
        timeout: float,
        local: bool = False,
        backoff_scale: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.post = post
        self.timeout = timeout
        self.local = local
        self.backoff_scale = backoff_scale
        self.clock = clock

    def deliver(self, delivery: dict[str, Any], attempt: int) -> Outcome:
        """`attempt`: this message's receive count (1 = the first try). A wait is not an
        attempt: it ends its message and sends a new one (`waits` one more), whose receive
        count starts again; and since settled stays settled, waits come only before the
        first POST, so the copy that POSTs counts its POSTs alone."""
        from standardwebhooks.webhooks import Webhook

        endpoint_id, event_id = delivery["endpoint_id"], delivery["event_id"]
        replay_id = delivery.get("replay_id")
        done = self.store.delivery(endpoint_id, event_id, replay_id)
        if done is not None and done.get("status") == "delivered":
            return Outcome("delivered")  # an earlier copy of this message got through
        found = self.store.endpoint(delivery["shop_id"], endpoint_id)
        if found is None:
            logger.info("delivery to a removed endpoint dropped", endpoint_id=endpoint_id,
                        event_id=event_id)  # fmt: skip
            return Outcome("gone")
        endpoint, secret = found
        if not replay_id:  # a replay is a range the shop asked for: sent as it is read
            blocked = self._held_back_by(endpoint, delivery["event"])
            if blocked:
                waits = int(delivery.get("waits", 0))
                delay = order_wait(waits, self.backoff_scale)
                logger.info("webhook delivery waits for earlier events", endpoint_id=endpoint_id,
                            event_id=event_id, earlier=blocked[:5], waits=waits,
                            retry_in=delay)  # fmt: skip
                return Outcome("wait", delay, {**delivery, "waits": waits + 1})
        payload = json.dumps(delivery["event"], ensure_ascii=False, separators=(",", ":"))
        now = self.clock()
        headers = {
            "content-type": "application/json",
            "user-agent": "destek-webhooks/1",
            "webhook-id": event_id,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": Webhook(secret).sign(event_id, now, payload),
        }
        answer = self.post(endpoint.url, payload.encode(), headers, self.timeout, self.local)
        if answer.ok:
            self.store.record_delivered(_record(delivery), attempt, answer.status, self.clock())
            return Outcome("delivered")
        reason = answer.error or f"HTTP {answer.status}"
        delay = retry_delay(attempt, self.backoff_scale)
        logger.warning("webhook delivery failed", endpoint_id=endpoint_id, event_id=event_id,
                       attempt=attempt, reason=reason, retry_in=delay)  # fmt: skip
        if delay is None:
            self.store.record_failed(_record(delivery), attempt, answer.status, reason,
                                     self.clock())  # fmt: skip
            return Outcome("dead")
        return Outcome("retry", delay)

    def _held_back_by(self, endpoint: Endpoint, event: dict[str, Any]) -> list[str]:
        """The earlier events of `event`'s subject not yet settled at the endpoint."""
        wanted = awaited(endpoint, self.store.earlier_events(event), self.clock())
        if not wanted:
            return []
        return holding_back(wanted, self.store.delivery_statuses(endpoint.id, wanted))


def _record(delivery: dict[str, Any]) -> dict[str, Any]:
    """What a delivery's record keeps: ids and type (the event stays in the log)."""
    return {k: delivery[k] for k in ("endpoint_id", "shop_id", "event_id", "event_type",
                                     "replay_id") if delivery.get(k)}  # fmt: skip
