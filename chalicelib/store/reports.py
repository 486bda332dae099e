"""The standard reports' projection items (access patterns in chalicelib/store/README.md).

Every key starts with the projection's version (`v`), so a rebuild writes a fresh set
beside the live one:

- counters of a day and cell: `PK = RPT#<v>#<slice>#<yyyy-mm>`, `SK = <yyyy-mm-dd>#<cell
  value>` (slice `all`, a dimension's code, or a pair `group+agent`; the value `all`, an
  id or code, `~` for none, a pair's two joined by `|`): a period of one slice is one
  Query per month it touches, reading days × values present;
- the backlog now, per cell: `PK = RPT#<v>#<slice>#LEVEL`, `SK = <cell value>`;
- a case's report state: `PK = RPTCASE#<v>#<case id>`, `SK = #STATE` (conditional on its
  `revision`, written in the same TransactWriteItems as the counters' `ADD`s; a batch's
  states are read in one BatchGetItem, and written in chunks, each one transaction of its
  cases' states and their cells' summed `ADD`s: `write_chunk`);
- a breached SLA target, for the drill-down: `PK = RPT#<v>#BREACH#<yyyy-mm>`,
  `SK = <yyyy-mm-dd>#<case id>#<target>` (the case's cells' values on it);
- which version is read and which is being rebuilt: `PK = REPORTS`, `SK = #VERSION`;
- registered units (the products report's denominator): `PK = REPORT_UNITS`,
  `SK = <product id>#<warranty end yyyy-mm>`, kept by store/registrations.py;
- a complaint topic's recommended action and link (supervisors edit them):
  `PK = REPORT_TOPICS`, `SK = <dimension>#<value>` (`topic#r-kargo`, `category#iade`);
- a rebuild's day already done is its cursor on that item.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..domain.report_batch import WRITTEN, CaseWrite, ChunkOutcome, summed
from ..domain.report_projection import Increments, ReportState, fold, source
from . import keys
from .dynamo import Table, TransactionCanceled

CONFIG_KEY = {"PK": "REPORTS", "SK": "#VERSION"}
TOPICS_PK = "REPORT_TOPICS"
LEVEL = "LEVEL"
#: a transaction's items at most (DynamoDB: 100)
MAX_ITEMS = 100


def day_pk(version: int, slice_: str, day: str) -> str:
    return f"RPT#{version}#{slice_}#{day[:7]}"


def level_pk(version: int, slice_: str) -> str:
    return f"RPT#{version}#{slice_}#{LEVEL}"


def state_key(version: int, case_id: str) -> dict[str, str]:
    return {"PK": f"RPTCASE#{version}#{case_id}", "SK": "#STATE"}


def breach_pk(version: int, day: str) -> str:
    return f"RPT#{version}#BREACH#{day[:7]}"


def months(start: date, end: date) -> list[tuple[str, str, str]]:
    """(yyyy-mm, first day, last day) of each month [start, end] touches, clipped to it."""
    out, month = [], start.replace(day=1)
    while month <= end:
        following = (month + timedelta(days=32)).replace(day=1)
        first, last = max(month, start), min(following - timedelta(days=1), end)
        out.append((month.isoformat()[:7], first.isoformat(), last.isoformat()))
        month = following
    return out


def _add(pk: str, sk: str, counters: dict[str, int], extra: dict[str, Any]) -> dict[str, Any]:
    names = {f"#c{i}": name for i, name in enumerate(counters)}
    values = {f":c{i}": amount for i, amount in enumerate(counters.values())}
    sets = []
    for i, (name, value) in enumerate(extra.items()):
        names[f"#e{i}"] = name
        values[f":e{i}"] = value
        sets.append(f"#e{i} = :e{i}")
    expression = "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(counters)))
    if sets:
        expression += " SET " + ", ".join(sets)
    return {"Update": {"Key": {"PK": pk, "SK": sk}, "UpdateExpression": expression,
                       "ExpressionAttributeNames": names,
                       "ExpressionAttributeValues": values}}  # fmt: skip


def _revision_condition(expected: int | None) -> dict[str, Any]:
    """The condition of a write at the next revision: none yet (None), or still `expected`."""
    if expected is None:
        return {"ConditionExpression": "attribute_not_exists(PK)"}
    return {"ConditionExpression": "#rev = :rev", "ExpressionAttributeNames": {"#rev": "revision"},
            "ExpressionAttributeValues": {":rev": int(expected)}}  # fmt: skip


def operation_count(increments: Increments, breaches: int = 0) -> int:
    """How many items a write of these increments (and a state) takes."""
    return len(increments.days) + len(increments.levels) + breaches + 1


def _operations(
    version: int, writes: list[CaseWrite], increments: Increments
) -> list[dict[str, Any]]:
    """The transaction's items: the states first (in the writes' order: a cancellation's
    reasons name them by position), then every counter cell's `ADD` of `increments`, then
    the breach records."""
    operations: list[dict[str, Any]] = []
    for write in writes:
        state = write.state
        operations.append({"Put": {
            "Item": {**state_key(version, state.case_id), "entity": "report_state",
                     "revision": state.revision, "state": state.model_dump(mode="json")},
            **_revision_condition(write.expected or None),
        }})  # fmt: skip
    for (day, slice_, value), counters in sorted(increments.days.items()):
        operations.append(_add(day_pk(version, slice_, day), f"{day}#{value}", counters,
                               {"day": day, "cell": value}))  # fmt: skip
    for (slice_, value), counters in sorted(increments.levels.items()):
        operations.append(_add(level_pk(version, slice_), value, counters, {"cell": value}))
    # one record a day, case and target: a target breached again the same day (a reopened
    # case's) keeps the last, since a transaction may not write an item twice
    breaches = {(b["day"], b["case_id"], b["target"]): b for w in writes for b in w.breaches}
    for (day, case_id, target), breach in breaches.items():
        operations.append({"Put": {"Item": {"PK": breach_pk(version, day),
                                            "SK": f"{day}#{case_id}#{target}",
                                            "entity": "report_breach", **breach}}})  # fmt: skip
    return operations


class DynamoReportStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- versions --------------------------------------------------------------------------

    def config(self) -> dict[str, Any] | None:
        return self.table.get(CONFIG_KEY)

    def save_config(self, config: dict[str, Any], expected_revision: int | None) -> bool:
        """Write the version item if its `revision` is still `expected_revision` (None: no
        item yet); False when another writer got there first."""
        put: dict[str, Any] = {"Item": {**config, **CONFIG_KEY, "entity": "report_config"}}
        put.update(_revision_condition(expected_revision))
        try:
            self.table.transact([{"Put": put}])
        except TransactionCanceled:
            return False
        return True

    # ---- a case's state and its events -----------------------------------------------------

    def states(self, version: int, case_ids: list[str]) -> dict[str, ReportState]:
        """The report states of these cases that exist, by case id: one consistent
        BatchGetItem a hundred cases (a batch's cases are read together, not one GetItem
        each)."""
        if not case_ids:
            return {}
        found = self.table.batch_get([state_key(version, c) for c in dict.fromkeys(case_ids)])
        states = (ReportState.model_validate(item["state"]) for item in found)
        return {state.case_id: state for state in states}

    def events_after(self, case_id: str, cursor: str, upto: str) -> list[dict[str, Any]]:
        """The case's stored events after `cursor` up to `upto` (event keys, see
        domain/report_projection.py `event_key`), oldest first: one Query of its partition."""
        low = keys.EVENT_PREFIX + (cursor + "~" if cursor else "")
        items = self.table.query_all(("PK", keys.case_pk(case_id)),
                                     sort_between=(low, keys.EVENT_PREFIX + upto))  # fmt: skip
        storage = {"PK", "SK", "entity", "expires_at", "queue_pk", "created_sk"}
        return [{k: v for k, v in i.items() if k not in storage} for i in items]

    def write(
        self,
        version: int,
        state: ReportState,
        expected_revision: int,
        increments: Increments,
        breaches: list[dict[str, Any]],
    ) -> bool:
        """The state at its next revision and every counter's `ADD`, in one
        TransactWriteItems; False (nothing written) when the state moved meanwhile."""
        write = CaseWrite(state=state, expected=expected_revision, increments=increments,
                          breaches=breaches)  # fmt: skip
        operations = _operations(version, [write], increments)
        if len(operations) > MAX_ITEMS:
            raise ValueError(f"a report write of {len(operations)} items is over {MAX_ITEMS}")
        if len(operations) == 1:  # the state alone: a conditional put (a transaction bills twice)
            put = operations[0]["Put"]
            try:
                self.table.put(put["Item"], condition=put["ConditionExpression"],
                               names=put.get("ExpressionAttributeNames"),
                               values=put.get("ExpressionAttributeValues"))  # fmt: skip
            except self.table.client.exceptions.ConditionalCheckFailedException:
                return False
            return True
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            if exc.reasons and exc.reasons[0].code == "ConditionalCheckFailed":
                return False
            raise
        return True

    def write_chunk(self, version: int, writes: list[CaseWrite]) -> ChunkOutcome:
        """A chunk of a batch's case writes (domain/report_batch.py `pack`) in ONE
        TransactWriteItems: each case's state at its next revision, conditional on the
        revision read, the chunk's counter cells once each with the increments of its cases
        summed, and their breach records. A chunk of one state alone is a conditional
        PutItem. Cancelled (nothing written): `moved` names the cases whose state had moved
        on, `busy` says another transaction held an item (TransactionConflict); any other
        cancellation raises TransactionCanceled. ValueError over 100 items."""
        if len(writes) == 1 and not writes[0].counts():
            only = writes[0]
            if self.write(version, only.state, only.expected, only.increments, []):
                return WRITTEN
            return ChunkOutcome(written=False, moved=frozenset({only.case_id}))
        operations = _operations(version, writes, summed(writes))
        if len(operations) > MAX_ITEMS:
            raise ValueError(f"a report chunk of {len(operations)} items is over {MAX_ITEMS}")
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            codes = [r.code for r in exc.reasons]
            moved = frozenset(w.case_id for w, code in zip(writes, codes, strict=False)
                              if code == "ConditionalCheckFailed")  # fmt: skip
            busy = "TransactionConflict" in codes
            if not moved and not busy:
                raise
            return ChunkOutcome(written=False, moved=moved, busy=busy)
        return WRITTEN

    # ---- reading ---------------------------------------------------------------------------

    def days(self, version: int, slice_: str, start: date, end: date) -> list[dict[str, Any]]:
        """The counter items of a slice for the days [start, end]: one Query per month of
        the stored slice it is read from, folded to it (domain/report_projection.py
        `source`, `fold`: `all` and a pair's single dimensions are not written)."""
        stored, _ = source(slice_)
        found: list[dict[str, Any]] = []
        for month, first, last in months(start, end):
            found.extend(self.table.query_all(
                ("PK", f"RPT#{version}#{stored}#{month}"), sort_between=(first, last + "#~"),
            ))  # fmt: skip
        return fold(slice_, found)

    def levels(self, version: int, slice_: str) -> list[dict[str, Any]]:
        """The backlog now of every cell of a slice: one Query of its stored slice, folded."""
        stored, _ = source(slice_)
        return fold(slice_, self.table.query_all(("PK", level_pk(version, stored))))

    def breaches(self, version: int, start: date, end: date) -> list[dict[str, Any]]:
        """The breached targets of the days [start, end], oldest first: one Query a month."""
        found: list[dict[str, Any]] = []
        for month, first, last in months(start, end):
            found.extend(self.table.query_all(
                ("PK", f"RPT#{version}#BREACH#{month}"), sort_between=(first, last + "#~"),
            ))  # fmt: skip
        return found

    def case_items(self, case_ids: list[str]) -> list[dict[str, Any]]:
        """The case items (meta only) of these ids: BatchGetItem, a hundred a call."""
        if not case_ids:
            return []
        return self.table.batch_get(
            [{"PK": keys.case_pk(c), "SK": keys.CASE_META} for c in dict.fromkeys(case_ids)],
            projection=["id", "number", "subject", "group_id", "assignee", "priority"],
        )

    def case_item(self, case_id: str) -> dict[str, Any] | None:
        """The case item (one GetItem, without its history)."""
        return self.table.get({"PK": keys.case_pk(case_id), "SK": keys.CASE_META})

    def customer_category(self, customer_id: str) -> str | None:
        item = self.table.get(keys.customer_key(customer_id))
        return (item or {}).get("category")

    # ---- registered units ------------------------------------------------------------------

    def units(self) -> list[dict[str, Any]]:
        """Registered units per product and warranty end month (`product_id`, `SK` ending in
        `#yyyy-mm`, `units`): one Query (written by store/registrations.py)."""
        return self.table.query_all(("PK", keys.UNITS_PK))

    def product_groups(self, product_ids: list[str]) -> dict[str, str | None]:
        """Each product's group from the catalog (BatchGetItem, a hundred a call)."""
        if not product_ids:
            return {}
        found = self.table.batch_get([keys.product_key(p) for p in dict.fromkeys(product_ids)],
                                     projection=["id", "product_group"])  # fmt: skip
        return {i["id"]: i.get("product_group") for i in found}

    # ---- topics' actions -------------------------------------------------------------------

    def topic_actions(self, dimension: str) -> list[dict[str, Any]]:
        """Every topic action of a dimension (`topic` or `category`): one Query."""
        return self.table.query_all(("PK", TOPICS_PK), sort_prefix=f"{dimension}#")

    def put_topic_action(self, dimension: str, value: str, action: dict[str, Any]) -> None:
        self.table.put({"PK": TOPICS_PK, "SK": f"{dimension}#{value}", "entity": "topic_action",
                        "dimension": dimension, "value": value, **action})  # fmt: skip

    def remove_topic_action(self, dimension: str, value: str) -> bool:
        return self.table.delete({"PK": TOPICS_PK, "SK": f"{dimension}#{value}"})

    # ---- the event log ---------------------------------------------------------------------

    def log_page(self, utc_day: str, limit: int, cursor: str | None
                 ) -> tuple[list[dict[str, Any]], str | None]:  # fmt: skip
        """One page of the case events of a UTC day, oldest first (the `queue_newest` index
        under `EVENTS#<day>`: the event items themselves, kept 30 days)."""
        items, next_cursor = self.table.query(
            ("queue_pk", f"{keys.EVENT_LOG_PREFIX}{utc_day}"), index="queue_newest",
            limit=limit, cursor=cursor,
        )  # fmt: skip
        storage = {"PK", "SK", "entity", "expires_at", "queue_pk", "created_sk"}
        return [{k: v for k, v in i.items() if k not in storage} for i in items], next_cursor
