"""Checklists and their skipped-step counters (access patterns in chalicelib/store/README.md).

- every checklist's current version: `PK = CHECKLISTS`, `SK = HEAD#<checklist id>` (one
  Query lists them all: a shop has tens, matched against a case in memory);
- each version, immutable: `PK = CHECKLISTS`, `SK = VER#<checklist id>#<version, 6 digits>`
  (a case follows one: GetItem);
- a step's counters: `PK = CHECKLIST_STATS#<checklist id>`, `SK = <step id>`, with
  `resolved` and `skipped` added by the resolution consumer and the step's last `text`;
- a resolution counted: `PK = CHECKLIST_COUNTED#<case id>`, `SK = <event id>`, written in
  the counters' transaction (conditional: absent), so a redelivered event adds nothing;
  it expires with the event log (`expires_at`, the table's TTL attribute).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain.checklists import Checklist, StepCount
from ..domain.errors import Conflict
from .dynamo import Table, TransactionCanceled

PK = "CHECKLISTS"
#: the counted markers outlive any redelivery (SQS keeps a message 14 days at most)
COUNTED_FOR = timedelta(days=30)


def _head(checklist_id: str) -> dict[str, str]:
    return {"PK": PK, "SK": f"HEAD#{checklist_id}"}


def _version(checklist_id: str, version: int) -> dict[str, str]:
    return {"PK": PK, "SK": f"VER#{checklist_id}#{version:06d}"}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("PK", "SK", "entity", "expires_at")}


class DynamoChecklistStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def all(self) -> list[Checklist]:
        """Every checklist's current version (one Query, DynamoDB's pages followed)."""
        items = self.table.query_all(("PK", PK), sort_prefix="HEAD#")
        return [Checklist.model_validate(_plain(i)) for i in items]

    def current(self, checklist_id: str) -> Checklist | None:
        item = self.table.get(_head(checklist_id))
        return Checklist.model_validate(_plain(item)) if item else None

    def version(self, checklist_id: str, version: int) -> Checklist | None:
        item = self.table.get(_version(checklist_id, version))
        return Checklist.model_validate(_plain(item)) if item else None

    def save(self, checklist: Checklist) -> None:
        """The new version and the head in one transaction; the head must still be at the
        version before (409 `version_conflict` when someone saved meanwhile)."""
        body = {**checklist.model_dump(mode="json"), "entity": "checklist"}
        head_condition: dict[str, Any]
        if checklist.version == 1:
            head_condition = {"ConditionExpression": "attribute_not_exists(PK)"}
        else:
            head_condition = {"ConditionExpression": "#v = :before",
                              "ExpressionAttributeNames": {"#v": "version"},
                              "ExpressionAttributeValues": {
                                  ":before": checklist.version - 1}}  # fmt: skip
        conflict = Conflict("the checklist changed since you read it", code="version_conflict")
        self.table.transact_meaning([
            ({"Put": {"Item": {**body, **_version(checklist.id, checklist.version)},
                      "ConditionExpression": "attribute_not_exists(PK)"}}, conflict),
            ({"Put": {"Item": {**body, **_head(checklist.id)}, **head_condition}}, conflict),
        ])  # fmt: skip

    def counters(self, checklist_id: str) -> dict[str, dict[str, Any]]:
        items = self.table.query_all(("PK", f"CHECKLIST_STATS#{checklist_id}"))
        return {i["SK"]: _plain(i) for i in items}

    def count_resolution(
        self, case_id: str, event_id: str, counts: list[StepCount], at: datetime
    ) -> bool:
        """Add one resolution's counts with its marker, in one transaction (at most 99
        steps: three checklists of 30 fit). False when this event was counted already."""
        marker = {"PK": f"CHECKLIST_COUNTED#{case_id}", "SK": event_id, "entity": "counted",
                  "expires_at": int((at + COUNTED_FOR).timestamp())}  # fmt: skip
        operations: list[dict[str, Any]] = [
            {"Put": {"Item": marker, "ConditionExpression": "attribute_not_exists(PK)"}}
        ]
        for count in counts[:99]:
            operations.append({"Update": {
                "Key": {"PK": f"CHECKLIST_STATS#{count.checklist_id}", "SK": count.step_id},
                "UpdateExpression": "ADD #r :one, #s :skipped SET #t = :text",
                "ExpressionAttributeNames": {"#r": "resolved", "#s": "skipped", "#t": "text"},
                "ExpressionAttributeValues": {":one": 1, ":skipped": count.skipped,
                                              ":text": count.text},
            }})  # fmt: skip
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            if exc.reasons and exc.reasons[0].code == "ConditionalCheckFailed":
                return False
            raise
        return True
