"""Macros (docs/macros.md): agents keep personal ones, supervisors the shared ones; an agent
previews one on a case and applies it (reply, note, fields, status, documents) as one change
of the case, alone or on several cases at once; each application is counted per day."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from ..domain.caller import Caller
from ..domain.carriers import carrier_code, folded_name, tracking_url
from ..domain.case_change import ApplyMacro, change_case
from ..domain.cases import Case
from ..domain.clock import ISTANBUL, utcnow
from ..domain.conditions import all_hold
from ..domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.library import LINK_DAYS
from ..domain.macros import (
    Macro,
    MacroInput,
    MacroValues,
    Rendered,
    check_macro,
    may_edit,
    may_use,
    render,
    require_reply_values,
)
from ..domain.model import Model, Strict
from ..domain.permissions import Action, Resource
from .case_facts import facts_of, fields_named
from .condition_refs import check_references

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
#: cases one bulk application may name (each is its own change and transaction)
MAX_BULK = 50


class MacroQuery(Strict):
    """`q`: words of the title (Turkish letters or not); `scope`: shared, personal or both."""

    q: Annotated[str, StringConstraints(max_length=100)] | None = None
    scope: Literal["all", "shared", "personal"] = "all"


class MacroEdit(MacroInput):
    """The macro's next version: `version` is the one you read (409 when it changed)."""

    version: int = Field(ge=1)


class ApplyBody(Strict):
    """`version`: the case's version you read. `send`: send the macro's reply to the customer
    (false: apply its actions only, the reply text is yours to edit and send)."""

    version: int = Field(ge=1)
    send: bool = True


class CaseRef(Strict):
    case_id: Id
    version: int = Field(ge=1)


class BulkApply(Strict):
    """Apply one macro to several cases, each at the version you read."""

    macro_id: Id
    send: bool = True
    cases: list[CaseRef] = Field(min_length=1, max_length=MAX_BULK)


class Applied(Model):
    """One case of a bulk application: `applied` with the case at its new version, or
    `refused` with the error it would have answered alone."""

    case_id: str
    status: Literal["applied", "refused"]
    case: Case | None = None
    error: dict[str, Any] | None = None


class BulkApplied(Model):
    results: list[Applied]


class UsageRow(Model):
    """How often a macro was applied on one Istanbul day."""

    day: date
    macro_id: str
    title: str | None = None
    applied: int


class UsageQuery(Strict):
    start: date = Field(alias="from")
    end: date = Field(alias="to")


