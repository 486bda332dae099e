"""Where the search index lives: its files in S3, the pointer to the live version in the
table (docs/search.md).

S3, under `search/` of the attachments bucket (the same case text, the same access):

- `search/base/<id>.db.gz`: a whole index, an SQLite file (store/search_sqlite.py), gzipped;
- `search/delta/<id>.json.gz`: one batch of changed documents (and removed keys), JSON;
- `search/rebuild/<id>/<part>.json.gz`: the documents one rebuild step read.

The table: one item, `PK = SEARCH`, `SK = #POINTER`, names the live base and the deltas
written since, in order, at a `revision`. Files are written first and never changed; the
pointer moves with a conditional write at the next revision, so two writers cannot both move
it from the same revision, and a reader that read the pointer finds every file it names.
Files a move leaves behind are listed under `retired` with the time, and removed by a later
writer once no reader can still be fetching them (RETIRE_AFTER).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import shutil
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from pydantic import Field

from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.search import SearchDoc
from .dynamo import Table

POINTER_KEY = {"PK": "SEARCH", "SK": "#POINTER"}
PREFIX = "search/"
#: a retired file is removed this long after the pointer stopped naming it
RETIRE_AFTER = timedelta(minutes=30)


class IndexPointer(Model):
    """The live index: `base` (an S3 key, None before the first compaction), the `deltas`
    written since, oldest first; `revision` counts moves; `retired` files wait for removal;
    `building` is a rebuild under way (services/search_rebuild.py)."""

    revision: int = 0
    base: str | None = None
    deltas: list[str] = Field(default_factory=list)
    retired: list[dict[str, str]] = Field(default_factory=list)
    building: dict[str, Any] | None = None

    @property
    def version(self) -> str:
        """`<base id>+<deltas>`: what a reader has loaded, in words."""
        base = (self.base or "empty").rsplit("/", 1)[-1].removesuffix(".db.gz")
        return f"{base}+{len(self.deltas)}"


class SearchFiles:
    """The index's S3 objects and its pointer item."""

    def __init__(self, table: Table, bucket: str, s3: Any = None) -> None:
        self.table = table
        self.bucket = bucket
        self._s3 = s3

    @cached_property
    def s3(self) -> Any:
        if self._s3 is None:
            from .aws import client

            self._s3 = client("s3")
        return self._s3

    # ---- the pointer ---------------------------------------------------------------------

    def pointer(self) -> IndexPointer:
        """The live pointer (a strongly consistent read: a writer must see the last move)."""
        item = self.table.get(POINTER_KEY)
        if item is None:
            return IndexPointer()
        return IndexPointer.model_validate(unpack(item.get("pointer") or {}))

    def move(self, new: IndexPointer, expected: int) -> bool:
        """Write `new` if the pointer is still at revision `expected` (0: none yet); its own
        revision becomes expected + 1. False when another writer moved it first.

        One conditional PutItem, not a TransactWriteItems: the pointer is the only item, and a
        transaction of one item is billed twice (issue 21: 2-4 write units a move, the pointer
        being 0.5-3 KB with its deltas listed)."""
        body = new.model_copy(update={"revision": expected + 1})
        item = {
            **POINTER_KEY,
            "entity": "search_pointer",
            "revision": expected + 1,
            "pointer": pack(body.model_dump(mode="json")),
        }
        try:
            if expected == 0:
                self.table.put(item, condition="attribute_not_exists(PK)")
            else:
                self.table.put(item, condition="#rev = :rev", values={":rev": expected},
                               names={"#rev": "revision"})  # fmt: skip
        except self.table.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    # ---- files ---------------------------------------------------------------------------

    def put_delta(self, docs: list[SearchDoc], deleted: list[str]) -> str:
        key = f"{PREFIX}delta/{_new_id()}.json.gz"
        self._put_json(key, {"docs": [d.model_dump(mode="json") for d in docs],
                             "deleted": deleted})  # fmt: skip
        return key

    def read_delta(self, key: str) -> tuple[list[SearchDoc], list[str]]:
        body = self._get_json(key)
        return [SearchDoc.model_validate(d) for d in body["docs"]], list(body["deleted"])

    def put_part(self, build_id: str, part: int, docs: list[SearchDoc]) -> str:
        key = f"{PREFIX}rebuild/{build_id}/{part:06d}.json.gz"
        self._put_json(key, {"docs": [d.model_dump(mode="json") for d in docs], "deleted": []})
        return key

    def put_base(self, path: str) -> str:
        """Upload an index file (gzipped); its new key."""
        key = f"{PREFIX}base/{_new_id()}.db.gz"
        packed = path + ".gz"
        with open(path, "rb") as src, gzip.open(packed, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        with open(packed, "rb") as body:
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        _remove(packed)
        return key

    def fetch_base(self, key: str, path: str) -> None:
        """Download and unpack an index file to `path` (written beside it, then renamed)."""
        partial = path + ".part"
        body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        with gzip.GzipFile(fileobj=body) as src, open(partial, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        shutil.move(partial, path)

    def remove(self, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = [{"Key": k} for k in keys[start : start + 1000]]
            if chunk:
                self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": chunk})

    def _put_json(self, key: str, body: dict[str, Any]) -> None:
        data = gzip.compress(json.dumps(body, ensure_ascii=False).encode(), compresslevel=6)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=data,
                           ContentType="application/json", ContentEncoding="gzip")  # fmt: skip

    def _get_json(self, key: str) -> dict[str, Any]:
        data = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return json.loads(gzip.decompress(data))


def pack(pointer: dict[str, Any]) -> dict[str, Any]:
    """The pointer as stored: each delta or base file by its short name (`d/<id>`, `b/<id>`)
    and the retired files grouped by their time. The pointer is written at every batch, and
    DynamoDB bills a write per started KB: spelled out, 32 deltas and the 33 files a
    compaction retires came to 3.2 KB, 4 units a move; packed, about half (issue 21)."""
    groups: dict[str, list[str]] = {}
    for entry in pointer.get("retired") or []:
        groups.setdefault(entry["at"], []).append(_short(entry["key"]))
    return {**pointer, "deltas": [_short(k) for k in pointer.get("deltas") or []],
            "retired": [{"at": at, "keys": keys} for at, keys in groups.items()]}  # fmt: skip


def unpack(stored: dict[str, Any]) -> dict[str, Any]:
    """`pack` undone; a pointer stored before it (full keys, a `{key, at}` per retired
    file) reads as it is."""
    retired = []
    for entry in stored.get("retired") or []:
        if "keys" in entry:
            retired += [{"key": _long(k), "at": entry["at"]} for k in entry["keys"]]
        else:
            retired.append(entry)
    return {**stored, "deltas": [_long(k) for k in stored.get("deltas") or []],
            "retired": retired}  # fmt: skip


#: short name prefix -> (the files' S3 prefix, their suffix)
_SHORT = {"d/": (f"{PREFIX}delta/", ".json.gz"), "b/": (f"{PREFIX}base/", ".db.gz")}


def _short(key: str) -> str:
    for short, (prefix, suffix) in _SHORT.items():
        middle = key.removeprefix(prefix).removesuffix(suffix)
        if len(middle) + len(prefix) + len(suffix) == len(key) and "/" not in middle:
            return short + middle
    return key  # a rebuild's part, or any other file: as it is


def _long(name: str) -> str:
    entry = _SHORT.get(name[:2])
    return f"{entry[0]}{name[2:]}{entry[1]}" if entry else name


def retire(pointer: IndexPointer, keys: list[str], now: datetime) -> list[dict[str, str]]:
    """The pointer's retired list with `keys` added at `now`."""
    return [*pointer.retired, *({"key": k, "at": now.isoformat()} for k in keys)]


def due_for_removal(
    retired: list[dict[str, str]], now: datetime
) -> tuple[list[str], list[dict[str, str]]]:
    """(keys old enough to remove, the retired entries to keep)."""
    due = [r["key"] for r in retired if datetime.fromisoformat(r["at"]) + RETIRE_AFTER <= now]
    keep = [r for r in retired if r["key"] not in due]
    return due, keep


def _new_id() -> str:
    """Time-ordered (the listing of a prefix reads oldest first), unique across writers."""
    return new_id()


def _remove(path: str) -> None:
    import os

    with contextlib.suppress(FileNotFoundError):
        os.remove(path)
