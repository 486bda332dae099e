"""Survey statistics against values computed independently: printed t tables, Newcombe's
(1998) Wilson intervals, NPS and means worked by hand in the comments."""

from __future__ import annotations

import math

import pytest

from chalicelib.domain.survey_stats import (
    Distribution,
    choices,
    csat,
    csat_of,
    from_counters,
    merge,
    nps,
    response_rate,
    summary,
    t_quantile,
    wilson,
)


@pytest.mark.parametrize(
    ("df", "t975", "t995"),
    [
        # any printed t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2), 3 decimals
        (1, 12.706, 63.657),
        (2, 4.303, 9.925),
        (5, 2.571, 4.032),
        (10, 2.228, 3.169),
        (30, 2.042, 2.750),
        (100, 1.984, 2.626),
        (math.inf, 1.960, 2.576),
    ],
)
def test_t_quantiles_match_the_printed_table(df, t975, t995):
    assert t_quantile(0.975, df) == pytest.approx(t975, abs=5e-4)
    assert t_quantile(0.995, df) == pytest.approx(t995, abs=5e-4)


def test_t_quantiles_to_six_decimals_and_across_the_switch_to_the_expansion():
    # R: qt(0.975, c(1, 5, 10, 30, 1000, 1001)); qnorm(0.975)
    assert t_quantile(0.975, 1) == pytest.approx(12.706205, abs=1e-6)
    assert t_quantile(0.975, 5) == pytest.approx(2.570582, abs=1e-6)
    assert t_quantile(0.975, 10) == pytest.approx(2.228139, abs=1e-6)
    assert t_quantile(0.975, 30) == pytest.approx(2.042272, abs=1e-6)
    assert t_quantile(0.975, 1000) == pytest.approx(1.962339, abs=1e-6)
    assert t_quantile(0.975, 1001) == pytest.approx(1.962337, abs=1e-6)
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959964, abs=1e-6)


def test_t_quantile_is_symmetric_and_refuses_nonsense():
    assert t_quantile(0.025, 7) == pytest.approx(-t_quantile(0.975, 7))
    assert t_quantile(0.5, 3) == 0
    # df = 2 has a closed form: t = (2p − 1) / √(2p(1 − p)) = 0.95/√0.04875
    assert t_quantile(0.975, 2) == pytest.approx(0.95 / math.sqrt(0.04875), rel=1e-9)
    for p, df in ((0, 5), (1, 5), (0.9, 0), (0.9, 2.5)):
        with pytest.raises(ValueError):
            t_quantile(p, df)


