"""Each signed call applied once: Powertools idempotency, recorded in the one table.

The key is the shop and the call's `webhook-id`; the stored answer is returned
for a repeat within a day, without applying anything again. The body's hash is
checked too: the same id with a different body is refused rather than guessed at.
Records live at `PK = IDEMPOTENCY#<shop>`, `SK = <Powertools' hashed key>` and
expire through the table's TTL attribute.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..domain.errors import Conflict
from .aws import client

DAY = 24 * 3600


class CallLedger:
    def __init__(self, table_name: str, keep_seconds: int = DAY) -> None:
        self.table_name = table_name
        self.keep_seconds = keep_seconds

    @lru_cache(maxsize=64)  # noqa: B019 - one ledger per process, a handful of shops
    def _apply_once(self, shop_id: str) -> tuple[Callable[..., Any], Any]:
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

        return apply, config

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
            IdempotencyValidationError,
        )

        call = {
            "operation": operation,
            "webhook_id": webhook_id,
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        apply, config = self._apply_once(shop_id)
        if lambda_context is not None:  # an in-progress record then expires with the Lambda
            config.register_lambda_context(lambda_context)
        try:
            return apply(call=call, work=work)
        except IdempotencyAlreadyInProgressError as exc:
            raise Conflict(
                "a call with this webhook-id is being applied; retry shortly", code="in_progress"
            ) from exc
        except IdempotencyValidationError as exc:
            raise Conflict(
                "this webhook-id was used for a different body", code="webhook_id_reused"
            ) from exc
