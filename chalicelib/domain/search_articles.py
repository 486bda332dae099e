"""A knowledge base article as the search engine's documents (docs/search.md, "Articles").

An article is indexed as **one document per language of its live version**, keyed
`article:<article id>.<tr|en>`: a reader's words meet the text written in their language
(BM25 statistics per language stay clean, highlighting shows one language), and the search
answers keep the best document of each article (`best_per_article`). A document's title is
the article's title, its body the problem and then the solution; `ref` is the slug the help
centre links to; `visibility` public or internal (customers find public ones only).

The indexer reads the article's current state and makes every document again from it, so a
message repeated, late or out of order leaves the index right: what is not live (a draft,
an archived article) or a language the live version no longer has is removed.
"""

from __future__ import annotations

from .knowledge import LANGUAGES, Article
from .search import MAX_BODY, MAX_TITLE, DocKind, DocVisibility, SearchDoc, SearchHit, doc_key


def article_doc_id(article_id: str, language: str) -> str:
    """The document id of one language of an article: `<article id>.<language>`."""
    return f"{article_id}.{language}"


def article_of(doc_id: str) -> tuple[str, str]:
    """(article id, language) of an article document's id (`article_doc_id`'s inverse)."""
    article_id, _, language = doc_id.rpartition(".")
    return (article_id, language) if article_id else (doc_id, "")


def article_docs(article: Article) -> tuple[list[SearchDoc], list[str]]:
    """The documents to write for the article's live version (one per language it has) and
    the keys to remove (its other languages; every language when nothing is live).

    `version` is the article's `revision`, which moves with every change, so an older read
    never replaces a newer one in the index."""
    live = article.live
    texts = live.content.texts if live else {}
    docs = []
    for language, text in texts.items():
        docs.append(SearchDoc(
            kind=DocKind.ARTICLE,
            id=article_doc_id(article.id, language),
            ref=article.slug,
            title=text.title[:MAX_TITLE],
            body=f"{text.problem.strip()}\n\n{text.solution.strip()}"[:MAX_BODY],
            visibility=DocVisibility(live.content.visibility.value),  # type: ignore[union-attr]
            status=article.state.value,
            language=language,
            version=article.revision,
            updated_at=live.published_at or article.updated_at,  # type: ignore[union-attr]
        ))  # fmt: skip
    deleted = [doc_key(DocKind.ARTICLE, article_doc_id(article.id, lang))
               for lang in LANGUAGES if lang not in texts]  # fmt: skip
    return docs, deleted


def article_doc_keys(article_id: str) -> list[str]:
    """Every key an article may have in the index (to remove one that no longer exists)."""
    return [doc_key(DocKind.ARTICLE, article_doc_id(article_id, lang)) for lang in LANGUAGES]


def best_per_article(
    hits: list[SearchHit], prefer: str | None = None
) -> list[tuple[str, SearchHit]]:
    """(article id, hit) for each article found, in the order of its best hit (best first).
    When both languages of an article match, the hit shown is the one in `prefer` (the
    reader's language), else the better one; the article keeps its best score's place."""
    order: list[str] = []
    chosen: dict[str, SearchHit] = {}
    for hit in hits:
        article_id, language = article_of(hit.id)
        if article_id not in chosen:
            order.append(article_id)
            chosen[article_id] = hit
        elif prefer and language == prefer:
            chosen[article_id] = hit
    return [(a, chosen[a]) for a in order]
