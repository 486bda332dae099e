"""Health and identity."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from ..config import settings
from ..domain.errors import NotFound
from ..domain.model import Model
from ..domain.permissions import CaseAccess, Principal
from .endpoint import endpoint

if TYPE_CHECKING:
    from ..domain.caller import Caller

bp = Blueprint(__name__)


class Health(Model):
    status: str
    service: str


class Identity(Principal):
    """The verified caller, with every action their roles allow, per resource, and (staff)
    the groups they belong to and which groups' cases their roles reach."""

    permissions: dict[str, list[str]]
    groups: list[str] = []
    case_access: CaseAccess | None = None
    #: the shop's rating scale (1 to it, RATING_SCALE): the console's agent-recorded score
    rating_scale: int = 5


@endpoint(bp, "/health", audience="public", rate_limit=120, response=Health)
def health(caller: None) -> dict:
    """Liveness: answers without touching AWS."""
    return {"status": "ok", "service": "destek"}


@endpoint(bp, "/me", audience="any", response=Identity)
def me(caller: Caller) -> dict:
    """Who you are and what your roles let you do, as destek holds it now."""
    staff = caller.principal.is_staff
    return {
        **caller.principal.model_dump(mode="json"),
        "permissions": caller.permission_summary(),
        "groups": sorted(caller.groups),
        "case_access": caller.case_access.model_dump() if staff else None,
        "rating_scale": settings().rating_scale,
    }


#: every method a client may send to a path destek does not serve (API Gateway sends them
#: all to `/{proxy+}` only where it has the method; the others would get its 403)
UNKNOWN_ROUTE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def unknown_route(caller: None, **_: str) -> dict:
    """Any path destek does not serve, by any method: a JSON 404 instead of the gateway's
    403 (a path destek serves, by a method it does not take, is a 405)."""
    raise NotFound("no such route")


for _method in UNKNOWN_ROUTE_METHODS:
    endpoint(bp, "/{proxy+}", _method, audience="public", rate_limit=60)(unknown_route)
