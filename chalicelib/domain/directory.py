"""Departments (groups) and the staff who work in them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .customers import Language
from .model import Model

#: how a group hands routed cases to its members on shift (none: they wait in the pool)
AutoAssign = Literal["round_robin", "fewest_open"]
#: how a group's members hear of cases that arrive unassigned in its pool: not by email
#: (none), in one email per member and interval (digest), or one email per case (each)
Arrivals = Literal["none", "digest", "each"]
#: the digest's interval, in minutes (windows aligned to the clock's hour, UTC)
DigestMinutes = Literal[15, 30, 60]


class Group(Model):
    id: str
    name: str
    members: list[str] = Field(default_factory=list)  # staff usernames
    supervisors: list[str] = Field(default_factory=list)
    is_default: bool = False
    calendar_id: str | None = None
    #: optional automatic assignment of routed cases to members on shift
    auto_assign: AutoAssign | None = None
    last_assigned: str | None = None
    #: how members hear of unassigned arrivals (docs/notifications.md); groups stored before
    #: the setting read as a 15-minute digest
    arrivals: Arrivals = "digest"
    digest_minutes: DigestMinutes = 15
    version: int = 1

    def has_member(self, username: str) -> bool:
        return username in self.members or username in self.supervisors


class StaffMember(Model):
    username: str
    name: str
    email: str | None = None
    roles: list[str] = Field(default_factory=list)
    on_shift: bool = True
    #: the language of the emails destek sends them (the console follows the browser's choice)
    language: Language = Language.TR
    #: a disabled member cannot sign in, and their open sessions are refused
    active: bool = True
    #: false: the member opted out of notice emails (PUT /me/notices); the console still
    #: shows their cases and queue
    email_notices: bool = True


def pick_agent(
    group: Group, staff: dict[str, StaffMember], open_cases: dict[str, int] | None = None
) -> str | None:
    """Who gets the next case of an auto-assigning group, or None (it waits in the pool).

    Round robin goes to the member after the last one assigned; fewest open goes to
    the member with the fewest active cases (ties: the group's member order).
    """
    candidates = [m for m in group.members if m in staff and staff[m].on_shift]
    if not candidates or group.auto_assign is None:
        return None
    if group.auto_assign == "fewest_open":
        counts = open_cases or {}
        return min(candidates, key=lambda m: (counts.get(m, 0), candidates.index(m)))
    if group.last_assigned in group.members:
        start = group.members.index(group.last_assigned) + 1
        ordered = group.members[start:] + group.members[:start]
        return next(m for m in ordered if m in candidates)
    return candidates[0]
