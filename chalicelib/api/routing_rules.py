"""Admin routes for keyword routing rules, and the sample-text test box."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.routing_rules import RoutingSample, RuleDetails

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
ROUTING_RULES = lazy("chalicelib.domain.routing_rules")
ROUTING_RULES_SERVICE = lazy("chalicelib.services.routing_rules")
RULES = Resource.ROUTING_RULES


@endpoint(
    bp, "/routing-rules", permission=(RULES, Action.READ), response=list[ROUTING_RULES.RoutingRule]
)
def list_rules(caller: Caller):
    """Every rule, in the order they are tried."""
    return wiring.rule_service().list()


@endpoint(
    bp,
    "/routing-rules",
    "POST",
    permission=(RULES, Action.ADD),
    body=ROUTING_RULES_SERVICE.RuleDetails,
    status=201,
    response=ROUTING_RULES.RoutingRule,
)
def add_rule(caller: Caller, body: RuleDetails):
    """Add a rule: words or phrases, optional limits, the group, category and priority bump."""
    return wiring.rule_service().add(body)


@endpoint(
    bp,
    "/routing-rules/{rule_id}",
    "PUT",
    permission=(RULES, Action.EDIT),
    body=ROUTING_RULES_SERVICE.RuleDetails,
    response=ROUTING_RULES.RoutingRule,
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
    body=ROUTING_RULES_SERVICE.RoutingSample,
    response=ROUTING_RULES.RoutingDecision,
)
def test_rules(caller: Caller, body: RoutingSample):
    """Where a sample text would be routed now, by which rule and which words."""
    return wiring.rule_service().try_sample(body)
