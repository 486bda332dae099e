"""Inbound mail: the raw messages SES stored in S3, and the journal of mail that opened nothing.

A message that opened nothing (an auto-reply, a bounce, a loop, a refused one)
is still recorded, by day, with why, so "did the customer's mail arrive?" has an
answer without reading S3 by hand.
"""

from __future__ import annotations

from typing import Any

from ..domain.clock import ISTANBUL, to_iso
from . import keys
from .aws import client
from .dynamo import Table

JOURNAL_SECONDS = 90 * 24 * 3600


class S3Mailbox:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def read(self, key: str, max_bytes: int) -> tuple[int, bytes | None]:
        """The message's size, and its bytes unless it is over max_bytes (then None)."""
        found = client("s3").get_object(Bucket=self.bucket, Key=key)
        size = int(found["ContentLength"])
        if size > max_bytes:
            found["Body"].close()
            return size, None
        return size, found["Body"].read()


class DynamoMailJournal:
    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, at: Any, key: str, outcome: str, reason: str, sender: str,
               subject: str) -> None:  # fmt: skip
        day = at.astimezone(ISTANBUL).date().isoformat()
        self.table.put({
            **keys.inbound_mail_key(day, to_iso(at), key),
            "entity": "inbound_mail", "key": key, "outcome": outcome, "reason": reason,
            "sender": sender, "subject": subject[:200],
            "expires_at": int(at.timestamp()) + JOURNAL_SECONDS,
        })  # fmt: skip

    def day(self, day: str) -> list[dict[str, Any]]:
        return self.table.query_all(("PK", keys.inbound_mail_key(day, "", "")["PK"]))
