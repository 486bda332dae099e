"""The shops' webhooks, from their two queues (services/webhooks.py has the walk).

`fan_out_batch`: the `webhooks` queue, fed by the events bus's rule (each body is an
EventBridge event whose `detail` is a case event) and by replays (`{"kind": "replay"}`
pages). `deliver_batch`: the `webhook-deliveries` queue, one endpoint and event a message.
A delivery that failed sets its own message's visibility to the next retry delay and is
reported failed (Lambda then leaves the visibility alone); after the last attempt it is
reported failed at once, and SQS moves it to the dead-letter queue on its next receive.
A delivery held back by an earlier event of its case (`wait`) is sent again as a new,
delayed message and its own is done: the receive count, the attempts the redrive counts,
stays that of POSTs.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json, TypeAdapter

from .. import wiring
from ..domain.case_events import CaseEvent
from .sqs_batch import batch_handler


class FanOutRecord(SqsRecordModel):
    body: Json[dict[str, Any]]  # type: ignore[assignment]


class DeliveryRecord(SqsRecordModel):
    body: Json[dict[str, Any]]  # type: ignore[assignment]


class RetryLater(Exception):
    """The delivery failed; its message comes back after its backoff."""


_events: TypeAdapter[Any] | None = None


def _event(detail: dict[str, Any]) -> Any:
    global _events
    if _events is None:
        _events = TypeAdapter(CaseEvent)
    return _events.validate_python(detail)


def fan_out_record(record: FanOutRecord) -> None:
    body = record.body
    if body.get("kind") == "replay":
        wiring.webhook_fan_out().replay_page(body)
        return
    wiring.webhook_fan_out().fan_out(_event(body["detail"]))


def deliver_record(record: DeliveryRecord) -> None:
    attempt = int(record.attributes.ApproximateReceiveCount)
    outcome = wiring.webhook_delivery().deliver(record.body, attempt)
    if outcome.kind == "wait" and outcome.message is not None:
        wiring.webhook_queues().send_delayed(outcome.message, outcome.delay or 1)
        return
    if outcome.kind == "retry":
        wiring.webhook_queues().retry_later(record.receiptHandle, outcome.delay or 1)
        raise RetryLater(f"retry in {outcome.delay} s")
    if outcome.kind == "dead":
        wiring.webhook_queues().retry_later(record.receiptHandle, 0)
        raise RetryLater("the last attempt failed: to the dead-letter queue")


fan_out_batch = batch_handler(FanOutRecord, fan_out_record, "webhooks")
deliver_batch = batch_handler(
    DeliveryRecord, deliver_record, "webhook-deliveries", raise_when_all_fail=False
)
