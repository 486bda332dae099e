"""Request bodies are validated in pydantic's strict JSON mode (api/endpoint.py), so `true`
or `"2"` is never taken for a number. Strict mode reads dates, times and enums from their
JSON strings, but not after a `mode="before"` validator hands the value on as Python: such a
validator on a body model would make every date in it a 422. This keeps them out."""

from __future__ import annotations

import subprocess
import sys
import typing
from pathlib import Path

from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[2]


def models_in(annotation, seen: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in seen:
            seen.add(annotation)
            for field in annotation.model_fields.values():
                models_in(field.annotation, seen)
        return
    for arg in typing.get_args(annotation):
        models_in(arg, seen)


def test_no_body_model_has_a_before_or_wrap_validator():
    """Run in a fresh interpreter: importing the app here would register every route's CORS
    before the integration tests of this worker set SITE_URL (cors.py reads it at import)."""
    run = subprocess.run([sys.executable, "-c", CHECK], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[]", run.stdout


CHECK = """
import app
from chalicelib.api.endpoint import ROUTES
from tests.unit.test_strict_bodies import bodies_with_lax_validators
print(bodies_with_lax_validators(ROUTES))
"""


def bodies_with_lax_validators(routes) -> list[str]:
    """`METHOD path: Model` of each body model with a before or wrap validator."""
    found = []
    for route in routes:
        if route.body is None:
            continue
        seen: set = set()
        models_in(route.body, seen)
        for model in seen:
            decorators = model.__pydantic_decorators__
            modes = [v.info.mode for v in decorators.model_validators.values()]
            modes += [v.info.mode for v in decorators.field_validators.values()]
            if {"before", "wrap"} & set(modes):
                found.append(f"{route.method} {route.path}: {model.__name__}")
    return found


def test_strict_json_still_reads_dates_and_enums_from_strings():
    from chalicelib.api.endpoint import validate
    from chalicelib.services.consents import ShopConsents

    change = {"channel": "email", "granted": True, "at": "2026-06-01T10:00:00Z"}
    body = validate(ShopConsents, {"customer_number": "1", "changes": [change]}, strict=True)
    assert body.changes[0].channel.value == "email" and body.changes[0].at.year == 2026
