"""The report projection's writes of one SQS batch, packed into transactions. Pure: no I/O.

Issue 21: a counter cell is a write unit (two in a transaction), and the cases of a batch
share most of their cells (the same day, group, customer category...). So a batch is not
written case by case: each case's next state and increments are computed first
(`CaseWrite`), then the cases are packed into as few chunks as fit a TransactWriteItems
(`pack`), and each chunk is written as ONE transaction: its cases' states (each conditional
on the revision read) and the cells of exactly those cases, their increments summed
(`summed`). A chunk's cells hold only its own states' increments, so a chunk is atomic and
idempotent on its own: if one state's condition fails, nothing of the chunk is written and
its cases are computed again; the other chunks stand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .report_projection import Increments, ReportState

#: a transaction's items at most (DynamoDB's limit)
MAX_ITEMS = 100
#: a transaction's bytes at most, with a margin under DynamoDB's 4 MB for the names and
#: expressions the estimate leaves out
MAX_BYTES = 3_000_000
#: what a counter update or a breach record may take at most, in bytes (its key, a few
#: dozen counter names and values): the estimate is an upper bound, not a measure
CELL_BYTES = 2_000
#: the open chunks a case may join (best fit among them); an older one is closed. Bounds the
#: packing's time at a batch of 10,000 events (cases × this × the case's cells)
OPEN_CHUNKS = 16


@dataclass
class CaseWrite:
    """One case's write in a version: its next `state`, conditional on `expected` (the
    revision read; 0: no state yet), the counters its events add (`increments`) and the
    breach records they found; `applied`: how many events it applies."""

    state: ReportState
    expected: int
    increments: Increments = field(default_factory=Increments)
    breaches: list[dict[str, Any]] = field(default_factory=list)
    applied: int = 0

    @property
    def case_id(self) -> str:
        return self.state.case_id

    def cells(self) -> set[tuple[Any, ...]]:
        """The counter items this write adds to: ("day", day, slice, value) and ("level",
        slice, value)."""
        return {("day", *k) for k in self.increments.days} | {
            ("level", *k) for k in self.increments.levels
        }

    def counts(self) -> bool:
        """Whether it writes anything beside its state (counters or breach records): the
        state alone is a conditional PutItem, one unit, never part of a transaction."""
        return bool(self.increments.days or self.increments.levels or self.breaches)

    def own_bytes(self) -> int:
        """An upper bound of the bytes of its state and breach records."""
        state = len(json.dumps(self.state.model_dump(mode="json"), separators=(",", ":")))
        return state + 200 + CELL_BYTES * len(self.breaches)


def items_of(writes: list[CaseWrite]) -> int:
    """The items a chunk of these writes takes: a state each, their breach records, and
    each distinct counter cell once (summed cells that cancel out to zero are left out when
    written, so this is an upper bound)."""
    cells: set[tuple[Any, ...]] = set()
    for write in writes:
        cells |= write.cells()
    return len(writes) + sum(len(w.breaches) for w in writes) + len(cells)


def summed(writes: list[CaseWrite]) -> Increments:
    """The increments of every write of a chunk added per cell (zero sums left out)."""
    total = Increments()
    for write in writes:
        total.add(write.increments)
    return total


class _Chunk:
    def __init__(self) -> None:
        self.writes: list[CaseWrite] = []
        self.cells: set[tuple[Any, ...]] = set()
        self.items = 0
        self.bytes = 0

    def cost(self, write: CaseWrite, cells: set[tuple[Any, ...]], own: int) -> tuple[int, int]:
        """The items and bytes `write` (its `cells`, its `own` bytes) adds to the chunk."""
        new = len(cells - self.cells)
        return 1 + len(write.breaches) + new, own + CELL_BYTES * new

    def take(self, write: CaseWrite, cells: set[tuple[Any, ...]], own: int) -> None:
        items, size = self.cost(write, cells, own)
        self.writes.append(write)
        self.cells |= cells
        self.items += items
        self.bytes += size


def pack(
    writes: list[CaseWrite], limit: int = MAX_ITEMS, max_bytes: int = MAX_BYTES
) -> list[list[CaseWrite]]:
    """The writes in chunks of at most `limit` items and `max_bytes` (estimated), as few as
    the greedy finds: cases sorted by their cells (cases alike sit together), each put in
    the open chunk it adds the fewest new items to (best fit), or a new one. A write of the
    state alone (`counts` False) is a chunk of its own (a conditional PutItem bills half a
    transaction's item). ValueError for a write that alone is over the limits (the caller
    splits a case's events so that none is)."""
    solo = [[w] for w in writes if not w.counts()]
    counting = sorted((w for w in writes if w.counts()), key=lambda w: sorted(w.cells()))
    # (the cells and bytes of a write are worked out once: the loop asks each open chunk)
    done: list[_Chunk] = []
    open_: list[_Chunk] = []
    for write in counting:
        cells, own = write.cells(), write.own_bytes()
        best: tuple[int, _Chunk] | None = None
        for chunk in open_:
            items, size = chunk.cost(write, cells, own)
            fits = chunk.items + items <= limit and chunk.bytes + size <= max_bytes
            if fits and (best is None or items < best[0]):
                best = (items, chunk)
        if best is None:
            chunk = _Chunk()
            items, size = chunk.cost(write, cells, own)
            if items > limit or size > max_bytes:
                raise ValueError(f"a case's write of {items} items is over the limit {limit}")
            open_.append(chunk)
            best = (items, chunk)
        best[1].take(write, cells, own)
        full = [c for c in open_ if c.items >= limit - 1]
        while len(open_) - len(full) > OPEN_CHUNKS:  # close the oldest still open
            full.append(next(c for c in open_ if c not in full))
        for chunk in full:
            open_.remove(chunk)
            done.append(chunk)
    return [c.writes for c in done + open_] + solo


@dataclass
class ChunkOutcome:
    """How a chunk's transaction went: written, or cancelled because the states of `moved`
    (case ids) were no longer at the revision read (another copy or container applied their
    events: compute them again), or because another transaction held one of its items
    (`busy`: DynamoDB's TransactionConflict on a hot cell; try again after a pause)."""

    written: bool
    moved: frozenset[str] = frozenset()
    busy: bool = False


WRITTEN = ChunkOutcome(written=True)
