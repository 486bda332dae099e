"""Satisfaction ratings: the customer's answer through a signed link, an agent's recorded
score, and the follow-up a low score opens (domain/ratings.py, docs/satisfaction.md).

The customer signs in to nothing: the link's token (domain/signed_links.py, purpose
`case_rating`, subject the case id, bound to the case's customer) is their proof. Reading
a link never records anything (mail scanners open links); only `answer` (a POST) does.
The customer holds no case version, so an answer re-reads the case and tries again when
an agent's change got there first (at most 3 times, then 409 `busy`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from ..domain.caller import Caller
from ..domain.case_change import CloseFollowUp, Rate, change_case
from ..domain.cases import Actor, Case, version_conflict
from ..domain.charsets import strip_c1
from ..domain.clock import utcnow
from ..domain.errors import Conflict, NotFound
from ..domain.lifecycle import DONE
from ..domain.limits import max_bytes
from ..domain.model import Model
from ..domain.notifications import Notice
from ..domain.ratings import CHANGE_DAYS, MAX_COMMENT_BYTES, SCALE, SCALES, RatingSource
from ..domain.signed_links import LinkClaims, LinkPurpose, LinkSigner
from .case_commands import Strict, Version
from .ports import CaseStore

Comment = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_COMMENT_BYTES),
    AfterValidator(strip_c1),
    AfterValidator(max_bytes(MAX_COMMENT_BYTES)),
]


class RatingAnswer(Strict):
    """The customer's answer: a score from 1 to the shop's scale (5 by default; over it is
    422 `less_than_equal` from the service) and, if they like, a comment (at most 1,000 bytes
    in UTF-8)."""

    score: int = Field(ge=1, le=max(SCALES))
    comment: Comment | None = None


class AgentRating(Strict):
    """The score the customer gave on the phone, recorded by the agent at the version read."""

    version: Version
    score: int = Field(ge=1, le=max(SCALES))
    comment: Comment | None = None


class FollowUpDone(Strict):
    """The follow-up is done: what was done, at the version read."""

    version: Version
    note: Comment | None = None


class RatingView(Model):
    """What a rating link shows: the case (number and subject), its current answer if any,
    whether it can still be answered or changed and until when (UTC), the scale."""

    case_number: str
    subject: str
    status: str
    scale: int = SCALE
    score: int | None = None
    comment: str | None = None
    answered_at: datetime | None = None
    #: the case takes an answer now (it is resolved or closed, and the answer is not locked)
    can_answer: bool
    #: until when an existing answer can be changed (null before the first answer)
    changeable_until: datetime | None = None
    #: when the link stops working
    expires_at: datetime


class RatingService:
    def __init__(
        self,
        cases: CaseStore,
        signer: Callable[[], LinkSigner],
        clock: Callable[[], datetime] = utcnow,
        announce: Callable[[list[Notice]], None] = lambda notices: None,
        change_days: int = CHANGE_DAYS,
        scale: int = SCALE,
    ) -> None:
        self.cases = cases
        self.signer = signer
        self.clock = clock
        self.announce = announce
        self.change_window = timedelta(days=change_days)
        #: the shop's scale (RATING_SCALE): new answers are on it, 1 to `scale`
        self.scale = scale

    # ---- the customer's link -------------------------------------------------------------

    def read(self, token: str) -> RatingView:
        """What the link opens; LinkInvalid (404) or LinkExpired (410). Records nothing."""
        claims, case = self._open(token)
        return self._view(case, claims)

    def answer(self, token: str, answer: RatingAnswer) -> RatingView:
        """Record the customer's answer (or replace their earlier one, within the change
        window). The same answer again changes nothing. Conflict `not_resolved` for a case
        that is not resolved or closed, `rating_locked` once the window has passed."""
        claims, case = self._open(token)
        actor = Actor(kind="customer", id=case.customer_id)
        command = Rate(score=answer.score, scale=self.scale, comment=answer.comment,
                       source="customer", change_window=self.change_window)  # fmt: skip
        saved = self._apply(case.id, command, actor, case)
        return self._view(saved, claims)

    def _open(self, token: str) -> tuple[LinkClaims, Case]:
        found: dict[str, Case] = {}

        def customer_of(case_id: str) -> str | None:
            try:
                found["case"] = self.cases.get(case_id).case
            except NotFound:
                return None
            return found["case"].customer_id

        claims = self.signer().verify(token, LinkPurpose.case_rating, self.clock(), customer_of)
        return claims, found["case"]

    def _view(self, case: Case, claims: LinkClaims) -> RatingView:
        rating = case.rating
        until = rating.changeable_until(self.change_window) if rating else None
        can = case.status in DONE and (until is None or self.clock() <= until)
        return RatingView(
            case_number=case.number, subject=case.subject, status=case.status.value,
            scale=self.scale, score=rating.score if rating else None,
            comment=rating.comment if rating else None, answered_at=rating.at if rating else None,
            can_answer=can, changeable_until=until,
            expires_at=claims.expires_at,
        )  # fmt: skip

    # ---- staff ---------------------------------------------------------------------------

    def record_by_agent(self, caller: Caller, case_id: str, body: AgentRating) -> Case:
        """The score the customer gave on the phone, kept apart as agent-collected."""
        case = self._writable(caller, case_id, body.version)
        command = Rate(score=body.score, scale=self.scale, comment=body.comment, source="agent",
                       change_window=self.change_window)  # fmt: skip
        return self._write(case, command, caller.actor)

    def close_follow_up(self, caller: Caller, case_id: str, body: FollowUpDone) -> Case:
        """The low rating's follow-up is done (Conflict `no_follow_up` when none is open)."""
        case = self._writable(caller, case_id, body.version)
        return self._write(case, CloseFollowUp(note=body.note), caller.actor)

    def _writable(self, caller: Caller, case_id: str, version: int) -> Case:
        case = self.cases.get(case_id).case
        caller.require_case(case.group_id, case.assignee, change=True, opened_by=case.staff_opener)
        if case.version != version:
            raise version_conflict(case)
        return case

    # ---- writing -------------------------------------------------------------------------

    def _apply(self, case_id: str, command: Rate, actor: Actor, case: Case) -> Case:
        """Write the answer, re-reading the case when someone else changed it meanwhile."""
        for attempt in range(3):
            if attempt:
                case = self.cases.get(case_id).case
            if _same_answer(case, command.source, command.score, command.comment):
                return case  # a repeated POST (a double click, a retry): nothing new
            try:
                return self._write(case, command, actor)
            except Conflict as exc:
                if exc.code != "version_conflict":
                    raise
        raise Conflict("the case kept changing; try again", code="busy")

    def _write(self, case: Case, command: Rate | CloseFollowUp, actor: Actor) -> Case:
        decided = change_case(case, command, actor, self.clock())
        saved = self.cases.apply(decided)
        self.announce(decided.notices)
        return saved


def _same_answer(case: Case, source: RatingSource, score: int, comment: str | None) -> bool:
    rating = case.rating if source == "customer" else case.agent_rating
    return rating is not None and rating.score == score and rating.comment == comment
