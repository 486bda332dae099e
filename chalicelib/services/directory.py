"""Reference data the cases hang on: categories, groups, staff and roles."""

from __future__ import annotations

import time
from collections.abc import Callable
from threading import Lock
from typing import Annotated, Protocol

from pydantic import Field, StringConstraints

from ..domain.access import DirectoryState
from ..domain.categories import (
    Category,
    CategoryNode,
    build_tree,
    changed_subtree,
    check_parent,
    child_path,
)
from ..domain.customers import Language
from ..domain.directory import Arrivals, AutoAssign, DigestMinutes, Group, StaffMember
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.permissions import (
    ALL_ROLES,
    Action,
    CaseAccess,
    Resource,
    Role,
    StaffRole,
    check_role_change,
    default_role,
)
from ..observability import logger
from .case_commands import Email, Id, Strict, Text
from .ports import DirectoryStore


class StaffLogins(Protocol):
    """The staff pool (Cognito): accounts, their role groups, and their sessions."""

    def ensure(
        self, username: str, email: str | None, name: str, reissue: bool = False
    ) -> str | None:
        """The sign-in exists afterwards; the temporary password given now, if any."""

    def set_roles(self, username: str, roles: list[str]) -> set[str]:
        """Make the account's role groups these; the groups it was taken out of."""

    def set_enabled(self, username: str, enabled: bool) -> None: ...

    def sign_out(self, username: str) -> None:
        """Revoke every refresh token of the account (AdminUserGlobalSignOut)."""

    def delete(self, username: str) -> None: ...


class StaffInvitations(Protocol):
    def invite(self, member: StaffMember, password: str, console: str) -> None:
        """Mail someone their user name, temporary password and the console's address."""


class NewCategory(Strict):
    name: Text
    parent_id: Id | None = None


class CategoryDetails(Strict):
    """A category as an admin changes it: its name, and its parent (a move takes every
    category under it along)."""

    name: Text
    parent_id: Id | None = Field(default=None, description="none: a top-level category")


Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]


class GroupDetails(Strict):
    name: Text
    members: list[Username] = Field(default_factory=list, max_length=500)
    supervisors: list[Username] = Field(default_factory=list, max_length=50)
    is_default: bool = Field(default=False, description="catches cases no rule routes")
    calendar_id: Id | None = Field(default=None, description="business hours; default if none")
    auto_assign: AutoAssign | None = Field(
        default=None, description="give routed cases to members on shift"
    )
    arrivals: Arrivals = Field(
        default="digest",
        description="how members hear of unassigned arrivals by email: none, a digest per "
        "interval, or each case (docs/notifications.md)",
    )
    digest_minutes: DigestMinutes = Field(default=15, description="the digest's interval")
    version: int | None = Field(
        default=None, ge=1, description="the version you read, if any: a stale one is a 409"
    )


class StaffDetails(Strict):
    name: Text
    email: Email | None = None
    roles: list[StaffRole] = Field(default_factory=list)
    on_shift: bool = True
    language: Language = Field(default=Language.TR, description="of the notices they get")
    active: bool | None = Field(
        default=None,
        description="false disables the sign-in and ends its open sessions; left out: as it is "
        "(a new member is active)",
    )


class Shift(Strict):
    on_shift: bool


class Notices(Strict):
    email_notices: bool = Field(
        description="false: no notice emails (assigned, escalated, arrivals, digests)"
    )


class RolePermissions(Strict):
    permissions: dict[Resource, set[Action]] = Field(default_factory=dict)
    case_access: CaseAccess | None = Field(
        default=None, description="which groups' cases the role reaches; unchanged if left out"
    )


class RoleList(Model):
    roles: list[Role]


