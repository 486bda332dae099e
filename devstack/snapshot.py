"""The whole of moto's state in one file, written and read in seconds at a shop's size.

The journal (devstack/journal.py) keeps every write, and replaying a write costs what the
request cost (10-15 ms: moto parses it, runs it, answers it): 100,000 cases, with their
history, notices and customers, are several hundred thousand writes, over an hour to
replay. A snapshot is every service's backend (DynamoDB's tables and items, Cognito's
pools, users and tokens, SQS's queues and messages, S3's buckets and objects, SES, SNS,
CloudFormation, IAM, ...) pickled in one stream, with the journal segment it covers; a
start loads it (no request parsing, no per-write work) and replays only the segments
written after it.

Pickled as moto keeps them, with a few types made portable or fast (`_reducers`):
locks and conditions are made anew; RSA keys go as PEM; a `defaultdict` whose factory is
a lambda (SSM's tags) gets an importable factory that makes the same thing; and the
DynamoDB item types, millions of objects at 100,000 cases, go as their plain `__dict__`
(loaded by C code only: stock pickling re-adds each attribute through
`LimitedSizeDict.__setitem__`, which re-sums the item's size every time, 20x slower), with
attribute names interned so each name is stored once.

Written atomically: to a temporary file in the same folder, flushed and fsynced, renamed
over the previous snapshot, and the folder fsynced; a crash at any moment leaves the old
snapshot or the new one, never a part. The file starts with one JSON line (format, moto's
version, the segment covered, counts), so a start can say what it loads, and refuses a
snapshot from another moto release (its classes may differ) with a message saying so.
"""

from __future__ import annotations

import collections
import copyreg
import functools
import gc
import io
import json
import os
import pickle
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = 1
NAME = "snapshot.pickle"


class SnapshotError(RuntimeError):
    """A snapshot that cannot be loaded here; the message says why and what to do."""


@dataclass
class Header:
    """The first line of a snapshot file."""

    format: int
    moto: str
    segment: int  # the journal segments up to and including this one are in the snapshot
    written_at: float
    items: int  # DynamoDB items, for the start's message
    seconds: float = 0.0  # how long the load took (filled in by `load`)
    size: int = 0  # bytes on disk


# ---- what is saved ------------------------------------------------------------------------


def _backend_dicts() -> list[Any]:
    """Every moto service this process has used (moto lists them as it creates them)."""
    from moto.core.base_backend import BackendDict

    return [d for d in BackendDict._instances if len(d)]  # type: ignore[misc]


def _state() -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """(module, service) -> account -> region -> backend, for every service in use."""
    state = {}
    for backends in _backend_dicts():
        state[(backends.backend.__module__, backends.service_name)] = {
            account: dict(regions) for account, regions in backends.items()
        }
    return state


def _dynamodb_items(state: dict[tuple[str, str], Any]) -> int:
    count = 0
    for (_, service), accounts in state.items():
        if service != "dynamodb":
            continue
        for regions in accounts.values():
            for backend in regions.values():
                count += sum(len(table) for table in backend.tables.values())
    return count


# ---- portable and fast pickling -----------------------------------------------------------


def _limited_size_dict(attrs: dict[str, Any]) -> Any:
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    made = dict.__new__(LimitedSizeDict)
    dict.update(made, attrs)
    return made


def _private_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    return load_pem_private_key(pem, None)


def _public_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return load_pem_public_key(pem)


def _importable(factory: Any) -> bool:
    qualname = getattr(factory, "__qualname__", "")
    return factory is None or (
        bool(qualname) and "<" not in qualname and hasattr(factory, "__module__")
    )


def _portable_factory(factory: Any) -> Any:
    """An importable factory that makes what `factory` (a lambda) makes: an empty dict,
    list, set, or a defaultdict of such (moto writes `defaultdict(lambda: defaultdict(dict))`)."""
    if _importable(factory):
        return factory
    sample = factory()
    if type(sample) is collections.defaultdict and not sample:
        return functools.partial(collections.defaultdict, _portable_factory(sample.default_factory))
    if type(sample) in (dict, list, set) and not sample:
        return type(sample)
    raise pickle.PicklingError(f"a defaultdict whose factory {factory!r} makes {sample!r}")


def _reduce_defaultdict(value: collections.defaultdict) -> Any:
    return (
        collections.defaultdict,
        (_portable_factory(value.default_factory),),
        None,
        None,
        iter(value.items()),
    )


def _defaultdict_subclass(cls: type, factory: Any, state: dict[str, Any]) -> Any:
    made = cls.__new__(cls)
    collections.defaultdict.__init__(made, factory)
    made.__dict__.update(state)
    return made


