"""Routing a new case into a group's pool, off the request path.

A group chosen at intake is kept (the agent on the phone decided); otherwise
the admins' keyword rules decide, and the default group catches the rest.
Routing is idempotent: a redelivered message for a case that already left
`new` does nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from ..domain.business_hours import BusinessCalendar
from ..domain.cases import SYSTEM, Case, EntryKind, HistoryEntry, diff, resolution_due
from ..domain.clock import to_iso, utcnow
from ..domain.directory import pick_agent
from ..domain.errors import Conflict
from ..domain.ids import new_id
from ..domain.lifecycle import Status
from ..domain.notifications import Notice, notices_for_change
from ..domain.routing_rules import RoutingDecision, RoutingInput, decide
from ..domain.sla import start_sla
from ..domain.sla_tracking import with_sla
from ..observability import logger
from .case_facts import category_path, customer_category, policy_for
from .ports import CaseEvents, CaseStore, CustomerStore, DirectoryStore
from .routing_rules import default_group_id


class NoGroupToRouteTo(Exception):
    """No intake group and no default group: retrying later may succeed once an admin sets one."""


class RoutingService:
    def __init__(
        self,
        cases: CaseStore,
        directory: DirectoryStore,
        events: CaseEvents,
        customers: CustomerStore,
        clock: Callable[[], datetime] = utcnow,
        grace: timedelta = timedelta(minutes=2),
        announce: Callable[[list[Notice]], None] = lambda notices: None,
    ) -> None:
        self.announce = announce
        self.cases = cases
        self.directory = directory
        self.events = events
        self.customers = customers
        self.clock = clock
        self.grace = grace

    def route(self, case_id: str) -> Case:
        for _attempt in range(3):
            found = self.cases.get(case_id)
            case = found.case
            if case.status != Status.NEW:
                return case
            decision = self.decide(case)
            now = self.clock()
            update: dict = {
                "status": Status.OPEN,
                "group_id": decision.group_id,
                "priority": decision.priority,
                "version": case.version + 1,
                "updated_at": now,
            }
            if decision.set_category_id and not case.category_id:
                update["category_id"] = decision.set_category_id
            if decision.priority != case.priority:
                update["due_at"] = resolution_due(case.created_at, decision.priority)
            routed = self._start_sla(case.model_copy(update=update))
            agent = self._auto_assignee(routed.group_id)
            if agent:
                routed = routed.model_copy(update={"assignee": agent, "status": Status.IN_PROGRESS})
            entry = HistoryEntry(
                id=new_id("h"),
                case_id=case.id,
                at=now,
                actor=SYSTEM,
                kind=EntryKind.ROUTED,
                changes=diff(
                    case, routed, ["status", "group_id", "priority", "category_id", "due_at"]
                ),
                reason=decision.reason,
                data={
                    "rule_id": decision.rule_id,
                    "matched": decision.matched,
                    "sla_policy": routed.sla.policy_name if routed.sla else None,
                },
            )
            entries = [entry]
            if agent:
                entries.append(
                    HistoryEntry(
                        id=new_id("h"), case_id=case.id, at=now, actor=SYSTEM,
                        kind=EntryKind.ASSIGNED,
                        changes={"assignee": {"from": None, "to": agent},
                                 "status": {"from": "open", "to": "in_progress"}},
                        reason="assigned automatically",
                    )
                )  # fmt: skip
            notices = notices_for_change(case, routed, entries, now)
            try:
                saved = self.cases.save(routed, case.version, entries, notices)
            except Conflict:
                continue  # someone else moved it; look again
            if agent and saved.group_id:
                self.directory.note_assignment(saved.group_id, agent)
            waiting = [n for n in found.notices if n.status == "pending"]  # e.g. "received"
            self.announce(waiting + notices)
            logger.info(
                "case routed", case_id=case.id, group_id=decision.group_id, reason=decision.reason
            )
            return saved
        raise Conflict(f"case {case_id} kept changing while routing")

    def _auto_assignee(self, group_id: str | None) -> str | None:
        group = self.directory.get_group(group_id) if group_id else None
        if group is None or group.auto_assign is None:
            return None
        staff = {member.username: member for member in self.directory.list_staff()}
        counts = None
        if group.auto_assign == "fewest_open":
            counts = {m: self.cases.count_active(m) for m in group.members if m in staff}
        return pick_agent(group, staff, counts)

    def _start_sla(self, case: Case) -> Case:
        """Targets start when the customer filed the case, in the calendar of its group."""
        policy = policy_for(self.directory, self.customers, case)
        if policy is None:
            return case
        group = self.directory.get_group(case.group_id) if case.group_id else None
        calendar_id = group.calendar_id if group and group.calendar_id else "default"
        calendar = self.directory.get_calendar(calendar_id) or BusinessCalendar()
        return with_sla(case, start_sla(policy, calendar, case.created_at))

    def decide(self, case: Case) -> RoutingDecision:
        if case.requested_group_id and self.directory.get_group(case.requested_group_id):
            return RoutingDecision(
                group_id=case.requested_group_id,
                priority=case.priority,
                reason="group chosen at intake",
            )
        default = default_group_id(self.directory)
        if default is None:
            raise NoGroupToRouteTo("no default group is set")
        routing_input = RoutingInput(
            text=f"{case.subject}\n{case.description}",
            case_type=case.type,
            category_path=category_path(self.directory, case),
            product_group=case.product.product_group if case.product else None,
            customer_category=customer_category(self.customers, case),
            priority=case.priority,
        )
        return decide(self.directory.list_rules(), routing_input, default)

    def reconcile(self, limit: int = 100) -> int:
        """Re-send routing for cases still `new` past the grace period (their message was lost)."""
        before = to_iso(self.clock() - self.grace)
        stuck = self.cases.due_for_routing(before, limit)
        for case_id, number in stuck:
            logger.warning("re-sending routing for a stuck case", case_id=case_id)
            self.events.case_opened(case_id, number)
        return len(stuck)
