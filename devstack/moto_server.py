"""moto's server for the local stack and the tests: one lock per AWS service, a deep listen
backlog, and (for the local stack) every write journaled so the state survives a restart,
with snapshots so that a restart does not replay every write ever made.

moto's backends keep their state in plain dicts and lists without locks. Under concurrent
requests its DynamoDB failed TransactWriteItems with "dictionary changed size during
iteration", two conditional transactions on one item both passed their condition (both
agents "won" a claim), and a transaction that restored its snapshot of the tables erased a
write made meanwhile (answered 200, later gone). AWS never shows these, so neither may the
local stack. Each service's requests run one at a time here (a few milliseconds each);
different services, and everything in destek's own code, still run in parallel.

Every test and the local stack start moto through `MotoServer`, so they all have the same
protection.

Restart at a shop's size: replaying a journaled write costs what the request cost (10-15
ms), so a journal of 100,000 cases takes hours to replay. With a journal, the server also
takes snapshots (devstack/snapshot.py) after every `snapshot_every` writes and at a clean
stop: it holds every service (no request runs), starts a new journal segment, forks, and
lets go (a pause of milliseconds); the child process, which has the state as it was at the
fork, writes the snapshot and exits, and the server then deletes the journal segments the
snapshot covers. A start loads the snapshot and replays only the segments after it. A kill
at any moment loses no answered write: until the snapshot file is renamed into place, the
previous snapshot and every segment after it are there; after it, the new one is. Where
fork is not available (not Linux), the snapshot is written in the server's process while it
holds every service.
"""

from __future__ import annotations

import ctypes
import io
import json
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from . import fast_dynamodb, snapshot
from .backlog import deepen
from .journal import Journal, decode_body, deterministic, encode_body, install, new_seed

log = logging.getLogger("devstack.moto")

#: actions that change nothing moto keeps (or nothing a replay could reproduce: receives)
READ_ACTION = re.compile(
    r"(Get|List|Describe|Query|Scan|BatchGet|TransactGet|AdminGet|AdminList|Receive"
    r"|ChangeMessageVisibility|Head)"
)
#: moto's own endpoints (reset, seed, dashboard) and the EC2 metadata stand-in
UNGUARDED = {"moto_api", "instance_metadata"}
PRESERVED_HEADER_NAMES = "moto.preserved_header_names"
_CREDENTIAL_REGION = re.compile(r"Credential=[^/]+/[^/]+/([^/]+)/")


