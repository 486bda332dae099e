"""The base of every model destek defines.

`defer_build`: pydantic builds a model's validator the first time the model is
used, not when its module is imported. A Lambda container then pays only for
the models its first request touches, which keeps `import app` within the
cold-start budget (bench/) as the number of models grows.
"""

from __future__ import annotations

import dataclasses
from typing import Any, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, create_model


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)


class Strict(Model):
    """An input model: a field it does not know is an error (422), not silently dropped."""

    model_config = ConfigDict(defer_build=True, extra="forbid")


def from_dataclass(row: type, name: str, doc: str) -> type[Model]:
    """A Model with the fields of the dataclass `row` (their types, defaults and order), so an
    answer the API gives as the domain computes it declares its fields once, on the
    dataclass; `name` and `doc` are the schema's (the OpenAPI document's name and words)."""
    hints = get_type_hints(row)
    fields: dict[str, Any] = {}
    for field in dataclasses.fields(row):
        if field.default is not dataclasses.MISSING:
            default: Any = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = Field(default_factory=field.default_factory)
        else:
            default = ...
        fields[field.name] = (hints[field.name], default)
    return create_model(name, __base__=Model, __doc__=doc, **fields)
