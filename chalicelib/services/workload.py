"""What a supervisor watches: each group's queue by status and breach, and who works what.

Counts are COUNT Queries on the queue and agent indexes (no items read), and one
read of the sparse `overdue` index for the breaches, so the screen costs a few
small reads per group and per agent however many cases there are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from ..domain.caller import Caller
from ..domain.cases import Case
from ..domain.clock import to_iso, utcnow
from ..domain.lifecycle import Status
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from .ports import DirectoryStore

WATCHED = (Status.OPEN, Status.IN_PROGRESS, Status.WAITING_CUSTOMER, Status.REOPENED)


class CaseCounts(Protocol):
    def count_queue(self, group_id: str, status: str) -> int: ...

    def count_active(self, username: str) -> int: ...

    def overdue(self, before: str, limit: int = 1000) -> list[Case]: ...


class GroupQueue(Model):
    group_id: str
    name: str
    counts: dict[str, int]
    overdue: int


class AgentLoad(Model):
    username: str
    name: str
    on_shift: bool
    groups: list[str]
    active: int
    overdue: int


class Workload(Model):
    at: datetime
    groups: list[GroupQueue]
    agents: list[AgentLoad]


class WorkloadService:
    def __init__(
        self, counts: CaseCounts, directory: DirectoryStore, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self.counts = counts
        self.directory = directory
        self.clock = clock

    def summary(self, caller: Caller) -> Workload:
        """The groups the caller leads (every group for those who may edit groups)."""
        now = self.clock()
        everyone = caller.can(Resource.GROUPS, Action.EDIT)
        groups = [g for g in self.directory.list_groups()
                  if everyone or caller.principal.username in g.supervisors]  # fmt: skip
        late = self.counts.overdue(to_iso(now))
        late_by_group = Counter(c.group_id for c in late)
        late_by_agent = Counter(c.assignee for c in late if c.assignee)
        members = {m for g in groups for m in (*g.members, *g.supervisors)}
        staff = {s.username: s for s in self.directory.list_staff()}
        return Workload(
            at=now,
            groups=[
                GroupQueue(
                    group_id=g.id,
                    name=g.name,
                    overdue=late_by_group[g.id],
                    counts={s.value: self.counts.count_queue(g.id, s.value) for s in WATCHED},
                )  # fmt: skip
                for g in groups
            ],
            agents=[
                AgentLoad(
                    username=u,
                    name=staff[u].name,
                    on_shift=staff[u].on_shift,
                    groups=[g.id for g in groups if u in g.members],
                    active=self.counts.count_active(u),
                    overdue=late_by_agent[u],
                )  # fmt: skip
                for u in sorted(members)
                if u in staff
            ],
        )
