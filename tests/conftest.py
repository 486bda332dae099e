"""Hooks for the whole test run (loaded by the xdist controller too, unlike tests/e2e/'s)."""

from __future__ import annotations


def pytest_terminal_summary(terminalreporter) -> None:
    """Print what tests recorded as `summary` (the fuzz run's figures), also from xdist workers."""
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "summary" and getattr(report, "when", "") == "call":
                    terminalreporter.write_line(f"{report.nodeid}: {value}")
