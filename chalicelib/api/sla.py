"""Admin routes for SLA policies, escalation ladders and business calendars."""

from __future__ import annotations

from chalice import Blueprint, Response

from .. import wiring
from ..domain.business_hours import BusinessCalendar
from ..domain.caller import Caller
from ..domain.permissions import Action, Resource
from ..domain.sla import EscalationLadder, SlaPolicy
from ..services.sla_config import CalendarDetails, LadderDetails, PolicyDetails
from .endpoint import endpoint

bp = Blueprint(__name__)
READ, ADD, EDIT, DELETE = ((Resource.SLA, a) for a in Action)


@endpoint(bp, "/sla-policies", permission=READ, response=list[SlaPolicy])
def list_policies(caller: Caller):
    """SLA policies: targets by type, category, priority and customer category."""
    return wiring.sla_config().policies()


@endpoint(
    bp, "/sla-policies", "POST", permission=ADD, body=PolicyDetails, status=201, response=SlaPolicy
)
def add_policy(caller: Caller, body: PolicyDetails):
    """Add a policy; the most specific one that applies wins."""
    return wiring.sla_config().save_policy(body)


@endpoint(
    bp, "/sla-policies/{policy_id}", "PUT", permission=EDIT, body=PolicyDetails, response=SlaPolicy
)
def replace_policy(caller: Caller, policy_id: str, body: PolicyDetails):
    """Replace a policy (cases routed before keep the targets they got)."""
    return wiring.sla_config().save_policy(body, policy_id)


@endpoint(bp, "/sla-policies/{policy_id}", "DELETE", permission=DELETE, status=204)
def delete_policy(caller: Caller, policy_id: str):
    """Delete a policy."""
    wiring.sla_config().delete_policy(policy_id)
    return Response(body="", status_code=204)


@endpoint(bp, "/escalation-ladders", permission=READ, response=list[EscalationLadder])
def list_ladders(caller: Caller):
    """Escalation ladders per group or category."""
    return wiring.sla_config().ladders()


@endpoint(
    bp,
    "/escalation-ladders",
    "POST",
    permission=ADD,
    body=LadderDetails,
    status=201,
    response=EscalationLadder,
)
def add_ladder(caller: Caller, body: LadderDetails):
    """Add a ladder: levels, each after its own delay from the breach."""
    return wiring.sla_config().save_ladder(body)


@endpoint(
    bp,
    "/escalation-ladders/{ladder_id}",
    "PUT",
    permission=EDIT,
    body=LadderDetails,
    response=EscalationLadder,
)
def replace_ladder(caller: Caller, ladder_id: str, body: LadderDetails):
    """Replace a ladder."""
    return wiring.sla_config().save_ladder(body, ladder_id)


@endpoint(bp, "/escalation-ladders/{ladder_id}", "DELETE", permission=DELETE, status=204)
def delete_ladder(caller: Caller, ladder_id: str):
    """Delete a ladder."""
    wiring.sla_config().delete_ladder(ladder_id)
    return Response(body="", status_code=204)


@endpoint(bp, "/calendars", permission=READ, response=list[BusinessCalendar])
def list_calendars(caller: Caller):
    """Business calendars (the default one always exists)."""
    return wiring.sla_config().calendars()


@endpoint(
    bp,
    "/calendars/{calendar_id}",
    "PUT",
    permission=EDIT,
    body=CalendarDetails,
    response=BusinessCalendar,
)
def save_calendar(caller: Caller, calendar_id: str, body: CalendarDetails):
    """Create or replace a calendar; a group uses it through its calendar_id."""
    return wiring.sla_config().save_calendar(calendar_id, body)
