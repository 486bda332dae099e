"""Admin routes for keyword routing rules, and the sample-text test box."""

from __future__ import annotations

from chalice import Blueprint, Response

from .. import wiring
from ..domain.caller import Caller
from ..domain.permissions import Action, Resource
from ..domain.routing_rules import RoutingDecision, RoutingRule
from ..services.routing_rules import RoutingSample, RuleDetails
from .endpoint import endpoint

bp = Blueprint(__name__)
RULES = Resource.ROUTING_RULES


@endpoint(bp, "/routing-rules", permission=(RULES, Action.READ), response=list[RoutingRule])
def list_rules(caller: Caller):
    """Every rule, in the order they are tried."""
    return wiring.rule_service().list()


@endpoint(
    bp,
    "/routing-rules",
    "POST",
    permission=(RULES, Action.ADD),
    body=RuleDetails,
    status=201,
    response=RoutingRule,
)
def add_rule(caller: Caller, body: RuleDetails):
    """Add a rule: words or phrases, optional limits, the group, category and priority bump."""
    return wiring.rule_service().add(body)


@endpoint(
    bp,
    "/routing-rules/{rule_id}",
    "PUT",
    permission=(RULES, Action.EDIT),
    body=RuleDetails,
    response=RoutingRule,
)
def replace_rule(caller: Caller, rule_id: str, body: RuleDetails):
    """Replace a rule."""
    return wiring.rule_service().replace(rule_id, body)


@endpoint(bp, "/routing-rules/{rule_id}", "DELETE", permission=(RULES, Action.DELETE), status=204)
def delete_rule(caller: Caller, rule_id: str):
    """Delete a rule."""
    wiring.rule_service().delete(rule_id)
    return Response(body="", status_code=204)


@endpoint(
    bp,
    "/routing-rules/test",
    "POST",
    permission=(RULES, Action.READ),
    body=RoutingSample,
    response=RoutingDecision,
)
def test_rules(caller: Caller, body: RoutingSample):
    """Where a sample text would be routed now, by which rule and which words."""
    return wiring.rule_service().try_sample(body)
