"""A thin layer over the low-level DynamoDB client: (de)serialising, queries, transactions.

The low-level client is used (not the resource API) because transactions and
cancellation reasons are only there. boto3 is imported on first use, so
importing the app does not pay for it (cold-start budget).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from functools import cached_property
from typing import Any

from ..domain.errors import BadRequest, InvalidInput
from . import cursor as cursor_codec
from .keys import INDEXES, KEYS_THEN_ITEMS


@dataclass
class CancelReason:
    code: str
    item: dict[str, Any] | None


class TransactionCanceled(Exception):
    def __init__(self, reasons: list[CancelReason]) -> None:
        super().__init__(", ".join(r.code for r in reasons))
        self.reasons = reasons


def _wire(value: Any) -> Any:
    """DynamoDB numbers are decimals: floats go over as their shortest exact text."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire(v) for v in value]
    return value


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set):
        return [_plain(v) for v in value]
    return value


def _matches(item: dict[str, Any], how: str, path: list[str], value: Any) -> bool:
    """A `Table.query` match on a read item, as DynamoDB's filter functions decide it:
    `contains` holds for a list or set holding `value` and for a string holding it as a
    part; `equals` for the attribute at `path` (map keys) equal to it; `in` for one of the
    list; `lt`/`gt` for a value of the same kind below/above it; a missing attribute matches
    `absent` and `absent_or_gt` and no other (`_clause` is the same as a FilterExpression)."""
    found: Any = item
    for part in path:
        if not isinstance(found, dict) or part not in found:
            return how in ("absent", "absent_or_gt")
        found = found[part]
    if how == "contains":
        if isinstance(found, str):
            return isinstance(value, str) and value in found
        return isinstance(found, list | set | tuple) and value in found
    if how == "in":
        return found in value
    if how in ("lt", "gt", "absent_or_gt"):
        if type(found) is not type(value) and not (_number(found) and _number(value)):
            return False  # DynamoDB compares a string with a string, a number with a number
        return found < value if how == "lt" else found > value
    if how == "absent":
        return False
    return found == value


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


#: calls a BatchGetItem makes for keys DynamoDB leaves unprocessed (throttling)
BATCH_GET_ROUNDS = 5


def _clause(how: str, where: str, name: str, value: Any, values: dict[str, Any]) -> str:
    """One filter clause on the attribute at `where`: `contains`, `equals`/`eq`, `in` (one of
    the list), `lt`, `gt`, `absent`, `absent_or_gt`; its values are added to `values`."""
    if how == "contains":
        values[name] = value
        return f"contains({where}, {name})"
    if how == "in":
        names = [f"{name}_{i}" for i in range(len(value))]
        values.update(zip(names, value, strict=True))
        return f"{where} IN ({', '.join(names)})"
    if how == "absent":
        return f"attribute_not_exists({where})"
    values[name] = value
    if how == "lt":
        return f"{where} < {name}"
    if how == "gt":
        return f"{where} > {name}"
    if how == "absent_or_gt":
        return f"(attribute_not_exists({where}) OR {where} > {name})"
    return f"{where} = {name}"


