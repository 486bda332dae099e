"""`python -m bench.console_load`: the agent console's cold first load in Chromium.

A local stack in this process (devstack, demo data), Debian's Chromium through Playwright
(tests/e2e/browser.py's flags, never a downloaded browser). Each round is a new browser
context, so nothing is cached: an agent (mehmet) whose sign-in is already in the tab, as
when a staff notice's link is opened, loads `/console` and the page draws their first case
list. Counted: the requests and bytes the page took, by kind (HTML, JS, CSS, the API's
JSON), as the browser's resource timing has them (decoded; the API does not compress);
timed: from the start of the navigation to the list on screen, and to the sign-in form for
someone signed out.

Budgets are on bytes (BUDGETS), the same figures `static_sizes` computes from the files
(tests/unit/test_console_weight.py keeps them within budget without a browser); the times
are reported, never budgeted (a loaded 2-core machine is slower, not broken).
`make bench` runs it (`BENCH_CONSOLE=0` leaves it out); BENCH_CONSOLE_ROUNDS (5) rounds.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: bytes the console's first load may take, by kind (docs/performance.md)
BUDGETS = {"js": 400_000, "css": 40_000, "html": 150_000}
ROUNDS = int(os.environ.get("BENCH_CONSOLE_ROUNDS", "5"))
CONSOLE_STATIC = ROOT / "templates" / "console" / "static"
SHARED_STATIC = ROOT / "templates" / "shared" / "static"
IMPORT = re.compile(r"""^\s*import\s[^"']*?from\s+["']([^"']+)["']""", re.MULTILINE)


def first_load_modules(entry: Path = CONSOLE_STATIC / "console.js") -> list[Path]:
    """The ES modules the browser fetches before the console can start: the entry and what
    it imports statically, transitively (an `import()` inside a function, as reports.js's
    Chart.js, is fetched only when used)."""
    seen: list[Path] = []
    todo = [entry.resolve()]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.append(module)
        for target in IMPORT.findall(module.read_text(encoding="utf-8")):
            if module.parent == CONSOLE_STATIC and target.startswith("./shared/"):
                todo.append((SHARED_STATIC / target.removeprefix("./shared/")).resolve())
            else:  # served at /console/shared/, kept in templates/shared/static/
                todo.append((module.parent / target).resolve())
    return seen


def static_sizes() -> dict[str, int]:
    """The first load's bytes by kind, from the files: the page as the API renders it (the
    larger language: its strings ride in the page), the style sheet, the statically
    imported modules."""
    from chalicelib.api import console_page

    html = max(len(console_page.page(lang).encode()) for lang in console_page.LANGUAGES)
    return {
        "html": html,
        "css": (CONSOLE_STATIC / "console.css").stat().st_size,
        "js": sum(module.stat().st_size for module in first_load_modules()),
    }


def over_budget(sizes: dict[str, int]) -> list[str]:
    return [f"console first load {kind}" for kind, most in BUDGETS.items() if sizes[kind] > most]


LIST_SHOWN = """() => {
  const view = document.querySelector("#view");
  const drawn = view && !view.hidden && view.dataset.route !== undefined
    && view.getAttribute("aria-busy") !== "true" && view.querySelector("table.list, p.empty");
  return drawn ? performance.now() : null;
}"""
FORM_SHOWN = """() => {
  const form = document.querySelector("#signin-form");
  return form && !document.querySelector("#signin").hidden ? performance.now() : null;
}"""
#: what the page fetched, from the browser's resource timing: [url, bytes as received]
FETCHED = """() => performance.getEntriesByType("navigation").concat(
  performance.getEntriesByType("resource")).map((e) => [e.name, e.decodedBodySize])"""


def kind_of(url: str, console: str) -> str:
    """html, js, css, api (the API's JSON) or other (another origin: Cognito)."""
    path = url.split("?")[0]
    if not path.startswith(console.rsplit("/console", 1)[0]):
        return "other"
    if path == console:
        return "html"
    return {"js": "js", "css": "css"}.get(path.rsplit(".", 1)[-1], "api")


