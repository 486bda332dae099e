"""One SQS batch, the way every queue consumer of destek handles it.

Records are parsed with a Powertools pydantic SQS model; a record that fails
(bad body, a domain refusal, a transient AWS error) is reported in
`batchItemFailures`, so only it returns to its queue and, after the redrive
count, lands in the dead-letter queue. The batch is one traced subsegment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.parser.models import SqsRecordModel

from ..observability import logger, traced


def batch_handler(
    model: type[SqsRecordModel],
    handle: Callable[[Any], None],
    name: str,
    raise_when_all_fail: bool = True,
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """`raise_when_all_fail`: a batch whose every record failed raises (Powertools' default:
    the invocation counts as an error). False where a failure is an expected outcome, such
    as a webhook endpoint that is down: the batch then answers its failures like any other."""
    processor = BatchProcessor(
        event_type=EventType.SQS, model=model, raise_on_entire_batch_failure=raise_when_all_fail
    )

    def handle_record(record: Any) -> None:
        logger.append_keys(message_id=record.messageId)
        try:
            handle(record)
        finally:
            logger.remove_keys(["message_id"])

    def handle_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
        with traced(f"## {name} batch", records=len(event.get("Records", []))):
            return process_partial_response(
                event=event, record_handler=handle_record, processor=processor, context=context
            )

    return handle_batch
