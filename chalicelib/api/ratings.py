"""Satisfaction ratings: the customer's rating link (public, no sign-in, rate limited), the
score an agent records from the phone, and the follow-up a low score opens."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.ratings import AgentRating, FollowUpDone, RatingAnswer

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CASES = lazy("chalicelib.domain.cases")
RATINGS = lazy("chalicelib.services.ratings")


@endpoint(bp, "/ratings/{token}", audience="public", rate_limit=60, response=RATINGS.RatingView)
def read_rating(caller: None, token: str):
    """What a rating link opens: the case, its current answer, whether it can still change.
    Records nothing (a mail scanner opening the link answers nothing). 404 for a link that
    is not ours or not this customer's, 410 for an expired one."""
    return wiring.rating_service().read(token)


@endpoint(
    bp, "/ratings/{token}", "POST", audience="public", rate_limit=20, body=RATINGS.RatingAnswer,
    response=RATINGS.RatingView,
)  # fmt: skip
def answer_rating(caller: None, token: str, body: RatingAnswer):
    """Rate the resolved case from 1 to 5, with an optional comment; answering again within
    the change window replaces the answer (409 `rating_locked` after it)."""
    return wiring.rating_service().answer(token, body)


@endpoint(
    bp, "/cases/{case_id}/rating", "POST", permission=(Resource.RATINGS, Action.ADD),
    body=RATINGS.AgentRating, status=201, response=CASES.Case,
)  # fmt: skip
def record_rating(caller: Caller, case_id: str, body: AgentRating):
    """Record the score the customer gave on the phone at close (counted apart, as
    agent-collected)."""
    return wiring.rating_service().record_by_agent(caller, case_id, body)


@endpoint(
    bp, "/cases/{case_id}/follow-up/done", "POST", permission=(Resource.CASES, Action.EDIT),
    body=RATINGS.FollowUpDone, response=CASES.Case,
)  # fmt: skip
def close_follow_up(caller: Caller, case_id: str, body: FollowUpDone):
    """Mark the follow-up a low rating opened as done, saying what was done."""
    return wiring.rating_service().close_follow_up(caller, case_id, body)
