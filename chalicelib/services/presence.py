"""Presence on a case (docs/views-and-presence.md): mark the caller as viewing or replying,
and answer who else is there with the case's current version."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..domain.caller import Caller
from ..domain.clock import utcnow
from ..domain.presence import PresenceAnswer, PresenceInput, present


class PresenceService:
    def __init__(self, store: Any, cases: Any, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.cases = cases
        self.clock = clock

    def mark(self, caller: Caller, case_id: str, body: PresenceInput) -> PresenceAnswer:
        """Put the caller's mark (the same item each time: retrying is harmless), then read
        the case item and the marks: a GetItem, a PutItem and a Query per poll, whatever the
        number of cases or of history lines. 404 for no case; 403 outside the caller's
        groups (read access: who may see a case may be seen on it)."""
        case = self.cases.head(case_id)
        caller.require_case(case.group_id, case.assignee, change=False,
                            opened_by=case.staff_opener)  # fmt: skip
        now = self.clock()
        me = caller.principal.username
        self.store.mark(case.id, me, body.mode, now)
        return PresenceAnswer(case_id=case.id, version=case.version, status=case.status.value,
                              others=present(self.store.marks(case.id), me, now))  # fmt: skip

    def leave(self, caller: Caller, case_id: str) -> None:
        """The caller left the case screen: their mark goes at once (else it fades in 60 s)."""
        self.store.leave(case_id, caller.principal.username)
