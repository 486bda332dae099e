"""The customer flag list and each customer's staff marks: one item each, written only
when its version is still the one the writer read."""

from __future__ import annotations

from ..domain.customer_flags import DEFAULT_FLAGS, CustomerMarks, FlagList
from ..domain.errors import Conflict
from . import keys
from .dynamo import Table


def _conflict(what: str) -> Conflict:
    return Conflict(f"the {what} changed since you read it; read it again", code="version_conflict")


class DynamoCustomerFlagStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def flag_list(self) -> FlagList:
        item = self.table.get(keys.CUSTOMER_FLAG_LIST_KEY)
        return FlagList.model_validate(item) if item else DEFAULT_FLAGS

    def put_flag_list(self, flags: FlagList, expected: int) -> FlagList:
        self._put(keys.CUSTOMER_FLAG_LIST_KEY, flags, expected, "customer_flag_list", "flags")
        return flags

    def marks(self, customer_id: str) -> CustomerMarks:
        item = self.table.get(keys.customer_marks_key(customer_id))
        return (
            CustomerMarks.model_validate(item) if item else CustomerMarks(customer_id=customer_id)
        )

    def put_marks(self, marks: CustomerMarks, expected: int) -> CustomerMarks:
        key = keys.customer_marks_key(marks.customer_id)
        self._put(key, marks, expected, "customer_marks", "customer's flags")
        return marks

    def _put(self, key: dict, model, expected: int, entity: str, what: str) -> None:
        item = {**model.model_dump(mode="json"), **key, "entity": entity}
        condition = "attribute_not_exists(PK)" if expected == 0 else "version = :v"
        client = self.table.client
        kwargs = {"TableName": self.table.name, "Item": self.table.ser(item),
                  "ConditionExpression": condition}  # fmt: skip
        if expected:
            kwargs["ExpressionAttributeValues"] = self.table.ser({":v": expected})
        try:
            client.put_item(**kwargs)
        except client.exceptions.ConditionalCheckFailedException as exc:
            raise _conflict(what) from exc
