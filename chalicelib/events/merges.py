"""The merge job, from the `merges` queue (services/case_merges.py): each body is an
EventBridge event whose `detail` is a `destek.case.merged` event (the source's starts the
copy; the survivor's is ignored), or the job's own next step (`{"kind": "merge_copy",
"source_id", "into_id", "cursor"}`)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.parser.models import SqsRecordModel
from pydantic import Json

from .. import wiring
from ..domain.case_events import CaseMerged
from .sqs_batch import batch_handler


class MergeRecord(SqsRecordModel):
    body: Json[dict[str, Any]]  # type: ignore[assignment]


def copy_record(record: MergeRecord) -> None:
    from ..services.case_merges import MergeStep

    body = record.body
    if body.get("kind") == "merge_copy":
        wiring.merge_job().run_to_end(MergeStep.model_validate(body))
        return
    event = CaseMerged.model_validate(body["detail"])
    if event.data.role != "source":
        return
    step = MergeStep(source_id=event.data.from_case_id, into_id=event.data.into_case_id)
    wiring.merge_job().run_to_end(step)


handle_batch = batch_handler(MergeRecord, copy_record, "merges")
