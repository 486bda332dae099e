"""Social posts: one item per post (so a post delivered twice counts once) and topic counters.

Counters live in one partition per month (`TOPICS#<yyyy-mm>`, sort key
`<yyyy-mm-dd>#<topic>`), updated with ADD in the same transaction as the post,
so "what did people talk about this week" reads one or two small partitions
however many posts there were.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Any

from ..domain.errors import Conflict
from ..domain.precases import Mood, SocialPost
from ..domain.topics import Topic
from . import keys
from .dynamo import Table, TransactionCanceled

POST_SECONDS = 400 * 24 * 3600  # a post is remembered a little over a year
ALREADY_RECEIVED = "already_received"


def post_operations(post: SocialPost, text: str, mood: Mood, topic: Topic, on: date,
                    precase_id: str | None) -> list[dict[str, Any]]:  # fmt: skip
    day = on.isoformat()
    expires_at = int(post.posted_at.timestamp()) + POST_SECONDS
    digest = hashlib.sha256(post.url.encode()).hexdigest()[:32]
    item = {
        **keys.social_post_key(post.platform, digest),
        **post.model_dump(mode="json"),
        "text": text,
        "mood": mood.model_dump(mode="json"),
        "topic": topic.id,
        "precase_id": precase_id,
        "entity": "social_post",
        "expires_at": expires_at,
    }
    counts = {"posts": 1, mood.label: 1, "questions": 1 if mood.is_question else 0}
    counter = {
        "Update": {
            "Key": keys.topic_key(day[:7], day, topic.id),
            "UpdateExpression": "SET topic_name = :name, topic_id = :id, #d = :day ADD "
            + ", ".join(f"{name} :{name}" for name in counts),
            "ExpressionAttributeNames": {"#d": "day"},
            "ExpressionAttributeValues": {
                ":name": topic.name,
                ":id": topic.id,
                ":day": day,
                **{f":{name}": value for name, value in counts.items()},
            },  # fmt: skip
        }
    }
    put = {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(PK)"}}
    return [put, counter]


def repeated(exc: TransactionCanceled) -> Conflict | None:
    """The post's own item was there already: the same post, delivered again."""
    if is_repeat(exc):
        return Conflict("this post was received before", code=ALREADY_RECEIVED)
    return None


def is_repeat(exc: TransactionCanceled) -> bool:
    """The post's own item was there already: the same post, delivered again."""
    return any(
        r.code == "ConditionalCheckFailed" and (r.item or {}).get("entity") == "social_post"
        for r in exc.reasons
    )


class DynamoSocialLedger:
    def __init__(self, table: Table) -> None:
        self.table = table

    def operations(self, post: SocialPost, text: str, mood: Mood, topic: Topic, on: date,
                   precase_id: str | None) -> list[dict[str, Any]]:  # fmt: skip
        """The post's writes, for a pre-case's transaction to carry."""
        return post_operations(post, text, mood, topic, on, precase_id)

    def record(self, post: SocialPost, text: str, mood: Mood, topic: Topic, on: date) -> None:
        try:
            self.table.transact(post_operations(post, text, mood, topic, on, None))
        except TransactionCanceled as exc:
            conflict = repeated(exc)
            if conflict is None:
                raise
            raise conflict from exc

    def counters(self, months: list[str]) -> list[dict[str, Any]]:
        """Every topic counter of the given months (one Query each)."""
        found: list[dict[str, Any]] = []
        for month in months:
            found.extend(self.table.query_all(("PK", keys.topic_key(month, "", "")["PK"])))
        return found
