"""The base of every model destek defines.

`defer_build`: pydantic builds a model's validator the first time the model is
used, not when its module is imported. A Lambda container then pays only for
the models its first request touches, which keeps `import app` within the
cold-start budget (bench/) as the number of models grows.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(defer_build=True)


class Strict(Model):
    """An input model: a field it does not know is an error (422), not silently dropped."""

    model_config = ConfigDict(defer_build=True, extra="forbid")
