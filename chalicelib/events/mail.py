"""The inbound mail queue's consumer: what SES received, and what became of what SES sent.

The queue carries three shapes:
- S3's event for each message SES stored (`Records[].s3.object.key`); S3's own test
  event carries no records and is acknowledged as is;
- SES's receipt notification (`notificationType: Received`, through SNS or raw), which
  names the stored object and carries SES's SPF/DKIM/DMARC verdicts;
- SES's bounce and complaint notifications for notices destek sent
  (`notificationType` or, from a configuration set, `eventType`: `Bounce`, `Complaint`).

Each message is taken once by its Message-ID (mail_intake), not by the object or the
queue message: a message delivered twice, stored twice or retried after a partial
failure changes nothing the second time. What keeps failing lands in the inbound-mail
dead-letter queue, listed and re-driven by admins at `/dead-letters`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Field

from .. import wiring
from ..domain.mail_auth import from_notification
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


class Recipient(Model):
    emailAddress: str
    status: str = ""
    action: str = ""
    diagnosticCode: str = ""


class SesBounce(Model):
    bounceType: str = "Permanent"
    bouncedRecipients: list[Recipient] = []
    feedbackId: str = ""


class SesComplaint(Model):
    complainedRecipients: list[Recipient] = []
    complaintFeedbackType: str = ""
    feedbackId: str = ""


class SesMail(Model):
    messageId: str = ""


class SesNotification(Model):
    """SES's notification, as identity notifications (`notificationType`) and configuration
    set events (`eventType`) both shape it."""

    notificationType: str = Field(default="")
    eventType: str = ""
    mail: SesMail = SesMail()
    receipt: dict[str, Any] = {}
    bounce: SesBounce | None = None
    complaint: SesComplaint | None = None

    @property
    def kind(self) -> str:
        return (self.notificationType or self.eventType).lower()


class MailRecord(SqsRecordModel):
    body: str  # type: ignore[assignment]


def take_record(record: MailRecord) -> None:
    body = json.loads(record.body)
    if body.get("Type") == "Notification" and isinstance(body.get("Message"), str):
        body = json.loads(body["Message"])  # through SNS without raw delivery
    if "Records" in body:
        for stored in [S3Record.model_validate(r) for r in body["Records"]]:
            key = unquote_plus(stored.s3.object.key)
            outcome = wiring.mail_intake().take(key)
            logger.info("inbound mail taken", mail_key=key, outcome=outcome.outcome)
    elif "notificationType" in body or "eventType" in body:
        _ses(SesNotification.model_validate(body))
    else:  # S3's test event, or nothing of ours
        logger.info("inbound mail queue: nothing to take", event=body.get("Event"))


def _ses(notification: SesNotification) -> None:
    from ..services.mail_intake import Feedback

    intake = wiring.mail_intake()
    if notification.kind == "received":
        action = notification.receipt.get("action") or {}
        if action.get("type") == "S3" and action.get("objectKey"):
            outcome = intake.take(action["objectKey"], from_notification(notification.receipt))
            logger.info("inbound mail taken", mail_key=action["objectKey"],
                        outcome=outcome.outcome)  # fmt: skip
        return
    if notification.kind == "bounce" and notification.bounce:
        bounce = notification.bounce
        first = bounce.bouncedRecipients[0] if bounce.bouncedRecipients else None
        feedback = Feedback(
            kind="bounce", message_id=notification.mail.messageId,
            recipients=[r.emailAddress for r in bounce.bouncedRecipients],
            permanent=bounce.bounceType == "Permanent",
            reason=" ".join(p for p in (first.status, first.diagnosticCode) if p) if first else "",
            feedback_id=bounce.feedbackId,
        )  # fmt: skip
    elif notification.kind == "complaint" and notification.complaint:
        complaint = notification.complaint
        feedback = Feedback(
            kind="complaint", message_id=notification.mail.messageId,
            recipients=[r.emailAddress for r in complaint.complainedRecipients],
            reason=complaint.complaintFeedbackType or "complaint",
            feedback_id=complaint.feedbackId,
        )  # fmt: skip
    else:
        logger.info("SES notification not acted on", kind=notification.kind)
        return
    outcome = intake.take_feedback(feedback)
    logger.info("SES feedback taken", kind=feedback.kind, outcome=outcome.outcome)


handle_batch = batch_handler(MailRecord, take_record, "inbound mail")