class MacroService:
    def __init__(
        self,
        store: Any,
        case_service: Any,
        customers: Any,
        library: Any,
        carriers: Any,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.case_service = case_service
        self.customers = customers
        self.library = library
        self.carriers = carriers
        self.clock = clock

    # ---- keeping macros ------------------------------------------------------------------

    def list(self, caller: Caller, query: MacroQuery) -> list[Macro]:
        """Shared macros and the caller's own, by title; `q` matches words of either title."""
        found: list[Macro] = []
        if query.scope in ("all", "shared"):
            found += self.store.listed(None)
        if query.scope in ("all", "personal"):
            found += self.store.listed(caller.principal.username)
        words = folded_name(query.q or "")
        if words:
            found = [m for m in found
                     if words in folded_name(f"{m.title.tr or ''}{m.title.en or ''}")
                     or words in folded_name(m.title.tr or "")
                     or words in folded_name(m.title.en or "")]  # fmt: skip
        return sorted(found, key=lambda m: (folded_name(m.title.tr or m.title.en or ""), m.id))

    def get(self, caller: Caller, macro_id: str) -> Macro:
        macro = self.store.get(macro_id)
        if not may_use(macro, caller.principal.username):
            raise NotFound("no such macro", code="no_macro")
        return macro

    def create(self, caller: Caller, body: MacroInput) -> Macro:
        self._may_keep(caller, body.visibility)
        self._checked(body)
        now = self.clock()
        owner = caller.principal.username if body.visibility == "personal" else None
        macro = Macro(**body.model_dump(), id=new_id("m"), owner=owner, created_at=now,
                      created_by=caller.actor, updated_at=now, updated_by=caller.actor)  # fmt: skip
        self.store.add(macro)
        return macro

    def edit(self, caller: Caller, macro_id: str, body: MacroEdit) -> Macro:
        """The next version; a personal macro made shared (or back) needs the shared right."""
        macro = self._editable(caller, macro_id)
        self._may_keep(caller, body.visibility)
        if macro.version != body.version:
            raise Conflict("the macro changed since you read it", code="version_conflict",
                           details={"current_version": macro.version})  # fmt: skip
        self._checked(body)
        owner = None if body.visibility == "shared" else (macro.owner or caller.principal.username)
        after = macro.model_copy(update={
            **{name: getattr(body, name) for name in MacroInput.model_fields},
            "owner": owner, "version": macro.version + 1, "updated_at": self.clock(),
            "updated_by": caller.actor})  # fmt: skip
        self.store.replace(after)
        return after

    def delete(self, caller: Caller, macro_id: str) -> None:
        self._editable(caller, macro_id)
        self.store.remove(macro_id)

    def _may_keep(self, caller: Caller, visibility: str) -> None:
        if visibility == "shared":
            caller.require(Resource.SHARED_MACROS, Action.EDIT)

    def _editable(self, caller: Caller, macro_id: str) -> Macro:
        macro = self.get(caller, macro_id)
        shared_editor = caller.can(Resource.SHARED_MACROS, Action.EDIT)
        if not may_edit(macro, caller.principal.username, shared_editor):
            raise Forbidden("only supervisors change shared macros", code="shared_macro")
        return macro

    def _checked(self, body: MacroInput) -> None:
        """Variables known, something to do, the category and the documents exist (the
        status is checked against each case's lifecycle when applied)."""
        check_macro(body)
        check_references(self.case_service.directory, body.conditions)
        category = body.actions.category_id
        if category and self.case_service.directory.get_category(category) is None:
            raise InvalidInput(f"no category {category!r}", code="no_category")
        if body.actions.document_ids:
            self.library.check_sendable(body.actions.document_ids)

    # ---- using them ----------------------------------------------------------------------

    def preview(self, caller: Caller, case_id: str, macro_id: str) -> Rendered:
        """The macro rendered for the case, in its customer's language; nothing changes."""
        case = self.case_service.cases.get(case_id).case
        caller.require_case(case.group_id, case.assignee, change=False,
                            opened_by=case.staff_opener)  # fmt: skip
        macro = self.get(caller, macro_id)
        rendered = self._rendered(caller, case, macro)
        return rendered.model_copy(update={"applicable": self._applies(macro, case)})

    def apply(
        self, caller: Caller, case_id: str, macro_id: str, body: ApplyBody, api_base: str
    ) -> Case:
        """Reply, note, fields, documents and status in one change of the case: one version
        up, one transaction with the usage counter. The same application retried (the case
        already moved past `version` by it) answers the case as it is, changing nothing.
        A reply to send that names a variable the case has no value for refuses the whole
        macro (InvalidInput `macro_values_missing`, nothing written)."""
        caller.require(Resource.REPLIES, Action.ADD)
        macro = self.get(caller, macro_id)
        found = self.case_service.cases.get(case_id)
        case = found.case
        caller.require_case(case.group_id, case.assignee, change=True,
                            opened_by=case.staff_opener)  # fmt: skip
        if case.version != body.version:
            if _applied_already(found.history, macro_id, body.version, caller):
                return case
            raise Conflict(
                "the case changed since you read it; here is the current one",
                details={"current_version": case.version, "case": case.model_dump(mode="json")},
                code="version_conflict",
            )
        if not self._applies(macro, case):
            raise Conflict("this macro's conditions do not hold for this case",
                           code="macro_not_applicable")  # fmt: skip
        rendered = self._rendered(caller, case, macro)
        if body.send:
            require_reply_values(rendered)
        now = self.clock()
        fields = {k: v for k, v in macro.actions.fields().items() if getattr(case, k) != v}
        category = fields.get("category_id")
        if category and self.case_service.directory.get_category(category) is None:
            raise InvalidInput(f"no category {category!r}", code="no_category")
        sla = None
        if case.sla is not None and fields:
            sla = self.case_service._sla_after(case.model_copy(update=fields))
        documents: list[dict[str, str]] = []
        expires = None
        if macro.actions.document_ids:
            documents, expires = self.library.links_for(case, macro.actions.document_ids,
                                                        api_base, now)  # fmt: skip
        command = ApplyMacro(
            macro_id=macro.id, title=rendered.title, shared=macro.visibility == "shared",
            from_version=case.version, reply=rendered.reply if body.send else None,
            note=rendered.note, status=macro.actions.status, fields=fields, sla=sla,
            documents=documents, link_days=LINK_DAYS if documents else 0, expires_at=expires,
            add_tags=macro.actions.add_tags, remove_tags=macro.actions.remove_tags,
            required_fields=self.case_service.required_at(case, macro.actions.status),
        )  # fmt: skip
        decided = change_case(case, command, caller.actor, now)
        day = now.astimezone(ISTANBUL).date()
        riders = [self.store.usage_rider(day, macro.id), *self.case_service.tag_riders(decided),
                  *self.case_service.learning_riders(decided, caller)]  # fmt: skip
        saved = self.case_service.cases.apply(decided, also=riders)
        self.case_service.announce(decided.notices)
        return saved

    def apply_many(self, caller: Caller, body: BulkApply, api_base: str) -> BulkApplied:
        """Each case on its own (its own change and transaction): one refused (a stale
        version, a status its state forbids, a value its reply needs and the case lacks:
        `macro_values_missing`, outside the caller's groups) is left unchanged and reported
        with its error; the others are applied. The macro itself unknown is a 404 for the
        whole request."""
        self.get(caller, body.macro_id)
        results = []
        for ref in body.cases:
            try:
                one = ApplyBody(version=ref.version, send=body.send)
                saved = self.apply(caller, ref.case_id, body.macro_id, one, api_base)
                results.append(Applied(case_id=ref.case_id, status="applied", case=saved))
            except DomainError as exc:
                error = {"code": exc.code, "message": exc.message,
                         "details": _small(exc.details)}  # fmt: skip
                results.append(Applied(case_id=ref.case_id, status="refused", error=error))
        return BulkApplied(results=results)

    def usage(self, caller: Caller, query: UsageQuery) -> list[UsageRow]:
        """Applications per macro per Istanbul day in [from, to] (at most 366 days), with the
        macro's title while it exists."""
        caller.require(Resource.REPORTS, Action.READ)
        if query.end < query.start or (query.end - query.start).days > 366:
            raise InvalidInput("give from ≤ to, at most 366 days apart", code="bad_period")
        rows = self.store.usage(query.start, query.end)
        titles: dict[str, str | None] = {}
        for row in rows:
            if row["macro_id"] not in titles:
                try:
                    macro = self.store.get(row["macro_id"])
                    titles[row["macro_id"]] = macro.title.tr or macro.title.en
                except NotFound:
                    titles[row["macro_id"]] = None
        return [UsageRow(**row, title=titles[row["macro_id"]]) for row in rows]

    # ---- helpers -------------------------------------------------------------------------

    def _rendered(self, caller: Caller, case: Case, macro: Macro) -> Rendered:
        customer = self.customers.get(case.customer_id)
        values = MacroValues(
            customer_name=customer.name, case_number=case.number,
            order_number=case.order.order_id if case.order else None,
            tracking_link=self._tracking_link(case),
            agent_name=caller.principal.name or caller.principal.username,
        )  # fmt: skip
        return render(macro, values, getattr(customer.language, "value", customer.language))

    def _applies(self, macro: Macro, case: Case) -> bool:
        """The macro's conditions hold for the case (the category and the customer read only
        when a condition names them)."""
        if not macro.conditions:
            return True
        needed = fields_named([macro.conditions])
        facts = facts_of(self.case_service.directory, self.customers, case, self.clock(), needed)
        return all_hold(macro.conditions, facts)

    def _tracking_link(self, case: Case) -> str | None:
        order = case.order
        if order is None or not order.carrier or not order.tracking_number:
            return None
        known = carrier_code(order.carrier, self.carriers.all())
        return tracking_url(known.tracking_url_template, order.tracking_number) if known else None


def _applied_already(history: list, macro_id: str, version: int, caller: Caller) -> bool:
    """The case's history holds this macro applied by this caller to `version`."""
    return any(e.data.get("macro_id") == macro_id and e.data.get("from_version") == version
               and e.actor.id == caller.actor.id for e in history)  # fmt: skip


def _small(details: Any) -> Any:
    """A refusal's details without the whole case a version conflict carries."""
    if isinstance(details, dict) and "case" in details:
        return {k: v for k, v in details.items() if k != "case"}
    return details
