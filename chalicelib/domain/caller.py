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

    @property
    def actor(self) -> Actor:
        p = self.principal
        if p.is_customer:
            return Actor(kind="customer", id=p.customer_id or p.subject, name=p.name)
        return Actor(kind="staff", id=p.username, name=p.name or p.username)
