"""Cases and their history in the one table (layout in keys.py and README.md)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel

from ..domain.attachments import Attachment
from ..domain.case_change import CaseChange, numbered
from ..domain.case_events import EventBase
from ..domain.case_record import CaseWithHistory
from ..domain.cases import Case, HistoryEntry, version_conflict
from ..domain.clock import ISTANBUL, from_iso, to_iso
from ..domain.customers import Customer
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.ids import case_number
from ..domain.lifecycle import DONE, Status
from ..domain.listing import CaseListQuery, Page
from ..domain.notifications import Notice
from ..domain.views import ViewPlan
from . import keys
from .case_numbers import CASE_NUMBERS
from .customers import customer_items
from .dynamo import Table, TransactionCanceled

#: attempts at a case's transaction when it is cancelled by a concurrent transaction on the
#: same items (TransactionConflict), with "full jitter" waits between (AWS's advice)
_MAX_ATTEMPTS = 8
#: seconds: the n-th retry waits a random time up to min(cap, base * 2**n)
_BACKOFF_BASE = 0.02
_BACKOFF_CAP = 1.0
#: DynamoDB's limit of items in one TransactWriteItems
MAX_TRANSACTION_ITEMS = 100
#: how long a case event stays in the table (seconds): long enough for the stream reader
#: and a consumer's replay, short enough that a case's partition does not grow with it
EVENT_SECONDS = 30 * 24 * 3600


#: fields of the case item stored even when empty: `seen` is set key by key (`mark_seen`),
#: and an item without the map costs a refused UpdateItem and a second call at the first look
_KEPT_EMPTY = frozenset({"seen"})


def case_item(case: Case) -> dict[str, Any]:
    """The case as its one item: its fields but those holding nothing (`unstored`), and its
    index keys.

    A field that holds nothing (None, an empty list or map) where its default is nothing too
    is not stored, at any depth (the SLA clocks' unset times, an unused rating, the empty
    tags, CC, followers, articles, checklists and custom fields): reading the item gives the
    field its default, the same nothing, and DynamoDB's filters treat a missing list or map
    as they treat an empty one (`contains` false, `attribute_not_exists` true). The case
    item is rewritten whole at each change, in a transaction (a unit per started KB,
    doubled), so its size is paid at each: 1,783 bytes after routing in the bench's case
    life were 1,470 (issue 21; docs/performance.md "Where a case life's writes go")."""
    item = unstored(case, case.model_dump(mode="json"), keep=_KEPT_EMPTY)
    return {**item, **keys.case_index_keys(case), "entity": "case"}


def _nothing(value: Any) -> bool:
    return value is None or (isinstance(value, list | dict) and not value)


def unstored(
    model: BaseModel, dumped: dict[str, Any], keep: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """`dumped` (the model's `model_dump(mode="json")`) without the fields that hold nothing
    and default to nothing, in nested models too (lists and maps of them included); a
    required field, or one whose default is something (a status, a ratio, a count), is kept
    whatever it holds, so a stored item never depends on a default the code may change.
    Returns `dumped`, changed in place."""
    for name, field in type(model).model_fields.items():
        if name not in dumped:
            continue
        value = getattr(model, name)
        empty = name not in keep and _nothing(value) and not field.is_required()
        if empty and _nothing(field.get_default(call_default_factory=True)):
            del dumped[name]
            continue
        inner = dumped[name]
        if isinstance(value, BaseModel) and isinstance(inner, dict):
            unstored(value, inner)
        elif isinstance(value, list) and isinstance(inner, list):
            for one, out in zip(value, inner, strict=False):
                if isinstance(one, BaseModel) and isinstance(out, dict):
                    unstored(one, out)
        elif isinstance(value, dict) and isinstance(inner, dict):
            for key, one in value.items():
                out = inner.get(str(key))
                if isinstance(one, BaseModel) and isinstance(out, dict):
                    unstored(one, out)
    return dumped


def entry_item(case: Case, entry: HistoryEntry) -> dict[str, Any]:
    return {
        **entry.model_dump(mode="json"),
        "PK": keys.case_pk(case.id),
        "SK": keys.history_sk(to_iso(entry.at), entry.id),
        "entity": "history",
    }


def attachment_item(case: Case, attachment: Attachment) -> dict[str, Any]:
    return {
        **attachment.model_dump(mode="json", exclude={"url"}),
        "PK": keys.case_pk(case.id),
        "SK": keys.attachment_sk(attachment.id),
        "entity": "attachment",
    }


def outbox_sk(at: datetime, case_id: str, notice_id: str) -> str:
    """A notice's place in the `outbox` index: when the sweep should hand it out."""
    return f"{to_iso(at)}#{case_id}#{notice_id}"


def notice_item(case_number: str, notice: Notice) -> dict[str, Any]:
    item = {
        **notice.model_dump(mode="json"),
        "PK": keys.case_pk(notice.case_id),
        "SK": keys.notice_sk(notice.id),
        "entity": "notice",
        "deliver_after": to_iso(notice.deliver_after),  # fixed width: compared as text
    }
    if notice.awaiting:
        item["outbox_pk"] = "OUTBOX"
        item["outbox_sk"] = outbox_sk(notice.outbox_at, notice.case_id, notice.id)
    return item


def event_item(event: EventBase) -> dict[str, Any]:
    """An event in its subject's partition (the case's, else the pre-case's: keys.event_pk),
    after every other item (keys.event_sk); no `number_pk`, so reading a case by number does
    not read it either; gone after EVENT_SECONDS (TTL)."""
    expires = int(from_iso(event.occurred_at).timestamp()) + EVENT_SECONDS
    return {
        **event.model_dump(mode="json"),
        "PK": keys.event_pk(event.case_id, event.precase_id),
        "SK": keys.event_sk(event.sequence, event.index),
        "entity": "event",
        "expires_at": expires,
        # the day's event log (a time range for a shop's replay), on an index: no extra item
        **keys.event_log_keys(event.occurred_at, event.subject_id, event.sequence, event.index),
    }


def event_operation(event: EventBase) -> dict[str, Any]:
    """An event's write, once only (a retried change finds it there and is refused whole)."""
    return {"Put": {"Item": event_item(event), "ConditionExpression": "attribute_not_exists(PK)"}}


def _within_limit(operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A change and what rides with it must fit one transaction (100 items)."""
    if len(operations) > MAX_TRANSACTION_ITEMS:
        raise InvalidInput(
            f"this change writes {len(operations)} items; one change writes at most "
            f"{MAX_TRANSACTION_ITEMS}",
            details={"items": len(operations), "limit": MAX_TRANSACTION_ITEMS},
            code="change_too_large",
        )
    return operations


def _notify(case: Case, notice: Notice) -> dict[str, Any]:
    item = notice_item(case.number, notice)
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}


def _append(case: Case, entry: HistoryEntry) -> dict[str, Any]:
    return {
        "Put": {"Item": entry_item(case, entry), "ConditionExpression": "attribute_not_exists(PK)"}
    }


def _exists(key: dict[str, str]) -> dict[str, Any]:
    return {"ConditionCheck": {"Key": key, "ConditionExpression": "attribute_exists(PK)"}}


#: Query rounds one page of a tag- or field-filtered list reads at most
NARROWED_ROUNDS = 8


class DynamoCaseStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(
        self,
        change: CaseChange,
        new_customer: Customer | None = None,
        also: Callable[[Case], list[tuple[dict[str, Any], Exception]]] | None = None,
    ) -> CaseChange:
        """An opening (domain/case_change.py) in one transaction with the next case number:
        the case, its history, notices and events. `also`: writes that must succeed or fail
        with the case (a pre-case turning into it), each with what its failed condition
        means; it is given the numbered case. Returns the change as numbered."""
        case = change.case
        year = case.created_at.astimezone(ISTANBUL).year
        references, meanings = self._references(case, new_customer)
        sequence = CASE_NUMBERS.take(self.table, year)
        opened = numbered(change, case_number(year, sequence))
        riders = also(opened.case) if also else []
        put = {"Put": {"Item": case_item(opened.case),
                       "ConditionExpression": "attribute_not_exists(PK)"}}  # fmt: skip
        # the checked writes first, after the case: a cancellation's reasons are read by position
        operations = _within_limit([
            put,
            *references,
            *(op for op, _ in riders),
            *(_append(opened.case, e) for e in opened.entries),
            *(_notify(opened.case, n) for n in opened.notices),
            *(event_operation(e) for e in opened.events),
        ])  # fmt: skip
        checked = [*meanings, *(meaning for _, meaning in riders)]
        for attempt in range(_MAX_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, min(_BACKOFF_CAP, _BACKOFF_BASE * 2**attempt)))
            try:
                self.table.transact(operations)
            except TransactionCanceled as exc:
                reasons = exc.reasons[1 : 1 + len(checked)]
                for reason, meaning in zip(reasons, checked, strict=False):
                    if reason.code == "ConditionalCheckFailed":
                        CASE_NUMBERS.give_back(self.table, year, sequence)
                        raise meaning from exc
                continue  # a concurrent transaction touched one of its items: try again
            return opened
        CASE_NUMBERS.give_back(self.table, year, sequence)
        raise Conflict("too many changes at once to the same records; try again", code="busy")

    @staticmethod
    def _references(
        case: Case, new_customer: Customer | None
    ) -> tuple[list[dict[str, Any]], list[Exception]]:
        """Checks and writes that ride in the case's transaction, and what each failure means."""
        operations: list[dict[str, Any]] = []
        meanings: list[Exception] = []
        if new_customer is not None:
            for item in customer_items(new_customer):
                operations.append(
                    {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
                )
                meanings.append(
                    Conflict(
                        "a customer with this phone, email or number was just created; try again",
                        code="customer_exists",
                    )
                )
        else:
            operations.append(_exists(keys.customer_key(case.customer_id)))
            meanings.append(InvalidInput(f"no customer {case.customer_id!r}"))
        if case.category_id:
            operations.append(_exists(keys.category_key(case.category_id)))
            meanings.append(InvalidInput(f"no category {case.category_id!r}"))
        if case.requested_group_id:
            operations.append(_exists(keys.group_key(case.requested_group_id)))
            meanings.append(InvalidInput(f"no group {case.requested_group_id!r}"))
        return operations, meanings

    def get(self, case_id: str) -> CaseWithHistory:
        # the case's events sort last in its partition and are not part of reading it
        items = self.table.query_all(("PK", keys.case_pk(case_id)), sort_before="~")
        return self._assemble(items)

    def head(self, case_id: str) -> Case:
        """The case item alone, without its history (one GetItem), or NotFound."""
        item = self.table.get({"PK": keys.case_pk(case_id), "SK": keys.CASE_META})
        if item is None:
            raise NotFound("no such case")
        return Case.model_validate(item)

    def events(self, case_id: str) -> list[dict[str, Any]]:
        """The case's stored events, in order, as items (for tests and the bench; the
        events reach consumers through the table's stream)."""
        return self.table.query_all(("PK", keys.case_pk(case_id)),
                                    sort_prefix=keys.EVENT_PREFIX)  # fmt: skip

    def get_by_number(self, number: str) -> CaseWithHistory:
        """The case of a number with its history: the `by_number` entry of its meta item (the
        keys only), then the case's partition as `get` reads it. Only the meta item carries
        `number_pk` now; an older case's history lines still do and are not read here."""
        found, _ = self.table.query(("number_pk", keys.number_pk(number)), index="by_number",
                                    sort_between=(keys.CASE_META, keys.CASE_META),
                                    entries=True)  # fmt: skip
        if not found:
            raise NotFound("no such case")
        return self.get(keys.case_id_of(found[0]["PK"]))

    @staticmethod
    def _assemble(items: list[dict[str, Any]]) -> CaseWithHistory:
        meta = next((i for i in items if i.get("entity") == "case"), None)
        if meta is None:
            raise NotFound("no such case")
        history = [HistoryEntry.model_validate(i) for i in items if i.get("entity") == "history"]
        history.sort(key=lambda e: (e.at, e.id))
        notices = [Notice.model_validate(i) for i in items if i.get("entity") == "notice"]
        files = [Attachment.model_validate(i) for i in items if i.get("entity") == "attachment"]
        files.sort(key=lambda a: (a.at, a.id))
        return CaseWithHistory(
            case=Case.model_validate(meta), history=history, notices=notices, attachments=files
        )

    def add_attachment(self, case: Case, attachment: Attachment) -> bool:
        """Record a confirmed upload under the case; False if it was recorded already."""
        item = attachment_item(case, attachment)
        try:
            self.table.put(item, condition="attribute_not_exists(PK)")
        except self.table.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    @staticmethod
    def entry_operation(case: Case, entry: HistoryEntry) -> dict[str, Any]:
        """A history entry's write, for another transaction to carry (a pre-case's
        follow-up mails becoming the new case's replies)."""
        return _append(case, entry)

    @staticmethod
    def notice_operation(case: Case, notice: Notice) -> dict[str, Any]:
        """A new notice's write, for another transaction to carry (a bounce filed)."""
        return _notify(case, notice)

    @staticmethod
    def attachment_operation(case: Case, attachment: Attachment) -> dict[str, Any]:
        """An attachment's record, written only once (a retried mail finds it there)."""
        return {"Put": {"Item": attachment_item(case, attachment),
                        "ConditionExpression": "attribute_not_exists(PK)"}}  # fmt: skip

    def apply(
        self, change: CaseChange, also: list[tuple[dict[str, Any], Exception]] | None = None
    ) -> Case:
        """A change of a case (domain/case_change.py) in one transaction: the case if its
        stored version is still the one the change started from, its history lines, notices
        and events; `also`: writes that stand or fall with it, each with what its failed
        condition means. A stale version raises Conflict `version_conflict` with the current
        case, and nothing of the change is written."""
        case = change.case
        operations = _within_limit([
            *self.change_operations(change),
            *(op for op, _ in also or []),
        ])  # fmt: skip
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            riders = exc.reasons[len(exc.reasons) - len(also or []) :] if also else []
            for reason, (_op, meaning) in zip(riders, also or [], strict=False):
                if reason.code == "ConditionalCheckFailed":
                    raise meaning from exc
            reason = exc.reasons[0] if exc.reasons else None
            if reason and reason.code == "ConditionalCheckFailed":
                if not reason.item:
                    raise NotFound("no such case") from exc
                raise version_conflict(Case.model_validate(reason.item)) from exc
            raise Conflict("the case is being changed by someone else; try again") from exc
        return case

    @staticmethod
    def change_operations(change: CaseChange) -> list[dict[str, Any]]:
        """A change's writes (the case at its version, its lines, notices and events), for
        `apply` or for another change's transaction to carry (a merge writes both cases'
        changes at once); the case's put comes first."""
        case = change.case
        put = {
            "Put": {
                "Item": case_item(case),
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": change.expected_version},
            }
        }
        return [
            put,
            *(_append(case, e) for e in change.entries),
            *(_notify(case, n) for n in change.notices),
            *(event_operation(e) for e in change.events),
        ]

    def merged_items(
        self, source_id: str, cursor: str | None, limit: int
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of a merged case's partition (its meta, lines, notices and files, never
        its events), in key order, for the merge job to copy what the survivor shows."""
        return self.table.query(("PK", keys.case_pk(source_id)), sort_before="~", limit=limit,
                                cursor=cursor)  # fmt: skip

    def copy_to_survivor(self, survivor: Case, items: list[dict[str, Any]]) -> None:
        """Put copies of a merged case's history lines and files into the survivor's
        partition under the same sort keys (a line's key holds its time and id, a file's its
        id), so a copy made twice is the same item written twice: a retried job duplicates
        nothing. Unconditional puts in transactions of at most MAX_TRANSACTION_ITEMS."""
        copies = [{**{k: v for k, v in item.items() if k != "number_pk"},
                   "PK": keys.case_pk(survivor.id), "case_id": survivor.id}
                  for item in items]  # fmt: skip
        for start in range(0, len(copies), MAX_TRANSACTION_ITEMS):
            chunk = copies[start : start + MAX_TRANSACTION_ITEMS]
            self.table.transact([{"Put": {"Item": item}} for item in chunk])

    def mark_seen(self, case_id: str, username: str, version: int) -> None:
        """Record that a staff member has looked at this version of the case: one UpdateItem
        of `seen.<username>` on the case's item, kept only if it is not older than what they
        saw before. It leaves the case's version alone, so it never makes anyone's write
        conflict; a write that races it puts a newer version, which is news to them anyway.

        Raises NotFound for no such case, InvalidInput for a version the case never had."""
        key = {"PK": keys.case_pk(case_id), "SK": keys.CASE_META}
        client = self.table.client
        try:
            client.update_item(
                TableName=self.table.name,
                Key=self.table.ser(key),
                UpdateExpression="SET seen.#u = :v",
                ConditionExpression="attribute_exists(PK) AND version >= :v"
                " AND (attribute_not_exists(seen.#u) OR seen.#u <= :v)",
                ExpressionAttributeNames={"#u": username},
                ExpressionAttributeValues=self.table.ser({":v": version}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except client.exceptions.ConditionalCheckFailedException as exc:
            old = exc.response.get("Item")
            if not old:
                raise NotFound("no such case") from exc
            current = int(self.table.de(old)["version"])
            if version > current:
                raise InvalidInput(
                    f"the case has no version {version}; it is at {current}",
                    code="no_such_version",
                ) from exc
            # they have already seen a later version: nothing to record
        except client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ValidationException":
                raise
            # an item written before cases kept `seen` has no map to set a key in
            self.table.update(
                key,
                "SET seen = :seen",
                "attribute_exists(PK) AND attribute_not_exists(seen) AND version >= :v",
                {},
                {":seen": {username: version}, ":v": version},
            )

    def list(self, query: CaseListQuery) -> Page:
        filters: dict[str, str] = {}
        sort_before = None
        if query.view in ("group", "pool"):
            index = "queue_priority" if query.order == "priority" else "queue_newest"
            partition = ("queue_pk", keys.queue_pk(query.group_id, query.status or "open"))
        elif query.view in ("mine", "agent"):
            index = "agent_priority" if query.order == "priority" else "agent_newest"
            done = bool(query.status) and Status(query.status) in DONE
            partition = ("agent_pk", keys.agent_pk(query.agent or "", done))
            if query.status:
                filters["status"] = query.status
        elif query.view == "customer":
            index = "by_customer"
            partition = ("customer_pk", keys.customer_pk(query.customer_id or ""))
        elif query.view == "follow_up":  # finished cases whose low rating waits, newest first
            index = "overdue"
            partition = ("due_pk", keys.FOLLOW_UP)
            if query.group_id:
                filters["group_id"] = query.group_id
        else:  # overdue
            index = "overdue"
            partition = ("due_pk", "DUE")
            sort_before = f"{query.before}#"
            if query.group_id:
                filters["group_id"] = query.group_id
        forward = query.order == "priority" or query.view == "overdue"
        matches: list[tuple[str, list[str], Any]] = []
        if query.tag:
            matches.append(("contains", ["tags"], query.tag))
        if query.field_key:
            matches.append(("equals", ["custom_fields", query.field_key], query.field_value))
        items: list[dict[str, Any]] = []
        cursor = query.cursor
        # a tag or field filter reads the view's own partition and keeps what matches: each
        # round reads at most what the page still lacks (so the cursor never skips a case),
        # and a page may come back short with a cursor to read on (chalicelib/store/README.md)
        for _round in range(NARROWED_ROUNDS if matches else 1):
            found, cursor = self.table.query(
                partition,
                index=index,
                forward=forward,
                limit=query.limit - len(items),
                cursor=cursor,
                sort_before=sort_before,
                filters=filters or None,
                matches=matches or None,
            )
            items += found
            if len(items) >= query.limit or not cursor:
                break
        return Page(items=[Case.model_validate(i) for i in items], next_cursor=cursor)

    def list_planned(self, plan: ViewPlan, limit: int, cursor: str | None) -> Page:
        """One page of a saved view: its plan's one Query (domain/views.py), its conditions
        as the FilterExpression; read as `list` reads a filtered view, at most
        NARROWED_ROUNDS rounds each asking for what the page still lacks."""
        partition, index, forward, before = _planned_source(plan)
        matches = [(how, list(path), value) for how, path, value in plan.conditions]
        items: list[dict[str, Any]] = []
        for _round in range(NARROWED_ROUNDS if matches else 1):
            found, cursor = self.table.query(
                partition, index=index, forward=forward, limit=limit - len(items),
                cursor=cursor, sort_before=before, matches=matches or None,
            )  # fmt: skip
            items += found
            if len(items) >= limit or not cursor:
                break
        return Page(items=[Case.model_validate(i) for i in items], next_cursor=cursor)

    def count_planned(self, plan: ViewPlan, cap: int, rounds: int = 3) -> tuple[int, bool]:
        """How many cases a saved view holds (a COUNT Query: no item read back), up to
        `cap`, in at most `rounds` calls; (count, complete)."""
        partition, index, _forward, before = _planned_source(plan)
        matches = [(how, list(path), value) for how, path, value in plan.conditions]
        return self.table.count(partition, index=index, sort_before=before,
                                matches=matches or None, cap=cap, rounds=rounds)  # fmt: skip

    def count_active(self, username: str) -> int:
        result = self.table.client.query(
            TableName=self.table.name,
            IndexName="agent_newest",
            KeyConditionExpression="agent_pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.agent_pk(username, done=False)}},
            Select="COUNT",
        )
        return int(result["Count"])

    def count_queue(self, group_id: str, status: str) -> int:
        """How many cases a group's queue holds in one status (a COUNT Query, no items read)."""
        result = self.table.client.query(
            TableName=self.table.name,
            IndexName="queue_newest",
            KeyConditionExpression="queue_pk = :pk",
            ExpressionAttributeValues={":pk": {"S": keys.queue_pk(group_id, status)}},
            Select="COUNT",
        )
        return int(result["Count"])

    def overdue(self, before: str, limit: int = 1000) -> list[Case]:
        """Active cases due before `before` (the sparse `overdue` index)."""
        items, _ = self.table.query(
            ("due_pk", "DUE"), index="overdue", sort_before=f"{before}#", limit=limit
        )
        return [Case.model_validate(i) for i in items]

    def due_for_sla(self, until: str, limit: int) -> list[str]:
        items, _ = self.table.query(
            ("timer_pk", "SLA"), index="sla_timer", sort_before=f"{until}#~", limit=limit
        )
        return [keys.case_id_of(i["PK"]) for i in items]

    def due_for_routing(self, before: str, limit: int) -> list[tuple[str, str]]:
        items, _ = self.table.query(
            ("unrouted_pk", "UNROUTED"), index="unrouted", sort_before=before, limit=limit
        )
        return [(i["id"], i["number"]) for i in items]


#: a reply may come long after the mail it answers; a year covers warranty-length cases
MAIL_REF_SECONDS = 365 * 24 * 3600


class DynamoNoticeStore:
    """Notices in their cases' partitions; the sparse `outbox` index finds those awaiting."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, case_id: str, notice_id: str) -> Notice | None:
        item = self.table.get({"PK": keys.case_pk(case_id), "SK": keys.notice_sk(notice_id)})
        return Notice.model_validate(item) if item else None

    def claim(self, notice: Notice, now: datetime, lease: timedelta) -> Notice | None:
        """Take the notice for delivery, unless another delivery holds a live lease on it.

        The notice's place in the `outbox` index stays where it is: moving it to the lease's
        end took the entry out and put it back (2 index write units a claim, issue 21), and a
        delivery normally finishes within seconds, taking the notice out of the outbox then.
        A delivery that dies, or outlasts the place, is met by the sweep, whose `hand_out`
        is refused while the lease lives and moves the place to the lease's end once."""
        item = self.table.update(
            {"PK": keys.case_pk(notice.case_id), "SK": keys.notice_sk(notice.id)},
            "SET #s = :sending, attempts = attempts + :one, deliver_after = :until",
            "#s IN (:pending, :held, :sending) AND deliver_after <= :now",
            {"#s": "status"},
            {
                ":sending": "sending",
                ":pending": "pending",
                ":held": "held",
                ":one": 1,
                ":until": to_iso(now + lease),
                ":now": to_iso(now),
            },
        )
        return Notice.model_validate(item) if item else None

    def hand_out(self, case_id: str, notice_id: str, now: datetime, until: datetime) -> bool:
        """The sweep queues the notice: its place in the outbox moves to `until`, so later
        sweeps leave it to the queue till then. False when it is no longer awaiting or a
        delivery holds a live lease on it (then the sweep does not queue it, and the place
        moves to the lease's end: `_defer`)."""
        key = {"PK": keys.case_pk(case_id), "SK": keys.notice_sk(notice_id)}
        client = self.table.client
        try:
            client.update_item(
                TableName=self.table.name,
                Key=self.table.ser(key),
                UpdateExpression="SET outbox_sk = :outbox",
                ConditionExpression="#s IN (:pending, :held, :sending) AND deliver_after <= :now",
                ExpressionAttributeNames={"#s": "status"},
                ExpressionAttributeValues=self.table.ser({
                    ":pending": "pending", ":held": "held", ":sending": "sending",
                    ":now": to_iso(now), ":outbox": outbox_sk(until, case_id, notice_id)}),
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )  # fmt: skip
        except client.exceptions.ConditionalCheckFailedException as exc:
            old = exc.response.get("Item")
            if old:
                self._defer(key, self.table.de(old), now)
            return False
        return True

    def _defer(self, key: dict[str, str], item: dict[str, Any], now: datetime) -> None:
        """A notice the sweep found due while a delivery's lease (or its quiet hours) still
        holds it: its place moves to `deliver_after`, so the sweeps of the minutes between
        do not read and try it again (a claim leaves the place where it was). Conditional on
        `deliver_after` unchanged: a delivery that finished or claimed it since wins."""
        after = item.get("deliver_after")
        if item.get("outbox_pk") is None or not after or after <= to_iso(now):
            return
        self.table.update(
            key,
            "SET outbox_sk = :outbox",
            "#s IN (:pending, :held, :sending) AND deliver_after = :after",
            {"#s": "status"},
            {":pending": "pending", ":held": "held", ":sending": "sending", ":after": after,
             ":outbox": outbox_sk(from_iso(after), item["case_id"], item["id"])},
        )  # fmt: skip

    def finish(self, notice: Notice, number: str, entry: HistoryEntry | None = None) -> None:
        """Record the outcome; only the delivery that holds the claim may. Each email sent
        is remembered by its Message-ID, so a reply that keeps only In-Reply-To finds the case.
        `entry` (a failure, say) joins the case's history in the same write.

        Plain writes where nothing must stand or fall together (issue 21: a transaction bills
        every item twice): the Message-ID references first, each a PutItem of its own (the
        email went out with that id whatever becomes of the claim, and a second copy is the
        same item), then the notice as one conditional PutItem. Only a history line rides
        with the notice in a transaction, so a failure is never recorded without its line."""
        for delivery in notice.deliveries:
            if delivery.channel == "email" and delivery.message_id:
                self.table.put({
                    **keys.mail_ref_key(delivery.message_id), "case_id": notice.case_id,
                    "case_number": number, "notice_id": notice.id, "entity": "mail_ref",
                    "expires_at": int(delivery.at.timestamp()) + MAIL_REF_SECONDS})  # fmt: skip
        claimed = {"#s": "status"}, {":sending": "sending", ":attempts": notice.attempts}
        condition = "#s = :sending AND attempts = :attempts"
        if entry is None:
            try:
                self.table.put(notice_item(number, notice), condition=condition,
                               names=claimed[0], values=claimed[1])  # fmt: skip
            except self.table.client.exceptions.ConditionalCheckFailedException as exc:
                raise Conflict("another delivery took this notice over") from exc
            return
        line = {**entry.model_dump(mode="json"), "PK": keys.case_pk(notice.case_id),
                "SK": keys.history_sk(to_iso(entry.at), entry.id), "entity": "history"}  # fmt: skip
        try:
            self.table.transact([
                {"Put": {"Item": line, "ConditionExpression": "attribute_not_exists(PK)"}},
                {"Put": {"Item": notice_item(number, notice), "ConditionExpression": condition,
                         "ExpressionAttributeNames": claimed[0],
                         "ExpressionAttributeValues": claimed[1]}},
            ])  # fmt: skip
        except TransactionCanceled as exc:
            raise Conflict("another delivery took this notice over") from exc

    @staticmethod
    def fail_operation(
        case_id: str, notice_id: str, reason: str
    ) -> tuple[dict[str, Any], Exception]:
        """A sent notice that bounced: failed, with why; once only (a bounce reported twice,
        as a DSN mail and as SES's notification, is filed once)."""
        update = {
            "Key": {"PK": keys.case_pk(case_id), "SK": keys.notice_sk(notice_id)},
            "UpdateExpression": "SET #s = :failed, note = :reason",
            "ConditionExpression": "#s = :sent",
            "ExpressionAttributeNames": {"#s": "status"},
            "ExpressionAttributeValues": {":failed": "failed", ":sent": "sent",
                                          ":reason": reason[:500]},
        }  # fmt: skip
        meaning = Conflict("this notice is failed already", code="already_failed")
        return {"Update": update}, meaning

    def case_of_mail(self, message_id: str) -> str | None:
        """The case an email destek sent belongs to, by the Message-ID SES gave it."""
        item = self.table.get(keys.mail_ref_key(message_id))
        return item["case_id"] if item else None

    def awaiting(self, until: str, limit: int) -> list[tuple[str, str]]:
        """(case id, notice id) of notices due for delivery by `until`."""
        items, _ = self.table.query(
            ("outbox_pk", "OUTBOX"), index="outbox", sort_before=f"{until}#~", limit=limit
        )
        return [(keys.case_id_of(i["PK"]), i["SK"].removeprefix("N#")) for i in items]


def _planned_source(plan: ViewPlan) -> tuple[tuple[str, str], str, bool, str | None]:
    """A view plan's partition, index, direction and upper sort bound
    (chalicelib/store/README.md)."""
    by = "priority" if plan.order == "priority" else "newest"
    forward = plan.order in ("priority", "oldest")
    if plan.source == "queue":
        pk = keys.queue_pk(plan.group_id or "", plan.status or "open")
        return ("queue_pk", pk), f"queue_{by}", forward, None
    if plan.source == "agent":
        return (
            ("agent_pk", keys.agent_pk(plan.agent or "", plan.done)),
            f"agent_{by}",
            forward,
            None,
        )
    return ("due_pk", "DUE"), "overdue", True, f"{plan.due_before}#"
