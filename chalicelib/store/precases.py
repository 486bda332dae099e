"""Pre-cases in the one table: the item, the pool, an agent's claimed ones, the 360 line.

A pre-case is one item (`PRECASE#<id>`). While it waits in the pool it carries
`queue_pk = PRECASES`, so `queue_newest` lists the pool by age and
`queue_priority` (sort key `<channel>#<received>#<id>`) lists one channel by
age; once claimed it carries `agent_pk = P#<username>` instead; once finished,
neither (both indexes are sparse). A matched customer's partition holds a short
line for every open pre-case, so the customer 360 still reads in two Queries.
"""

from __future__ import annotations

from typing import Any

from ..domain.clock import to_iso
from ..domain.errors import Conflict, NotFound
from ..domain.precases import PreCase, PreCaseStatus
from . import keys
from .dynamo import Table, TransactionCanceled
from .social import repeated

PRECASE_FIELDS_ON_LINE = ("id", "channel", "subject", "received_at", "status", "assignee")


def precase_item(pre: PreCase) -> dict[str, Any]:
    created = f"{to_iso(pre.received_at)}#{pre.id}"
    item: dict[str, Any] = {
        **pre.model_dump(mode="json", exclude_none=True),
        **keys.precase_key(pre.id),
        "entity": "precase",
        "created_sk": created,
    }
    if pre.status == PreCaseStatus.POOLED:
        item["queue_pk"] = keys.PRECASE_POOL
        item["priority_sk"] = f"{pre.channel.value}#{created}"
    elif pre.status == PreCaseStatus.CLAIMED and pre.assignee:
        item["agent_pk"] = keys.claimed_precases_pk(pre.assignee)
    return item


def line_item(pre: PreCase) -> dict[str, Any]:
    data = pre.model_dump(mode="json", include=set(PRECASE_FIELDS_ON_LINE), exclude_none=True)
    return {**data, **keys.precase_line_key(pre.customer_id or "", pre.id), "entity": "precase"}


class DynamoPreCases:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- writes --------------------------------------------------------------------------

    def add(self, pre: PreCase, also: list[dict[str, Any]] | None = None) -> None:
        """The pre-case, its line on the customer, and whatever rides with it, in one write."""
        operations = [
            {"Put": {"Item": precase_item(pre), "ConditionExpression": "attribute_not_exists(PK)"}},
            *([{"Put": {"Item": line_item(pre)}}] if pre.customer_id else []),  # fmt: skip
            *(also or []),
        ]
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            conflict = repeated(exc)
            if conflict is None:
                raise
            raise conflict from exc

    def save(self, pre: PreCase, expected_version: int) -> PreCase:
        try:
            self.table.transact(self.save_operations(pre, expected_version))
        except TransactionCanceled as exc:
            reason = exc.reasons[0] if exc.reasons else None
            raise self.conflict(reason.item if reason else None) from exc
        return pre

    def save_operations(self, pre: PreCase, expected_version: int) -> list[dict[str, Any]]:
        """The write of a move, for this store or for a case's transaction to carry."""
        operations: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": precase_item(pre),
                    "ConditionExpression": "version = :expected",
                    "ExpressionAttributeValues": {":expected": expected_version},
                }
            }
        ]
        if pre.customer_id:
            line = keys.precase_line_key(pre.customer_id, pre.id)
            if pre.is_open:
                operations.append({"Put": {"Item": line_item(pre)}})
            else:
                operations.append({"Delete": {"Key": line}})
        return operations

    @staticmethod
    def conflict(current: dict[str, Any] | None) -> Exception:
        if not current:
            return NotFound("no such pre-case")
        found = PreCase.model_validate(current)
        return Conflict(
            "the pre-case changed since you read it; here is the current one",
            code="version_conflict",
            details={"current_version": found.version, "precase": found.model_dump(mode="json")},
        )

    # ---- reads ---------------------------------------------------------------------------

    def get(self, precase_id: str) -> PreCase:
        item = self.table.get(keys.precase_key(precase_id))
        if item is None:
            raise NotFound("no such pre-case")
        return PreCase.model_validate(item)

    def pool(
        self, channel: str | None, oldest_first: bool, limit: int, cursor: str | None
    ) -> tuple[list[PreCase], str | None]:
        if channel:
            items, next_cursor = self.table.query(
                ("queue_pk", keys.PRECASE_POOL), index="queue_priority",
                sort_prefix=f"{channel}#", forward=oldest_first, limit=limit, cursor=cursor,
            )  # fmt: skip
        else:
            items, next_cursor = self.table.query(
                ("queue_pk", keys.PRECASE_POOL), index="queue_newest",
                forward=oldest_first, limit=limit, cursor=cursor,
            )  # fmt: skip
        return [PreCase.model_validate(i) for i in items], next_cursor

    def claimed_by(
        self, username: str, limit: int, cursor: str | None
    ) -> tuple[list[PreCase], str | None]:
        items, next_cursor = self.table.query(
            ("agent_pk", keys.claimed_precases_pk(username)), index="agent_newest",
            forward=True, limit=limit, cursor=cursor,
        )  # fmt: skip
        return [PreCase.model_validate(i) for i in items], next_cursor
