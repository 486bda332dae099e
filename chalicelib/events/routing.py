"""The routing queue's consumer, and the reconciler that re-sends what was lost."""

from __future__ import annotations

from typing import Literal

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from .. import wiring
from ..domain.model import Model
from .sqs_batch import batch_handler


class CaseOpened(Model):
    type: Literal["case.opened"]
    case_id: str
    number: str | None = None


class RoutingRecord(SqsRecordModel):
    body: Json[CaseOpened]  # type: ignore[assignment]


def route_record(record: RoutingRecord) -> None:
    wiring.routing_service().route(record.body.case_id)


handle_batch = batch_handler(RoutingRecord, route_record, "routing")


def reconcile() -> int:
    """Every minute: re-send routing for cases whose message was lost after the write."""
    return wiring.routing_service().reconcile()


def train() -> None:
    """Every 15 minutes: the learned classifier, retrained (a run cut short resumes)."""
    wiring.routing_learning().train()
