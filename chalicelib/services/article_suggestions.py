"""Articles beside a case in the console: the suggested ones and the linked ones.

`CaseArticles.for_case` asks the `ArticleSuggestions` port for the best live articles for
the case's subject, description, category and routing topic, counts each suggestion once
per case, and answers each with its solution in the case's language (what "insert into
reply" pastes). `SearchSuggestions` is the port's adapter: the search engine's BM25 over
the `article` documents (docs/search.md); `KeywordSuggestions`, the routing normaliser's
keyword overlap over every live article (domain/knowledge_suggest.py), is its fallback
while the index holds no article (a new deployment before its first rebuild) or cannot be
read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from ..domain.caller import Caller
from ..domain.cases import EntryKind, LinkedArticle
from ..domain.clock import utcnow
from ..domain.errors import NotFound
from ..domain.knowledge import Article, Visibility
from ..domain.knowledge_suggest import CaseTopic, rank
from ..domain.model import Model
from ..observability import logger
from .knowledge import require_staff_reader
from .ports import ArticleStore, ArticleSuggestions, SearchEngine

#: suggestions shown beside a case
SUGGESTED = 5
#: how much of a case's subject and description makes the query (the search route's 200
#: characters would cut a description's first line; the analyzer handles a paragraph)
QUERY_CHARS = 2000


class KeywordSuggestions:
    """The fallback `ArticleSuggestions`: keyword overlap over every live article (fine for
    hundreds of articles; the search engine's BM25 index takes over beyond that)."""

    def __init__(self, store: ArticleStore) -> None:
        self.store = store

    def suggest(self, topic: CaseTopic, limit: int) -> list[tuple[Article, float]]:
        return [(a, float(s)) for a, s in rank(self.store.all_live(), topic, limit)]


class SearchSuggestions:
    """`ArticleSuggestions` from the search engine: the case's subject and description as
    the query, every live article (public and internal) as candidates, ranked by BM25.

    Each article is indexed once per language; its best-scoring document places it, and
    articles with a text in the case's language come before those without (an agent inserts
    the text into a reply to this customer), best first within each. Each hit is read from
    the table (`limit` GetItems) so that what is answered is live now, not as the index
    last saw it. The fallback answers when the index holds no article or fails."""

    def __init__(self, engine: SearchEngine, store: ArticleStore, fallback: ArticleSuggestions):
        self.engine = engine
        self.store = store
        self.fallback = fallback

    def suggest(self, topic: CaseTopic, limit: int) -> list[tuple[Article, float]]:
        from ..domain.search import DocKind, SearchFilter
        from ..domain.search_articles import best_per_article
        from ..domain.search_text import parse_query

        query = parse_query(topic.text[:QUERY_CHARS])
        if query.empty:
            return []
        try:
            if not self.engine.holds(DocKind.ARTICLE):
                return self.fallback.suggest(topic, limit)
            hits, _version = self.engine.search(query, SearchFilter(kind=DocKind.ARTICLE),
                                                limit * 2)  # fmt: skip
        except Exception:  # noqa: BLE001 - suggestions never stand in the agent's way
            logger.exception("article search failed; keyword suggestions instead")
            return self.fallback.suggest(topic, limit)
        found: list[tuple[Article, float]] = []
        for article_id, hit in best_per_article(hits, topic.language):
            try:
                article = self.store.get(article_id)
            except NotFound:
                continue
            if article.live is not None:
                found.append((article, hit.score))
        found.sort(key=lambda pair: topic.language not in pair[0].live.content.texts)  # type: ignore[union-attr]
        return found[:limit]


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
