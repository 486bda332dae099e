"""moto's DynamoDB at a real shop's size: transactions that copy only what they touch,
queries that read only their partition, and one lock per backend.

`install()` patches moto's DynamoDB in this process (idempotent; `uninstall()` puts moto
back; only on moto 5.2, which requirements-dev.txt pins). Stock moto 5.2 has two costs
that grow with the table, and two that make every request slow:

- **TransactWriteItems deep-copies every table it names** before it starts, so that it
  can roll back (`DynamoDBBackend.transact_write_items`): with 10,000 cases opening one
  through the API took about 25 s. Here a transaction keeps only the items its actions
  write (the item as it was, or "absent") and puts back only those when it is cancelled,
  together with the stream records it added.
- **Query sorts the whole table** (`Table.query` calls `all_items()`, which sorts every
  item, then keeps the partition's), for the table and for every index. Here each table
  keeps, for itself and for each secondary index, a map from partition value to the
  partition's entries sorted exactly as moto sorts them (index sort key, then the table's
  keys); put, update, delete and a cancelled transaction's rollback keep it current, and
  a query bisects to its key condition's range. It is built on a table's first query
  (about 1.2 s per 100,000 items), so loading data pays nothing for it.
- **An item's size is re-summed on every attribute added** (`LimitedSizeDict`): a put
  of a forty-attribute case item summed 800 sizes. `Item.__init__` here keeps a running
  sum: the same limit, the same error, at the same attribute.
- **Answers are serialized through ten value-picker lookups per AttributeValue** at every
  level of every item: a page of 25 cases took 400 ms to serialize and 20 ms to find.
  `DynamoResult` here writes AttributeValues in one pass, exactly as moto's serializer
  would (strings, numbers, base64 blobs, sets, maps, lists, nulls, booleans).

Everything else is moto's own code: the same condition checks, the same cancellation
reasons (with the old item when `ReturnValuesOnConditionCheckFailure=ALL_OLD`), the same
100-action limit, the same item-size limit, the same `LastEvaluatedKey` rules (including
moto's own: a page that ends on its `Limit` carries a key when the partition holds any
further item, in range or not), the same projections and filters. A query this module
cannot answer exactly as moto would (a multi-attribute key schema, legacy `QueryFilter`,
a start key of another type, an index whose key attributes hold mixed types, a table
without a sort key) goes to moto's own `Table.query`. One addition: a transaction whose
items add up to more than 4 MB is refused with a ValidationException, as DynamoDB does
(stock moto writes it). Not modelled, as in stock moto: ClientRequestToken idempotency,
TransactionConflict (transactions here wait for each other instead), TTL expiry.

Concurrency: moto's backends have no lock; concurrent requests on the threaded server
interleave inside a transaction (between its condition checks and its writes) and change
dicts while a query walks them. Every DynamoDB operation patched here runs under one
re-entrant lock per (account, region), so a transaction is atomic with respect to every
other request (each request runs under it whole: its reads, its writes and its answer),
and the sorted partitions are never seen half-updated. The lock is correct on its own
and nests under any coarser lock a server puts around whole requests.

Why a patch module and not a fork of moto: the change is a few methods and the
bookkeeping beside them; a fork would pin destek to one moto release and carry every
other moto fix by hand. The module replaces moto's methods with the same signatures and
exceptions, leaves everything it does not handle to moto's code, and is checked by
tests/conformance/: the DynamoDB operations destek uses, as scenarios in moto's own test
style (boto3 against a moto server), plus a seeded random workload, run on stock moto
and on this engine with identical answers required, field for field. That is the shape
the change would take upstream: the same methods, the same tests.

`import_items()` stores a data set straight into a table (moto's key and size checks,
no request parsing) for loaders such as bench/loader.py; `warm()` builds the sorted
partitions of every table now instead of on each table's first query.
"""

from __future__ import annotations

import base64
import bisect
import copy
import functools
import logging
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from operator import itemgetter
from typing import Any

import moto
from moto.core.responses import ActionContext, ActionResult
from moto.core.serialize import BaseJSONSerializer
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    ItemSizeTooLarge,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend, dynamodb_backends
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import RESULT_SIZE_LIMIT, Table
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.responses import DynamoHandler, DynamoResult

#: the moto release line these patches replace methods of (requirements-dev.txt pins it)
MOTO_SERIES = "5.2."
log = logging.getLogger(__name__)

#: DynamoDB's limits on one TransactWriteItems call
MAX_TRANSACTION_ACTIONS = 100
MAX_TRANSACTION_BYTES = 4 * 1024 * 1024
#: the largest item moto stores (its LimitedSizeDict refuses more): an item outside a
#: query's range can end a page by size only when the page already holds this much less
#: than the 1 MB page limit
_MAX_ITEM_BYTES = 405_000
_KEY_TYPES = frozenset({"S", "N", "B"})

