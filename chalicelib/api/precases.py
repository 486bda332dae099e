"""The pre-case pool: what arrived by email, social media or the shop, waiting for an agent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.case_commands import PageParams
    from ..services.intake_commands import (
        Claim,
        Convert,
        Distribute,
        PoolQuery,
        SetAside,
        TopicQuery,
    )

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CASE_COMMANDS = lazy("chalicelib.services.case_commands")
INTAKE_COMMANDS = lazy("chalicelib.services.intake_commands")
#: the pool's modules load when the pool is first used (cold start); the OpenAPI document
#: resolves these names when it is built
PAGE = "chalicelib.services.precases:PreCasePage"
PRECASE = "chalicelib.domain.precases:PreCase"
READ = (Resource.PRECASES, Action.READ)
EDIT = (Resource.PRECASES, Action.EDIT)


@endpoint(bp, "/precases", permission=READ, query=INTAKE_COMMANDS.PoolQuery, response=PAGE)
def list_pool(caller: Caller, query: PoolQuery):
    """The pool: pre-cases nobody has taken, oldest first (or newest), one channel or all."""
    return wiring.precase_pool().pool(query)


@endpoint(bp, "/precases/mine", permission=READ, query=CASE_COMMANDS.PageParams, response=PAGE)
def my_precases(caller: Caller, query: PageParams):
    """The pre-cases you claimed or were handed, oldest first."""
    return wiring.precase_pool().mine(caller, query)


@endpoint(bp, "/precases/{precase_id}", permission=READ, response=PRECASE)
def get_precase(caller: Caller, precase_id: str):
    """One pre-case: what arrived, from whom, its mood, topic and suggested first step."""
    return wiring.precase_pool().get(precase_id)


@endpoint(
    bp,
    "/precases/{precase_id}/claim",
    "POST",
    permission=EDIT,
    body=INTAKE_COMMANDS.Claim,
    response=PRECASE,
)
def claim_precase(caller: Caller, precase_id: str, body: Claim):
    """Take a pre-case from the pool."""
    return wiring.precase_pool().claim(caller, precase_id, body)


@endpoint(
    bp,
    "/precases/{precase_id}/case",
    "POST",
    permission=EDIT,
    body=INTAKE_COMMANDS.Convert,
    status=201,
    response="chalicelib.services.precases:Converted",
)
def convert_precase(caller: Caller, precase_id: str, body: Convert):
    """Make it a case for the matched, a chosen or a new customer; text and files carry over."""
    return wiring.precase_pool().convert(caller, precase_id, body)


@endpoint(
    bp,
    "/precases/{precase_id}/set-aside",
    "POST",
    permission=EDIT,
    body=INTAKE_COMMANDS.SetAside,
    response=PRECASE,
)
def set_aside_precase(caller: Caller, precase_id: str, body: SetAside):
    """Mark it spam, or a duplicate of a case: it leaves the pool and opens nothing."""
    return wiring.precase_pool().set_aside(caller, precase_id, body)


@endpoint(
    bp, "/precase-assignments", "POST", permission=(Resource.ASSIGNMENTS, Action.EDIT),
    body=INTAKE_COMMANDS.Distribute,
    response="chalicelib.services.precases:Distributed",
)  # fmt: skip
def distribute_precases(caller: Caller, body: Distribute):
    """Hand several pre-cases to one agent at once (supervisors); each is reported."""
    return wiring.precase_pool().distribute(caller, body)


@endpoint(
    bp,
    "/social/topics",
    permission=READ,
    query=INTAKE_COMMANDS.TopicQuery,
    response="chalicelib.services.social:TopicReport",
)
def social_topics(caller: Caller, query: TopicQuery):
    """What social posts talked about over the last days, most complaints first."""
    return wiring.social_inbox().topics(query)
