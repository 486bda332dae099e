"""The standard reports' projection, fed by the case events (the `reports` queue), and its
rebuild from the stored events.

The walk of one event: the stream puts it on the events bus; the `reports` queue's rule
takes every `destek.case.*` event; `ReportProjection.handle` reads the case's report state
(one GetItem) in each version written now (the live one, the one being rebuilt, if any,
and the one reports read the event's day by, if older: `Versions.written`). An event at or
before the state's cursor was applied already and changes nothing (delivery is at least
once). Otherwise the case's stored events after the cursor up to
this one, and the rest of its commit (the events the same case change wrote with it, in
its transaction: one write for them all, and their own deliveries find them applied), are
read (one Query of its partition: an event that arrived before an earlier one of its case
applies that one first, in order) and applied (domain/report_projection.py),
the case read once when an event needs it (its opening older than the projection, a first
response, a resolution: one GetItem; an opening reads the customer's category); then the
state at its next revision and every counter's `ADD` are written in one TransactWriteItems
conditional on the revision read (store/reports.py). A write that lost the race to another
copy reads again (3 times, then the message returns to the queue).

The rebuild (`ReportRebuild`) applies the stored events, a page at a time, into a fresh
version and, when it reaches today, makes that version the one reports read for the days
it covers; each case's cursor keeps every event applied once in it. Days older than the
event log (30 days) are read from the open data store's archive (services/report_archive.py:
Athena in AWS, DuckDB locally) up to a switch-over UTC day a week back, the log from that
day on: the archive holds the events that occurred before it, the log those at or after it,
so none is read twice or missed (docs/reports.md, Rebuild). The live consumer writes to the
version being built once it reads the log (while it reads the archive, the events
happening now are in the log, read later).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from ..domain.case_events import SCHEMA_VERSION
from ..domain.clock import ISTANBUL, to_iso, utcnow
from ..domain.errors import Conflict, InvalidInput
from ..domain.model import Model
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
#: a transaction's items at most (DynamoDB's limit)
MAX_ITEMS = 100


class ReportProjectionStore(Protocol):
    def config(self) -> dict[str, Any] | None: ...
    def save_config(self, config: dict[str, Any], expected_revision: int | None) -> bool: ...
    def state(self, version: int, case_id: str) -> ReportState | None: ...
    def events_after(self, case_id: str, cursor: str, upto: str) -> list[dict[str, Any]]: ...
    def write(self, version: int, state: ReportState, expected_revision: int,
              increments: Increments, breaches: list[dict[str, Any]]) -> bool: ...  # fmt: skip
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


def read_versions(store: ReportProjectionStore) -> Versions:
    item = store.config()
    if not item:
        return Versions(versions=[dict(FIRST)])
    return Versions(versions=item["versions"], building=item.get("building"),
                    revision=int(item.get("revision", 0)))  # fmt: skip


class ReportProjection:
    """Applies case events to the report counters (see the module's text)."""

    def __init__(self, store: ReportProjectionStore) -> None:
        self.store = store

    def handle(self, event: dict[str, Any]) -> int:
        """Apply one event from the bus (and the case's earlier ones not applied yet) to
        every version written now; how many events were applied in all."""
        if not is_case_event(event) or int(event.get("schema_version", 1)) > SCHEMA_VERSION:
            return 0
        versions = read_versions(self.store).written(report_day(event["occurred_at"]))
        return sum(self.catch_up(v, event) for v in versions)

    def catch_up(self, version: int, event: dict[str, Any]) -> int:
        """Apply the event, the case's earlier ones not applied yet and the later ones of its
        commit (same `sequence`: written in one transaction, all stored by now) in one write;
        how many were applied (0: applied already)."""
        case_id, key = event["case_id"], event_key(event)
        commit_end = f"{int(event['sequence']):08d}#99"  # the last index of its commit
        for _ in range(3):
            state = self.store.state(version, case_id)
            if state is not None and state.cursor >= key:
                return 0
            events = self.store.events_after(case_id, state.cursor if state else "", commit_end)
            if not any(e.get("id") == event["id"] for e in events):
                events.append(event)  # its item is gone (TTL) or not readable yet
            applied = self.apply_events(version, case_id, state, events)
            if applied is not None:
                return applied
        raise Conflict("the case's report state keeps changing", code="report_busy")

    def apply_events(
        self, version: int, case_id: str, state: ReportState | None, events: list[dict[str, Any]]
    ) -> int | None:
        """Apply the events (one case's, any order) after its state; the number applied, or
        None when the state moved meanwhile (nothing of this call's last write written)."""
        expected = state.revision if state is not None else 0
        current, pending, breaches, applied, unwritten = state, Increments(), [], 0, False
        for event in sorted(events, key=event_key):
            facts = self._facts(current, event)
            after, increments = apply(current, event, facts)
            if after is None or after is current:
                continue
            found = new_breaches(current, after, event)
            trial = pending.model_copy(deep=True)
            trial.add(increments)
            size = len(trial.days) + len(trial.levels) + len(breaches) + len(found) + 1
            if size > MAX_ITEMS and current is not None and unwritten:
                if not self.store.write(version, current, expected, pending, breaches):
                    return None
                expected, pending, breaches = current.revision, Increments(), []
                trial = increments
            pending, current, unwritten = trial, after, True
            breaches.extend(found)
            applied += 1
        written = not unwritten or current is None
        if not written and not self.store.write(version, current, expected, pending, breaches):
            return None
        return applied

    def _facts(self, state: ReportState | None, event: dict[str, Any]) -> CaseFacts | None:
        if event["type"] == "destek.case.opened":
            if state is not None:
                return None
            category = self.store.customer_category(event["data"]["customer_id"])
            at = datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00"))
            return CaseFacts(opened_at=at, values={}, status="new", customer_category=category)
        if not needs_case(state, event):
            return None
        from ..domain.cases import Case

        item = self.store.case_item(event["case_id"])
        if item is None:
            return None
        case = Case.model_validate(item)
        category = state.values.get("customer_category") if state is not None else (
            self.store.customer_category(case.customer_id))  # fmt: skip
        return facts_from_case(case, category)


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
    sends the next, until the log's today is read; then the version is live.

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

    def step(self, message: dict[str, Any]) -> bool:
        """Apply one page (of the archive, then of the log) to the version being built and
        save the cursor; send the next step while there is more. A step of a rebuild no
        longer under way, or of a page already taken (`page`: the pages done when it was
        sent), does nothing. True while more is to come."""
        current = read_versions(self.store)
        b = current.building
        if not b or int(b["version"]) != int(message.get("version", -1)):
            return False
        if int(message.get("page", -1)) != int(b.get("pages", 0)):
            return False  # a copy of a step already taken
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
                return False
        saved = {"versions": current.versions, "building": building,
                 "revision": current.revision + 1}  # fmt: skip
        if self.store.save_config(saved, current.revision):
            self.send_step({"kind": "rebuild", "version": version, "page": building["pages"]})
            return True
        return False  # another copy of this step saved first and sent the next

    def _apply(self, version: int, events: list[dict[str, Any]]) -> None:
        """Apply a page's case events, each case's in its order (its cursor skips what it
        has applied already: a page read again applies nothing twice)."""
        by_case: dict[str, list[dict[str, Any]]] = {}
        for event in events:
            if is_case_event(event) and int(event.get("schema_version", 1)) <= SCHEMA_VERSION:
                by_case.setdefault(event["case_id"], []).append(event)
        for case_id, own in by_case.items():
            for _ in range(3):
                state = self.store.state(version, case_id)
                if self.projection.apply_events(version, case_id, state, own) is not None:
                    break
            else:
                raise Conflict("the case's report state keeps changing", code="report_busy")
