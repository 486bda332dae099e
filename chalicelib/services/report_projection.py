"""The standard reports' projection, fed by the case events (the `reports` queue), and its
rebuild from the stored events.

The walk of a batch (issue 21: written per SQS batch, not per event): the stream puts each
event on the events bus; the `reports` queue's rule takes every `destek.case.*` event;
`ReportProjection.handle_batch` gets the batch's case events together. The versions item
is read once; each event goes to every version written now (the live one, the one being
rebuilt, if any, and the one reports read the event's day by, if older:
`Versions.written`), grouped by case. In each version (`project`), the batch's cases'
report states are read in one BatchGetItem; a case's events at or before its cursor were
applied already and change nothing (delivery is at least once). For the others the case's
stored events after the cursor up to the end of the newest delivered event's commit (the
events the same case change wrote with it, in its transaction) are read (one Query of its
partition: an event that arrived before an earlier one of its case applies that one first,
in order) and applied (domain/report_projection.py), the case read once when an event
needs it (its opening older than the projection, a first response, a resolution: one
GetItem; an opening reads the customer's category): the case's next state and its counter
increments. Then the cases' writes are packed into as few chunks as fit a
TransactWriteItems (domain/report_batch.py) and each chunk is ONE transaction: its states
at their next revisions, each conditional on the revision read, and its counter cells once
each, the increments of its cases summed (store/reports.py `write_chunk`); a state with no
counter is a conditional PutItem alone. A chunk holds only its own cases' increments, so it
stands or falls alone: cancelled because a state moved (another copy, another container),
its cases are read and worked out again, the moved ones packed apart; cancelled by a
TransactionConflict (another transaction on a hot cell), it is tried again after a jittered
pause; after 3 rounds its cases' records return to the queue, the rest of the batch stands.

The rebuild (`ReportRebuild`) applies the stored events, a page at a time (a step: a
message on the `reports` queue; the invocation that takes one goes on with the next while
it has time, `ReportRebuild.run`), into a fresh version and, when it reaches today, makes
that version the one reports read for the days it covers; each case's cursor keeps every
event applied once in it. Days older than the event log (30 days) are read from the
open data store's archive (services/report_archive.py: Athena in AWS, DuckDB locally) up
to a switch-over UTC day a week back, the log from that day on: the archive holds the
events that occurred before it, the log those at or after it, so none is read twice or
missed (docs/reports.md, Rebuild). The live consumer writes to the
version being built once it reads the log (while it reads the archive, the events
happening now are in the log, read later).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from ..domain.case_events import SCHEMA_VERSION
from ..domain.clock import ISTANBUL, to_iso, utcnow
from ..domain.errors import Conflict, InvalidInput
from ..domain.model import Model
from ..domain.report_batch import MAX_ITEMS, CaseWrite, ChunkOutcome, pack
from ..domain.report_projection import (
    CaseFacts,
    Increments,
    ReportState,
    apply,
    event_key,
    facts_from_case,
    is_case_event,
    needs_case,
    new_breaches,
    report_day,
)
from ..observability import logger
from .report_archive import ArchiveReader

#: events a rebuild step reads from the log (one Query), and the days the log keeps
REBUILD_PAGE = 100
LOG_DAYS = 29
#: events a rebuild step reads from the archive (one query); the UTC days back where a
#: rebuild over the archive switches to the log (the archive is settled by then: Firehose's
#: 15-minute buffer and day of retries are past; the log still holds the day for 3 weeks)
ARCHIVE_PAGE = 500
SETTLED_DAYS = 7
#: the first version; the days it covers reach back to the first case
FIRST = {"version": 1, "since": "0001-01-01"}
#: the rounds a batch's case is tried in (its state read, its write worked out and written)
ROUNDS = 3
#: the pause before another round after a TransactionConflict, in seconds: BACKOFF × 2^round
#: × a random factor in [0.5, 1.5), so two containers that met on a hot cell part
BACKOFF = 0.05
#: the seconds a batch keeps for its writes: once the function has less left, the cases not
#: worked out yet return to the queue (their reads, a Query each, one after another, would
#: outlast the function's 30 s in a batch of thousands of cases)
RESERVE_SECONDS = 10.0
#: what a rebuild's step of the archive may take beyond its query (whose limit the archive
#: reader holds: at most 20 s, wiring.py): the page's reads and writes, a second or two in
#: AWS for 500 events. A step of the log takes RESERVE_SECONDS at most, as a batch does.
APPLY_SECONDS = 5.0


class ReportProjectionStore(Protocol):
    def config(self) -> dict[str, Any] | None: ...
    def save_config(self, config: dict[str, Any], expected_revision: int | None) -> bool: ...
    def states(self, version: int, case_ids: list[str]) -> dict[str, ReportState]: ...
    def events_after(self, case_id: str, cursor: str, upto: str) -> list[dict[str, Any]]: ...
    def write(self, version: int, state: ReportState, expected_revision: int,
              increments: Increments, breaches: list[dict[str, Any]]) -> bool: ...  # fmt: skip
    def write_chunk(self, version: int, writes: list[CaseWrite]) -> ChunkOutcome: ...
    def case_item(self, case_id: str) -> dict[str, Any] | None: ...
    def customer_category(self, customer_id: str) -> str | None: ...
    def log_page(self, utc_day: str, limit: int, cursor: str | None
                 ) -> tuple[list[dict[str, Any]], str | None]: ...  # fmt: skip


class Versions(Model):
    """Which projection version reports read for which days (`versions`, newest first: a
    day reads the first whose `since` is not after it), the rebuild under way (`building`:
    its version, first day, the UTC day of the log it reads and its cursor there), and the
    item's `revision`."""

    versions: list[dict[str, Any]]
    building: dict[str, Any] | None = None
    revision: int = 0

    @property
    def live(self) -> int:
        return int(self.versions[0]["version"])

    def written(self, day: str | None = None) -> list[int]:
        """The versions an event of Istanbul `day` is applied to now: the live one, the one
        being built once its rebuild reads the log (before, the log holds the event for it
        to read), and the one reports read `day` by when that is an older one (an event
        dated before the live version's `since`: delivered late, or a case worked with a
        clock set back; applied to the live version alone, no report would count it)."""
        out = [self.live]
        if self.building and self.building.get("phase", "log") == "log":
            out.append(int(self.building["version"]))
        if day is not None and self.version_for(day) not in out:
            out.append(self.version_for(day))
        return out

    def version_for(self, day: str) -> int:
        for entry in self.versions:
            if entry["since"] <= day:
                return int(entry["version"])
        return int(self.versions[-1]["version"])


