"""Each signed call applied once: Powertools idempotency, recorded in the one table.

The key is the shop and the call's `webhook-id`; the stored answer is returned
for a repeat within a day, without applying anything again. The body's hash is
checked too: the same id with a different body is refused rather than guessed at.
Records live at `PK = IDEMPOTENCY#<shop>`, `SK = <Powertools' hashed key>` and
expire through the table's TTL attribute.

A call that was applied always leaves an answer on record, or its webhook-id would
answer 409 `in_progress` and then 500 for a day. So what is kept is bounded: an answer
over MAX_STORED_ANSWER_BYTES is kept whole in S3 (`reports/<shop>/<day>/...json`) and
answered and recorded in summary (domain/reports.py), the same answer for the first
call and every repeat. And when recording fails after the work was done (DynamoDB
throttled, say), the caller still gets the answer and the ledger tries again, then
with a minimal answer; an in-progress record left behind by a process that died
expires with the Lambda's remaining time, or after IN_PROGRESS_SECONDS off Lambda.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ..domain.errors import Conflict
from ..domain.reports import size_of, summarised
from ..observability import logger
from .aws import client

DAY = 24 * 3600
#: an answer kept with the record: DynamoDB's item limit is 400 KB, with room for the rest
MAX_STORED_ANSWER_BYTES = 256 * 1024
#: what is recorded when even a bounded answer cannot be: the counts, nothing else
MINIMAL_ANSWER_BYTES = 2 * 1024
#: how long an in-progress record holds off a repeat when no Lambda context says so
#: (API Gateway gives up on a request after 29 seconds)
IN_PROGRESS_SECONDS = 30


class _Remaining:
    """A stand-in Lambda context off Lambda, so an in-progress record always expires."""

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds

    def get_remaining_time_in_millis(self) -> int:
        return self.seconds * 1000


class CallLedger:
    def __init__(
        self, table_name: str, keep_seconds: int = DAY, reports_bucket: str | None = None
    ) -> None:
        self.table_name = table_name
        self.keep_seconds = keep_seconds
        self.reports_bucket = reports_bucket

    @lru_cache(maxsize=64)  # noqa: B019 - one ledger per process, a handful of shops
    def _apply_once(self, shop_id: str) -> tuple[Callable[..., Any], Any, Any]:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            IdempotencyConfig,
            idempotent_function,
        )

        persistence = DynamoDBPersistenceLayer(
            table_name=self.table_name,
            key_attr="PK",
            sort_key_attr="SK",
            static_pk_value=f"IDEMPOTENCY#{shop_id}",
            expiry_attr="expires_at",
            boto3_client=client("dynamodb"),
        )
        config = IdempotencyConfig(
            event_key_jmespath="[operation, webhook_id]",
            payload_validation_jmespath="body_sha256",
            expires_after_seconds=self.keep_seconds,
            raise_on_no_idempotency_key=True,
        )

        @idempotent_function(
            data_keyword_argument="call", persistence_store=persistence, config=config
        )
        def apply(call: dict[str, str], work: Callable[[], Any]) -> Any:
            return work()

        return apply, config, persistence

    def once(
        self,
        shop_id: str,
        webhook_id: str,
        operation: str,
        body: bytes,
        work: Callable[[], Any],
        lambda_context: Any = None,
    ) -> Any:
        """work()'s answer, computed the first time this call is seen, stored otherwise."""
        from aws_lambda_powertools.utilities.idempotency.exceptions import (
            IdempotencyAlreadyInProgressError,
            IdempotencyPersistenceLayerError,
            IdempotencyValidationError,
        )

        call = {
            "operation": operation,
            "webhook_id": webhook_id,
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        apply, config, persistence = self._apply_once(shop_id)
        # an in-progress record expires with the Lambda (or soon, off Lambda): a process that
        # dies mid-call does not hold its webhook-id for a day
        config.register_lambda_context(lambda_context or _Remaining(IN_PROGRESS_SECONDS))
        done: dict[str, Any] = {}

        def bounded_work() -> Any:
            done["answer"] = self._bounded(shop_id, call, work())
            return done["answer"]

        try:
            return apply(call=call, work=bounded_work)
        except IdempotencyPersistenceLayerError:
            if "answer" not in done:  # nothing was applied: a 5xx the caller may retry
                raise
            # applied, and the record of it failed: the caller hears what happened anyway
            self._record_again(persistence, call, done["answer"], shop_id)
            return done["answer"]
        except IdempotencyAlreadyInProgressError as exc:
            raise Conflict(
                "a call with this webhook-id is being applied; retry shortly", code="in_progress"
            ) from exc
        except IdempotencyValidationError as exc:
            raise Conflict(
                "this webhook-id was used for a different body", code="webhook_id_reused"
            ) from exc

    def _bounded(self, shop_id: str, call: dict[str, str], answer: Any) -> Any:
        """The answer as it will be recorded and given, kept whole in S3 when too large."""
        limit = MAX_STORED_ANSWER_BYTES
        if size_of(answer) <= limit:
            return answer
        archived = self._archive(shop_id, call, answer)
        logger.warning(
            "a signed call's answer was too large to keep; summarised",
            shop_id=shop_id, operation=call["operation"], archived=archived,
            answer_bytes=size_of(answer),
        )  # fmt: skip
        return summarised(answer, limit, archived)

    def _archive(self, shop_id: str, call: dict[str, str], answer: Any) -> str | None:
        if not self.reports_bucket:
            return None
        day = datetime.now(UTC).date().isoformat()
        name = hashlib.sha256(f"{call['operation']}#{call['webhook_id']}".encode()).hexdigest()
        key = f"reports/{shop_id}/{day}/{call['operation']}-{name[:32]}.json"
        try:
            client("s3").put_object(
                Bucket=self.reports_bucket,
                Key=key,
                Body=json.dumps(answer, ensure_ascii=False).encode("utf-8"),
                ContentType="application/json",
            )
        except Exception:  # noqa: BLE001 - the summary is still recorded and answered
            logger.exception("the whole report could not be kept in S3", shop_id=shop_id)
            return None
        return key

    @staticmethod
    def _record_again(persistence: Any, call: dict[str, str], answer: Any, shop_id: str) -> None:
        """Record the answer of a call that was applied; if even the small form cannot be
        recorded, the in-progress record expires and a repeat applies the call again."""
        for attempt in (answer, answer, summarised(answer, MINIMAL_ANSWER_BYTES, None)):
            try:
                persistence.save_success(data=call, result=attempt)
                return
            except Exception:  # noqa: BLE001 - try the next, smaller record
                logger.exception("the answer of an applied call was not recorded",
                                 shop_id=shop_id, operation=call["operation"])  # fmt: skip
