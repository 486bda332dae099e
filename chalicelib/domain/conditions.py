"""Conditions on a case: the facts read once, conditions as data, one evaluator.

Routing rules, SLA policies and escalation ladders (and, later, triggers and macros) say
*when* they apply with the same list of conditions, each `{field, operator, value}` as
Zammad's triggers and Zendesk's triggers and automations write them. All of a list must
hold (AND); an empty list always holds.

    {"field": "type", "operator": "in", "value": ["complaint", "question"]}
    {"field": "category", "operator": "within", "value": "k-siparis"}
    {"field": "customer_category", "operator": "is", "value": "vip"}
    {"field": "text", "operator": "contains", "value": "kargo gelmedi"}
    {"field": "hours_since_opened", "operator": "at_least", "value": 24}
    {"field": "product_group", "operator": "not_set"}
    {"field": "tag", "operator": "in", "value": ["iade", "kargo-gecikti"]}
    {"field": "custom_field", "key": "order_total", "operator": "at_least", "value": 1000}

`CaseFacts` is what the conditions look at, computed once per decision from the case,
its customer, its category's path in the tree and the clock (services/case_facts.py).
`FIELDS` is the one table of what a condition may name: for each field, the operators it
takes, the values it allows and the fact it reads. **A new condition is one entry in
`FIELDS`** (and, if it reads something new, one attribute of `CaseFacts` and the line in
services/case_facts.py that fills it); validation, evaluation, the OpenAPI description
and every user of conditions follow from it.

Operators (what each means for a fact `f` and a value `v`):

| operator | holds when | value |
| --- | --- | --- |
| `is` / `is_not` | `f == v` / `f != v` (an unset fact is not `v`) | one value |
| `in` / `not_in` | `f` is one of `v` / is none of them | a list, 1 to 50 |
| `within` / `not_within` | `v` is the category or one above it / is not | a category id |
| `contains` / `not_contains` | the text has the phrase (Turkish-aware words) / has not | a phrase |
| `at_least` / `less_than` | `f >= v` / `f < v` (an unset fact holds neither) | a number |
| `set` / `not_set` | the fact has a value / has none | none |

On `tag` (the case's free tags, domain/tags.py) `is` means the case has the tag, `is_not`
that it has not, `in` that it has any of them, `not_in` none of them, `set` that it has
any tag at all. `custom_field` names the field in `key` (domain/custom_fields.py) and
compares its value: text, an option's value, a date (`YYYY-MM-DD`, compared as text), a
number (`at_least`, `less_than`) or a checkbox (`true`/`false`); a value of another type
never matches.

Sources: the routing rules' limits, SLA policies' and ladders' conditions of DESIGN.md;
the shape and operator names after Zammad's trigger conditions and Zendesk's
`{field, operator, value}` conditions.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from .case_kinds import CaseType, Channel, Priority
from .customers import CustomerCategory
from .lifecycle import Status
from .model import Model
from .text import Phrase, Word, original_words, words

#: a condition list holds at most this many conditions
MAX_CONDITIONS = 20
#: a list value (`in`, `not_in`) holds at most this many values
MAX_VALUES = 50
#: hours (`at_least`, `less_than` on an age) up to ten years
MAX_HOURS = 24 * 366 * 10
#: a custom field condition's number, either way (a custom number field holds up to 1e12)
MAX_SCALAR = 10**15
_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_PHRASE_CHARS = (2, 100)


class ConditionField(StrEnum):
    """What a condition looks at in a case; `FIELDS` says which operators and values each takes."""

    TYPE = "type"
    CHANNEL = "channel"
    STATUS = "status"
    PRIORITY = "priority"
    CATEGORY = "category"
    PRODUCT_GROUP = "product_group"
    CUSTOMER_CATEGORY = "customer_category"
    GROUP = "group"
    TEXT = "text"
    HOURS_SINCE_OPENED = "hours_since_opened"
    TAG = "tag"
    CUSTOM_FIELD = "custom_field"


class Operator(StrEnum):
    """is / is_not: equal or not; in / not_in: one of a list or none of it; within /
    not_within: in a category's subtree or not; contains / not_contains: the text has a
    phrase (Turkish-aware) or not; at_least / less_than: a number; set / not_set: the case
    has a value for the field or not."""

    IS = "is"
    IS_NOT = "is_not"
    IN = "in"
    NOT_IN = "not_in"
    WITHIN = "within"
    NOT_WITHIN = "not_within"
    CONTAINS = "contains"
    NOT_CONTAINS = "not_contains"
    AT_LEAST = "at_least"
    LESS_THAN = "less_than"
    SET = "set"
    NOT_SET = "not_set"


class CaseFacts(Model):
    """What conditions look at in one case, read once (services/case_facts.py builds it).

    Facts the caller does not know stay unset (the routing test box has no customer, a
    new case no group yet): `is`, `in`, `within`, `contains`, `set` do not hold on them and
    their negations do; `at_least` and `less_than` hold on neither.
    """

    type: CaseType | None = None
    channel: Channel | None = None
    status: Status | None = None
    priority: Priority | None = None
    #: category ids from the root down to the case's own (empty: no category)
    category_path: list[str] = Field(default_factory=list)
    product_group: str | None = None
    customer_category: CustomerCategory | None = None
    group_id: str | None = None
    #: subject and description, as the customer wrote them
    text: str = ""
    opened_at: datetime | None = None
    now: datetime | None = None
    #: the case's free tags (normalised) and custom field values by key
    tags: frozenset[str] = frozenset()
    custom_fields: dict[str, Any] = Field(default_factory=dict)

    @cached_property
    def text_words(self) -> tuple[list[Word], list[str]]:
        """The text's words, folded and as written, split once for every phrase."""
        return words(self.text), original_words(self.text)

    @property
    def hours_since_opened(self) -> float | None:
        if self.opened_at is None or self.now is None:
            return None
        return (self.now - self.opened_at).total_seconds() / 3600


