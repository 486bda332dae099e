"""Pre-case moves, suggestions and topics: pure rules, no AWS."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.case_kinds import CaseType, Channel
from chalicelib.domain.cases import Actor
from chalicelib.domain.errors import Conflict
from chalicelib.domain.precases import (
    Mood,
    PreCase,
    PreCaseStatus,
    Sender,
    SuggestedAction,
    assigned,
    finished,
    likely_type,
    needs_a_person,
    suggest,
)
from chalicelib.domain.routing_rules import RoutingRule
from chalicelib.domain.topics import OTHER, topic_of

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SELIN = Actor(kind="staff", id="selin", name="Selin")


def pre(**fields) -> PreCase:
    return PreCase(id="p1", channel=Channel.EMAIL, received_at=NOW, subject="s", text="t",
                   sender=Sender(email="a@example.com"), **fields)  # fmt: skip


def test_claiming_and_handing_over_bump_the_version_and_keep_it_open():
    claimed = assigned(pre(), "mehmet", SELIN, NOW).precase
    assert (claimed.status, claimed.assignee, claimed.version) == ("claimed", "mehmet", 2)
    handed = assigned(claimed, "ayse", SELIN, NOW).precase
    assert handed.assignee == "ayse" and handed.version == 3 and handed.is_open


@pytest.mark.parametrize("end", [PreCaseStatus.CONVERTED, PreCaseStatus.SPAM,
                                 PreCaseStatus.DUPLICATE])  # fmt: skip
def test_a_finished_pre_case_never_moves_again(end):
    done = finished(pre(), end, SELIN, NOW, case_id="c1" if end == "converted" else None).precase
    assert not done.is_open and done.finished_by == SELIN
    with pytest.raises(Conflict) as refused:
        assigned(done, "mehmet", SELIN, NOW)
    assert refused.value.code == "precase_finished"
    with pytest.raises(Conflict):
        finished(done, PreCaseStatus.SPAM, SELIN, NOW)


@pytest.mark.parametrize("status", [PreCaseStatus.POOLED, PreCaseStatus.CLAIMED])
def test_finishing_means_one_of_the_three_ends(status):
    with pytest.raises(ValueError):
        finished(pre(), status, SELIN, NOW)


@pytest.mark.parametrize(
    ("mood", "known_phone", "action", "kind", "person"),
    [
        (Mood(label="negative", score=-0.8), True, SuggestedAction.CALL_BACK, "complaint", True),
        (Mood(label="negative", score=-0.8), False, SuggestedAction.APOLOGIZE_AND_ASK_DETAILS,
         "complaint", True),
        (Mood(label="neutral", score=0, is_question=True), False, SuggestedAction.ANSWER_QUESTION,
         "question", True),
        (Mood(label="positive", score=0.7), True, SuggestedAction.REVIEW, None, False),
    ],
)  # fmt: skip
def test_what_a_post_needs(mood, known_phone, action, kind, person):
    assert suggest(mood, known_phone) == action
    assert likely_type(mood) == (CaseType(kind) if kind else None)
    assert needs_a_person(mood) is person


RULES = [
    RoutingRule(id="r-cargo", name="Kargo", order=10, phrases=["kargo", "teslimat"],
                group_id="teslimat"),
    RoutingRule(id="r-pay", name="Ödeme", order=20, phrases=["ödeme"], group_id="finans"),
    RoutingRule(id="r-off", name="Kapalı", order=1, phrases=["kargo"], group_id="x",
                enabled=False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "topic"),
    [("KARGOM gelmedi", "r-cargo"), ("odeme alinmadi", "r-pay"), ("Harika ürün", OTHER)],
)
def test_topics_are_the_routing_rules_a_text_matches(text, topic):
    found = topic_of(RULES, text)
    assert found.id == topic
    assert found.group_id == {"r-cargo": "teslimat", "r-pay": "finans", OTHER: None}[topic]
