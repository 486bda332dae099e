"""The inbound mail queue's consumer: S3 tells it, through SQS, of each message SES stored.

Each stored message is taken once (Powertools idempotency on its S3 key), so a
redelivered notification neither opens a second pre-case nor adds a second
reply. S3's own test event carries no records and is acknowledged as is.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from .. import wiring
from ..domain.model import Model
from ..observability import logger
from .sqs_batch import batch_handler


class StoredObject(Model):
    key: str


class StoredBucket(Model):
    name: str


class S3Entity(Model):
    bucket: StoredBucket
    object: StoredObject


class S3Record(Model):
    s3: S3Entity


class StoredMail(Model):
    Records: list[S3Record] = []


class MailRecord(SqsRecordModel):
    body: Json[StoredMail]  # type: ignore[assignment]


_context: dict[str, Any] = {}


def take_record(record: MailRecord) -> None:
    for stored in record.body.Records:
        key = unquote_plus(stored.s3.object.key)
        outcome = wiring.call_ledger().once(
            "inbound-mail", key, "inbound_mail", b"",
            lambda key=key: wiring.mail_intake().take(key).model_dump(mode="json"),
            _context.get("lambda"),
        )  # fmt: skip
        logger.info("inbound mail taken", mail_key=key, outcome=outcome.get("outcome"))


_handle = batch_handler(MailRecord, take_record, "inbound mail")


def handle_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _context["lambda"] = context if hasattr(context, "get_remaining_time_in_millis") else None
    return _handle(event, context)