_ABSENT = object()  # a patched attribute the class only inherited
_install_lock = threading.Lock()
_locks_lock = threading.Lock()
_installed: dict[tuple[Any, str], Any] = {}  # (owner, attribute name) -> moto's original
_generation = 0  # bumped by install/uninstall: writes made meanwhile were not indexed
_backend_locks: dict[tuple[str, str], threading.RLock] = {}
_indexes: weakref.WeakKeyDictionary[Table, _TableIndexes] = weakref.WeakKeyDictionary()
_local = threading.local()  # .suspended > 0: Table hooks leave the index to the caller
#: items `import_items` stored in this process: written outside any request, so outside the
#: journal; the local stack's next snapshot keeps them (devstack/moto_server.py)
imported = 0


# ---- install ---------------------------------------------------------------------------


def install() -> bool:
    """Patch moto's DynamoDB in this process; True when it was not patched before.

    Only on the moto release line it was written against (`MOTO_SERIES`, pinned in
    requirements-dev.txt): on another, moto's methods may have changed under the same
    names, so moto is left as it is (slow, but itself) and a warning says why.
    """
    global _generation
    with _install_lock:
        if _installed:
            return False
        if not moto.__version__.startswith(MOTO_SERIES):
            log.warning(
                "moto %s is not %s.x: DynamoDB runs as moto ships it (devstack/fast_dynamodb.py)",
                moto.__version__,
                MOTO_SERIES,
            )
            return False
        _generation += 1
        for owner, name, replacement in _patches():
            _installed[(owner, name)] = owner.__dict__.get(name, _ABSENT)
            setattr(owner, name, replacement)
        return True


def uninstall() -> bool:
    """Put moto's own methods back; True when something was patched."""
    global _generation
    with _install_lock:
        if not _installed:
            return False
        for (owner, name), original in _installed.items():
            if original is _ABSENT:
                delattr(owner, name)
            else:
                setattr(owner, name, original)
        _installed.clear()
        _generation += 1
        return True


def is_installed() -> bool:
    return bool(_installed)


def _original(owner: Any, name: str) -> Callable[..., Any]:
    return _installed.get((owner, name)) or owner.__dict__[name]


def _patches() -> list[tuple[Any, str, Callable[..., Any]]]:
    locked = ["get_item", "put_item", "delete_item", "query", "scan"]
    locked += ["execute_statement", "execute_transaction", "batch_execute_statement"]
    patches: list[tuple[Any, str, Callable[..., Any]]] = [
        (DynamoDBBackend, name, _locked_backend_method(DynamoDBBackend.__dict__[name]))
        for name in locked
    ]
    patches += [
        (DynamoDBBackend, "update_item", _backend_update_item),
        (DynamoDBBackend, "transact_write_items", _transact_write_items),
        (Table, "put_item", _table_put_item),
        (Table, "delete_item", _table_delete_item),
        (Table, "query", _table_query),
        (DynamoHandler, "call_action", _handler_call_action),
        (Item, "__init__", _item_init),
        (DynamoResult, "execute_result", _dynamo_result_execute_result),
    ]
    return patches


# ---- the lock --------------------------------------------------------------------------


def backend_lock(account_id: str, region: str) -> threading.RLock:
    """The re-entrant lock every patched DynamoDB operation of one backend runs under."""
    lock = _backend_locks.get((account_id, region))
    if lock is None:
        with _locks_lock:
            lock = _backend_locks.setdefault((account_id, region), threading.RLock())
    return lock


def backend_locks() -> list[threading.RLock]:
    """Every backend's lock made so far (a snapshot holds them all, devstack/moto_server.py)."""
    with _locks_lock:
        return [_backend_locks[key] for key in sorted(_backend_locks)]


def _table_lock(table: Table) -> threading.RLock:
    return backend_lock(table.account_id, table.region_name)


