"""The help centre's pure rules: how a new-case draft's report counts (domain/deflection.py),
an article as search documents, one per language, and one hit an article
(domain/search_articles.py), the deflection report from day counters, and the search-backed
suggestions falling back to keywords while the index holds no article."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from chalicelib.domain.deflection import DraftReport, counters, day_of, share
from chalicelib.domain.knowledge import ArticleState, ArticleText, Visibility
from chalicelib.domain.knowledge_suggest import CaseTopic
from chalicelib.domain.report_table import Dimension, ReportName
from chalicelib.domain.search import DocKind, DocVisibility, SearchHit
from chalicelib.domain.search_articles import article_docs, article_of, best_per_article

from .test_knowledge import article

DRAFT = "d" * 24


def report(outcome: str, shown=(), opened=()) -> DraftReport:
    return DraftReport(draft=DRAFT, outcome=outcome, shown=list(shown), opened=list(opened))


@pytest.mark.parametrize(
    ("outcome", "shown", "opened", "expected"),
    [
        # read an answer and left without filing: deflected
        ("left", ["a"], ["a"], (1, 1, 1, 0)),
        # read an answer and filed anyway: not deflected
        ("filed", ["a"], ["a"], (1, 1, 0, 1)),
        # left without opening anything: gave up, not deflected
        ("left", ["a"], [], (1, 0, 0, 0)),
        # nothing was shown: outside the share's denominator
        ("left", [], [], (0, 0, 0, 0)),
        ("filed", [], [], (0, 0, 0, 0)),
    ],
)
def test_deflection_outcome_rules(outcome, shown, opened, expected):
    """expected: (drafts_suggested, drafts_opened, drafts_deflected, drafts_filed)."""
    names = ("drafts_suggested", "drafts_opened", "drafts_deflected", "drafts_filed")
    want = {"drafts": 1, **dict(zip(names, expected, strict=True))}
    assert counters(report(outcome, shown, opened)) == want


def test_a_report_is_checked_and_deduplicated():
    with pytest.raises(ValidationError):
        report("left", ["a"], ["b"])  # opened one never shown
    with pytest.raises(ValidationError):
        DraftReport(draft="kısa", outcome="left")
    with pytest.raises(ValidationError):
        report("left", [f"s{n}" for n in range(31)])
    twice = report("left", ["a", "b", "a"], ["a", "a"])
    assert (twice.shown, twice.opened) == (["a", "b"], ["a"])


def test_share_and_istanbul_day():
    assert share(1, 4) == 0.25 and share(0, 0) is None
    # 22:30 UTC is already the next day in Istanbul (UTC+3)
    assert day_of(datetime(2026, 3, 4, 22, 30, tzinfo=UTC)) == "2026-03-05"


def two_languages(**more):
    from chalicelib.domain.knowledge import ArticleContent, move

    from .test_case_change import NOW, SELIN
    from .test_knowledge import Move

    made = article(ArticleState.PUBLISHED)
    en = ArticleText(title="Late parcel", problem="It did not come", solution="Call the carrier")
    content = ArticleContent(texts={**made.live.content.texts, "en": en}, **more)
    made = move(made, Move.SAVE, SELIN, NOW, "h", content=content).article
    made = move(made, Move.SUBMIT, SELIN, NOW, "h").article
    return move(made, Move.APPROVE, SELIN, NOW, "h").article


def test_an_article_is_one_document_per_language_of_its_live_version():
    published = article(ArticleState.PUBLISHED, visibility=Visibility.PUBLIC)
    docs, deleted = article_docs(published)
    assert [(d.id, d.language, d.visibility) for d in docs] == [
        (f"{published.id}.tr", "tr", DocVisibility.PUBLIC)
    ]
    assert docs[0].title == "Kargo gecikmesi" and "Takip numarasına" in docs[0].body
    assert docs[0].ref == published.slug and docs[0].version == published.revision
    assert deleted == [f"article:{published.id}.en"]  # a language it does not have
    both = two_languages(visibility=Visibility.INTERNAL)
    docs, deleted = article_docs(both)
    assert sorted(d.language for d in docs) == ["en", "tr"] and deleted == []
    assert {d.visibility for d in docs} == {DocVisibility.INTERNAL}
    # a draft or an archived article: nothing live, every language removed
    for state in (ArticleState.DRAFT, ArticleState.ARCHIVED):
        docs, deleted = article_docs(article(state))
        assert docs == [] and len(deleted) == 2
    assert article_of("a01X.en") == ("a01X", "en")


def hit(doc_id: str, score: float, language: str) -> SearchHit:
    return SearchHit(kind=DocKind.ARTICLE, id=doc_id, title="t", snippet="s", score=score,
                     language=language, updated_at=datetime(2026, 1, 1, tzinfo=UTC))  # fmt: skip


def test_one_hit_an_article_in_the_readers_language_at_its_best_place():
    hits = [hit("a.tr", 9, "tr"), hit("b.en", 5, "en"), hit("a.en", 3, "en"), hit("b.tr", 1, "tr")]
    assert [(a, h.id) for a, h in best_per_article(hits, "en")] == [("a", "a.en"), ("b", "b.en")]
    assert [(a, h.id) for a, h in best_per_article(hits, "tr")] == [("a", "a.tr"), ("b", "b.tr")]
    assert [h.id for _, h in best_per_article(hits)] == ["a.tr", "b.en"]


def test_the_deflection_report_by_day_and_in_total():
    from chalicelib.services.reports import ReportService

    days = [{"day": "2026-03-02", "drafts": 5, "drafts_suggested": 4, "drafts_opened": 2,
             "drafts_deflected": 1, "drafts_filed": 3}]  # fmt: skip
    service = ReportService(store=None, deflection_days=lambda start, end: days)  # type: ignore[arg-type]
    table = service.report(ReportName.DEFLECTION, date(2026, 3, 1), date(2026, 3, 2),
                           [Dimension.DAY])  # fmt: skip
    assert [r["day"] for r in table.rows] == ["2026-03-01", "2026-03-02"]
    assert table.rows[0]["deflection_share"] is None and table.rows[1]["deflection_share"] == 0.25
    assert table.totals["drafts_deflected"] == 1 and table.totals["deflection_share"] == 0.25
    whole = service.report(ReportName.DEFLECTION, date(2026, 3, 1), date(2026, 3, 2), [])
    assert whole.rows == [] and whole.totals["drafts"] == 5


class FakeEngine:
    def __init__(self, holds: bool, fails: bool = False) -> None:
        self.held, self.fails, self.asked = holds, fails, 0

    def holds(self, kind):
        if self.fails:
            raise OSError("S3 unavailable")
        return self.held

    def search(self, query, filt, limit):
        self.asked += 1
        assert filt.kind == DocKind.ARTICLE and not filt.public_only  # staff: every live one
        return [], "v"


class FakeFallback:
    def __init__(self) -> None:
        self.asked = 0

    def suggest(self, topic, limit):
        self.asked += 1
        return []


@pytest.mark.parametrize(
    ("holds", "fails", "searched", "fell_back"),
    [(True, False, 1, 0), (False, False, 0, 1), (True, True, 0, 1)],
)
def test_suggestions_fall_back_only_without_an_index(holds, fails, searched, fell_back):
    from chalicelib.services.article_suggestions import SearchSuggestions

    engine, fallback = FakeEngine(holds, fails), FakeFallback()
    SearchSuggestions(engine, store=None, fallback=fallback).suggest(  # type: ignore[arg-type]
        CaseTopic(text="kargom gelmedi"), 5
    )
    assert (engine.asked, fallback.asked) == (searched, fell_back)
