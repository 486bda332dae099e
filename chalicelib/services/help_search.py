"""The help centre's article search (docs/knowledge-base.md, "Searching the help centre"):
anyone, no sign-in, public articles only, through the same search engine as staff search.

Each article is indexed once per language (domain/search_articles.py); the answer keeps one
hit an article, in the reader's language when that one matched too. Titles and snippets are
HTML-escaped with the matched words in <mark></mark>: the page may show them as markup.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from ..domain.errors import InvalidInput
from ..domain.model import Model
from ..domain.search import DocKind, SearchFilter
from ..domain.search_articles import best_per_article
from ..domain.search_text import parse_query
from .ports import SearchEngine


class PublicSearchParams(Model):
    """`q`: what the reader typed (1–200 characters); `lang`: their language (tr, en);
    `limit`: 1–20 articles (5)."""

    q: Annotated[str, Field(min_length=1, max_length=200)]
    lang: Annotated[str, StringConstraints(pattern=r"^(tr|en)$")] = "tr"
    limit: Annotated[int, Field(ge=1, le=20)] = 5


class PublicHit(Model):
    """A public article found: its address (`slug`), the language of the text that matched,
    and the title and a snippet, HTML-escaped with the matched words in <mark></mark>."""

    slug: str
    language: str
    title: str = Field(description="HTML-escaped, matched words in <mark></mark>")
    snippet: str = Field(description="HTML-escaped, matched words in <mark></mark>, … where cut")
    score: float = Field(description="BM25 relevance, higher is better; within one answer")


class PublicSearchResults(Model):
    query: str
    items: list[PublicHit]


#: documents asked of the engine per article wanted: both languages of one article may match
PER_ARTICLE = 2


class HelpCentreSearch:
    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine

    def search(self, params: PublicSearchParams) -> PublicSearchResults:
        """The best public articles for `q`, best first; InvalidInput `empty_query` when it
        holds no word. Internal, draft and archived articles are never in the index's public
        documents (the filter is in the engine's query)."""
        query = parse_query(params.q)
        if query.empty:
            raise InvalidInput("type at least one word to search for", code="empty_query")
        filt = SearchFilter(kind=DocKind.ARTICLE, public_only=True)
        hits, _version = self.engine.search(query, filt, params.limit * PER_ARTICLE)
        best = best_per_article(hits, params.lang)[: params.limit]
        items = [PublicHit(slug=hit.ref, language=hit.language, title=hit.title,
                           snippet=hit.snippet, score=hit.score) for _a, hit in best]  # fmt: skip
        return PublicSearchResults(query=params.q, items=items)