def _projected(event: dict[str, Any]) -> bool:
    """A case event of a schema this code knows (a newer one waits for the code that does)."""
    return is_case_event(event) and int(event.get("schema_version", 1)) <= SCHEMA_VERSION


def read_versions(store: ReportProjectionStore) -> Versions:
    item = store.config()
    if not item:
        return Versions(versions=[dict(FIRST)])
    return Versions(versions=item["versions"], building=item.get("building"),
                    revision=int(item.get("revision", 0)))  # fmt: skip


@dataclass(frozen=True)
class BatchResult:
    """What a batch came to: the events applied (in every version, the cases' earlier ones
    caught up included) and the ids of the batch's events not applied because their case's
    write failed after its rounds (their records go back to the queue)."""

    applied: int
    failed: frozenset[str]


class ReportProjection:
    """Applies case events to the report counters, a batch at a time (see the module's
    text). `sleep` and `jitter` (a float in [0, 1)) pace the rounds after a
    TransactionConflict; tests pass their own."""

    def __init__(
        self,
        store: ReportProjectionStore,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.store = store
        self.sleep = sleep
        self.jitter = jitter

    def handle(self, event: dict[str, Any]) -> int:
        """Apply one event from the bus (and the case's earlier ones not applied yet) to
        every version written now; how many events were applied in all. Conflict
        `report_busy` when its case's state kept moving."""
        result = self.handle_batch([event])
        if result.failed:
            raise Conflict("the case's report state keeps changing", code="report_busy")
        return result.applied

    def handle_batch(
        self, events: list[dict[str, Any]], time_left: Callable[[], float] | None = None
    ) -> BatchResult:
        """Apply a batch's events (case events' JSON, any order, repeats and copies
        included) to every version each is written to (`Versions.written`: the versions
        item read once): each case's events together, and the cases' writes packed into as
        few transactions as fit (`project`). Events that are not case events, or of a newer
        schema, are left alone (not failed). `time_left`: the function's seconds left (None:
        no limit); the cases not reached while RESERVE_SECONDS remain are failed, to come
        back in a later batch."""
        wanted = [e for e in events if _projected(e)]
        if not wanted:
            return BatchResult(0, frozenset())
        versions = read_versions(self.store)
        by_version: dict[int, dict[str, list[dict[str, Any]]]] = {}
        for event in wanted:
            for version in versions.written(report_day(event["occurred_at"])):
                by_version.setdefault(version, {}).setdefault(event["case_id"], []).append(event)
        applied, failed = 0, set()
        for version, cases in by_version.items():
            done, lost = self.project(version, cases, from_log=True, time_left=time_left)
            applied += done
            failed |= {e["id"] for case_id in lost for e in cases[case_id]}
        return BatchResult(applied, frozenset(failed))

    def project(
        self,
        version: int,
        cases: dict[str, list[dict[str, Any]]],
        from_log: bool,
        time_left: Callable[[], float] | None = None,
    ) -> tuple[int, set[str]]:
        """Apply each case's events to `version` in rounds (at most ROUNDS): read the
        states of the cases left (one BatchGetItem), work out each case's write from its
        state (`_plan`; a case whose state did not move since the last round keeps its
        write), pack the writes into chunks (domain/report_batch.py) and write each in one
        transaction. A chunk cancelled because a state moved, or by a TransactionConflict
        (after a jittered pause), goes to the next round, where the cases that moved are
        packed apart from the others; any other failure of a case or a chunk fails its
        cases at once. `from_log`: the events are deliveries (each case's
        stored events after its cursor are read too: `_plan`); else they are all the
        events to apply (a rebuild's page). `time_left`: see `handle_batch`. The events
        applied, and the cases not written."""
        applied, failed = 0, set()
        plans: dict[str, list[CaseWrite]] = {}
        moved: set[str] = set()
        todo = list(cases)
        for round_ in range(ROUNDS):
            if not todo:
                break
            if round_:
                logger.info("report writes again", version=version, cases=len(todo),
                            round=round_)  # fmt: skip
            states = self.store.states(version, todo)
            retry, busy, chunked = [], False, []
            for position, case_id in enumerate(todo):
                state = states.get(case_id)
                kept = plans.get(case_id)
                if time_left is not None and time_left() < RESERVE_SECONDS:
                    late = todo[position:]
                    logger.warning("report batch out of time; cases return to the queue",
                                   cases=len(late))  # fmt: skip
                    failed.update(late)
                    break
                try:
                    if not kept or kept[0].expected != (state.revision if state else 0):
                        plans[case_id] = kept = self._plan(state, case_id, cases[case_id],
                                                           from_log)  # fmt: skip
                    if len(kept) > 1:  # over one transaction: its writes one after another
                        written = self._write_in_turn(version, kept)
                        applied += sum(w.applied for w in kept[:written])
                        if written < len(kept):
                            retry.append(case_id)
                    elif kept:
                        chunked.append(kept[0])
                except Exception:  # noqa: BLE001 - one case's failure is its records' alone
                    logger.exception("report case not projected", case_id=case_id)
                    failed.add(case_id)
            # a case whose state moved is packed apart from the rest of its chunk: a case
            # that keeps moving (a hot case, two containers on it) fails alone
            chunks = pack([w for w in chunked if w.case_id not in moved])
            chunks += pack([w for w in chunked if w.case_id in moved])
            for chunk in chunks:
                try:
                    outcome = self.store.write_chunk(version, chunk)
                except Exception:  # noqa: BLE001 - a chunk's failure is its records' alone
                    logger.exception("report chunk not written", cases=len(chunk))
                    failed |= {w.case_id for w in chunk}
                    continue
                if outcome.written:
                    applied += sum(w.applied for w in chunk)
                else:
                    retry.extend(w.case_id for w in chunk)
                    moved |= outcome.moved
                    busy = busy or outcome.busy
            todo = retry
            if busy and todo and round_ + 1 < ROUNDS:
                self.sleep(BACKOFF * 2**round_ * (0.5 + self.jitter()))
        if todo:
            logger.warning("report cases kept moving", version=version, cases=len(todo))
        return applied, failed | set(todo)

    def _write_in_turn(self, version: int, writes: list[CaseWrite]) -> int:
        """A case's writes one after another (each conditional on the one before): how many
        were written before one found the state moved."""
        for done, w in enumerate(writes):
            if not self.store.write(version, w.state, w.expected, w.increments, w.breaches):
                return done
        return len(writes)

    def _plan(
        self,
        state: ReportState | None,
        case_id: str,
        delivered: list[dict[str, Any]],
        from_log: bool,
    ) -> list[CaseWrite]:
        """The case's writes that apply `delivered` after its state (none: all applied
        already). `from_log`: the case's stored events after the cursor up to the end of the
        newest delivered event's commit (same `sequence`: written in one transaction, all
        stored by now) are applied with them (one Query of its partition: SQS does not keep
        order, and an event that overtook an earlier one applies that one first); a
        delivered event not stored (gone by TTL, or not readable yet) is applied as
        delivered."""
        if not from_log:
            return self._steps(state, delivered)
        cursor = state.cursor if state is not None else ""
        pending = {e["id"]: e for e in delivered if event_key(e) > cursor}
        if not pending:
            return []  # every delivery a repeat (at least once)
        upto = max(f"{int(e['sequence']):08d}#99" for e in pending.values())
        events = self.store.events_after(case_id, cursor, upto)
        stored = {e.get("id") for e in events}
        events += [e for event_id, e in pending.items() if event_id not in stored]
        return self._steps(state, events)

    def _steps(self, state: ReportState | None, events: list[dict[str, Any]]) -> list[CaseWrite]:
        """The case's next state(s) and increments from its events (any order; those at or
        before its cursor change nothing), cut where one write would pass MAX_ITEMS items:
        normally one write; a case catching up on many days, several (written in turn)."""
        expected = state.revision if state is not None else 0
        current, pending, breaches, applied = state, Increments(), [], 0
        steps: list[CaseWrite] = []
        read: dict[str, Any] = {}  # the case item and customer categories, read once here
        for event in sorted(events, key=event_key):
            facts = self._facts(current, event, read)
            after, increments = apply(current, event, facts)
            if after is None or after is current:
                continue
            found = new_breaches(current, after, event)
            trial = pending.model_copy(deep=True)
            trial.add(increments)
            size = len(trial.days) + len(trial.levels) + len(breaches) + len(found) + 1
            if size > MAX_ITEMS and current is not None and applied:
                steps.append(CaseWrite(current, expected, pending, breaches, applied))
                expected, breaches, applied = current.revision, [], 0
                trial = increments
            pending, current = trial, after
            breaches.extend(found)
            applied += 1
        if applied and current is not None:
            steps.append(CaseWrite(current, expected, pending, breaches, applied))
        return steps

    def _facts(
        self, state: ReportState | None, event: dict[str, Any], read: dict[str, Any]
    ) -> CaseFacts | None:
        if event["type"] == "destek.case.opened":
            if state is not None:
                return None
            category = self._category(event["data"]["customer_id"], read)
            at = datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00"))
            return CaseFacts(opened_at=at, values={}, status="new", customer_category=category)
        if not needs_case(state, event):
            return None
        from ..domain.cases import Case

        if "case" not in read:
            read["case"] = self.store.case_item(event["case_id"])
        item = read["case"]
        if item is None:
            return None
        case = Case.model_validate(item)
        category = state.values.get("customer_category") if state is not None else (
            self._category(case.customer_id, read))  # fmt: skip
        return facts_from_case(case, category)

    def _category(self, customer_id: str, read: dict[str, Any]) -> str | None:
        key = f"customer#{customer_id}"
        if key not in read:
            read[key] = self.store.customer_category(customer_id)
        return read[key]


class RebuildStatus(Model):
    """A rebuild asked for or under way: the version it builds, the first day it covers
    (Istanbul), the UTC day of the event log it has reached (or will start at), while it
    reads the archive the UTC day it has reached there (`archive_day`), and whether it is
    done."""

    version: int
    since: str
    log_day: str
    archive_day: str | None = None
    pages: int = 0
    done: bool = False
    live: int


class RebuildRequest(Model):
    """`from`: the first day (Europe/Istanbul) to rebuild; older than 29 days back (the
    event log keeps 30) it is read from the archive, at most back to the day after the
    archive's first; none: as far back as the log goes."""

    from_: date | None = None

    model_config = {"populate_by_name": True, "defer_build": True}


class ReportRebuild:
    """Rebuilds the projection from the stored events into a fresh version (see the module's
    text): `start` sets the version up and sends the first step; each `step` applies one page
    (of the archive while its days are older than the switch-over day, then of the log) and
    sends the next, until the log's today is read; then the version is live. `run` takes a
    step and goes on with the next ones while its invocation has time (the queue's batching
    window is then waited once per invocation, not once per step).

    `archive`: the archive's reader; None: the log alone (a `from` older than it is out of
    range)."""

    def __init__(
        self,
        store: ReportProjectionStore,
        send_step: Callable[[dict[str, Any]], None],
        clock: Callable[[], datetime] = utcnow,
        page: int = REBUILD_PAGE,
        archive: ArchiveReader | None = None,
        archive_page: int = ARCHIVE_PAGE,
    ) -> None:
        self.store = store
        self.send_step = send_step
        self.clock = clock
        self.page = page
        self.archive = archive
        self.archive_page = archive_page
        self.projection = ReportProjection(store)

    def oldest(self, first: date) -> date:
        """The first day a rebuild may start at: 29 days back (the log); when `first` is
        older and there is an archive, the day after its first day (that day may be
        partial: the archive began during it)."""
        today = self.clock().astimezone(ISTANBUL).date()
        oldest = today - timedelta(days=LOG_DAYS)
        if first >= oldest or self.archive is None:
            return oldest
        archived = self.archive.first_day()
        return min(oldest, archived + timedelta(days=1)) if archived else oldest

    def start(self, first: date | None) -> RebuildStatus:
        """Set up a rebuild (or resume the one under way, whatever `first` says) and send
        its next step. InvalidInput `rebuild_out_of_range` before `oldest` or after today."""
        today = self.clock().astimezone(ISTANBUL).date()
        first = first or today - timedelta(days=LOG_DAYS)
        oldest = self.oldest(first)
        if first < oldest or first > today:
            raise InvalidInput(
                f"a rebuild starts at most {LOG_DAYS} days back (the event log keeps 30), or "
                "from the archive's second day on, and not after today",
                details={"from": first.isoformat(), "oldest": oldest.isoformat()},
                code="rebuild_out_of_range",
            )  # fmt: skip
        current = read_versions(self.store)
        if current.building is None:
            version = max(int(v["version"]) for v in current.versions) + 1
            read_from = first - timedelta(days=1)  # the UTC day Istanbul's `first` starts in
            building = {"version": version, "since": first.isoformat(), "cursor": None,
                        "phase": "log", "log_day": read_from.isoformat(), "pages": 0,
                        "started_at": to_iso(self.clock())}  # fmt: skip
            if first < today - timedelta(days=LOG_DAYS):
                switch = self.clock().date() - timedelta(days=SETTLED_DAYS)
                building.update(phase="archive", archive_day=read_from.isoformat(),
                                after=None, log_day=switch.isoformat())  # fmt: skip
            saved = {"versions": current.versions, "building": building,
                     "revision": current.revision + 1}  # fmt: skip
            if not self.store.save_config(saved, current.revision if current.revision else None):
                raise Conflict("another rebuild was just started", code="rebuild_busy")
            current = Versions(**saved)
            logger.info("report rebuild started", version=version, since=first.isoformat(),
                        phase=building["phase"])  # fmt: skip
        building = current.building
        self.send_step({"kind": "rebuild", "version": building["version"],
                        "page": int(building.get("pages", 0))})  # fmt: skip
        return self._status(current)

    def status(self) -> RebuildStatus:
        """The rebuild under way, or the live version (`done`) when none is."""
        return self._status(read_versions(self.store))

    @staticmethod
    def _status(current: Versions) -> RebuildStatus:
        b = current.building or {}
        if not b:
            first = current.versions[0]
            return RebuildStatus(version=current.live, since=first["since"], log_day="",
                                 done=True, live=current.live)  # fmt: skip
        archive_day = b.get("archive_day") if b.get("phase") == "archive" else None
        return RebuildStatus(version=b["version"], since=b["since"], log_day=b["log_day"],
                             archive_day=archive_day, pages=b.get("pages", 0),
                             live=current.live)  # fmt: skip

    def run(self, message: dict[str, Any], more: Callable[[float], bool]) -> int:
        """`step(message)`, then the steps after it in this invocation while `more(seconds)`
        says the function has time for a step that may take that long (`step_seconds`).
        Through the queue alone, each step would wait out the reports queue's 30 s batching
        window (about 24 hours more for the 2,900 pages of 29 days of a shop of 1,000 cases
        a day); here the next follows at once. Each step still sends its next message, so
        an invocation that dies resumes from the queue, and the messages of the steps taken
        here find their page done and are dropped (`step`). A first step this invocation has
        no time left for (the batch's own events took it) is sent again as it is, for a
        later invocation: failing its record would hold it for the queue's visibility
        timeout (210 s). Returns the steps taken (their pages applied)."""
        taken = 0
        while True:
            current = read_versions(self.store)
            if not self._awaited(current, message):
                return taken
            if not more(self.step_seconds(current.building or {})):
                if not taken:
                    logger.info("report rebuild step sent again: no time left for it",
                                step=message)  # fmt: skip
                    self.send_step(message)
                return taken
            building = self._take(message, current)
            taken += 1
            if building is None:
                return taken
            message = {**message, "page": building["pages"]}

    def step_seconds(self, building: dict[str, Any]) -> float:
        """The seconds the next step of `building` may take at most: a step of the archive
        its query's limit and its page's writes, a step of the log RESERVE_SECONDS."""
        if building.get("phase") == "archive" and self.archive is not None:
            return self.archive.limits.seconds + APPLY_SECONDS
        return RESERVE_SECONDS

    def step(self, message: dict[str, Any]) -> bool:
        """Apply one page (of the archive, then of the log) to the version being built and
        save the cursor; send the next step while there is more. A step of a rebuild no
        longer under way, or of a page already taken (`page`: the pages done when it was
        sent), does nothing. True while more is to come."""
        current = read_versions(self.store)
        return self._awaited(current, message) and self._take(message, current) is not None

    @staticmethod
    def _awaited(current: Versions, message: dict[str, Any]) -> bool:
        """Whether `message` is the step the rebuild under way awaits: of its version, and
        of the page it is at (not a copy of a step already taken)."""
        b = current.building
        if not b or int(b["version"]) != int(message.get("version", -1)):
            return False
        return int(message.get("page", -1)) == int(b.get("pages", 0))

    def _take(self, message: dict[str, Any], current: Versions) -> dict[str, Any] | None:
        """The step `message` (awaited: `_awaited`) on `current`: its page applied, where the
        rebuild is saved (conditional on the item's revision) and the next step sent. The
        rebuild as saved, or None when it is done (the version made live) or another copy of
        this step saved first."""
        b: dict[str, Any] = current.building or {}  # never empty here: `_awaited`
        version = int(b["version"])
        building = dict(b, pages=int(b.get("pages", 0)) + 1)
        if b.get("phase") == "archive":
            if self.archive is None:
                raise Conflict("the rebuild reads the archive, and none is set up",
                               code="rebuild_busy")  # fmt: skip
            day = date.fromisoformat(b["archive_day"])
            events, after = self.archive.page(day, b.get("after"), self.archive_page)
            self._apply(version, events)
            switch = date.fromisoformat(b["log_day"])
            following: date | None = day + timedelta(days=1)
            if not events and not b.get("after"):  # an empty day: skip to the next with any
                following = self.archive.next_day(day, switch)
            if after:
                building["after"] = after
            elif following is not None and following < switch:
                building.update(archive_day=following.isoformat(), after=None)
            else:  # the archive is read up to the switch-over day: the log from it
                building.update(phase="log", archive_day=None, after=None, cursor=None)
        else:
            events, cursor = self.store.log_page(b["log_day"], self.page, b.get("cursor"))
            self._apply(version, events)
            today_utc = self.clock().date().isoformat()
            if cursor:
                building["cursor"] = cursor
            elif b["log_day"] < today_utc:
                following = date.fromisoformat(b["log_day"]) + timedelta(days=1)
                building.update(log_day=following.isoformat(), cursor=None)
            else:
                versions = [{"version": version, "since": b["since"]}, *current.versions]
                done = {"versions": versions[:8], "building": None,
                        "revision": current.revision + 1}  # fmt: skip
                if self.store.save_config(done, current.revision):
                    logger.info("report rebuild done", version=version, pages=building["pages"])
                return None
        saved = {"versions": current.versions, "building": building,
                 "revision": current.revision + 1}  # fmt: skip
        if self.store.save_config(saved, current.revision):
            self.send_step({"kind": "rebuild", "version": version, "page": building["pages"]})
            return building
        return None  # another copy of this step saved first and sent the next

    def _apply(self, version: int, events: list[dict[str, Any]]) -> None:
        """Apply a page's case events, each case's in its order, the cases' writes packed
        as the live consumer's are (its cursor skips what a case has applied already: a
        page read again applies nothing twice). Conflict `report_busy` when a case could
        not be written (the step is sent again)."""
        by_case: dict[str, list[dict[str, Any]]] = {}
        for event in filter(_projected, events):
            by_case.setdefault(event["case_id"], []).append(event)
        if not by_case:
            return
        _, failed = self.projection.project(version, by_case, from_log=False)
        if failed:
            raise Conflict("the case's report state keeps changing", code="report_busy")
