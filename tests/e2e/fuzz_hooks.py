"""Schemathesis hooks for test_api_fuzz.py (each schemathesis process loads this module through
SCHEMATHESIS_HOOKS): the coverage phase's cases that repeat one another are not sent.

The coverage phase sends, for every property and parameter, one value of every wrong JSON type
(a string field gets a number, a boolean, null, an array and an object: 5,044 of its 11,521
cases), and beside each limit the value one step inside it. destek reads every body, query and
path through pydantic models in strict mode (api/endpoint.py), so which wrong type reaches a
field matters only as far as the code that reads it can tell them apart. Per operation and
body field, null and the first other wrong value are sent; for the body as a whole and a
query parameter (read by destek's own code before pydantic) null, the first scalar and the
first container; for a path parameter or a header every one. A value one step inside a
limit is not sent (the value at the limit is). What the fuzz still covers and what it no
longer does: docs/testing.md ("The fuzz").
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario

#: DESTEK_FUZZ_DRY_RUN=<file>: send nothing, write one line per case (kept or not) there (to
#: count what a change to these hooks keeps: schemathesis run ... --phases coverage)
DRY_RUN = os.environ.get("DESTEK_FUZZ_DRY_RUN")

NEAR_BOUNDARY = {
    CoverageScenario.NEAR_BOUNDARY_LENGTH_STRING,
    CoverageScenario.NEAR_BOUNDARY_NUMBER,
    CoverageScenario.NEAR_BOUNDARY_ITEMS_ARRAY,
}
#: the wrong-type cases sent so far: (operation, location, parameter, description, kind)
_seen: set[tuple] = set()
_UNKNOWN = object()


def kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, list | tuple | dict):
        return "container"
    return "scalar"


def wrong_value(case: Any, data: CoveragePhaseData) -> Any:
    """The value an incorrect-type case puts in the wrong place, or _UNKNOWN."""
    if data.parameter_location == ParameterLocation.QUERY:
        return (case.query or {}).get(data.parameter, _UNKNOWN)
    if data.parameter_location != ParameterLocation.BODY:
        return _UNKNOWN
    where, _, rest = data.description.rpartition(": ")
    if rest != "Incorrect type":
        return _UNKNOWN
    value = case.body
    for name in where.split(" -> ") if where else ():
        if not isinstance(value, dict) or name not in value:
            return _UNKNOWN  # inside an array ("Array with invalid items"): sent as it is
        value = value[name]
    return value


def repeats(case: Any) -> bool:
    """The case repeats one already sent for its operation, or one step inside a limit."""
    meta = case.meta
    data = meta.phase.data if meta else None
    if not isinstance(data, CoveragePhaseData):
        return False  # the fuzzing phase's cases are all sent
    if data.scenario in NEAR_BOUNDARY or (
        data.scenario == CoverageScenario.VALID_OBJECT and "Near-boundary" in data.description
    ):
        return True
    if data.scenario != CoverageScenario.INCORRECT_TYPE:
        return False
    value = wrong_value(case, data)
    if value is _UNKNOWN:
        return False
    named = data.parameter_location == ParameterLocation.BODY and data.description.count(": ")
    # a body's field: pydantic refuses any wrong value alike (strict mode; the few validators
    # that run before it look at the type first), so null and one other; the body as a whole
    # and a query parameter are read by destek's own code first: null, scalar, container
    seen_as = ("null" if value is None else "other") if named else kind(value)
    key = (case.operation.label, data.parameter_location, data.parameter, data.description,
           seen_as)  # fmt: skip
    if key in _seen:
        return True
    _seen.add(key)
    return False


@schemathesis.hook
def filter_case(context, case) -> bool:
    drop = repeats(case)
    if DRY_RUN:
        meta = case.meta
        scenario = getattr(meta.phase.data, "scenario", "") if meta else ""
        with open(DRY_RUN, "a") as out:
            out.write(f"{'drop' if drop else 'keep'}\t{scenario}\t{case.operation.label}\n")
        return False
    return not drop
