"""Customers' email: threaded onto their case when it answers one, else into the pre-case pool.

A mail answers a case when its subject carries the case number or its
In-Reply-To / References name a mail destek sent for the case, and only when
it comes from that case's customer: a stranger quoting a case number must not
write into someone else's case. Such a reply is the customer's public reply,
without the quoted earlier mail. A reply to a closed case opens a pre-case
instead, as Zammad does after its follow-up window.

Auto-replies, bounces, bulk mail and loops are recorded and open nothing; a
malformed or oversize message stays in S3, is recorded with its key, and opens
nothing. Nothing here raises for a bad message: only AWS failures retry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal, Protocol

from ..domain.attachments import Attachment, check_upload, safe_filename
from ..domain.caller import Caller
from ..domain.case_kinds import Channel
from ..domain.case_record import CaseWithHistory
from ..domain.clock import utcnow
from ..domain.customers import normalize_email
from ..domain.errors import Conflict, DomainError, NotFound
from ..domain.ids import is_case_number, new_id
from ..domain.inbound_mail import InboundMail, MailPart, MailRefused, parse_mail
from ..domain.model import Model
from ..domain.permissions import Principal, Role
from ..domain.precases import Sender, likely_type, mood_of, suggest
from ..domain.topics import topic_of
from ..observability import logger
from .case_commands import Comment
from .cases import CaseService
from .ports import AttachmentFiles, CaseStore, CustomerStore, DirectoryStore
from .precases import Arrival, ArrivingFile, PreCasePool

SES_ID_DOMAIN = "amazonses.com"
#: a pre-case is one DynamoDB item (400 KB at most, Turkish letters take two bytes): the
#: rest of a very long mail stays in the raw message in S3, which the pre-case names
MAX_TEXT_CHARS = 50_000
MAX_HTML_CHARS = 80_000


class Mailbox(Protocol):
    def read(self, key: str, max_bytes: int) -> tuple[int, bytes | None]: ...


class MailJournal(Protocol):
    def record(
        self, at: datetime, key: str, outcome: str, reason: str, sender: str, subject: str
    ) -> None: ...


class MailRefs(Protocol):
    def case_of_mail(self, message_id: str) -> str | None: ...


class MailOutcome(Model):
    key: str
    outcome: Literal["reply", "pre_case", "automatic", "refused"]
    reason: str = ""
    case_id: str | None = None
    case_number: str | None = None
    precase_id: str | None = None
    files: int = 0
    files_refused: list[str] = []


class MailIntake:
    def __init__(
        self,
        mailbox: Mailbox,
        journal: MailJournal,
        refs: MailRefs,
        pool: PreCasePool,
        cases: CaseService,
        case_store: CaseStore,
        customers: CustomerStore,
        directory: DirectoryStore,
        files: AttachmentFiles,
        customer_roles: Callable[[], tuple[Role, ...]],
        own_addresses: frozenset[str],
        max_bytes: int,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.mailbox = mailbox
        self.journal = journal
        self.refs = refs
        self.pool = pool
        self.cases = cases
        self.case_store = case_store
        self.customers = customers
        self.directory = directory
        self.files = files
        self.customer_roles = customer_roles
        self.own_addresses = own_addresses
        self.max_bytes = max_bytes
        self.clock = clock

    def take(self, key: str) -> MailOutcome:
        size, raw = self.mailbox.read(key, self.max_bytes)
        if raw is None:
            return self._set_aside(key, "refused", f"{size} bytes is over {self.max_bytes}")
        try:
            mail = parse_mail(raw, own_addresses=self.own_addresses, max_bytes=self.max_bytes)
        except MailRefused as exc:
            return self._set_aside(key, "refused", exc.reason)
        if mail.automatic is not None:
            return self._set_aside(key, "automatic", mail.automatic.value, mail)
        found = self._answered_case(mail)
        if found is not None:
            replied = self._reply(key, mail, found)
            if replied is not None:
                return replied
        return self._pre_case(key, mail, found)

    # ---- threading -----------------------------------------------------------------------

    def _answered_case(self, mail: InboundMail) -> CaseWithHistory | None:
        """The case this mail answers, if its sender is that case's customer."""
        for candidate in self._candidates(mail):
            try:
                found = (
                    self.case_store.get_by_number(candidate)
                    if is_case_number(candidate)
                    else self.case_store.get(candidate)
                )
                customer = self.customers.get(found.case.customer_id)
            except NotFound:
                continue
            if customer.email and normalize_email(customer.email) == mail.from_address:
                return found
            logger.info("mail names a case of another customer", case_id=found.case.id)
        return None

    def _candidates(self, mail: InboundMail) -> list[str]:
        found = [mail.case_number] if mail.case_number else []
        for message_id in mail.replied_ids:
            local, _, domain = message_id.partition("@")
            case_id = self.refs.case_of_mail(
                local if domain.endswith(SES_ID_DOMAIN) else message_id
            )
            if case_id:
                found.append(case_id)
        return list(dict.fromkeys(found))

    def _reply(self, key: str, mail: InboundMail, found: CaseWithHistory) -> MailOutcome | None:
        caller = self._customer(mail, found.case.customer_id)
        body = (mail.reply_text or mail.text or mail.subject or "-")[:20000]
        for _attempt in range(3):
            current = self.case_store.get(found.case.id).case
            try:
                self.cases.reply(caller, current.id, Comment(version=current.version, body=body))
            except Conflict as exc:
                if exc.code == "version_conflict":
                    continue
                logger.info("reply to a case that takes none", case_id=current.id, why=exc.code)
                return None  # closed: the mail becomes a pre-case
            kept, refused = self._attach(current.id, found, mail.attachments, caller)
            logger.info("mail threaded", case_id=current.id, mail_key=key)
            return MailOutcome(key=key, outcome="reply", case_id=current.id,
                               case_number=current.number, files=kept,
                               files_refused=refused)  # fmt: skip
        raise Conflict("the case kept changing; the mail will be tried again", code="busy")

    def _customer(self, mail: InboundMail, customer_id: str) -> Caller:
        principal = Principal(kind="customer", subject=f"mail:{mail.from_address}",
                              username=mail.from_address, name=mail.from_name,
                              email=mail.from_address, customer_id=customer_id)  # fmt: skip
        return Caller(principal, self.customer_roles())

    def _attach(
        self, case_id: str, found: CaseWithHistory, parts: list[MailPart], caller: Caller
    ) -> tuple[int, list[str]]:
        kept, refused = 0, []
        for part, name in self._allowed(parts, refused):
            file_id = new_id("f")
            self.files.keep(case_id, file_id, name, part.content_type, part.content)
            self.case_store.add_attachment(found.case, Attachment(
                id=file_id, case_id=case_id, filename=name, content_type=part.content_type,
                size=len(part.content), at=self.clock(), by=caller.actor,
            ))  # fmt: skip
            kept += 1
        return kept, refused

    @staticmethod
    def _allowed(parts: list[MailPart], refused: list[str]) -> list[tuple[MailPart, str]]:
        """Files a customer could also have uploaded; the rest are named, never stored."""
        allowed = []
        for part in parts:
            name = safe_filename(part.filename)
            try:
                check_upload(name, part.content_type, len(part.content))
            except DomainError:
                refused.append(name)
                continue
            allowed.append((part, name))
        return allowed

    # ---- new mail ------------------------------------------------------------------------

    def _pre_case(
        self, key: str, mail: InboundMail, answered: CaseWithHistory | None
    ) -> MailOutcome:
        text = mail.text or mail.subject
        mood = mood_of(f"{mail.subject}\n{text}")
        topic = topic_of(self.directory.list_rules(), f"{mail.subject}\n{text}")
        refused: list[str] = []
        files = [
            ArrivingFile(filename=name, content_type=part.content_type, content=part.content)
            for part, name in self._allowed(mail.attachments, refused)
        ]
        note = f" (about case {answered.case.number}, which takes no replies)" if answered else ""
        pre = self.pool.receive(
            Arrival(
                channel=Channel.EMAIL,
                subject=mail.subject or "(konusuz)",
                text=text[:MAX_TEXT_CHARS],
                html=mail.html[:MAX_HTML_CHARS] if mail.html else None,
                case_type=likely_type(mood),
                sender=Sender(name=mail.from_name, email=mail.from_address),
                mood=mood,
                topic=topic.id,
                suggested_action=suggest(mood, False),
                source_ref=f"s3:{key}{note}",
                received_at=self.clock(),
            ),
            files=files,
        )
        return MailOutcome(key=key, outcome="pre_case", precase_id=pre.id, files=len(files),
                           files_refused=refused)  # fmt: skip

    def _set_aside(
        self, key: str, outcome: Literal["automatic", "refused"], reason: str,
        mail: InboundMail | None = None,
    ) -> MailOutcome:  # fmt: skip
        sender, subject = (mail.from_address, mail.subject) if mail else ("", "")
        self.journal.record(self.clock(), key, outcome, reason, sender, subject)
        logger.warning("inbound mail opened nothing", mail_key=key, outcome=outcome, why=reason)
        return MailOutcome(key=key, outcome=outcome, reason=reason)
