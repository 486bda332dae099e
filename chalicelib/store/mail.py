"""Inbound mail: the raw messages SES stored in S3, what became of each message, and the
journal of mail that opened nothing.

A message that opened nothing (an auto-reply, a bounce, a loop, a refused one, a
repeat) is still recorded, by day, with why, so "did the customer's mail arrive?" has an
answer without reading S3 by hand. Every message taken is remembered by its Message-ID
(`MAILIN#`, a year by TTL) in the same transaction as its effect; every notice sent is
remembered by its SES Message-ID (`MAILREF#`, written by the notice store).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..domain.clock import ISTANBUL, to_iso
from ..domain.errors import Conflict
from ..domain.mail_threads import SentMail, TakenMail
from . import keys
from .aws import client
from .dynamo import Table

JOURNAL_SECONDS = 90 * 24 * 3600
#: a reply may come long after the mail it answers; a year covers warranty-length cases
TAKEN_SECONDS = 365 * 24 * 3600
ALREADY_TAKEN = "already_received"


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


class DynamoMailRefs:
    """Sent mail by SES Message-ID, taken mail by Message-ID."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def sent(self, message_id: str) -> SentMail | None:
        item = self.table.get(keys.mail_ref_key(message_id))
        return SentMail.model_validate(item) if item else None

    def taken(self, message_key: str) -> TakenMail | None:
        item = self.table.get(keys.inbound_message_key(message_key))
        return TakenMail.model_validate(item) if item else None

    def taken_operation(self, taken: TakenMail) -> tuple[dict[str, Any], Exception]:
        """The record that the mail was taken, written once: the second copy of the mail
        (or a retry after this write) fails its condition and changes nothing."""
        at = taken.at or datetime.now().astimezone()
        item = {
            **taken.model_dump(mode="json", exclude_none=True),
            **keys.inbound_message_key(taken.key),
            "entity": "mail_taken",
            "expires_at": int(at.timestamp()) + TAKEN_SECONDS,
        }
        put = {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
        return put, Conflict("this mail was taken before", code=ALREADY_TAKEN)

    def write(self, operations: list[tuple[dict[str, Any], Exception]]) -> None:
        """Writes that stand or fall together; a failed condition raises what it means."""
        self.table.transact_meaning(operations)


class DynamoMailJournal:
    def __init__(self, table: Table) -> None:
        self.table = table

    def operation(self, at: datetime, key: str, outcome: str, reason: str, sender: str,
                  subject: str) -> tuple[dict[str, Any], Exception]:  # fmt: skip
        """The journal line, for the transaction that records the mail as taken."""
        day = at.astimezone(ISTANBUL).date().isoformat()
        item = {
            **keys.inbound_mail_key(day, to_iso(at), key),
            "entity": "inbound_mail", "key": key, "outcome": outcome, "reason": reason[:500],
            "sender": sender[:320], "subject": subject[:200],
            "expires_at": int(at.timestamp()) + JOURNAL_SECONDS,
        }  # fmt: skip
        return {"Put": {"Item": item}}, Conflict("journal line not written")

    def record(self, at: datetime, key: str, outcome: str, reason: str, sender: str,
               subject: str) -> None:  # fmt: skip
        self.table.put(self.operation(at, key, outcome, reason, sender, subject)[0]["Put"]["Item"])

    def day(self, day: str) -> list[dict[str, Any]]:
        return self.table.query_all(("PK", keys.inbound_mail_key(day, "", "")["PK"]))
