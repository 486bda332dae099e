"""The local stack's AWS state on disk: an append-only journal of the writes moto answered.

moto keeps everything in memory. The guarded moto server (devstack/moto_server.py) appends
each write it answered with a 2xx to this journal before the answer leaves, one JSON line per
write, written with one `os.write` (so it is in the kernel, and survives a kill -9 of the
process, before the caller hears "200"). At the next start the journal is replayed into a
fresh moto in the same order, which rebuilds the same tables, items, pools, users, tokens,
buckets, objects and queued messages.

Why not moto's own recorder (moto_api/_internal/recorder): it records every request, reads
included, whether or not it succeeded, and replays over HTTP without the randomness and the
clock the request saw. Cognito pool ids, client ids, user `sub`s and tokens, the physical
names CloudFormation gives the table and the queues, and SQS message ids all come from
moto's random source, so a replay gave every one of them a new value and broke every
reference to them (the customer's stored sign-in `sub`, the table name in the app's
environment, a browser's refresh token). Here each journaled write runs with its own seeded
random source and its own clock reading, both recorded, and the replay runs it with the same
two: the same ids, the same token strings.

What it does not keep: SQS receives, visibility changes and moves to a dead-letter queue
(a message that was received but not deleted is visible again after a restart, as after a
visibility timeout; a dead letter goes back to its queue and returns to the dead-letter queue
after its receives), and the times moto itself stamps outside Cognito (S3's LastModified is
the replay's time). A deleted message stays deleted: the journal names the messages a
DeleteMessage removed, by id.
"""

from __future__ import annotations

import base64
import json
import os
import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_local = threading.local()
_installed = False
_install_lock = threading.Lock()


def _seeded() -> random.Random | None:
    return getattr(_local, "rng", None)


def _now() -> float:
    now = getattr(_local, "now", None)
    return time.time() if now is None else now


class _ClockForMoto:
    """`time` as Cognito's models see it: the journaled request's clock while one runs."""

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)

    @staticmethod
    def time() -> float:
        return _now()


class _OsForMoto:
    """`os` as S3's models see it: `urandom` (multipart upload ids) from the seeded source."""

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)

    @staticmethod
    def urandom(size: int) -> bytes:
        rng = _seeded()
        return rng.randbytes(size) if rng is not None else os.urandom(size)


def install() -> None:
    """Route moto's randomness and Cognito's clock through this thread's seeded values.

    moto draws every id from one shared `MotoRandom`; its class becomes a subclass whose
    bit source is the current thread's seeded `Random` while a journaled request runs (and
    the shared one otherwise), so a request's draws do not depend on what other threads draw.
    """
    global _installed
    with _install_lock:
        if _installed:
            return
        import moto.cognitoidp.models as cognito_models
        import moto.s3.models as s3_models
        from moto.moto_api._internal import mock_random
        from moto.moto_api._internal.moto_random import MotoRandom

        class ThreadSeededRandom(MotoRandom):
            def getrandbits(self, k: int) -> int:
                rng = _seeded()
                return rng.getrandbits(k) if rng is not None else super().getrandbits(k)

            def random(self) -> float:
                rng = _seeded()
                return rng.random() if rng is not None else super().random()

        mock_random.__class__ = ThreadSeededRandom
        cognito_models.time = _ClockForMoto()  # type: ignore[assignment]
        cognito_models.utcnow = lambda: datetime.fromtimestamp(_now(), UTC).replace(tzinfo=None)
        s3_models.os = _OsForMoto()  # type: ignore[assignment]
        _installed = True


@contextmanager
def deterministic(seed: int, now: float) -> Iterator[None]:
    """Run the body with this thread's moto randomness seeded and Cognito's clock at `now`."""
    _local.rng, _local.now = random.Random(seed), now
    try:
        yield
    finally:
        _local.rng, _local.now = None, None


def new_seed() -> int:
    return int.from_bytes(os.urandom(8), "big")


class Journal:
    """Numbered segments of JSON lines beside `path` (`journal.000001.jsonl`, ...), appended
    to by many threads, read once at start.

    A snapshot (devstack/snapshot.py) covers the segments up to one number: `rotate()`
    starts a new segment at the moment the snapshot is taken (while every service is held),
    and `drop()` deletes the covered ones once the snapshot is safely on disk, so the
    journal holds only what came after the last snapshot. A journal of the one-file layout
    (`path` itself) is adopted as segment 1."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.folder = path.parent
        self.segment = 0  # the segment appended to
        self._after = 0  # the segments up to this one are in a snapshot
        self.appended = 0  # entries appended since the last rotation (or the start)
        self._fd: int | None = None
        self._lock = threading.Lock()

    def _segment_path(self, number: int) -> Path:
        return self.folder / f"{self.path.stem}.{number:06d}{self.path.suffix}"

    def segments(self) -> list[tuple[int, Path]]:
        """(number, path) of each segment, oldest first."""
        found = []
        for candidate in self.folder.glob(f"{self.path.stem}.*{self.path.suffix}"):
            number = candidate.name[len(self.path.stem) + 1 : -len(self.path.suffix)]
            if number.isdigit():
                found.append((int(number), candidate))
        if not found and self.path.exists():
            self.path.rename(self._segment_path(1))
            found = [(1, self._segment_path(1))]
        return sorted(found)

    def exists(self) -> bool:
        return self.path.exists() or bool(self.segments())

    def read(self, after: int = 0) -> list[dict[str, Any]]:
        """Every whole entry of the segments numbered above `after`, in order. A last line
        cut short (the process died while writing it, so its caller never got an answer)
        is dropped from its file, so appends continue cleanly."""
        entries: list[dict[str, Any]] = []
        self.segment = self._after = after
        for number, path in self.segments():
            if number > after:
                entries += _read_segment(path)
                self.segment = number
        return entries

    def open(self) -> None:
        """Append to the last segment `read` found, or to a new one after what it skipped."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.segment <= self._after:
            self.segment = self._after + 1
        self._fd = os.open(
            self._segment_path(self.segment), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
        )

    def append(self, entry: dict[str, Any]) -> None:
        line = json.dumps(entry, separators=(",", ":")).encode() + b"\n"
        with self._lock:
            assert self._fd is not None, "open() the journal first"
            view = memoryview(line)
            while view:
                view = view[os.write(self._fd, view) :]
            self.appended += 1

    def rotate(self) -> int:
        """Start a new segment; the number of the one closed (everything appended so far).

        The caller holds every writer out meanwhile (a snapshot is taken at this point)."""
        with self._lock:
            assert self._fd is not None, "open() the journal first"
            os.close(self._fd)
            closed = self.segment
            self.segment += 1
            self._fd = os.open(
                self._segment_path(self.segment), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600
            )
            self.appended = 0
            return closed

    def drop(self, upto: int) -> int:
        """Delete the segments numbered `upto` and below (a snapshot on disk covers them);
        how many were deleted."""
        dropped = 0
        for number, path in self.segments():
            if number <= upto and number != self.segment:
                path.unlink(missing_ok=True)
                dropped += 1
        return dropped

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _read_segment(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    entries, good = [], 0
    for line in data.splitlines(keepends=True):
        if not line.endswith(b"\n"):
            break
        try:
            entries.append(json.loads(line))
        except ValueError:
            break
        good += len(line)
    if good < len(data):
        with path.open("r+b") as handle:
            handle.truncate(good)
    return entries


def encode_body(body: bytes) -> str:
    return base64.b64encode(body).decode("ascii")


def decode_body(text: str) -> bytes:
    return base64.b64decode(text)
