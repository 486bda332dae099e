"""The caller of a use case: the verified principal, the roles it holds now, and the groups
it belongs to now (both from server-side state, not from the token's claims)."""

from __future__ import annotations

from dataclasses import dataclass

from .cases import Actor
from .errors import Forbidden
from .permissions import (
    Action,
    CaseAccess,
    Principal,
    Resource,
    Role,
    case_access_of,
    permitted,
    require,
)


@dataclass(frozen=True)
class Caller:
    principal: Principal
    roles: tuple[Role, ...]
    #: the department groups the staff member is a member or supervisor of
    groups: frozenset[str] = frozenset()

    def can(self, resource: Resource, action: Action) -> bool:
        return permitted(list(self.roles), resource, action)

    def require(self, resource: Resource, action: Action) -> None:
        require(list(self.roles), resource, action)

    @property
    def case_access(self) -> CaseAccess:
        return case_access_of(list(self.roles))

    def reaches_case(
        self, group_id: str | None, assignee: str | None, *, change: bool, opened_by: str = ""
    ) -> bool:
        """May this staff member see (or, with `change`, write to) a case of that group?
        Customers and system callers are not limited by groups (ownership limits customers).

        `opened_by` is the username of the staff member who filed the case: until routing
        puts it in a group (no group yet), they keep working it, as the agent who took a
        call goes on to answer and note it (Freshdesk and Zendesk let a ticket's submitter
        see it whatever their group scope)."""
        if not self.principal.is_staff:
            return True
        scope = self.case_access.change if change else self.case_access.read
        me = self.principal.username
        if scope == "all" or (assignee and assignee == me):
            return True
        if group_id is None:
            return bool(opened_by) and opened_by == me
        return group_id in self.groups

    def require_case(
        self, group_id: str | None, assignee: str | None, *, change: bool, opened_by: str = ""
    ) -> None:
        """Raise Forbidden (403 `outside_your_groups`) where reaches_case says no."""
        if not self.reaches_case(group_id, assignee, change=change, opened_by=opened_by):
            verb = "change" if change else "read"
            raise Forbidden(
                f"your role may {verb} only the cases of your own groups",
                details={"group_id": group_id, "access": verb},
                code="outside_your_groups",
            )

    def permission_summary(self) -> dict[str, list[str]]:
        """Every action the caller's roles allow, per resource (for clients to shape their UI)."""
        summary: dict[str, set[str]] = {}
        for role in self.roles:
            for resource, actions in role.permissions.items():
                summary.setdefault(resource.value, set()).update(a.value for a in actions)
        return {k: sorted(v) for k, v in sorted(summary.items())}

    @property
    def actor(self) -> Actor:
        p = self.principal
        if p.is_customer:
            return Actor(kind="customer", id=p.customer_id or p.subject, name=p.name)
        if p.kind == "integration":
            return Actor(kind="system", id=p.username, name=p.name)
        return Actor(kind="staff", id=p.username, name=p.name or p.username)