class Table:
    def __init__(self, name: str, client: Any = None) -> None:
        self.name = name
        self._client = client

    @cached_property
    def client(self) -> Any:
        if self._client is None:
            from .aws import client

            self._client = client("dynamodb")
        return self._client

    @cached_property
    def _types(self) -> tuple[Any, Any]:
        from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

        return TypeSerializer(), TypeDeserializer()

    def ser(self, item: dict[str, Any]) -> dict[str, Any]:
        """Every item, key and value goes over here, before anything is sent: a number DynamoDB
        cannot keep (over 38 digits, beyond 1E+125 or closer to zero than 1E-130, or not finite)
        is the caller's input, refused as such (422) with nothing written."""
        serializer = self._types[0]
        try:
            return {k: serializer.serialize(_wire(v)) for k, v in item.items() if v is not None}
        except DecimalException as exc:
            raise InvalidInput(
                "a number is out of range: at most 38 significant digits, "
                "between 1E-130 and 9.9E+125 in size"
            ) from exc

    def de(self, item: dict[str, Any]) -> dict[str, Any]:
        deserializer = self._types[1]
        return {k: _plain(deserializer.deserialize(v)) for k, v in item.items()}

    # ---- single items --------------------------------------------------------------------

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        found = self.client.get_item(TableName=self.name, Key=self.ser(key), ConsistentRead=True)
        return self.de(found["Item"]) if "Item" in found else None

    def put(
        self,
        item: dict[str, Any],
        condition: str | None = None,
        values: dict[str, Any] | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        """`values`: the condition's `:name` values; `names`: its `#name` attribute names."""
        kwargs: dict[str, Any] = {"TableName": self.name, "Item": self.ser(item)}
        if condition:
            kwargs["ConditionExpression"] = condition
        if names:
            kwargs["ExpressionAttributeNames"] = names
        if values:
            kwargs["ExpressionAttributeValues"] = self.ser(values)
        self.client.put_item(**kwargs)

    def update(
        self,
        key: dict[str, str],
        expression: str,
        condition: str,
        names: dict[str, str],
        values: dict[str, Any],
    ) -> dict[str, Any] | None:
        """A conditional update; the item as it is after, or None when the condition failed."""
        kwargs: dict[str, Any] = {"ExpressionAttributeNames": names} if names else {}
        try:
            result = self.client.update_item(
                TableName=self.name,
                Key=self.ser(key),
                UpdateExpression=expression,
                ConditionExpression=condition,
                ExpressionAttributeValues=self.ser(values),
                ReturnValues="ALL_NEW",
                **kwargs,
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return None
        return self.de(result["Attributes"])

    def delete(self, key: dict[str, str]) -> bool:
        """Delete the item if it exists; False when there was none."""
        try:
            self.client.delete_item(
                TableName=self.name, Key=self.ser(key), ConditionExpression="attribute_exists(PK)"
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    # ---- queries -------------------------------------------------------------------------

    def query(
        self,
        partition: tuple[str, str],
        *,
        index: str | None = None,
        sort_before: str | None = None,
        sort_prefix: str | None = None,
        sort_between: tuple[str, str] | None = None,
        forward: bool = True,
        limit: int | None = None,
        cursor: str | None = None,
        filters: dict[str, str] | None = None,
        projection: list[str] | None = None,
        matches: list[tuple[str, list[str], Any]] | None = None,
        entries: bool = False,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of one partition; returns the items and the cursor of the next page.
        `sort_between`: the sort key within [low, high], both ends included; `projection`:
        only these attributes of each item (the keys are added, for the cursor);
        `matches`: more filters, each `(how, path, value)`: `contains` (a list attribute
        holds the value) or `equals` (the attribute at the path, a map's key, equals it), and
        `in`, `lt`, `gt`, `absent`, `absent_or_gt` (`_clause`: a saved view's filters).

        An index of `keys.KEYS_THEN_ITEMS` holds only keys: the Query finds the page's keys, one
        BatchGetItem (consistent) reads their items, in the index's order, and the filters
        apply to those, as a FilterExpression would after `Limit` (`_items_of`); `entries`:
        the index's entries themselves (its keys and the table's), no items read."""
        keys_only = index in KEYS_THEN_ITEMS and not entries
        kwargs, start = self._request(
            partition, index=index, sort_before=sort_before, sort_prefix=sort_prefix,
            sort_between=sort_between, forward=forward, limit=limit, cursor=cursor,
            filters=filters, projection=projection, matches=matches, keys_only=keys_only,
        )  # fmt: skip
        try:
            result = self.client.query(**kwargs)
        except self.client.exceptions.ClientError as exc:
            refused = exc.response.get("Error", {}).get("Code") == "ValidationException"
            if start and refused:
                raise BadRequest("invalid cursor", code="invalid_cursor") from exc
            raise
        items = [self.de(item) for item in result.get("Items", [])]
        if keys_only:
            sk_name = INDEXES[index][1] if index else "SK"
            items = self._items_of(items, partition, filters, matches, projection, sk_name)
        last = result.get("LastEvaluatedKey")
        return items, cursor_codec.encode(self.de(last) if last else None)

    def _request(
        self,
        partition: tuple[str, str],
        *,
        index: str | None = None,
        sort_before: str | None = None,
        sort_prefix: str | None = None,
        sort_between: tuple[str, str] | None = None,
        forward: bool = True,
        limit: int | None = None,
        cursor: str | None = None,
        filters: dict[str, str] | None = None,
        projection: list[str] | None = None,
        matches: list[tuple[str, list[str], Any]] | None = None,
        keys_only: bool = False,
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The Query's request (see `query`) and the key it starts after, if any; `keys_only`:
        no filter or projection in it (a keys-only index holds none of their attributes)."""
        pk_name, pk_value = partition
        sk_name = INDEXES[index][1] if index else "SK"
        names = {"#pk": pk_name}
        values: dict[str, Any] = {":pk": pk_value}
        condition = "#pk = :pk"
        if sort_before is not None:
            names["#sk"] = sk_name
            values[":sk"] = sort_before
            condition += " AND #sk < :sk"
        elif sort_prefix is not None:
            names["#sk"] = sk_name
            values[":sk"] = sort_prefix
            condition += " AND begins_with(#sk, :sk)"
        elif sort_between is not None:
            names["#sk"] = sk_name
            values[":low"], values[":high"] = sort_between
            condition += " AND #sk BETWEEN :low AND :high"
        kwargs: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ScanIndexForward": forward,
        }
        if filters and not keys_only:
            parts = []
            for i, (attr, value) in enumerate(filters.items()):
                names[f"#f{i}"] = attr
                values[f":f{i}"] = value
                parts.append(f"#f{i} = :f{i}")
            kwargs["FilterExpression"] = " AND ".join(parts)
        for j, (how, path, value) in enumerate([] if keys_only else matches or []):
            names.update({f"#m{j}_{k}": part for k, part in enumerate(path)})
            where = ".".join(f"#m{j}_{k}" for k in range(len(path)))
            clause = _clause(how, where, f":m{j}", value, values)
            previous = kwargs.get("FilterExpression")
            kwargs["FilterExpression"] = f"{previous} AND {clause}" if previous else clause
        if projection and not keys_only:
            wanted = dict.fromkeys([*projection, pk_name, sk_name, "PK", "SK"])
            for i, attr in enumerate(wanted):
                names[f"#p{i}"] = attr
            kwargs["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(wanted)))
        kwargs["ExpressionAttributeNames"] = names
        kwargs["ExpressionAttributeValues"] = self.ser(values)
        if index:
            kwargs["IndexName"] = index
        else:
            kwargs["ConsistentRead"] = True  # read-before-write must see the last write
        if limit:
            kwargs["Limit"] = limit
        key_names = {"PK", "SK", pk_name, sk_name}
        start = cursor_codec.decode(cursor, {pk_name: pk_value}, key_names)
        if start and sort_prefix is not None and not start[sk_name].startswith(sort_prefix):
            raise BadRequest("invalid cursor", code="invalid_cursor")  # from another range
        if start:
            kwargs["ExclusiveStartKey"] = self.ser(start)
        return kwargs, start

    def count(
        self,
        partition: tuple[str, str],
        *,
        index: str | None = None,
        sort_before: str | None = None,
        matches: list[tuple[str, list[str], Any]] | None = None,
        cap: int = 101,
        rounds: int = 8,
    ) -> tuple[int, bool]:
        """How many items of a partition match (Select COUNT: no item is returned), reading
        on until `cap` or the partition's end, at most `rounds` Query calls (each DynamoDB
        reads up to 1 MB); answers (count, complete), complete false when it stopped at the
        cap or the rounds before the end.

        On a keys-only index (`keys.KEYS_THEN_ITEMS`) with `matches`, the index holds none of
        the attributes they test: each round reads a page of up to `cap` entries and their
        items (`query`) and counts those that match, so the count costs what a page does."""
        if matches and index in KEYS_THEN_ITEMS:
            total, cursor = 0, None
            for _round in range(rounds):
                found, cursor = self.query(partition, index=index, sort_before=sort_before,
                                           matches=matches, limit=cap, cursor=cursor)  # fmt: skip
                total += len(found)
                if not cursor:
                    return total, True
                if total >= cap:
                    break
            return total, False
        kwargs, _ = self._request(partition, index=index, sort_before=sort_before,
                                  matches=matches)  # fmt: skip
        kwargs["Select"] = "COUNT"
        total = 0
        for _round in range(rounds):
            result = self.client.query(**kwargs)
            total += int(result["Count"])
            last = result.get("LastEvaluatedKey")
            if not last:
                return total, True
            if total >= cap:
                break
            kwargs["ExclusiveStartKey"] = last
        return total, False

    def _items_of(
        self,
        entries: list[dict[str, Any]],
        partition: tuple[str, str],
        filters: dict[str, str] | None,
        matches: list[tuple[str, list[str], Any]] | None,
        projection: list[str] | None,
        sk_name: str,
    ) -> list[dict[str, Any]]:
        """The items of a keys-only index's entries, in the entries' order: read with one
        consistent BatchGetItem per hundred, each kept if it still exists, is still in the
        queried partition (an index lags its table; the item read is newer) and passes
        `filters` (equal values) and `matches` (`_matches`); cut to `projection` and the
        keys (PK, SK, the index's) when one is asked for."""
        if not entries:
            return []
        pk_name, pk_value = partition
        fetch = None
        if projection:
            needed = [*projection, pk_name, sk_name, *(filters or {}),
                      *(path[0] for _how, path, _value in matches or [])]  # fmt: skip
            fetch = list(dict.fromkeys(needed))
        found = {(i["PK"], i["SK"]): i
                 for i in self.batch_get([{"PK": e["PK"], "SK": e["SK"]} for e in entries],
                                         projection=fetch)}  # fmt: skip
        kept = (
            set(dict.fromkeys([*projection, pk_name, sk_name, "PK", "SK"])) if projection else None
        )
        out = []
        for entry in entries:
            item = found.get((entry["PK"], entry["SK"]))
            if item is None or item.get(pk_name) != pk_value:
                continue
            if any(item.get(attr) != value for attr, value in (filters or {}).items()):
                continue
            if not all(_matches(item, how, path, value) for how, path, value in matches or []):
                continue
            out.append({k: v for k, v in item.items() if k in kept} if kept else item)
        return out

    def query_all(self, partition: tuple[str, str], **kwargs: Any) -> list[dict[str, Any]]:
        """Every item of a partition, following DynamoDB's own 1 MB pages."""
        items, next_cursor = self.query(partition, **kwargs)
        while next_cursor:
            more, next_cursor = self.query(partition, cursor=next_cursor, **kwargs)
            items.extend(more)
        return items

    def batch_get(
        self, item_keys: list[dict[str, str]], projection: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """The items of these keys that exist, in no particular order (BatchGetItem, a hundred
        keys a call, consistent; keys DynamoDB left unprocessed are asked again, with a
        growing pause, up to BATCH_GET_ROUNDS times, then RuntimeError)."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(item_keys), 100):
            request: dict[str, Any] = {
                "Keys": [self.ser(k) for k in item_keys[start : start + 100]],
                "ConsistentRead": True,
            }
            if projection:
                wanted = list(dict.fromkeys([*projection, "PK", "SK"]))
                request["ProjectionExpression"] = ", ".join(f"#p{i}" for i in range(len(wanted)))
                request["ExpressionAttributeNames"] = {f"#p{i}": a for i, a in enumerate(wanted)}
            for round_ in range(BATCH_GET_ROUNDS):
                answer = self.client.batch_get_item(RequestItems={self.name: request})
                found.extend(self.de(i) for i in answer.get("Responses", {}).get(self.name, []))
                left = answer.get("UnprocessedKeys", {}).get(self.name)
                if not left:
                    break
                request = left
                time.sleep(0.05 * 2**round_)
            else:
                raise RuntimeError("DynamoDB left keys of a BatchGetItem unprocessed")
        return found

    # ---- transactions --------------------------------------------------------------------

    def transact_meaning(self, operations: list[tuple[dict[str, Any], Exception]]) -> None:
        """Writes that stand or fall together, each paired with what its failed condition
        means: the first operation whose condition failed raises its meaning (a Conflict,
        say); any other cancellation raises TransactionCanceled."""
        try:
            self.transact([op for op, _ in operations])
        except TransactionCanceled as exc:
            for reason, (_op, meaning) in zip(exc.reasons, operations, strict=False):
                if reason.code == "ConditionalCheckFailed":
                    raise meaning from exc
            raise

    def transact(self, operations: list[dict[str, Any]]) -> None:
        """Operations are ("Put"|"Update"|"ConditionCheck", params) dicts with plain values."""
        wire = []
        for op in operations:
            ((kind, params),) = op.items()
            params = dict(params, TableName=self.name)
            if "Item" in params:
                params["Item"] = self.ser(params["Item"])
            if "Key" in params:
                params["Key"] = self.ser(params["Key"])
            if "ExpressionAttributeValues" in params:
                params["ExpressionAttributeValues"] = self.ser(params["ExpressionAttributeValues"])
            params.setdefault("ReturnValuesOnConditionCheckFailure", "ALL_OLD")
            wire.append({kind: params})
        try:
            self.client.transact_write_items(TransactItems=wire)
        except self.client.exceptions.TransactionCanceledException as exc:
            reasons = [
                CancelReason(
                    code=r.get("Code") or "None",
                    item=self.de(r["Item"]) if r.get("Item") else None,
                )
                for r in exc.response.get("CancellationReasons", [])
            ]
            raise TransactionCanceled(reasons) from exc
