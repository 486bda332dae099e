"""Which live articles to suggest for a case, by keyword overlap: the fallback ranking.

This is the first adapter behind `ArticleSuggestions` (services/ports.py) until the search
engine (issue 17, part 4) is merged; then the search adapter replaces it in
`wiring.article_suggestions()` and this stays as the tests' reference. It compares words
the way routing does (domain/text.py: Turkish case, text typed without Turkish letters,
stems for inflected forms): a case's subject and description against each article's
title, problem and solution, plus the problem group (category, routing topic).

Score of an article (higher is better; 0 is not suggested):
- 3 for each distinct case word found in the title, 1 for each found only in the problem
  or solution (words of fewer than 3 letters and common Turkish and English function
  words are ignored);
- 4 if its category is the case's, 4 if its topic is the case's routing topic; those
  alone do not make a suggestion (a shared category with no shared word is noise).
Ties go to the article most inserted into replies, then the newest.
"""

from __future__ import annotations

from dataclasses import dataclass

from .knowledge import Article
from .text import words

TITLE_WEIGHT = 3
BODY_WEIGHT = 1
GROUP_WEIGHT = 4
MIN_LETTERS = 3
#: words too common to say what a text is about
_COMMON = (
    "ve ile icin bir bu su da de mi mu ama fakat gibi daha cok en ben sen biz siz onlar var "
    "yok ne neden nasil hala artik olarak olan oldu olmadi degil merhaba lutfen tesekkur "
    "the and for with not but are was has have this that you your from can how why what "
    "hello please thanks"
)
STOPWORDS = frozenset(_COMMON.split())


@dataclass(frozen=True)
class CaseTopic:
    """What a case is about: its text, its category and its routing topic (rule id)."""

    text: str
    category_id: str | None = None
    topic: str | None = None
    language: str = "tr"


def terms(text: str) -> set[str]:
    """The text's meaningful words, each as its folded stem (or folded word when too short
    to stem): "Kargom gelmedi" and "kargo gelmedi" give the same terms."""
    found = set()
    for word in words(text):
        if len(word.folded) < MIN_LETTERS or word.folded in STOPWORDS:
            continue
        found.add(word.stem or word.folded)
    return found


def score(article: Article, topic: CaseTopic, case_terms: set[str]) -> int:
    """The article's score for the case (module docstring); 0 when no word is shared."""
    if article.live is None:
        return 0
    content = article.live.content
    title_terms: set[str] = set()
    body_terms: set[str] = set()
    for text in content.texts.values():
        title_terms |= terms(text.title)
        body_terms |= terms(f"{text.problem}\n{text.solution}")
    in_title = case_terms & title_terms
    in_body = (case_terms & body_terms) - in_title
    shared = TITLE_WEIGHT * len(in_title) + BODY_WEIGHT * len(in_body)
    if not shared:
        return 0
    if topic.category_id and content.category_id == topic.category_id:
        shared += GROUP_WEIGHT
    if topic.topic and content.topic == topic.topic:
        shared += GROUP_WEIGHT
    return shared


def rank(articles: list[Article], topic: CaseTopic, limit: int) -> list[tuple[Article, int]]:
    """The best `limit` live articles for the case, best first, with their scores."""
    case_terms = terms(topic.text)
    scored = [(a, score(a, topic, case_terms)) for a in articles]
    kept = [(a, s) for a, s in scored if s > 0]
    # newest first among equals: ids are time-ordered, so those ties sort by id descending
    kept.sort(key=lambda pair: (-pair[1], -pair[0].counts.inserted, _descending(pair[0].id)))
    return kept[:limit]


def _descending(text: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in text)
