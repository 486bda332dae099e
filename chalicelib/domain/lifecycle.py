"""The case state machine (DESIGN.md, "Case lifecycle").

Only the moves listed in MOVES are possible; everything else is refused with
a Conflict naming the allowed moves, so a client learns what it may do next.
"""

from __future__ import annotations

from enum import StrEnum

from .errors import Conflict


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    WAITING_CUSTOMER = "waiting_customer"
    REOPENED = "reopened"
    RESOLVED = "resolved"
    CLOSED = "closed"
    #: merged into another case (`Case.merged_into`), read-only: never moved by hand
    MERGED = "merged"


MOVES: dict[Status, frozenset[Status]] = {
    # routing puts a new case into a group's pool
    Status.NEW: frozenset({Status.OPEN}),
    # an agent claims it, or a supervisor assigns it
    Status.OPEN: frozenset({Status.IN_PROGRESS}),
    # unassigning returns it to the group's pool (open)
    Status.IN_PROGRESS: frozenset({Status.WAITING_CUSTOMER, Status.RESOLVED, Status.OPEN}),
    # the customer answered (owner still there) or it went back to the pool
    Status.WAITING_CUSTOMER: frozenset({Status.IN_PROGRESS, Status.REOPENED}),
    Status.REOPENED: frozenset({Status.OPEN, Status.IN_PROGRESS}),
    # confirmed or left alone for N days; or the customer says it is not solved
    Status.RESOLVED: frozenset({Status.CLOSED, Status.REOPENED}),
    Status.CLOSED: frozenset(),
    # merging is its own command (domain/case_change.py MergeInto), never a status move
    Status.MERGED: frozenset(),
}

#: statuses in which the case still needs work from the shop
ACTIVE = frozenset({Status.NEW, Status.OPEN, Status.IN_PROGRESS, Status.REOPENED})
#: statuses in which the case is finished from the agent's side (a merged case lives on in
#: the case it was merged into)
DONE = frozenset({Status.RESOLVED, Status.CLOSED, Status.MERGED})


def can_move(current: Status, target: Status) -> bool:
    return target in MOVES[current]


def check_move(current: Status, target: Status) -> None:
    if not can_move(current, target):
        allowed = sorted(s.value for s in MOVES[current])
        raise Conflict(
            f"a case that is {current.value} cannot become {target.value}",
            details={"status": current.value, "allowed": allowed},
            code="illegal_transition",
        )
