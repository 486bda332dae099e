"""The notify queue's consumer, and the outbox sweep that feeds it what waited or got lost."""

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


class NoticeMessage(BaseModel):
    type: Literal["notice"]
    case_id: str
    notice_id: str


class NoticeRecord(SqsRecordModel):
    body: Json[NoticeMessage]  # type: ignore[assignment]


processor = BatchProcessor(event_type=EventType.SQS, model=NoticeRecord)


def deliver_record(record: NoticeRecord) -> None:
    logger.append_keys(message_id=record.messageId, notice_id=record.body.notice_id)
    try:
        wiring.notifier().deliver(record.body.case_id, record.body.notice_id)
    finally:
        logger.remove_keys(["message_id", "notice_id"])


def handle_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    with traced("## notify batch", records=len(event.get("Records", []))):
        return process_partial_response(
            event=event, record_handler=deliver_record, processor=processor, context=context
        )


def sweep_outbox() -> int:
    return wiring.notifier().sweep_outbox()
