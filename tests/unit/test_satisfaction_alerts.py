"""The deviation alert's decision: a significant fall is flagged, small samples, small
falls and rises are not; z and p checked by hand."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.satisfaction_alerts import (
    AlertRule,
    WeekTally,
    alert_weeks,
    find_deviations,
    one_sided_z,
)

STEADY = [WeekTally(responses=25, satisfied=22)] * 8  # 200 ratings, 176 satisfied: 88%


def test_a_significant_fall_is_flagged_with_the_numbers_checked_by_hand():
    # week 30 of 40 (75%) against 176 of 200 (88%): pooled 206/240,
    # z = 0.13 / √(206/240 · 34/240 · (1/40 + 1/200)) = 0.13 / 0.060398 = 2.1524,
    # p = 1 − Φ(2.1524) = 0.01568
    found = find_deviations("group", {"teslimat": [*STEADY, WeekTally(40, 30)]})
    assert len(found) == 1
    d = found[0]
    assert (d.dimension, d.value, d.responses, d.satisfied) == ("group", "teslimat", 40, 30)
    assert (d.baseline_responses, d.baseline_satisfied) == (200, 176)
    assert d.share == 0.75 and d.baseline_share == 0.88
    assert d.drop == pytest.approx(13.0)
    pooled = 206 / 240
    z = 0.13 / math.sqrt(pooled * (1 - pooled) * (1 / 40 + 1 / 200))
    assert d.z == pytest.approx(z) and d.z == pytest.approx(2.1524, abs=1e-4)
    assert d.p_value == pytest.approx(0.01568, abs=1e-5)


def test_small_samples_are_not_flagged_however_bad():
    thin_week = {"a": [*STEADY, WeekTally(19, 5)]}  # 26%, but 19 ratings
    assert find_deviations("agent", thin_week) == []
    thin_base = {"a": [WeekTally(4, 4)] * 8 + [WeekTally(40, 10)]}  # baseline of 32
    assert find_deviations("agent", thin_base) == []


def test_a_rise_and_a_steady_week_are_not_flagged():
    assert find_deviations("group", {"g": [*STEADY, WeekTally(40, 40)]}) == []
    assert find_deviations("group", {"g": [*STEADY, WeekTally(40, 35)]}) == []


def test_a_fall_under_ten_points_is_not_flagged_even_when_significant():
    # 9 points on large samples: z ≈ 6.5, still not flagged
    base = [WeekTally(1000, 880)] * 8
    assert find_deviations("category", {"c": [*base, WeekTally(1000, 790)]}) == []
    # exactly 10 points is
    assert len(find_deviations("category", {"c": [*base, WeekTally(1000, 780)]})) == 1


def test_a_big_fall_that_is_not_significant_is_not_flagged():
    base = [WeekTally(5, 5)] * 4 + [WeekTally(5, 4)] * 4  # 36 of 40: 90%
    # 20 of 25 (80%): 10 points down, but z = 0.1 / √(56/65 · 9/65 · (1/25 + 1/40)) = 1.136,
    # p = 0.128: not flagged
    assert find_deviations("agent", {"x": [*base, WeekTally(25, 20)]}) == []
    # 14 of 20 (70%): z = 0.2 / √(50/60 · 10/60 · (1/20 + 1/40)) = 1.9596, p = 0.025
    assert find_deviations("agent", {"x": [*base, WeekTally(20, 14)]})[0].z == pytest.approx(
        1.9596, abs=1e-4
    )


def test_only_the_last_eight_weeks_before_are_the_baseline_and_missing_weeks_are_empty():
    old = [WeekTally(1000, 0)] * 5  # ignored: older than the baseline
    tallies = {"g": [*old, *STEADY, WeekTally(40, 30)]}
    assert find_deviations("group", tallies)[0].baseline_responses == 200
    short = {"g": [WeekTally(50, 45), WeekTally(40, 30)]}  # one week of baseline is enough
    assert find_deviations("group", short)[0].baseline_share == 0.9
    assert find_deviations("group", {"g": []}) == []


def test_no_spread_and_no_ratings_give_no_test():
    assert one_sided_z(WeekTally(0, 0), WeekTally(10, 5)) is None
    assert one_sided_z(WeekTally(10, 10), WeekTally(10, 10)) is None
    assert one_sided_z(WeekTally(10, 0), WeekTally(10, 0)) is None


def test_largest_fall_first_and_thresholds_can_be_set():
    tallies = {"a": [*STEADY, WeekTally(40, 30)], "b": [*STEADY, WeekTally(40, 20)]}
    assert [d.value for d in find_deviations("group", tallies)] == ["b", "a"]
    strict = AlertRule(alpha=0.001)
    assert [d.value for d in find_deviations("group", tallies, strict)] == ["b"]


@pytest.mark.parametrize(
    ("now", "start", "code"),
    [
        (datetime(2026, 12, 7, 5, 0, tzinfo=UTC), date(2026, 11, 30), "2026-W49"),
        # Sunday 22:00 UTC is Monday 01:00 in Istanbul
        (datetime(2026, 12, 13, 22, 0, tzinfo=UTC), date(2026, 12, 7), "2026-W50"),
    ],
)
def test_the_tested_week_and_its_baseline(now, start, code):
    weeks = alert_weeks(now)
    assert (weeks.start, weeks.code) == (start, code)
    assert len(weeks.baseline) == 8
    assert weeks.baseline[0][0] == date.fromordinal(start.toordinal() - 56)
    assert weeks.baseline[-1] == (date.fromordinal(start.toordinal() - 7),
                                  date.fromordinal(start.toordinal() - 1))  # fmt: skip
    assert weeks.all[-1] == (start, date.fromordinal(start.toordinal() + 6))
    assert all(s.weekday() == 0 and (e - s).days == 6 for s, e in weeks.all)
