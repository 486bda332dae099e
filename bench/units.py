"""DynamoDB's billing units for the calls an app makes, computed from the items themselves.

moto answers `ReturnConsumedCapacity` with fixed numbers, so the bench computes the units as
DynamoDB bills them, from each written item's image before and after the call (read from
moto's backend in this process) and from each read item's size:

- a write costs ceil(size / 1 KB) write units, size being the larger of the item before and
  after it (a delete: the item before); twice that in a transaction (TransactWriteItems,
  ConditionCheck items included); a refused conditional write still costs its units;
- each global secondary index the item is in (before or after) costs ceil(entry / 1 KB) for
  an entry put or removed, two when the index's key changed (old entry out, new one in), and
  nothing when neither its key nor any projected attribute changed; an entry is the index's
  and the table's key attributes plus what the index projects (ALL, INCLUDE, KEYS_ONLY);
- a read costs ceil(size / 4 KB) read units, half for an eventually consistent read, twice
  for a transactional one; a Query or Scan adds the sizes of what it returned (full items,
  not a ProjectionExpression's part, as billed) before rounding, and costs one unit of 4 KB
  at least.

Sources: DynamoDB developer guide, "Read/write capacity mode" (request units) and
"Provisioned throughput considerations for global secondary indexes" (the index rules).
Item size follows DynamoDB's "Item sizes and formats" (names and values in UTF-8; a number
about one byte per two digits plus one; lists and maps three bytes plus a byte per element).
"""

from __future__ import annotations

import base64
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem")
READS = ("GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems")


def value_size(value: dict[str, Any]) -> int:
    """The size of one AttributeValue (`{"S": "..."}`, `{"M": {...}}`, …) in bytes."""
    ((kind, inner),) = value.items()
    if kind == "S":
        return len(inner.encode())
    if kind == "N":
        digits = inner.lstrip("-").replace(".", "").lstrip("0") or "0"
        return (len(digits) + 1) // 2 + 1
    if kind == "B":
        return len(inner) if isinstance(inner, bytes | bytearray) else len(base64.b64decode(inner))
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in inner)
    if kind == "NS":
        return sum(value_size({"N": n}) for n in inner)
    if kind == "BS":
        return sum(value_size({"B": b}) for b in inner)
    if kind == "L":
        return 3 + sum(value_size(v) + 1 for v in inner)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
    raise ValueError(f"unknown attribute type {kind!r}")


def item_size(item: dict[str, Any] | None) -> int:
    return sum(len(k.encode()) + value_size(v) for k, v in (item or {}).items())


@dataclass(frozen=True)
class Index:
    """A global secondary index: its key attributes and what it projects."""

    name: str
    keys: tuple[str, ...]
    projection: str  # ALL, KEYS_ONLY or INCLUDE
    included: tuple[str, ...] = ()

    def entry(self, item: dict[str, Any] | None, table_keys: tuple[str, ...]) -> dict | None:
        """The item's entry in this index, or None when it is not in it (a key missing)."""
        if not item or any(k not in item for k in self.keys):
            return None
        if self.projection == "ALL":
            return item
        kept = set(self.keys) | set(table_keys) | set(self.included)
        return {k: v for k, v in item.items() if k in kept}


def indexes_of(description: dict[str, Any]) -> tuple[tuple[str, ...], list[Index]]:
    """The table's key attributes and its global secondary indexes, from DescribeTable."""
    table_keys = tuple(k["AttributeName"] for k in description["KeySchema"])
    found = []
    for gsi in description.get("GlobalSecondaryIndexes", []):
        projection = gsi["Projection"]
        found.append(Index(gsi["IndexName"], tuple(k["AttributeName"] for k in gsi["KeySchema"]),
                           projection["ProjectionType"],
                           tuple(projection.get("NonKeyAttributes", ()))))  # fmt: skip
    return table_keys, found


def write_units(before: dict | None, after: dict | None, transactional: bool) -> int:
    size = max(item_size(before), item_size(after))
    return max(1, math.ceil(size / 1024)) * (2 if transactional else 1)


def index_units(before: dict | None, after: dict | None, index: Index, table_keys) -> int:
    old, new = index.entry(before, table_keys), index.entry(after, table_keys)
    units = lambda entry: max(1, math.ceil(item_size(entry) / 1024))  # noqa: E731
    if old is None and new is None:
        return 0
    if old is None:
        return units(new)
    if new is None:
        return units(old)
    if any(old[k] != new[k] for k in index.keys):
        return units(old) + units(new)
    return units(new) if old != new else 0


def consistent_of(params: dict[str, Any]) -> bool:
    """Whether a read asked for strongly consistent reads: its `ConsistentRead`, or for a
    BatchGetItem the one inside `RequestItems` (the request has none of its own)."""
    if params.get("ConsistentRead"):
        return True
    return any(r.get("ConsistentRead") for r in params.get("RequestItems", {}).values())


def read_units(sizes: list[int], consistent: bool, transactional: bool = False) -> float:
    """One request's read units for the items it read (a Query: together; a batch: each)."""
    per_4kb = 2.0 if transactional else 1.0 if consistent else 0.5
    return max(1, math.ceil(sum(sizes) / 4096)) * per_4kb


@dataclass
class Units:
    """What a stretch of calls cost: write units to the table and to each index, read units."""

    table_writes: float = 0.0
    index_writes: Counter[str] = field(default_factory=Counter)
    reads: float = 0.0

    @property
    def writes(self) -> float:
        return self.table_writes + sum(self.index_writes.values())
