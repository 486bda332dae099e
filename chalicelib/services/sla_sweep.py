"""The SLA sweep: every minute, act on the cases whose next SLA moment has come.

It reads only what is due (the sparse `sla_timer` index holds each case under
its next moment), so its reads do not grow with the number of open cases.
Each case is changed through domain/case_change.py (record the SLA events, or close it
automatically) and written by a conditional write: of two sweeps running at once,
one wins and the other re-reads a case with nothing left to do, so no notice
is sent twice and none is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain.case_change import AutoClose, RecordSla, change_case
from ..domain.cases import REOPEN_WINDOW, SYSTEM, Case
from ..domain.clock import to_iso, utcnow
from ..domain.errors import Conflict, DomainError, NotFound
from ..domain.lifecycle import Status
from ..domain.notifications import Notice
from ..domain.sla import choose_ladder, due_events
from ..observability import MetricUnit, emit, logger
from .case_facts import FindsCustomers, facts_of, fields_named
from .ports import CaseStore, DirectoryStore


class SlaSweep:
    def __init__(
        self,
        cases: CaseStore,
        directory: DirectoryStore,
        clock: Callable[[], datetime] = utcnow,
        announce: Callable[[list[Notice]], None] = lambda notices: None,
        customers: FindsCustomers | None = None,
    ) -> None:
        self.cases = cases
        self.directory = directory
        self.clock = clock
        self.announce = announce
        #: read for ladders with a condition on the customer's category (none: it stays unknown)
        self.customers = customers

    def run(self, limit: int = 1000) -> int:
        """Act on every due case; returns how many SLA events were recorded."""
        now = self.clock()
        ladders = self.directory.list_ladders()
        recorded = 0
        for case_id in self.cases.due_for_sla(to_iso(now), limit):
            recorded += self._process(case_id, now, ladders)
        return recorded

    def _process(self, case_id: str, now: datetime, ladders: list) -> int:
        for _attempt in range(3):
            try:
                case = self.cases.get(case_id).case
            except NotFound:
                return 0
            if case.status == Status.RESOLVED:
                return self._close_if_window_passed(case, now)
            if case.sla is None:
                return 0
            needed = fields_named(lad.conditions for lad in ladders)
            facts = facts_of(self.directory, self.customers, case, now, needed)
            ladder = choose_ladder(ladders, facts)
            sla, events = due_events(case.sla, ladder, now)
            if not events:
                return 0
            try:
                decided = change_case(case, RecordSla(sla=sla, events=events), SYSTEM, now)
            except DomainError as exc:  # the case refuses it (done meanwhile): nothing to do
                logger.info("sla events not recorded", case_id=case.id, why=exc.code)
                return 0
            try:
                self.cases.apply(decided)
            except Conflict:
                continue  # another sweep or an agent got there first; look again
            notices = decided.notices
            for event in events:
                if event.kind == "breach":  # once per clock: the write above was conditional
                    emit("SlaBreaches", MetricUnit.Count, 1, target=event.target.value)
            logger.info("sla events", case_id=case.id, events=[e.kind for e in events])
            self.announce(notices)
            return len(events)
        return 0

    def _close_if_window_passed(self, case: Case, now: datetime) -> int:
        """Resolved and not reopened within the window: closed for good (DESIGN's lifecycle),
        with the notices and events a close calls for, as any other close."""
        resolved_at = case.resolved_at or case.updated_at
        if now < resolved_at + REOPEN_WINDOW:
            return 0
        try:
            decided = change_case(case, AutoClose(), SYSTEM, now)
        except DomainError as exc:
            logger.info("case not closed automatically", case_id=case.id, why=exc.code)
            return 0
        try:
            self.cases.apply(decided)
        except Conflict:
            return 0  # reopened or closed meanwhile; the next sweep sees what it is now
        self.announce(decided.notices)
        logger.info("case closed automatically", case_id=case.id)
        return 1
