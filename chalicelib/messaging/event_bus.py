"""EventBridge: destek's events bus (`destek-<stage>-events`), where case events are put.

Each event becomes one entry: `Source` destek.cases, `DetailType` the event's type
(`destek.case.opened`, ...), `Detail` the event's JSON exactly as the events page
documents it. A consumer's rule matches on these and sends to its own SQS queue.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from typing import Any

from ..domain.case_events import EventBase
from ..observability import logger

SOURCE = "destek.cases"
#: PutEvents takes at most 10 entries a call
BATCH = 10
#: calls for the entries that failed, before the batch gives up (the stream then retries)
ATTEMPTS = 4
#: seconds; full jitter up to base * 2**attempt
_BACKOFF = 0.2


def entry(event: EventBase, bus_name: str) -> dict[str, Any]:
    return {
        "Source": SOURCE,
        "DetailType": event.type,  # type: ignore[attr-defined]
        "Detail": json.dumps(event.model_dump(mode="json"), ensure_ascii=False),
        "EventBusName": bus_name,
    }


class EventBridgeBus:
    def __init__(self, bus_name: str, sleep: Callable[[float], None] = time.sleep) -> None:
        self.bus_name = bus_name
        self.sleep = sleep

    def publish(self, events: Sequence[EventBase]) -> int:
        """Put the events, in order, ten to a call, retrying the entries EventBridge refused
        (throttling, internal errors) with backoff. Returns how many, counted from the first,
        are on the bus; fewer than given means the rest should be tried again later (a
        later one may already be on the bus: consumers deduplicate on the event id)."""
        from ..store.aws import client

        bus = client("events")
        done = 0
        for start in range(0, len(events), BATCH):
            pending = list(range(start, min(start + BATCH, len(events))))
            for attempt in range(ATTEMPTS):
                answer = bus.put_events(Entries=[entry(events[i], self.bus_name) for i in pending])
                failed = [
                    i
                    for i, result in zip(pending, answer.get("Entries", []), strict=False)
                    if result.get("ErrorCode")
                ]
                if not failed:
                    pending = []
                    break
                logger.warning(
                    "events bus refused entries",
                    refused=len(failed),
                    attempt=attempt + 1,
                    codes=sorted({r["ErrorCode"] for r in answer["Entries"] if r.get("ErrorCode")}),
                )
                pending = failed
                if attempt + 1 < ATTEMPTS:
                    self.sleep(random.uniform(0, _BACKOFF * 2**attempt))
            if pending:
                return min(pending)
            done = min(start + BATCH, len(events))
        return done
