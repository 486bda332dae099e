"""History lines written before reason codes: their English `reason` read back as a code.

Until reason codes existed, destek stored its own reasons as English sentences
("opened via web", "claimed from the pool", "escalated to level 1: supervisors").
Those items stay in tables for years; reading one turns the sentence it recognises
into the `reason_code` and `data` a new line would carry, so the console says it in
the reader's language. A sentence it does not recognise is left alone: it is what a
person typed.
"""

from __future__ import annotations

import re
from typing import Any

#: exact sentences -> code
_FIXED = {
    "group chosen at intake": "group_chosen_at_intake",
    "default group (no rule matched)": "default_group",
    "assigned automatically": "auto_assigned",
    "claimed from the pool": "claimed",
    "assigned by supervisor": "assigned_by_supervisor",
    "the customer confirmed the resolution": "customer_confirmed",
}
_OPENED = re.compile(r"opened via (?P<channel>[a-z]+)")
_RULE = re.compile(r"rule '(?P<rule_name>.*)' matched: (?P<matched>.*)", re.DOTALL)
_CLOSED = re.compile(r"closed automatically (?P<days>\d+) days after resolution")
_SLA = re.compile(
    r"(?P<target>first response|resolution) target (?:is near|breached)"
    r"|escalated to level (?P<level>\d+): (?P<notify>[a-z_]+)"
)


def upgrade(item: dict[str, Any]) -> dict[str, Any]:
    """The stored line with a recognised English reason turned into `reason_code` + `data`."""
    reason = item.get("reason")
    if item.get("reason_code") or not isinstance(reason, str):
        return item
    found = _recognise(reason, item.get("kind"), dict(item.get("data") or {}))
    if found is None:
        return item
    code, data = found
    return {**item, "reason": None, "reason_code": code, "data": data}


def _recognise(reason: str, kind: Any, data: dict[str, Any]) -> tuple[str, dict] | None:
    if reason in _FIXED:
        return _FIXED[reason], data
    if match := _OPENED.fullmatch(reason):
        return "opened", {**data, "channel": match["channel"]}
    if match := _RULE.fullmatch(reason):
        matched = data.get("matched") or [w.strip() for w in match["matched"].split(",")]
        return "rule_matched", {**data, "rule_name": match["rule_name"], "matched": matched}
    if match := _CLOSED.fullmatch(reason):
        return "auto_closed", {**data, "days": int(match["days"])}
    if kind == "sla" and _SLA.fullmatch(reason):
        # SLA lines always kept the whole event in data: kind, target, level, notify
        event = data.get("kind")
        if event in ("reminder", "breach", "escalation"):
            return f"sla_{event}", data
    return None
