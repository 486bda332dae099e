"""Presence marks on a case (chalicelib/store/README.md; docs/views-and-presence.md).

`PK = CASE#<id>`, `SK = ~PRES#<username>`: one item per staff member on the case, put again
with each poll (the same key: a retry or a second tab changes nothing but the time), TTL
`expires_at`. They sort after `~`, so reading a case (`SK < ~`) never reads them, nor do
its events' ranges (`~EV#`). Who is on a case: one Query `SK begins_with ~PRES#`.
"""

from __future__ import annotations

from datetime import datetime

from ..domain.clock import from_iso, to_iso
from ..domain.presence import Mode, Present, expires_at
from . import keys
from .dynamo import Table

PREFIX = "~PRES#"


class DynamoPresenceStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def mark(self, case_id: str, username: str, mode: Mode, now: datetime) -> None:
        self.table.put({"PK": keys.case_pk(case_id), "SK": f"{PREFIX}{username}",
                        "entity": "presence", "username": username, "mode": mode,
                        "at": to_iso(now), "expires_at": expires_at(now)})  # fmt: skip

    def marks(self, case_id: str) -> list[Present]:
        items = self.table.query_all(("PK", keys.case_pk(case_id)), sort_prefix=PREFIX)
        return [Present(username=i["username"], mode=i["mode"], at=from_iso(i["at"]))
                for i in items]  # fmt: skip

    def leave(self, case_id: str, username: str) -> None:
        self.table.delete({"PK": keys.case_pk(case_id), "SK": f"{PREFIX}{username}"})
