"""What a customer does through a survey's signed links, without signing in: read the
survey (never recorded), answer it (the last answer counts, until the link expires), and
stop commercial messages on a channel (the opt-out link, at once)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import Field

from ..domain.clock import utcnow
from ..domain.consent import ConsentChange, ConsentChannel, ConsentSource, applied
from ..domain.errors import Conflict
from ..domain.model import Model, Strict
from ..domain.signed_links import LinkInvalid, LinkPurpose, LinkSigner
from ..domain.survey_results import counted
from ..domain.survey_runs import Invitation, InvitationStatus
from ..domain.surveys import AnswerValue, Question, check_answers
from .ports import ConsentStore, SurveyStore


class SurveyPage(Model):
    """A survey as its link shows it: the customer's language first, both texts given."""

    name: str
    language: str
    questions: list[Question]
    #: the answers given so far (the last counts), to change them
    answers: dict = Field(default_factory=dict)
    answered_at: datetime | None = None
    expires_at: datetime


class Answers(Strict):
    """Answers by question id: a number (rating, NPS), a choice id, a list of choice ids,
    or text; each answer's JSON type must be its question's (`true` or `"2"` is no number,
    checked by `check_answers`). Another top-level field than `answers` is a 422."""

    answers: dict[str, AnswerValue] = Field(max_length=20)


class Answered(Model):
    answered_at: datetime
    #: True the first time, False when an earlier answer was replaced
    first: bool


class OptOutPage(Model):
    channel: ConsentChannel
    #: consent on the channel is withdrawn now
    withdrawn: bool


class SurveyAnswers:
    def __init__(
        self,
        surveys: SurveyStore,
        consents: ConsentStore,
        signer: Callable[[], LinkSigner],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.surveys = surveys
        self.consents = consents
        self.signer = signer
        self.clock = clock

    def _invitation(self, token: str) -> tuple[Invitation, datetime]:
        found: dict[str, Invitation] = {}

        def bound_to(subject: str) -> str | None:
            inv = self.surveys.get_invitation(subject)
            if inv is None or inv.status != InvitationStatus.SENT:
                return None
            found["inv"] = inv
            return inv.customer_id

        claims = self.signer().verify(token, LinkPurpose.survey, self.clock(), bound_to)
        return found["inv"], claims.expires_at

    def show(self, token: str) -> SurveyPage:
        """The survey behind a link (LinkInvalid 404, LinkExpired 410). Reads only."""
        inv, expires_at = self._invitation(token)
        survey = self.surveys.get_survey(inv.survey_id)
        if survey is None:
            raise LinkInvalid("this link is not one of ours")
        return SurveyPage(name=survey.name, language=inv.language, questions=survey.questions,
                          answers=inv.answers, answered_at=inv.answered_at,
                          expires_at=expires_at)  # fmt: skip

    def answer(self, token: str, body: Answers) -> Answered:
        """Record the answers (422 naming each misfit; nothing written then); a later answer
        replaces an earlier one."""
        inv, _ = self._invitation(token)
        survey = self.surveys.get_survey(inv.survey_id)
        if survey is None:
            raise LinkInvalid("this link is not one of ours")
        kept = check_answers(survey.questions, body.answers)
        names = counted(survey.questions, kept)
        now = self.clock()
        try:
            self.surveys.save_answers(inv, kept, now, names)
        except Conflict:
            # another answer landed between the read and the write: this one replaces it
            fresh = self.surveys.get_invitation(inv.id)
            if fresh is None:
                raise
            self.surveys.save_answers(fresh, kept, now, names)
        return Answered(answered_at=now, first=inv.answered_at is None)

    def _opt_out_claims(self, token: str) -> tuple[str, ConsentChannel]:
        """The customer and channel an opt-out token names. The channel is bound, not
        written: each is tried (two HMACs)."""
        now = self.clock()
        for channel in ConsentChannel:

            def bound_to(subject: str, channel: ConsentChannel = channel) -> str | None:
                try:
                    self.surveys.customer(subject)
                except Exception:  # noqa: BLE001 - a deleted customer opens nothing
                    return None
                return channel.value

            try:
                claims = self.signer().verify(token, LinkPurpose.opt_out, now, bound_to)
            except LinkInvalid:
                continue
            return claims.subject, channel
        raise LinkInvalid("this link is not one of ours")

    def opt_out_page(self, token: str) -> OptOutPage:
        """What the opt-out link is for, and whether it has been used. Changes nothing: mail
        scanners open links."""
        customer_id, channel = self._opt_out_claims(token)
        standing = self.consents.get(customer_id, channel.value)
        return OptOutPage(channel=channel, withdrawn=standing is None or not standing.granted)

    def opt_out(self, token: str) -> OptOutPage:
        """Withdraw the consent on the link's channel, at once (the next run and any
        invitation not yet sent see it). A second POST changes nothing more."""
        customer_id, channel = self._opt_out_claims(token)
        standing = self.consents.get(customer_id, channel.value)
        if standing is None or standing.granted:
            change = ConsentChange(channel=channel, granted=False)
            self.consents.record(customer_id, applied(change, ConsentSource.OPT_OUT_LINK,
                                                      self.clock()))  # fmt: skip
        return OptOutPage(channel=channel, withdrawn=True)
