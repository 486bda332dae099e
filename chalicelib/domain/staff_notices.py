"""Which staff notices become emails, and the group's arrivals digest (docs/notifications.md).

Staff get what is theirs: a case assigned to them, escalated to them, and their group's
unassigned arrivals, in the way the group chose (`Group.arrivals`):

- `each`: one email per arrival to every member (as before this setting existed);
- `digest` (the default): one email per member and interval (`Group.digest_minutes`, 15, 30
  or 60), listing the arrivals of the interval that still wait unassigned in the group;
- `none`: no email; the queue in the console is where members see them.

An arrival is a case routed to the group (`routed_to_group`) or moved to it with nobody
assigned (`case_assigned` to the group). Digest intervals are windows aligned to the
clock's hour in UTC: a 15-minute group has windows starting at :00, :15, :30 and :45. A
window is sent once it has been closed for `LAG` (so an arrival the notifier put into it
just before its end is in), by any run within `LOOKBACK` of its end (so a run that failed
is made up by the next). A staff member who opted out (`StaffMember.email_notices` false)
gets no notice emails, digest or not; a disabled one none either.

Everything here is pure: times are timezone-aware datetimes (UTC), intervals minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from .cases import Case
from .clock import to_iso
from .directory import Group, StaffMember
from .lifecycle import DONE
from .model import Model
from .notifications import Notice, NoticeEvent

#: how long a window must have been closed before its digest goes out: longer than the
#: notifier takes to file an arrival it was handed at the window's end (seconds, normally)
LAG = timedelta(minutes=2)
#: how far back a run looks for windows still to send (a failed run is made up by the next)
LOOKBACK = timedelta(hours=1)
#: how a staff notice is handled: mailed now, filed for the digest, or not mailed at all
Route = Literal["each", "digest", "none"]


class Arrival(Model):
    """One case in a group's arrivals window, with the facts the digest shows of it (as they
    were when it arrived; the digest checks it still waits before listing it)."""

    case_id: str
    number: str
    subject: str
    type: str
    priority: str
    channel: str
    arrived_at: datetime


def is_arrival(notice: Notice) -> bool:
    """True for a notice telling a group of a case that reached it: routed to it, or moved
    to it with nobody assigned."""
    if notice.event == NoticeEvent.ROUTED_TO_GROUP:
        return True
    return notice.event == NoticeEvent.CASE_ASSIGNED and notice.audience == "group"


def route_of(notice: Notice, group: Group | None) -> Route:
    """How the notifier handles a staff notice: an arrival as the case's group chose, any
    other notice (and an arrival without a group) mailed now."""
    if group is None or not is_arrival(notice):
        return "each"
    return group.arrivals


class ArrivalOutcome(Model):
    """What becomes of an arrival notice that is not mailed at once: the note it is kept
    with (`skipped`), and for a digest the window and the facts it is filed under."""

    note: str
    window: datetime | None = None
    arrival: Arrival | None = None


def arrival_outcome(
    notice: Notice, case: Case, group: Group | None, now: datetime, *, digests: bool
) -> ArrivalOutcome | None:
    """An arrival in a group that does not want one email per case: filed for the group's
    digest (an unassigned case; one an automatic assignment gave someone is theirs
    already), or not mailed at all. None when the notice is mailed now like any other (not
    an arrival, no group, `each`, or a digest without a place to file it: `digests` false).
    Shared by the notifier (a notice it is handed) and routing (the notice it decides,
    settled in its own write: issue 21)."""
    if not is_arrival(notice) or not case.group_id or group is None:
        return None
    route = route_of(notice, group)
    if route == "each" or (route == "digest" and not digests):
        return None
    if route == "none":
        return ArrivalOutcome(note="arrivals: none (the group's queue shows them)")
    if case.assignee:
        return ArrivalOutcome(note="arrivals: digest (assigned already, not waiting)")
    start = arrival_window(notice.created_at, now, group.digest_minutes)
    arrival = Arrival(
        case_id=case.id, number=case.number, subject=case.subject, type=case.type.value,
        priority=(notice.priority or case.priority).value, channel=case.channel.value,
        arrived_at=notice.created_at,
    )  # fmt: skip
    return ArrivalOutcome(note=f"arrivals: digest {to_iso(start)}", window=start, arrival=arrival)


def window_start(at: datetime, minutes: int) -> datetime:
    """The start of the `minutes`-long window holding `at` (UTC, aligned to the hour)."""
    at = at.astimezone(UTC)
    return at.replace(minute=at.minute - at.minute % minutes, second=0, microsecond=0)


def arrival_window(arrived: datetime, now: datetime, minutes: int) -> datetime:
    """The window an arrival is filed under: the one it arrived in, or, when that window has
    closed by the time the notifier files it (a slow queue, a retry), the current one, whose
    digest is still to come."""
    start = window_start(arrived, minutes)
    return start if now < start + timedelta(minutes=minutes) else window_start(now, minutes)


def windows_to_send(
    now: datetime, minutes: int, lag: timedelta = LAG, lookback: timedelta = LOOKBACK
) -> list[datetime]:
    """Starts of the windows whose digest is due at `now`: closed at least `lag` ago and at
    most `lookback` ago, oldest first."""
    width = timedelta(minutes=minutes)
    last = window_start(now - lag, minutes) - width  # the newest window closed for `lag`
    starts = []
    start = last
    while start + width > now - lookback:
        starts.insert(0, start)
        start -= width
    return starts


def mailable(member: StaffMember | None) -> bool:
    """True if notice emails may go to this staff member: known, active, with an address,
    not opted out."""
    return bool(member and member.active and member.email and member.email_notices)


def staff_addresses(
    usernames: list[str], staff: dict[str, StaffMember], exclude: list[str] = ()
) -> list[tuple[str, str]]:
    """(address, language) of each named member who may be mailed, once each, in order,
    leaving out `exclude`."""
    wanted = [u for u in dict.fromkeys(usernames) if u not in exclude]
    return [
        (staff[u].email, str(staff[u].language))  # type: ignore[misc]
        for u in wanted
        if mailable(staff.get(u))
    ]


def still_waiting(
    arrivals: list[Arrival], now_cases: dict[str, dict], group_id: str
) -> list[Arrival]:
    """The arrivals whose case still waits unassigned in the group: `now_cases` maps case
    ids to the cases' current fields (`group_id`, `assignee`, `status`; a case missing from
    it is gone). Oldest arrival first."""
    waiting = [
        a
        for a in arrivals
        if (case := now_cases.get(a.case_id))
        and case.get("group_id") == group_id
        and not case.get("assignee")
        and case.get("status") not in {s.value for s in DONE}
    ]
    return sorted(waiting, key=lambda a: (a.arrived_at, a.number))


def digest_readers(
    group: Group, staff: dict[str, StaffMember], sent: set[str]
) -> list[StaffMember]:
    """The group's members still due the window's digest: mailable, not in `sent`."""
    return [
        staff[u] for u in dict.fromkeys(group.members) if u not in sent and mailable(staff.get(u))
    ]
