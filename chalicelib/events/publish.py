"""The table stream's consumer: publishes the case events to destek's events bus.

Lambda hands over a batch of stream records in the shard's order. The case events among
them (store/event_stream.py) are validated against the models and put on the bus in that
order (messaging/event_bus.py: ten an entry call, refused entries retried). Should the
bus still refuse some, the answer names the first record not published in
`batchItemFailures` (the template's event source asks for ReportBatchItemFailures), and
Lambda resumes the shard from that record: the events before it are not put twice, and
no later event of a case overtakes an earlier one. A later one may already be on the bus
(one call carries ten): delivery is at least once, and consumers deduplicate on `id`.

Powertools' BatchProcessor handles records one by one and reports every failed record;
here one call carries ten records and a failure must hold back all that follow it, so the
handler reports the first itself, in the same `batchItemFailures` shape.

A record that is not a valid event (it cannot become one on a retry) is logged as an
error with the reason and skipped, so that it does not block the shard.
"""

from __future__ import annotations

from typing import Any

from .. import wiring
from ..observability import logger, traced


def handle_stream(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from ..store.event_stream import case_events

    records = event.get("Records", [])
    with traced("## stream batch", records=len(records)):
        found = case_events(records)
        for bad in (f for f in found if f.event is None):
            logger.error("not a valid case event; skipped", problem=bad.problem,
                         sequence_number=bad.sequence_number)  # fmt: skip
        valid = [f for f in found if f.event is not None]
        published = wiring.event_bus().publish([f.event for f in valid])  # type: ignore[misc]
        if published < len(valid):
            first = valid[published].sequence_number
            logger.warning("events left for the stream to retry", published=published,
                           left=len(valid) - published, sequence_number=first)  # fmt: skip
            return {"batchItemFailures": [{"itemIdentifier": first}]}
        if valid:
            logger.info("case events published", events=len(valid))
        return {"batchItemFailures": []}
