"""Reference data routes: categories, groups, staff, roles and their permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource, Role
from .endpoint import endpoint, lazy
from .links import console_address

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.directory import (
        CategoryDetails,
        GroupDetails,
        NewCategory,
        Notices,
        RolePermissions,
        Shift,
        StaffDetails,
    )

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CATEGORIES = lazy("chalicelib.domain.categories")
DIRECTORY = lazy("chalicelib.domain.directory")
DIRECTORY_SERVICE = lazy("chalicelib.services.directory")


@endpoint(
    bp,
    "/categories",
    audience="any",
    permission=(Resource.CATEGORIES, Action.READ),
    response=list[CATEGORIES.CategoryNode],
)
def category_tree(caller: Caller):
    """The whole category tree, nested."""
    return wiring.directory_service().category_tree()


@endpoint(
    bp,
    "/categories",
    "POST",
    permission=(Resource.CATEGORIES, Action.ADD),
    body=DIRECTORY_SERVICE.NewCategory,
    status=201,
    response=CATEGORIES.Category,
)
def add_category(caller: Caller, body: NewCategory):
    """Add a category at the root or under a parent."""
    return wiring.directory_service().add_category(body)


@endpoint(
    bp,
    "/categories/{category_id}",
    "PUT",
    permission=(Resource.CATEGORIES, Action.EDIT),
    body=DIRECTORY_SERVICE.CategoryDetails,
    response=CATEGORIES.Category,
)
def change_category(caller: Caller, category_id: str, body: CategoryDetails):
    """Rename a category, and/or move it (with everything under it) under another parent."""
    return wiring.directory_service().change_category(category_id, body)


@endpoint(bp, "/groups", permission=(Resource.GROUPS, Action.READ), response=list[DIRECTORY.Group])
def list_groups(caller: Caller):
    """Department groups with members and supervisors."""
    return wiring.directory_service().groups()


@endpoint(
    bp, "/groups/{group_id}", permission=(Resource.GROUPS, Action.READ), response=DIRECTORY.Group
)
def get_group(caller: Caller, group_id: str):
    """One group."""
    return wiring.directory_service().group(group_id)


@endpoint(
    bp,
    "/groups/{group_id}",
    "PUT",
    permission=(Resource.GROUPS, Action.EDIT),
    body=DIRECTORY_SERVICE.GroupDetails,
    response=DIRECTORY.Group,
)
def put_group(caller: Caller, group_id: str, body: GroupDetails):
    """Create or replace a department group: members, supervisors, default."""
    return wiring.directory_service().put_group(group_id, body)


@endpoint(
    bp,
    "/staff/{username}",
    "PUT",
    permission=(Resource.STAFF, Action.EDIT),
    body=DIRECTORY_SERVICE.StaffDetails,
    response=DIRECTORY.StaffMember,
)
def put_staff(caller: Caller, username: str, body: StaffDetails):
    """Create or replace a staff member's directory entry; someone new is mailed an
    invitation with a temporary password and the console's address; taking a role away or
    disabling the account ends their open sessions."""
    console = console_address(bp.current_request)
    return wiring.directory_service().put_staff(
        username, body, console, by=caller.principal.username
    )


@endpoint(bp, "/staff/{username}", "DELETE", permission=(Resource.STAFF, Action.DELETE), status=204)
def remove_staff(caller: Caller, username: str):
    """Remove a staff member: their directory entry, their groups and their sign-in; their
    open sessions are refused from now on."""
    wiring.directory_service().remove_staff(username, by=caller.principal.username)
    return Response(body="", status_code=204)


@endpoint(
    bp, "/staff", permission=(Resource.STAFF, Action.READ), response=list[DIRECTORY.StaffMember]
)
def list_staff(caller: Caller):
    """Staff members."""
    return wiring.directory_service().staff()


@endpoint(bp, "/roles", permission=(Resource.ROLES, Action.READ), response=list[Role])
def list_roles(caller: Caller):
    """Every role with its read/add/edit/delete permissions per resource."""
    return wiring.directory_service().list_roles()


@endpoint(
    bp,
    "/roles/{role}",
    "PUT",
    permission=(Resource.ROLES, Action.EDIT),
    body=DIRECTORY_SERVICE.RolePermissions,
    response=Role,
)
def set_role(caller: Caller, role: str, body: RolePermissions):
    """Replace a role's permissions."""
    return wiring.directory_service().set_role(role, body)


@endpoint(bp, "/me/shift", "PUT", body=DIRECTORY_SERVICE.Shift, response=DIRECTORY.StaffMember)
def set_shift(caller: Caller, body: Shift):
    """Start or end your shift: groups that assign automatically skip agents off shift."""
    return wiring.directory_service().set_shift(caller.principal.username, body)


@endpoint(bp, "/me/notices", "PUT", body=DIRECTORY_SERVICE.Notices, response=DIRECTORY.StaffMember)
def set_notices(caller: Caller, body: Notices):
    """Opt out of notice emails, or back in (docs/notifications.md)."""
    return wiring.directory_service().set_notices(caller.principal.username, body)