def _locked_backend_method(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def method(self: DynamoDBBackend, *args: Any, **kwargs: Any) -> Any:
        with backend_lock(self.account_id, self.region_name):
            return original(self, *args, **kwargs)

    return method


def _handler_call_action(self: DynamoHandler) -> Any:
    """A whole DynamoDB request under its backend's lock: what it reads to answer (the old
    item of ReturnValues=ALL_OLD, the items of a TransactGetItems or a BatchGetItem) and
    what it writes are one moment, as one request is in DynamoDB."""
    original = _original(DynamoHandler, "call_action")
    try:
        backend = self.dynamodb_backend
    except Exception:  # noqa: BLE001 - moto answers a request it cannot place itself
        return original(self)
    with backend_lock(backend.account_id, backend.region_name):
        return original(self)


@contextmanager
def _suspended() -> Iterator[None]:
    _local.suspended = getattr(_local, "suspended", 0) + 1
    try:
        yield
    finally:
        _local.suspended -= 1


def _is_suspended() -> bool:
    return getattr(_local, "suspended", 0) > 0


# ---- items ---------------------------------------------------------------------------


def _item_init(self: Item, hash_key: DynamoType, range_key: DynamoType | None,
               attrs: dict[str, Any]) -> None:  # fmt: skip
    """moto's Item.__init__ adds each attribute through LimitedSizeDict.__setitem__, which
    sums the size of every attribute already there: quadratic in the attribute count (a
    case item has about forty; most of a put's time). The same limit checked with a
    running sum: the same item, the same ItemSizeTooLarge at the same attribute."""
    self.hash_key = hash_key
    self.range_key = range_key
    limited = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(limited)
    total = 0
    for key, value in attrs.items():
        typed = DynamoType(value)
        total += bytesize(key) + typed.size()
        if total > _MAX_ITEM_BYTES:
            raise ItemSizeTooLarge
        dict.__setitem__(limited, key, typed)
    self.attrs = limited


# ---- responses -----------------------------------------------------------------------

#: AttributeValue's members in the order of botocore's DynamoDB model
_VALUE_MEMBERS = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")


def _b64(value: str | bytes) -> str:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return base64.b64encode(raw).strip().decode("utf-8")


def _text(value: Any) -> Any:
    return str(value) if value not in [None, {}, []] else value


def _attribute_value(value: dict[str, Any]) -> dict[str, Any]:
    """One AttributeValue as moto's JSON serializer writes it, member by member from the
    model (strings as `str`, blobs in base64, a map's None values left out, a list's kept),
    in one pass instead of ten value-picker lookups per value at every level."""
    out: dict[str, Any] = {}
    for member in _VALUE_MEMBERS:
        v = value.get(member)
        if v is None:
            continue
        if member in ("S", "N"):
            out[member] = _text(v)
        elif member == "B":
            out[member] = _b64(v)
        elif member in ("SS", "NS"):
            out[member] = [_text(x) for x in v]
        elif member == "BS":
            out[member] = [_b64(x) for x in v]
        elif member == "M":
            out[member] = {k: _attribute_value(x) for k, x in v.items() if x is not None}
        elif member == "L":
            out[member] = [_attribute_value(x) if x is not None else None for x in v]
        else:
            out[member] = v
    return out


class _AttributeValues:
    """A JSON serializer that writes AttributeValue shapes with `_attribute_value`."""

    def _serialize_type_structure(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if key and shape.name == "AttributeValue" and type(value) is dict:
            serialized[self.get_serialized_name(shape, key)] = _attribute_value(value)
            return
        super()._serialize_type_structure(serialized, value, shape, key)  # type: ignore[misc]


_serializers: dict[type, type] = {}


def _dynamo_result_execute_result(self: DynamoResult, context: ActionContext) -> Any:
    """DynamoDB's answers through moto's own serializer, its AttributeValues written in one
    pass: serializing a page of 25 case items took ten times as long as finding them."""
    base = context.serializer_class
    if issubclass(base, BaseJSONSerializer):
        fast = _serializers.get(base)
        if fast is None:
            fast = _serializers[base] = type(f"Fast{base.__name__}", (_AttributeValues, base), {})
        context = ActionContext(context.service_model, context.operation_model, fast,
                                context.response)  # fmt: skip
    return ActionResult.execute_result(self, context)


# ---- per-table sorted partitions --------------------------------------------------------


class _Unindexable(Exception):
    """An item's key attribute has a type the index cannot order with its other entries."""


class _SortedIndex:
    """One table's (or one secondary index's) partitions, each a list sorted as moto sorts.

    An entry is (*sort values, item): the sort values are the `cast_value`s of
    `sort_attrs` (for the table: its sort key; for an index: moto's own order, which is
    the index's sort key, then the table's hash and sort keys), so the list order is the
    order in which moto's `Table.query` returns the partition, and the values make every
    entry of a partition unique, so the item itself is never compared.
    """

    def __init__(self, name: str | None, hash_attr: str, sort_attrs: list[str]) -> None:
        self.name = name
        self.hash_attr = hash_attr
        self.sort_attrs = sort_attrs
        self.width = len(sort_attrs)
        self.types: list[str | None] = [None] * (1 + len(sort_attrs))
        self.partitions: dict[tuple[str, Any], list[tuple[Any, ...]]] = {}
        self.usable = True

    def key_of(self, item: Item) -> tuple[tuple[str, Any], tuple[Any, ...]] | None:
        """(partition, sort values) of the item in this index, or None when it is not in it."""
        attrs = item.attrs
        values = []
        for position, attr in enumerate((self.hash_attr, *self.sort_attrs)):
            value = attrs.get(attr)
            if value is None:
                return None
            if value.type not in _KEY_TYPES:
                raise _Unindexable(attr)
            seen = self.types[position]
            if seen is None:
                self.types[position] = value.type
            elif seen != value.type:
                raise _Unindexable(attr)
            values.append(value.value if value.type == "S" else value.cast_value)
        return (self.types[0], values[0]), tuple(values[1:])

    def add(self, partition: tuple[str, Any], sort: tuple[Any, ...], item: Item) -> None:
        entries = self.partitions.setdefault(partition, [])
        at = bisect.bisect_left(entries, sort)
        if at < len(entries) and entries[at][: self.width] == sort:
            entries[at] = (*sort, item)
        else:
            entries.insert(at, (*sort, item))

    def remove(self, partition: tuple[str, Any], sort: tuple[Any, ...]) -> None:
        entries = self.partitions.get(partition)
        if not entries:
            return
        at = bisect.bisect_left(entries, sort)
        if at < len(entries) and entries[at][: self.width] == sort:
            del entries[at]
            if not entries:
                del self.partitions[partition]

    def poison(self) -> None:
        """Give up on this index (its queries go to moto's own code) and free its memory."""
        self.usable = False
        self.partitions = {}


class _TableIndexes:
    """The sorted partitions of one table and of each of its secondary indexes."""

    def __init__(self, table: Table) -> None:
        self.items_ref = table.items
        self.generation = _generation
        self.signature = _signature(table)
        self.table = _SortedIndex(None, table.hash_key_attr, [table.range_key_attr])
        self.secondary: dict[str, _SortedIndex] = {}
        for index in table.all_indexes():
            hashes = [k["AttributeName"] for k in index.schema if k["KeyType"] == "HASH"]
            ranges = [k["AttributeName"] for k in index.schema if k["KeyType"] == "RANGE"]
            if len(hashes) != 1 or len(ranges) > 1:
                continue  # multi-attribute keys: moto's own code answers these
            sort_attrs = _moto_sort_attrs(table, hashes, ranges)[1:]
            self.secondary[index.name] = _SortedIndex(index.name, hashes[0], sort_attrs)
        self.all = [self.table, *self.secondary.values()]
        # most items carry the partition attribute of a few indexes only: look at those
        by_hash: dict[str, list[_SortedIndex]] = {}
        for index in self.all:
            by_hash.setdefault(index.hash_attr, []).append(index)
        hash_attrs = set(by_hash)
        for item in _every_item(table):
            for attr in hash_attrs.intersection(item.attrs):
                self._place(item, by_hash[attr])
        for index in self.all:
            for entries in index.partitions.values():
                entries.sort(key=lambda entry, width=index.width: entry[:width])

    def _place(self, item: Item, indexes: list[_SortedIndex]) -> None:
        for index in indexes:
            if not index.usable:
                continue
            try:
                key = index.key_of(item)
            except _Unindexable:
                index.poison()
                continue
            if key is not None:
                index.partitions.setdefault(key[0], []).append((*key[1], item))

    def replace(self, old: Item | None, new: Item | None) -> None:
        """Move the index entries of one primary key from its old item to its new one."""
        for index in self.all:
            if not index.usable:
                continue
            try:
                before = index.key_of(old) if old is not None else None
                after = index.key_of(new) if new is not None else None
            except _Unindexable:
                index.poison()
                continue
            if before is not None and before != after:
                index.remove(*before)
            if after is not None:
                index.add(*after, new)  # type: ignore[arg-type]

    def keys_of(self, item: Item | None) -> list[Any]:
        """Each index's key of the item as it is now (before an in-place update)."""
        keys: list[Any] = []
        for index in self.all:
            try:
                keys.append(index.key_of(item) if item is not None and index.usable else None)
            except _Unindexable:
                keys.append(None)
        return keys

    def moved(self, keys_before: list[Any], item: Item | None) -> None:
        """After an in-place update: drop the entries the item had, add the ones it has."""
        for index, before in zip(self.all, keys_before, strict=True):
            if not index.usable:
                continue
            try:
                after = index.key_of(item) if item is not None else None
            except _Unindexable:
                index.poison()
                continue
            if before is not None and before != after:
                index.remove(*before)
            if after is not None:
                index.add(*after, item)  # type: ignore[arg-type]


def _signature(table: Table) -> tuple[Any, ...]:
    return (
        table.hash_key_attr,
        table.range_key_attr,
        tuple(
            (i.name, tuple((k["AttributeName"], k["KeyType"]) for k in i.schema))
            for i in table.all_indexes()
        ),
    )


def _moto_sort_attrs(table: Table, hashes: list[str], ranges: list[str]) -> list[str]:
    """The attributes moto's Table.query sorts an index's items by (its own helper)."""
    if ranges:
        range_attrs: list[str | None] = [*ranges, table.range_key_attr]
    elif table.range_key_attr:
        range_attrs = [table.range_key_attr, table.range_key_attr]
    else:
        range_attrs = [table.hash_key_attr, table.range_key_attr]
    return table._generate_attr_to_sort_by([*hashes, table.hash_key_attr], range_attrs)


def _every_item(table: Table) -> Iterator[Item]:
    for partition in list(table.items.values()):
        if table.range_key_attr:
            yield from list(partition.values())
        else:
            yield partition


def _live(table: Table) -> _TableIndexes | None:
    """The table's index structures if they exist and are current; None otherwise."""
    state = _indexes.get(table)
    if state is None:
        return None
    if (
        state.generation != _generation
        or state.items_ref is not table.items
        or state.signature != _signature(table)
    ):
        del _indexes[table]
        return None
    return state


def _built(table: Table) -> _TableIndexes:
    state = _live(table)
    if state is None:
        state = _indexes[table] = _TableIndexes(table)
    return state


def _stored(table: Table, hash_key: DynamoType, range_key: DynamoType | None) -> Item | None:
    partition = table.items.get(hash_key)
    if partition is None:
        return None
    return partition.get(range_key) if table.range_key_attr else partition


# ---- writes: keep the indexes current -----------------------------------------------------


def _table_put_item(self: Table, item_attrs: dict[str, Any], *args: Any, **kwargs: Any) -> Item:
    original = _original(Table, "put_item")
    with _table_lock(self):
        state = None if _is_suspended() else _live(self)
        if state is None:
            return original(self, item_attrs, *args, **kwargs)
        old = _existing(self, item_attrs)
        new = original(self, item_attrs, *args, **kwargs)
        state.replace(old, new)
        return new


def _existing(table: Table, item_attrs: dict[str, Any]) -> Item | None:
    try:
        hash_key = DynamoType(item_attrs[table.hash_key_attr])
        range_key = DynamoType(item_attrs[table.range_key_attr]) if table.range_key_attr else None
    except (KeyError, TypeError, IndexError, AttributeError):
        return None  # moto's put_item refuses it with its own error
    return _stored(table, hash_key, range_key)


def _table_delete_item(
    self: Table, hash_key: DynamoType, range_key: DynamoType | None
) -> Item | None:
    with _table_lock(self):
        state = None if _is_suspended() else _live(self)
        removed = _original(Table, "delete_item")(self, hash_key, range_key)
        if state is not None and removed is not None:
            state.replace(removed, None)
        return removed


def _backend_update_item(self: DynamoDBBackend, table_name: str, key: dict[str, Any], *args: Any,
                         **kwargs: Any) -> Item:  # fmt: skip
    """moto's update_item changes the stored item in place (and may first put a key-only
    item): the index entries are taken before and set after, whatever happened between."""
    original = _original(DynamoDBBackend, "update_item")
    with backend_lock(self.account_id, self.region_name):
        table = self.tables.get(table_name)
        state = _live(table) if table is not None else None
        if state is None:
            return original(self, table_name, key, *args, **kwargs)
        try:
            hash_key, range_key = _update_key(table, key)
            before = _stored(table, hash_key, range_key)
        except Exception:  # noqa: BLE001 - a key moto will refuse in its own words
            _indexes.pop(table, None)  # rebuilt on the next query, whatever happens now
            return original(self, table_name, key, *args, **kwargs)
        keys_before = state.keys_of(before)
        try:
            with _suspended():
                return original(self, table_name, key, *args, **kwargs)
        finally:
            after = _stored(table, hash_key, range_key)
            if after is before:
                state.moved(keys_before, after)
            else:
                state.replace(before, after)


def _update_key(table: Table, key: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    """The primary key as moto's update_item reads it from the request's Key."""
    if table.hash_key_attr in key and table.range_key_attr in key:
        return DynamoType(key[table.hash_key_attr]), DynamoType(key[table.range_key_attr])
    if table.hash_key_attr in key:
        return DynamoType(key[table.hash_key_attr]), None
    return DynamoType(key), None


# ---- transactions -------------------------------------------------------------------------


def _transaction_bytes(transact_items: list[dict[str, Any]]) -> int:
    """The transaction's aggregate item size as DynamoDB counts it: attribute names and
    values of every item put, and the key of every other action."""
    total = 0
    for action in transact_items:
        for op in action.values():
            attrs = op.get("Item") or op.get("Key") or {}
            total += sum(bytesize(name) + DynamoType(value).size() for name, value in attrs.items())
    return total


class _Undo:
    """What a transaction's writes replaced: each written item as it was, and each stream's
    length, so a cancelled transaction puts back exactly those and nothing else."""

    def __init__(self) -> None:
        self.items: list[tuple[Table, DynamoType, DynamoType | None, Item | None]] = []
        self.streams: dict[int, tuple[Table, int]] = {}

    def keep(self, table: Table, key: dict[str, Any], current: Item | None, copied: bool) -> None:
        hash_key = DynamoType(key[table.hash_key_attr])
        range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
        kept = copy.deepcopy(current) if copied and current is not None else current
        self.items.append((table, hash_key, range_key, kept))
        if table.stream_shard is not None and id(table) not in self.streams:
            self.streams[id(table)] = (table, len(table.stream_shard.items))

    def roll_back(self) -> None:
        for table, hash_key, range_key, kept in reversed(self.items):
            now = _stored(table, hash_key, range_key)
            if now is kept:
                continue
            if kept is None:
                if table.range_key_attr:
                    table.items[hash_key].pop(range_key, None)
                else:
                    table.items.pop(hash_key, None)
            elif table.range_key_attr:
                table.items[hash_key][range_key] = kept
            else:
                table.items[hash_key] = kept
            state = _live(table)
            if state is not None:
                state.replace(now, kept)
        for table, length in self.streams.values():
            shard = table.stream_shard
            if shard is not None and len(shard.items) >= length:
                del shard.items[length:]


def _transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's transact_write_items, step for step, with `_Undo` in place of copying every
    table the transaction names, and under the backend's lock."""
    with backend_lock(self.account_id, self.region_name):
        if len(transact_items) > MAX_TRANSACTION_ACTIONS:
            raise TooManyTransactionsException()
        if _transaction_bytes(transact_items) > MAX_TRANSACTION_BYTES:
            raise MockValidationException(
                "Transaction request cannot be larger than 4 MB: the aggregate size of the "
                "items in the transaction exceeds 4 MB"
            )
        undo = _Undo()
        target_items: set[tuple[str, str]] = set()

        def check_unicity(table_name: str, key: dict[str, Any]) -> None:
            item = (str(table_name), str(dict(sorted(key.items()))))
            if item in target_items:
                raise MultipleTransactionsException()
            target_items.add(item)

        errors: list[tuple[str | None, str | None, dict[str, Any] | None]] = []
        for item in transact_items:
            original_item: dict[str, Any] | None = None
            if len(list(item.keys())) > 1:
                raise TransactWriteSingleOpException
            try:
                op_type, op = next(iter(item.items()))
                if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
                    raise ValueError("Unsupported transaction operation")
                table_name = op["TableName"]
                condition_expression = op.get("ConditionExpression")
                names = op.get("ExpressionAttributeNames")
                values = op.get("ExpressionAttributeValues")
                on_failure = op.get("ReturnValuesOnConditionCheckFailure")
                if op_type == "Put":
                    attrs = op["Item"]
                    table = self.get_table(table_name)
                    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                    if table.range_key_attr is not None:
                        key[table.range_key_attr] = attrs[table.range_key_attr]
                else:
                    key = op["Key"]
                check_unicity(table_name, key)
                current = self.get_item(table_name, key)
                if condition_expression is not None:
                    condition_op = get_filter_expression(condition_expression, names, values)
                    if not condition_op.expr(current):
                        if on_failure == "ALL_OLD" and current:
                            original_item = current.to_json()["Attributes"]
                        raise ConditionalCheckFailed(item=original_item)
                if op_type != "ConditionCheck":
                    # an Update changes the stored item in place: keep a copy of it;
                    # a Put or a Delete replaces or drops it: keeping it is enough
                    undo.keep(self.get_table(table_name), key, current, op_type == "Update")
                if op_type == "Put":
                    self.put_item(
                        table_name,
                        op["Item"],
                        condition_expression=condition_expression,
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                elif op_type == "Delete":
                    self.delete_item(
                        table_name,
                        key,
                        condition_expression=condition_expression,
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                elif op_type == "Update":
                    self.update_item(
                        table_name,
                        key,
                        update_expression=op["UpdateExpression"],
                        condition_expression=condition_expression,
                        expression_attribute_names=names,
                        expression_attribute_values=values,
                    )
                errors.append((None, None, None))
            except (MultipleTransactionsException, MockValidationException):
                undo.roll_back()
                raise
            except ConditionalCheckFailed as e:
                errors.append(("ConditionalCheckFailed", str(e.message), original_item))
            except Exception as e:  # noqa: BLE001 - moto records any other failure as a reason
                errors.append((type(e).__name__, str(e), original_item))
        if any(code is not None for code, _, _ in errors):
            undo.roll_back()
            raise TransactionCanceledException(errors)


# ---- queries ------------------------------------------------------------------------------

_FIRST = itemgetter(0)


def _range_block(
    entries: list[tuple[Any, ...]], comparison: str, values: list[Any]
) -> tuple[int, int] | None:
    """[lo, hi) of the entries whose first sort value meets the key condition; None when
    the comparison is not one this module orders (moto's code answers it)."""
    n = len(entries)
    if comparison in ("=", "EQ"):
        (value,) = values
        return bisect.bisect_left(entries, value, key=_FIRST), bisect.bisect_right(
            entries, value, key=_FIRST
        )
    if comparison in ("<", "LT"):
        return 0, bisect.bisect_left(entries, values[0], key=_FIRST)
    if comparison in ("<=", "LE"):
        return 0, bisect.bisect_right(entries, values[0], key=_FIRST)
    if comparison in (">", "GT"):
        return bisect.bisect_right(entries, values[0], key=_FIRST), n
    if comparison in (">=", "GE"):
        return bisect.bisect_left(entries, values[0], key=_FIRST), n
    if comparison == "BETWEEN":
        low, high = values
        lo = bisect.bisect_left(entries, low, key=_FIRST)
        return lo, max(lo, bisect.bisect_right(entries, high, key=_FIRST))
    if comparison == "BEGINS_WITH":
        (prefix,) = values
        if not isinstance(prefix, str | bytes):
            return None
        size = len(prefix)

        def head(entry: tuple[Any, ...]) -> Any:
            return entry[0][:size]

        return bisect.bisect_left(entries, prefix, key=head), bisect.bisect_right(
            entries, prefix, key=head
        )
    return None


class _Plan:
    """A query this module answers: which sorted index, which partition, which range."""

    def __init__(self, index: _SortedIndex, partition: tuple[str, Any]) -> None:
        self.index = index
        self.partition = partition
        self.comparison: str | None = None
        self.values: list[Any] = []
        self.start: tuple[Any, ...] | None = None  # the ExclusiveStartKey's full sort values


def _plan(
    table: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    exclusive_start_key: dict[str, Any] | None,
    index_name: str | None,
    consistent_read: bool,
    hash_key_conditions: list[tuple[str, DynamoType]] | None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None,
    filter_kwargs: dict[str, Any],
) -> _Plan | None:
    if filter_kwargs or not table.range_key_attr:
        return None
    if len(range_key_conditions or []) > 1 or len(hash_key_conditions or []) > 1:
        return None
    state = _built(table)
    if index_name is None:
        index = state.table
        if hash_key is None:
            return None
        partition_value = hash_key
        range_attr = table.range_key_attr
    else:
        secondary = state.secondary.get(index_name)
        if secondary is None:
            return None
        found = [i for i in table.all_indexes() if i.name == index_name]
        if consistent_read and found and found[0] in table.global_indexes:
            return None  # moto refuses it
        ranges = [k["AttributeName"] for k in found[0].schema if k["KeyType"] == "RANGE"]
        if range_comparison and not ranges:
            return None  # moto refuses it
        if not hash_key_conditions or hash_key_conditions[0][0] != secondary.hash_attr:
            return None
        index = secondary
        partition_value = hash_key_conditions[0][1]
        range_attr = ranges[0] if ranges else None
    if not index.usable:
        return None
    if range_key_conditions and range_key_conditions[-1][0] != range_attr:
        return None
    partition_type = index.types[0]
    if partition_type is not None and partition_value.type != partition_type:
        return _Plan(index, (partition_value.type, None))  # an empty partition
    plan = _Plan(index, (partition_value.type, partition_value.cast_value))
    if range_comparison:
        sort_type = index.types[1]
        if any(sort_type is not None and v.type != sort_type for v in range_objs):
            return None
        plan.comparison = range_comparison.upper()
        plan.values = [v.cast_value for v in range_objs]
    if exclusive_start_key is not None:
        attrs = (index.hash_attr, *index.sort_attrs)
        start = []
        for position, attr in enumerate(attrs):
            raw = exclusive_start_key.get(attr)
            if not isinstance(raw, dict) or len(raw) != 1:
                return None
            value = DynamoType(raw)
            expected = index.types[position]
            if expected is None or value.type != expected or value.type not in _KEY_TYPES:
                return None
            start.append(value.cast_value)
        plan.start = tuple(start)
    return plan


def _walk(
    table: Table, plan: _Plan, limit: int | None, forward: bool
) -> tuple[list[Item], int, Item | None] | None:
    """The items of the page as moto's loop picks them, the scanned count, and the item the
    LastEvaluatedKey is taken from (None: no key)."""
    index = plan.index
    entries = index.partitions.get(plan.partition, [])
    n, width = len(entries), index.width
    block = (
        (0, n) if plan.comparison is None else _range_block(entries, plan.comparison, plan.values)
    )
    if block is None:
        return None
    lo, hi = block
    # where the ExclusiveStartKey puts the first item moto does not skip
    if plan.start is None:
        first = 0 if forward else n - 1
    else:
        start_hash, start_sort = plan.start[0], plan.start[1:]
        own_hash = plan.partition[1]
        if own_hash != start_hash:
            before = own_hash < start_hash  # the whole partition sorts before the start key
            skipped_all = before if forward else not before
            first = (n if forward else -1) if skipped_all else (0 if forward else n - 1)
        elif forward:
            first = bisect.bisect_right(entries, start_sort, key=lambda e: e[:width])
        else:
            first = bisect.bisect_left(entries, start_sort, key=lambda e: e[:width]) - 1
    results: list[Item] = []
    size = 0
    if forward:
        positions = range(max(first, lo), hi)
        after = range(max(first, hi), n)
    else:
        positions = range(min(first, hi - 1), lo - 1, -1)
        after = range(min(first, lo - 1), -1, -1)
    for at in positions:
        item = entries[at][width]
        if len(results) == limit or size + item.size() > RESULT_SIZE_LIMIT:
            return results, len(results), results[-1]
        results.append(item)
        size += item.size()
    # moto walks on through the partition's items past the range: the first of them ends
    # the page if the page is full, and any of them if it would not fit in 1 MB
    if results:
        for at in after:
            if len(results) == limit:
                return results, len(results), results[-1]
            if size <= RESULT_SIZE_LIMIT - _MAX_ITEM_BYTES:
                break
            if size + entries[at][width].size() > RESULT_SIZE_LIMIT:
                return results, len(results), results[-1]
    return results, len(results), None


def _table_query(
    self: Table,
    hash_key: DynamoType | None,
    range_comparison: str | None,
    range_objs: list[DynamoType],
    limit: int,
    exclusive_start_key: dict[str, Any],
    scan_index_forward: bool,
    projection_expressions: list[list[str]] | None,
    index_name: str | None = None,
    consistent_read: bool = False,
    filter_expression: Any = None,
    hash_key_conditions: list[tuple[str, DynamoType]] | None = None,
    range_key_conditions: list[tuple[str, str, list[DynamoType]]] | None = None,
    **filter_kwargs: Any,
) -> tuple[list[Item], int, dict[str, Any] | None]:
    """moto's Table.query, reading only the partition's range from the sorted index."""

    def stock() -> tuple[list[Item], int, dict[str, Any] | None]:
        return _original(Table, "query")(
            self, hash_key, range_comparison, range_objs, limit, exclusive_start_key,
            scan_index_forward, projection_expressions, index_name, consistent_read,
            filter_expression, hash_key_conditions=hash_key_conditions,
            range_key_conditions=range_key_conditions, **filter_kwargs,
        )  # fmt: skip

    with _table_lock(self):
        plan = _plan(self, hash_key, range_comparison, range_objs, exclusive_start_key,
                     index_name, consistent_read, hash_key_conditions, range_key_conditions,
                     filter_kwargs)  # fmt: skip
        page = _walk(self, plan, limit, scan_index_forward is not False) if plan else None
        if page is None:
            return stock()
        items, scanned_count, last = page
        last_evaluated_key = (
            self._get_last_evaluated_key(last, index_name) if last is not None else None
        )
        results = copy.deepcopy(items)
    if index_name:
        index = self.get_index(index_name)
        results = [index.project(r) for r in results]
    if filter_expression is not None:
        results = [item for item in results if filter_expression.expr(item)]
    if projection_expressions:
        results = [r.project(projection_expressions) for r in results]
    return results, scanned_count, last_evaluated_key


def import_items(
    table_name: str,
    items: Iterable[dict[str, Any]],
    account_id: str,
    region: str,
    stream_records: bool = True,
) -> int:
    """Store items (DynamoDB JSON) as BatchWriteItem's puts would, for loading a data set in
    this process: each replaces any item with its key; moto's own checks refuse a missing
    or mistyped key, an empty or oversized key value and an item over 400 KB; the indexes
    stay current; a table with a stream gets its records (through moto's put_item) unless
    `stream_records` is False: then the items arrive as DynamoDB's import from S3
    (ImportTable) brings data, as history with no stream records. What it leaves out is
    the request around each put (parsing, expressions, capacity), which is most of a put's
    time. The number of items stored."""
    from moto.dynamodb.exceptions import InvalidAttributeTypeError
    from moto.dynamodb.responses import validate_put_has_empty_keys

    global imported

    backend = dynamodb_backends[account_id][region]
    count = 0
    with backend_lock(account_id, region):
        table = backend.get_table(table_name)
        state = _live(table)
        hash_attr, range_attr = table.hash_key_attr, table.range_key_attr
        for attrs in items:
            missing = [a for a in (hash_attr, range_attr) if a and a not in attrs]
            if missing:
                raise MockValidationException(
                    "One or more parameter values were invalid: Missing the key "
                    f"{missing[0]} in the item"
                )
            validate_put_has_empty_keys(attrs, table)
            table._validate_key_sizes(attrs)
            if table.stream_shard is not None and stream_records:
                table.put_item(attrs)  # its stream records too
                count += 1
                continue
            hash_key = DynamoType(attrs[hash_attr])
            range_key = DynamoType(attrs[range_attr]) if range_attr else None
            for name, value, expected in (
                (hash_attr, hash_key, table.hash_key_type),
                (range_attr, range_key, table.range_key_type),
            ):
                if value is not None and value.type != expected:
                    raise InvalidAttributeTypeError(name, expected, value.type)
            item = Item(hash_key, range_key, attrs)
            old = _stored(table, hash_key, range_key)
            if range_attr:
                table.items[hash_key][range_key] = item
            else:
                table.items[hash_key] = item
            if state is not None:
                state.replace(old, item)
            count += 1
        imported += count
    return count


def warm(account_id: str, region: str) -> int:
    """Build the sorted indexes of every table of one backend now (instead of on each
    table's first query); the number of items indexed."""
    backend = dynamodb_backends[account_id][region]
    count = 0
    with backend_lock(account_id, region):
        for table in list(backend.tables.values()):
            if table.range_key_attr:
                _built(table)
                count += len(table)
    return count
