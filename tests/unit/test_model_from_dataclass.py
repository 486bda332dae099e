"""domain/model.from_dataclass: an API model that takes a domain dataclass's fields as they
are declared there (types, defaults, order), so they are written once."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from pydantic import ValidationError

from chalicelib.domain.model import Model, from_dataclass


@dataclass(frozen=True)
class Row:
    name: str
    count: int
    share: float | None = None
    tags: list[str] = field(default_factory=list)


def test_the_model_has_the_dataclass_fields_in_order_with_their_defaults():
    made = from_dataclass(Row, "RowAnswer", "A row as the API answers it.")
    assert issubclass(made, Model) and made.__name__ == "RowAnswer"
    assert list(made.model_fields) == ["name", "count", "share", "tags"]
    answer = made(**vars(Row("kargo", 3)))
    assert answer.model_dump() == {"name": "kargo", "count": 3, "share": None, "tags": []}
    assert made(name="a", count=1).tags is not made(name="b", count=2).tags  # a fresh list each
    schema = made.model_json_schema()
    assert (schema["title"], schema["description"]) == ("RowAnswer", "A row as the API answers it.")
    assert schema["required"] == ["name", "count"]
    with pytest.raises(ValidationError):
        made(name="kargo")  # count has no default: required, as on the dataclass
