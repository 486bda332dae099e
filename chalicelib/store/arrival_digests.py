"""A group's unassigned arrivals, filed per digest window, and who got each window's digest.

`PK = ARRIVALS#<group id>#<window start, ISO UTC>` holds the window's arrivals (`SK =
CASE#<case id>`, the facts the digest shows, put by routing or the notifier: a repeat is
the same item) and its members' marks (`SK = SENT#<username>`: store/weekly_marks.py's conditional
put with a lease, so a retried or doubled run mails each member once). Everything expires
after KEEP (TTL `expires_at`). One Query reads a window whole; the cases' current state is
one BatchGetItem of their case items (projected to what the digest checks).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from ..domain.clock import to_iso
from ..domain.staff_notices import Arrival
from . import keys
from .dynamo import Table
from .weekly_marks import DynamoWeeklyMarks

KEEP = timedelta(days=7)
CASE_PREFIX, SENT_PREFIX = "CASE#", "SENT#"


def window_key(group_id: str, start: datetime) -> str:
    """The marks' `week` argument: `<group id>#<window start>`."""
    return f"{group_id}#{to_iso(start)}"


class DynamoArrivalDigests:
    def __init__(self, table: Table) -> None:
        self.table = table
        #: the members' marks (claim / sent / release), keyed by `window_key`
        self.marks = DynamoWeeklyMarks(table, key=keys.arrival_mark_key, entity="arrival_digest")

    def add(self, group_id: str, start: datetime, arrival: Arrival) -> None:
        """File an arrival under the group's window (an unconditional put: idempotent)."""
        self.table.put(
            {
                "PK": keys.arrivals_pk(group_id, to_iso(start)),
                "SK": CASE_PREFIX + arrival.case_id,
                "entity": "arrival",
                **arrival.model_dump(mode="json"),
                "expires_at": int((start + KEEP).timestamp()),
            }
        )

    def window(self, group_id: str, start: datetime) -> tuple[list[Arrival], set[str]]:
        """The window's arrivals and the usernames whose digest of it is sent or being sent."""
        pk = keys.arrivals_pk(group_id, to_iso(start))
        arrivals, marked, cursor = [], set(), None
        while True:
            items, cursor = self.table.query(("PK", pk), cursor=cursor)
            for item in items:
                if item["SK"].startswith(CASE_PREFIX):
                    arrivals.append(
                        Arrival.model_validate({k: item[k] for k in Arrival.model_fields})
                    )
                elif item["SK"].startswith(SENT_PREFIX):
                    marked.add(item["SK"].removeprefix(SENT_PREFIX))
            if cursor is None:
                return arrivals, marked

    def cases_now(self, case_ids: list[str]) -> dict[str, dict]:
        """Case id → the case's `group_id`, `assignee`, `status` now (absent: no such case)."""
        found = self.table.batch_get(
            [{"PK": keys.case_pk(c), "SK": keys.CASE_META} for c in dict.fromkeys(case_ids)],
            projection=["PK", "group_id", "assignee", "status"],
        )
        return {keys.case_id_of(item["PK"]): item for item in found}
