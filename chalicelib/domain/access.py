"""Whether a verified token still stands, decided from server-side state.

A Cognito id token lives an hour; its claims say who the person was and what they
could do when it was issued. Taking access away must not wait for it to expire, so
every request is checked against state that a revocation changes:

- staff: the directory (`StaffMember`: roles, active) and a per-person stamp
  "sessions opened before T are void", written with every removal, disabling and
  demotion. Roles come from the directory entry, not from `cognito:groups`; someone
  with no entry yet (the first admin of a new deployment) keeps the token's groups
  until an admin adds them.
- customers: the sign-in record, the uniqueness item that links a sign-in's `sub` to
  its customer. Who a customer is comes from that link, never from the writable
  `custom:customer_id` claim; a closed sign-in (the customer was deleted) is refused.

The state is read at most once a minute per process (services/access.py), so a
revocation takes effect everywhere within that minute, at once where it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .directory import Group, StaffMember
from .errors import Unauthenticated
from .model import Model
from .permissions import STAFF_ROLES, Principal, Role


class SignIn(Model):
    """A customer's sign-in as destek knows it: the customer it belongs to, or closed."""

    sub: str
    customer_id: str | None = None
    #: seconds since the epoch when the sign-in was closed (its customer deleted)
    closed_at: float | None = None


@dataclass(frozen=True)
class DirectoryState:
    """The directory partition as one read: staff, their revocation stamps, roles, groups."""

    staff: dict[str, StaffMember] = field(default_factory=dict)
    #: username -> seconds since the epoch: sessions opened before it are void
    revoked_before: dict[str, float] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)

    def groups_of(self, username: str) -> frozenset[str]:
        return frozenset(g.id for g in self.groups.values() if g.has_member(username))


def staff_roles(principal: Principal, state: DirectoryState) -> list[str]:
    """The role names a staff token stands for now; Unauthenticated when it no longer does."""
    stamp = state.revoked_before.get(principal.username)
    if stamp is not None and (principal.authenticated_at or 0) < stamp:
        raise Unauthenticated(
            "your access changed since you signed in; sign in again", code="session_revoked"
        )
    entry = state.staff.get(principal.username)
    if entry is None:
        return list(principal.roles)
    if not entry.active:
        raise Unauthenticated("your account is disabled; ask an admin", code="account_disabled")
    return [role for role in entry.roles if role in STAFF_ROLES]


def customer_of(principal: Principal, sign_in: SignIn | None) -> str | None:
    """The customer a customer's token stands for: the one its sign-in is linked to (None
    until the account is completed); Unauthenticated when the sign-in was closed."""
    if sign_in is None:
        return None
    if sign_in.closed_at is not None:
        raise Unauthenticated("this account was closed", code="account_closed")
    return sign_in.customer_id
