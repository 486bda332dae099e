"""The table's stream, read for case events: which stream records are case events, and the
event each one holds.

Only this module knows that a case event is the INSERT of an item whose sort key starts
with `keys.EVENT_PREFIX` (store/cases.py `event_item` writes it in the change's own
transaction). Every other record of the stream (cases, history, notices, customers, ...)
is none of a publisher's business and is skipped here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..domain.case_events import CaseEvent, EventBase
from . import keys

#: the item's own attributes that are not part of the event
_STORAGE = {"PK", "SK", "entity", "expires_at", "queue_pk", "created_sk"}


@dataclass(frozen=True)
class StreamedEvent:
    """One case event read from the stream: `sequence_number` is the stream record's (Lambda
    resumes a shard from the first one a handler reports failed). `event` is None when the
    item is not a valid event of the models (`problem` says why): it is never published."""

    sequence_number: str
    event: EventBase | None
    problem: str = ""


_adapter: TypeAdapter[Any] | None = None


def _events() -> TypeAdapter[Any]:
    global _adapter
    if _adapter is None:
        _adapter = TypeAdapter(CaseEvent)
    return _adapter


def is_case_event(record: dict[str, Any]) -> bool:
    """A stream record that adds a case event (events are written once and never changed)."""
    if record.get("eventName") != "INSERT":
        return False
    sort_key = (record.get("dynamodb") or {}).get("Keys", {}).get("SK", {}).get("S", "")
    return sort_key.startswith(keys.EVENT_PREFIX)


def plain(image: dict[str, Any]) -> dict[str, Any]:
    """A stream image (DynamoDB JSON) as plain values; whole numbers become ints."""
    from boto3.dynamodb.types import TypeDeserializer

    deserializer = TypeDeserializer()

    def unwrap(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: unwrap(v) for k, v in value.items()}
        if isinstance(value, list):
            return [unwrap(v) for v in value]
        if hasattr(value, "as_integer_ratio") and not isinstance(value, (int, float)):
            return int(value) if value == value.to_integral_value() else float(value)
        return value

    return {k: unwrap(deserializer.deserialize(v)) for k, v in image.items()}


def case_events(records: list[dict[str, Any]]) -> list[StreamedEvent]:
    """The case events among a batch of stream records, in the stream's order (a case's
    events are in one partition, so in order within a shard)."""
    found = []
    for record in records:
        if not is_case_event(record):
            continue
        number = record["dynamodb"]["SequenceNumber"]
        item = plain(record["dynamodb"].get("NewImage") or {})
        body = {k: v for k, v in item.items() if k not in _STORAGE}
        try:
            found.append(StreamedEvent(number, _events().validate_python(body)))
        except ValidationError as exc:
            problem = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5]
            )
            found.append(StreamedEvent(number, None, f"{item.get('SK')}: {problem}"))
    return found
