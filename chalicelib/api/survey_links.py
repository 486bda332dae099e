"""What customers reach without signing in, through signed links (docs/surveys.md): a
planned survey (GET shows it and never records; POST answers), the opt-out of commercial
messages (GET says what it does; POST withdraws, at once, and is the RFC 8058 one-click
target of List-Unsubscribe-Post); and consents, set by the customer on their profile and by
the shop's backend."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.consents import MyConsents, ShopConsents
    from ..services.survey_answers import Answers

bp = Blueprint(__name__)
#: the models by name: their modules load with the first request that needs them (cold start)
ANSWERS = "chalicelib.services.survey_answers"
CONSENTS = "chalicelib.services.consents"
STANDING = "chalicelib.domain.consent:Consents"
#: a link's page and its answers, per client address a minute
LINK_RATE = 60
#: mail clients post RFC 8058's `List-Unsubscribe=One-Click` as a form
FORMS = ("application/json", "application/x-www-form-urlencoded", "multipart/form-data")


@endpoint(bp, "/survey-links/{token}", audience="public", rate_limit=LINK_RATE,
          response=f"{ANSWERS}:SurveyPage")  # fmt: skip
def show_survey(caller: None, token: str):
    """The survey behind a link, with the answers given so far (404 no such link, 410
    expired). Records nothing: opening a link twice, or a mail scanner, is no answer."""
    return wiring.survey_answers().show(token)


@endpoint(bp, "/survey-links/{token}", "POST", audience="public", rate_limit=LINK_RATE,
          body=f"{ANSWERS}:Answers", response=f"{ANSWERS}:Answered")  # fmt: skip
def answer_survey(caller: None, token: str, body: Answers):
    """Answer (or change an answer) until the link expires; the last answer counts."""
    return wiring.survey_answers().answer(token, body)


@endpoint(bp, "/opt-out/{token}", audience="public", rate_limit=LINK_RATE,
          response=f"{ANSWERS}:OptOutPage")  # fmt: skip
def opt_out_page(caller: None, token: str):
    """Which channel the link stops, and whether it is stopped already. Changes nothing."""
    return wiring.survey_answers().opt_out_page(token)


@endpoint(bp, "/opt-out/{token}", "POST", audience="public", rate_limit=LINK_RATE,
          response=f"{ANSWERS}:OptOutPage", content_types=FORMS)  # fmt: skip
def opt_out(caller: None, token: str):
    """Stop commercial messages (planned surveys) on the link's channel, at once. Notices
    about the customer's own cases are not commercial and go on."""
    return wiring.survey_answers().opt_out(token)


@endpoint(bp, "/my/consents", audience="customer", response=STANDING)
def my_consents(caller: Caller):
    """The signed-in customer's consents per channel, with their history."""
    return wiring.consent_service().of(caller.principal.own_customer_id(), history=True)


@endpoint(bp, "/my/consents", "PUT", audience="customer", body=f"{CONSENTS}:MyConsents",
          response=STANDING)  # fmt: skip
def change_my_consents(caller: Caller, body: MyConsents):
    """Give or withdraw consent to surveys by email or SMS (source: customer)."""
    from ..domain.consent import ConsentSource

    service = wiring.consent_service()
    return service.record(caller.principal.own_customer_id(), body.changes,
                          ConsentSource.CUSTOMER)  # fmt: skip


@endpoint(bp, "/customers/{customer_id}/consents", permission=(Resource.CUSTOMERS, Action.READ),
          response=STANDING)  # fmt: skip
def customer_consents(caller: Caller, customer_id: str):
    """A customer's consents with their history (who changed them, how, when)."""
    return wiring.consent_service().of(customer_id, history=True)


@endpoint(bp, "/integrations/{shop_id}/consents", "POST", audience="integration",
          body=f"{CONSENTS}:ShopConsents", response=STANDING)  # fmt: skip
def shop_consents(caller: Caller, shop_id: str, body: ShopConsents):
    """The shop's record of a customer's consents (from İYS or its sign-up form): an older
    change than the standing one goes to the history only. Answers the standing consents
    and, as `history`, the entries this call recorded."""
    return wiring.consent_service().from_shop(body)
