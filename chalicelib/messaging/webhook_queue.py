"""SQS for the shops' webhooks: the fan-out queue (case events from the bus, and replay
pages) and the deliveries queue (one message per endpoint and event)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

#: SendMessageBatch takes at most 10 entries
BATCH = 10
ATTEMPTS = 3


class QueueRefused(RuntimeError):
    """SQS kept refusing some entries; the message that asked for them comes back."""


class SqsWebhookQueues:
    def __init__(self, fan_out_url: str, deliveries_url: str) -> None:
        self.fan_out_url = fan_out_url
        self.deliveries_url = deliveries_url

    def send_deliveries(self, deliveries: Sequence[dict[str, Any]]) -> None:
        """One message per delivery, ten a call; entries SQS refused are sent again."""
        self._send(self.deliveries_url, [json.dumps(d, ensure_ascii=False) for d in deliveries])

    def send_replay_page(self, page: dict[str, Any]) -> None:
        """The next page of a replay, for the fan-out queue's consumer."""
        self._send(self.fan_out_url, [json.dumps(page, ensure_ascii=False)])

    def retry_later(self, receipt_handle: str, seconds: int) -> None:
        """Make a delivery message visible again only after `seconds` (its backoff)."""
        from ..store.aws import client

        client("sqs").change_message_visibility(
            QueueUrl=self.deliveries_url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )

    def send_delayed(self, delivery: dict[str, Any], seconds: int) -> None:
        """A delivery's next copy, received no sooner than `seconds` (at most 900: SQS's
        longest message delay)."""
        from ..store.aws import client

        client("sqs").send_message(
            QueueUrl=self.deliveries_url,
            MessageBody=json.dumps(delivery, ensure_ascii=False),
            DelaySeconds=max(0, min(900, seconds)),
        )

    def _send(self, url: str, bodies: list[str]) -> None:
        from ..store.aws import client

        sqs = client("sqs")
        for start in range(0, len(bodies), BATCH):
            pending = {str(i): body for i, body in enumerate(bodies[start : start + BATCH])}
            for _ in range(ATTEMPTS):
                entries = [{"Id": k, "MessageBody": v} for k, v in pending.items()]
                answer = sqs.send_message_batch(QueueUrl=url, Entries=entries)
                pending = {f["Id"]: pending[f["Id"]] for f in answer.get("Failed", [])}
                if not pending:
                    break
            if pending:
                raise QueueRefused(f"SQS refused {len(pending)} messages")