# ---- the one table of fields --------------------------------------------------------------

_CHOICE_OPS = frozenset({Operator.IS, Operator.IS_NOT, Operator.IN, Operator.NOT_IN})
_PRESENCE_OPS = frozenset({Operator.SET, Operator.NOT_SET})


@dataclass(frozen=True)
class FieldSpec:
    """What one condition field takes and reads.

    `kind` says how its values are checked: `choice` (one of `choices`), `id` (an id as
    the API takes ids), `category` (a category id, with the subtree operators), `phrase`
    (2 to 100 characters with at least one word) or `hours` (a number, 0 to ten years).
    """

    kind: Literal["choice", "id", "category", "phrase", "hours", "tag", "scalar"]
    operators: frozenset[Operator]
    fact: Callable[[CaseFacts], Any]
    choices: tuple[str, ...] = ()


def _choice(values: type[StrEnum], fact: Callable[[CaseFacts], Any], optional: bool = False):
    ops = _CHOICE_OPS | (_PRESENCE_OPS if optional else frozenset())
    return FieldSpec("choice", ops, fact, tuple(v.value for v in values))


FIELDS: dict[ConditionField, FieldSpec] = {
    ConditionField.TYPE: _choice(CaseType, lambda f: f.type),
    ConditionField.CHANNEL: _choice(Channel, lambda f: f.channel),
    ConditionField.STATUS: _choice(Status, lambda f: f.status),
    ConditionField.PRIORITY: _choice(Priority, lambda f: f.priority),
    ConditionField.CUSTOMER_CATEGORY: _choice(
        CustomerCategory, lambda f: f.customer_category, optional=True
    ),
    ConditionField.CATEGORY: FieldSpec(
        "category",
        _CHOICE_OPS | _PRESENCE_OPS | {Operator.WITHIN, Operator.NOT_WITHIN},
        lambda f: f.category_path,
    ),
    ConditionField.PRODUCT_GROUP: FieldSpec(
        "id", _CHOICE_OPS | _PRESENCE_OPS, lambda f: f.product_group
    ),
    ConditionField.GROUP: FieldSpec("id", _CHOICE_OPS | _PRESENCE_OPS, lambda f: f.group_id),
    ConditionField.TEXT: FieldSpec(
        "phrase", frozenset({Operator.CONTAINS, Operator.NOT_CONTAINS}), lambda f: f.text_words
    ),
    ConditionField.HOURS_SINCE_OPENED: FieldSpec(
        "hours",
        frozenset({Operator.AT_LEAST, Operator.LESS_THAN}),
        lambda f: f.hours_since_opened,
    ),
    ConditionField.TAG: FieldSpec("tag", _CHOICE_OPS | _PRESENCE_OPS, lambda f: f.tags),
    ConditionField.CUSTOM_FIELD: FieldSpec(
        "scalar",
        _CHOICE_OPS | _PRESENCE_OPS | {Operator.AT_LEAST, Operator.LESS_THAN},
        lambda f: f.custom_fields,
    ),
}

