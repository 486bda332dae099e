"""destek's fixed lists of values, as machine codes, for clients that offer them as choices.

The console and the site never type these lists into their scripts: they read them
from `GET /vocabulary` and show each code in the reader's language through their
strings files (for example `status_in_progress`, `type_complaint`). A value added to
one of these enums then reaches every form without a change to a script, and a test
fails until both languages have a word for it.
"""

from __future__ import annotations

from typing import get_args

from pydantic import Field

from .calls import Direction, Outcome
from .case_kinds import CaseType, Channel, Priority
from .conditions import FIELDS, ConditionField, Operator
from .customers import CustomerCategory, Language
from .directory import Arrivals, AutoAssign, DigestMinutes
from .lifecycle import Status
from .model import Model
from .permissions import ALL_ROLES, STAFF_ROLES, Action, Resource
from .routing_rules import MAX_PRIORITY_BUMP
from .sla import EscalationAudience, SlaHours, TargetKind


class Vocabulary(Model):
    """Every list in the order a form offers it; codes only, never words."""

    statuses: list[Status] = Field(description="a case's lifecycle, in the order it moves")
    priorities: list[Priority] = Field(description="lowest first")
    case_types: list[CaseType]
    channels: list[Channel]
    customer_categories: list[CustomerCategory]
    languages: list[Language]
    call_directions: list[Direction]
    call_outcomes: list[Outcome]
    roles: list[str] = Field(description="every role permissions are granted to")
    staff_roles: list[str] = Field(description="the roles a staff member can hold")
    permission_resources: list[Resource]
    permission_actions: list[Action]
    auto_assign: list[str] = Field(description="a group's automatic assignment modes")
    arrivals: list[str] = Field(description="how a group's members hear of unassigned arrivals")
    digest_minutes: list[int] = Field(description="a group's arrivals digest intervals, minutes")
    sla_hours: list[str] = Field(description="how an SLA policy's clock counts")
    sla_targets: list[TargetKind]
    escalation_audiences: list[str] = Field(description="whom an escalation level tells")
    priority_bumps: list[int] = Field(description="steps a routing rule may raise priority by")
    weekdays: list[int] = Field(description="a calendar's days, 0 = Monday")
    condition_fields: list[ConditionField] = Field(description="what a condition may look at")
    condition_operators: list[Operator]
    operators_by_field: dict[ConditionField, list[Operator]] = Field(
        description="the operators each condition field takes (domain/conditions.py)"
    )


def vocabulary() -> Vocabulary:
    """The lists as the domain defines them today."""
    return Vocabulary(
        statuses=list(Status),
        priorities=list(Priority),
        case_types=list(CaseType),
        channels=list(Channel),
        customer_categories=list(CustomerCategory),
        languages=list(Language),
        call_directions=list(Direction),
        call_outcomes=list(Outcome),
        roles=list(ALL_ROLES),
        staff_roles=list(STAFF_ROLES),
        permission_resources=list(Resource),
        permission_actions=list(Action),
        auto_assign=list(get_args(AutoAssign)),
        arrivals=list(get_args(Arrivals)),
        digest_minutes=list(get_args(DigestMinutes)),
        sla_hours=list(get_args(SlaHours)),
        sla_targets=list(TargetKind),
        escalation_audiences=list(get_args(EscalationAudience)),
        priority_bumps=list(range(MAX_PRIORITY_BUMP + 1)),
        weekdays=list(range(7)),
        condition_fields=list(ConditionField),
        condition_operators=list(Operator),
        operators_by_field={
            f: [o for o in Operator if o in s.operators] for f, s in FIELDS.items()
        },
    )
