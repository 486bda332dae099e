"""Articles beside a case in the console: the suggested ones and the linked ones.

`CaseArticles.for_case` asks the `ArticleSuggestions` port for the best live articles for
the case's subject, description, category and routing topic, counts each suggestion once
per case, and answers each with its solution in the case's language (what "insert into
reply" pastes). `KeywordSuggestions` is the port's first adapter: the fallback ranking by
the routing normaliser's keyword overlap (domain/knowledge_suggest.py), reading every live
article; when the search engine is merged its article adapter replaces it in
`wiring.article_suggestions()`, one line, and nothing here changes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain.caller import Caller
from ..domain.cases import EntryKind, LinkedArticle
from ..domain.clock import utcnow
from ..domain.knowledge import Article, Visibility
from ..domain.knowledge_suggest import CaseTopic, rank
from ..domain.model import Model
from ..observability import logger
from .knowledge import require_staff_reader
from .ports import ArticleStore, ArticleSuggestions

#: suggestions shown beside a case
SUGGESTED = 5


class KeywordSuggestions:
    """The fallback `ArticleSuggestions`: keyword overlap over every live article (fine for
    hundreds of articles; the search engine's BM25 index takes over beyond that)."""

    def __init__(self, store: ArticleStore) -> None:
        self.store = store

    def suggest(self, topic: CaseTopic, limit: int) -> list[tuple[Article, float]]:
        return [(a, float(s)) for a, s in rank(self.store.all_live(), topic, limit)]


class SuggestedArticle(Model):
    """A live article suggested for a case, in the case's language (`language`; the other
    one when the article lacks it): what the agent reads and inserts into a reply."""

    article_id: str
    slug: str
    language: str
    title: str
    problem: str
    solution: str
    visibility: Visibility
    category_id: str | None = None
    topic: str | None = None
    score: float
    inserted: int = 0
    resolved_links: int = 0


class CaseArticles(Model):
    """The case's suggested articles (best first) and the ones linked to it."""

    case_id: str
    language: str
    suggested: list[SuggestedArticle]
    linked: list[LinkedArticle]


class CaseArticleService:
    def __init__(
        self,
        cases: object,
        store: ArticleStore,
        suggestions: ArticleSuggestions,
        language_of: Callable[[str], str],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`cases`: the CaseService (`visible`: the case as the caller may see it)."""
        self.cases = cases
        self.store = store
        self.suggestions = suggestions
        self.language_of = language_of
        self.clock = clock

    def for_case(self, caller: Caller, case_ref: str) -> CaseArticles:
        require_staff_reader(caller)
        found = self.cases.visible(caller, case_ref)  # type: ignore[attr-defined]
        case = found.case
        routed = [e for e in found.history if e.kind == EntryKind.ROUTED and e.data.get("rule_id")]
        language = self.language_of(case.customer_id)
        topic = CaseTopic(text=f"{case.subject}\n{case.description}", category_id=case.category_id,
                          topic=routed[-1].data["rule_id"] if routed else None,
                          language=language)  # fmt: skip
        linked = {a.article_id for a in case.articles}
        ranked = self.suggestions.suggest(topic, SUGGESTED + len(linked))
        shown = [(a, s) for a, s in ranked if a.id not in linked and a.live is not None]
        shown = shown[:SUGGESTED]
        now = self.clock()
        for article, _score in shown:
            try:
                self.store.count_suggested(article.id, case.id, now)
            except Exception:  # noqa: BLE001 - a counter never stands in the agent's way
                logger.exception("suggestion not counted", article_id=article.id)
        return CaseArticles(case_id=case.id, language=language, linked=case.articles,
                            suggested=[_suggested(a, s, language) for a, s in shown])  # fmt: skip


def _suggested(article: Article, score: float, language: str) -> SuggestedArticle:
    assert article.live is not None
    content = article.live.content
    shown = language if language in content.texts else next(iter(content.texts))
    text = content.texts[shown]
    return SuggestedArticle(
        article_id=article.id, slug=article.slug, language=shown, title=text.title,
        problem=text.problem, solution=text.solution, visibility=content.visibility,
        category_id=content.category_id, topic=content.topic, score=score,
        inserted=article.counts.inserted, resolved_links=article.counts.resolved_links,
    )  # fmt: skip
