"""Knowledge base relevance (bench/relevance.py, docs/search.md "Relevance"): the customer
questions of tests/data/kb_questions.tsv against the seeded articles, through the real
index and analyzer, asked as a customer. Measured 2026-12: recall@3 0.86, MRR 0.78; the
floors sit a little below, so a change to the analyzer that makes answers worse fails here."""

from bench.relevance import TOP, Question, article_doc, measure, questions
from chalicelib.domain.knowledge import Visibility
from chalicelib.domain.search import DocVisibility
from devstack.kb_data import load

RECALL_AT_3_FLOOR = 0.82
MRR_FLOOR = 0.74


def test_the_data_set_is_large_enough_and_every_question_names_a_public_article():
    articles = load()
    public = {a.id for a in articles if a.content.visibility == Visibility.PUBLIC}
    asked = questions()
    assert len(articles) >= 40 and len({a.id for a in articles}) == len(articles)
    assert len(asked) >= 60
    assert {q.article_id for q in asked} <= public
    assert all(q.text.strip() for q in asked)


def test_customer_questions_find_their_article():
    result = measure()
    misses = "\n".join(f"{t!r} wants {want}, got {got}" for t, want, got in result.misses)
    assert result.recall_at_3 >= RECALL_AT_3_FLOOR, misses
    assert result.mrr >= MRR_FLOOR, misses


def test_internal_articles_are_never_found_by_a_customer():
    articles = load()
    internal = [a for a in articles if a.content.visibility == Visibility.INTERNAL]
    assert internal and article_doc(internal[0]).visibility == DocVisibility.INTERNAL
    # a question made of an internal article's own title still finds only public ones
    title = internal[0].content.text_in("tr").title
    result = measure([Question(title, internal[0].id)], articles)
    assert result.ranks == [None]


def test_the_measure_counts_ranks_as_it_says():
    articles = load()
    first = articles[0]
    title = first.content.text_in("tr").title

    result = measure([Question(title, first.id), Question("zzzqqq", first.id)], articles)
    assert result.ranks == [1, None]
    assert result.recall_at_3 == 0.5 and result.mrr == 0.5
    assert len(result.misses) == 1 and result.misses[0][0] == "zzzqqq" and TOP == 3
