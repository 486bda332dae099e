"""Admin routes for SLA policies, escalation ladders and business calendars."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services.sla_config import (
        CalendarDetails,
        LadderDetails,
        PolicyDetails,
        PreviewRequest,
    )

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
BUSINESS_HOURS = lazy("chalicelib.domain.business_hours")
SLA = lazy("chalicelib.domain.sla")
SLA_CONFIG = lazy("chalicelib.services.sla_config")
READ, ADD, EDIT, DELETE = ((Resource.SLA, a) for a in Action)


@endpoint(bp, "/sla-policies", permission=READ, response=list[SLA.SlaPolicy])
def list_policies(caller: Caller):
    """SLA policies: targets by type, category, priority and customer category."""
    return wiring.sla_config().policies()


@endpoint(
    bp,
    "/sla-policies",
    "POST",
    permission=ADD,
    body=SLA_CONFIG.PolicyDetails,
    status=201,
    response=SLA.SlaPolicy,
)
def add_policy(caller: Caller, body: PolicyDetails):
    """Add a policy; the most specific one that applies wins."""
    return wiring.sla_config().save_policy(body)


@endpoint(
    bp,
    "/sla-policies/{policy_id}",
    "PUT",
    permission=EDIT,
    body=SLA_CONFIG.PolicyDetails,
    response=SLA.SlaPolicy,
)
def replace_policy(caller: Caller, policy_id: str, body: PolicyDetails):
    """Replace a policy (cases routed before keep the targets they got)."""
    return wiring.sla_config().save_policy(body, policy_id)


@endpoint(bp, "/sla-policies/{policy_id}", "DELETE", permission=DELETE, status=204)
def delete_policy(caller: Caller, policy_id: str):
    """Delete a policy."""
    wiring.sla_config().delete_policy(policy_id)
    return Response(body="", status_code=204)


@endpoint(bp, "/escalation-ladders", permission=READ, response=list[SLA.EscalationLadder])
def list_ladders(caller: Caller):
    """Escalation ladders per group or category."""
    return wiring.sla_config().ladders()


@endpoint(
    bp,
    "/escalation-ladders",
    "POST",
    permission=ADD,
    body=SLA_CONFIG.LadderDetails,
    status=201,
    response=SLA.EscalationLadder,
)
def add_ladder(caller: Caller, body: LadderDetails):
    """Add a ladder: levels, each after its own delay from the breach."""
    return wiring.sla_config().save_ladder(body)


@endpoint(
    bp,
    "/escalation-ladders/{ladder_id}",
    "PUT",
    permission=EDIT,
    body=SLA_CONFIG.LadderDetails,
    response=SLA.EscalationLadder,
)
def replace_ladder(caller: Caller, ladder_id: str, body: LadderDetails):
    """Replace a ladder."""
    return wiring.sla_config().save_ladder(body, ladder_id)


@endpoint(bp, "/escalation-ladders/{ladder_id}", "DELETE", permission=DELETE, status=204)
def delete_ladder(caller: Caller, ladder_id: str):
    """Delete a ladder."""
    wiring.sla_config().delete_ladder(ladder_id)
    return Response(body="", status_code=204)


@endpoint(bp, "/calendars", permission=READ, response=list[BUSINESS_HOURS.BusinessCalendar])
def list_calendars(caller: Caller):
    """Business calendars (the default one always exists)."""
    return wiring.sla_config().calendars()


@endpoint(
    bp,
    "/calendars/{calendar_id}",
    "PUT",
    permission=EDIT,
    body=SLA_CONFIG.CalendarDetails,
    response=BUSINESS_HOURS.BusinessCalendar,
)
def save_calendar(caller: Caller, calendar_id: str, body: CalendarDetails):
    """Create or replace a calendar; a group uses it through its calendar_id."""
    return wiring.sla_config().save_calendar(calendar_id, body)


@endpoint(
    bp,
    "/sla/preview",
    "POST",
    permission=READ,
    body=SLA_CONFIG.PreviewRequest,
    response=SLA_CONFIG.SlaPreview,
)
def preview_due_times(caller: Caller, body: PreviewRequest):
    """Due times of a sample case (priority, type, opened at) under a saved policy, the
    policy a form holds, or the one the sample would get; in the calendar's zone. Writes
    nothing."""
    return wiring.sla_config().preview(body)
