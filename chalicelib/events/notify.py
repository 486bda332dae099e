"""The notify queue's consumer, and the outbox sweep that feeds it what waited or got lost."""

from __future__ import annotations

from typing import Literal

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from .. import wiring
from ..domain.model import Model
from .sqs_batch import batch_handler


class NoticeMessage(Model):
    type: Literal["notice"]
    case_id: str
    notice_id: str


class NoticeRecord(SqsRecordModel):
    body: Json[NoticeMessage]  # type: ignore[assignment]


def deliver_record(record: NoticeRecord) -> None:
    wiring.notifier().deliver(record.body.case_id, record.body.notice_id)


handle_batch = batch_handler(NoticeRecord, deliver_record, "notify")


def sweep_outbox() -> int:
    return wiring.notifier().sweep_outbox()
