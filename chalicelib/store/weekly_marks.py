"""Which weekly summaries were sent: one item per ISO week and supervisor.

`PK = WEEKLY#<week>`, `SK = STAFF#<username>`, kept 90 days (TTL `expires_at`). Taking the
mark is one conditional put: it succeeds when there is no mark, or when a run that took it
died while sending (`state = sending` and its lease ran out); so two runs at once, or a
retried one, send each summary once, and one cut short is finished by the next.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta

from ..domain.clock import to_iso
from . import keys
from .dynamo import Table

KEEP = timedelta(days=90)
#: how long a run may take to send one summary before another run may take it over
LEASE = timedelta(minutes=5)


class DynamoWeeklyMarks:
    def __init__(self, table: Table, lease: timedelta = LEASE) -> None:
        self.table = table
        self.lease = lease

    def claim(self, week: str, username: str, at: datetime) -> bool:
        item = {
            **keys.weekly_mark_key(week, username),
            "entity": "weekly_summary",
            "week": week,
            "username": username,
            "state": "sending",
            "claimed_at": to_iso(at),
            "lease_until": to_iso(at + self.lease),
            "expires_at": int((at + KEEP).timestamp()),
        }
        client = self.table.client
        try:
            client.put_item(
                TableName=self.table.name,
                Item=self.table.ser(item),
                ConditionExpression="attribute_not_exists(PK) OR (#s = :sending AND "
                "lease_until < :now)",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues=self.table.ser(
                    {":sending": "sending", ":now": to_iso(at)}
                ),
            )
        except client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def sent(self, week: str, username: str, message_id: str, at: datetime) -> None:
        """The summary went out: the mark stays taken for good."""
        self.table.update(
            keys.weekly_mark_key(week, username),
            "SET #s = :sent, sent_at = :at, message_id = :id REMOVE lease_until",
            "attribute_exists(PK)",
            {"#s": "state"},
            {":sent": "sent", ":at": to_iso(at), ":id": message_id},
        )

    def release(self, week: str, username: str) -> None:
        """The send failed: give the mark back, so the next run tries again."""
        client = self.table.client
        with suppress(client.exceptions.ConditionalCheckFailedException):  # sent after all
            client.delete_item(
                TableName=self.table.name,
                Key=self.table.ser(keys.weekly_mark_key(week, username)),
                ConditionExpression="#s = :sending",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues=self.table.ser({":sending": "sending"}),
            )
