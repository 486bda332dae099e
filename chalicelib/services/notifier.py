"""Delivering notices: addresses, channel and quiet hours, templates, sending, recording.

Delivery is at least once and never concurrent: a delivery first claims the notice
(a conditional write with a lease), so two copies of its queue message cannot both
send; a delivery that dies leaves a lease that runs out, and the outbox sweep
hands the notice out again.

But not forever: a notice gets `max_attempts` tries (claims). An address no one can
send to (stored before addresses were checked), a provider's refusal of a recipient
(SES MessageRejected, an invalid parameter), a customer who is gone, or a spent
budget mark it `failed` with the reason in `note`; the case's history says so in the
same write, and the NoticesFailed metric (EMF) counts it for the alarm.

Staff are mailed what is theirs (docs/notifications.md): a group's arrival goes out as the
group chose (filed for its digest, `skipped` with a note; mailed to each member; or not
mailed), and nobody who opted out of notice emails is mailed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..domain.attachments import FILE_LINK_DAYS, customer_files, file_subject
from ..domain.case_record import CaseWithHistory
from ..domain.cases import SYSTEM, EntryKind, HistoryEntry, Visibility
from ..domain.clock import to_iso, utcnow
from ..domain.customers import Customer
from ..domain.emails import is_valid_email
from ..domain.errors import NotFound
from ..domain.ids import new_id
from ..domain.links import console_case_url, file_link_url, site_case_url, site_rating_url
from ..domain.notifications import (
    HANDOFF,
    LINE,
    Delivery,
    Notice,
    NoticeEvent,
    quiet_until,
)
from ..domain.ratings import SCALE
from ..domain.signed_links import LinkPurpose, LinkSigner
from ..domain.sla import TargetKind
from ..domain.sms import for_sending, size_of
from ..domain.staff_notices import arrival_outcome, is_arrival, staff_addresses
from ..observability import MetricUnit, count_notice_failed, emit, logger, milliseconds
from .ports import (
    ArrivalStore,
    CaseStore,
    CustomerStore,
    DirectoryStore,
    NoticeQueue,
    NoticeStore,
    RenderedNotice,
    Renderer,
    Sender,
)


class Notifier:
    def __init__(
        self,
        cases: CaseStore,
        notices: NoticeStore,
        customers: CustomerStore,
        directory: DirectoryStore,
        sender: Sender,
        renderer: Renderer,
        queue: NoticeQueue,
        clock: Callable[[], datetime] = utcnow,
        lease: timedelta = timedelta(minutes=5),
        site_url: str = "",
        sms_alphabet: str = "ucs2",
        console_url: str = "",
        max_attempts: int = 5,
        links: Callable[[], LinkSigner] | None = None,
        rating_link_days: int = 7,
        rating_scale: int = SCALE,
        arrivals: ArrivalStore | None = None,
    ) -> None:
        #: where arrivals of digest groups are filed (None: they are mailed one by one)
        self.arrivals = arrivals
        #: signs the rating link the resolved and closed notices carry (None: no link)
        self.links = links
        self.rating_link_days = rating_link_days
        #: the shop's rating scale (RATING_SCALE): one link per score, 1 to it
        self.rating_scale = rating_scale
        self.sms_alphabet = sms_alphabet
        self.max_attempts = max_attempts
        self.cases = cases
        self.notices = notices
        self.customers = customers
        self.directory = directory
        self.sender = sender
        self.renderer = renderer
        self.queue = queue
        self.clock = clock
        self.lease = lease
        self.site_url = site_url.rstrip("/")
        self.console_url = console_url.rstrip("/")

    def announce(self, notices: list[Notice]) -> None:
        """Right after the write: ask for delivery. A lost message is found by the sweep."""
        for notice in notices:
            try:
                self.queue.enqueue(notice.case_id, notice.id)
            except Exception:  # noqa: BLE001 - any transport failure; the outbox sweep recovers
                logger.exception("notice not queued; the outbox sweep will", notice_id=notice.id)

    def sweep_outbox(self, limit: int = 500) -> int:
        """Every minute: hand out notices whose time has come (held ones, ones whose lease ran
        out, ones the queue seems to have lost). Each goes to the queue once a HANDOFF: a
        notice still waiting in a slow queue is not queued again at every sweep."""
        now = self.clock()
        handed = 0
        for case_id, notice_id in self.notices.awaiting(to_iso(now), limit):
            if self.notices.hand_out(case_id, notice_id, now, now + HANDOFF):
                self.queue.enqueue(case_id, notice_id)
                handed += 1
        return handed

    def deliver(self, case_id: str, notice_id: str) -> str:
        now = self.clock()
        notice = self.notices.get(case_id, notice_id)
        if notice is None or not notice.awaiting:
            return "done already"
        # due when decided, or when the quiet hours it was held for ended (NotificationLatency)
        due = notice.deliver_after if notice.status == "held" else notice.created_at
        claimed = self.notices.claim(notice, now, self.lease)
        if claimed is None:
            return "not due or taken"
        found = self.cases.get(case_id)
        if claimed.attempts > self.max_attempts:  # earlier tries died before they could say
            return self._fail(found, claimed, "retry_budget_spent", f"{claimed.attempts - 1}")
        if self.said(found, claimed) is None:  # its line is gone, or no longer the reader's
            self._finish(found, claimed, status="skipped",
                         note=f"line_gone: {claimed.data.get(LINE)}")  # fmt: skip
            return "skipped"
        try:
            customer = self.customers.get(found.case.customer_id)
        except NotFound:
            return self._fail(found, claimed, "no_customer", found.case.customer_id)
        copied: list[str] = []  # the case's CC addresses this notice also goes to
        if claimed.audience == "customer":
            held = None if claimed.urgent else quiet_until(customer.contact, now)
            if held:
                self._finish(found, claimed, status="held", deliver_after=held, note="quiet hours")
                return "held"
            language = customer.language.value
            targets = [(c, to, language) for c, to in self._customer_targets(customer)]
            if claimed.event in self.CC_NOTICES:  # the case's public messages reach its CC
                mine = {to for _, to, _ in targets}
                copied = [to for to in found.case.cc if to not in mine]
                targets += [("email", to, language) for to in copied]
        else:
            routed = self._route_arrival(found, claimed, now)
            if routed:
                self._finish(found, claimed, status="skipped", note=routed)
                return "skipped"
            targets = [("email", to, lang) for to, lang in self._staff_emails(found, claimed)]
        if not targets:
            self._finish(found, claimed, status="skipped", note="no address to send to")
            return "skipped"
        unusable = [to for ch, to, _ in targets if ch == "email" and not is_valid_email(to)]
        targets = [t for t in targets if t[1] not in unusable]
        if not targets:
            return self._fail(found, claimed, "invalid_address", ", ".join(unusable))
        # one text per language, and per kind of reader: the customer, or a copied address
        texts = {
            (language, cc): self._render(found, claimed, customer, language, copied=cc)
            for language, cc in dict.fromkeys((t[2], t[1] in copied) for t in targets)
        }
        # an earlier try that was cut short kept what it sent: those addresses are not sent to
        # again (a group notice, throttled at its third address, mailed the first two twice)
        sent_before = {(d.channel, d.to) for d in claimed.deliveries}
        deliveries = list(claimed.deliveries)
        refused = [f"invalid_address: {to}" for to in unusable]
        for channel, to, language in targets:
            if (channel, to) in sent_before:
                continue
            text = texts[(language, to in copied)]
            parts = None
            try:
                if channel == "email":
                    message_id = self.sender.email(to, text.subject, text.email)
                else:
                    sms = for_sending(text.sms, self.sms_alphabet)
                    parts = size_of(sms).parts
                    message_id = self.sender.sms(to, sms)
            except Exception as exc:
                code = refusal_of(exc)
                if code is None and claimed.attempts < self.max_attempts:
                    if len(deliveries) > len(claimed.deliveries):  # keep what went out
                        self._finish(found, claimed, status="sending", deliveries=deliveries,
                                     deliver_after=claimed.deliver_after)  # fmt: skip
                    raise  # tried again when the lease runs out (the outbox sweep)
                refused.append(f"{code or 'retry_budget_spent'}: {to}: {str(exc)[:200]}")
                continue
            deliveries.append(
                Delivery(channel=channel, to=to, message_id=message_id, at=now, parts=parts)
            )
        if not deliveries:
            reason, _, detail = refused[-1].partition(": ")
            return self._fail(found, claimed, reason, detail, deliveries=deliveries)
        note = "; ".join(refused) or None
        self._finish(found, claimed, status="sent", deliveries=deliveries, note=note)
        emit("NoticesSent", MetricUnit.Count, 1)
        emit("NotificationLatency", MetricUnit.Milliseconds, milliseconds(due, self.clock()))
        logger.info("notice sent", notice_id=notice_id, notice_event=claimed.event, to=len(targets))
        return "sent"

    def _finish(
        self, found: CaseWithHistory, notice: Notice, entry: HistoryEntry | None = None,
        **update: Any,
    ) -> None:  # fmt: skip
        if "deliver_after" not in update:
            update["deliver_after"] = notice.created_at
        self.notices.finish(notice.model_copy(update=update), found.case.number, entry)

    def _fail(
        self, found: CaseWithHistory, notice: Notice, reason: str, detail: str, **update: Any
    ) -> str:
        """Give the notice up: `failed` with the reason, a line in the case's history (in the
        same write), a NoticesFailed datapoint. `reason` is a stable code; `detail` says more."""
        entry = HistoryEntry(
            id=new_id("h"), case_id=found.case.id, at=self.clock(), actor=SYSTEM,
            kind=EntryKind.NOTICE_FAILED,
            data={"notice_id": notice.id, "event": notice.event.value,
                  "audience": notice.audience, "reason": reason, "detail": detail[:500],
                  "attempts": notice.attempts},
        )  # fmt: skip
        self._finish(found, notice, entry, status="failed", note=f"{reason}: {detail}"[:500],
                     **update)  # fmt: skip
        count_notice_failed()
        logger.warning("notice failed", notice_id=notice.id, case_id=found.case.id,
                       reason=reason, attempts=notice.attempts)  # fmt: skip
        return "failed"

    @staticmethod
    def _customer_targets(customer: Customer) -> list[tuple[str, str]]:
        """The customer's channel, or whatever works: an address that bounced is not used
        (mail_intake marks it), so the notice goes by SMS when there is a phone."""
        wanted = customer.contact.channel
        email = customer.email if customer.email_deliverable else None
        targets = []
        if wanted in ("email", "both") and email:
            targets.append(("email", email))
        if wanted in ("sms", "both") and customer.phone:
            targets.append(("sms", customer.phone))
        if not targets:  # the preferred channel has no address: use whatever we have
            if email:
                targets.append(("email", email))
            elif customer.phone:
                targets.append(("sms", customer.phone))
        return targets

    def _route_arrival(self, found: CaseWithHistory, notice: Notice, now: datetime) -> str:
        """An arrival in a group that does not want one email per case (domain/
        staff_notices.py `arrival_outcome`): filed for the group's digest, or not mailed at
        all. Returns the note the notice keeps, or "" when it is mailed now like any other.
        Routing settles the arrivals it decides itself (services/routing.py); these are the
        others: a case moved to a group unassigned, a notice decided before."""
        case = found.case
        if not is_arrival(notice) or not case.group_id:
            return ""
        group = self.directory.get_group(case.group_id)
        outcome = arrival_outcome(notice, case, group, now, digests=self.arrivals is not None)
        if outcome is None:
            return ""
        if self.arrivals is not None and outcome.arrival and outcome.window:
            self.arrivals.add(case.group_id, outcome.window, outcome.arrival)
        return outcome.note

    def _staff_emails(self, found: CaseWithHistory, notice: Notice) -> list[tuple[str, str]]:
        """(address, language) of each staff member the notice is for who may be mailed
        (active, not opted out: domain/staff_notices.py `mailable`); managers named only by
        address in an escalation ladder read the shop's language, Turkish."""
        if notice.audience == "managers":
            return [(address, "tr") for address in notice.emails]
        case = found.case
        if notice.audience == "followers":
            staff = {member.username: member for member in self.directory.list_staff()}
            return [(staff[u].email, str(staff[u].language)) for u in case.followers
                    if u not in notice.exclude and u in staff and staff[u].email]  # fmt: skip
        group = self.directory.get_group(case.group_id) if case.group_id else None
        if notice.audience == "assignee":
            usernames = [case.assignee] if case.assignee else []
        elif notice.audience == "supervisors":
            usernames = group.supervisors if group else []
        else:  # the group, and its assignee if any
            usernames = [
                *(group.members if group else []),
                *([case.assignee] if case.assignee else []),
            ]
        staff = {member.username: member for member in self.directory.list_staff()}
        return staff_addresses(usernames, staff, notice.exclude)

    def _context(
        self, found: CaseWithHistory, notice: Notice, customer: Customer, language: str
    ) -> dict:
        """The notice's facts as codes, names and ISO times; the templates say them in words
        (`word`, `when`: messaging/templates.py). People are named, never shown by id.
        `case_url` is the reader's own way to the case: the site's case page for the
        customer, the console's case screen for staff; `track_url` is the same link under
        the name the customer templates know. The case's facts are today's, but for its
        priority, which is the one the notice was decided with (Notice.priority)."""
        case = found.case
        group = self.directory.get_group(case.group_id) if case.group_id else None
        assignee = self.directory.get_staff(case.assignee) if case.assignee else None
        target = notice.data.get("target")
        clock = (
            case.sla.clock(TargetKind(target)) if case.sla and target in set(TargetKind) else None
        )
        if notice.audience == "customer":
            link = site_case_url(self.site_url, language, case.number)
        else:
            link = console_case_url(self.console_url, language, case.number)
        facts = case.model_dump(mode="json")
        if notice.priority is not None:  # as it was when the notice was decided
            facts["priority"] = notice.priority.value
        return {
            "case": facts,
            "customer_name": customer.name,
            "case_url": link,
            "track_url": link if notice.audience == "customer" else "",
            "group_name": group.name if group else "",
            "assignee_name": (assignee.name if assignee else case.assignee) or "",
            "target_due": to_iso(clock.due_at) if clock and clock.due_at else "",
            **self._rating_links(found, notice, language),
            **{key: value for key, value in notice.data.items() if key != LINE},
            **(self.said(found, notice) or {}),
            "files": self._file_links(found, notice),
            **self._survivor_link(notice, language),
        }

    @staticmethod
    def said(found: CaseWithHistory, notice: Notice) -> dict[str, str] | None:
        """The text a notice says, as its templates' `body`: `{"body": <the line's text>}`
        for a notice naming its history line (domain/notifications.py `said_in`), read from
        the case partition the delivery has read already (no further read); `{}` for a
        notice that names none (one stored before issue 21 carries its `body` in its data,
        one of another event has no text). None when the named line is gone, or, for the
        customer, no longer public: the notice is then skipped, never sent without its text
        or with a text the customer may not read.

        The rule (docs/notifications.md): a notice says what its line says when it is
        delivered, not what it said when the notice was decided, so a text an agent
        withdrew or corrected meanwhile never reaches the customer as it was."""
        line_id = notice.data.get(LINE)
        if line_id is None:
            return {}
        line = next((entry for entry in found.history if entry.id == line_id), None)
        if line is None:
            return None
        if notice.audience == "customer" and line.visibility != Visibility.PUBLIC:
            return None
        return {"body": line.body or ""}

    #: the customer notices the case's CC addresses receive too: its public messages
    CC_NOTICES = frozenset({NoticeEvent.AGENT_REPLIED})

    def _render(
        self, found: CaseWithHistory, notice: Notice, customer: Customer, language: str,
        *, copied: bool,
    ) -> RenderedNotice:  # fmt: skip
        """The notice's text for one language. A copied (CC) address's version has `copied`
        true and no `case_url`/`track_url`: the site's case page opens only to the customer
        signed in, so the template says to answer by replying to the email instead (mail
        from a copied address threads onto the case: docs/files-and-cc.md); the files'
        signed links stay."""
        context = self._context(found, notice, customer, language)
        if copied:
            context |= {"case_url": "", "track_url": ""}
        return self.renderer.render(notice.event.value, language, {**context, "copied": copied})

    def _file_links(self, found: CaseWithHistory, notice: Notice) -> list[dict[str, str]]:
        """The files a reply carries as `{filename, size, url}`, each url a signed link
        (LinkPurpose.case_file, bound to the case's customer, FILE_LINK_DAYS) that answers
        with a fresh S3 link; a file no longer on the case, or one of a note, is left out;
        [] without keys or an address."""
        ids = notice.data.get("attachment_ids") or []
        if not ids or notice.audience != "customer" or self.links is None:
            return []
        case = found.case
        files = {a.id: a for a in customer_files(found.attachments)}
        expires = self.clock() + timedelta(days=FILE_LINK_DAYS)
        signer = self.links()
        result = []
        for i in ids:
            if i not in files:
                continue
            token = signer.sign(LinkPurpose.case_file, file_subject(case.id, i),
                                case.customer_id, expires)  # fmt: skip
            url = file_link_url(self.console_url, token)
            if url:
                result.append({"filename": files[i].filename, "size": files[i].size, "url": url})
        return result

    def _survivor_link(self, notice: Notice, language: str) -> dict:
        """A merged case's notice links to the case that carries on (`into_url`)."""
        into = notice.data.get("into_number")
        if not into or notice.audience != "customer":
            return {}
        return {"into_url": site_case_url(self.site_url, language, into)}

    #: the customer notices that ask for a rating: resolved always, closed while unrated
    RATING_NOTICES = frozenset({NoticeEvent.CASE_RESOLVED, NoticeEvent.CASE_CLOSED})

    def _rating_links(self, found: CaseWithHistory, notice: Notice, language: str) -> dict:
        """`rating_url` (the page) and `rating_urls` (score → the page with it pre-selected)
        of a signed link minted now, bound to the case and its customer and working for
        `rating_link_days`; empty for other notices, for a closed case the customer rated
        already, or without a site or keys."""
        case = found.case
        wanted = notice.audience == "customer" and notice.event in self.RATING_NOTICES
        if notice.event == NoticeEvent.CASE_CLOSED and case.rating is not None:
            wanted = False
        if not wanted or self.links is None or not self.site_url:
            return {}
        expires = self.clock() + timedelta(days=self.rating_link_days)
        token = self.links().sign(LinkPurpose.case_rating, case.id, case.customer_id, expires)
        return {
            "rating_url": site_rating_url(self.site_url, language, token),
            "rating_urls": {n: site_rating_url(self.site_url, language, token, n)
                            for n in range(1, self.rating_scale + 1)},
            "rating_scale": self.rating_scale,
            "rating_days": self.rating_link_days,
        }  # fmt: skip


#: a provider's answers that no retry changes: the recipient is refused as such
PERMANENT_REFUSALS = frozenset(
    {"MessageRejected", "InvalidParameterValue", "InvalidParameter", "InvalidParameterException"}
)


def refusal_of(error: Exception) -> str | None:
    """ "rejected" when the provider refused the recipient for good (SES, SNS); None when a
    retry may succeed (throttling, a timeout, the network)."""
    response = getattr(error, "response", None)
    code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    return "rejected" if code in PERMANENT_REFUSALS else None
