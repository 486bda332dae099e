"""The console's first load stays within its byte budgets (bench/console_load.py,
docs/performance.md), counted from the files the API serves: no browser, nothing timed."""

from __future__ import annotations

import pytest

from bench.console_load import (
    BUDGETS,
    CONSOLE_STATIC,
    first_load_modules,
    report_lines,
    static_sizes,
)
from bench.report import Run, render


@pytest.fixture
def configured(monkeypatch):
    """The page's Cognito settings as a deployment's are (their length, not their values)."""
    from chalicelib.api import console_page

    config = {"region": "eu-central-1", "userPoolId": "eu-central-1_AbCdEfGhI",
              "clientId": "1a2b3c4d5e6f7g8h9i0j1k2l3m",
              "cognitoEndpoint": "https://cognito-idp.eu-central-1.amazonaws.com/"}  # fmt: skip
    monkeypatch.setattr(console_page, "browser_config", lambda: config)
    console_page.page.cache_clear()
    yield
    console_page.page.cache_clear()


def test_the_shipped_first_load_is_within_its_budgets(configured) -> None:
    sizes = static_sizes()
    assert {kind: size for kind, size in sizes.items() if size > BUDGETS[kind]} == {}, sizes


def test_the_first_load_is_what_console_js_imports_and_never_chart_js() -> None:
    names = {module.name for module in first_load_modules()}
    # the frame, the session and the first screen (the case lists) with what they draw with
    assert {"console.js", "session.js", "lists.js", "macros.js", "views.js"} <= names
    # every other screen is fetched with import() when it is first opened
    later = {"case_screen.js", "customer.js", "admin.js", "reports.js", "catalog_admin.js", "kb.js"}
    assert names & later == set()
    # ./shared/ is served from templates/shared/static/, and counts like the console's own
    assert {"dom.js", "i18n.js", "format.js", "api.js"} <= names
    # reports.js adds Chart.js as a classic script when a report is drawn, not at the first load
    assert "chart.umd.min.js" not in names
    assert 'script.src = "console/chart.umd.min.js"' in (CONSOLE_STATIC / "reports.js").read_text()


def test_a_broken_byte_budget_is_said_and_counted() -> None:
    figures = {
        "rounds": 3, "first_list_ms": 812.0, "sign_in_form_ms": 301.0,
        "bytes": {"html": 70_000, "js": BUDGETS["js"] + 1, "css": 9_000, "api": 5_000},
        "requests": {"html": 1, "js": 12, "css": 1, "api": 6},
        "static": {"html": 70_000, "css": 9_000, "js": 230_000},
    }  # fmt: skip
    lines, broken = report_lines(figures)
    assert broken == ["console first load js"]
    assert any(line.strip().startswith("js") and line.endswith("OVER") for line in lines)
    assert any("first case list on screen 812 ms" in line for line in lines)
    text = render(Run(date="2031-05-17", machine="2 cores", console=lines))
    assert "## The console's first load" in text
