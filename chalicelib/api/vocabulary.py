"""The fixed lists of values (statuses, priorities, types, channels, roles, permission
resources...) as machine codes, so that no client types them into its script."""

from __future__ import annotations

from chalice import Blueprint

from ..domain.caller import Caller
from ..domain.vocabulary import Vocabulary, vocabulary
from .endpoint import endpoint

bp = Blueprint(__name__)


@endpoint(bp, "/vocabulary", response=Vocabulary)
def get_vocabulary(caller: Caller):
    """Every fixed list of codes a staff form offers; the console shows them in words."""
    return vocabulary()