_LIST_OPS = frozenset({Operator.IN, Operator.NOT_IN})


def _check_one(spec: FieldSpec, value: Any) -> Any:
    """One value for `spec`, normalized; ValueError says what is wrong."""
    if spec.kind == "hours":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("give a number of hours")
        if not 0 <= value <= MAX_HOURS:
            raise ValueError(f"give hours from 0 to {MAX_HOURS}")
        return value
    if spec.kind == "scalar":
        if isinstance(value, bool) or isinstance(value, int) and abs(value) <= MAX_SCALAR:
            return value
        if isinstance(value, float) and math.isfinite(value) and abs(value) <= MAX_SCALAR:
            return value
        if isinstance(value, str) and 1 <= len(value) <= 200:
            return value
        raise ValueError("give text (1 to 200 characters), a number (at most 1e15) or true/false")
    if not isinstance(value, str):
        raise ValueError("give a text value")
    if spec.kind == "tag":
        from .errors import InvalidInput
        from .tags import normalise

        try:
            return normalise(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from exc
    if spec.kind == "choice":
        if value not in spec.choices:
            raise ValueError(f"give one of: {', '.join(spec.choices)}")
        return value
    if spec.kind == "phrase":
        phrase = value.strip()
        low, high = _PHRASE_CHARS
        if not low <= len(phrase) <= high:
            raise ValueError(f"a phrase has {low} to {high} characters")
        if not Phrase.of(phrase).keywords:
            raise ValueError("a phrase needs at least one word")
        return phrase
    # the API's Id (services/case_commands.py)
    if not re.fullmatch(_ID_PATTERN, value):
        raise ValueError("give an id: letters, digits, - and _, at most 64")
    return value


def check_value(field: ConditionField, operator: Operator, value: Any) -> Any:
    """The value a condition on `field` with `operator` may carry, normalized.

    Raises ValueError (a 422 at the API) when the operator does not apply to the field or
    the value does not fit it: the one place these limits live.
    """
    spec = FIELDS[field]
    if operator not in spec.operators:
        allowed = ", ".join(sorted(spec.operators))
        raise ValueError(f"{field} takes the operators {allowed}, not {operator}")
    if operator in _PRESENCE_OPS:
        if value is not None:
            raise ValueError(f"{operator} takes no value")
        return None
    if operator in _LIST_OPS:
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_VALUES:
            raise ValueError(f"{operator} takes a list of 1 to {MAX_VALUES} values")
        checked = [_check_one(spec, v) for v in value]
        if len(set(checked)) != len(checked):
            raise ValueError("a value is listed twice")
        return checked
    if isinstance(value, list):
        raise ValueError(f"{operator} takes one value, not a list")
    return _check_one(spec, value)


#: checked by `check_value` alone (one clear message), described to the OpenAPI document here
ConditionValue = Annotated[
    Any,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string"},
                {"type": "number"},
                {
                    "type": "array",
                    "items": {"type": "string"},
                    "minItems": 1,
                    "maxItems": MAX_VALUES,
                },
                {"type": "null"},
            ],
            "description": "one value, a list (in, not_in), a number (hours_since_opened) "
            "or none (set, not_set)",
        }
    ),
]


def _operators_table() -> str:
    return "; ".join(
        f"{name.value}: {', '.join(sorted(spec.operators))}"
        + (f" (values {', '.join(spec.choices)})" if spec.choices else f" ({spec.kind})")
        for name, spec in FIELDS.items()
    )


