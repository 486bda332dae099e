"""Cases and their history in the one table (layout in keys.py and README.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..domain.attachments import Attachment
from ..domain.case_record import CaseWithHistory
from ..domain.cases import Case, HistoryEntry
from ..domain.clock import ISTANBUL, to_iso
from ..domain.customers import Customer
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.ids import case_number
from ..domain.lifecycle import DONE, Status
from ..domain.listing import CaseListQuery, Page
from ..domain.notifications import Notice
from . import keys
from .customers import customer_items
from .dynamo import Table, TransactionCanceled

#: last case number seen per year, per process: a hint that lets the next case's
#: transaction take the counter in one try; the counter's condition keeps it exact
_LAST_SEQUENCE: dict[int, int] = {}
_MAX_ATTEMPTS = 8


def case_item(case: Case) -> dict[str, Any]:
    return {**case.model_dump(mode="json"), **keys.case_index_keys(case), "entity": "case"}


def entry_item(case: Case, entry: HistoryEntry) -> dict[str, Any]:
    return {
        **entry.model_dump(mode="json"),
        "PK": keys.case_pk(case.id),
        "SK": keys.history_sk(to_iso(entry.at), entry.id),
        "number_pk": keys.number_pk(case.number),
        "entity": "history",
    }


def notice_item(case_number: str, notice: Notice) -> dict[str, Any]:
    item = {
        **notice.model_dump(mode="json"),
        "PK": keys.case_pk(notice.case_id),
        "SK": keys.notice_sk(notice.id),
        "number_pk": keys.number_pk(case_number),
        "entity": "notice",
        "deliver_after": to_iso(notice.deliver_after),  # fixed width: compared as text
    }
    if notice.awaiting:
        item["outbox_pk"] = "OUTBOX"
        item["outbox_sk"] = f"{to_iso(notice.deliver_after)}#{notice.case_id}#{notice.id}"
    return item


def _notify(case: Case, notice: Notice) -> dict[str, Any]:
    item = notice_item(case.number, notice)
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}


def _append(case: Case, entry: HistoryEntry) -> dict[str, Any]:
    return {
        "Put": {"Item": entry_item(case, entry), "ConditionExpression": "attribute_not_exists(PK)"}
    }


def _exists(key: dict[str, str]) -> dict[str, Any]:
    return {"ConditionCheck": {"Key": key, "ConditionExpression": "attribute_exists(PK)"}}


class DynamoCaseStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def create(
        self,
        case: Case,
        entry: HistoryEntry,
        new_customer: Customer | None = None,
        notices: list[Notice] | None = None,
        also: Callable[[Case], list[tuple[dict[str, Any], Exception]]] | None = None,
    ) -> Case:
        """`also`: writes that must succeed or fail with the case (a pre-case turning into
        it), each with what its failed condition means; it is given the numbered case."""
        year = case.created_at.astimezone(ISTANBUL).year
        references, meanings = self._references(case, new_customer)
        guess = _LAST_SEQUENCE.get(year)
        for _attempt in range(_MAX_ATTEMPTS):
            sequence = (guess or 0) + 1
            numbered = case.model_copy(update={"number": case_number(year, sequence)})
            counter = self._take_number(year, guess, sequence)
            riders = also(numbered) if also else []
            operations = [
                counter,
                {
                    "Put": {
                        "Item": case_item(numbered),
                        "ConditionExpression": "attribute_not_exists(PK)",
                    }
                },
                _append(numbered, entry),
                *references,
                *(op for op, _ in riders),
                *(_notify(numbered, n) for n in notices or []),
            ]
            checked = [*meanings, *(meaning for _, meaning in riders)]
            try:
                self.table.transact(operations)
            except TransactionCanceled as exc:
                counter_reason = exc.reasons[0] if exc.reasons else None
                for reason, meaning in zip(
                    exc.reasons[3 : 3 + len(checked)], checked, strict=False
                ):
                    if reason.code == "ConditionalCheckFailed":
                        raise meaning from exc
                if counter_reason and counter_reason.code == "ConditionalCheckFailed":
                    guess = int((counter_reason.item or {}).get("seq", 0))
                continue  # counter moved, or a concurrent transaction touched it: try again
            _LAST_SEQUENCE[year] = sequence
            return numbered
        raise Conflict("too many cases opened at once; try again", code="busy")

    @staticmethod
    def _take_number(year: int, guess: int | None, sequence: int) -> dict[str, Any]:
        update: dict[str, Any] = {
            "Key": keys.counter_key(year),
            "UpdateExpression": "SET seq = :next",
            "ExpressionAttributeValues": {":next": sequence},
        }
        if guess is None:
            update["ConditionExpression"] = "attribute_not_exists(seq)"
        else:
            update["ConditionExpression"] = "seq = :guess"
            update["ExpressionAttributeValues"][":guess"] = guess
        return {"Update": update}

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
        items = self.table.query_all(("PK", keys.case_pk(case_id)))
        return self._assemble(items)

    def get_by_number(self, number: str) -> CaseWithHistory:
        items = self.table.query_all(("number_pk", keys.number_pk(number)), index="by_number")
        return self._assemble(items)

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
        item = {
            **attachment.model_dump(mode="json", exclude={"url"}),
            "PK": keys.case_pk(case.id),
            "SK": keys.attachment_sk(attachment.id),
            "number_pk": keys.number_pk(case.number),
            "entity": "attachment",
        }
        try:
            self.table.put(item, condition="attribute_not_exists(PK)")
        except self.table.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def save(
        self,
        case: Case,
        expected_version: int,
        entries: list[HistoryEntry],
        notices: list[Notice] | None = None,
    ) -> Case:
        put = {
            "Put": {
                "Item": case_item(case),
                "ConditionExpression": "version = :expected",
                "ExpressionAttributeValues": {":expected": expected_version},
            }
        }
        try:
            self.table.transact(
                [
                    put,
                    *(_append(case, e) for e in entries),
                    *(_notify(case, n) for n in notices or []),
                ]
            )
        except TransactionCanceled as exc:
            reason = exc.reasons[0] if exc.reasons else None
            if reason and reason.code == "ConditionalCheckFailed":
                if not reason.item:
                    raise NotFound("no such case") from exc
                current = Case.model_validate(reason.item)
                raise Conflict(
                    "the case changed since you read it; here is the current one",
                    details={
                        "current_version": current.version,
                        "case": current.model_dump(mode="json"),
                    },
                    code="version_conflict",
                ) from exc
            raise Conflict("the case is being changed by someone else; try again") from exc
        return case

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
        else:  # overdue
            index = "overdue"
            partition = ("due_pk", "DUE")
            sort_before = f"{query.before}#"
            if query.group_id:
                filters["group_id"] = query.group_id
        forward = query.order == "priority" or query.view == "overdue"
        items, next_cursor = self.table.query(
            partition,
            index=index,
            forward=forward,
            limit=query.limit,
            cursor=query.cursor,
            sort_before=sort_before,
            filters=filters or None,
        )
        return Page(items=[Case.model_validate(i) for i in items], next_cursor=next_cursor)

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
        """Take the notice for delivery, unless another delivery holds a live lease on it."""
        until = to_iso(now + lease)
        item = self.table.update(
            {"PK": keys.case_pk(notice.case_id), "SK": keys.notice_sk(notice.id)},
            "SET #s = :sending, attempts = attempts + :one, deliver_after = :until,"
            " outbox_sk = :outbox",
            "#s IN (:pending, :held, :sending) AND deliver_after <= :now",
            {"#s": "status"},
            {
                ":sending": "sending",
                ":pending": "pending",
                ":held": "held",
                ":one": 1,
                ":until": until,
                ":now": to_iso(now),
                ":outbox": f"{until}#{notice.case_id}#{notice.id}",
            },
        )
        return Notice.model_validate(item) if item else None

    def finish(self, notice: Notice, number: str) -> None:
        """Record the outcome; only the delivery that holds the claim may. Each email sent
        is remembered by its Message-ID, so a reply that keeps only In-Reply-To finds the case."""
        mail_refs = [
            {"Put": {"Item": {**keys.mail_ref_key(d.message_id), "case_id": notice.case_id,
                              "case_number": number, "entity": "mail_ref",
                              "expires_at": int(d.at.timestamp()) + MAIL_REF_SECONDS}}}
            for d in notice.deliveries
            if d.channel == "email" and d.message_id
        ]  # fmt: skip
        try:
            self.table.transact(
                [
                    *mail_refs,
                    {
                        "Put": {
                            "Item": notice_item(number, notice),
                            "ConditionExpression": "#s = :sending AND attempts = :attempts",
                            "ExpressionAttributeNames": {"#s": "status"},
                            "ExpressionAttributeValues": {
                                ":sending": "sending",
                                ":attempts": notice.attempts,
                            },
                        }
                    },
                ]
            )
        except TransactionCanceled as exc:
            raise Conflict("another delivery took this notice over") from exc

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
