"""Reference data the cases hang on: categories, groups, staff and roles."""

from __future__ import annotations

import time
from collections.abc import Callable
from threading import Lock
from typing import Annotated, Literal, Protocol

from pydantic import Field, StringConstraints

from ..domain.categories import Category, CategoryNode, build_tree, check_parent, child_path
from ..domain.directory import Group, StaffMember
from ..domain.errors import InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.model import Model
from ..domain.permissions import ALL_ROLES, Action, Resource, Role, check_role_change, default_role
from .case_commands import Email, Id, Strict, Text
from .ports import DirectoryStore


class StaffLogins(Protocol):
    def ensure(self, username: str, email: str | None, name: str) -> bool: ...

    def set_roles(self, username: str, roles: list[str]) -> None: ...


class NewCategory(Strict):
    name: Text
    parent_id: Id | None = None


Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,64}$")]


class GroupDetails(Strict):
    name: Text
    members: list[Username] = Field(default_factory=list, max_length=500)
    supervisors: list[Username] = Field(default_factory=list, max_length=50)
    is_default: bool = Field(default=False, description="catches cases no rule routes")
    calendar_id: Id | None = Field(default=None, description="business hours; default if none")
    auto_assign: Literal["round_robin", "fewest_open"] | None = Field(
        default=None, description="give routed cases to members on shift"
    )


class StaffDetails(Strict):
    name: Text
    email: Email | None = None
    roles: list[Literal["agent", "supervisor", "admin"]] = Field(default_factory=list)
    on_shift: bool = True


class Shift(Strict):
    on_shift: bool


class RolePermissions(Strict):
    permissions: dict[Resource, set[Action]] = Field(default_factory=dict)


class RoleList(Model):
    roles: list[Role]


class DirectoryService:
    def __init__(
        self, store: DirectoryStore, roles: RoleCatalog, logins: StaffLogins | None = None
    ) -> None:
        self.logins = logins
        self.store = store
        self.roles = roles

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
        if current and current.is_default and not details.is_default:
            raise InvalidInput("make another group the default first")
        group = Group(
            id=group_id,
            version=current.version + 1 if current else 1,
            last_assigned=current.last_assigned if current else None,
            **details.model_dump(),
        )
        writes = [(group, current.version if current else None)]
        if group.is_default:
            writes += [
                (g.model_copy(update={"is_default": False, "version": g.version + 1}), g.version)
                for g in groups.values()
                if g.is_default and g.id != group_id
            ]
        self.store.put_groups(writes)
        return group

    def staff(self) -> list[StaffMember]:
        return self.store.list_staff()

    def set_shift(self, username: str, shift: Shift) -> StaffMember:
        """An agent starts or ends their shift (automatic assignment skips those off shift)."""
        member = self.store.get_staff(username)
        if member is None:
            raise NotFound("you are not in the staff directory; ask an admin")
        return self.store.put_staff(member.model_copy(update={"on_shift": shift.on_shift}))

    def put_staff(self, username: str, details: StaffDetails) -> StaffMember:
        """The directory entry, and the sign-in in the staff pool with the same roles (made,
        with a mailed temporary password, for someone new)."""
        if self.logins is not None:
            self.logins.ensure(username, details.email, details.name)
            self.logins.set_roles(username, details.roles)
        return self.store.put_staff(StaffMember(username=username, **details.model_dump()))

    def list_roles(self) -> list[Role]:
        return [self.roles.role(name) for name in ALL_ROLES]

    def set_role(self, name: str, command: RolePermissions) -> Role:
        if name not in ALL_ROLES:
            raise NotFound(f"no role {name!r}")
        role = Role(name=name, permissions=command.permissions)
        check_role_change(role)
        saved = self.store.put_role(role)
        self.roles.forget()
        return saved


class RoleCatalog:
    """Roles as stored by admins, over the safe defaults, cached briefly per process.

    Every request needs its caller's roles; reading them from DynamoDB each time
    would double the cost of a case read. A change made here is seen at once by
    this process and by every other within `ttl` seconds.
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
        self._stored: dict[str, Role] | None = None
        self._loaded_at = 0.0

    def role(self, name: str) -> Role:
        stored = self._load()
        return stored.get(name) or default_role(name)

    def roles_for(self, names: list[str]) -> tuple[Role, ...]:
        return tuple(self.role(name) for name in names if name in ALL_ROLES)

    def forget(self) -> None:
        with self._lock:
            self._stored = None

    def _load(self) -> dict[str, Role]:
        with self._lock:
            if self._stored is None or self.clock() - self._loaded_at > self.ttl:
                self._stored = {role.name: role for role in self.store.list_roles()}
                self._loaded_at = self.clock()
            return self._stored
