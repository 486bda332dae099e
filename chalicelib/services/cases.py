"""Case use cases: open, read, list, claim, assign, reply, note, move, edit.

Every change is decided by domain/case_change.py (`change_case`) and written as one
conditional write of the case with its history, notices and events; a caller holding a
stale version gets a Conflict carrying the fresh case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Literal

from ..domain import case_change as change
from ..domain.attachments import (
    MAX_PER_CASE,
    PREVIEWABLE_TYPES,
    Attachment,
    customer_files,
    message_files,
    safe_filename,
)
from ..domain.caller import Caller
from ..domain.case_change import OpenCase as OpenCommand
from ..domain.case_change import change_case, newly_counted
from ..domain.case_kinds import Channel, Priority
from ..domain.case_people import checked_cc, checked_followers
from ..domain.case_record import CaseWithHistory
from ..domain.cases import (
    Actor,
    Case,
    CaseProduct,
    EntryKind,
    HistoryEntry,
    ReasonCode,
    Visibility,
    resolution_due,
    version_conflict,
)
from ..domain.clock import to_iso, utcnow
from ..domain.custom_fields import (
    CaseField,
    PublicField,
    check_value,
    check_values,
    public_values,
    required_at_resolve,
    with_values,
)
from ..domain.customer_view import (
    CustomerCase,
    CustomerCaseView,
    CustomerPage,
    customer_case,
    customer_history,
)
from ..domain.customers import Customer
from ..domain.errors import Conflict, DomainError, InvalidInput, NotFound
from ..domain.ids import is_case_number, new_id
from ..domain.lifecycle import DONE, Status
from ..domain.listing import CaseRowPage, rows_for
from ..domain.model import Model
from ..domain.notifications import Notice
from ..domain.permissions import Action, Resource
from ..domain.sla import CaseSla, retarget
from ..domain.sla_tracking import TargetStatus, target_status
from ..domain.tags import MAX_TAGS, normalise
from ..observability import count_case_opened, logger
from . import case_commands as cmd
from .case_facts import policy_for
from .customers import CustomerService
from .ports import (
    ArticleStore,
    AttachmentFiles,
    CaseEvents,
    CaseFieldDefinitions,
    CaseListQuery,
    CaseStore,
    CustomerOrders,
    DirectoryStore,
    RegisteredProducts,
    Riders,
    TagSuggestions,
)
from .routing_learning import RoutingLearning


class SeenVersion(Model):
    """What the caller is now recorded as having seen."""

    case_id: str
    version: int


class CaseView(CaseWithHistory):
    """A case as shown: its history, and where each SLA target stands right now."""

    targets: list[TargetStatus] = []


class TagCount(Model):
    """A tag in use and how many cases carry it now."""

    tag: str
    cases: int


class Tagged(Model):
    """One case of a bulk tagging: `applied` with the case at its new version, or `refused`
    with the error it would have answered alone (`code`, `message`)."""

    case_id: str
    status: Literal["applied", "refused"]
    case: Case | None = None
    error: dict[str, str] | None = None


class BulkTagged(Model):
    results: list[Tagged]


def _with_riders(also: Riders | None, more: list[tuple[dict, Exception]]) -> Riders:
    """`also` (writes given the numbered case) with `more` beside them."""
    return lambda case: [*(also(case) if also else []), *more]


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
        articles: ArticleStore | None = None,
        orders: CustomerOrders | None = None,
        case_fields: CaseFieldDefinitions | None = None,
        tags: TagSuggestions | None = None,
        learning: RoutingLearning | None = None,
    ) -> None:
        self.learning = learning
        self.case_fields = case_fields
        self.tag_store = tags
        self.orders = orders
        self.articles = articles
        self.products = products
        self.files = files
        self.cases = cases
        self.customers = customers
        self.directory = directory
        self.events = events
        self.clock = clock
        self.announce = announce

    # ---- opening -------------------------------------------------------------------------

    def open_case(
        self,
        caller: Caller,
        command: cmd.OpenCase,
        also: Riders | None = None,
        *,
        carried: Callable[[Case], list[HistoryEntry]] | None = None,
        precase_id: str | None = None,
    ) -> Case:
        """Phone intake: find the caller (or create them) and open the case in one write.

        `also`: writes that stand or fall with the case (a pre-case it came from);
        `carried(case)`: history lines written with the opening (the pre-case's later
        mails); `precase_id`: the pre-case it converts (its event says so)."""
        now = self.clock()
        customer_id, new_customer = self.customers.resolve_caller(command.customer, now)
        product = None
        if command.registration_id:
            if new_customer is not None:
                raise InvalidInput("a new caller has no registered products yet")
            product = self._product(customer_id, command.registration_id)
        fields = command.model_dump(include={"type", "channel", "priority", "category_id"})
        values = {}
        if command.custom_fields:
            values = with_values({}, check_values(self._definitions(), command.type,
                                                  command.custom_fields))  # fmt: skip
        case = self._new_case(caller, customer_id, now, **fields, product=product,
                              requested_group_id=command.group_id, subject=command.subject,
                              description=command.description, tags=sorted(command.tags),
                              custom_fields=values)  # fmt: skip
        if len(case.tags) > MAX_TAGS:
            raise InvalidInput(f"a case holds at most {MAX_TAGS} tags", code="too_many_tags")
        opening = OpenCommand(precase_id=precase_id, carried=carried(case) if carried else [])
        if case.tags and self.tag_store is not None:
            also = _with_riders(also, self.tag_store.riders([], case.tags))
        return self._open(caller, case, new_customer, also, opening)

    def open_own_case(self, caller: Caller, command: cmd.OpenOwnCase) -> CustomerCase:
        """The customer files from the site, about one of their registered products or orders
        (a shipment of it) or not."""
        customer_id = caller.principal.own_customer_id()
        product = None
        if command.registration_id:
            product = self._product(customer_id, command.registration_id)
        order = None
        if command.order_id:
            if self.orders is None:
                raise InvalidInput("orders are not available")
            order = self.orders.case_order(customer_id, command.order_id, command.shipment_id)
        fields = command.model_dump(exclude={"registration_id", "order_id", "shipment_id"})
        case = self._new_case(caller, customer_id, self.clock(), **fields, channel=Channel.WEB,
                              product=product, order=order)  # fmt: skip
        return customer_case(self._open(caller, case, None))

    def open_by_destek(self, case: Case, carried: list[HistoryEntry] | None = None) -> Case:
        """A case destek itself files (a late delivery: services/late_deliveries.py; the
        assistant's hand-off: services/assistant_handoff.py), built by the caller with
        `created_by` SYSTEM; opened and routed like any other. `carried`: history lines
        written with the opening (the assistant's conversation, as an internal note)."""
        opening = OpenCommand(carried=carried or [])
        opened = self.cases.create(change_case(case, opening, case.created_by,
                                               case.created_at)).case  # fmt: skip
        count_case_opened(opened.channel.value, opened.type.value)
        logger.info("case opened by destek", case_id=opened.id, number=opened.number)
        self._hand_to_routing(opened)
        return opened

    def exists(self, case_id: str) -> bool:
        return self.opened(case_id) is not None

    def opened(self, case_id: str) -> Case | None:
        """The case of this id, if it was opened (a retried hand-off finds its first)."""
        try:
            return self.cases.get(case_id).case
        except NotFound:
            return None

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
        self,
        caller: Caller,
        case: Case,
        new_customer: Customer | None,
        also: Riders | None = None,
        opening: OpenCommand | None = None,
    ) -> Case:
        """`opening`: what the opening carries (the pre-case it converts, its later mails)."""
        change = change_case(case, opening or OpenCommand(), caller.actor, case.created_at)
        # the "received" notice is announced by the router, seconds later: opening a case
        # stays one write and one send (bench/), and the outbox sweep backs both up
        case = self.cases.create(change, new_customer, also).case
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
        shown = visible.attachments
        if caller.principal.is_customer:
            shown = customer_files(shown)
        attachments = [self.with_link(a) for a in shown]
        if caller.principal.is_customer:
            return CustomerCaseView(
                case=customer_case(visible.case),
                history=customer_history(visible.history),
                attachments=attachments,
                fields=self.public_fields(visible.case),
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
        update = {"url": url}
        if attachment.content_type in PREVIEWABLE_TYPES:
            update["preview_url"] = self.files.preview_url(
                attachment.case_id, attachment.id, attachment.filename, attachment.content_type
            )
        return attachment.model_copy(update=update)

    def _visible(self, caller: Caller, found: CaseWithHistory) -> CaseWithHistory:
        """Customers see only their own cases (others are 'not found') and only public lines."""
        principal = caller.principal
        if principal.is_customer:
            if found.case.customer_id != principal.customer_id:
                raise NotFound("no such case")
            history = [e for e in found.history if e.visibility == Visibility.PUBLIC]
            return found.model_copy(update={"history": history, "notices": []})
        caller.require_case(found.case.group_id, found.case.assignee, change=False,
                            opened_by=found.case.staff_opener)  # fmt: skip
        if not caller.can(Resource.NOTES, Action.READ):
            history = [e for e in found.history if e.kind != EntryKind.NOTE]
            return found.model_copy(update={"history": history})
        return found

    def list(self, caller: Caller, params: cmd.ListCases) -> CaseRowPage:
        """One page of a view. A role that reads only its own groups' cases is refused a
        foreign group's queue, and sees only its groups' cases in the other views."""
        page = self._list(caller, params)
        if caller.case_access.read == "all" or not caller.principal.is_staff:
            return page
        mine = [c for c in page.items if caller.reaches_case(c.group_id, c.assignee, change=False)]
        return page.model_copy(update={"items": mine})

    def _list(self, caller: Caller, params: cmd.ListCases) -> CaseRowPage:
        query = CaseListQuery(**params.model_dump(exclude={"tag", "field", "value"}))
        if params.tag is not None:
            query.tag = normalise(params.tag)
        if params.field is not None:
            query.field_key, query.field_value = params.field, self._filter_value(params)
        if params.view in ("group", "pool") and not params.group_id:
            raise InvalidInput(f"the {params.view} view needs group_id")
        if params.view in ("group", "pool"):
            caller.require_case(params.group_id, None, change=False)
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
        return rows_for(self.cases.list(query), caller.principal.username)

    def _filter_value(self, params: cmd.ListCases) -> str | int | float | bool:
        return self.filter_value(params.field or "", params.value or "")

    def filter_value(self, key: str, typed: str) -> str | int | float | bool:
        """A list filter's value, typed as text, as its field stores it (a number, a boolean,
        a date); InvalidInput `unknown_field` or `invalid_custom_fields`."""
        field = self._definitions().get(key)
        if field is None:
            raise InvalidInput("no such custom field", code="unknown_field",
                               details={"field": key})  # fmt: skip
        raw: object = typed
        if field.kind == "number":
            try:
                raw = float(typed)
            except ValueError:
                raw = typed
        elif field.kind == "checkbox":
            raw = {"true": True, "false": False}.get(typed, typed)
        stored, error = check_value(field, raw)
        if error:
            raise InvalidInput("the filter's value does not fit the field",
                               code="invalid_custom_fields",
                               details={"errors": [error]})  # fmt: skip
        return stored

    def mark_seen(self, caller: Caller, case_id: str, command: cmd.Seen) -> SeenVersion:
        """The agent opened the case at this version: its unread mark clears for them, on every
        device (the mark lives on the case, not in the browser)."""
        self.cases.mark_seen(case_id, caller.principal.username, command.version)
        return SeenVersion(case_id=case_id, version=command.version)

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
        case = self._load_for_write(case_id, command.version, caller)
        may_assign = caller.can(Resource.ASSIGNMENTS, Action.EDIT)
        claim = change.Claim(groups=caller.groups, may_assign=may_assign)
        return self._change(caller, case, claim)

    def assign(self, caller: Caller, case_id: str, command: cmd.Assign) -> Case:
        """Supervisors hand a case to a group (back to its pool) and/or to an agent."""
        case = self._load_for_write(case_id, command.version, caller)
        if case.status in DONE:
            raise Conflict(f"a {case.status.value} case cannot be reassigned", code="case_done")
        group_id = case.group_id
        if "group_id" in command.model_fields_set and command.group_id != case.group_id:
            if not command.group_id:
                raise InvalidInput("a case cannot leave its group; give another group_id")
            if self.directory.get_group(command.group_id) is None:
                raise InvalidInput(f"no group {command.group_id!r}", code="unknown_group")
            group_id = command.group_id
        assignee = case.assignee if group_id == case.group_id else None
        if "assignee" in command.model_fields_set:
            assignee = command.assignee
        if assignee:
            self._require_staff_member_of(assignee, group_id)
        assign = change.Assign(group_id=group_id, assignee=assignee, reason=command.reason)
        return self._change(caller, case, assign)

    def reply(
        self,
        caller: Caller,
        case_id: str,
        command: cmd.Comment,
        *,
        data: dict | None = None,
        also: list[tuple[dict, Exception]] | None = None,
    ) -> Case | CustomerCase:
        """A public reply. From staff it is the first response. From the customer it wakes a
        case that was waiting on them, or says a resolved one is not solved (reopens it).

        `data`: facts kept on the history entry (the mail it came from, files refused);
        `also`: writes that stand or fall with it (the mail's taken-once record)."""
        case = self._load_for_write(case_id, command.version, caller)
        if case.status == Status.MERGED and not caller.principal.is_staff:
            # the customer (on the site, by email) answers a merged case: their words go to
            # the case that carries on, whatever version it is at
            case = self._survivor_of(case)
        data = dict(data or {})
        article_id = getattr(command, "article_id", None)
        if article_id:
            # the reply carries a knowledge base article's text: its `inserted` counter moves
            # in the reply's own transaction (docs/knowledge-base.md)
            if not caller.principal.is_staff:
                raise InvalidInput("only staff insert articles into replies")
            article = self._live_article(caller, article_id)
            data["article_id"] = article.id
            also = [*(also or []), *self._articles().counter_riders([article.id], "inserted")]
        if command.attachment_ids:
            data["attachment_ids"], riders = self._message_files(caller, case, command, False)
            also = [*(also or []), *riders]
        saved = self._change(caller, case, change.Reply(body=command.body, data=data), also=also)
        return customer_case(saved) if caller.principal.is_customer else saved

    def link_article(self, caller: Caller, case_id: str, command: cmd.LinkArticle) -> Case:
        """Link a live knowledge base article to the case (it helped solve it); counted on the
        article when the case is resolved (at once if it is already)."""
        case = self._load_for_write(case_id, command.version, caller)
        article = self._live_article(caller, command.article_id)
        assert article.live is not None
        title = article.live.content.text_in("tr").title
        return self._change(caller, case, change.LinkArticle(article_id=article.id, title=title))

    def _articles(self) -> ArticleStore:
        if self.articles is None:
            raise InvalidInput("the knowledge base is not available here")
        return self.articles

    def _live_article(self, caller: Caller, article_id: str):
        caller.require(Resource.KNOWLEDGE, Action.READ)
        article = self._articles().get(article_id)
        if article.live is None:
            raise Conflict("this article is not published", code="article_not_live")
        return article

    def add_customer_message(
        self,
        caller: Caller,
        case_id: str,
        body: str,
        author: Actor,
        *,
        code: ReasonCode | None = None,
        data: dict | None = None,
        carried: Callable[[Case], list[HistoryEntry]] | None = None,
        also: Callable[[Case], list[tuple[dict, Exception]]] | None = None,
    ) -> Case:
        """What a customer wrote elsewhere (a pre-case set aside as this case's duplicate),
        brought onto the case by an agent as the customer's public message. It moves no
        status and no SLA clock: the customer wrote it before, the agent only files it.
        A closed case takes none (409 `case_closed`), as Zendesk merges into no closed
        ticket. `carried(case)`: more history lines written with it; `also(case)`: writes
        riding in the same transaction."""
        caller.require(Resource.CASES, Action.EDIT)
        for _attempt in range(3):
            case = self.cases.get(case_id).case
            message = change.FileCustomerMessage(
                body=body, author=author, reason_code=code, data=data or {},
                carried=carried(case) if carried else [],
            )  # fmt: skip
            try:
                return self._change(caller, case, message, also=also(case) if also else None)
            except Conflict as exc:
                if exc.code != "version_conflict":
                    raise
        raise Conflict("the case kept changing; try again", code="busy")

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
        confirm = change.ConfirmResolution(comment=command.comment)
        return customer_case(self._change(caller, case, confirm))

    def add_note(self, caller: Caller, case_id: str, command: cmd.Comment) -> Case:
        """An internal note; the files it carries stay internal (never the customer's)."""
        case = self._load_for_write(case_id, command.version, caller)
        if not command.attachment_ids:
            return self._change(caller, case, change.Note(body=command.body))
        ids, riders = self._message_files(caller, case, command, True)
        note = change.Note(body=command.body, data={"attachment_ids": ids})
        return self._change(caller, case, note, also=riders)

    def _message_files(
        self, caller: Caller, case: Case, command: cmd.Comment, internal: bool
    ) -> tuple[list[str], list[tuple[dict, Exception]]]:
        """The files a reply or note names: ids, and the records of those uploaded but not
        yet recorded, written in the message's own transaction (`internal` for a note's).
        Each one is re-read from S3 under this case and re-checked (domain/attachments.py
        `message_files`); a case holds at most MAX_PER_CASE (Conflict `too_many_files`)."""
        if self.files is None:
            raise InvalidInput("files cannot be attached here")
        recorded = self.cases.get(case.id).attachments
        have = {a.id for a in recorded}
        uploaded = {i: self.files.stored(case.id, i)
                    for i in dict.fromkeys(command.attachment_ids) if i not in have}  # fmt: skip
        known, new = message_files(command.attachment_ids, recorded, uploaded)
        if len(recorded) + len(new) > MAX_PER_CASE:
            raise Conflict(f"a case holds at most {MAX_PER_CASE} files", code="too_many_files")
        riders = []
        for i in new:
            stored = uploaded[i]
            assert stored is not None
            attachment = Attachment(
                id=i, case_id=case.id, filename=safe_filename(stored.filename),
                content_type=stored.content_type, size=stored.size, at=self.clock(),
                by=caller.actor, internal=internal,
            )  # fmt: skip
            riders.append((self.cases.attachment_operation(case, attachment),
                           Conflict("this file was recorded already; read the case again",
                                    code="version_conflict")))  # fmt: skip
        return list(dict.fromkeys(command.attachment_ids)), riders

    # ---- the other people on a case (docs/files-and-cc.md) -------------------------------

    def change_cc(self, caller: Caller, case_id: str, command: cmd.ChangeCc) -> Case:
        """Replace the addresses copied on the case's public replies (the customer's own
        address is dropped: they hear already)."""
        case = self._load_for_write(case_id, command.version, caller)
        email = self.customers.get(case.customer_id).email
        people = change.ChangePeople(cc=checked_cc(command.cc, email))
        return self._change(caller, case, people)

    def change_followers(self, caller: Caller, case_id: str, command: cmd.ChangeFollowers) -> Case:
        """Replace the staff members following the case's updates."""
        case = self._load_for_write(case_id, command.version, caller)
        staff = {m.username for m in self.directory.list_staff()}
        people = change.ChangePeople(followers=checked_followers(command.followers, staff))
        return self._change(caller, case, people)

    def change_status(self, caller: Caller, case_id: str, command: cmd.ChangeStatus) -> Case:
        case = self._load_for_write(case_id, command.version, caller)
        required = self.required_at(case, command.status)
        move = change.ChangeStatus(status=command.status, reason=command.reason,
                                   required_fields=required)  # fmt: skip
        return self._change(caller, case, move)

    def change_status_many(self, caller: Caller, command: cmd.BulkStatus) -> BulkTagged:
        """Each case on its own change and transaction (docs/views-and-presence.md): one
        refused (stale version, a move the lifecycle refuses, outside the caller's groups)
        leaves the others moved, and says why in its row. Retried after it succeeded, a case
        already in the asked status is reported `applied` as it is, changing nothing."""
        rows = []
        for ref in command.cases:
            one = cmd.ChangeStatus.model_construct(version=ref.version, status=command.status,
                                                   reason=command.reason)  # fmt: skip
            try:
                saved = self.change_status(caller, ref.case_id, one)
                rows.append(Tagged(case_id=ref.case_id, status="applied", case=saved))
            except DomainError as exc:
                current = exc.details.get("case") if exc.code == "version_conflict" else None
                if current and current.get("status") == command.status.value:
                    case = Case.model_validate(current)
                    rows.append(Tagged(case_id=ref.case_id, status="applied", case=case))
                    continue
                error = {"code": exc.code, "message": exc.message}
                rows.append(Tagged(case_id=ref.case_id, status="refused", error=error))
        return BulkTagged(results=rows)

    # ---- tags and custom fields (docs/tags-and-fields.md) ---------------------------------

    def change_tags(self, caller: Caller, case_id: str, command: cmd.ChangeTags) -> Case:
        """Add and remove free tags: one change of the case, the tags' counters moving in
        its transaction."""
        case = self._load_for_write(case_id, command.version, caller)
        return self._change(caller, case, change.ChangeTags(add=command.add, remove=command.remove))

    def tag_many(self, caller: Caller, command: cmd.BulkTags) -> BulkTagged:
        """Each case on its own change and transaction: one refused (a stale version, a
        closed case, one outside the caller's groups, nothing to change) leaves the others
        tagged, and says why in its row."""
        rows = []
        for ref in command.cases:
            one = cmd.ChangeTags.model_construct(version=ref.version, add=command.add,
                                                 remove=command.remove)  # fmt: skip
            try:
                saved = self.change_tags(caller, ref.case_id, one)
                rows.append(Tagged(case_id=ref.case_id, status="applied", case=saved))
            except DomainError as exc:
                error = {"code": exc.code, "message": exc.message}
                rows.append(Tagged(case_id=ref.case_id, status="refused", error=error))
        return BulkTagged(results=rows)

    def set_custom_fields(self, caller: Caller, case_id: str, command: cmd.SetCustomFields) -> Case:
        """Set or clear custom field values, each checked against its definition; any one
        wrong refuses them all (422 `invalid_custom_fields`), nothing written."""
        case = self._load_for_write(case_id, command.version, caller)
        definitions = self._definitions()
        values = check_values(definitions, case.type, command.values)
        kinds = {k: definitions[k].kind for k in values}
        return self._change(caller, case, change.ChangeCustomFields(values=values, kinds=kinds))

    def suggest_tags(self, caller: Caller, query: cmd.TagQuery) -> list[TagCount]:
        """The tags in use that start with what was typed, most used first (one Query on
        the tags' counters, never the cases)."""
        caller.require(Resource.CASES, Action.READ)
        if self.tag_store is None:
            return []
        return [TagCount(**row) for row in self.tag_store.suggest(query.q, query.limit)]

    def required_at(self, case: Case, status: Status | None) -> list[str]:
        """The custom fields `case` must have a value for before moving to `status` (only a
        move to resolved reads the definitions)."""
        if status != Status.RESOLVED or self.case_fields is None:
            return []
        return required_at_resolve(self._definitions(), case.type)

    def _definitions(self) -> dict[str, CaseField]:
        if self.case_fields is None:
            return {}
        return {f.key: f for f in self.case_fields.all()}

    def public_fields(self, case: Case) -> list[PublicField]:
        """The case's values of public custom fields, as its customer's site shows them (no
        read when the case has no values)."""
        if not case.custom_fields or self.case_fields is None:
            return []
        return public_values(self._definitions(), case.custom_fields)

    def update(self, caller: Caller, case_id: str, command: cmd.UpdateCase) -> Case:
        case = self._load_for_write(case_id, command.version, caller)
        fields = command.model_dump(exclude_unset=True, exclude={"version", "reason"})
        fields = {k: v for k, v in fields.items() if v is not None}
        if not fields:
            raise InvalidInput("nothing to change: give priority, category_id, type or subject")
        if case.status == Status.CLOSED:
            raise Conflict("a closed case cannot be edited", code="case_closed")
        if "category_id" in fields and self.directory.get_category(fields["category_id"]) is None:
            raise InvalidInput(f"no category {fields['category_id']!r}")
        sla = None
        if case.sla is not None and {"priority", "type", "category_id"} & set(fields):
            sla = self._sla_after(case.model_copy(update=fields))
        edit = change.ChangeFields(fields=fields, reason=command.reason, sla=sla)
        return self._change(caller, case, edit)

    def _sla_after(self, case: Case) -> CaseSla | None:
        """The facts an SLA policy looks at changed: the policy that applies now takes over
        (None: none applies, the targets stay)."""
        policy = policy_for(self.directory, self.customers, case, self.clock())
        if policy is None or case.sla is None:
            return None
        return retarget(case.sla, policy, case.created_at, self.clock())

    # ---- helpers -------------------------------------------------------------------------

    def _load_for_write(self, case_id: str, version: int, caller: Caller) -> Case:
        """The case to change, if the caller may change it and holds its current version.

        Access is checked first: a customer must not learn, even from a conflict, anything
        about a case that is not theirs, and staff write only where their role reaches.
        """
        case = self.cases.get(case_id).case
        principal = caller.principal
        if principal.is_customer and case.customer_id != principal.customer_id:
            raise NotFound("no such case")
        caller.require_case(case.group_id, case.assignee, change=True, opened_by=case.staff_opener)
        if case.version != version:
            raise version_conflict(case)
        return case

    def learning_riders(
        self, decided: change.CaseChange, caller: Caller
    ) -> list[tuple[dict, Exception]]:
        """What routing learns from a change (a correction, a resolved example), riding in
        its transaction (services/routing_learning.py)."""
        if self.learning is None or not caller.principal.is_staff:
            return []
        return self.learning.riders_for(decided, caller.actor.id)

    def tag_riders(self, decided: change.CaseChange) -> list[tuple[dict, Exception]]:
        """The tag counters a change moves, riding in its transaction."""
        before = decided.before.tags if decided.before is not None else []
        if before == decided.case.tags or self.tag_store is None:
            return []
        return self.tag_store.riders(before, decided.case.tags)

    def _survivor_of(self, case: Case) -> Case:
        """The case a merged case lives on in (following merges of merges, a few deep)."""
        for _hop in range(5):
            if case.status != Status.MERGED or not case.merged_into:
                return case
            case = self.cases.get(case.merged_into).case
        return case

    def _require_staff_member_of(self, username: str, group_id: str | None) -> None:
        """InvalidInput (422) unless `username` is staff and a member of the group, each
        refusal with its own code (`no_staff_member`, `not_a_group_member`) for the console
        to say why."""
        if self.directory.get_staff(username) is None:
            raise InvalidInput(f"no staff member {username!r}", code="no_staff_member")
        group = self.directory.get_group(group_id) if group_id else None
        if group is None:
            raise InvalidInput("assign the case to a group before assigning an agent")
        if not group.has_member(username):
            raise InvalidInput(
                f"{username} is not a member of group {group.id}",
                details={"assignee": username, "group_id": group.id},
                code="not_a_group_member",
            )

    def _change(
        self,
        caller: Caller,
        case: Case,
        command: change.Command,
        also: list[tuple[dict, Exception]] | None = None,
    ) -> Case:
        """The one way this service changes a case: the domain decides, the store writes it
        (case, history, notices, events) in one transaction, the notices are announced."""
        decided = change_case(case, command, caller.actor, self.clock())
        also = [*(also or []), *self.tag_riders(decided),
                *self.learning_riders(decided, caller)] or None  # fmt: skip
        counted = newly_counted(decided)
        if counted and self.articles is not None:
            # resolved with articles linked: each counts once, in the resolution's transaction
            also = [*(also or []), *self.articles.counter_riders(counted, "resolved_links")]
        saved = self.cases.apply(decided, also=also)
        self.announce(decided.notices)
        return saved
