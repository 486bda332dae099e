"""Knowledge base relevance: does a customer's question find the article that answers it?
(docs/search.md, "Relevance"; issue 17, "Measured").

The data set is the demo knowledge base (devstack/data/kb_articles.json: 48 articles, 45 of
them public) and the customer questions of tests/data/kb_questions.tsv, typed as customers
type (without Turkish letters, with typos, inflected, colloquial), each with the id of the
article that answers it. The measurement builds the real index (store/search_sqlite.py,
the analyzer of domain/search_text.py) from the articles as the help centre indexes them
(the Turkish title; the problem and the solution as the body) and asks each question as a
customer asks it (`SearchFilter` of a customer: public articles only), then reports:

- recall@3: the share of questions whose article is among the first 3 hits;
- MRR (mean reciprocal rank): the mean of 1/rank of the answering article, 0 when it is not
  among the first RANKED hits (1.0: always first; 0.5: always second).

`python -m bench.relevance` prints them with every question that missed the top 3;
`make bench` writes them to docs/performance.md; tests/unit/test_search_relevance.py keeps a
floor.
"""

from __future__ import annotations

import csv
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chalicelib.domain.knowledge import Visibility, slug_for  # noqa: E402
from chalicelib.domain.search import (  # noqa: E402
    MAX_BODY,
    MAX_TITLE,
    DocKind,
    DocVisibility,
    SearchDoc,
    SearchFilter,
)
from chalicelib.domain.search_text import parse_query  # noqa: E402
from chalicelib.store.search_sqlite import SqliteSearchIndex  # noqa: E402
from devstack.kb_data import KbArticle, load  # noqa: E402

QUESTIONS_FILE = ROOT / "tests" / "data" / "kb_questions.tsv"
#: hits read per question: a rank past this counts as not found (reciprocal rank 0)
RANKED = 10
#: what recall is counted at: the help centre shows a customer about three suggestions
TOP = 3
_SEEDED = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Question:
    text: str
    article_id: str


@dataclass
class Relevance:
    """What one run measured. ranks: each question's article's rank (1 = first), None when
    not among the first RANKED hits; misses: (question, expected, what came first) for
    every question whose article was not in the top TOP."""

    articles: int
    public: int
    ranks: list[int | None] = field(default_factory=list)
    misses: list[tuple[str, str, list[str]]] = field(default_factory=list)

    @property
    def questions(self) -> int:
        return len(self.ranks)

    @property
    def recall_at_3(self) -> float:
        return sum(1 for r in self.ranks if r is not None and r <= TOP) / len(self.ranks)

    @property
    def first(self) -> float:
        return sum(1 for r in self.ranks if r == 1) / len(self.ranks)

    @property
    def mrr(self) -> float:
        return statistics.fmean(1 / r if r else 0.0 for r in self.ranks)


def questions(path: Path = QUESTIONS_FILE) -> list[Question]:
    """The questions file: `question<TAB>article`, a header line, `#` comments."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = [row for row in csv.reader(f, delimiter="\t") if row and not row[0].startswith("#")]
    return [Question(text, article) for text, article in rows[1:]]


def article_doc(article: KbArticle, language: str = "tr") -> SearchDoc:
    """An article as the help centre's index holds it: the title; the problem and the
    solution as the body; its visibility."""
    text = article.content.text_in(language)
    public = article.content.visibility == Visibility.PUBLIC
    return SearchDoc(
        kind=DocKind.ARTICLE,
        id=article.id,
        ref=slug_for(text.title, article.id),
        title=text.title[:MAX_TITLE],
        body=f"{text.problem}\n\n{text.solution}"[:MAX_BODY],
        visibility=DocVisibility.PUBLIC if public else DocVisibility.INTERNAL,
        status="published",
        language=language,
        version=1,
        updated_at=_SEEDED,
    )


def measure(
    asked: list[Question] | None = None, articles: list[KbArticle] | None = None
) -> Relevance:
    """Build an index of the articles in a temporary file, ask every question as a customer."""
    articles = load() if articles is None else articles
    asked = questions() if asked is None else asked
    customer = SearchFilter(kind=DocKind.ARTICLE, public_only=True)
    public = sum(a.content.visibility == Visibility.PUBLIC for a in articles)
    result = Relevance(articles=len(articles), public=public)
    with tempfile.TemporaryDirectory(prefix="destek-relevance-") as work:
        index = SqliteSearchIndex(os.path.join(work, "kb.db"))
        try:
            index.upsert(article_doc(a) for a in articles)
            for q in asked:
                ids = [hit.id for hit in index.search(parse_query(q.text), customer, RANKED)]
                rank = ids.index(q.article_id) + 1 if q.article_id in ids else None
                result.ranks.append(rank)
                if rank is None or rank > TOP:
                    result.misses.append((q.text, q.article_id, ids[:TOP]))
        finally:
            index.close()
    return result


def report_lines(result: Relevance) -> list[str]:
    """The figures as bench prints them and docs/performance.md shows them."""
    return [
        f"{result.questions} customer questions against {result.articles} articles "
        f"({result.public} public; asked as a customer): recall@{TOP} "
        f"**{result.recall_at_3:.2f}**, MRR **{result.mrr:.2f}**, first hit right "
        f"{result.first:.0%}; {len(result.misses)} question(s) missed the top {TOP}",
    ]


if __name__ == "__main__":
    measured = measure()
    print("\n".join(report_lines(measured)).replace("**", ""))
    for text, expected, got in measured.misses:
        print(f"  miss: {text!r} wants {expected}, got {got}")
