"""Mentions and direct messages from social media, as the shop's backend relays them.

Every post is scored (negative / neutral / positive, and whether it asks
something) and filed under a topic. Negative posts and questions need a person:
they become pre-cases with the post linked and a suggested first step. The rest
are only counted, so the topic report shows praise as well as complaints.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Literal

from ..domain.case_kinds import Channel
from ..domain.clock import ISTANBUL, utcnow
from ..domain.errors import Conflict
from ..domain.model import Model
from ..domain.precases import (
    Mood,
    Sender,
    SocialPost,
    likely_type,
    mood_of,
    needs_a_person,
    suggest,
)
from ..domain.topics import Topic, topic_of
from .intake_commands import ShopSocialPost, SocialPostBatch, TopicQuery
from .ports import CustomerStore, DirectoryStore, SocialLedger
from .precases import Arrival, PreCasePool


class PostTaken(Model):
    url: str
    status: Literal["pre_case", "counted", "repeat"]
    mood: Mood
    topic: Topic
    precase_id: str | None = None


class PostBatchResult(Model):
    items: list[PostTaken]


class TopicCount(Model):
    topic_id: str
    topic_name: str
    posts: int
    negative: int
    neutral: int
    positive: int
    questions: int


class TopicReport(Model):
    since: date
    until: date
    topics: list[TopicCount]


class SocialInbox:
    def __init__(
        self,
        pool: PreCasePool,
        ledger: SocialLedger,
        directory: DirectoryStore,
        customers: CustomerStore,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.pool = pool
        self.ledger = ledger
        self.directory = directory
        self.customers = customers
        self.clock = clock

    def receive(self, data: ShopSocialPost) -> PostTaken:
        mood = mood_of(data.text)
        topic = topic_of(self.directory.list_rules(), data.text)
        post = SocialPost(**data.model_dump(include={"platform", "kind", "author_handle", "url",
                                                     "posted_at"}))  # fmt: skip
        now = self.clock()
        day = now.astimezone(ISTANBUL).date()
        customer = (
            self.customers.find("customer_number", data.customer_number)
            if data.customer_number
            else None
        )
        try:
            if not needs_a_person(mood):
                self.ledger.record(post, data.text, mood, topic, day)
                return PostTaken(url=post.url, status="counted", mood=mood, topic=topic)
            arrival = Arrival(
                channel=Channel.SOCIAL,
                subject=f"{post.platform} @{post.author_handle}: {data.text[:120]}",
                text=data.text,
                case_type=likely_type(mood),
                sender=Sender(name=data.author_name or "", handle=post.author_handle),
                customer_id=customer.id if customer else None,
                post=post,
                mood=mood,
                topic=topic.id,
                suggested_action=suggest(mood, bool(customer and customer.phone)),
                source_ref=post.url,
                received_at=now,
            )
            pre = self.pool.receive(
                arrival,
                also=lambda pre_id: self.ledger.operations(
                    post, data.text, mood, topic, day, pre_id
                ),  # fmt: skip
            )
            return PostTaken(url=post.url, status="pre_case", mood=mood, topic=topic,
                             precase_id=pre.id)  # fmt: skip
        except Conflict as exc:
            if exc.code != "already_received":
                raise
            return PostTaken(url=post.url, status="repeat", mood=mood, topic=topic)

    def receive_batch(self, batch: SocialPostBatch) -> PostBatchResult:
        return PostBatchResult(items=[self.receive(item) for item in batch.items])

    def topics(self, query: TopicQuery) -> TopicReport:
        until = self.clock().astimezone(ISTANBUL).date()
        since = until - timedelta(days=query.days - 1)
        months = sorted({since.isoformat()[:7], until.isoformat()[:7]})
        totals: dict[str, TopicCount] = {}
        for item in self.ledger.counters(months):
            if not since.isoformat() <= item.get("day", "") <= until.isoformat():
                continue
            count = totals.setdefault(
                item["topic_id"],
                TopicCount(topic_id=item["topic_id"], topic_name=item.get("topic_name", ""),
                           posts=0, negative=0, neutral=0, positive=0, questions=0),
            )  # fmt: skip
            for name in ("posts", "negative", "neutral", "positive", "questions"):
                setattr(count, name, getattr(count, name) + int(item.get(name, 0)))
        ranked = sorted(totals.values(), key=lambda t: (-t.negative, -t.posts, t.topic_id))
        return TopicReport(since=since, until=until, topics=ranked)
