"""Skipped checklist steps, from the `checklists` queue: each body is an EventBridge event
whose `detail` is a `destek.case.resolved` event (services/checklists.py counts it once per
event id)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from .. import wiring
from ..domain.case_events import CaseResolved
from .sqs_batch import batch_handler


class ResolvedRecord(SqsRecordModel):
    body: Json[dict[str, Any]]  # type: ignore[assignment]


def count_record(record: ResolvedRecord) -> None:
    event = CaseResolved.model_validate(record.body["detail"])
    wiring.checklist_service().count_resolution(event.model_dump(mode="json"))


handle_batch = batch_handler(ResolvedRecord, count_record, "checklists")