def _reduce_defaultdict_subclass(value: collections.defaultdict) -> Any:
    """A subclass's own __init__ may take other arguments than a factory (SSM's
    ParameterDict takes an account and a region), and defaultdict's reduction calls it
    with the factory and leaves the instance's attributes out: made without it here."""
    return (
        _defaultdict_subclass,
        (type(value), _portable_factory(value.default_factory), value.__dict__),
        None,
        None,
        iter(value.items()),
    )


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _reducers() -> dict[type, Callable[[Any], Any]]:
    from cryptography.hazmat.primitives import serialization
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    newobj = copyreg.__newobj__  # pickled as NEWOBJ + BUILD: loaded without Python code
    intern = sys.intern

    def private(key: Any) -> Any:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return _private_key, (pem,)

    def public(key: Any) -> Any:
        pem = key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return _public_key, (pem,)

    reducers: dict[type, Callable[[Any], Any]] = {
        DynamoType: lambda value: (newobj, (DynamoType,), value.__dict__),
        Item: lambda item: (newobj, (Item,), item.__dict__),
        LimitedSizeDict: lambda attrs: (
            _limited_size_dict,
            ({intern(name): value for name, value in attrs.items()},),
        ),
        type(threading.Lock()): lambda _: (threading.Lock, ()),
        type(threading.RLock()): lambda _: (threading.RLock, ()),
        threading.Condition: lambda _: (threading.Condition, ()),
    }
    for sub in _subclasses(collections.defaultdict):
        reducers[sub] = _reduce_defaultdict_subclass
    reducers[collections.defaultdict] = _reduce_defaultdict
    private_types, public_types = _key_types()
    reducers.update(dict.fromkeys(private_types, private))
    reducers.update(dict.fromkeys(public_types, public))
    return reducers


@functools.cache
def _key_types() -> tuple[list[type], list[type]]:
    """The key classes are private to cryptography's Rust bindings: found from keys made here."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    samples = [
        rsa.generate_private_key(public_exponent=65537, key_size=1024),
        ec.generate_private_key(ec.SECP256R1()),
    ]
    return [type(k) for k in samples], [type(k.public_key()) for k in samples]


def prepare() -> None:
    """Do now what the first write would do once (find the key classes by making keys)."""
    _key_types()


def _dispatch_table() -> dict[type, Callable[[Any], Any]]:
    """Made at each write: a moto module imported since may bring its own defaultdicts."""
    return {**copyreg.dispatch_table, **_reducers()}


@contextmanager
def _no_collection() -> Iterator[None]:
    """Millions of long-lived objects: a collection mid-way walks all of them, repeatedly."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# ---- writing ------------------------------------------------------------------------------


def write(folder: Path, segment: int) -> Header:
    """Write the snapshot of every backend, covering journal segments up to `segment`.

    The caller makes sure nothing changes meanwhile (all services held, or a forked child's
    copy of the process). Raises what pickling raises; the previous snapshot stays."""
    import moto

    state = _state()
    header = Header(FORMAT, moto.__version__, segment, time.time(), _dynamodb_items(state))
    final = folder / NAME
    part = folder / f"{NAME}.part-{os.getpid()}"
    try:
        with _no_collection(), part.open("wb") as handle:
            handle.write(json.dumps(vars(header)).encode() + b"\n")
            buffered = io.BufferedWriter(handle, buffer_size=1 << 20)  # type: ignore[arg-type]
            pickler = pickle.Pickler(buffered, protocol=5)
            pickler.dispatch_table = _dispatch_table()  # type: ignore[misc]
            pickler.dump(state)
            buffered.flush()
            buffered.detach()
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, final)
        _sync_folder(folder)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    header.size = final.stat().st_size
    return header


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable (the new name survives a power cut)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_leftovers(folder: Path) -> None:
    """Temporary files of snapshots that a crash cut short."""
    for part in folder.glob(f"{NAME}.part-*"):
        part.unlink(missing_ok=True)


# ---- reading ------------------------------------------------------------------------------


def header(folder: Path) -> Header | None:
    """The header of the folder's snapshot, or None when there is none."""
    try:
        with (folder / NAME).open("rb") as handle:
            return Header(**json.loads(handle.readline()))
    except FileNotFoundError:
        return None


def load(folder: Path) -> Header | None:
    """Put the folder's snapshot in place of moto's backends in this process (before any
    request); None when there is no snapshot. Raises SnapshotError for one written by
    another moto release or another format."""
    import moto

    path = folder / NAME
    if not path.exists():
        return None
    started = time.monotonic()
    with _no_collection(), path.open("rb", buffering=1 << 20) as handle:
        found = Header(**json.loads(handle.readline()))
        if found.format != FORMAT or found.moto != moto.__version__:
            raise SnapshotError(
                f"{path} was written by moto {found.moto} (format {found.format}); this is "
                f"moto {moto.__version__} (format {FORMAT}). Install moto {found.moto} to "
                "keep this data, or `make reset` to start clean"
            )
        state = pickle.load(handle)
        for (module, service), accounts in state.items():
            backends = _find_backend_dict(module, service)
            for account, regions in accounts.items():
                live = backends[account]  # creates the account's entry, as moto would
                for region, backend in regions.items():
                    dict.__setitem__(live, region, backend)
        _index_tables(state)
        gc.freeze()  # loaded for the process's life: no collection walks them again
    found.seconds = time.monotonic() - started
    found.size = path.stat().st_size
    return found


def _find_backend_dict(module: str, service: str) -> Any:
    import importlib

    from moto.core.base_backend import BackendDict

    parts = module.split(".")
    for end in range(len(parts), 1, -1):  # the backend class's module, else its packages
        loaded = importlib.import_module(".".join(parts[:end]))
        for value in vars(loaded).values():
            if isinstance(value, BackendDict) and value.service_name == service:
                return value
    raise SnapshotError(f"moto has no {service} backends in {module}")


def _index_tables(state: dict[tuple[str, str], Any]) -> None:
    """Build the sorted indexes of every table once, now, rather than on the first query."""
    from . import fast_dynamodb

    for (_, service), accounts in state.items():
        if service == "dynamodb":
            for account, regions in accounts.items():
                for region in regions:
                    fast_dynamodb.warm(account, region)
