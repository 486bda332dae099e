"""The pre-case pool: receive what arrived unattended, claim it, hand it out, convert it.

Converting is one transaction: the new case and the pre-case's last move stand
or fall together, so two agents converting the same pre-case at once make one
case, and the second hears 409 with the pre-case as it now is. Files follow
after the case exists (copied in S3, recorded under the case); a copy that
fails is logged and leaves the case standing, its file still on the pre-case.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from ..domain.attachments import Attachment
from ..domain.caller import Caller
from ..domain.case_kinds import CaseType, Channel
from ..domain.cases import SYSTEM, Actor, Case, EntryKind, HistoryEntry, ReasonCode, Visibility
from ..domain.clock import utcnow
from ..domain.customers import normalize_email
from ..domain.emails import is_valid_email
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.ids import new_id, stable_id
from ..domain.lifecycle import Status
from ..domain.limits import CASE_TEXT_BYTES, fit_utf8
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from ..domain.precases import (
    Mood,
    PreCase,
    PreCaseFile,
    PreCaseMessage,
    PreCaseStatus,
    PreCaseWarning,
    Sender,
    SocialPost,
    SuggestedAction,
    WarningCode,
    assigned,
    finished,
    joined,
    received,
)
from ..observability import logger
from .case_commands import CallerDetails, OpenCase, PageParams
from .cases import CaseService
from .intake_commands import Claim, Convert, Distribute, PoolQuery, SetAside
from .ports import AttachmentFiles, CaseStore, CustomerStore, DirectoryStore, PreCaseStore


class PreCasePage(Model):
    items: list[PreCase]
    next_cursor: str | None = None


class Handed(Model):
    id: str
    status: Literal["assigned", "refused"]
    error: dict[str, Any] | None = None
    precase: PreCase | None = None


class Distributed(Model):
    results: list[Handed]


class Converted(Model):
    precase: PreCase
    case: Case
    files: list[Attachment] = Field(default_factory=list)


class Arrival(Model):
    """Something that came in unattended, before it is a pre-case."""

    channel: Channel
    subject: str
    text: str
    html: str | None = None
    case_type: CaseType | None = None
    sender: Sender
    customer_id: str | None = None
    post: SocialPost | None = None
    mood: Mood | None = None
    topic: str | None = None
    suggested_action: SuggestedAction | None = None
    source_ref: str | None = None
    received_at: datetime | None = None
    message_id: str | None = None
    warnings: list[PreCaseWarning] = Field(default_factory=list)


class ArrivingFile(Model):
    filename: str
    content_type: str
    content: bytes
    #: a stable id (mail intake): a retried write stores the bytes under the same key
    id: str | None = None


class PreCasePool:
    def __init__(
        self,
        store: PreCaseStore,
        customers: CustomerStore,
        directory: DirectoryStore,
        cases: CaseService,
        case_store: CaseStore,
        files: AttachmentFiles | None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.customers = customers
        self.directory = directory
        self.cases = cases
        self.case_store = case_store
        self.files = files
        self.clock = clock

    # ---- arriving ------------------------------------------------------------------------

    def receive(
        self,
        arrival: Arrival,
        files: list[ArrivingFile] | None = None,
        also: Callable[[str], list[dict[str, Any]]] | None = None,
        *,
        precase_id: str | None = None,
        match: bool = True,
    ) -> PreCase:
        """Into the pool, matched to a customer by email or phone when the sender is known.

        `also(pre-case id)`: writes that ride in the pre-case's transaction (a social post's
        own item and counters), built by their store. `precase_id`: a stable id, so a retry
        writes the same pre-case (refused as already received) rather than a second one.
        `match=False`: a sender who may not be who they say (unverified mail) is matched to
        no customer."""
        pre_id = precase_id or new_id("p")
        kept = [self._keep(pre_id, f) for f in files or []]
        pre = PreCase(
            id=pre_id,
            received_at=arrival.received_at or self.clock(),
            files=kept,
            **arrival.model_dump(exclude={"received_at", "customer_id"}),
            customer_id=arrival.customer_id or (self._match(arrival.sender) if match else None),
        )
        self.store.add(received(pre), also(pre_id) if also else None)
        logger.info("pre-case received", precase_id=pre.id, channel=pre.channel)
        return pre

    def _keep(self, pre_id: str, arriving: ArrivingFile) -> PreCaseFile:
        file = PreCaseFile(
            id=arriving.id or new_id("f"), filename=arriving.filename,
            content_type=arriving.content_type, size=len(arriving.content),
        )  # fmt: skip
        if self.files is None:
            raise InvalidInput("files are not available")
        self.files.keep_for_precase(
            pre_id, file.id, file.filename, file.content_type, arriving.content
        )
        return file

    def _match(self, sender: Sender) -> str | None:
        if sender.email:
            found = self.customers.find("email", normalize_email(sender.email))
            if found:
                return found.id
        if sender.phone:
            found = self.customers.find("phone", sender.phone)
            if found:
                return found.id
        return None

    def join(
        self,
        pre: PreCase,
        message: PreCaseMessage,
        also: list[tuple[dict[str, Any], Exception]] | None = None,
    ) -> None:
        """A later mail of the sender onto their open pre-case, as read (Conflict
        `precase_finished` once it is converted or set aside: the mail then threads onto the
        case; `version_conflict` when it moved since: read it and join again)."""
        self.store.add_message(joined(pre, message), message, also)

    # ---- reading -------------------------------------------------------------------------

    def pool(self, query: PoolQuery) -> PreCasePage:
        channel = query.channel.value if query.channel else None
        items, cursor = self.store.pool(channel, query.order == "oldest", query.limit, query.cursor)
        return PreCasePage(items=items, next_cursor=cursor)

    def mine(self, caller: Caller, page: PageParams) -> PreCasePage:
        items, cursor = self.store.claimed_by(caller.principal.username, page.limit, page.cursor)
        return PreCasePage(items=items, next_cursor=cursor)

    def get(self, precase_id: str) -> PreCase:
        return self.store.get(precase_id)

    # ---- moving --------------------------------------------------------------------------

    def claim(self, caller: Caller, precase_id: str, command: Claim) -> PreCase:
        pre = self._current(precase_id, command.version)
        if pre.assignee and pre.assignee != caller.principal.username:
            self._may_take_over(caller, pre)
        return self.store.save(assigned(pre, caller.principal.username, caller.actor,
                                        self.clock()))  # fmt: skip

    def distribute(self, caller: Caller, command: Distribute) -> Distributed:
        member = self.directory.get_staff(command.agent)
        if member is None:
            raise InvalidInput(f"no staff member {command.agent!r}")
        results = []
        for ref in command.precases:
            try:
                pre = self._current(ref.id, ref.version)
                saved = self.store.save(assigned(pre, member.username, caller.actor,
                                                 self.clock()))  # fmt: skip
                results.append(Handed(id=ref.id, status="assigned", precase=saved))
            except (Conflict, NotFound) as exc:
                error = {"code": exc.code, "message": exc.message, "details": exc.details}
                results.append(Handed(id=ref.id, status="refused", error=error))
        return Distributed(results=results)

    def convert(self, caller: Caller, precase_id: str, command: Convert) -> Converted:
        caller.require(Resource.CASES, Action.ADD)
        pre = self._current(precase_id, command.version)
        self._may_finish(caller, pre)
        case_type = command.type or pre.case_type
        if case_type is None:
            raise InvalidInput("choose the case's type")
        now = self.clock()
        opening = OpenCase(
            customer=command.customer or self._customer_of(pre),
            type=case_type,
            channel=pre.channel,
            priority=command.priority,
            category_id=command.category_id,
            group_id=command.group_id,
            subject=command.subject or (pre.subject.strip() or pre.text.strip())[:200] or "-",
            description=description_of(pre),
        )

        def riders(case: Case) -> list[tuple[dict[str, Any], Exception]]:
            done = finished(pre, PreCaseStatus.CONVERTED, caller.actor, now,
                            case_id=case.id, case_number=case.number)  # fmt: skip
            meaning = Conflict("the pre-case changed while you converted it; read it again",
                               code="version_conflict")  # fmt: skip
            return [(op, meaning) for op in self.store.save_operations(done)]

        # the sender's later mails become their replies on the case, and the files that
        # could not be kept are named on it, in the opening's write
        case = self.cases.open_case(caller, opening, also=riders, carried=lambda case: [
            *follow_up_entries(pre, case), *refused_files_entry(pre, case, now)
        ], precase_id=pre.id)  # fmt: skip
        files = [a for f in all_files(pre) if (a := self._carry(pre, f, case, caller)) is not None]
        logger.info("pre-case converted", precase_id=pre.id, case_id=case.id)
        return Converted(precase=self.store.get(pre.id), case=case, files=files)

    def set_aside(self, caller: Caller, precase_id: str, command: SetAside) -> PreCase:
        """Spam leaves the pool and opens nothing. A duplicate is merged into the case it
        repeats: its text and files (and any later mails of the sender) become the
        customer's message on that case, in the same write as the pre-case's end; a
        closed case takes none (409 `case_closed`)."""
        pre = self._current(precase_id, command.version)
        self._may_finish(caller, pre)
        if command.outcome == "spam":
            return self.store.save(finished(pre, PreCaseStatus.SPAM, caller.actor, self.clock()))
        original = self.cases.visible(caller, command.duplicate_of or "").case
        done = finished(pre, PreCaseStatus.DUPLICATE, caller.actor, self.clock(),
                        duplicate_of=original.number, case_id=original.id)  # fmt: skip
        now = self.clock()
        files = all_files(pre)
        if files and self.files is None:
            raise InvalidInput("files are not available")
        for file in files:  # copied first: a retry copies again, harmlessly
            self.files.move_to_case(pre.id, file.id, original.id)
        author = Actor(
            kind="customer",
            id=original.customer_id,
            name=pre.sender.name or pre.sender.email or pre.sender.handle or "",
        )
        meaning = Conflict("the pre-case changed while you set it aside; read it again",
                           code="version_conflict")  # fmt: skip

        def riders(case: Case) -> list[tuple[dict[str, Any], Exception]]:
            attachments = [self.case_store.attachment_operation(case, self._attachment(
                file, case, author)) for file in files]  # fmt: skip
            ops = [*self.store.save_operations(done), *attachments]
            return [(op, meaning) for op in ops]

        self.cases.add_customer_message(
            caller, original.id, description_of(pre), author, code=ReasonCode.MERGED_DUPLICATE,
            data={"merged_from": pre.id, "files": [f.filename for f in pre.files]},
            carried=lambda case: [*follow_up_entries(pre, case),
                                  *refused_files_entry(pre, case, now)],
            also=riders,
        )  # fmt: skip
        logger.info("pre-case merged into a case", precase_id=pre.id, case_id=original.id)
        return self.store.get(pre.id)

    def merge_into_case(self, caller: Caller, precase_id: str, command: Any) -> PreCase:
        """A pre-case merged into a case (services/case_merges.py MergePreCase): the same as
        setting it aside as that case's duplicate. A merged case is followed to the case it
        lives on in; a closed one takes nothing (409 `case_closed`)."""
        caller.require(Resource.CASES, Action.EDIT)
        target = self.cases.visible(caller, command.into).case
        if target.status == Status.MERGED and target.merged_into_number:
            target = self.cases.visible(caller, target.merged_into_number).case
        aside = SetAside(version=command.version, outcome="duplicate", duplicate_of=target.id)
        return self.set_aside(caller, precase_id, aside)

    # ---- helpers -------------------------------------------------------------------------

    def _current(self, precase_id: str, version: int) -> PreCase:
        pre = self.store.get(precase_id)
        if pre.version != version:
            raise self.store.conflict(pre.model_dump(mode="json"))
        return pre

    @staticmethod
    def _may_take_over(caller: Caller, pre: PreCase) -> None:
        if not caller.can(Resource.ASSIGNMENTS, Action.EDIT):
            raise Forbidden(
                f"{pre.assignee} has claimed this pre-case; a supervisor can hand it over",
                code="claimed_by_another",
            )

    def _may_finish(self, caller: Caller, pre: PreCase) -> None:
        if pre.assignee and pre.assignee != caller.principal.username:
            self._may_take_over(caller, pre)

    @staticmethod
    def _customer_of(pre: PreCase) -> CallerDetails:
        if pre.customer_id:
            return CallerDetails(customer_id=pre.customer_id)
        sender = pre.sender
        # what arrived is kept as it came; only an address SES can send to goes on a customer
        email = sender.email if is_valid_email(sender.email) else None
        if not (email or sender.phone):
            raise InvalidInput(
                "the sender is not a known customer: choose one, or give details in customer",
                code="sender_unusable" if sender.email else "invalid_input",
            )
        name = sender.name or sender.handle or (sender.email or "").split("@")[0] or "-"
        return CallerDetails(email=email, phone=sender.phone, name=name[:200])

    def _carry(
        self, pre: PreCase, file: PreCaseFile, case: Case, caller: Caller
    ) -> Attachment | None:
        if self.files is None:
            return None
        try:
            self.files.move_to_case(pre.id, file.id, case.id)
        except Exception:  # noqa: BLE001 - the case stands; the file stays on the pre-case
            logger.exception("file not carried to the case", precase_id=pre.id, file_id=file.id)
            return None
        attachment = self._attachment(file, case, caller.actor)
        self.case_store.add_attachment(case, attachment)
        return attachment

    def _attachment(self, file: PreCaseFile, case: Case, by: Actor) -> Attachment:
        return Attachment(
            id=file.id, case_id=case.id, filename=file.filename,
            content_type=file.content_type, size=file.size, at=self.clock(), by=by,
        )  # fmt: skip


def all_files(pre: PreCase) -> list[PreCaseFile]:
    """The pre-case's files and those of the later mails that joined it."""
    return [*pre.files, *(f for m in pre.messages for f in m.files)]


