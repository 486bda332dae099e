"""Planned surveys' schedule tick and the `surveys` queue's steps (services/survey_runs.py).

Each body is one step: `{"kind": "select", survey_id, run_id, shard, cursor}`,
`{"kind": "send", survey_id, run_id, cursor, taken}`, `{"kind": "deliver",
invitation_id}` or `{"kind": "backfill", pass, segment, cursor}` (the roster's backfill).
A failed step is reported alone and retried by SQS; every step is safe to
repeat.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from .. import wiring
from ..observability import logger
from .sqs_batch import batch_handler


class SurveyRecord(SqsRecordModel):
    body: Json[dict[str, Any]]  # type: ignore[assignment]


def step_record(record: SurveyRecord) -> None:
    step = record.body
    runner = wiring.survey_runner()
    kind = step.get("kind")
    if kind == "select":
        runner.select(step)
    elif kind == "send":
        runner.send(step)
    elif kind == "deliver":
        runner.deliver(step["invitation_id"])
    elif kind == "backfill":
        runner.backfill(step)
    else:
        logger.warning("unknown survey step, dropped", kind=kind)


handle_batch = batch_handler(SurveyRecord, step_record, "surveys")


def tick() -> dict[str, int]:
    """Every 15 minutes: start the runs that are due, hand out invitations whose time came."""
    return wiring.survey_runner().tick()
