"""The SLA sweep: every minute, act on the cases whose next SLA moment has come.

It reads only what is due (the sparse `sla_timer` index holds each case under
its next moment), so its reads do not grow with the number of open cases.
Each case is changed by a conditional write: of two sweeps running at once,
one wins and the other re-reads a case with nothing left to do, so no notice
is sent twice and none is skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain.cases import REOPEN_WINDOW, SYSTEM, Case, EntryKind, HistoryEntry, Visibility, diff
from ..domain.clock import to_iso, utcnow
from ..domain.errors import Conflict, NotFound
from ..domain.ids import new_id
from ..domain.lifecycle import Status
from ..domain.notifications import Notice, notices_for_sla
from ..domain.routing_rules import raise_priority
from ..domain.sla import SlaEvent, choose_ladder, due_events
from ..observability import logger
from .ports import CaseStore, DirectoryStore

_EVENT_TEXT = {
    "reminder": "{target} target is near",
    "breach": "{target} target breached",
    "escalation": "escalated to level {level}: {notify}",
}


class SlaSweep:
    def __init__(
        self,
        cases: CaseStore,
        directory: DirectoryStore,
        clock: Callable[[], datetime] = utcnow,
        announce: Callable[[list[Notice]], None] = lambda notices: None,
    ) -> None:
        self.cases = cases
        self.directory = directory
        self.clock = clock
        self.announce = announce

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
            category = self.directory.get_category(case.category_id) if case.category_id else None
            ladder = choose_ladder(ladders, case.group_id, category.path if category else [])
            sla, events = due_events(case.sla, ladder, now)
            if not events:
                return 0
            priority = case.priority
            for event in events:
                if event.raise_priority:
                    priority = raise_priority(priority, 1)
            changed = case.model_copy(
                update={"sla": sla, "priority": priority, "version": case.version + 1}
            )
            entries = [self._entry(case, changed, event, now) for event in events]
            notices = notices_for_sla(changed, events, now)
            try:
                self.cases.save(changed, case.version, entries, notices)
            except Conflict:
                continue  # another sweep or an agent got there first; look again
            logger.info("sla events", case_id=case.id, events=[e.kind for e in events])
            self.announce(notices)
            return len(events)
        return 0

    def _close_if_window_passed(self, case: Case, now: datetime) -> int:
        """Resolved and not reopened within the window: closed for good (DESIGN's lifecycle)."""
        resolved_at = case.resolved_at or case.updated_at
        if now < resolved_at + REOPEN_WINDOW:
            return 0
        closed = case.model_copy(
            update={"status": Status.CLOSED, "closed_at": now, "updated_at": now,
                    "version": case.version + 1}
        )  # fmt: skip
        entry = HistoryEntry(
            id=new_id("h"), case_id=case.id, at=now, actor=SYSTEM,
            kind=EntryKind.STATUS_CHANGED, visibility=Visibility.PUBLIC,
            changes={"status": {"from": Status.RESOLVED.value, "to": Status.CLOSED.value}},
            reason=f"closed automatically {REOPEN_WINDOW.days} days after resolution",
        )  # fmt: skip
        try:
            self.cases.save(closed, case.version, [entry])
        except Conflict:
            return 0  # reopened or closed meanwhile; the next sweep sees what it is now
        return 1

    @staticmethod
    def _entry(before: Case, after: Case, event: SlaEvent, now: datetime) -> HistoryEntry:
        reason = _EVENT_TEXT[event.kind].format(
            target=event.target.value.replace("_", " "), level=event.level, notify=event.notify
        )
        return HistoryEntry(
            id=new_id("h"),
            case_id=before.id,
            at=now,
            actor=SYSTEM,
            kind=EntryKind.SLA,
            visibility=Visibility.INTERNAL,
            reason=reason,
            changes=diff(before, after, ["priority"]) if event.raise_priority else {},
            data=event.model_dump(mode="json"),
        )