@pytest.mark.parametrize(
    ("count", "n", "low", "high"),
    [
        # Newcombe 1998, Statistics in Medicine 17:857–872, Table I, method 3 (Wilson)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_intervals_match_newcombe(count, n, low, high):
    interval = wilson(count, n)
    assert interval.low == pytest.approx(low, abs=5e-5)
    assert interval.high == pytest.approx(high, abs=5e-5)


def test_wilson_edges():
    assert wilson(0, 0) is None
    assert wilson(0, 20).low == 0.0 and wilson(20, 20).high == 1.0
    # n = 1, one success: (1 + z²/2 ± z·√(z²/4)) / (1 + z²) → [1/(1+z²), 1]
    one = wilson(1, 1)
    assert one.low == pytest.approx(1 / (1 + 1.959964**2), abs=1e-6) and one.high == 1.0
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_mean_sd_and_interval_by_hand():
    # scores 1..5 once each: mean 3, s² = (4+1+0+1+4)/4 = 2.5, half = t(.975,4)·√2.5/√5
    s = summary(Distribution({1: 1, 2: 1, 3: 1, 4: 1, 5: 1}))
    assert (s.n, s.mean) == (5, 3.0)
    assert s.sd == pytest.approx(math.sqrt(2.5))
    half = 2.776445 * math.sqrt(2.5) / math.sqrt(5)
    assert s.mean_interval.low == pytest.approx(3 - half, abs=1e-5)
    assert s.mean_interval.high == pytest.approx(3 + half, abs=1e-5)
    assert s.shares == {v: 0.2 for v in range(1, 6)}


def test_a_lopsided_distribution_by_hand():
    # 8 fives, 2 ones: mean 4.2, s² = (8·0.64 + 2·10.24)/9 = 25.6/9
    s = summary(Distribution({5: 8, 1: 2}))
    assert s.mean == pytest.approx(4.2)
    assert s.sd == pytest.approx(math.sqrt(25.6 / 9))
    half = 2.262157 * math.sqrt(25.6 / 9) / math.sqrt(10)
    assert s.mean_interval.high - s.mean == pytest.approx(half, abs=1e-5)
    assert s.counts == {1: 2, 5: 8} and s.shares[5] == 0.8


def test_no_answer_and_one_answer_divide_by_nothing():
    empty = summary(Distribution())
    assert (empty.n, empty.mean, empty.sd, empty.mean_interval, empty.shares) == (
        0,
        None,
        None,
        None,
        {},
    )
    one = summary(Distribution({4: 1}))
    assert (one.n, one.mean, one.sd, one.mean_interval) == (1, 4.0, None, None)
    assert csat(Distribution()).share is None and csat(Distribution()).interval is None
    assert nps(Distribution()).score is None and nps(Distribution()).interval is None
    single = nps(Distribution({10: 1}))
    assert single.score == 100 and single.interval is None
    assert response_rate(0, 0).share is None
    assert choices({"a": 0}, 0, ["a", "b"])[1].share is None


def test_a_spread_of_zero_gives_an_interval_of_no_width():
    s = summary(Distribution({5: 12}))
    assert s.sd == 0 and s.mean_interval.low == s.mean_interval.high == 5


def test_csat_is_the_top_two_with_wilson():
    d = Distribution({5: 150, 4: 50, 3: 30, 2: 20, 1: 13})  # 200 of 263 satisfied
    c = csat(d)
    assert (c.count, c.n) == (200, 263)
    assert c.share == pytest.approx(200 / 263)
    assert c.interval == wilson(200, 263)
    # the complement of Newcombe's 63/263 ... checked through symmetry of Wilson
    other = wilson(63, 263)
    assert c.interval.low == pytest.approx(1 - other.high) and c.interval.high == pytest.approx(
        1 - other.low
    )
    assert csat_of(200, 263) == c


def test_nps_with_its_interval_by_hand():
    # 50 promoters, 30 passives, 20 detractors of 100: NPS 30;
    # Var = (0.5 + 0.2 − 0.3²)/100 = 0.0061; half = 100·1.959964·√0.0061 = 15.3078
    result = nps(Distribution({10: 30, 9: 20, 8: 10, 7: 20, 6: 5, 3: 10, 0: 5}))
    assert (result.n, result.promoters, result.passives, result.detractors) == (100, 50, 30, 20)
    assert result.score == pytest.approx(30)
    assert result.interval.low == pytest.approx(14.6922, abs=1e-4)
    assert result.interval.high == pytest.approx(45.3078, abs=1e-4)
    assert not result.degenerate


def test_nps_interval_stays_within_its_scale_and_says_when_it_has_no_width():
    # 9 promoters and 1 detractor: NPS 80, Var = (0.9 + 0.1 − 0.64)/10 = 0.036, half 37.19
    high = nps(Distribution({10: 9, 0: 1}))
    assert high.score == pytest.approx(80) and high.interval.high == 100.0
    assert high.interval.low == pytest.approx(80 - 100 * 1.959964 * math.sqrt(0.036), abs=1e-3)
    everyone = nps(Distribution({9: 7}))
    assert everyone.score == 100 and everyone.degenerate
    assert everyone.interval.low == everyone.interval.high == 100


def test_response_rate_is_a_wilson_share_and_refuses_more_answers_than_sends():
    rate = response_rate(81, 263)
    assert rate.share == pytest.approx(81 / 263)
    assert rate.interval.low == pytest.approx(0.2553, abs=5e-5)
    with pytest.raises(ValueError):
        response_rate(5, 4)


def test_choices_single_and_multiple():
    single = choices({"kargo": 6, "fiyat": 3, "kalite": 1}, 10, ["kalite", "kargo", "fiyat"])
    assert [(o.option, o.count, o.share) for o in single] == [
        ("kalite", 1, 0.1), ("kargo", 6, 0.6), ("fiyat", 3, 0.3),
    ]  # fmt: skip
    # 4 people answered a multiple choice, ticking 7 boxes: shares of the 4
    multiple = choices({"a": 4, "b": 2, "c": 1}, 4, ["a", "b", "c", "d"])
    assert [o.share for o in multiple] == [1.0, 0.5, 0.25, 0.0]
    assert sum(o.share for o in multiple) > 1
    # an option counted but no longer listed is still shown, after the listed ones
    assert [o.option for o in choices({"z": 1, "a": 1}, 2, ["a"])] == ["a", "z"]


def test_days_and_values_merge_into_one_distribution():
    monday = Distribution({5: 2, 1: 1})
    tuesday = Distribution({5: 1, 3: 4})
    total = merge([monday, tuesday, Distribution()])
    assert total.counts == {5: 3, 1: 1, 3: 4} and total.n == 8
    assert summary(total) == summary(Distribution({1: 1, 3: 4, 5: 3}))
    assert (monday + tuesday) == (tuesday + monday)
    item = {"rt_s1": 2, "rt_s5": 7, "rt_s3": 0, "rt_sum": 37, "day": "2026-12-01"}
    assert from_counters(item, "rt_s", range(1, 6)).counts == {1: 2, 5: 7}
