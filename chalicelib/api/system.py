"""Health and identity."""

from __future__ import annotations

from chalice import Blueprint

from ..domain.caller import Caller
from ..domain.errors import NotFound
from ..domain.model import Model
from ..domain.permissions import Principal
from .endpoint import endpoint

bp = Blueprint(__name__)


class Health(Model):
    status: str
    service: str


class Identity(Principal):
    """The verified caller, with every action their roles allow, per resource."""

    permissions: dict[str, list[str]]


@endpoint(bp, "/health", audience="public", rate_limit=120, response=Health)
def health(caller: None) -> dict:
    """Liveness: answers without touching AWS."""
    return {"status": "ok", "service": "destek"}


@endpoint(bp, "/me", audience="any", response=Identity)
def me(caller: Caller) -> dict:
    """Who the token says you are, and what your roles let you do."""
    return {**caller.principal.model_dump(mode="json"), "permissions": caller.permission_summary()}


@endpoint(bp, "/{proxy+}", "GET", audience="public", rate_limit=60)
def unknown_route(caller: None, **_: str) -> dict:
    """Any path destek does not serve: a JSON 404 instead of the gateway's 403."""
    raise NotFound("no such route")
