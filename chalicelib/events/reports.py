"""The standard reports' projection, from the `reports` queue (services/report_projection.py
has the walk): each body is an EventBridge event whose `detail` is a case event, or a step
of a rebuild (`{"kind": "rebuild", "version": n, "page": pages done}`) the rebuild sends
itself.

A batch is projected together (issue 21): its case events go to one
`ReportProjection.handle_batch`, which writes the cases' states and their counter cells in
as few transactions as fit, a cell the batch's cases share written once with their
increments summed. A record whose case could not be written after its rounds is reported in
`batchItemFailures` with the records of its chunk, and only they return to the queue (the
cases' cursors make the redelivery of anything written a repeat). A record that is no
valid event fails alone. The cases a batch has no time left for (the function's context
says how much) return to the queue too. A batch whose every record failed raises, as
Powertools' batch processor does for the other queues (the invocation counts as an error).

A rebuild's step is taken after the batch's case events (supervisors wait on those; a
rebuild is hours of pages) and goes on with the steps after it in the same invocation for
up to REBUILD_SECONDS, while the function has time left for one more
(services/report_projection.py `ReportRebuild.run`, the budget of events/time_budget.py,
shared with the search index's rebuild): alone on the queue, each step would wait out the
queue's 30 s batching window.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json, TypeAdapter

from .. import wiring
from ..domain.case_events import CaseEvent
from ..observability import logger, traced
from .time_budget import more_time

#: how long an invocation goes on with a rebuild's next steps itself: most of the
#: function's 30 s (a step of the log is a second or two in AWS), while the events queued
#: behind it wait at most this beyond the window; each step also needs its own time left
#: (`ReportRebuild.step_seconds`: 10 s for the log, the query's limit and 5 s for the archive)
REBUILD_SECONDS = 20.0

_events: TypeAdapter[Any] | None = None


class BatchFailed(Exception):
    """Every record of the batch failed (the whole batch returns to the queue)."""


def _event(detail: dict[str, Any]) -> dict[str, Any]:
    """The event checked against its model, as JSON (an unknown shape fails the record)."""
    global _events
    if _events is None:
        _events = TypeAdapter(CaseEvent)
    return _events.validate_python(detail).model_dump(mode="json")


class ReportRecord(SqsRecordModel):
    body: Json[dict[str, Any]]  # type: ignore[assignment]


def handle_batch(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """An SQS batch of the `reports` queue → `{"batchItemFailures": [{"itemIdentifier":
    message id}, ...]}` (Lambda's partial batch response). BatchFailed when every record
    failed."""
    records = event.get("Records", [])
    failures: list[str] = []
    delivered: list[tuple[str, dict[str, Any]]] = []  # (message id, case event)
    steps: list[tuple[str, dict[str, Any]]] = []  # (message id, rebuild step)
    with traced("## reports batch", records=len(records)):
        for raw in records:
            message_id = raw.get("messageId", "") if isinstance(raw, dict) else ""
            try:
                record = ReportRecord.model_validate(raw)
                if record.body.get("kind") == "rebuild":
                    steps.append((record.messageId, record.body))
                    continue
                delivered.append((record.messageId, _event(record.body["detail"])))
            except Exception:  # one bad record fails alone
                logger.exception("report record failed", message_id=message_id)
                failures.append(message_id)
        if delivered:
            remaining = getattr(context, "get_remaining_time_in_millis", None)
            time_left = (lambda: remaining() / 1000) if remaining else None
            try:
                projection = wiring.report_projection()
                failed = projection.handle_batch([e for _, e in delivered], time_left).failed
            except Exception:
                logger.exception("report batch not projected; its records return to the queue")
                failed = frozenset(e["id"] for _, e in delivered)
            failures += [m for m, e in delivered if e["id"] in failed]
        failures += _rebuild(steps, context)
    if records and len(failures) == len(records):
        raise BatchFailed(f"all {len(records)} records of the reports batch failed")
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failures]}


def _rebuild(steps: list[tuple[str, dict[str, Any]]], context: Any) -> list[str]:
    """Take the batch's rebuild steps (normally one; the others copies, dropped), each going
    on with the next ones while the invocation has time: one budget for all of them. The
    message ids of the steps that failed (they return to the queue and are taken again)."""
    if not steps:
        return []
    more = more_time(context, REBUILD_SECONDS, 0.0)
    failed = []
    for message_id, body in steps:
        try:
            wiring.report_rebuild().run(body, more)
        except Exception:  # a step that failed fails its record alone
            logger.exception("report rebuild step failed", message_id=message_id)
            failed.append(message_id)
    return failed
