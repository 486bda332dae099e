"""Custom case field definitions (access patterns in chalicelib/store/README.md).

- every definition, by key: `PK = CASE_FIELDS`, `SK = <key>` (one Query: an installation
  keeps at most domain/custom_fields.MAX_FIELDS of them), read with every case change
  that needs them (a value set, a resolution, the customer's case page).
"""

from __future__ import annotations

from typing import Any

from ..domain.custom_fields import CaseField
from ..domain.errors import Conflict, NotFound
from .dynamo import Table

PK = "CASE_FIELDS"


def _key(key: str) -> dict[str, str]:
    return {"PK": PK, "SK": key}


def _item(field: CaseField) -> dict[str, Any]:
    return {**field.model_dump(mode="json"), **_key(field.key), "entity": "case_field"}


def _plain(item: dict[str, Any]) -> CaseField:
    return CaseField.model_validate({k: v for k, v in item.items() if k in CaseField.model_fields})


class DynamoCaseFieldStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def all(self) -> list[CaseField]:
        """Every definition, by key (one Query)."""
        return [_plain(i) for i in self.table.query_all(("PK", PK))]

    def get(self, key: str) -> CaseField:
        item = self.table.get(_key(key))
        if item is None:
            raise NotFound("no such custom field", code="no_case_field")
        return _plain(item)

    def add(self, field: CaseField) -> None:
        """A new definition; Conflict `case_field_exists` when the key is taken."""
        try:
            self.table.put(_item(field), condition="attribute_not_exists(PK)")
        except self.table.client.exceptions.ConditionalCheckFailedException as exc:
            raise Conflict("a custom field with this key exists", code="case_field_exists") from exc

    def replace(self, field: CaseField) -> None:
        """Save the next version: the stored one must still be at the version before."""
        try:
            self.table.put(_item(field), condition="version = :before",
                           values={":before": field.version - 1})  # fmt: skip
        except self.table.client.exceptions.ConditionalCheckFailedException as exc:
            raise Conflict("the custom field changed since you read it",
                           code="version_conflict") from exc  # fmt: skip

    def remove(self, key: str) -> None:
        if not self.table.delete(_key(key)):
            raise NotFound("no such custom field", code="no_case_field")
