"""The categories and groups a rule's, policy's or ladder's conditions name must exist.

A condition on an unknown id would never hold (or always, negated) without anyone
noticing, so saving one is refused as a missing category or group always was.
"""

from __future__ import annotations

from ..domain.conditions import Condition, ConditionField
from ..domain.errors import InvalidInput
from .ports import DirectoryStore

#: the fields whose values are ids of the directory, and how to look one up
_LOOKUPS = {
    ConditionField.CATEGORY: ("category", lambda store, value: store.get_category(value)),
    ConditionField.GROUP: ("group", lambda store, value: store.get_group(value)),
}


def check_references(store: DirectoryStore, conditions: list[Condition]) -> None:
    """Raises InvalidInput (422) naming the first category or group that does not exist."""
    for index, condition in enumerate(conditions):
        if condition.field not in _LOOKUPS or condition.value is None:
            continue
        kind, lookup = _LOOKUPS[condition.field]
        values = condition.value if isinstance(condition.value, list) else [condition.value]
        for value in values:
            if lookup(store, value) is None:
                raise InvalidInput(
                    f"no {kind} {value!r}", details={"field": f"conditions.{index}.value"}
                )
