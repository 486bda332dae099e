"""What customers wrote in a survey's free-text answers: topics and sentiment. Pure.

The same Turkish-aware analysers the social channel uses (services/social.py): the topic
is the routing rule an answer matches (domain/topics.py: the shop's own subjects, such as
cargo, refunds, payment; `other` when none matches) and the sentiment is the lexicon with
negation of domain/sentiment.py (negative, neutral, positive; it reads text typed without
Turkish letters and inflected words: `kargo gelmedi`, `cok memnun kaldim`). Blank answers
are not counted.

`analyse_answers` gives, for a list of answers: how many were read, counts per sentiment,
and per topic its answers and their sentiment counts, most answers first, each with up to
`EXAMPLES` example answers (the first ones given, cut to `EXAMPLE_CHARS` characters) so a
supervisor sees what lies behind a number.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .routing_rules import RoutingRule
from .sentiment import Label, analyze
from .topics import topic_of

EXAMPLES = 3
EXAMPLE_CHARS = 280
LABELS: tuple[Label, ...] = ("negative", "neutral", "positive")


def _zero() -> dict[str, int]:
    return dict.fromkeys(LABELS, 0)


@dataclass
class TopicCount:
    """A topic's answers: its id (a routing rule's, or `other`) and name, how many, their
    sentiment counts, and a few examples."""

    topic_id: str
    topic_name: str
    answers: int = 0
    sentiment: dict[str, int] = field(default_factory=_zero)
    examples: list[str] = field(default_factory=list)


@dataclass
class TextSummary:
    """Every non-blank answer's sentiment (`sentiment`: label → count) and topics, most
    answers first (ties: most negative first, then by id); `examples` per sentiment."""

    answers: int = 0
    sentiment: dict[str, int] = field(default_factory=_zero)
    topics: list[TopicCount] = field(default_factory=list)
    examples: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in LABELS})


def _example(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def analyse_answers(answers: Iterable[str | None], rules: list[RoutingRule]) -> TextSummary:
    """Topics and sentiment of free-text answers (module text). `rules`: the routing rules
    (DirectoryStore.list_rules), whose matches name the topics."""
    out = TextSummary()
    topics: dict[str, TopicCount] = {}
    for answer in answers:
        if answer is None or not answer.strip():
            continue
        label = analyze(answer).label
        topic = topic_of(rules, answer)
        out.answers += 1
        out.sentiment[label] += 1
        if len(out.examples[label]) < EXAMPLES:
            out.examples[label].append(_example(answer))
        counted = topics.setdefault(topic.id, TopicCount(topic.id, topic.name))
        counted.answers += 1
        counted.sentiment[label] += 1
        if len(counted.examples) < EXAMPLES:
            counted.examples.append(_example(answer))
    out.topics = sorted(
        topics.values(), key=lambda t: (-t.answers, -t.sentiment["negative"], t.topic_id)
    )
    return out
