"""Pre-cases in the one table: the item, the pool, an agent's claimed ones, the 360 line.

A pre-case is one item (`PRECASE#<id>`, `#PRECASE`), with the later mails that
answered it beside it (`MSG#<received>#<id>`), read together in one Query. While
it waits in the pool it carries `queue_pk = PRECASES`, so `queue_newest` lists the pool by age and
`queue_priority` (sort key `<channel>#<received>#<id>`) lists one channel by
age; once claimed it carries `agent_pk = P#<username>` instead; once finished,
neither (both indexes are sparse). A matched customer's partition holds a short
line for every open pre-case, so the customer 360 still reads in two Queries.

Each move's pre-case events (domain/precases.py `PreCaseChange`) are items in the
pre-case's partition (`~EV#<version>#<index>`, store/cases.py `event_item`, 30 days by
TTL), written in the move's own transaction; reading a pre-case (`SK < ~`) skips them.
"""

from __future__ import annotations

from typing import Any

from ..domain.clock import to_iso
from ..domain.errors import Conflict, NotFound
from ..domain.precases import PreCase, PreCaseChange, PreCaseMessage, PreCaseStatus
from . import keys
from .cases import event_operation
from .dynamo import Table, TransactionCanceled
from .social import repeated

PRECASE_FIELDS_ON_LINE = ("id", "channel", "subject", "received_at", "status", "assignee")


def precase_item(pre: PreCase) -> dict[str, Any]:
    created = f"{to_iso(pre.received_at)}#{pre.id}"
    item: dict[str, Any] = {
        **pre.model_dump(mode="json", exclude_none=True, exclude={"messages"}),
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


def message_item(precase_id: str, message: PreCaseMessage) -> dict[str, Any]:
    """A follow-up mail beside its pre-case: its own item, so a pre-case answered many
    times never outgrows one item."""
    return {
        **message.model_dump(mode="json", exclude_none=True),
        "PK": keys.precase_key(precase_id)["PK"],
        "SK": keys.precase_message_sk(to_iso(message.received_at), message.id),
        "entity": "precase_message",
    }


def line_item(pre: PreCase) -> dict[str, Any]:
    data = pre.model_dump(mode="json", include=set(PRECASE_FIELDS_ON_LINE), exclude_none=True)
    return {**data, **keys.precase_line_key(pre.customer_id or "", pre.id), "entity": "precase"}


class DynamoPreCases:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- writes --------------------------------------------------------------------------

    def add(self, change: PreCaseChange, also: list[dict[str, Any]] | None = None) -> None:
        """A new pre-case, its line on the customer, its events and whatever rides with it,
        in one write."""
        pre = change.precase
        operations = [
            {"Put": {"Item": precase_item(pre), "ConditionExpression": "attribute_not_exists(PK)"}},
            *([{"Put": {"Item": line_item(pre)}}] if pre.customer_id else []),  # fmt: skip
            *(event_operation(e) for e in change.events),
            *(also or []),
        ]
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            conflict = repeated(exc)
            if conflict is None and any(
                r.code == "ConditionalCheckFailed"
                and (r.item or {}).get("entity") in ("precase", "mail_taken")
                for r in exc.reasons
            ):  # the same pre-case or mail again: a retry after this write, or a second copy
                conflict = Conflict("this was received before", code="already_received")
            if conflict is None:
                raise
            raise conflict from exc

    def add_message(
        self,
        change: PreCaseChange,
        message: PreCaseMessage,
        also: list[tuple[dict[str, Any], Exception]] | None = None,
    ) -> None:
        """A follow-up mail onto an open pre-case (domain/precases.py `joined`), with its
        event and what rides along, in one write: the message's item, and the pre-case's
        version moved on (an agent converting it meanwhile hears 409 and reads it again),
        only while it is still open and at the version read. Conflict `precase_finished`
        once it is converted or set aside, `version_conflict` when it moved meanwhile (read
        it again), `already_received` for the same mail again."""
        pre = change.precase
        update = {
            "Update": {
                "Key": keys.precase_key(pre.id),
                "UpdateExpression": "SET version = :new",
                "ConditionExpression": "version = :expected AND #s IN (:pooled, :claimed)",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {
                    ":new": pre.version,
                    ":expected": change.expected_version,
                    ":pooled": PreCaseStatus.POOLED.value,
                    ":claimed": PreCaseStatus.CLAIMED.value,
                },
            }
        }
        put = {"Put": {"Item": message_item(pre.id, message),
                       "ConditionExpression": "attribute_not_exists(PK)"}}  # fmt: skip
        events = [event_operation(e) for e in change.events]
        try:
            self.table.transact([update, put, *events, *(op for op, _ in also or [])])
        except TransactionCanceled as exc:
            reasons = exc.reasons
            first = reasons[0] if reasons else None
            if first and first.code == "ConditionalCheckFailed":
                current = first.item or {}
                if current.get("status") in (PreCaseStatus.POOLED, PreCaseStatus.CLAIMED):
                    raise self.conflict(current) from exc
                raise Conflict("the pre-case is no longer open", code="precase_finished") from exc
            if len(reasons) > 1 and reasons[1].code == "ConditionalCheckFailed":
                raise Conflict("this mail is on the pre-case already",
                               code="already_received") from exc  # fmt: skip
            riders = reasons[2 + len(events) :]
            for reason, (_op, meaning) in zip(riders, also or [], strict=False):
                if reason.code == "ConditionalCheckFailed":
                    raise meaning from exc
            raise

    def save(self, change: PreCaseChange) -> PreCase:
        try:
            self.table.transact(self.save_operations(change))
        except TransactionCanceled as exc:
            reason = exc.reasons[0] if exc.reasons else None
            raise self.conflict(reason.item if reason else None) from exc
        return change.precase

    def save_operations(self, change: PreCaseChange) -> list[dict[str, Any]]:
        """The write of a move with its events, for this store or for a case's transaction
        to carry."""
        pre = change.precase
        operations: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": precase_item(pre),
                    "ConditionExpression": "version = :expected",
                    "ExpressionAttributeValues": {":expected": change.expected_version},
                }
            }
        ]
        if pre.customer_id:
            line = keys.precase_line_key(pre.customer_id, pre.id)
            if pre.is_open:
                operations.append({"Put": {"Item": line_item(pre)}})
            else:
                operations.append({"Delete": {"Key": line}})
        operations += [event_operation(e) for e in change.events]
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
        """The pre-case with its follow-up mails, oldest first (one Query; its events sort
        last and are not read)."""
        items = self.table.query_all(("PK", keys.precase_key(precase_id)["PK"]), sort_before="~")
        meta = next((i for i in items if i.get("SK") == keys.PRECASE), None)
        if meta is None:
            raise NotFound("no such pre-case")
        messages = [PreCaseMessage.model_validate(i) for i in items
                    if i.get("entity") == "precase_message"]  # fmt: skip
        return PreCase.model_validate({**meta, "messages": messages})

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

    def events(self, precase_id: str) -> list[dict[str, Any]]:
        """The pre-case's stored events, in order, as items (for tests and the bench; the
        events reach consumers through the table's stream)."""
        return self.table.query_all(("PK", keys.precase_key(precase_id)["PK"]),
                                    sort_prefix=keys.EVENT_PREFIX)  # fmt: skip
