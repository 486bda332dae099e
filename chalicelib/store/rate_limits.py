"""Per-client allowances for the public routes, counted in the one table.

A fixed one-minute window per route and client address: one conditional
UpdateItem per public request, shared by every Lambda instance (a counter in
memory would let each new instance start afresh). Counters expire by the
table's TTL. API Gateway's stage throttling still caps bursts in front of it.
"""

from __future__ import annotations

import time

from . import keys
from .dynamo import Table

WINDOW_SECONDS = 60


class DynamoRateLimiter:
    def __init__(self, table: Table) -> None:
        self.table = table

    def admit(self, scope: str, client: str, limit: int, now: float | None = None) -> int | None:
        """None if the call may go on; else the seconds until the next window opens."""
        now = time.time() if now is None else now
        window = int(now // WINDOW_SECONDS)
        counted = self.table.update(
            keys.rate_key(scope, client, window),
            "ADD hits :one SET expires_at = :expires",
            "attribute_not_exists(hits) OR hits < :limit",
            {},
            {":one": 1, ":limit": limit, ":expires": (window + 2) * WINDOW_SECONDS},
        )
        if counted is None:
            return max(1, (window + 1) * WINDOW_SECONDS - int(now))
        return None
