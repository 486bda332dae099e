"""The fixed lists of values (statuses, priorities, types, channels, roles, permission
resources...) as machine codes, so that no client types them into its script."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint

from ..domain.vocabulary import vocabulary
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
VOCABULARY = lazy("chalicelib.domain.vocabulary")


@endpoint(bp, "/vocabulary", response=VOCABULARY.Vocabulary)
def get_vocabulary(caller: Caller):
    """Every fixed list of codes a staff form offers; the console shows them in words."""
    return vocabulary()
