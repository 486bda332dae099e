"""Which weekly summaries were sent: one item per ISO week and supervisor.

`PK = WEEKLY#<week>`, `SK = STAFF#<username>`, kept 90 days (TTL `expires_at`). Taking the
mark is one conditional put: it succeeds when there is no mark, or when a run that took it
died while sending (`state = sending` and its lease ran out); so two runs at once, or a
retried one, send each summary once, and one cut short is finished by the next.

The same marks, under another key and entity, say which satisfaction deviation alerts
were sent (`satisfaction_alert_marks`: `PK = SATALERT#<week>`, `SK = <dimension>#<value>#
<username>`, the subject kept in `username`).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import datetime, timedelta

from ..domain.clock import to_iso
from . import keys
from .dynamo import Table

KEEP = timedelta(days=90)
#: how long a run may take to send one summary before another run may take it over
LEASE = timedelta(minutes=5)


class DynamoWeeklyMarks:
    def __init__(
        self,
        table: Table,
        lease: timedelta = LEASE,
        key: Callable[[str, str], dict[str, str]] = keys.weekly_mark_key,
        entity: str = "weekly_summary",
    ) -> None:
        self.table = table
        self.lease = lease
        self.key = key
        self.entity = entity

    def claim(self, week: str, username: str, at: datetime) -> bool:
        item = {
            **self.key(week, username),
            "entity": self.entity,
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
            self.key(week, username),
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
                Key=self.table.ser(self.key(week, username)),
                ConditionExpression="#s = :sending",
                ExpressionAttributeNames={"#s": "state"},
                ExpressionAttributeValues=self.table.ser({":sending": "sending"}),
            )


def satisfaction_alert_marks(table: Table) -> DynamoWeeklyMarks:
    """Marks of the satisfaction deviation alerts: one per ISO week, dimension value and
    supervisor (the `username` argument is `<dimension>#<value>#<username>`)."""
    return DynamoWeeklyMarks(table, key=keys.satisfaction_alert_key, entity="satisfaction_alert")
