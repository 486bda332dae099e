"""Reads the table's stream and calls the app's stream handler, as Lambda's event source
mapping for a DynamoDB stream does.

moto serves DynamoDB Streams (DescribeStream, GetShardIterator, GetRecords) on the local
table; this polls its one shard in a thread of its own and hands each batch, shaped as
Lambda shapes it, to the handler app.py registered with `@app.on_dynamodb_record`
(publish_case_events). What the handler answers is settled as Lambda settles it: a
`batchItemFailures` entry makes the reader go back to that record (AT_SEQUENCE_NUMBER)
after a pause; a handler that raises gets the whole batch again; otherwise it moves on.

moto keeps every stream record of the table forever (DynamoDB keeps them 24 hours), and
an iterator object for every GetRecords answer; in this process the reader drops both once
a batch is settled (`trim`), so a long session's memory does not grow with every write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .lambda_runtime import ACCOUNT, LocalContext

log = logging.getLogger("devstack.streams")


def lambda_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A GetRecords record as Lambda's DynamoDB event carries it (times as epoch seconds)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb.get("ApproximateCreationDateTime")
    if isinstance(created, datetime):
        dynamodb["ApproximateCreationDateTime"] = created.timestamp()
    return {**record, "dynamodb": dynamodb, "eventSourceARN": stream_arn}


class StreamReader:
    def __init__(
        self,
        streams: Any,
        stream_arn: str,
        handler: Callable[[dict[str, Any], Any], Any],
        function_name: str,
        batch_size: int = 100,
        start: str = "TRIM_HORIZON",
        retry_after_seconds: float = 1.0,
        trim: bool = True,
    ) -> None:
        self.streams = streams
        self.stream_arn = stream_arn
        self.handler = handler
        self.function_name = function_name
        self.batch_size = batch_size
        self.retry_after_seconds = retry_after_seconds
        self.trim_records = trim
        shards = streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]
        self.shard_id = shards[0]["ShardId"]
        self._iterator = self._position(start)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _position(self, kind: str, sequence_number: str | None = None) -> str:
        args = {"StreamArn": self.stream_arn, "ShardId": self.shard_id, "ShardIteratorType": kind}
        if sequence_number is not None:
            args["SequenceNumber"] = sequence_number
        return self.streams.get_shard_iterator(**args)["ShardIterator"]

    def poll_once(self) -> int:
        """Read one batch and settle it; the number of records read (0: nothing new)."""
        used = self._iterator
        answer = self.streams.get_records(ShardIterator=used, Limit=self.batch_size)
        records = answer.get("Records", [])
        self._forget(used)
        if not records:
            self._iterator = answer["NextShardIterator"]
            return 0
        event = {"Records": [lambda_record(r, self.stream_arn) for r in records]}
        try:
            result = self.handler(event, LocalContext(self.function_name))
            failures = (result or {}).get("batchItemFailures") or []
            retry_from = failures[0]["itemIdentifier"] if failures else None
        except Exception:
            log.exception("stream handler %s failed the whole batch", self.function_name)
            retry_from = records[0]["dynamodb"]["SequenceNumber"]
        if retry_from is not None:
            self._forget(answer["NextShardIterator"])
            self._iterator = self._position("AT_SEQUENCE_NUMBER", retry_from)
            self._stop.wait(self.retry_after_seconds)
            return len(records)
        self._iterator = answer["NextShardIterator"]
        if self.trim_records:
            self._trim(int(records[-1]["dynamodb"]["SequenceNumber"]))
        return len(records)

    def drain(self, max_rounds: int = 100_000) -> int:
        """Read until the stream has nothing new (tests and benchmarks). `max_rounds` only
        stops a stream that never ends: a reader must reach the records of its own test behind
        what came before (a report rebuild writes thousands of counters; 100 rounds, 10,000
        records, stopped short of a case opened after it, and its report missed it)."""
        total = 0
        for _ in range(max_rounds):
            read = self.poll_once()
            total += read
            if not read:
                break
        return total

    # -- moto's memory, in this process ------------------------------------------------------

    def _shard(self) -> tuple[Any, Any]:
        from moto.dynamodb.models import dynamodb_backends

        region = self.stream_arn.split(":")[3]
        table_name = self.stream_arn.split(":", 6)[5].split("/")[1]
        backend = dynamodb_backends[ACCOUNT][region]
        return backend, backend.get_table(table_name).stream_shard

    def _forget(self, iterator: str) -> None:
        """Drop a spent iterator from moto's streams backend (it keeps every one it made)."""
        try:
            from moto.dynamodbstreams.models import dynamodbstreams_backends

            region = self.stream_arn.split(":")[3]
            dynamodbstreams_backends[ACCOUNT][region].shard_iterators.pop(iterator, None)
        except Exception:  # another process's moto: nothing of ours to drop
            log.debug("no local streams backend to tidy", exc_info=True)

    def _trim(self, through: int) -> None:
        """Drop the shard's records up to `through` (handled), as DynamoDB's 24-hour
        retention would; under the backend's lock, which transactions hold while they may
        roll back the records they added."""
        from .fast_dynamodb import backend_lock

        try:
            backend, shard = self._shard()
        except Exception:
            log.debug("no local table to trim", exc_info=True)
            return
        with backend_lock(backend.account_id, backend.region_name):
            count = through - shard.starting_sequence_number + 1
            if count > 0:
                del shard.items[:count]
                shard.starting_sequence_number += count

    # -- the thread --------------------------------------------------------------------------

    def _unread(self) -> bool:
        """Whether the shard may hold a record not read yet, from moto's memory in this
        process without a request: the reader trims what it handled, so an idle shard is
        empty (ten GetRecords a second on an idle stack were 6% of a core). True when not
        trimming, or when the shard cannot be read here (another process's moto)."""
        if not self.trim_records:
            return True
        try:
            return bool(self._shard()[1].items)
        except Exception:
            return True

    def _run(self, interval: float) -> None:
        while not self._stop.is_set():
            try:
                busy = self.poll_once() if self._unread() else 0
            except Exception:
                log.exception("reading the table stream failed; trying again")
                busy = 0
            if not busy:
                self._stop.wait(interval)

    def start(self, interval: float = 0.1) -> None:
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)


def stream_handler(app_module: Any) -> tuple[Callable[[dict[str, Any], Any], Any], str, int]:
    """The app's one `@app.on_dynamodb_record` handler: (function, name, batch size)."""
    from chalice.app import DynamoDBEventConfig

    for source in app_module.app.event_sources:
        if isinstance(source, DynamoDBEventConfig):
            handler = getattr(app_module, source.handler_string.split(".")[-1])
            return handler, source.name, source.batch_size
    raise LookupError("app.py registers no @app.on_dynamodb_record handler")


def table_stream(dynamodb: Any, table_name: str) -> str:
    """The table's stream ARN (the template enables the stream on the table)."""
    return dynamodb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