def follow_up_entries(pre: PreCase, case: Case) -> list[HistoryEntry]:
    """The sender's later mails as their public replies on the case, in arrival order."""
    author = Actor(kind="customer", id=case.customer_id,
                   name=pre.sender.name or pre.sender.email or "")  # fmt: skip
    return [
        HistoryEntry(
            id=stable_id("h", case.id, message.id),
            case_id=case.id,
            at=message.received_at,
            actor=author,
            kind=EntryKind.REPLY,
            visibility=Visibility.PUBLIC,
            body=fit_text(message.text.strip() or message.subject or "-"),
            data={"precase_message": message.id, "files": [f.filename for f in message.files]},
        )  # fmt: skip
        for message in pre.messages
    ]


def refused_files_entry(pre: PreCase, case: Case, at: datetime) -> list[HistoryEntry]:
    """The files of the pre-case's mails that were refused, named on the case with why
    (an internal line the agent reads; the customer may be asked to send them again)."""
    refused = [
        {"filename": w.filename or "", "reason": w.detail}
        for w in [*pre.warnings, *(w for m in pre.messages for w in m.warnings)]
        if w.code == WarningCode.FILE_REFUSED
    ]
    if not refused:
        return []
    return [
        HistoryEntry(
            id=stable_id("h", case.id, pre.id, "files"),
            case_id=case.id,
            at=case.created_at,
            actor=SYSTEM,
            kind=EntryKind.NOTE,
            reason_code=ReasonCode.FILES_REFUSED,
            data={"files_refused": refused, "precase": pre.id},
        )  # fmt: skip
    ]


def fit_text(text: str) -> str:
    """Text within what one case item or history entry holds (characters and bytes)."""
    return fit_utf8(text[:20000], CASE_TEXT_BYTES)[0]


def description_of(pre: PreCase) -> str:
    """The case keeps what arrived, and where from, in its first words: the sender, the
    post, and the closed case a late reply named."""
    lines = [pre.text.strip() or pre.subject.strip() or "-"]
    origin = []
    if pre.sender.email:
        origin.append(pre.sender.email)
    if pre.post:
        origin.append(f"{pre.post.platform} @{pre.post.author_handle}: {pre.post.url}")
    origin += [
        f"↩ {w.case_number}" for w in pre.warnings if w.code == WarningCode.REPLY_TO_CLOSED_CASE
    ]
    trailer = "\n\n— " + " · ".join(origin) if origin else ""
    room = CASE_TEXT_BYTES - len(trailer.encode())
    return fit_utf8(lines[0][: 20000 - len(trailer)], room)[0] + trailer
