"""The shops' webhook endpoints, their deliveries, the dead-lettered ones, and the event log
a replay reads (access patterns in chalicelib/store/README.md).

- endpoints: `PK = WEBHOOKS`, `SK = EP#<shop>#<endpoint id>`: a shop's are one Query on
  its prefix, every shop's (the fan-out) one Query of the partition; the item holds the
  signing secret, which no answer of the API carries after the registration's;
- a delivery: `PK = WHD#<endpoint id>`, `SK = <event id>` (`#<replay id>` for a replay's),
  written once the endpoint answered 2xx (`delivered`) or the retries ran out (`failed`);
  the next copy of the same message finds it and does not POST again; 30 days, by TTL;
- a dead-lettered delivery, for admins: `PK = WEBHOOK_FAILURES`,
  `SK = <failed at>#<endpoint id>#<event id>`, 14 days (the dead-letter queue's retention);
- the order of a subject's events: its partition's `~EV#` items below an event (one Query,
  projected to id, type and time), then their deliveries to the endpoint (BatchGetItem);
- the event log: the case event items themselves, on the `queue_newest` index under
  `EVENTS#<day>` (keys.event_log_keys), read by day and time range.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain.clock import from_iso, to_iso
from ..domain.webhooks import EarlierEvent, Endpoint
from . import keys
from .dynamo import Table

#: a delivery's record outlives every copy of its message (SQS keeps one 4 days) and a replay
DELIVERY_SECONDS = 30 * 24 * 3600
#: as long as the dead-letter queue keeps the message
FAILURE_SECONDS = 14 * 24 * 3600
_STORAGE = {"PK", "SK", "entity", "secret"}


def _endpoint(item: dict[str, Any]) -> Endpoint:
    return Endpoint.model_validate({k: v for k, v in item.items() if k not in _STORAGE})


class DynamoWebhookStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- endpoints -------------------------------------------------------------------------

    def add_endpoint(self, endpoint: Endpoint, secret: str) -> None:
        item = {
            **endpoint.model_dump(mode="json"),
            "PK": keys.WEBHOOKS_PK,
            "SK": keys.webhook_sk(endpoint.shop_id, endpoint.id),
            "entity": "webhook",
            "secret": secret,
        }
        self.table.put(item, condition="attribute_not_exists(PK)")

    def endpoints(self, shop_id: str | None = None) -> list[Endpoint]:
        """A shop's endpoints, or every shop's (None), oldest first."""
        prefix = keys.webhook_sk(shop_id, "") if shop_id else "EP#"
        items = self.table.query_all(("PK", keys.WEBHOOKS_PK), sort_prefix=prefix)
        return [_endpoint(i) for i in items]

    def endpoint(self, shop_id: str, endpoint_id: str) -> tuple[Endpoint, str] | None:
        """The endpoint and its secret, or None."""
        item = self.table.get({"PK": keys.WEBHOOKS_PK, "SK": keys.webhook_sk(shop_id, endpoint_id)})
        return (_endpoint(item), item["secret"]) if item else None

    def remove_endpoint(self, shop_id: str, endpoint_id: str) -> bool:
        key = {"PK": keys.WEBHOOKS_PK, "SK": keys.webhook_sk(shop_id, endpoint_id)}
        return self.table.delete(key)

    # ---- deliveries ------------------------------------------------------------------------

    @staticmethod
    def _delivery_key(endpoint_id: str, event_id: str, replay_id: str | None) -> dict[str, str]:
        sort = f"{event_id}#{replay_id}" if replay_id else event_id
        return {"PK": keys.delivery_pk(endpoint_id), "SK": sort}

    def delivery(self, endpoint_id: str, event_id: str, replay_id: str | None) -> dict | None:
        """The recorded outcome of this delivery (status `delivered` or `failed`), if any."""
        return self.table.get(self._delivery_key(endpoint_id, event_id, replay_id))

    def delivery_statuses(self, endpoint_id: str, event_ids: list[str]) -> dict[str, str]:
        """Event id to the status of its delivery to the endpoint (not a replay's), for those
        that have a record; one BatchGetItem (a hundred ids a call)."""
        if not event_ids:
            return {}
        found = self.table.batch_get(
            [self._delivery_key(endpoint_id, i, None) for i in dict.fromkeys(event_ids)],
            projection=["status"],
        )
        return {i["SK"]: i["status"] for i in found}

    # ---- a subject's events ----------------------------------------------------------------

    def earlier_events(self, event: dict[str, Any]) -> list[EarlierEvent]:
        """The events of `event`'s subject (its case, else its pre-case) before it, oldest
        first: one Query of the partition's `~EV#` items up to its own (a case has few; only
        id, type and time are read)."""
        own = keys.event_sk(event["sequence"], event["index"])
        items = self.table.query_all(
            ("PK", keys.event_pk(event.get("case_id"), event.get("precase_id"))),
            sort_between=(keys.EVENT_PREFIX, own), projection=["id", "type", "occurred_at"],
        )  # fmt: skip
        return [EarlierEvent(i["id"], i["type"], i["occurred_at"]) for i in items if i["SK"] < own]

    def record_delivered(
        self, delivery: dict[str, Any], attempts: int, status: int, at: datetime
    ) -> None:
        key = self._delivery_key(delivery["endpoint_id"], delivery["event_id"],
                                 delivery.get("replay_id"))  # fmt: skip
        self.table.put({
            **key, **delivery, "entity": "delivery", "status": "delivered", "attempts": attempts,
            "response_status": status, "at": to_iso(at),
            "expires_at": int(at.timestamp()) + DELIVERY_SECONDS,
        })  # fmt: skip

    def record_failed(
        self, delivery: dict[str, Any], attempts: int, status: int | None, error: str,
        at: datetime,
    ) -> None:  # fmt: skip
        """The delivery's last attempt failed: its record and its line for admins, together."""
        key = self._delivery_key(delivery["endpoint_id"], delivery["event_id"],
                                 delivery.get("replay_id"))  # fmt: skip
        outcome = {
            **delivery, "status": "failed", "attempts": attempts, "response_status": status,
            "error": error[:500], "at": to_iso(at),
        }  # fmt: skip
        failure_sk = f"{to_iso(at)}#{delivery['endpoint_id']}#{key['SK']}"
        self.table.transact([
            {"Put": {"Item": {**key, **outcome, "entity": "delivery",
                              "expires_at": int(at.timestamp()) + DELIVERY_SECONDS}}},
            {"Put": {"Item": {"PK": keys.WEBHOOK_FAILURES_PK, "SK": failure_sk, **outcome,
                              "entity": "webhook_failure",
                              "expires_at": int(at.timestamp()) + FAILURE_SECONDS}}},
        ])  # fmt: skip

    def failures(self, limit: int, cursor: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """Dead-lettered deliveries, newest first (the event itself left out)."""
        items, next_cursor = self.table.query(
            ("PK", keys.WEBHOOK_FAILURES_PK), forward=False, limit=limit, cursor=cursor
        )
        shown = [
            {k: v for k, v in i.items() if k not in {"PK", "SK", "entity", "event", "expires_at"}}
            for i in items
        ]
        return shown, next_cursor

    # ---- the event log ---------------------------------------------------------------------

    def events_between(
        self, day: str, start: datetime, end: datetime, limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the case events of one UTC day (`yyyy-mm-dd`) that occurred in
        [start, end), oldest first, as their JSON (the stored item without its keys)."""
        low = to_iso(start)
        # the end is excluded: the last instant before it, then every key of that instant
        high = to_iso(end - timedelta(microseconds=1)) + "#~"
        items, next_cursor = self.table.query(
            ("queue_pk", f"{keys.EVENT_LOG_PREFIX}{day}"), index="queue_newest",
            sort_between=(low, high), limit=limit, cursor=cursor,
        )  # fmt: skip
        storage = {"PK", "SK", "entity", "expires_at", "queue_pk", "created_sk"}
        return [{k: v for k, v in i.items() if k not in storage} for i in items], next_cursor


def days(start: datetime, end: datetime) -> list[str]:
    """The UTC days (`yyyy-mm-dd`) that [start, end) touches, in order."""
    first = from_iso(to_iso(start)).date()
    last = from_iso(to_iso(end - timedelta(microseconds=1))).date()
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]
