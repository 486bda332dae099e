"""Admin routes for what routing learns from agents' corrections (issue 20, second half):
the corrections report, the learned classifier's status, settings and training."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.routing_learning import ReportQuery, SettingsChange

bp = Blueprint(__name__)
LEARNING = lazy("chalicelib.services.routing_learning")
CLASSIFIER = lazy("chalicelib.domain.routing_classifier")
RULES = Resource.ROUTING_RULES


@endpoint(
    bp,
    "/routing-corrections/report",
    permission=(RULES, Action.READ),
    query=LEARNING.ReportQuery,
    response=LEARNING.CorrectionsReport,
)
def corrections_report(caller: Caller, query: ReportQuery):
    """The phrases that most often end in another group than routing chose, from agents'
    corrections of the last three months, each with the enabled rule that already matches it
    (`covered_by`) or else the word that would have caught them, as customers wrote it, with
    its match mode and never-trigger words (`suggestion`); in `categories`, the same for the
    cases put in another category than routing set."""
    return wiring.routing_learning().report(min_count=query.min_count, top=query.top)


@endpoint(
    bp, "/routing-classifier", permission=(RULES, Action.READ), response=LEARNING.ClassifierStatus
)
def classifier_status(caller: Caller):
    """The learned classifier: settings, when trained, on how many cases, its accuracy."""
    return wiring.routing_learning().status()


@endpoint(
    bp,
    "/routing-classifier/settings",
    "PUT",
    permission=(RULES, Action.EDIT),
    body=LEARNING.SettingsChange,
    response=CLASSIFIER.ClassifierSettings,
)
def change_classifier_settings(caller: Caller, body: SettingsChange):
    """Turn routing by the classifier on or off (off by default), set its confidence."""
    return wiring.routing_learning().change_settings(body, caller.actor.id)


@endpoint(
    bp,
    "/routing-classifier/train",
    "POST",
    permission=(RULES, Action.EDIT),
    response=LEARNING.ClassifierStatus,
)
def train_classifier(caller: Caller):
    """Train now (as the 15-minute schedule does): one run, resumed by the next if cut short."""
    return wiring.routing_learning().train()
