"""The condition fields rules, policies and ladders had before domain/conditions.py, as conditions.

Until issue 14 each kind kept its own flat fields. Items stored in that shape are read
through `upgrade` (the models' before-validators), so they match as they did without a
rewrite; the next save stores the new shape. The admin API still takes the flat fields
(marked deprecated in the OpenAPI document) and folds them in with `fold`.

| kind | old field | condition | old test (domain/…, before issue 14) |
| --- | --- | --- | --- |
| routing rule | `case_types: [..]` (non-empty) | `type in [..]` | routing_rules._applies |
| | `category_id` | `category within` | |
| | `product_group` | `product_group is` | |
| | `customer_category` | `customer_category is` | |
| SLA policy | `case_type` | `type is` | sla.SlaPolicy.applies |
| | `category_id` | `category within` | |
| | `priority` | `priority is` | |
| | `customer_category` | `customer_category is` | |
| escalation ladder | `category_id` | `category within` | sla.choose_ladder |
| | `group_id` (only without `category_id`) | `group is` | |

A ladder with both a category and a group was chosen by its category alone (the old
`choose_ladder` never looked at its group), so it becomes the category condition alone:
it keeps matching exactly the cases it matched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field

from .conditions import MAX_CONDITIONS, Condition, ConditionField, Operator

_F, _O = ConditionField, Operator


@dataclass(frozen=True)
class OldShape:
    """One kind's old flat fields: old name -> (condition field, operator), in the order the
    old code tested them; `hidden_by` names a field the old code ignored when another was set."""

    fields: dict[str, tuple[ConditionField, Operator]]
    hidden_by: dict[str, str] = field(default_factory=dict)


RULE = OldShape({
    "case_types": (_F.TYPE, _O.IN),
    "category_id": (_F.CATEGORY, _O.WITHIN),
    "product_group": (_F.PRODUCT_GROUP, _O.IS),
    "customer_category": (_F.CUSTOMER_CATEGORY, _O.IS),
})  # fmt: skip
POLICY = OldShape({
    "case_type": (_F.TYPE, _O.IS),
    "category_id": (_F.CATEGORY, _O.WITHIN),
    "priority": (_F.PRIORITY, _O.IS),
    "customer_category": (_F.CUSTOMER_CATEGORY, _O.IS),
})  # fmt: skip
#: the old ladder choice never read the group of a ladder that had a category
LADDER = OldShape(
    {"category_id": (_F.CATEGORY, _O.WITHIN), "group_id": (_F.GROUP, _O.IS)},
    hidden_by={"group_id": "category_id"},
)


def _value(value: Any) -> Any:
    return value.value if hasattr(value, "value") and not isinstance(value, str) else value


def conditions_of(old: Mapping[str, Any], shape: OldShape) -> list[Condition]:
    """The conditions the old flat fields meant; an unset or empty field meant no limit."""
    given = {n: old.get(n) for n in shape.fields if old.get(n) not in (None, "", [])}
    for name, by in shape.hidden_by.items():
        if by in given:
            given.pop(name, None)
    conditions = []
    for name, value in given.items():
        field, operator = shape.fields[name]
        plain = [_value(v) for v in value] if isinstance(value, list) else _value(value)
        conditions.append(Condition(field=field, operator=operator, value=plain))
    return conditions


def upgrade(data: Any, shape: OldShape) -> Any:
    """A stored item (or constructor keywords) in the new shape: the old fields become
    `conditions`. An item that already has `conditions` keeps them and drops old fields."""
    if not isinstance(data, Mapping) or not any(name in data for name in shape.fields):
        return data
    item = dict(data)
    old = {name: item.pop(name) for name in shape.fields if name in item}
    if "conditions" not in item:
        item["conditions"] = conditions_of(old, shape)
    return item


def fold(conditions: list[Condition], old: Mapping[str, Any], shape: OldShape) -> list[Condition]:
    """A request's conditions with its deprecated flat fields added as conditions.

    Raises ValueError (a 422) when both name the same field and operator."""
    merged = [*conditions, *conditions_of(old, shape)]
    pairs = [(c.field, c.operator) for c in merged]
    if len(set(pairs)) != len(pairs):
        raise ValueError("a condition is given both in conditions and as an old flat field")
    if len(merged) > MAX_CONDITIONS:
        raise ValueError(f"at most {MAX_CONDITIONS} conditions")
    return merged


def old_field() -> Any:
    """A request's flat field from before conditions: still taken, marked deprecated in the
    OpenAPI document (send the condition instead)."""
    return Field(
        default=None,
        description="deprecated: send it in `conditions` (domain/legacy_conditions.py)",
        json_schema_extra={"deprecated": True},
    )
