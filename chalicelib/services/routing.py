"""Routing a new case into a group's pool, off the request path.

Keyword rules arrive with the routing issue; until then a case goes to the
group chosen at intake, else to the default group. Routing is idempotent: a
redelivered message for a case that already left `new` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from ..domain.cases import SYSTEM, Case, EntryKind, HistoryEntry
from ..domain.clock import to_iso, utcnow
from ..domain.errors import Conflict
from ..domain.ids import new_id
from ..domain.lifecycle import Status, check_move
from ..observability import logger
from .ports import CaseEvents, CaseStore, DirectoryStore


class NoGroupToRouteTo(Exception):
    """No intake group and no default group: retrying later may succeed once an admin sets one."""


class RoutingService:
    def __init__(
        self,
        cases: CaseStore,
        directory: DirectoryStore,
        events: CaseEvents,
        clock: Callable[[], datetime] = utcnow,
        grace: timedelta = timedelta(minutes=2),
    ) -> None:
        self.cases = cases
        self.directory = directory
        self.events = events
        self.clock = clock
        self.grace = grace

    def route(self, case_id: str) -> Case:
        for _attempt in range(3):
            case = self.cases.get(case_id).case
            if case.status != Status.NEW:
                return case
            group_id, reason = self._choose_group(case)
            check_move(case.status, Status.OPEN)
            now = self.clock()
            routed = case.model_copy(
                update={
                    "status": Status.OPEN,
                    "group_id": group_id,
                    "version": case.version + 1,
                    "updated_at": now,
                }
            )
            entry = HistoryEntry(
                id=new_id("h"),
                case_id=case.id,
                at=now,
                actor=SYSTEM,
                kind=EntryKind.ROUTED,
                changes={
                    "status": {"from": case.status.value, "to": Status.OPEN.value},
                    "group_id": {"from": None, "to": group_id},
                },
                reason=reason,
            )
            try:
                saved = self.cases.save(routed, case.version, [entry])
            except Conflict:
                continue  # someone else moved it; look again
            logger.info("case routed", case_id=case.id, group_id=group_id, reason=reason)
            return saved
        raise Conflict(f"case {case_id} kept changing while routing")

    def _choose_group(self, case: Case) -> tuple[str, str]:
        if case.requested_group_id and self.directory.get_group(case.requested_group_id):
            return case.requested_group_id, "group chosen at intake"
        for group in self.directory.list_groups():
            if group.is_default:
                return group.id, "default group (no rule matched)"
        raise NoGroupToRouteTo("no default group is set")

    def reconcile(self, limit: int = 100) -> int:
        """Re-send routing for cases still `new` past the grace period (their message was lost)."""
        before = to_iso(self.clock() - self.grace)
        stuck = self.cases.due_for_routing(before, limit)
        for case_id, number in stuck:
            logger.warning("re-sending routing for a stuck case", case_id=case_id)
            self.events.case_opened(case_id, number)
        return len(stuck)