def _round(browser: Any, url: str, token: str | None) -> dict[str, Any]:
    context = browser.new_context(locale="tr-TR", viewport={"width": 1280, "height": 900})
    if token:  # the tab's session, as console.js keeps it (keepSession)
        session = json.dumps({"idToken": token})
        context.add_init_script(f"sessionStorage.setItem('destek.console', {json.dumps(session)})")
    page = context.new_page()
    page.goto(url, wait_until="commit")
    shown = page.wait_for_function(LIST_SHOWN if token else FORM_SHOWN, timeout=60_000)
    milliseconds = shown.json_value()
    page.wait_for_load_state("networkidle")
    bytes_by: Counter[str] = Counter()
    requests_by: Counter[str] = Counter()
    for fetched, size in page.evaluate(FETCHED):
        kind = kind_of(fetched, url)
        requests_by[kind] += 1
        bytes_by[kind] += size
    context.close()
    return {"ms": milliseconds, "bytes": dict(bytes_by), "requests": dict(requests_by)}


def measure(rounds: int = ROUNDS) -> dict[str, Any]:
    """Medians over `rounds` cold loads, signed in (to the first case list) and not (to the
    sign-in form); bytes and requests of the last signed-in round (every round's are the
    same: no cache)."""
    import logging

    from playwright.sync_api import sync_playwright

    from devstack.stack import LocalStack
    from tests.e2e.browser import FLAGS, ensure_chromium
    from tests.support import free_port, sign_in

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    stack = LocalStack(api_port=free_port(), moto_port=free_port(), mailbox_port=free_port(),
                       site_port=free_port())  # fmt: skip
    stack.start()
    try:
        url = f"{stack.api_url}/console"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(ensure_chromium()),
                                                 args=FLAGS)  # fmt: skip
            _round(browser, url, sign_in(stack.env, "mehmet"))  # warms the stack, not the browser
            signed_in, signed_out = [], []
            for _ in range(rounds):
                signed_in.append(_round(browser, url, sign_in(stack.env, "mehmet")))
                signed_out.append(_round(browser, url, None))
            browser.close()
    finally:
        stack.stop()
    last = signed_in[-1]
    return {
        "rounds": rounds,
        "first_list_ms": statistics.median(r["ms"] for r in signed_in),
        "sign_in_form_ms": statistics.median(r["ms"] for r in signed_out),
        "bytes": last["bytes"],
        "requests": last["requests"],
        "static": static_sizes(),
    }


def report_lines(figures: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Lines for the report and the budgets broken."""
    got, asked = figures["bytes"], figures["requests"]
    broken = over_budget({kind: got.get(kind, 0) for kind in BUDGETS})
    lines = [f"the console's cold first load in Chromium (median of {figures['rounds']} rounds,"
             " a new browser context each)"]  # fmt: skip
    for kind in ("html", "js", "css", "api"):
        budget, size = BUDGETS.get(kind), got.get(kind, 0)
        verdict = (
            ""
            if budget is None
            else f" (budget {budget / 1000:.0f} KB) " + ("ok" if size <= budget else "OVER")
        )
        lines.append(
            f"  {kind:<5} {asked.get(kind, 0):>3} requests {size / 1000:>7.1f} KB{verdict}"
        )
    lines += [
        f"  signed in: first case list on screen {figures['first_list_ms']:.0f} ms after the"
        " navigation started",
        f"  signed out: the sign-in form {figures['sign_in_form_ms']:.0f} ms",
        "  from the files (tests/unit/test_console_weight.py): "
        + ", ".join(f"{k} {v / 1000:.1f} KB" for k, v in figures["static"].items()),
    ]
    return lines, broken


if __name__ == "__main__":
    import logging

    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    started = time.perf_counter()
    shown, broken = report_lines(measure())
    sys.stdout.write("\n".join(shown) + f"\n({time.perf_counter() - started:.0f} s)\n")
    raise SystemExit(1 if broken else 0)
