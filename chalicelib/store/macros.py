"""Macros and their usage counters (access patterns in chalicelib/store/README.md).

- a macro by id: `PK = MACRO#<id>`, `SK = #MACRO` (GetItem);
- the shared macros, by title: GSI `queue_newest` (shared, as the event log shares it),
  `queue_pk = MACROS#SHARED`, `created_sk = <folded title>#<id>` (one Query; a shop keeps
  tens to hundreds);
- one agent's personal macros, by title: the same index, `queue_pk = MACROS#P#<username>`;
- macro usage per Istanbul day: `PK = MACRO_USAGE#<yyyy-mm>`, `SK = <yyyy-mm-dd>#<macro id>`,
  `ADD applied :1` riding in the applying case change's transaction (so a retried or
  refused application never counts twice or at all); a period is one Query per month.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..domain.carriers import folded_name
from ..domain.errors import Conflict, NotFound
from ..domain.macros import Macro
from .dynamo import Table

INDEX = "queue_newest"
SHARED_PK = "MACROS#SHARED"


def _key(macro_id: str) -> dict[str, str]:
    return {"PK": f"MACRO#{macro_id}", "SK": "#MACRO"}


def _list_pk(owner: str | None) -> str:
    return SHARED_PK if owner is None else f"MACROS#P#{owner}"


def _item(macro: Macro) -> dict[str, Any]:
    title = folded_name(macro.title.tr or macro.title.en or "")[:100]
    return {**macro.model_dump(mode="json"), **_key(macro.id), "entity": "macro",
            "queue_pk": _list_pk(macro.owner), "created_sk": f"{title}#{macro.id}"}  # fmt: skip


def _plain(item: dict[str, Any]) -> Macro:
    return Macro.model_validate({k: v for k, v in item.items() if k in Macro.model_fields})


def usage_key(day: date, macro_id: str) -> dict[str, str]:
    return {"PK": f"MACRO_USAGE#{day.isoformat()[:7]}", "SK": f"{day.isoformat()}#{macro_id}"}


class DynamoMacroStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, macro_id: str) -> Macro:
        item = self.table.get(_key(macro_id))
        if item is None:
            raise NotFound("no such macro", code="no_macro")
        return _plain(item)

    def listed(self, owner: str | None) -> list[Macro]:
        """Shared macros (`owner` None) or one agent's personal ones, by title."""
        items = self.table.query_all(("queue_pk", _list_pk(owner)), index=INDEX)
        return [_plain(i) for i in items if i.get("entity") == "macro"]

    def add(self, macro: Macro) -> None:
        self.table.put(_item(macro), condition="attribute_not_exists(PK)")

    def replace(self, macro: Macro) -> None:
        """Save the next version: the stored one must still be at the version before."""
        try:
            self.table.client.put_item(
                TableName=self.table.name, Item=self.table.ser(_item(macro)),
                ConditionExpression="#v = :before", ExpressionAttributeNames={"#v": "version"},
                ExpressionAttributeValues=self.table.ser({":before": macro.version - 1}),
            )  # fmt: skip
        except self.table.client.exceptions.ConditionalCheckFailedException as exc:
            raise Conflict("the macro changed since you read it", code="version_conflict") from exc

    def remove(self, macro_id: str) -> None:
        if not self.table.delete(_key(macro_id)):
            raise NotFound("no such macro", code="no_macro")

    def usage_rider(self, day: date, macro_id: str) -> tuple[dict[str, Any], Exception]:
        """The usage counter's ADD, riding in the case change's transaction."""
        op = {"Update": {
            "Key": usage_key(day, macro_id), "UpdateExpression": "ADD #a :one SET #e = :e",
            "ExpressionAttributeNames": {"#a": "applied", "#e": "entity"},
            "ExpressionAttributeValues": {":one": 1, ":e": "macro_usage"}}}  # fmt: skip
        return op, Conflict("macro usage not counted", code="busy")

    def usage(self, start: date, end: date) -> list[dict[str, Any]]:
        """`{day, macro_id, applied}` for each day in [start, end] a macro was applied."""
        months = sorted({f"{start.year + (start.month - 1 + i) // 12:04d}-"
                         f"{(start.month - 1 + i) % 12 + 1:02d}"
                         for i in range((end.year - start.year) * 12
                                        + end.month - start.month + 1)})  # fmt: skip
        rows: list[dict[str, Any]] = []
        for month in months:
            items = self.table.query_all(
                ("PK", f"MACRO_USAGE#{month}"),
                sort_between=(start.isoformat(), f"{end.isoformat()}#~"),
            )
            for item in items:
                day, _, macro_id = item["SK"].partition("#")
                rows.append({"day": day, "macro_id": macro_id, "applied": int(item["applied"])})
        return rows
