"""The arrivals digest: one email per member and interval of a group's unassigned arrivals.

The notifier files each arrival of a `digest` group under its window (services/notifier.py,
store/arrival_digests.py) instead of mailing every member. `ArrivalDigests.send(now)`, run
every five minutes (app.py `send_arrival_digests`):

1. the groups whose `arrivals` is `digest`, and the staff (one Query of the directory);
2. for each group, the windows due at `now` (domain/staff_notices.py `windows_to_send`:
   closed at least two minutes ago, within the last hour), each read with one Query (its
   arrivals and the members already mailed); an empty window costs that Query only;
3. the arrivals that still wait unassigned in the group (one BatchGetItem of their cases);
   none left: no email;
4. for each member still due (`digest_readers`: mailable, no mark), the mark (a conditional
   put with a lease), then the email from `templates/messages/<language>/arrivals_digest.j2`
   in the member's language; the mark is kept as sent. A mark already taken means the
   digest went out (or is going out): a retried or doubled run mails nobody twice. A send
   that fails gives the mark back and the run raises at its end, after the others, so the
   next run (or the schedule's retry) sends only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from ..domain.clock import to_iso, utcnow
from ..domain.directory import Group, StaffMember
from ..domain.links import console_case_url, console_url
from ..domain.staff_notices import Arrival, digest_readers, still_waiting, windows_to_send
from ..observability import logger
from .ports import ArrivalStore, DirectoryStore, Renderer, Sender

TEMPLATE = "arrivals_digest"


class DigestsNotSent(Exception):
    """Some digests could not be sent this run (their marks were given back)."""


@dataclass
class Outcome:
    """What one run did: `<group>#<window>#<username>` of each digest sent or failed."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


class ArrivalDigests:
    def __init__(
        self,
        directory: DirectoryStore,
        arrivals: ArrivalStore,
        sender: Sender,
        renderer: Renderer,
        console: str = "",
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.directory = directory
        self.arrivals = arrivals
        self.sender = sender
        self.renderer = renderer
        self.console = console
        self.clock = clock

    def send(self, now: datetime | None = None) -> Outcome:
        """Send every digest due at `now` (module text). Raises DigestsNotSent when some send
        failed, after trying the others."""
        now = now or self.clock()
        outcome = Outcome()
        groups = [g for g in self.directory.list_groups() if g.arrivals == "digest"]
        if not groups:
            return outcome
        staff = {m.username: m for m in self.directory.list_staff()}
        for group in groups:
            for start in windows_to_send(now, group.digest_minutes):
                self._window(group, start, staff, now, outcome)
        logger.info("arrival digests", sent=len(outcome.sent), failed=len(outcome.failed))
        if outcome.failed:
            raise DigestsNotSent(f"not sent: {outcome.failed}")
        return outcome

    def _window(
        self, group: Group, start: datetime, staff: dict[str, StaffMember], now: datetime,
        outcome: Outcome,
    ) -> None:  # fmt: skip
        arrivals, marked = self.arrivals.window(group.id, start)
        if not arrivals:
            return
        readers = digest_readers(group, staff, marked)
        if not readers:
            return
        waiting = still_waiting(arrivals, self.arrivals.cases_now([a.case_id for a in arrivals]),
                                group.id)  # fmt: skip
        if not waiting:
            return
        key = f"{group.id}#{to_iso(start)}"
        for member in readers:
            if not self.arrivals.marks.claim(key, member.username, now):
                continue
            try:
                language = member.language.value
                text = self.renderer.render(
                    TEMPLATE, language, self.context(group, start, waiting, member, language)
                )
                message_id = self.sender.email(member.email or "", text.subject, text.email)
            except Exception:
                logger.exception("arrivals digest not sent", group_id=group.id,
                                 window=to_iso(start), username=member.username)  # fmt: skip
                self.arrivals.marks.release(key, member.username)
                outcome.failed.append(f"{key}#{member.username}")
                continue
            self.arrivals.marks.sent(key, member.username, message_id, now)
            outcome.sent.append(f"{key}#{member.username}")

    def context(
        self, group: Group, start: datetime, waiting: list[Arrival], member: StaffMember,
        language: str,
    ) -> dict:  # fmt: skip
        """What the template reads: the member's and group's names, the window (ISO times,
        `window_minutes`), the cases (their facts and console links, oldest first) and the
        group's pool in the console (`pool_url`)."""
        page = console_url(self.console, language)
        return {
            "name": member.name,
            "group_name": group.name,
            "window_start": to_iso(start),
            "window_minutes": group.digest_minutes,
            "cases": [
                {
                    **a.model_dump(mode="json"),
                    "case_url": console_case_url(self.console, language, a.number),
                }
                for a in waiting
            ],  # fmt: skip
            "pool_url": f"{page}#/pool?group={group.id}" if page else "",
        }
