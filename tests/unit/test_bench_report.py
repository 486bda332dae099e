"""`make bench`'s verdict on latency at the largest size (bench/latency.py)."""

from __future__ import annotations

from collections import Counter

from bench.latency import OPERATIONS, Sweep, Timings, report_lines


def _timings(size: int, wall: float, cpu: float) -> Timings:
    return Timings(
        size, size * 6, 1.0,
        {name: [wall] * 5 for name in OPERATIONS}, {name: [cpu] * 5 for name in OPERATIONS},
    )  # fmt: skip


def _sweep(size: int, queries: int) -> Sweep:
    return Sweep(size, 10.0, 300, Counter({"Query": queries, "TransactWriteItems": 100}))


def test_flat_latency_passes() -> None:
    timings = [_timings(0, 0.08, 0.05), _timings(1000, 0.09, 0.05), _timings(100_000, 0.1, 0.06)]
    lines, broken = report_lines(timings, [_sweep(1000, 102), _sweep(100_000, 102)])
    assert broken == []
    assert any("create a case" in line and "ok" in line for line in lines)


def test_slower_in_wall_clock_only_is_the_machine_not_the_data() -> None:
    timings = [_timings(0, 0.08, 0.05), _timings(1000, 0.08, 0.05), _timings(100_000, 0.3, 0.06)]
    assert report_lines(timings, [])[1] == []


def test_slower_in_both_is_a_miss_and_a_growing_sweep_too() -> None:
    timings = [_timings(0, 0.08, 0.05), _timings(1000, 0.08, 0.05), _timings(100_000, 0.3, 0.2)]
    broken = report_lines(timings, [_sweep(1000, 102), _sweep(100_000, 140)])[1]
    assert "create a case at 100,000 over 2x of empty" in broken
    assert "queue page (pool, priority) at 100,000 over 2x of 1,000" in broken
    assert "sweep calls grew with the table" in broken
