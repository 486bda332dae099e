"""The carriers an admin stored; destek's defaults live in code (domain/carriers.py)."""

from __future__ import annotations

from ..domain.carriers import Carrier
from . import keys
from .dynamo import Table


class DynamoCarriers:
    def __init__(self, table: Table) -> None:
        self.table = table

    def list(self) -> list[Carrier]:
        """Every stored carrier (tens): one Query of `CARRIERS`."""
        items = self.table.query_all(("PK", keys.CARRIERS_PK), sort_prefix="CARRIER#")
        return [Carrier.model_validate(item) for item in items]

    def put(self, carrier: Carrier) -> None:
        """The admin's last word stands (an edit replaces the whole carrier)."""
        item = {**carrier.model_dump(mode="json"), **keys.carrier_key(carrier.code)}
        self.table.put({**item, "entity": "carrier"})
