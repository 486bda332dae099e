"""The carriers table: destek's defaults with what an admin stored over them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ..domain.caller import Caller
from ..domain.carriers import Carrier, check_code, check_template, folded_name, merged
from ..domain.clock import utcnow
from ..domain.errors import NotFound
from ..domain.model import Strict
from .case_commands import Text
from .ports import CarrierStore

Alias = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class CarrierChange(Strict):
    """A carrier as an admin sets it: its name, its tracking page's URL template (https, with
    `{tracking_number}` once, at most 500 bytes) and other names shops write for it."""

    name: Text
    tracking_url_template: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    aliases: Annotated[list[Alias], Field(max_length=10)] = []


class CarrierService:
    def __init__(self, store: CarrierStore, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.clock = clock

    def all(self) -> list[Carrier]:
        """Every carrier, by code: the defaults, replaced or joined by the stored ones."""
        return merged(self.store.list())

    def get(self, code: str) -> Carrier:
        found = next((c for c in self.all() if c.code == code), None)
        if found is None:
            raise NotFound(f"no carrier {code!r}")
        return found

    def put(self, caller: Caller, code: str, change: CarrierChange) -> Carrier:
        """Add a carrier or replace one (a default too: the stored one is shown instead).
        InvalidInput (422) for a bad code or template; nothing is written then."""
        carrier = Carrier(
            code=check_code(code),
            name=change.name,
            tracking_url_template=check_template(change.tracking_url_template),
            aliases=sorted({folded_name(a) for a in change.aliases} - {""}),
            updated_at=self.clock(),
            updated_by=caller.principal.username,
        )
        self.store.put(carrier)
        return carrier
