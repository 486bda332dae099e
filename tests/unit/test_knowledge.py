"""The knowledge base's pure rules: every workflow move allowed and refused, versions on
save and approval, who may publish, slugs, links counted once at resolution, and the
fallback suggestions' ranking (domain/knowledge.py, domain/knowledge_suggest.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain import case_change as cc
from chalicelib.domain.cases import EntryKind
from chalicelib.domain.errors import Conflict
from chalicelib.domain.knowledge import (
    PUBLISHER_MOVES,
    TRANSITIONS,
    ArticleContent,
    ArticleState,
    ArticleText,
    Move,
    check_move,
    move,
    new_article,
    slug_for,
)
from chalicelib.domain.knowledge_suggest import CaseTopic, rank, terms
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.permissions import Action, Resource, default_role

from .test_case_change import MEHMET, NOW, SELIN, case_in

TEXT = ArticleText(title="Kargo gecikmesi", problem="Kargom gelmedi",
                   solution="1. Takip numarasına bakın\n2. Kargo firmasını arayın")  # fmt: skip


def content(**more) -> ArticleContent:
    return ArticleContent(texts={"tr": TEXT}, **more)


def article(state: ArticleState = ArticleState.DRAFT, **more):
    """An article brought to `state` through the moves themselves."""
    made = new_article("a01ABCDEFGH", "h1", content(**more), MEHMET, NOW).article
    path = {
        ArticleState.DRAFT: [],
        ArticleState.REVIEW: [Move.SUBMIT],
        ArticleState.PUBLISHED: [Move.SUBMIT, Move.APPROVE],
        ArticleState.ARCHIVED: [Move.SUBMIT, Move.APPROVE, Move.ARCHIVE],
    }[state]
    for step in path:
        made = move(made, step, SELIN, NOW, "h").article
    return made


@pytest.mark.parametrize("state", list(ArticleState))
@pytest.mark.parametrize("what", [m for m in Move if m != Move.CREATE])
def test_every_move_from_every_state(state, what):
    allowed = TRANSITIONS[state].get(what)
    start = article(state)
    if allowed is None:
        with pytest.raises(Conflict) as refused:
            move(start, what, SELIN, NOW, "h", content=content())
        assert refused.value.code == "illegal_move"
        return
    changed = move(start, what, SELIN, NOW, "h", content=content(), note="n")
    assert changed.article.state == allowed
    assert changed.article.revision == start.revision + 1
    assert changed.entry.move == what and changed.entry.actor == SELIN


def test_only_publishers_approve_reject_archive():
    agent, supervisor = default_role("agent"), default_role("supervisor")
    assert {Move.APPROVE, Move.REJECT, Move.ARCHIVE} == PUBLISHER_MOVES
    for action in (Action.READ, Action.ADD, Action.EDIT):
        assert agent.allows(Resource.KNOWLEDGE, action)
    assert not agent.allows(Resource.KNOWLEDGE_PUBLISHING, Action.EDIT)
    assert supervisor.allows(Resource.KNOWLEDGE_PUBLISHING, Action.EDIT)
    assert not default_role("customer").allows(Resource.KNOWLEDGE, Action.READ)


def test_saving_a_draft_edits_it_and_a_published_one_opens_a_version():
    draft = article()
    saved = move(draft, Move.SAVE, MEHMET, NOW, "h", content=content(topic="r1"))
    assert saved.article.working.number == 1 and saved.versions[0].content.topic == "r1"
    live = article(ArticleState.PUBLISHED)
    assert live.live is not None and live.live.number == 1
    assert live.live.published_by == SELIN
    edit = move(live, Move.SAVE, MEHMET, NOW, "h", content=content(topic="r2")).article
    assert (edit.state, edit.working.number, edit.live.number) == (ArticleState.DRAFT, 2, 1)
    assert edit.live.content.topic is None  # readers still see version 1
    approved = move(move(edit, Move.SUBMIT, MEHMET, NOW, "h").article, Move.APPROVE, SELIN, NOW,
                    "h")  # fmt: skip
    assert approved.article.live.number == 2 and approved.versions[0].number == 2
    archived = move(approved.article, Move.ARCHIVE, SELIN, NOW, "h").article
    assert archived.live is None
    again = move(archived, Move.SAVE, MEHMET, NOW, "h", content=content()).article
    assert again.working.number == 3  # never reuses a kept version's number


def test_reject_keeps_the_note_and_the_next_move_clears_it():
    back = move(article(ArticleState.REVIEW), Move.REJECT, SELIN, NOW, "h", note="eksik").article
    assert back.review_note == "eksik" and back.state == ArticleState.DRAFT
    assert move(back, Move.SUBMIT, MEHMET, NOW, "h").article.review_note is None


def test_public_needs_a_live_public_version():
    assert not article(ArticleState.PUBLISHED).public  # internal by default
    assert article(ArticleState.PUBLISHED, visibility="public").public
    assert not article(ArticleState.REVIEW, visibility="public").public
    assert not article(ArticleState.ARCHIVED, visibility="public").public


def test_content_needs_a_known_language():
    with pytest.raises(ValueError):
        ArticleContent(texts={})
    with pytest.raises(ValueError):
        ArticleContent(texts={"de": TEXT})
    only_en = ArticleContent(texts={"en": TEXT})
    assert only_en.text_in("tr") == TEXT


def test_slug_is_ascii_and_unique_per_id():
    assert slug_for("İade ve ÖDEME sorunları!", "a01XYZ123456") == "iade-ve-odeme-sorunlari-123456"
    assert slug_for("???", "a01XYZ123456") == "makale-123456"
    assert check_move(ArticleState.DRAFT, Move.SUBMIT) == ArticleState.REVIEW


def test_a_link_counts_once_when_the_case_resolves():
    case = case_in(Status.IN_PROGRESS)
    linked = cc.change_case(case, cc.LinkArticle(article_id="a1", title="T"), MEHMET, NOW)
    assert linked.entries[0].kind == EntryKind.ARTICLE_LINKED and linked.events == []
    assert cc.newly_counted(linked) == []
    with pytest.raises(Conflict) as twice:
        cc.change_case(linked.case, cc.LinkArticle(article_id="a1"), MEHMET, NOW)
    assert twice.value.code == "article_already_linked"
    resolved = cc.change_case(linked.case, cc.ChangeStatus(status=Status.RESOLVED), MEHMET, NOW)
    assert cc.newly_counted(resolved) == ["a1"]
    later = NOW + timedelta(hours=1)
    reopened = cc.change_case(resolved.case, cc.ChangeStatus(status=Status.REOPENED), MEHMET, later)
    working = cc.change_case(reopened.case.model_copy(update={"assignee": "mehmet"}),
                             cc.ChangeStatus(status=Status.IN_PROGRESS), MEHMET, later)  # fmt: skip
    again = cc.change_case(working.case, cc.ChangeStatus(status=Status.RESOLVED), SELIN, later)
    assert cc.newly_counted(again) == []


def test_a_link_to_a_resolved_case_counts_at_once_and_a_closed_case_takes_none():
    linked = cc.change_case(case_in(Status.RESOLVED), cc.LinkArticle(article_id="a2"), MEHMET, NOW)
    assert cc.newly_counted(linked) == ["a2"]
    with pytest.raises(Conflict):
        cc.change_case(case_in(Status.CLOSED), cc.LinkArticle(article_id="a2"), MEHMET, NOW)


def published(article_id: str, title: str, solution: str = "Adımlar", **more):
    made = new_article(article_id, "h", ArticleContent(
        texts={"tr": ArticleText(title=title, problem=title, solution=solution)}, **more),
        MEHMET, datetime(2026, 1, 1, tzinfo=UTC)).article  # fmt: skip
    for step in (Move.SUBMIT, Move.APPROVE):
        made = move(made, step, SELIN, NOW, "h").article
    return made


def test_terms_fold_turkish_letters_and_suffixes():
    assert terms("KARGOM gelmedi") & terms("kargo gelmedı")
    assert "icin" not in terms("bunun için")


def test_ranking_prefers_title_words_then_the_problem_group():
    cargo = published("a1", "Kargo gecikmesi", category_id="teslimat")
    refund = published("a2", "İade nasıl yapılır", solution="Kargo ile gönderin")
    cargo_other = published("a3", "Kargo gecikmesi", topic="r9")
    unrelated = published("a4", "Fatura", category_id="teslimat")
    topic = CaseTopic(text="Kargom hala gelmedi, gecikme var", category_id="teslimat")
    ranked = rank([refund, unrelated, cargo_other, cargo], topic, 5)
    assert [a.id for a, _ in ranked] == ["a1", "a3", "a2"]  # a4 shares no word
    assert ranked[0][1] > ranked[1][1] > ranked[2][1]
    by_topic = rank([cargo, cargo_other], CaseTopic(text="kargo gecikti", topic="r9"), 1)
    assert by_topic[0][0].id == "a3"
    assert rank([cargo], CaseTopic(text="merhaba"), 5) == []