class Condition(Model):
    field: ConditionField
    operator: Operator
    value: ConditionValue = None
    #: the custom field a `custom_field` condition compares (its key); none for the others,
    #: which keep their three-part shape when stored or sent
    key: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")] | None = Field(
        default=None, exclude_if=lambda v: v is None
    )

    @model_validator(mode="after")
    def _fits_field(self) -> Condition:
        if (self.field is ConditionField.CUSTOM_FIELD) != (self.key is not None):
            raise ValueError("a custom_field condition names its field in key; others have none")
        checked = check_value(self.field, self.operator, self.value)
        self.value = checked
        return self


Condition.__doc__ = (
    "One condition: the case's `field` compared by `operator` with `value` "
    "(domain/conditions.py). Operators by field: " + _operators_table() + "."
)


def _no_repeats(conditions: list[Condition]) -> list[Condition]:
    pairs = [(c.field, c.key, c.operator) for c in conditions]
    if len(set(pairs)) != len(pairs):
        raise ValueError("one condition per field and operator (use in or not_in for several)")
    return conditions


#: a rule's, policy's or ladder's conditions: at most MAX_CONDITIONS, one per field and operator
Conditions = Annotated[
    list[Condition],
    Field(max_length=MAX_CONDITIONS, description="all must hold; none: always applies"),
    AfterValidator(_no_repeats),
]


# ---- the evaluator ------------------------------------------------------------------------


def holds(condition: Condition, facts: CaseFacts) -> bool:
    """Whether one condition holds for the case's facts (pure)."""
    op, value = condition.operator, condition.value
    fact = FIELDS[condition.field].fact(facts)
    if condition.field is ConditionField.CATEGORY:
        path: list[str] = fact
        own = path[-1] if path else None
        match op:
            case Operator.WITHIN:
                return value in path
            case Operator.NOT_WITHIN:
                return value not in path
        fact = own
    if condition.field is ConditionField.TAG:
        return _has_tags(op, value, fact)
    if condition.field is ConditionField.CUSTOM_FIELD:
        fact = fact.get(condition.key)
        if op in (Operator.AT_LEAST, Operator.LESS_THAN) and not _number(fact):
            return False
        if fact is not None and op not in _PRESENCE_OPS:
            wanted = value if isinstance(value, list) else [value]
            if not any(_same_kind(fact, w) for w in wanted):
                return op in (Operator.IS_NOT, Operator.NOT_IN)
    if condition.field is ConditionField.TEXT:
        text_words, written = fact
        found = Phrase.of(str(value)).find(text_words, written) is not None
        return found if op is Operator.CONTAINS else not found
    match op:
        case Operator.IS:
            return fact is not None and fact == value
        case Operator.IS_NOT:
            return fact is None or fact != value
        case Operator.IN:
            return fact is not None and fact in value
        case Operator.NOT_IN:
            return fact is None or fact not in value
        case Operator.AT_LEAST:
            return fact is not None and fact >= value
        case Operator.LESS_THAN:
            return fact is not None and fact < value
        case Operator.SET:
            return fact is not None
        case Operator.NOT_SET:
            return fact is None
    raise ValueError(f"no rule for {op} on {condition.field}")  # unreachable: checked on input


def _has_tags(op: Operator, value: Any, tags: frozenset[str]) -> bool:
    match op:
        case Operator.IS:
            return value in tags
        case Operator.IS_NOT:
            return value not in tags
        case Operator.IN:
            return any(v in tags for v in value)
        case Operator.NOT_IN:
            return not any(v in tags for v in value)
        case Operator.SET:
            return bool(tags)
    return not tags  # not_set


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same_kind(fact: Any, value: Any) -> bool:
    """A stored value and a condition's value of the same kind (True is no 1, "5" no 5)."""
    if isinstance(fact, bool) or isinstance(value, bool):
        return isinstance(fact, bool) and isinstance(value, bool)
    return _number(fact) == _number(value)


def all_hold(conditions: list[Condition], facts: CaseFacts) -> bool:
    """Every condition holds (an empty list always does)."""
    return all(holds(c, facts) for c in conditions)


def mentions(conditions: list[Condition], field: ConditionField) -> bool:
    """Whether any condition is on `field` (ladders rank category conditions first)."""
    return any(c.field is field for c in conditions)
