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
valid event fails alone; a rebuild step is taken alone, as it comes. The cases a batch
has no time left for (the function's context says how much) return to the queue too. A
batch whose every record failed raises, as Powertools' batch processor does for the other
queues (the invocation counts as an error).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json, TypeAdapter

from .. import wiring
from ..domain.case_events import CaseEvent
from ..observability import logger, traced

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
    with traced("## reports batch", records=len(records)):
        for raw in records:
            message_id = raw.get("messageId", "") if isinstance(raw, dict) else ""
            try:
                record = ReportRecord.model_validate(raw)
                if record.body.get("kind") == "rebuild":
                    wiring.report_rebuild().step(record.body)
                    continue
                delivered.append((record.messageId, _event(record.body["detail"])))
            except Exception:  # one bad record (or a rebuild step that failed) fails alone
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
    if records and len(failures) == len(records):
        raise BatchFailed(f"all {len(records)} records of the reports batch failed")
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failures]}
