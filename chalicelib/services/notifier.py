"""Delivering notices: addresses, channel and quiet hours, templates, sending, recording.

Delivery is at least once and never concurrent: a delivery first claims the notice
(a conditional write with a lease), so two copies of its queue message cannot both
send; a delivery that dies leaves a lease that runs out, and the outbox sweep
hands the notice out again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..domain.case_record import CaseWithHistory
from ..domain.clock import ISTANBUL, to_iso, utcnow
from ..domain.customers import Customer
from ..domain.notifications import Delivery, Notice, quiet_until
from ..observability import logger
from .ports import (
    CaseStore,
    CustomerStore,
    DirectoryStore,
    NoticeQueue,
    NoticeStore,
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
    ) -> None:
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

    def announce(self, notices: list[Notice]) -> None:
        """Right after the write: ask for delivery. A lost message is found by the sweep."""
        for notice in notices:
            try:
                self.queue.enqueue(notice.case_id, notice.id)
            except Exception:  # noqa: BLE001 - any transport failure; the outbox sweep recovers
                logger.exception("notice not queued; the outbox sweep will", notice_id=notice.id)

    def sweep_outbox(self, limit: int = 500) -> int:
        """Every minute: hand out notices whose time has come (held ones, lost ones)."""
        due = self.notices.awaiting(to_iso(self.clock()), limit)
        for case_id, notice_id in due:
            self.queue.enqueue(case_id, notice_id)
        return len(due)

    def deliver(self, case_id: str, notice_id: str) -> str:
        now = self.clock()
        notice = self.notices.get(case_id, notice_id)
        if notice is None or not notice.awaiting:
            return "done already"
        claimed = self.notices.claim(notice, now, self.lease)
        if claimed is None:
            return "not due or taken"
        found = self.cases.get(case_id)
        customer = self.customers.get(found.case.customer_id)
        if claimed.audience == "customer":
            held = None if claimed.urgent else quiet_until(customer.contact, now)
            if held:
                self._finish(found, claimed, status="held", deliver_after=held, note="quiet hours")
                return "held"
            targets = self._customer_targets(customer)
            language = customer.language.value
        else:
            targets = [("email", address) for address in self._staff_emails(found, claimed)]
            language = "tr"
        if not targets:
            self._finish(found, claimed, status="skipped", note="no address to send to")
            return "skipped"
        text = self.renderer.render(
            claimed.event.value, language, self._context(found, claimed, customer)
        )
        deliveries = []
        for channel, to in targets:
            if channel == "email":
                message_id = self.sender.email(to, text.subject, text.email)
            else:
                message_id = self.sender.sms(to, text.sms)
            deliveries.append(Delivery(channel=channel, to=to, message_id=message_id, at=now))
        self._finish(found, claimed, status="sent", deliveries=deliveries)
        logger.info("notice sent", notice_id=notice_id, notice_event=claimed.event, to=len(targets))
        return "sent"

    def _finish(self, found: CaseWithHistory, notice: Notice, **update: Any) -> None:
        if "deliver_after" not in update:
            update["deliver_after"] = notice.created_at
        self.notices.finish(notice.model_copy(update=update), found.case.number)

    @staticmethod
    def _customer_targets(customer: Customer) -> list[tuple[str, str]]:
        wanted = customer.contact.channel
        targets = []
        if wanted in ("email", "both") and customer.email:
            targets.append(("email", customer.email))
        if wanted in ("sms", "both") and customer.phone:
            targets.append(("sms", customer.phone))
        if not targets:  # the preferred channel has no address: use whatever we have
            if customer.email:
                targets.append(("email", customer.email))
            elif customer.phone:
                targets.append(("sms", customer.phone))
        return targets

    def _staff_emails(self, found: CaseWithHistory, notice: Notice) -> list[str]:
        if notice.audience == "managers":
            return list(notice.emails)
        case = found.case
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
        emails = [staff[u].email for u in dict.fromkeys(usernames) if u in staff and staff[u].email]
        return emails

    def _context(self, found: CaseWithHistory, notice: Notice, customer: Customer) -> dict:
        case = found.case
        due = case.due_at.astimezone(ISTANBUL).strftime("%d.%m.%Y %H:%M") if case.due_at else ""
        return {
            "case": case.model_dump(mode="json"),
            "customer_name": customer.name,
            "track_url": f"{self.site_url}/cases/{case.number}" if self.site_url else "",
            "due": due,
            **notice.data,
        }
