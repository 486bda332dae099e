"""New-case drafts and their day counters (domain/deflection.py; docs/knowledge-base.md).

Keys (chalicelib/store/README.md):
- a draft's report: `PK = KBDRAFT#<draft id>`, `SK = #DRAFT` (shown, opened, outcome, day;
  expires after DRAFT_DAYS: it only has to outlive the page's retries);
- a day's counters: `PK = KBDEFLECT#<yyyy-mm>`, `SK = <yyyy-mm-dd>` (Istanbul days), the
  numbers of domain/deflection.py `COUNTERS`, ADDed in the draft's own transaction.

The draft item is put only if absent, in one transaction with its day's ADD: a draft is
counted exactly once however often it is reported.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from ..domain.deflection import COUNTERS, DraftReport, Outcome, counters, day_of
from .dynamo import Table, TransactionCanceled
from .reports import months

DRAFT_DAYS = 7


def _day_pk(day: str) -> str:
    return f"KBDEFLECT#{day[:7]}"


class DynamoDeflectionStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, report: DraftReport, at: datetime) -> tuple[bool, Outcome]:
        """Keep the draft's report and count it on its day, once: (True, its outcome); a
        draft reported before: (False, the outcome first reported), nothing written."""
        day = day_of(at)
        item = {"PK": f"KBDRAFT#{report.draft}", "SK": "#DRAFT", "entity": "kb_draft",
                "shown": report.shown, "opened": report.opened,
                "outcome": report.outcome.value, "day": day, "at": at.isoformat(),
                "expires_at": int((at + timedelta(days=DRAFT_DAYS)).timestamp())}  # fmt: skip
        adds = counters(report)
        names = {f"#c{i}": name for i, name in enumerate(adds)}
        values = {f":c{i}": n for i, n in enumerate(adds.values())}
        expression = "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(adds)))
        try:
            self.table.transact([
                {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Update": {"Key": {"PK": _day_pk(day), "SK": day},
                            "UpdateExpression": expression + " SET entity = :e",
                            "ExpressionAttributeNames": names,
                            "ExpressionAttributeValues": {**values, ":e": "kb_deflection_day"}}},
            ])  # fmt: skip
        except TransactionCanceled as exc:
            first = exc.reasons[0].item if exc.reasons else None
            if exc.reasons and exc.reasons[0].code == "ConditionalCheckFailed" and first:
                return False, Outcome(first["outcome"])
            raise
        return True, report.outcome

    def days(self, start: date, end: date) -> list[dict[str, Any]]:
        """The counters of each day in [start, end] that has any: {day, <counter>: n}."""
        found = []
        for month, first, last in months(start, end):
            items = self.table.query_all(("PK", f"KBDEFLECT#{month}"),
                                         sort_between=(first, last))  # fmt: skip
            for item in items:
                found.append({"day": item["SK"], **{c: int(item.get(c, 0)) for c in COUNTERS}})
        return found
