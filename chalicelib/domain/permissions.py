"""Who may do what: read/add/edit/delete per resource, granted to roles.

Roles are data (an admin changes them through the API); DEFAULT_ROLES are the
safe defaults used until an admin stores a role of the same name.

Besides the actions, a role says which groups' cases its holders reach (as
Zammad's group permissions and Zendesk's "tickets in agent's groups" do): the
cases of every group, or only of the groups they belong to, for reading and for
changing separately. Safe defaults: agents change the cases of their own groups
and read everyone's; supervisors and admins reach every group's.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal, get_args

from pydantic import Field, field_serializer, model_validator

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
    ANALYTICS = "analytics"  # read-only SQL over the case-event archive (the open data store)
    REPORTS = "reports"  # the standard reports (read); complaint topics' actions (edit)
    RATINGS = "ratings"  # satisfaction: record the score a customer gave on the phone (add)
    SURVEYS = "surveys"  # planned surveys: build, schedule, pause, watch, download answers
    KNOWLEDGE = "knowledge"  # knowledge base articles: read, write drafts, submit for review
    KNOWLEDGE_PUBLISHING = "knowledge_publishing"  # approve (publish), send back, archive
    CHECKLISTS = "checklists"  # checklists per category or topic (read: agents; define: edit)
    LIBRARY = "library"  # e-library documents (read: agents; upload and edit: supervisors)
    ORDERS = "orders"  # the shop's orders and shipments (read: customers their own on the site)
    CARRIERS = "carriers"  # carriers and their tracking pages (read: staff; edit: admins)
    MACROS = "macros"  # macros: use shared ones, keep one's own personal ones (agents)
    SHARED_MACROS = "shared_macros"  # create, edit and delete the shared macros (supervisors)
    #: staff's flags and notes on customers (read: see; edit: set; add: define the flag list)
    CUSTOMER_FLAGS = "customer_flags"
    #: custom case field definitions (read: every agent, to fill them in; define: admins)
    CASE_FIELDS = "case_fields"
    #: saved views every agent sees (create, edit, delete: supervisors); personal views need
    #: only cases read (docs/views-and-presence.md)
    SHARED_VIEWS = "shared_views"


#: the roles a staff member can hold (Cognito groups of the staff pool)
StaffRole = Literal["agent", "supervisor", "admin"]
STAFF_ROLES: tuple[str, ...] = get_args(StaffRole)
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
    Resource.RATINGS: {_A},
    # read articles, write drafts (and from a good reply), submit them for review
    Resource.KNOWLEDGE: {_R, _A, _E},
    Resource.CHECKLISTS: {_R},
    Resource.LIBRARY: {_R},
    Resource.ORDERS: {_R},
    Resource.CARRIERS: {_R},
    # apply shared macros; write, edit and delete their own personal ones
    Resource.MACROS: {_R, _A, _E, _D},
    # read the custom field definitions, to fill the fields in on a case
    Resource.CASE_FIELDS: {_R},
}
DEFAULT_ROLES: dict[str, dict[Resource, set[Action]]] = {
    CUSTOMER_ROLE: {
        Resource.CASES: {_R, _A},
        Resource.REPLIES: {_A},
        Resource.REGISTRATIONS: {_R, _A},
        # customers pick a category when they file a case on the site
        Resource.CATEGORIES: {_R},
        # their own orders and shipments (Siparişlerim)
        Resource.ORDERS: {_R},
    },
    "agent": _AGENT,
    "supervisor": {
        **_AGENT,
        Resource.ASSIGNMENTS: {_E},
        Resource.ROLES: {_R},
        Resource.ROUTING_RULES: {_R},
        Resource.SLA: {_R},
        Resource.REGISTRATIONS: {_R, _A, _E, _D},
        Resource.ANALYTICS: {_R},
        # read the reports; set a complaint topic's recommended action and link
        Resource.REPORTS: {_R, _E},
        # build, schedule, pause and end planned surveys; watch their runs; the throttle
        Resource.SURVEYS: {_R, _A, _E},
        # approve an article in review (it goes live), send it back, archive one
        Resource.KNOWLEDGE_PUBLISHING: {_E},
        # define checklists and read their skipped steps; upload and edit library documents
        Resource.CHECKLISTS: {_R, _A, _E, _D},
        Resource.LIBRARY: {_R, _A, _E, _D},
        # keep the team's shared macros
        Resource.SHARED_MACROS: {_R, _A, _E, _D},
        Resource.SHARED_VIEWS: {_R, _A, _E, _D},
        Resource.CUSTOMER_FLAGS: {_R, _E},
    },
    "admin": {resource: {_R, _A, _E, _D} for resource in Resource},
}


#: whose cases: every group's, or those of the groups the person is a member or supervisor of
GroupScope = Literal["all", "own"]


class CaseAccess(Model):
    """Which groups' cases a role reaches: `read` for seeing them, `change` for every write
    (reply, note, status, fields, claim, assign, files). A case assigned to the person is
    always theirs to read and change."""

    read: GroupScope = "all"
    change: GroupScope = "own"

    @model_validator(mode="after")
    def _change_within_read(self) -> CaseAccess:
        if self.read == "own" and self.change == "all":
            raise ValueError("a role cannot change cases it cannot read: change 'all' needs "
                             "read 'all'")  # fmt: skip
        return self


DEFAULT_CASE_ACCESS: dict[str, CaseAccess] = {
    "agent": CaseAccess(read="all", change="own"),
    "supervisor": CaseAccess(read="all", change="all"),
    "admin": CaseAccess(read="all", change="all"),
}


class Role(Model):
    name: str
    permissions: dict[Resource, set[Action]] = Field(default_factory=dict)
    #: staff roles only (customers reach their own cases, whatever the group)
    case_access: CaseAccess = Field(default_factory=CaseAccess)

    @model_validator(mode="before")
    @classmethod
    def _default_case_access(cls, data: Any) -> Any:
        """A role stored before case access existed gets its role's safe default."""
        if isinstance(data, dict) and data.get("case_access") is None:
            default = DEFAULT_CASE_ACCESS.get(str(data.get("name")), CaseAccess())
            data = {**data, "case_access": default}
        return data

    @field_serializer("permissions", when_used="json")
    def _in_order(self, permissions: dict[Resource, set[Action]]) -> dict[str, list[str]]:
        """Resources and actions in their declared order, so the same role reads the same."""
        return {
            resource.value: [action.value for action in Action if action in permissions[resource]]
            for resource in Resource
            if resource in permissions
        }

    def allows(self, resource: Resource, action: Action) -> bool:
        return action in self.permissions.get(resource, set())


def default_role(name: str) -> Role:
    return Role(name=name, permissions={k: set(v) for k, v in DEFAULT_ROLES.get(name, {}).items()})


def case_access_of(roles: list[Role]) -> CaseAccess:
    """What several roles reach together: the widest of each (one role's "all" is enough)."""
    read = "all" if any(r.case_access.read == "all" for r in roles) else "own"
    change = "all" if any(r.case_access.change == "all" for r in roles) else "own"
    return CaseAccess(read=read, change=change)


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
    #: when the person signed in (the token's `auth_time`, else `iat`), seconds since the
    #: epoch: sessions opened before a revocation are refused
    authenticated_at: int | None = Field(default=None, exclude=True)

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
