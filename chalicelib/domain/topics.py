"""What a post or message is about, in the words routing already knows.

The keyword rules that send cases to groups name the subjects a shop cares
about (cargo, refunds, payment...); counting posts by the rule they match
shows a supervisor what people talk about most, with no second vocabulary to
keep up to date.
"""

from __future__ import annotations

from .conditions import CaseFacts
from .model import Model
from .routing_rules import RoutingRule, decide

OTHER = "other"


class Topic(Model):
    id: str
    name: str
    group_id: str | None = None


def topic_of(rules: list[RoutingRule], text: str) -> Topic:
    decision = decide(rules, CaseFacts(text=text), default_group="")
    if decision.rule_id is None:
        return Topic(id=OTHER, name=OTHER)
    return Topic(id=decision.rule_id, name=decision.rule_name or decision.rule_id,
                 group_id=decision.group_id)  # fmt: skip
