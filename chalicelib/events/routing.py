"""The routing queue's consumer: one SQS batch, partial failures reported.

Each record is parsed with Powertools' pydantic SQS model; a record that
fails (bad body, no group to route to, a transient AWS error) is reported in
`batchItemFailures`, so only it returns to the queue and, after the redrive
count, lands in the dead-letter queue.
"""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import BaseModel, Json

from .. import wiring
from ..observability import logger, traced


class CaseOpened(BaseModel):
    type: Literal["case.opened"]
    case_id: str
    number: str | None = None


class RoutingRecord(SqsRecordModel):
    body: Json[CaseOpened]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=RoutingRecord)


def route_record(record: RoutingRecord) -> None:
    logger.append_keys(message_id=record.messageId, case_id=record.body.case_id)
    try:
        wiring.routing_service().route(record.body.case_id)
    finally:
        logger.remove_keys(["message_id", "case_id"])


def handle_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    with traced("## routing batch", records=len(event.get("Records", []))):
        return process_partial_response(
            event=event, record_handler=route_record, processor=processor, context=context
        )


def reconcile() -> int:
    """Every minute: re-send routing for cases whose message was lost after the write."""
    return wiring.routing_service().reconcile()
