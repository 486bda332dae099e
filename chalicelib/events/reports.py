"""The standard reports' projection, from the `reports` queue (services/report_projection.py
has the walk): each body is an EventBridge event whose `detail` is a case event, or a step
of a rebuild (`{"kind": "rebuild", "version": n, "page": pages done}`) the rebuild sends
itself."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json, TypeAdapter

from .. import wiring
from ..domain.case_events import CaseEvent
from .sqs_batch import batch_handler

_events: TypeAdapter[Any] | None = None


def _event(detail: dict[str, Any]) -> dict[str, Any]:
    """The event checked against its model, as JSON (an unknown shape fails the record)."""
    global _events
    if _events is None:
        _events = TypeAdapter(CaseEvent)
    return _events.validate_python(detail).model_dump(mode="json")


class ReportRecord(SqsRecordModel):
    body: Json[dict[str, Any]]  # type: ignore[assignment]


def project_record(record: ReportRecord) -> None:
    body = record.body
    if body.get("kind") == "rebuild":
        wiring.report_rebuild().step(body)
        return
    wiring.report_projection().handle(_event(body["detail"]))


handle_batch = batch_handler(ReportRecord, project_record, "reports")
