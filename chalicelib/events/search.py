"""The search index's writer, from the `search` queue (docs/search.md): each body is an
EventBridge event whose `detail` is a case or pre-case event (ids only), a step of a
rebuild (`{"kind": "rebuild", "id": ..., "step": n}`) the rebuild sends itself, or an
article whose live version may have changed (`{"kind": "article", "id": ...}`, sent by the
knowledge base when an article is published or archived: services/search.py
`article_message`).

A rebuild's step goes on with the steps after it in the same invocation for up to
REBUILD_SECONDS (services/search.py `SearchRebuild.run`, the budget of
events/time_budget.py, shared with the reports' rebuild): alone on the queue, each step
would wait out the queue's 10 s batching window.

A batch is indexed together: the cases and pre-cases its events name are read once each and
written as one delta, so the index takes one file and one pointer move per batch, not per
event. If that write fails, every record of it is reported failed (indexing is idempotent,
so the retry is harmless); a record that is no event, or whose case cannot be read or made
into a document, is reported alone and its neighbours are indexed.
"""

from __future__ import annotations

import json
from typing import Any

from .. import wiring
from ..observability import logger, traced
from .time_budget import more_time

#: how long an invocation goes on with a rebuild's next steps itself: long enough to spare
#: a rebuild most of its windows' waits (a step reads 100 cases: a second or two), short
#: enough that the events behind it (one writer) wait little more than the window
REBUILD_SECONDS = 20
#: and only while this much of the function's time (120 s) is left: the last step folds the
#: whole index (about 30 s at 100,000 cases, docs/search.md)
REBUILD_RESERVE_MS = 60_000


def handle_batch(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    from ..domain.search import DocKind
    from ..services.search import refs_of

    records = event.get("Records", [])
    failures: list[str] = []
    refs_of_record: dict[str, list[Any]] = {}
    with traced("## search batch", records=len(records)):
        for record in records:
            message_id = record.get("messageId", "")
            try:
                body = json.loads(record["body"])
                if body.get("kind") == "rebuild":
                    more = more_time(context, REBUILD_SECONDS, REBUILD_RESERVE_MS / 1000)
                    wiring.search_rebuild().run(body, more)
                    continue
                if body.get("kind") == "article":
                    found = [(DocKind.ARTICLE, _article_id(body["id"]))]
                else:
                    found = refs_of(body["detail"])
            except Exception:  # one bad record fails alone
                logger.exception("search record failed", message_id=message_id)
                failures.append(message_id)
                continue
            refs_of_record[message_id] = found
        refs = [ref for found in refs_of_record.values() for ref in found]
        if refs:
            try:
                failed = set(wiring.search_service().index(refs).failed)
            except Exception:
                logger.exception("search batch not indexed; its records return to the queue")
                failed = set(refs)
            failures += [m for m, found in refs_of_record.items() if failed & set(found)]
    return {"batchItemFailures": [{"itemIdentifier": m} for m in failures]}


def _article_id(value: Any) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 64 or not value.isascii():
        raise ValueError(f"not an article id: {value!r}")
    return value
