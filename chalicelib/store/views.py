"""Saved views (access patterns in chalicelib/store/README.md; docs/views-and-presence.md).

- a view by id: `PK = VIEW#<id>`, `SK = #VIEW` (GetItem);
- the shared views, by name: GSI `queue_newest` (shared, as macros share it),
  `queue_pk = VIEWS#SHARED`, `created_sk = <folded name>#<id>` (one Query, at most 30);
- one agent's personal views, by name: the same index, `queue_pk = VIEWS#P#<username>`.
"""

from __future__ import annotations

from typing import Any

from ..domain.carriers import folded_name
from ..domain.errors import Conflict, NotFound
from ..domain.views import SavedView
from .dynamo import Table

INDEX = "queue_newest"
SHARED_PK = "VIEWS#SHARED"


def _key(view_id: str) -> dict[str, str]:
    return {"PK": f"VIEW#{view_id}", "SK": "#VIEW"}


def _list_pk(owner: str | None) -> str:
    return SHARED_PK if owner is None else f"VIEWS#P#{owner}"


def _item(view: SavedView) -> dict[str, Any]:
    name = folded_name(view.name)[:100]
    return {**view.model_dump(mode="json"), **_key(view.id), "entity": "view",
            "queue_pk": _list_pk(view.owner), "created_sk": f"{name}#{view.id}"}  # fmt: skip


def _plain(item: dict[str, Any]) -> SavedView:
    return SavedView.model_validate({k: v for k, v in item.items() if k in SavedView.model_fields})


class DynamoViewStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, view_id: str) -> SavedView:
        item = self.table.get(_key(view_id))
        if item is None or item.get("entity") != "view":
            raise NotFound("no such view", code="no_view")
        return _plain(item)

    def listed(self, owner: str | None) -> list[SavedView]:
        """Shared views (`owner` None) or one agent's personal ones, by name."""
        items = self.table.query_all(("queue_pk", _list_pk(owner)), index=INDEX)
        return [_plain(i) for i in items if i.get("entity") == "view"]

    def add(self, view: SavedView) -> None:
        self.table.put(_item(view), condition="attribute_not_exists(PK)")

    def replace(self, view: SavedView) -> None:
        """Save the next version: the stored one must still be at the version before."""
        try:
            self.table.client.put_item(
                TableName=self.table.name, Item=self.table.ser(_item(view)),
                ConditionExpression="#v = :before", ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues=self.table.ser({":before": view.version - 1}),
            )  # fmt: skip
        except self.table.client.exceptions.ConditionalCheckFailedException as exc:
            raise Conflict("the view changed since you read it", code="version_conflict") from exc

    def remove(self, view_id: str) -> None:
        if not self.table.delete(_key(view_id)):
            raise NotFound("no such view", code="no_view")
