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
from ..domain.case_change import CaseChange, Route, change_case
from ..domain.cases import SYSTEM, Case, ReasonCode, RoutingSuggestion
from ..domain.clock import to_iso, utcnow
from ..domain.directory import pick_agent
from ..domain.errors import Conflict
from ..domain.lifecycle import Status
from ..domain.notifications import Notice
from ..domain.routing_classifier import with_classifier
from ..domain.routing_corrections import case_text
from ..domain.routing_rules import RoutingDecision, decide
from ..domain.sla import CaseSla, start_sla
from ..domain.staff_notices import arrival_outcome
from ..observability import MetricUnit, emit, logger, milliseconds
from .case_facts import facts_of, fields_named, policy_for
from .ports import ArrivalStore, CaseEvents, CaseStore, CustomerStore, DirectoryStore
from .routing_learning import RoutingLearning
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
        learning: RoutingLearning | None = None,
        arrivals: ArrivalStore | None = None,
    ) -> None:
        #: where arrivals of digest groups are filed (None: the notifier settles them)
        self.arrivals = arrivals
        self.learning = learning
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
            facts = {"group_id": decision.group_id, "priority": decision.priority}
            if decision.set_category_id and not case.category_id:
                facts["category_id"] = decision.set_category_id
            # the SLA policy and the round robin look at the case as routed
            routed = case.model_copy(update=facts)
            command = Route(
                group_id=decision.group_id,
                priority=decision.priority,
                reason_code=ReasonCode(decision.reason_code),
                set_category_id=decision.set_category_id,
                rule_id=decision.rule_id,
                rule_name=decision.rule_name,
                matched=decision.matched,
                suggestion=RoutingSuggestion(
                    group_id=decision.suggested_group_id, confidence=decision.suggested_confidence
                )
                if decision.suggested_group_id and decision.suggested_confidence is not None
                else None,
                sla=self._start_sla(routed),
                assignee=self._auto_assignee(routed.group_id),
            )
            routed_at = self.clock()
            decided = self._settle_arrivals(change_case(case, command, SYSTEM, routed_at),
                                            routed_at)  # fmt: skip
            try:
                saved = self.cases.apply(decided)
            except Conflict:
                continue  # someone else moved it; look again
            # from the customer's filing to a group's pool: the queue's wait and the
            # reconciler's grace included (ops' dashboard and RoutingSlowAlarm)
            emit("RoutingLatency", MetricUnit.Milliseconds,
                 milliseconds(case.created_at, routed_at))  # fmt: skip
            if command.assignee and saved.group_id:
                self.directory.note_assignment(saved.group_id, command.assignee)
            waiting = [n for n in found.notices if n.status == "pending"]  # e.g. "received"
            self.announce(waiting + [n for n in decided.notices if n.awaiting])
            logger.info(
                "case routed", case_id=case.id, group_id=decision.group_id,
                reason=decision.reason_code, rule_id=decision.rule_id,
            )  # fmt: skip
            return saved
        raise Conflict(f"case {case_id} kept changing while routing")

    def _settle_arrivals(self, decided: CaseChange, now: datetime) -> CaseChange:
        """The group's arrival notice settled here when the group does not want it mailed
        (domain/staff_notices.py `arrival_outcome`: filed for its digest, or not mailed):
        the notice is written `skipped` with its note, as the notifier would have kept it,
        and never queued. The notifier's way cost the notice's outbox entry, its claim, its
        outcome and a queue message (7 write units and an invocation a case; issue 21).

        The arrival is filed first, with its own unconditional put (idempotent: the same
        item again): should the routing's write then fail, the digest checks each case
        against its group before listing it, so an arrival of a case not routed there is
        left out."""
        if self.arrivals is None or not decided.case.group_id:
            return decided
        group = self.directory.get_group(decided.case.group_id)
        notices = []
        for notice in decided.notices:
            outcome = arrival_outcome(notice, decided.case, group, now, digests=True)
            if outcome is None:
                notices.append(notice)
                continue
            if outcome.arrival and outcome.window:
                self.arrivals.add(decided.case.group_id, outcome.window, outcome.arrival)
            notices.append(notice.model_copy(update={"status": "skipped", "note": outcome.note}))
        return decided.model_copy(update={"notices": notices})

    def _auto_assignee(self, group_id: str | None) -> str | None:
        group = self.directory.get_group(group_id) if group_id else None
        if group is None or group.auto_assign is None:
            return None
        staff = {member.username: member for member in self.directory.list_staff()}
        counts = None
        if group.auto_assign == "fewest_open":
            counts = {m: self.cases.count_active(m) for m in group.members if m in staff}
        return pick_agent(group, staff, counts)

    def _start_sla(self, case: Case) -> CaseSla | None:
        """Targets start when the customer filed the case, in the calendar of its group."""
        policy = policy_for(self.directory, self.customers, case, self.clock())
        if policy is None:
            return None
        group = self.directory.get_group(case.group_id) if case.group_id else None
        calendar_id = group.calendar_id if group and group.calendar_id else "default"
        calendar = self.directory.get_calendar(calendar_id) or BusinessCalendar()
        return start_sla(policy, calendar, case.created_at)

    def decide(self, case: Case) -> RoutingDecision:
        if case.requested_group_id and self.directory.get_group(case.requested_group_id):
            return RoutingDecision(
                group_id=case.requested_group_id,
                priority=case.priority,
                reason_code="group_chosen_at_intake",
            )
        default = default_group_id(self.directory)
        if default is None:
            raise NoGroupToRouteTo("no default group is set")
        rules = self.directory.list_rules()
        needed = fields_named(r.conditions for r in rules if r.enabled)
        facts = facts_of(self.directory, self.customers, case, self.clock(), needed)
        decision = decide(rules, facts, default)
        return self._with_classifier(decision, case)

    def _with_classifier(self, decision: RoutingDecision, case: Case) -> RoutingDecision:
        """The learned classifier's word on the rules' decision (domain/routing_classifier.py
        `with_classifier`): a suggestion, or the group when the admin turned it on and no
        rule matched. A group the directory no longer has is never suggested."""
        if self.learning is None or decision.reason_code == "group_chosen_at_intake":
            return decision
        prediction = self.learning.predict(case_text(case))
        if prediction is None or prediction.group_id == decision.group_id:
            return decision  # nothing to say: no settings read
        if self.directory.get_group(prediction.group_id) is None:
            return decision
        return with_classifier(decision, prediction, self.learning.settings())

    def reconcile(self, limit: int = 100) -> int:
        """Re-send routing for cases still `new` past the grace period (their message was lost)."""
        before = to_iso(self.clock() - self.grace)
        stuck = self.cases.due_for_routing(before, limit)
        for case_id, number in stuck:
            logger.warning("re-sending routing for a stuck case", case_id=case_id)
            self.events.case_opened(case_id, number)
        return len(stuck)
