"""Free-text survey answers: topics (the routing rules' subjects) and sentiment, on Turkish
written without Turkish letters and with suffixes, as customers type on a phone."""

from __future__ import annotations

from chalicelib.domain.free_text import EXAMPLE_CHARS, EXAMPLES, analyse_answers
from chalicelib.domain.routing_rules import RoutingRule
from devstack.seed import RULES

DEMO_RULES = [
    RoutingRule(id=f"r{i}", name=name, order=order, phrases=phrases, group_id=group)
    for i, (name, order, phrases, group, _category, _bump) in enumerate(RULES)
]
CARGO, PAYMENT, FAULT = "r1", "r2", "r4"

ANSWERS = [
    "kargom hala gelmedi, rezalet",  # cargo, negative
    "Kargocu cok kibar ve hizliydi, tesekkurler",  # cargo, positive
    "kuryeniz ogleden sonra geldi",  # cargo (kurye + suffix), neutral
    "odemem iki kez cekildi, cok kotu",  # payment (ödeme folded, inflected), negative
    "urun bozuk geldi, hic memnun degilim",  # fault, negative
    "Harika bir deneyim, çok memnun kaldım",  # no topic, positive
    "   ",  # blank: not counted
    None,
    "",
]


def test_topics_and_sentiment_of_turkish_without_its_letters():
    summary = analyse_answers(ANSWERS, DEMO_RULES)
    assert summary.answers == 6
    assert summary.sentiment == {"negative": 3, "neutral": 1, "positive": 2}
    by_topic = {t.topic_id: t for t in summary.topics}
    assert set(by_topic) == {CARGO, PAYMENT, FAULT, "other"}
    cargo = by_topic[CARGO]
    assert cargo.topic_name == "Kargo ve teslimat"
    assert cargo.answers == 3
    assert cargo.sentiment == {"negative": 1, "neutral": 1, "positive": 1}
    assert by_topic[PAYMENT].sentiment["negative"] == 1
    assert by_topic[FAULT].sentiment["negative"] == 1
    assert by_topic["other"].sentiment["positive"] == 1
    # most answers first, then the most negative
    assert summary.topics[0].topic_id == CARGO
    assert summary.examples["negative"][0] == "kargom hala gelmedi, rezalet"


def test_examples_are_few_and_short():
    long = "kargo " + "x" * 500
    summary = analyse_answers(["kargo gelmedi"] * 5 + [long], DEMO_RULES)
    cargo = summary.topics[0]
    assert cargo.answers == 6 and len(cargo.examples) == EXAMPLES
    other = analyse_answers([long], DEMO_RULES).topics[0]
    assert len(other.examples[0]) == EXAMPLE_CHARS and other.examples[0].endswith("…")


def test_no_answers_and_no_rules():
    empty = analyse_answers([], DEMO_RULES)
    assert empty.answers == 0 and empty.topics == []
    assert empty.sentiment == {"negative": 0, "neutral": 0, "positive": 0}
    untopical = analyse_answers(["memnun kaldim"], [])
    assert [(t.topic_id, t.answers) for t in untopical.topics] == [("other", 1)]
