"""Case use cases: open, read, list, claim, assign, reply, note, move, edit.

Every change is one conditional write of the case plus its history entries;
a caller holding a stale version gets a Conflict carrying the fresh case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from ..domain.attachments import Attachment
from ..domain.caller import Caller
from ..domain.case_kinds import Channel, Priority
from ..domain.case_record import CaseWithHistory
from ..domain.cases import (
    REOPEN_WINDOW,
    Case,
    CaseProduct,
    EntryKind,
    HistoryEntry,
    Visibility,
    diff,
    resolution_due,
)
from ..domain.clock import to_iso, utcnow
from ..domain.customer_view import (
    CustomerCase,
    CustomerCaseView,
    CustomerPage,
    customer_case,
    customer_history,
)
from ..domain.customers import Customer
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.ids import is_case_number, new_id
from ..domain.lifecycle import ACTIVE, DONE, Status, check_move
from ..domain.notifications import Notice, notices_for_change
from ..domain.permissions import Action, Resource
from ..domain.sla import retarget
from ..domain.sla_tracking import TargetStatus, follow, target_status, with_sla
from ..observability import count_case_opened, logger
from . import case_commands as cmd
from .case_facts import policy_for
from .customers import CustomerService
from .ports import (
    AttachmentFiles,
    CaseEvents,
    CaseListQuery,
    CaseStore,
    DirectoryStore,
    Page,
    RegisteredProducts,
    Riders,
)


class CaseView(CaseWithHistory):
    """A case as shown: its history, and where each SLA target stands right now."""

    targets: list[TargetStatus] = []


class CaseService:
    def __init__(
        self,
        cases: CaseStore,
        customers: CustomerService,
        directory: DirectoryStore,
        events: CaseEvents,
        clock: Callable[[], datetime] = utcnow,
        announce: Callable[[list[Notice]], None] = lambda notices: None,
        products: RegisteredProducts | None = None,
        files: AttachmentFiles | None = None,
    ) -> None:
        self.products = products
        self.files = files
        self.cases = cases
        self.customers = customers
        self.directory = directory
        self.events = events
        self.clock = clock
        self.announce = announce

    # ---- opening -------------------------------------------------------------------------

    def open_case(self, caller: Caller, command: cmd.OpenCase, also: Riders | None = None) -> Case:
        """Phone intake: find the caller (or create them) and open the case in one write.

        `also`: writes that stand or fall with the case (a pre-case it came from)."""
        now = self.clock()
        customer_id, new_customer = self.customers.resolve_caller(command.customer, now)
        product = None
        if command.registration_id:
            if new_customer is not None:
                raise InvalidInput("a new caller has no registered products yet")
            product = self._product(customer_id, command.registration_id)
        fields = command.model_dump(include={"type", "channel", "priority", "category_id"})
        case = self._new_case(caller, customer_id, now, **fields, product=product,
                              requested_group_id=command.group_id, subject=command.subject,
                              description=command.description)  # fmt: skip
        return self._open(caller, case, new_customer, also)

    def open_own_case(self, caller: Caller, command: cmd.OpenOwnCase) -> CustomerCase:
        """The customer files from the site, about one of their registered products or not."""
        customer_id = caller.principal.own_customer_id()
        product = None
        if command.registration_id:
            product = self._product(customer_id, command.registration_id)
        fields = command.model_dump(exclude={"registration_id"})
        case = self._new_case(
            caller, customer_id, self.clock(), **fields, channel=Channel.WEB, product=product
        )
        return customer_case(self._open(caller, case, None))

    def _product(self, customer_id: str, registration_id: str) -> CaseProduct:
        if self.products is None:
            raise InvalidInput("products are not available")
        return self.products.case_product(customer_id, registration_id)

    def _new_case(self, caller: Caller, customer_id: str, now: datetime, **fields) -> Case:
        priority = fields.pop("priority", Priority.NORMAL)
        return Case(
            id=new_id("c"),
            customer_id=customer_id,
            priority=priority,
            created_by=caller.actor,
            created_at=now,
            updated_at=now,
            due_at=resolution_due(now, priority),
            **fields,
        )

    def _open(
        self, caller: Caller, case: Case, new_customer: Customer | None, also: Riders | None = None
    ) -> Case:
        now = case.created_at
        entry = self._entry(case, caller, EntryKind.CREATED, now, visibility=Visibility.PUBLIC)
        entry.reason = f"opened via {case.channel.value}"
        notices = notices_for_change(None, case, [entry], now)
        # the "received" notice is announced by the router, seconds later: opening a case
        # stays one write and one send (bench/), and the outbox sweep backs both up
        case = self.cases.create(case, entry, new_customer, notices, also)
        count_case_opened(case.channel.value, case.type.value)
        logger.info("case opened", case_id=case.id, number=case.number, channel=case.channel)
        self._hand_to_routing(case)
        return case

    def _hand_to_routing(self, case: Case) -> None:
        """A failed send is not the caller's problem: the reconciler routes unrouted cases."""
        try:
            self.events.case_opened(case.id, case.number)
        except Exception:  # noqa: BLE001 - any transport failure; the sweep recovers
            logger.exception("routing message not sent; the reconciler will route", case_id=case.id)

    # ---- reading -------------------------------------------------------------------------

    def get(self, caller: Caller, ref: str) -> CaseView | CustomerCaseView:
        visible = self.visible(caller, ref)
        attachments = [self.with_link(a) for a in visible.attachments]
        if caller.principal.is_customer:
            return CustomerCaseView(
                case=customer_case(visible.case),
                history=customer_history(visible.history),
                attachments=attachments,
            )
        return CaseView(
            case=visible.case,
            history=visible.history,
            notices=visible.notices,
            attachments=attachments,
            targets=target_status(visible.case, self.clock()),
        )

    def visible(self, caller: Caller, ref: str) -> CaseWithHistory:
        """The case by id or number, as much of it as the caller may see."""
        found = self.cases.get_by_number(ref) if is_case_number(ref) else self.cases.get(ref)
        return self._visible(caller, found)

    def with_link(self, attachment: Attachment) -> Attachment:
        if self.files is None:
            return attachment
        url = self.files.download_url(attachment.case_id, attachment.id, attachment.filename)
        return attachment.model_copy(update={"url": url})

    def _visible(self, caller: Caller, found: CaseWithHistory) -> CaseWithHistory:
        """Customers see only their own cases (others are 'not found') and only public lines."""
        principal = caller.principal
        if principal.is_customer:
            if found.case.customer_id != principal.customer_id:
                raise NotFound("no such case")
            history = [e for e in found.history if e.visibility == Visibility.PUBLIC]
            return found.model_copy(update={"history": history, "notices": []})
        if not caller.can(Resource.NOTES, Action.READ):
            history = [e for e in found.history if e.kind != EntryKind.NOTE]
            return found.model_copy(update={"history": history})
        return found

    def list(self, caller: Caller, params: cmd.ListCases) -> Page:
        query = CaseListQuery(**params.model_dump())
        if params.view in ("group", "pool") and not params.group_id:
            raise InvalidInput(f"the {params.view} view needs group_id")
        if params.view == "pool":
            query.status = Status.OPEN.value
            if "order" not in params.model_fields_set:
                query.order = "priority"
        elif params.view == "group":
            query.status = (params.status or Status.OPEN).value
        elif params.view in ("mine", "agent"):
            query.agent = caller.principal.username if params.view == "mine" else params.agent
            if not query.agent:
                raise InvalidInput("the agent view needs agent")
        elif params.view == "customer":
            if not params.customer_id:
                raise InvalidInput("the customer view needs customer_id")
            if params.order != "newest":
                raise InvalidInput("a customer's cases are listed newest first only")
        elif params.view == "overdue":
            query.before = to_iso(self.clock() + timedelta(minutes=params.within_minutes))
        return self.cases.list(query)

    def my_cases(self, caller: Caller, params: cmd.PageParams) -> CustomerPage:
        customer_id = caller.principal.customer_id
        if not customer_id:
            return CustomerPage(items=[])
        query = CaseListQuery(view="customer", customer_id=customer_id, **params.model_dump())
        page = self.cases.list(query)
        return CustomerPage(
            items=[customer_case(c) for c in page.items], next_cursor=page.next_cursor
        )

    # ---- changing ------------------------------------------------------------------------

    def claim(self, caller: Caller, case_id: str, command: cmd.Claim) -> Case:
        case = self._load_for_write(case_id, command.version)
        me = caller.principal.username
        if case.status not in (Status.OPEN, Status.REOPENED):
            raise Conflict(
                f"only open or reopened cases can be claimed; this one is {case.status.value}",
                code="not_claimable",
            )
        if case.assignee and case.assignee != me:
            raise Conflict(f"already taken by {case.assignee}", code="already_assigned")
        self._require_member(caller, case.group_id, me)
        changed = self._moved(case, Status.IN_PROGRESS, assignee=me)
        return self._save(caller, case, changed, EntryKind.ASSIGNED, "claimed from the pool")

    def assign(self, caller: Caller, case_id: str, command: cmd.Assign) -> Case:
        """Supervisors hand a case to a group (back to its pool) and/or to an agent."""
        case = self._load_for_write(case_id, command.version)
        if case.status in DONE:
            raise Conflict(f"a {case.status.value} case cannot be reassigned", code="case_done")
        group_id = case.group_id
        if "group_id" in command.model_fields_set and command.group_id != case.group_id:
            if not command.group_id:
                raise InvalidInput("a case cannot leave its group; give another group_id")
            if self.directory.get_group(command.group_id) is None:
                raise InvalidInput(f"no group {command.group_id!r}")
            group_id = command.group_id
        assignee = case.assignee if group_id == case.group_id else None
        if "assignee" in command.model_fields_set:
            assignee = command.assignee
        if assignee:
            self._require_staff_member_of(assignee, group_id)
        changed = case.model_copy(update={"group_id": group_id, "assignee": assignee})
        target = self._status_after_assignment(case.status, assignee)
        if case.status == Status.NEW and target != Status.NEW:
            changed = self._moved(changed, Status.OPEN)  # routed by hand, before the router
        if target != changed.status:
            changed = self._moved(changed, target)
        return self._save(
            caller, case, changed, EntryKind.ASSIGNED, command.reason or "assigned by supervisor"
        )

    @staticmethod
    def _status_after_assignment(status: Status, assignee: str | None) -> Status:
        if assignee and status in (Status.NEW, Status.OPEN, Status.REOPENED):
            return Status.IN_PROGRESS
        if not assignee and status in (Status.NEW, Status.IN_PROGRESS, Status.REOPENED):
            return Status.OPEN
        return status

    def reply(self, caller: Caller, case_id: str, command: cmd.Comment) -> Case | CustomerCase:
        """A public reply. From staff it is the first response. From the customer it wakes a
        case that was waiting on them, or says a resolved one is not solved (reopens it)."""
        case = self._load_for_write(case_id, command.version, caller)
        if caller.principal.is_customer:
            changed = self._after_customer_reply(case)
            saved = self._save(
                caller, case, changed, EntryKind.REPLY, None, body=command.body, public=True
            )
            return customer_case(saved)
        else:
            if case.status == Status.CLOSED:
                raise Conflict("this case is closed", code="case_closed")
            changed = case.model_copy(
                update={"first_response_at": case.first_response_at or self.clock()}
            )
        return self._save(
            caller,
            case,
            changed,
            EntryKind.REPLY,
            None,
            body=command.body,
            public=True,
            staff_replied=caller.principal.is_staff,
        )

    def _after_customer_reply(self, case: Case) -> Case:
        if case.status == Status.CLOSED:
            raise Conflict("this case is closed; open a new one", code="case_closed")
        if case.status == Status.WAITING_CUSTOMER:
            if case.assignee:
                return self._moved(case, Status.IN_PROGRESS)
            return self._back_to_pool(self._moved(case, Status.REOPENED))
        if case.status == Status.RESOLVED:
            self._check_reopen_window(case)
            reopened = self._moved(case, Status.REOPENED)
            return reopened if case.assignee else self._back_to_pool(reopened)
        return case

    def _back_to_pool(self, case: Case) -> Case:
        """A reopened case nobody owns goes back to its group's pool (open)."""
        if case.group_id:
            return self._moved(case, Status.OPEN)
        return case

    def _check_reopen_window(self, case: Case) -> None:
        resolved_at = case.resolved_at or case.updated_at
        if self.clock() - resolved_at > REOPEN_WINDOW:
            raise Conflict(
                f"resolved more than {REOPEN_WINDOW.days} days ago; open a new case",
                code="reopen_window_passed",
            )

    def settle(self, caller: Caller, case_id: str, command: cmd.Settle) -> CustomerCase:
        """The customer's word on a resolution: solved closes the case, not solved reopens it
        (within the reopen window) with their reason as a reply the agent sees."""
        case = self._load_for_write(case_id, command.version, caller)
        if case.status != Status.RESOLVED:
            raise Conflict(
                f"only a resolved case can be confirmed or reopened; this one is "
                f"{case.status.value}",
                code="not_resolved",
            )
        if not command.solved:
            return self.reply(caller, case_id, cmd.Comment(version=command.version,
                                                           body=command.comment or ""))  # fmt: skip
        closed = self._moved(case, Status.CLOSED)
        saved = self._save(caller, case, closed, EntryKind.STATUS_CHANGED,
                           "the customer confirmed the resolution", body=command.comment,
                           public=True)  # fmt: skip
        return customer_case(saved)

    def add_note(self, caller: Caller, case_id: str, command: cmd.Comment) -> Case:
        case = self._load_for_write(case_id, command.version)
        return self._save(caller, case, case, EntryKind.NOTE, None, body=command.body)

    def change_status(self, caller: Caller, case_id: str, command: cmd.ChangeStatus) -> Case:
        case = self._load_for_write(case_id, command.version)
        target = command.status
        check_move(case.status, target)
        if target == Status.IN_PROGRESS and not case.assignee:
            raise Conflict("claim or assign the case before working on it", code="unassigned")
        if target == Status.OPEN and not case.group_id:
            raise Conflict("the case has no group to return to", code="no_group")
        if target == Status.REOPENED and case.status == Status.RESOLVED:
            self._check_reopen_window(case)
        update = {"assignee": None} if target == Status.OPEN else {}
        changed = self._moved(case.model_copy(update=update), target)
        return self._save(
            caller, case, changed, EntryKind.STATUS_CHANGED, command.reason, public=True
        )

    def update(self, caller: Caller, case_id: str, command: cmd.UpdateCase) -> Case:
        case = self._load_for_write(case_id, command.version)
        fields = command.model_dump(exclude_unset=True, exclude={"version", "reason"})
        fields = {k: v for k, v in fields.items() if v is not None}
        if not fields:
            raise InvalidInput("nothing to change: give priority, category_id, type or subject")
        if case.status == Status.CLOSED:
            raise Conflict("a closed case cannot be edited", code="case_closed")
        if "category_id" in fields and self.directory.get_category(fields["category_id"]) is None:
            raise InvalidInput(f"no category {fields['category_id']!r}")
        changed = case.model_copy(update=fields)
        if "priority" in fields and case.sla is None:
            changed.due_at = resolution_due(case.created_at, changed.priority)
        if case.sla is not None and {"priority", "type", "category_id"} & set(fields):
            changed = self._reapply_sla(changed)
        return self._save(caller, case, changed, EntryKind.FIELDS_CHANGED, command.reason)

    def _reapply_sla(self, case: Case) -> Case:
        """The facts an SLA policy looks at changed: the policy that applies now takes over."""
        policy = policy_for(self.directory, self.customers, case)
        if policy is None or case.sla is None:
            return case
        return with_sla(case, retarget(case.sla, policy, case.created_at, self.clock()))

    # ---- helpers -------------------------------------------------------------------------

    def _load_for_write(self, case_id: str, version: int, caller: Caller | None = None) -> Case:
        """The case to change, if the caller may see it and holds its current version.

        Visibility is checked first: a customer must not learn, even from a conflict,
        anything about a case that is not theirs.
        """
        case = self.cases.get(case_id).case
        principal = caller.principal if caller else None
        if principal and principal.is_customer and case.customer_id != principal.customer_id:
            raise NotFound("no such case")
        if case.version != version:
            raise Conflict(
                "the case changed since you read it; here is the current one",
                details={"current_version": case.version, "case": case.model_dump(mode="json")},
                code="version_conflict",
            )
        return case

    def _moved(self, case: Case, target: Status, **update: object) -> Case:
        check_move(case.status, target)
        now = self.clock()
        changes: dict[str, object] = {"status": target, **update}
        if target == Status.RESOLVED:
            changes["resolved_at"] = now
        if target == Status.CLOSED:
            changes["closed_at"] = now
        if target in ACTIVE and case.status in DONE:
            changes["resolved_at"] = None
        return case.model_copy(update=changes)

    def _require_member(self, caller: Caller, group_id: str | None, username: str) -> None:
        if caller.can(Resource.ASSIGNMENTS, Action.EDIT):
            return
        group = self.directory.get_group(group_id) if group_id else None
        if group is None or not group.has_member(username):
            raise Forbidden("you can only claim cases of your own groups")

    def _require_staff_member_of(self, username: str, group_id: str | None) -> None:
        if self.directory.get_staff(username) is None:
            raise InvalidInput(f"no staff member {username!r}")
        group = self.directory.get_group(group_id) if group_id else None
        if group is None:
            raise InvalidInput("assign the case to a group before assigning an agent")
        if not group.has_member(username):
            raise InvalidInput(f"{username} is not a member of group {group.id}")

    def _save(
        self,
        caller: Caller,
        before: Case,
        after: Case,
        kind: EntryKind,
        reason: str | None,
        *,
        body: str | None = None,
        public: bool = False,
        staff_replied: bool = False,
    ) -> Case:
        now = self.clock()
        after = after.model_copy(update={"version": before.version + 1, "updated_at": now})
        after = follow(before, after, now, staff_replied=staff_replied)
        tracked = ["status", "assignee", "group_id", "priority", "category_id", "type", "subject"]
        entry = self._entry(
            after,
            caller,
            kind,
            now,
            visibility=Visibility.PUBLIC if public else Visibility.INTERNAL,
            body=body,
            changes=diff(before, after, tracked),
            reason=reason,
        )
        notices = notices_for_change(before, after, [entry], now)
        saved = self.cases.save(after, before.version, [entry], notices)
        self.announce(notices)
        return saved

    @staticmethod
    def _entry(case: Case, caller: Caller, kind: EntryKind, at: datetime, **fields) -> HistoryEntry:
        return HistoryEntry(
            id=new_id("h"), case_id=case.id, at=at, actor=caller.actor, kind=kind, **fields
        )