class DirectoryService:
    def __init__(
        self,
        store: DirectoryStore,
        roles: RoleCatalog,
        logins: StaffLogins | None = None,
        invitations: StaffInvitations | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.logins = logins
        self.invitations = invitations
        self.store = store
        self.roles = roles
        self.clock = clock

    def category_tree(self) -> list[CategoryNode]:
        return build_tree(self.store.list_categories())

    def add_category(self, command: NewCategory) -> Category:
        parent = self.store.get_category(command.parent_id) if command.parent_id else None
        check_parent(command.parent_id, parent)
        category_id = new_id("k")
        category = Category(
            id=category_id,
            name=command.name,
            parent_id=command.parent_id,
            path=child_path(parent, category_id),
        )
        return self.store.put_category(category)

    def change_category(self, category_id: str, details: CategoryDetails) -> Category:
        """Rename and/or move a category; one transaction that fails if the tree moved."""
        categories = self.store.list_categories()
        read = {c.id: c.path for c in categories}
        changed = changed_subtree(categories, category_id, details.name, details.parent_id)
        self.store.replace_categories([(c, read[c.id]) for c in changed])
        return changed[0]

    def groups(self) -> list[Group]:
        return self.store.list_groups()

    def group(self, group_id: str) -> Group:
        group = self.store.get_group(group_id)
        if group is None:
            raise NotFound(f"no group {group_id!r}")
        return group

    def put_group(self, group_id: str, details: GroupDetails) -> Group:
        """Create or replace a group; there is always exactly one default group once set."""
        known = {member.username for member in self.store.list_staff()}
        unknown = sorted(set(details.members + details.supervisors) - known)
        if unknown:
            raise InvalidInput("unknown staff members", details={"unknown": unknown})
        calendar_id = details.calendar_id
        if calendar_id not in (None, "default") and self.store.get_calendar(calendar_id) is None:
            raise InvalidInput(f"no calendar {calendar_id!r}")
        groups = {g.id: g for g in self.store.list_groups()}
        current = groups.get(group_id)
        if details.version is not None and details.version != (current.version if current else 0):
            raise Conflict(
                "the group changed since you read it; read it again",
                details={"current_version": current.version if current else None},
                code="version_conflict",
            )
        if current and current.is_default and not details.is_default:
            raise InvalidInput("make another group the default first")
        group = Group(
            id=group_id,
            version=current.version + 1 if current else 1,
            last_assigned=current.last_assigned if current else None,
            **details.model_dump(exclude={"version"}),
        )
        writes = [(group, current.version if current else None)]
        if group.is_default:
            writes += [
                (g.model_copy(update={"is_default": False, "version": g.version + 1}), g.version)
                for g in groups.values()
                if g.is_default and g.id != group_id
            ]
        self.store.put_groups(writes)
        self.roles.forget()  # who belongs where decides whose cases they may change
        return group

    def staff(self) -> list[StaffMember]:
        return self.store.list_staff()

    def set_shift(self, username: str, shift: Shift) -> StaffMember:
        """An agent starts or ends their shift (automatic assignment skips those off shift)."""
        member = self.store.get_staff(username)
        if member is None:
            raise NotFound("you are not in the staff directory; ask an admin")
        return self.store.put_staff(member.model_copy(update={"on_shift": shift.on_shift}))

    def set_notices(self, username: str, notices: Notices) -> StaffMember:
        """A staff member opts out of notice emails, or back in (their own choice: an admin's
        PUT /staff keeps it)."""
        member = self.store.get_staff(username)
        if member is None:
            raise NotFound("you are not in the staff directory; ask an admin")
        return self.store.put_staff(
            member.model_copy(update={"email_notices": notices.email_notices})
        )

    def put_staff(
        self, username: str, details: StaffDetails, console: str = "", by: str | None = None
    ) -> StaffMember:
        """The directory entry, and the sign-in in the staff pool with the same roles.

        Someone new is mailed an invitation: user name, temporary password and `console`,
        the console's address. The entry is written last, so a request that failed before
        the mail went out is finished by sending it again: while there is no entry (or it
        had no email) and the person has not signed in, they get a fresh password and mail.

        Taking a role away or disabling the account ends the person's sessions: their tokens
        are refused from now on (at once here, within the directory cache's minute elsewhere)
        and their refresh tokens are revoked, so they sign in again with what they have now.
        Nobody disables themselves or takes their own admin role (409 cannot_revoke_yourself).
        """
        current = self.store.get_staff(username)
        was_active = current.active if current else True
        active = was_active if details.active is None else details.active
        if username == by and not active:
            raise Conflict("you cannot disable your own account", code="cannot_revoke_yourself")
        if username == by and current and "admin" in current.roles and "admin" not in details.roles:
            raise Conflict("another admin must take your admin role away",
                           code="cannot_revoke_yourself")  # fmt: skip
        taken: set[str] = set(current.roles) - set(details.roles) if current else set()
        member = StaffMember(username=username, **{**details.model_dump(), "active": active},
                             email_notices=current.email_notices if current else True)  # fmt: skip
        if self.logins is not None:
            reissue = current is None or (not current.email and bool(details.email))
            password = self.logins.ensure(username, details.email, details.name, reissue)
            taken |= self.logins.set_roles(username, details.roles)
            if was_active != active:
                self.logins.set_enabled(username, active)
            if password and details.email and self.invitations is not None:
                self.invitations.invite(member, password, console)
        revoke = bool(taken) or (was_active and not active)
        self.store.put_staff(member, revoked_before=self._stamp() if revoke else None)
        self.roles.forget()
        if revoke:
            self._sign_out(username)
        return member

    def remove_staff(self, username: str, by: str) -> None:
        """Delete the directory entry and the sign-in; the person's tokens are refused from
        now on and they leave every group. Their cases stay assigned to them until a
        supervisor hands them over."""
        if username == by:
            raise Conflict("you cannot remove yourself", code="cannot_revoke_yourself")
        if self.store.get_staff(username) is None:
            raise NotFound(f"no staff member {username!r}")
        groups = [
            (
                g.model_copy(
                    update={
                        "members": [m for m in g.members if m != username],
                        "supervisors": [m for m in g.supervisors if m != username],
                        "version": g.version + 1,
                    }
                ),
                g.version,
            )
            for g in self.store.list_groups()
            if g.has_member(username)
        ]
        self.store.remove_staff(username, groups, self._stamp())
        self.roles.forget()
        self._sign_out(username)
        if self.logins is not None:
            try:
                self.logins.delete(username)
            except Exception:  # noqa: BLE001 - the directory already refuses them
                logger.exception("staff sign-in not deleted", username=username)

    def _stamp(self) -> int:
        """Sessions opened before this second's end are void: a token issued in the same
        second as the revocation is refused too (tokens count whole seconds)."""
        return int(self.clock()) + 1

    def _sign_out(self, username: str) -> None:
        if self.logins is None:
            return
        try:
            self.logins.sign_out(username)
        except Exception:  # noqa: BLE001 - the stamp already refuses their sessions
            logger.exception("refresh tokens not revoked", username=username)

    def list_roles(self) -> list[Role]:
        return [self.roles.role(name) for name in ALL_ROLES]

    def set_role(self, name: str, command: RolePermissions) -> Role:
        if name not in ALL_ROLES:
            raise NotFound(f"no role {name!r}")
        access = command.case_access or self.roles.role(name).case_access
        role = Role(name=name, permissions=command.permissions, case_access=access)
        check_role_change(role)
        saved = self.store.put_role(role)
        self.roles.forget()
        return saved


class RoleCatalog:
    """The directory partition as one read (roles stored by admins over the safe defaults,
    staff, their revocation stamps, groups), cached briefly per process.

    Every request needs its caller's roles, and staff requests also the caller's entry,
    stamp and groups (domain/access.py); reading them from DynamoDB each time would double
    the cost of a case read. One Query serves them all, at most once per `ttl` seconds per
    process; a change made here is seen at once by this process (`forget`) and by every
    other within `ttl` seconds.
    """

    def __init__(
        self,
        store: DirectoryStore,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.clock = clock
        self._lock = Lock()
        self._state: DirectoryState | None = None
        self._loaded_at = 0.0

    def state(self) -> DirectoryState:
        with self._lock:
            if self._state is None or self.clock() - self._loaded_at > self.ttl:
                self._state = self.store.read_directory()
                self._loaded_at = self.clock()
            return self._state

    def role(self, name: str) -> Role:
        return self.state().roles.get(name) or default_role(name)

    def roles_for(self, names: list[str]) -> tuple[Role, ...]:
        return tuple(self.role(name) for name in names if name in ALL_ROLES)

    def forget(self) -> None:
        with self._lock:
            self._state = None
