"""Hooks for the whole test run (loaded by the xdist controller too, unlike tests/e2e/'s)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter) -> None:
    """Print what tests recorded as `summary` (the fuzz run's figures), also from xdist workers."""
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "summary" and getattr(report, "when", "") == "call":
                    terminalreporter.write_line(f"{report.nodeid}: {value}")


#: test modules run first, longest first, on whichever worker is free (`--dist loadfile`
#: hands out files in the order collected): a long module started last is the run's tail,
#: and the first three rebuild the reports or the search index from everything the worker's
#: shared stack holds so far, so early they read a few hundred events, late many thousands
#: (a scripted month of 472 s late in a run). Measured with `--durations` (docs/testing.md).
FIRST = (
    "integration/test_report_month.py",
    "integration/test_search.py",
    "integration/test_reports.py",
    "e2e/test_api_fuzz.py",
    "integration/test_route_permissions.py",
    "infra/test_package.py",
    "e2e/test_soak.py",
    "e2e/test_stack_concurrency.py",
)


def pytest_configure(config) -> None:
    """`--dist loadfile` hands out files in the order collected, not most tests first:
    pytest-xdist 3 sorts its files by their number of tests unless told not to, which put
    FIRST's modules (one or two tests each, minutes long) at the end of the run."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items) -> None:
    """FIRST's modules to the front, in its order; the rest keep theirs."""
    rank = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(f"{item.path.parent.name}/{item.path.name}", len(FIRST)))
