"""Who may do what: read/add/edit/delete per resource, granted to roles.

Roles are data (an admin changes them through the API); DEFAULT_ROLES are the
safe defaults used until an admin stores a role of the same name.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from .errors import AccountIncomplete, Forbidden, InvalidInput
from .model import Model


class Action(StrEnum):
    READ = "read"
    ADD = "add"
    EDIT = "edit"
    DELETE = "delete"


class Resource(StrEnum):
    CASES = "cases"
    REPLIES = "replies"
    NOTES = "notes"
    ASSIGNMENTS = "assignments"
    CUSTOMERS = "customers"
    CATEGORIES = "categories"
    GROUPS = "groups"
    STAFF = "staff"
    ROLES = "roles"
    ROUTING_RULES = "routing_rules"
    SLA = "sla"
    OPERATIONS = "operations"
    PRODUCTS = "products"  # the product catalog (categories and products)
    REGISTRATIONS = "registrations"  # customers' registered products
    CALLS = "calls"  # the call log
    PRECASES = "precases"  # what arrived unattended (email, social, the shop), before it is a case


STAFF_ROLES = ("agent", "supervisor", "admin")
CUSTOMER_ROLE = "customer"
ALL_ROLES = (CUSTOMER_ROLE, *STAFF_ROLES)

_R, _A, _E, _D = Action.READ, Action.ADD, Action.EDIT, Action.DELETE
_AGENT = {
    Resource.CASES: {_R, _A, _E},
    Resource.REPLIES: {_A},
    Resource.NOTES: {_R, _A},
    Resource.CUSTOMERS: {_R, _A, _E},
    Resource.CATEGORIES: {_R},
    Resource.GROUPS: {_R},
    Resource.STAFF: {_R},
    Resource.PRODUCTS: {_R},
    Resource.REGISTRATIONS: {_R, _A},
    Resource.CALLS: {_R, _A},
    # claim, convert to a case, set aside as spam or duplicate
    Resource.PRECASES: {_R, _E},
}
DEFAULT_ROLES: dict[str, dict[Resource, set[Action]]] = {
    CUSTOMER_ROLE: {
        Resource.CASES: {_R, _A},
        Resource.REPLIES: {_A},
        Resource.REGISTRATIONS: {_R, _A},
        # customers pick a category when they file a case on the site
        Resource.CATEGORIES: {_R},
    },
    "agent": _AGENT,
    "supervisor": {
        **_AGENT,
        Resource.ASSIGNMENTS: {_E},
        Resource.ROLES: {_R},
        Resource.ROUTING_RULES: {_R},
        Resource.SLA: {_R},
        Resource.REGISTRATIONS: {_R, _A, _E, _D},
    },
    "admin": {resource: {_R, _A, _E, _D} for resource in Resource},
}


class Role(Model):
    name: str
    permissions: dict[Resource, set[Action]] = Field(default_factory=dict)

    def allows(self, resource: Resource, action: Action) -> bool:
        return action in self.permissions.get(resource, set())


def default_role(name: str) -> Role:
    return Role(name=name, permissions={k: set(v) for k, v in DEFAULT_ROLES.get(name, {}).items()})


def check_role_change(role: Role) -> None:
    """Refuse the one change that would lock every admin out of fixing it again."""
    if role.name not in ALL_ROLES:
        raise InvalidInput(f"unknown role {role.name!r}", details={"roles": list(ALL_ROLES)})
    if role.name == "admin" and not {Action.READ, Action.EDIT} <= role.permissions.get(
        Resource.ROLES, set()
    ):
        raise InvalidInput("the admin role must keep roles:read and roles:edit")


class Principal(Model):
    """The caller, as proven by a verified token."""

    kind: str  # "staff" or "customer"
    subject: str  # Cognito sub
    username: str
    name: str = ""
    email: str | None = None
    roles: list[str] = Field(default_factory=list)
    customer_id: str | None = None
    #: Cognito proved the address (a code was mailed to it); only then may a sign-in
    #: take over the cases an agent filed under that email
    email_verified: bool = False

    def own_customer_id(self) -> str:
        """The customer this sign-in belongs to; AccountIncomplete until the account is."""
        if not self.customer_id:
            raise AccountIncomplete("complete your account first: POST /my/account")
        return self.customer_id

    @property
    def is_customer(self) -> bool:
        return self.kind == "customer"

    @property
    def is_staff(self) -> bool:
        return self.kind == "staff"


def permitted(roles: list[Role], resource: Resource, action: Action) -> bool:
    return any(role.allows(resource, action) for role in roles)


def require(roles: list[Role], resource: Resource, action: Action) -> None:
    if not permitted(roles, resource, action):
        raise Forbidden(
            f"your role may not {action.value} {resource.value}",
            details={"resource": resource.value, "action": action.value},
        )
