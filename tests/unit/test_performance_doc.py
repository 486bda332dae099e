"""docs/performance.md is written by `make bench` (bench/report.py): canned figures here."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bench.latency import OPERATIONS, Sweep, Timings
from bench.package import PackageFigures
from bench.report import DOCUMENT, MARKER, Run, render, write

HAND_WRITTEN = "# Performance\n\nHow to read this, written by people.\n\n"


def _run(**overrides) -> Run:
    timings = [
        Timings(size, size * 6, 1.0, {n: [wall] * 5 for n in OPERATIONS},
                {n: [wall / 2] * 5 for n in OPERATIONS}, load_average=3.0)
        for size, wall in ((0, 0.080), (1000, 0.090))
    ]  # fmt: skip
    figures = dict(
        date="2031-05-17",
        machine="2 cores, load average 3.0 at the start",
        calls=[
            ("open case (customer id known)", Counter(TransactWriteItems=1, SendMessage=1)),
            ("read case with history (by id)", Counter(Query=2)),
        ],
        budgets={
            "open case (customer id known)": {"TransactWriteItems": 1, "SendMessage": 1},
            "read case with history (by id)": {"Query": 1},
        },
        latency=timings,
        sweeps=[Sweep(1000, 8.9, 300, Counter({"Query": 102, "(items read from the index)": 100}))],
        cold_start=(0.349, 0.624),
        package=PackageFigures(14_122_454, 43_028_832, [("cryptography", 4_697_039)], 0.4, 0.6,
                               0.5, runs=9),
        broken=["read case with history (by id)"],
    )  # fmt: skip
    return Run(**{**figures, **overrides})


def test_the_measured_part_says_when_and_what(tmp_path: Path) -> None:
    text = render(_run())
    assert text.startswith(MARKER)
    assert "# Measured on 2031-05-17" in text
    assert "| open case (customer id known) | SendMessage 1, TransactWriteItems 1 |" in text
    assert "Query ≤ 1 ✘ OVER" in text  # a broken budget is said where it broke
    assert "Budgets broken: read case with history (by id)." in text
    assert "| create a case | 80 / 80 [40] | 90 / 90 [45] | 1.1× of empty |" in text
    assert "| 1,000 | 300 | 100 | Query 102 | 8.9 s |" in text  # the index count is its own column
    assert "ratio **1.79** (budget 2.0) ✔" in text
    assert "**14.1 MB** zipped (14,122,454 bytes)" in text
    assert "cryptography 4.7 MB" in text


def test_writing_keeps_the_hand_written_part_and_replaces_the_last_run(tmp_path: Path) -> None:
    document = tmp_path / "performance.md"
    document.write_text(HAND_WRITTEN + MARKER + "\n\n# Measured on 2020-01-01\n\nold figures\n")
    write(_run(), document)
    once = document.read_text()
    assert once.startswith(HAND_WRITTEN + MARKER)
    assert "2020-01-01" not in once and "old figures" not in once
    write(_run(date="2031-05-18"), document)
    twice = document.read_text()
    assert twice.count(MARKER) == 1 and "# Measured on 2031-05-18" in twice
    assert twice.startswith(HAND_WRITTEN)


def test_a_quick_run_without_latency_or_package_still_writes(tmp_path: Path) -> None:
    text = render(_run(latency=[], sweeps=[], package=None, broken=[]))
    assert "Latency" not in text and "Lambda package" not in text
    assert "Budgets broken: none." in text


def test_a_file_without_the_marker_is_not_overwritten(tmp_path: Path) -> None:
    document = tmp_path / "performance.md"
    document.write_text(HAND_WRITTEN)
    with pytest.raises(ValueError, match="marker"):
        write(_run(), document)
    assert document.read_text() == HAND_WRITTEN


def test_the_repositorys_document_has_the_marker_and_a_dated_run() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert text.count(MARKER) == 1
    assert "# Measured on 20" in text.split(MARKER, 1)[1]


def test_knowledge_base_relevance_has_its_own_section() -> None:
    text = render(_run(relevance=["77 customer questions ...: recall@3 **0.86**, MRR **0.78**"]))
    assert "## Knowledge base relevance" in text
    assert "recall@3 **0.86**, MRR **0.78**" in text
    assert "## Knowledge base relevance" not in render(_run())
