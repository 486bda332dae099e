"""The caller of a use case: the verified principal plus the roles it holds now."""

from __future__ import annotations

from dataclasses import dataclass

from .cases import Actor
from .permissions import Action, Principal, Resource, Role, permitted, require


@dataclass(frozen=True)
class Caller:
    principal: Principal
    roles: tuple[Role, ...]

    def can(self, resource: Resource, action: Action) -> bool:
        return permitted(list(self.roles), resource, action)

    def require(self, resource: Resource, action: Action) -> None:
        require(list(self.roles), resource, action)

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
