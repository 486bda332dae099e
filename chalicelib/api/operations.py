"""Admin routes for operations: dead-letter queues."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from chalice import Blueprint
from pydantic import Field

from .. import wiring
from ..domain.errors import NotFound
from ..domain.model import Model
from ..domain.permissions import Action, Resource
from ..services.case_commands import Strict
from .endpoint import endpoint

if TYPE_CHECKING:
    from ..domain.caller import Caller

bp = Blueprint(__name__)


class Redrive(Strict):
    limit: Annotated[int, Field(ge=1, le=1000)] = 100


class DeadLetterQueue(Model):
    queue: str
    messages: int


class Redriven(Model):
    queue: str
    moved: int


@endpoint(
    bp,
    "/dead-letters",
    permission=(Resource.OPERATIONS, Action.READ),
    response=list[DeadLetterQueue],
)
def dead_letters(caller: Caller):
    """How many messages wait in each dead-letter queue."""
    queues = wiring.dead_letters()
    return [{"queue": name, "messages": queues.count(name)} for name in queues.names()]


@endpoint(
    bp, "/dead-letters/{queue}/redrive", "POST",
    permission=(Resource.OPERATIONS, Action.EDIT), body=Redrive,
    response=Redriven,
)  # fmt: skip
def redrive(caller: Caller, queue: str, body: Redrive):
    """Send a dead-letter queue's messages back to be processed again."""
    queues = wiring.dead_letters()
    if queue not in queues.names():
        raise NotFound(f"no queue {queue!r}", details={"queues": queues.names()})
    return {"queue": queue, "moved": queues.redrive(queue, body.limit)}
