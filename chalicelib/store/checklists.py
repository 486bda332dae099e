"""Checklists and their skipped-step counters (access patterns in chalicelib/store/README.md).

- every checklist's current version: `PK = CHECKLISTS`, `SK = HEAD#<checklist id>` (one
  Query lists them all: a shop has tens, matched against a case in memory);
- each version, immutable: `PK = CHECKLISTS`, `SK = VER#<checklist id>#<version, 6 digits>`
  (a case follows one: GetItem);
- a checklist's step counters: `PK = CHECKLIST_STATS#<checklist id>`, `SK = #STEPS`, one
  item holding every step's `resolved#<step id>` and `skipped#<step id>` (added by the
  resolution consumer) and `text#<step id>` (the step's last text). Before issue 21 each
  step had an item of its own (`SK = <step id>`, with `resolved`, `skipped`, `text`): a
  3-step checklist cost 3 items in the transaction, each billed twice, where one item of
  a few hundred bytes now costs one; the items written then are still read and added in;
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
        """Step id -> `{resolved, skipped, text}`: the `#STEPS` item's counters added to
        those of the per-step items written before it existed (its text wins: newer)."""
        items = self.table.query_all(("PK", _stats_pk(checklist_id)))
        result: dict[str, dict[str, Any]] = {}
        for item in sorted(items, key=lambda i: i["SK"] == STEPS_SK):  # the old items first
            if item["SK"] != STEPS_SK:
                old = _plain(item)
                steps = {item["SK"]: {k: old[k] for k in FIELDS if k in old}}
            else:
                steps = {}
                for name, value in item.items():
                    field, _, step_id = name.partition("#")
                    if step_id and field in FIELDS:
                        steps.setdefault(step_id, {})[field] = value
            for step_id, values in steps.items():
                into = result.setdefault(step_id, {"resolved": 0, "skipped": 0})
                into["resolved"] += int(values.get("resolved", 0))
                into["skipped"] += int(values.get("skipped", 0))
                if "text" in values:
                    into["text"] = values["text"]
        return result

    def count_resolution(
        self, case_id: str, event_id: str, counts: list[StepCount], at: datetime
    ) -> bool:
        """Add one resolution's counts with its marker, in one transaction: the marker and
        one update of each checklist's `#STEPS` item (at most 99 checklists; a checklist has
        at most 30 steps, so an update's expression stays far below DynamoDB's 4 KB). False
        when this event was counted already."""
        marker = {"PK": f"CHECKLIST_COUNTED#{case_id}", "SK": event_id, "entity": "counted",
                  "expires_at": int((at + COUNTED_FOR).timestamp())}  # fmt: skip
        operations: list[dict[str, Any]] = [
            {"Put": {"Item": marker, "ConditionExpression": "attribute_not_exists(PK)"}}
        ]
        by_checklist: dict[str, list[StepCount]] = {}
        for count in counts:
            by_checklist.setdefault(count.checklist_id, []).append(count)
        for checklist_id, steps in list(by_checklist.items())[:99]:
            operations.append({"Update": _steps_update(checklist_id, steps)})
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            if exc.reasons and exc.reasons[0].code == "ConditionalCheckFailed":
                return False
            raise
        return True


#: the counters' sort key: one item per checklist for all its steps
STEPS_SK = "#STEPS"
#: what is kept per step
FIELDS = ("resolved", "skipped", "text")


def _stats_pk(checklist_id: str) -> str:
    return f"CHECKLIST_STATS#{checklist_id}"


def _steps_update(checklist_id: str, steps: list[StepCount]) -> dict[str, Any]:
    """One UpdateItem of a checklist's `#STEPS` item: ADD each step's resolved and skipped,
    SET its text (attribute names through placeholders: `resolved#s1`...)."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {":one": 1}
    adds, sets = [], []
    for n, count in enumerate(steps):
        names |= {f"#r{n}": f"resolved#{count.step_id}", f"#s{n}": f"skipped#{count.step_id}",
                  f"#t{n}": f"text#{count.step_id}"}  # fmt: skip
        values |= {f":s{n}": count.skipped, f":t{n}": count.text}
        adds += [f"#r{n} :one", f"#s{n} :s{n}"]
        sets.append(f"#t{n} = :t{n}")
    return {
        "Key": {"PK": _stats_pk(checklist_id), "SK": STEPS_SK},
        "UpdateExpression": f"ADD {', '.join(adds)} SET {', '.join(sets)}, entity = :entity",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": {**values, ":entity": "checklist_stats"},
    }
