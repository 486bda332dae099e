"""Case numbers per year, handed out from blocks each process reserves on the year's counter.

Every case number used to be taken by a conditional SET on one counter item inside the case's
transaction: one hot item that every create raced for. 50 agents opening cases at once retried
in lockstep and some ran out of attempts (409 busy). Now a process reserves a block of numbers
with one unconditional `ADD seq :size` (atomic, so it never fails on contention and never needs
a retry) and hands the block out locally under a lock; the case's transaction no longer touches
the counter.

The block grows while a process keeps reserving (a burst: the previous reservation was less
than `BURST_SECONDS` ago) and falls back to one number when it is quiet, so a quiet shop gets
consecutive numbers and a campaign day costs one counter write per up to `MAX_BLOCK` cases.

What this gives up, documented in docs/architecture.md ("Case numbers"):
- gaps: numbers a process reserved but never used are lost when the process ends (at most
  `MAX_BLOCK - 1` per process, and only after a burst);
- order: numbers are unique and increase within a process; across processes they follow
  the order of reservation, not of creation to the millisecond.

Rate in AWS: one item takes at most 1,000 write units a second (DynamoDB's per-partition
limit); at `MAX_BLOCK` = 64 numbers per write a year's numbering sustains about 64,000
creates a second, far past what the rest of a create costs.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from . import keys

#: the most numbers one reservation takes
MAX_BLOCK = 64
#: seconds: a reservation this soon after the previous one doubles the block
BURST_SECONDS = 2.0


class _Block:
    __slots__ = ("next", "last", "size", "reserved_at", "returned")

    def __init__(self) -> None:
        self.next = 1
        self.last = 0  # nothing reserved yet
        self.size = 1
        self.reserved_at: float | None = None
        self.returned: list[int] = []


class CaseNumbers:
    """Unique case sequence numbers per (table, year) for this process.

    `take(table, year)` -> int, the sequence (1-based) for `case_number(year, sequence)`;
    it costs one UpdateItem when the process's block is used up, nothing otherwise.
    `give_back(table, year, sequence)` returns a number whose case was never written (its
    transaction was cancelled), so the next create in this process uses it.
    Thread-safe: chalice local and a Lambda's threads share one instance.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._blocks: dict[tuple[str, int], _Block] = {}

    def take(self, table: Any, year: int) -> int:
        with self._lock:
            block = self._blocks.setdefault((table.name, year), _Block())
            if block.returned:
                return block.returned.pop()
            if block.next > block.last:
                self._reserve(table, year, block)
            sequence = block.next
            block.next += 1
            return sequence

    def give_back(self, table: Any, year: int, sequence: int) -> None:
        with self._lock:
            self._blocks.setdefault((table.name, year), _Block()).returned.append(sequence)

    def forget(self) -> None:
        """Drop every block, as a new container starts (bench and tests)."""
        with self._lock:
            self._blocks.clear()

    def _reserve(self, table: Any, year: int, block: _Block) -> None:
        now = self._clock()
        burst = block.reserved_at is not None and now - block.reserved_at < BURST_SECONDS
        block.size = min(MAX_BLOCK, block.size * 2) if burst else 1
        answer = table.client.update_item(
            TableName=table.name,
            Key=table.ser(keys.counter_key(year)),
            UpdateExpression="ADD seq :size",
            ExpressionAttributeValues=table.ser({":size": block.size}),
            ReturnValues="UPDATED_NEW",
        )
        last = int(table.de(answer["Attributes"])["seq"])
        block.next, block.last, block.reserved_at = last - block.size + 1, last, now


#: this process's numbers; one per process, as the blocks it holds are
CASE_NUMBERS = CaseNumbers()
