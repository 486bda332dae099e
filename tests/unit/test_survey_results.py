"""Survey results' counters and figures (chalicelib/domain/survey_results.py): the counter
names an answer adds, what a changed answer takes back, the figures read off summed
counters (checked by hand), splitting by a dimension, and the dimensions a run keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.survey_results import (
    CounterItem,
    counted,
    deltas,
    groups_of,
    question_result,
    response,
)
from chalicelib.domain.survey_runs import (
    CaseFact,
    CustomerFacts,
    ProductFact,
    dimensions_of,
    run_day,
)
from chalicelib.domain.surveys import Question, Segment

T = {"tr": "Soru", "en": "Question"}
RATING = Question(id="r", kind="rating", text=T)
NPS = Question(id="n", kind="nps", text=T)
MULTI = Question(id="m", kind="multiple_choice", text=T, required=False,
                 choices=[{"id": "a", "text": T}, {"id": "b", "text": T}])  # fmt: skip
WORDS = Question(id="w", kind="free_text", text=T, required=False)
QUESTIONS = [RATING, NPS, MULTI, WORDS]


def test_counted_names_each_answer():
    names = counted(QUESTIONS, {"r": 4, "n": 10, "m": ["a", "b"], "w": "iyi"})
    assert names == ["n:r", "v:r:4", "n:n", "v:n:10", "n:m", "c:m:a", "c:m:b", "n:w"]
    assert counted(QUESTIONS, {"r": 4, "n": 0, "m": []}) == ["n:r", "v:r:4", "n:n", "v:n:0"]


def test_a_changed_answer_takes_its_previous_counters_back():
    before = counted(QUESTIONS, {"r": 2, "n": 3, "m": ["a"]})
    after = counted(QUESTIONS, {"r": 5, "n": 3, "m": ["b"]})
    assert deltas([], before, first=True) == {
        "answered": 1, "n:r": 1, "v:r:2": 1, "n:n": 1, "v:n:3": 1, "n:m": 1, "c:m:a": 1,
    }  # fmt: skip
    assert deltas(before, after, first=False) == {"v:r:2": -1, "v:r:5": 1, "c:m:a": -1,
                                                  "c:m:b": 1}  # fmt: skip
    assert deltas(after, after, first=False) == {}


def test_figures_from_counters_by_hand():
    # ratings 1, 3, 5, 5: mean 3.5, sd √(((−2.5)² + (−0.5)² + 1.5² + 1.5²)/3) = √(11/3)
    counters = {"n:r": 4, "v:r:1": 1, "v:r:3": 1, "v:r:5": 2, "n:m": 3, "c:m:a": 3, "c:m:b": 1}
    r = question_result(RATING, counters)
    assert [(d.value, d.count) for d in r.distribution] == [(1, 1), (2, 0), (3, 1), (4, 0),
                                                           (5, 2)]  # fmt: skip
    assert r.mean.value == 3.5 and r.sd == pytest.approx((11 / 3) ** 0.5)
    half = 3.182446 * (11 / 3) ** 0.5 / 2  # t(0.975, 3) from the printed table
    assert (r.mean.low, r.mean.high) == (pytest.approx(3.5 - half, abs=1e-5),
                                         pytest.approx(3.5 + half, abs=1e-5))  # fmt: skip
    assert (r.csat.count, r.csat.n) == (2, 4)
    m = question_result(MULTI, counters)
    assert [(o.id, o.count, o.share) for o in m.options] == [("a", 3, 1.0), ("b", 1, 1 / 3)]
    empty = question_result(NPS, {})
    assert empty.n == 0 and empty.nps.score is None


def test_response_and_groups():
    assert response(0, 0).share is None
    assert response(3, 2).count == 2  # sends counted before the counters: cut to the sends
    items = [
        CounterItem(day="2026-06-01", run_id="x", dimension="customer_category", value="vip",
                    counters={"sent": 4, "answered": 2, "n:r": 2, "v:r:5": 2}),
        CounterItem(day="2026-06-08", run_id="y", dimension="customer_category", value="vip",
                    counters={"sent": 2, "answered": 2, "n:r": 2, "v:r:4": 2}),
        CounterItem(day="2026-06-01", run_id="x", dimension="customer_category", value="normal",
                    counters={"sent": 3, "answered": 1, "n:r": 1, "v:r:1": 1}),
        CounterItem(day="2026-06-01", run_id="x", dimension="language", value="tr",
                    counters={"sent": 7}),
    ]  # fmt: skip
    groups = groups_of([RATING], items, "customer_category")
    assert [(g.value, g.sent, g.answered) for g in groups] == [("vip", 6, 4), ("normal", 3, 1)]
    assert groups[0].questions[0].mean.value == 4.5


def test_the_dimensions_a_run_keeps():
    now = datetime(2026, 7, 1, tzinfo=UTC)
    old = ProductFact(product_id="p1", brand="Eski", purchase_date=date(2025, 1, 1),
                      registered_at=datetime(2025, 1, 2, tzinfo=UTC))  # fmt: skip
    new = ProductFact(product_id="p2", brand="Yeni", purchase_date=date(2026, 1, 1),
                      registered_at=datetime(2026, 1, 2, tzinfo=UTC))  # fmt: skip
    facts = CustomerFacts(customer_id="c", category="vip", products=[old, new])
    assert dimensions_of(Segment(), facts, now) == {"customer_category": "vip"}
    assert dimensions_of(Segment(brands=["eski", "yeni"]), facts, now)["brand"] == "Yeni"
    assert dimensions_of(Segment(brands=["Eski"]), facts, now)["brand"] == "Eski"
    grouped = new.model_copy(update={"groups": ["elektronik", "telefon"]})
    with_groups = facts.model_copy(update={"products": [old, grouped]})
    by_product = dimensions_of(Segment(brands=["yeni"]), with_groups, now)
    assert (by_product["product"], by_product["product_group"]) == ("p2", "telefon")
    cases = [CaseFact(type="complaint", channel="phone", category_id="k-ariza",
                      created_at=datetime(2026, 6, 1, tzinfo=UTC)),
             CaseFact(type="question", channel="web",
                      created_at=datetime(2026, 5, 1, tzinfo=UTC))]  # fmt: skip
    split = dimensions_of(Segment(case_channels=["phone", "web"]),
                          facts.model_copy(update={"cases": cases}), now)  # fmt: skip
    assert (split["case_channel"], split["case_type"], split["case_category"]) == (
        "phone",
        "complaint",
        "k-ariza",
    )  # the newest matching case's, one value each
    only_web = dimensions_of(Segment(case_channels=["web"]),
                             facts.model_copy(update={"cases": cases}), now)  # fmt: skip
    assert (only_web["case_type"], "case_category" in only_web) == ("question", False)
    # the Istanbul day: 22:30 UTC on May 31 is June 1 in Istanbul (UTC+3)
    assert run_day(datetime(2026, 5, 31, 22, 30, tzinfo=UTC)) == "2026-06-01"
