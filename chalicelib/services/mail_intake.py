"""Customers' email: threaded onto their case or their waiting pre-case when it answers
one, else into the pre-case pool; bounces filed on the notice they bounce.

**Threading.** A mail answers the case or pre-case its `In-Reply-To` / `References`
name (a notice destek sent, or an earlier mail of the customer, whose Message-IDs are
all remembered), and only when nothing names one, the case whose number its subject
carries: the headers say which mail was answered, a subject only what it was about.
It must come from that case's customer (the pre-case's sender): a stranger quoting a
case number writes into the pool, not into someone else's case. A reply to a closed
case (or to a resolved one past its reopen window) goes to the pool with a link to the
case it answers, for an agent to open a new case from; Zendesk opens a follow-up
ticket by itself, destek keeps its rule that nothing unreviewed gets a case number.

**Trust.** A message SES's verdicts call forged (DMARC fails, or with no DMARC policy
SPF and DKIM both fail) is never a customer's reply and is matched to no customer: it
waits in the pool flagged `sender_unverified` with the verdicts. So does mail whose
sender cannot be read (`sender_unknown`).

**Machines.** Auto-replies, bulk mail and loops are journalled and open nothing (so an
out-of-office note never moves a case's status or SLA clocks). A bounce (a DSN mail, or
SES's bounce or complaint notification) is matched to the notice it returns: the notice
is failed with the reason, the case's history says so, the case's agent is told, and the
customer's address is marked undeliverable so their next notice goes by SMS.

**Once.** Every mail is taken once, by its Message-ID (or the hash of its bytes): the
record of it is written in the same transaction as its effect, after its files are in
S3 under ids derived from it. A retry after any step (a file that failed to store, a
Lambda that died after the write) redoes the idempotent steps and finds the write done.

Nothing here raises for a bad message: only AWS failures retry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Literal, Protocol

from ..domain.attachments import Attachment, FileVerdict, identify_file
from ..domain.caller import Caller
from ..domain.case_kinds import Channel
from ..domain.case_people import copied
from ..domain.case_record import CaseWithHistory
from ..domain.cases import SYSTEM, Case, EntryKind, HistoryEntry, ReasonCode
from ..domain.clock import utcnow
from ..domain.customers import EmailUndeliverable, normalize_email
from ..domain.errors import Conflict, NotFound
from ..domain.ids import is_case_number, stable_id
from ..domain.inbound_mail import InboundMail, MailPart, MailRefused, parse_mail
from ..domain.limits import (
    CASE_TEXT_BYTES,
    PRECASE_HTML_BYTES,
    PRECASE_TEXT_BYTES,
    SHORT_TEXT_BYTES,
    fit_utf8,
)
from ..domain.mail_auth import MailAuth, unverified_reason
from ..domain.mail_machines import AutomaticMail
from ..domain.mail_text import sanitize_html
from ..domain.mail_threads import SentMail, TakenMail, message_key, sent_id
from ..domain.model import Model
from ..domain.notifications import Notice, notice_of_failed_delivery
from ..domain.permissions import Principal, Role
from ..domain.precases import (
    PreCase,
    PreCaseFile,
    PreCaseMessage,
    PreCaseWarning,
    Sender,
    WarningCode,
    likely_type,
    mood_of,
    suggest,
)
from ..domain.topics import topic_of
from ..observability import logger
from .case_commands import Comment
from .cases import CaseService
from .ports import AttachmentFiles, CaseStore, CustomerStore, DirectoryStore, NoticeStore
from .precases import Arrival, ArrivingFile, PreCasePool

Operation = tuple[dict[str, Any], Exception]
#: warnings that keep a mail from speaking for a customer
UNTRUSTED = (WarningCode.SENDER_UNVERIFIED, WarningCode.SENDER_UNKNOWN)
#: a follow-up mail joins the pre-case at the version it read (its event's sequence); an
#: agent moving the pre-case meanwhile makes it read again and retry, a few times at most
_JOIN_ATTEMPTS = 3
#: a reply's body, as the case's history keeps it (characters, then bytes)
MAX_REPLY_CHARS = 20_000


class Mailbox(Protocol):
    def read(self, key: str, max_bytes: int) -> tuple[int, bytes | None]: ...


class MailJournal(Protocol):
    def operation(self, at: datetime, key: str, outcome: str, reason: str, sender: str,
                  subject: str) -> Operation: ...  # fmt: skip


class MailRefs(Protocol):
    def sent(self, message_id: str) -> SentMail | None: ...

    def taken(self, message_key: str) -> TakenMail | None: ...

    def taken_operation(self, taken: TakenMail) -> Operation: ...

    def write(self, operations: list[Operation]) -> None: ...


class MailOutcome(Model):
    key: str
    outcome: Literal["reply", "follow_up", "pre_case", "bounce", "automatic", "refused", "repeat"]
    reason: str = ""
    case_id: str | None = None
    case_number: str | None = None
    precase_id: str | None = None
    files: int = 0
    files_refused: list[str] = []


class Feedback(Model):
    """SES's bounce or complaint notification, in the shape the intake needs."""

    kind: Literal["bounce", "complaint"]
    #: the SES message id of the mail that bounced (what SendEmail returned)
    message_id: str
    recipients: list[str]
    permanent: bool = True
    reason: str = ""
    #: SES's feedback id: one notification, taken once
    feedback_id: str = ""


