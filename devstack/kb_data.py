"""The demo knowledge base as data: devstack/data/kb_articles.json, read into the domain's
models. The seed publishes these articles (`make run`), and the relevance measurement
(bench/relevance.py, tests/unit/test_search_relevance.py) indexes them as the help centre
does and asks them the customer questions of tests/data/kb_questions.tsv.

Each JSON entry: `id` (the article's id, kept across seeds so a second seed skips it),
`category` (a case category), optional `topic` (a routing rule's id), `visibility`
(public/internal), `tr` and optionally `en`, each `{title, problem, solution}`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from chalicelib.domain.knowledge import ArticleContent, ArticleText

ARTICLES_FILE = Path(__file__).resolve().parent / "data" / "kb_articles.json"


@dataclass(frozen=True)
class KbArticle:
    """One article of the data set: its id and what its first version says."""

    id: str
    content: ArticleContent


def load(path: Path = ARTICLES_FILE) -> list[KbArticle]:
    """Every article of the file, in its order; ValueError (pydantic's) on a bad entry."""
    entries = json.loads(path.read_text(encoding="utf-8"))
    articles = []
    for entry in entries:
        texts = {lang: ArticleText(**entry[lang]) for lang in ("tr", "en") if lang in entry}
        content = ArticleContent(
            texts=texts,
            category_id=entry.get("category"),
            topic=entry.get("topic"),
            visibility=entry["visibility"],
        )
        articles.append(KbArticle(entry["id"], content))
    return articles