#: one lock per service for the whole process: moto's backends are module globals, shared by
#: every server started in it (a test may start its own beside the suite's)
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def service_lock(service: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(service, threading.Lock())


#: journaled writes after which a snapshot is taken (at most ~10-15 s of replay at a start)
SNAPSHOT_EVERY = int(os.environ.get("DESTEK_SNAPSHOT_EVERY", "1000"))
#: at a clean stop, fewer journaled writes than this are left to the next start's replay (a
#: second at most) rather than paying for a snapshot (a minute at 100,000 cases); data loaded
#: straight into moto is never left: only a snapshot keeps it
STOP_SNAPSHOT_MIN = 50
#: how long a forked snapshot child may take before it is taken for stuck and killed (the
#: journal keeps every write, the next snapshot tries again). 100,000 cases take about 40 s;
#: a child that inherited a lock another thread held at the fork would otherwise be waited
#: for forever, and the stop waits for the snapshot thread
SNAPSHOT_CHILD_SECONDS = float(os.environ.get("DESTEK_SNAPSHOT_CHILD_SECONDS", "900"))


@dataclass
class Replayed:
    """What a start found in the journal: writes replayed, and how many answered differently
    than they did the first time (each is logged; there should be none)."""

    writes: int = 0
    differed: int = 0
    skipped: int = 0  # messages sent and later deleted: not sent again
    seconds: float = 0.0
    #: the snapshot loaded before the replay (0 items, 0 bytes: none, the whole journal)
    snapshot_items: int = 0
    snapshot_bytes: int = 0
    snapshot_seconds: float = 0.0  # loading it, with the tables' indexes
    snapshot_written_at: float = 0.0
    #: the whole restore: snapshot and replay
    total_seconds: float = 0.0


def _take_body(environ: dict[str, Any]) -> bytes:
    """Read the whole body and put it back as a stream, with its length (chunked uploads too)."""
    stream = environ.get("wsgi.input")
    length = environ.get("CONTENT_LENGTH") or ""
    if stream is None:
        body = b""
    elif length.isdigit():
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ["wsgi.input_terminated"] = False
    return body


def _action(environ: dict[str, Any], body: bytes) -> str:
    """The API action: from X-Amz-Target (JSON protocols), or Action= (query protocols);
    empty for REST services (S3), whose method says whether a call writes."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    fields = parse_qs(environ.get("QUERY_STRING", ""))
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        fields.update(parse_qs(body.decode("utf-8", "replace")))
    return fields.get("Action", [""])[0]


def is_write(method: str, action: str) -> bool:
    if action:
        return not READ_ACTION.match(action)
    return method not in ("GET", "HEAD", "OPTIONS")


def _waits(body: bytes) -> bool:
    try:
        return int(json.loads(body or b"{}").get("WaitTimeSeconds") or 0) > 0
    except (ValueError, TypeError, AttributeError):
        return False


def _run(
    app: Callable[..., Iterable[bytes]], environ: dict[str, Any], start_response: Callable
) -> tuple[int, list[bytes]]:
    """Call the app to the end (the whole answer is made here, under the caller's lock)."""
    seen: dict[str, int] = {}

    def capture(status: str, headers: list, exc_info: Any = None) -> Any:
        seen["status"] = int(status.split()[0])
        return start_response(status, headers, exc_info)

    result = app(environ, capture)
    try:
        chunks = [bytes(chunk) for chunk in result]
    finally:
        close = getattr(result, "close", None)
        if close:
            close()
    return seen.get("status", 500), chunks


def _recordable(environ: dict[str, Any]) -> dict[str, Any]:
    kept: dict[str, Any] = {
        k: v
        for k, v in environ.items()
        if isinstance(v, str) and not k.startswith(("wsgi.", "werkzeug."))
    }
    if PRESERVED_HEADER_NAMES in environ:
        kept[PRESERVED_HEADER_NAMES] = environ[PRESERVED_HEADER_NAMES]
    return kept


def _region(environ: dict[str, Any]) -> str:
    match = _CREDENTIAL_REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else "us-east-1"


def _queue(region: str, queue_url: str) -> Any:
    from moto.sqs.models import sqs_backends

    account, name = urlparse(queue_url).path.strip("/").split("/")[-2:]
    return sqs_backends[account][region].get_queue(name)


def has_visible_messages(region: str, queue_url: str) -> bool:
    """Whether a ReceiveMessage on the queue would return something now (a message visible
    and not delayed), read from moto's queue in this process without a request; True when
    the queue cannot be read, so that the caller's receive says what is wrong."""
    try:
        return bool(_queue(region, queue_url).messages)
    except Exception:
        return True


def _deleted_messages(environ: dict[str, Any], body: bytes) -> dict[str, Any] | None:
    """The ids of the messages a DeleteMessage(Batch) names by receipt handle (before it runs:
    a replay cannot know receipt handles, which come from receives)."""
    try:
        request = json.loads(body)
        handles = [request["ReceiptHandle"]] if "ReceiptHandle" in request else [
            entry["ReceiptHandle"] for entry in request.get("Entries", [])
        ]  # fmt: skip
        queue = _queue(_region(environ), request["QueueUrl"])
    except Exception:  # noqa: BLE001 - moto answers the malformed call itself; nothing to journal
        return None
    ids = [m.id for m in list(queue._messages) if any(m.had_receipt_handle(h) for h in handles)]
    return {"queue_url": request["QueueUrl"], "region": _region(environ), "ids": ids}


class GuardedMoto:
    """moto's WSGI app, with one lock per service and, given a journal, every write recorded."""

    def __init__(self, journal: Journal | None = None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        # transactions and queries that cost what they touch, not the whole table
        fast_dynamodb.install()
        self.dispatcher = DomainDispatcherApplication(create_backend_app)
        self.journal = journal

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        app = self.dispatcher.get_application(environ)
        service = getattr(app, "service", "")
        if service in UNGUARDED:
            return app(environ, start_response)
        body = _take_body(environ)
        action = _action(environ, body)
        if service == "sqs" and action == "ReceiveMessage" and _waits(body):
            # a long poll would hold the lock for its whole wait and stall every sender; moto's
            # SQS guards its message list with its own condition for exactly this wait
            return app(environ, start_response)
        with service_lock(service):
            if self.journal is None or not is_write(environ["REQUEST_METHOD"], action):
                return _run(app, environ, start_response)[1]
            return self._journaled(app, environ, start_response, service, action, body)

    def _journaled(
        self,
        app: Any,
        environ: dict[str, Any],
        start_response: Callable,
        service: str,
        action: str,
        body: bytes,
    ) -> list[bytes]:
        assert self.journal is not None
        now = time.time()
        if service == "sqs" and action in ("DeleteMessage", "DeleteMessageBatch"):
            deleted = _deleted_messages(environ, body)
            status, chunks = _run(app, environ, start_response)
            if status < 400 and deleted and deleted["ids"]:
                self.journal.append({"at": now, "sqs_deleted": deleted})
            return chunks
        seed = new_seed()
        with deterministic(seed, now):
            status, chunks = _run(app, environ, start_response)
        if status < 400:  # a refused write changed nothing; replaying it would refuse again
            record = {"environ": _recordable(environ), "body": encode_body(body)}
            if service == "sqs" and action in ("SendMessage", "SendMessageBatch"):
                record["sqs_ids"] = _sent_ids(chunks)
            self.journal.append({"at": now, "seed": seed, **record})
        return chunks

    def replay(self, entries: list[dict[str, Any]]) -> Replayed:
        """Apply journaled writes in their order, each with its recorded seed and clock.

        A message sent and later deleted is not sent again at all (queues see more traffic
        than anything else: 900 of 1,600 writes for 100 cases), and a deletion is applied as
        soon as its message is there, so queues stay as short as they were."""
        started = time.monotonic()
        report = Replayed()
        deleted = {i for e in entries if "sqs_deleted" in e for i in e["sqs_deleted"]["ids"]}
        leftover: list[dict[str, Any]] = []
        for entry in entries:
            if "sqs_deleted" in entry:
                if not _remove_messages(entry["sqs_deleted"]):
                    leftover.append(entry["sqs_deleted"])
                continue
            if entry.get("sqs_ids") and deleted.issuperset(entry["sqs_ids"]):
                report.skipped += 1
                continue
            body = decode_body(entry["body"])
            environ: dict[str, Any] = {
                "wsgi.version": (1, 0),
                "wsgi.url_scheme": "http",
                "wsgi.errors": sys.stderr,
                "wsgi.multithread": False,
                "wsgi.multiprocess": False,
                "wsgi.run_once": False,
                **entry["environ"],
                "wsgi.input": io.BytesIO(body),
                "CONTENT_LENGTH": str(len(body)),
            }
            app = self.dispatcher.get_application(environ)
            with (
                service_lock(getattr(app, "service", "")),
                deterministic(entry["seed"], entry["at"]),
            ):
                status, chunks = _run(app, environ, lambda *_: None)
            report.writes += 1
            if status >= 400:
                report.differed += 1
                log.warning(
                    "replayed %s %s answered %s: %s",
                    environ.get("REQUEST_METHOD"),
                    environ.get("HTTP_X_AMZ_TARGET") or environ.get("PATH_INFO"),
                    status,
                    b"".join(chunks)[:300],
                )
        # a message an S3 notice put on a queue can be received and deleted before the write
        # that sent it was journaled: its deletion comes first, and is applied here
        for deletion in leftover:
            _remove_messages(deletion)
        report.seconds = time.monotonic() - started
        return report


def _sent_ids(chunks: list[bytes]) -> list[str]:
    """The ids of the messages a SendMessage(Batch) answer names (JSON protocol)."""
    try:
        answer = json.loads(b"".join(chunks))
    except ValueError:
        return []
    if "MessageId" in answer:
        return [answer["MessageId"]]
    return [entry["MessageId"] for entry in answer.get("Successful", [])]


def _remove_messages(deletion: dict[str, Any]) -> bool:
    """Remove the named messages from their queue; False when some are not there yet."""
    try:
        queue = _queue(deletion["region"], deletion["queue_url"])
    except Exception:  # noqa: BLE001 - the queue itself was deleted later
        return True
    gone = set(deletion["ids"])
    kept = [m for m in queue._messages if m.id not in gone]
    found = len(queue._messages) - len(kept)
    queue._messages = kept
    return found == len(gone)


class MotoServer:
    """A threaded moto server on host:port. With a journal, restores the state it keeps
    (snapshot, then the journal after it) before serving, and takes snapshots as it runs."""

    def __init__(
        self,
        host: str,
        port: int,
        journal: Journal | None = None,
        snapshot_every: int | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.journal = journal
        self.snapshot_every = snapshot_every or SNAPSHOT_EVERY
        self.app = GuardedMoto(journal)
        self.replayed = Replayed()
        self.snapshots = 0  # written by this server
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._pending = 0  # journaled writes (before this start) no snapshot covers yet
        self._imported = fast_dynamodb.imported  # direct loads at the last snapshot
        self._snapshot_lock = threading.Lock()
        self._stopping = threading.Event()
        self._snapshotter: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> MotoServer:
        from moto.moto_server.werkzeug_app import MotoRequestHandler
        from werkzeug.serving import make_server

        class QuietHandler(MotoRequestHandler):
            def log_request(self, *_: Any) -> None:  # a line per AWS call drowns the stack's log
                pass

        # bind first: a taken port fails before any restore work
        self._server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=QuietHandler
        )
        deepen(self._server.socket)
        if self.journal is not None:
            self._restore(self.journal)
            self._snapshotter = threading.Thread(
                target=self._snapshot_when_due, name="moto-snapshots", daemon=True
            )
            self._snapshotter.start()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def _restore(self, journal: Journal) -> None:
        started = time.monotonic()
        install()
        snapshot.prepare()  # not in a forked child: it makes keys
        folder = journal.folder
        folder.mkdir(parents=True, exist_ok=True)
        snapshot.remove_leftovers(folder)
        loaded = snapshot.load(folder)
        covered = loaded.segment if loaded else 0
        entries = journal.read(after=covered)
        self.replayed = self.app.replay(entries)
        if loaded:
            self.replayed.snapshot_items = loaded.items
            self.replayed.snapshot_bytes = loaded.size
            self.replayed.snapshot_seconds = loaded.seconds
            self.replayed.snapshot_written_at = loaded.written_at
        journal.open()
        journal.drop(covered)  # a crash between a snapshot's rename and this left them
        self._pending = len(entries)
        self._imported = fast_dynamodb.imported
        self.replayed.total_seconds = time.monotonic() - started

    def pending(self) -> int:
        """Writes, journaled or loaded directly, that no snapshot covers yet."""
        journaled = self.journal.appended if self.journal is not None else 0
        return self._pending + journaled + fast_dynamodb.imported - self._imported

    def snapshot(self, fork: bool | None = None) -> snapshot.Header | None:
        """Write a snapshot of everything now, and drop the journal segments it covers;
        its header (None when the writing failed: the journal keeps everything, and the
        failure is logged). Returns when the snapshot is on disk.

        `fork`: write it from a forked child (the server pauses only for the fork), the
        default on Linux; otherwise in this process, with every service held meanwhile."""
        assert self.journal is not None, "a snapshot needs a journal"
        fork = _can_fork() if fork is None else fork
        with self._snapshot_lock:
            started = time.monotonic()
            written: snapshot.Header | None = None
            child = 0
            with _everything_held():
                pending = self._pending + self.journal.appended
                covered = self.journal.rotate()
                imported = fast_dynamodb.imported
                self._pending = 0
                if fork:
                    parent = os.getpid()
                    try:
                        child = os.fork()
                    except OSError:  # out of memory or processes: the journal keeps it all
                        log.exception("no process to write the snapshot in")
                    if child == 0 and os.getpid() != parent:  # pragma: no cover - the child
                        _write_and_exit(self.journal.folder, covered, parent)
                else:
                    written = self._write_here(covered)
            if child:
                written = _wait_for(child, self.journal.folder)
            if written is None:
                self._pending += pending  # not covered after all: the next one will be
                return None
            self._imported = imported
            dropped = self.journal.drop(covered)
            self.snapshots += 1
            log.info(
                "snapshot of %d items (%.1f MB) in %.1f s covers journal segment %d;"
                " %d segments dropped",
                written.items, written.size / 1e6, time.monotonic() - started, covered, dropped,
            )  # fmt: skip
            return written

    def _write_here(self, covered: int) -> snapshot.Header | None:
        try:
            return snapshot.write(self.journal.folder, covered)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - the journal still holds everything: keep serving
            log.exception("the snapshot could not be written; the journal keeps every write")
            return None

    def _snapshot_when_due(self) -> None:
        while not self._stopping.wait(1.0):
            if self.journal is not None and self.journal.appended >= self.snapshot_every:
                try:
                    self.snapshot()
                except Exception:  # noqa: BLE001 - the journal keeps every write; try later
                    log.exception("the snapshot failed; the journal keeps every write")

    def stop(self) -> None:
        self._stopping.set()
        if self._snapshotter is not None:
            self._snapshotter.join()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.journal is not None:
            journaled = self._pending + self.journal.appended
            if journaled >= STOP_SNAPSHOT_MIN or fast_dynamodb.imported != self._imported:
                self.snapshot(fork=False)
            self.journal.close()


@contextmanager
def _everything_held() -> Iterator[None]:
    """No request changes anything meanwhile: every service's lock (and the registry, so no
    service gets its first lock meanwhile), and DynamoDB's backend locks, which direct loads
    (fast_dynamodb.import_items) take alone."""
    with _LOCKS_GUARD:
        held = [_LOCKS[name] for name in sorted(_LOCKS)] + fast_dynamodb.backend_locks()
        taken = []
        try:
            for lock in held:
                lock.acquire()
                taken.append(lock)
            yield
        finally:
            for lock in reversed(taken):
                lock.release()


def _can_fork() -> bool:
    return sys.platform == "linux" and os.environ.get("DESTEK_SNAPSHOT_FORK", "1") != "0"


_PR_SET_PDEATHSIG = 1
try:  # resolved here, not in the child: no dynamic loading after a fork
    _prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None
except (OSError, AttributeError):  # pragma: no cover
    _prctl = None


def _write_and_exit(folder: Path, covered: int, parent: int) -> None:  # pragma: no cover
    """The forked child: write the snapshot and end, without running anything of the
    parent's (no atexit, no finally blocks of other threads' frames).

    It dies with its parent: a snapshot still being written when the server is killed must
    not be renamed into place later, under a stack started since."""
    code = 1
    try:
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)
        snapshot.write(folder, covered)
        code = 0
    except BaseException as error:  # noqa: BLE001 - reported to the parent by the exit status
        with suppress(OSError):
            os.write(2, f"devstack: the snapshot could not be written: {error!r}\n".encode())
    finally:
        os._exit(code)


def _wait_for(child: int, folder: Path, seconds: float | None = None) -> snapshot.Header | None:
    """The snapshot the forked `child` wrote, once it ended; None when it failed or did not
    end within `seconds` (SNAPSHOT_CHILD_SECONDS): then it is killed."""
    deadline = time.monotonic() + (SNAPSHOT_CHILD_SECONDS if seconds is None else seconds)
    while True:
        ended, status = os.waitpid(child, os.WNOHANG)
        if ended:
            break
        if time.monotonic() > deadline:
            with suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            log.error("the snapshot child %d did not end in time and was killed; the journal"
                      " keeps every write", child)  # fmt: skip
            with suppress(OSError):
                (folder / f"{snapshot.NAME}.part-{child}").unlink()
            return None
        time.sleep(0.05)
    if os.waitstatus_to_exitcode(status) != 0:
        log.error("the snapshot could not be written (exit %s); the journal keeps every write",
                  os.waitstatus_to_exitcode(status))  # fmt: skip
        return None
    written = snapshot.header(folder)
    if written is not None:
        written.size = (folder / snapshot.NAME).stat().st_size
    return written
