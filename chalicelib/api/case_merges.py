"""Merge and split routes (docs/merge-and-split.md): a case into another, a customer's
message into a new case, a pre-case into a case."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.case_merges import MergeCase, MergePreCase, SplitCase

bp = Blueprint(__name__)
MERGES = lazy("chalicelib.services.case_merges")
PRECASES = lazy("chalicelib.domain.precases")


@endpoint(
    bp,
    "/cases/{case_id}/merge",
    "POST",
    permission=(Resource.CASES, Action.EDIT),
    body=MERGES.MergeCase,
    response=MERGES.Merged,
)
def merge_case(caller: Caller, case_id: str, body: MergeCase):
    """Merge this case into another of the same customer (`into`: its id or number): this
    one becomes `merged` and read-only, its messages, notes, files and calls carry over, and
    its customer is told which case carries on. 409 `merge_into_itself`,
    `different_customer`, `case_closed`, `case_merged`, `target_closed`, `version_conflict`."""
    return wiring.case_merges().merge(caller, case_id, body)


@endpoint(
    bp,
    "/cases/{case_id}/split",
    "POST",
    permission=(Resource.CASES, Action.ADD),
    body=MERGES.SplitCase,
    status=201,
    response=MERGES.Split,
)
def split_case(caller: Caller, case_id: str, body: SplitCase):
    """Take one customer message of this case (`entry_id`, a history line) into a new case of
    the same customer, its first message. 422 `not_a_customer_message`; 409 `case_closed`,
    `case_merged`, `version_conflict`."""
    return wiring.case_merges().split(caller, case_id, body)


@endpoint(
    bp,
    "/precases/{precase_id}/merge",
    "POST",
    permission=(Resource.CASES, Action.EDIT),
    body=MERGES.MergePreCase,
    response=PRECASES.PreCase,
)
def merge_precase(caller: Caller, precase_id: str, body: MergePreCase):
    """Merge a pre-case into a case (`into`: its id or number): its text, files and later
    mails become the customer's message on the case and it leaves the pool (as set-aside
    `duplicate` does). 409 `case_closed`, `case_merged`, `version_conflict`."""
    return wiring.precase_pool().merge_into_case(caller, precase_id, body)