class _Target(Model):
    """Where a mail threads: a case, a waiting pre-case, or a closed case it names."""

    case: CaseWithHistory | None = None
    precase: PreCase | None = None
    closed: str | None = None


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
        notices: NoticeStore | None = None,
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
        self.notices = notices
        self.clock = clock

    # ---- one stored message ----------------------------------------------------------------

    def take(self, key: str, verdicts: MailAuth | None = None) -> MailOutcome:
        """The message SES stored at `key`; `verdicts`: SES's receipt notification's, when
        it came that way (else the message's own Authentication-Results header is read)."""
        size, raw = self.mailbox.read(key, self.max_bytes)
        if raw is None:
            why = f"{size} bytes is over {self.max_bytes}"
            return self._set_aside(key, f"s3:{key}", "refused", why)
        try:
            mail = parse_mail(raw, own_addresses=self.own_addresses, max_bytes=self.max_bytes)
        except MailRefused as exc:
            return self._set_aside(key, message_key(None, raw), "refused", exc.reason)
        mkey = message_key(mail.message_id, raw)
        taken = self.refs.taken(mkey)
        if taken is not None:
            return self._repeat(key, taken, mail)
        if mail.automatic == AutomaticMail.bounce and mail.bounce and mail.bounce.permanent:
            filed = self._bounce_mail(key, mkey, mail)
            if filed is not None:
                return filed
        if mail.automatic is not None:
            return self._set_aside(key, mkey, "automatic", mail.automatic.value, mail)
        auth = verdicts if verdicts is not None and verdicts.judged else mail.auth
        warnings = self._warnings(mail, auth)
        trusted = not any(w.code in UNTRUSTED for w in warnings)
        if trusted:
            target = self._thread(mail)
            if target.precase is not None:
                joined = self._follow_up(key, mkey, mail, target.precase)
                if joined is not None:
                    return joined
            if target.case is not None:
                replied = self._reply(key, mkey, mail, target.case)
                if replied is not None:
                    return replied
                target.closed = target.case.case.number
            if target.closed:
                warnings.append(PreCaseWarning(code=WarningCode.REPLY_TO_CLOSED_CASE,
                                               case_number=target.closed))  # fmt: skip
        return self._pre_case(key, mkey, mail, warnings, trusted)

    @staticmethod
    def _warnings(mail: InboundMail, auth: MailAuth) -> list[PreCaseWarning]:
        warnings = []
        unverified = unverified_reason(auth)
        if unverified:
            warnings.append(PreCaseWarning(code=WarningCode.SENDER_UNVERIFIED,
                                           detail=f"{unverified}: {auth.summary()}"))  # fmt: skip
        if mail.sender_problem:
            warnings.append(
                PreCaseWarning(code=WarningCode.SENDER_UNKNOWN, detail=mail.sender_problem)
            )
        if mail.name_was_address:
            warnings.append(PreCaseWarning(code=WarningCode.DISPLAY_NAME_ADDRESS))
        return warnings

    # ---- threading ---------------------------------------------------------------------------

    def _thread(self, mail: InboundMail) -> _Target:
        """The case or pre-case the headers name (nearest first), else the subject's case;
        only one whose customer (sender) is this mail's sender."""
        for message_id in mail.replied_ids:
            target = self._by_header(message_id, mail.from_address)
            if target is not None:
                return target
        if mail.case_number:
            found = self._case(mail.case_number, mail.from_address)
            if found is not None:
                return _Target(case=found)
        return _Target()

    def _by_header(self, message_id: str, sender: str) -> _Target | None:
        sent = self.refs.sent(sent_id(message_id))
        if sent is not None:
            found = self._case(sent.case_id, sender)
            return _Target(case=found) if found else None
        taken = self.refs.taken(message_id)
        if taken is None:
            return None
        if taken.precase_id and not taken.case_id:
            try:
                pre = self.pool.get(taken.precase_id)
            except NotFound:
                return None
            if pre.is_open:
                same = pre.sender.email and normalize_email(pre.sender.email) == sender
                return _Target(precase=pre) if same and not _untrusted(pre) else None
            case_ref = pre.case_id or pre.duplicate_of
        else:
            case_ref = taken.case_id
        found = self._case(case_ref, sender) if case_ref else None
        return _Target(case=found) if found else None

    def _case(self, ref: str, sender: str) -> CaseWithHistory | None:
        """The case, if this sender is its customer or an address it copies (its CC:
        docs/files-and-cc.md), whose mail lands on it as the customer's."""
        try:
            found = (
                self.case_store.get_by_number(ref)
                if is_case_number(ref)
                else self.case_store.get(ref)
            )
            customer = self.customers.get(found.case.customer_id)
        except NotFound:
            return None
        if customer.email and normalize_email(customer.email) == sender:
            return found
        if copied(found.case.cc, sender):
            return found
        logger.info("mail names a case of another customer", case_id=found.case.id)
        return None

    # ---- a reply on a case -------------------------------------------------------------------

    def _reply(
        self, key: str, mkey: str, mail: InboundMail, found: CaseWithHistory
    ) -> MailOutcome | None:
        """The customer's public reply with its files, or None when the case takes no
        replies (closed, or resolved past the reopen window)."""
        case = found.case
        caller = self._customer(mail, case.customer_id)
        whole = mail.reply_text or mail.text or mail.subject or "-"
        text, cut = fit_utf8(whole[:MAX_REPLY_CHARS], CASE_TEXT_BYTES)
        cut = cut or len(whole) > MAX_REPLY_CHARS  # the rest stays in the raw mail in S3
        verdicts = self._identified(mail.attachments)
        attachments = []
        for index, (part, verdict) in enumerate(verdicts):
            if verdict.refused:
                continue
            file_id = stable_id("f", mkey, str(index))
            self.files.keep(case.id, file_id, verdict.filename, verdict.content_type, part.content)
            attachments.append(Attachment(
                id=file_id, case_id=case.id, filename=verdict.filename,
                content_type=verdict.content_type, size=len(part.content), at=self.clock(),
                by=caller.actor,
            ))  # fmt: skip
        refused = _refusals(verdicts)
        data: dict[str, Any] = {"mail": key, "message_id": mail.message_id}
        if copied(case.cc, mail.from_address):
            data["cc_from"] = mail.from_address  # a copied colleague wrote, not the customer
        if refused:
            data["files_refused"] = refused
        if cut:
            data["text_cut"] = True
        taken = TakenMail(key=mkey, outcome="reply", object_key=key, case_id=case.id,
                          case_number=case.number, at=self.clock())  # fmt: skip
        for _attempt in range(3):
            current = self.case_store.get(case.id).case
            also = [
                self.refs.taken_operation(taken),
                *((self.case_store.attachment_operation(current, a),
                   Conflict("the file is on the case already", code="already_received"))
                  for a in attachments),
            ]  # fmt: skip
            try:
                self.cases.reply(caller, current.id, Comment(version=current.version, body=text),
                                 data=data, also=also)  # fmt: skip
            except Conflict as exc:
                if exc.code == "version_conflict":
                    continue
                if exc.code == "already_received":
                    return self._repeat(key, taken, mail)
                if exc.code in ("case_closed", "reopen_window_passed"):
                    logger.info("reply to a case that takes none", case_id=case.id, why=exc.code)
                    return None
                raise
            logger.info("mail threaded", case_id=case.id, mail_key=key)
            return MailOutcome(key=key, outcome="reply", case_id=case.id, case_number=case.number,
                               files=len(attachments),
                               files_refused=[r["filename"] for r in refused])  # fmt: skip
        raise Conflict("the case kept changing; the mail will be tried again", code="busy")

    def _customer(self, mail: InboundMail, customer_id: str) -> Caller:
        principal = Principal(kind="customer", subject=f"mail:{mail.from_address}",
                              username=mail.from_address, name=mail.from_name,
                              email=mail.from_address, customer_id=customer_id)  # fmt: skip
        return Caller(principal, self.customer_roles())

    @staticmethod
    def _identified(parts: list[MailPart]) -> list[tuple[MailPart, FileVerdict]]:
        """Each file judged by its bytes: kept as what it is, or refused with a reason."""
        return [(p, identify_file(p.filename, p.content_type, p.content)) for p in parts]

    # ---- a follow-up on a waiting pre-case ---------------------------------------------------

    def _follow_up(
        self, key: str, mkey: str, mail: InboundMail, pre: PreCase
    ) -> MailOutcome | None:
        """The sender's later mail joins their open pre-case; if it was converted meanwhile,
        None (the caller threads it again, onto the case)."""
        text, cut = fit_utf8(
            mail.reply_text or mail.text or mail.subject or "-", PRECASE_TEXT_BYTES
        )
        verdicts = self._identified(mail.attachments)
        files = self._keep_files(pre.id, mkey, verdicts)
        warnings = (
            [PreCaseWarning(code=WarningCode.TEXT_CUT, detail=str(len(text.encode())))]
            if cut
            else []
        )
        warnings += _file_warnings(verdicts)
        message = PreCaseMessage(
            id=stable_id("m", mkey), received_at=self.clock(),
            subject=fit_utf8(mail.subject, SHORT_TEXT_BYTES)[0], text=text,
            message_id=mail.message_id, files=files, warnings=warnings, source_ref=f"s3:{key}",
        )  # fmt: skip
        taken = TakenMail(key=mkey, outcome="follow_up", object_key=key, precase_id=pre.id,
                          at=self.clock())  # fmt: skip
        try:
            joined = self._join(pre, message, taken)
        except Conflict as exc:
            if exc.code != "already_received":
                raise
            return self._repeat(key, taken, mail)
        if not joined:
            ref = (lambda now: now.case_id or now.duplicate_of)(self.pool.get(pre.id))
            found = self._case(ref, mail.from_address) if ref else None
            return self._reply(key, mkey, mail, found) if found else None
        logger.info("mail joined its pre-case", precase_id=pre.id, mail_key=key)
        return MailOutcome(key=key, outcome="follow_up", precase_id=pre.id, files=len(files),
                           files_refused=[r["filename"] for r in _refusals(verdicts)])  # fmt: skip

    def _join(self, pre: PreCase, message: PreCaseMessage, taken: TakenMail) -> bool:
        """The mail onto the pre-case at the version read; read again when an agent moved it
        meanwhile. False once it is converted or set aside."""
        for attempt in range(_JOIN_ATTEMPTS):
            try:
                self.pool.join(pre, message, [self.refs.taken_operation(taken)])
                return True
            except Conflict as exc:
                if exc.code == "precase_finished":
                    return False
                if exc.code != "version_conflict" or attempt + 1 == _JOIN_ATTEMPTS:
                    raise
                pre = self.pool.get(pre.id)
        return False  # pragma: no cover - the loop returns or raises

    def _keep_files(
        self, pre_id: str, mkey: str, verdicts: list[tuple[MailPart, FileVerdict]]
    ) -> list[PreCaseFile]:
        kept = []
        for index, (part, verdict) in enumerate(verdicts):
            if verdict.refused:
                continue
            file_id = stable_id("f", mkey, str(index))
            self.files.keep_for_precase(pre_id, file_id, verdict.filename, verdict.content_type,
                                        part.content)  # fmt: skip
            kept.append(
                PreCaseFile(
                    id=file_id,
                    filename=verdict.filename,
                    content_type=verdict.content_type,
                    size=len(part.content),
                )
            )
        return kept

    # ---- a new pre-case ----------------------------------------------------------------------

    def _pre_case(
        self, key: str, mkey: str, mail: InboundMail, warnings: list[PreCaseWarning],
        trusted: bool,
    ) -> MailOutcome:  # fmt: skip
        text, text_cut = fit_utf8(mail.text or mail.subject, PRECASE_TEXT_BYTES)
        html, html_cut = fit_utf8(mail.html or "", PRECASE_HTML_BYTES)
        if html_cut:  # a cut can leave a tag open; the sanitizer closes it
            html = fit_utf8(sanitize_html(html), PRECASE_HTML_BYTES)[0]
        subject = fit_utf8(mail.subject, SHORT_TEXT_BYTES)[0]
        if text_cut:
            warnings.append(
                PreCaseWarning(code=WarningCode.TEXT_CUT, detail=str(len(text.encode())))
            )
        if html_cut:
            warnings.append(
                PreCaseWarning(code=WarningCode.HTML_CUT, detail=str(len(html.encode())))
            )
        verdicts = self._identified(mail.attachments)
        warnings += _file_warnings(verdicts)
        mood = mood_of(f"{subject}\n{text[:20000]}")
        topic = topic_of(self.directory.list_rules(), f"{subject}\n{text[:20000]}")
        pre_id = stable_id("p", mkey)
        files = [
            ArrivingFile(id=stable_id("f", mkey, str(index)), filename=verdict.filename,
                         content_type=verdict.content_type, content=part.content)
            for index, (part, verdict) in enumerate(verdicts)
            if not verdict.refused
        ]  # fmt: skip
        taken = TakenMail(key=mkey, outcome="pre_case", object_key=key, precase_id=pre_id,
                          at=self.clock())  # fmt: skip
        name = fit_utf8(mail.from_name, SHORT_TEXT_BYTES)[0]
        try:
            pre = self.pool.receive(
                Arrival(
                    channel=Channel.EMAIL,
                    subject=subject or "(konusuz)",
                    text=text,
                    html=html or None,
                    case_type=likely_type(mood),
                    sender=Sender(name=name, email=mail.from_address or None),
                    mood=mood,
                    topic=topic.id,
                    suggested_action=suggest(mood, False),
                    source_ref=f"s3:{key}",
                    received_at=self.clock(),
                    message_id=mail.message_id,
                    warnings=warnings,
                ),
                files=files,
                also=lambda _pre_id: [self.refs.taken_operation(taken)[0]],
                precase_id=pre_id,
                match=trusted,
            )
        except Conflict as exc:
            if exc.code != "already_received":
                raise
            return self._repeat(key, taken, mail)
        return MailOutcome(key=key, outcome="pre_case", precase_id=pre.id, files=len(files),
                           files_refused=[r["filename"] for r in _refusals(verdicts)])  # fmt: skip

    # ---- bounces -----------------------------------------------------------------------------

    def _bounce_mail(self, key: str, mkey: str, mail: InboundMail) -> MailOutcome | None:
        """A DSN: filed on the notice it returns, or None when it names none of ours."""
        report = mail.bounce
        assert report is not None
        failed = next((r for r in report.recipients if r.permanent), None)
        feedback = Feedback(
            kind="bounce", message_id="", recipients=[failed.address] if failed else [],
            reason=report.reason() or mail.subject[:200],
        )  # fmt: skip
        for original in report.original_ids:
            sent = self.refs.sent(sent_id(original))
            if sent is not None:
                return self._file_bounce(key, mkey, sent, sent_id(original), feedback, mail)
        return None

    def take_feedback(self, feedback: Feedback) -> MailOutcome:
        """SES's bounce or complaint notification for a notice destek sent."""
        key = f"ses:{feedback.feedback_id or feedback.message_id}:{feedback.kind}"
        if self.refs.taken(key) is not None:
            return MailOutcome(key=key, outcome="repeat")
        sent = self.refs.sent(feedback.message_id)
        if sent is None or not feedback.permanent:
            why = "transient" if not feedback.permanent else "names no notice of ours"
            return self._set_aside(key, key, "automatic", f"{feedback.kind}: {why}")
        return self._file_bounce(key, key, sent, feedback.message_id, feedback, None)

    def _file_bounce(
        self,
        key: str,
        mkey: str,
        sent: SentMail,
        ses_id: str,
        feedback: Feedback,
        mail: InboundMail | None,
    ) -> MailOutcome:
        """Steps, each safe to repeat: mark the customer's address, then in one write fail
        the notice, note it in the case's history, tell the agent, and record the mail."""
        if self.notices is None:
            raise RuntimeError("the intake was built without a notice store")
        found = self.case_store.get(sent.case_id)
        # by the notice's id, or (a mail remembered before notice ids were) by its delivery
        notice = next(
            (
                n
                for n in found.notices
                if n.id == sent.notice_id
                or (not sent.notice_id and any(d.message_id == ses_id for d in n.deliveries))
            ),
            None,
        )
        if notice is None:
            return self._set_aside(key, mkey, "automatic", "bounce of a notice not found", mail)
        # the delivery that bounced: a reply goes to the customer and the case's CC, so the
        # bounced message (or its recipient) says whose address failed, not the first one
        emailed = [d for d in notice.deliveries if d.channel == "email"]
        bounced = {normalize_email(r) for r in feedback.recipients or []}
        delivery = (
            next((d for d in emailed if d.message_id == ses_id), None)
            or next((d for d in emailed if normalize_email(d.to) in bounced), None)
            or next(iter(emailed), None)
        )
        address = normalize_email(delivery.to if delivery else (feedback.recipients or [""])[0])
        reason = feedback.reason or feedback.kind
        now = self.clock()
        if notice.audience == "customer":
            customer = self.customers.get(found.case.customer_id)
            if customer.email and normalize_email(customer.email) == address:
                self.customers.mark_undeliverable(customer, EmailUndeliverable(
                    address=address, kind=feedback.kind, reason=reason, at=now,
                    case_number=found.case.number, notice_id=notice.id,
                ))  # fmt: skip
        taken = TakenMail(key=mkey, outcome="bounce", object_key=key, case_id=found.case.id,
                          case_number=found.case.number, at=now)  # fmt: skip
        data = {"notice_id": notice.id, "event": notice.event.value, "to": address,
                "reason": reason, "kind": feedback.kind}  # fmt: skip
        entry = HistoryEntry(id=stable_id("h", mkey), case_id=found.case.id, at=now, actor=SYSTEM,
                             kind=EntryKind.DELIVERY_FAILED, reason_code=(
                ReasonCode.BOUNCED if feedback.kind == "bounce" else ReasonCode.COMPLAINED),
                             data=data)  # fmt: skip
        tell = notice_of_failed_delivery(found.case, notice, address, reason, now)
        journal = self.journal.operation(now, key, "bounce", reason,
                                         mail.from_address if mail else "ses",
                                         mail.subject if mail else feedback.kind)  # fmt: skip
        try:
            self.refs.write([
                self.notices.fail_operation(found.case.id, notice.id, reason),
                (self.case_store.entry_operation(found.case, entry),
                 Conflict("filed already", code="already_received")),
                *self._notice_operations(found.case, tell),
                self.refs.taken_operation(taken),
                journal,
            ])  # fmt: skip
        except Conflict as exc:
            if exc.code not in ("already_failed", "already_received"):
                raise
            logger.info("bounce filed before", notice_id=notice.id, mail_key=key)
            return MailOutcome(key=key, outcome="repeat", case_id=found.case.id,
                               case_number=found.case.number)  # fmt: skip
        self.cases.announce([tell])
        logger.info("bounce filed", notice_id=notice.id, case_id=found.case.id, mail_key=key)
        return MailOutcome(key=key, outcome="bounce", case_id=found.case.id,
                           case_number=found.case.number, reason=reason)  # fmt: skip

    def _notice_operations(self, case: Case, tell: Notice) -> list[Operation]:
        op = self.case_store.notice_operation(case, tell)
        return [(op, Conflict("the notice is there already", code="already_received"))]

    # ---- nothing opened ----------------------------------------------------------------------

    def _repeat(self, key: str, taken: TakenMail, mail: InboundMail | None) -> MailOutcome:
        """The same mail again: nothing changes; the journal says where the first copy went."""
        sender, subject = (mail.from_address, mail.subject) if mail else ("", "")
        where = taken.case_number or taken.precase_id or taken.outcome
        line = self.journal.operation(self.clock(), key, "repeat", f"{taken.key} → {where}",
                                      sender, subject)  # fmt: skip
        self.refs.write([line])
        logger.info("mail taken before", mail_key=key, first=taken.object_key)
        return MailOutcome(key=key, outcome="repeat", case_id=taken.case_id,
                           case_number=taken.case_number, precase_id=taken.precase_id)  # fmt: skip

    def _set_aside(
        self, key: str, mkey: str, outcome: Literal["automatic", "refused"], reason: str,
        mail: InboundMail | None = None,
    ) -> MailOutcome:  # fmt: skip
        sender, subject = (mail.from_address, mail.subject) if mail else ("", "")
        now = self.clock()
        taken = TakenMail(key=mkey, outcome=outcome, object_key=key, at=now)
        try:
            self.refs.write(
                [
                    self.refs.taken_operation(taken),
                    self.journal.operation(now, key, outcome, reason, sender, subject),
                ]
            )
        except Conflict:
            return self._repeat(key, taken, mail)
        logger.warning("inbound mail opened nothing", mail_key=key, outcome=outcome, why=reason)
        return MailOutcome(key=key, outcome=outcome, reason=reason)


def _untrusted(pre: PreCase) -> bool:
    return any(w.code in UNTRUSTED for w in pre.warnings)


def _refusals(verdicts: list[tuple[MailPart, FileVerdict]]) -> list[dict[str, str]]:
    return [{"filename": v.filename, "reason": v.refused} for _, v in verdicts if v.refused]


def _file_warnings(verdicts: list[tuple[MailPart, FileVerdict]]) -> list[PreCaseWarning]:
    refused = _refusals(verdicts)
    return [PreCaseWarning(code=WarningCode.FILE_REFUSED, filename=r["filename"],
                           detail=r["reason"]) for r in refused]  # fmt: skip
