"""Schemathesis against the local stack, from its own /openapi.json, as the admin: no 5xx.

Every operation gets boundary and malformed inputs (the coverage phase: wrong types, values at
and beyond each limit, missing fields, methods a path does not take) and a few generated ones
(fuzzing), deterministically, so a failure replays. The only check is `not_a_server_error`:
whatever the input, the answer is a 2xx or a 4xx in destek's error shape, never a 500.

Left out: the /integrations/ routes (tag `integrations`): they need a Standard Webhooks
signature, so every fuzzed call is a 401 before any input is read; test_signed_calls covers
them. No destructive admin route had to be left out: deleting or replacing rules, policies,
ladders, roles or categories with fuzzed input ends in 2xx/4xx like everything else.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import free_port, sign_in

from .conftest import ROOT, Http, Stack, start_stack

pytestmark = pytest.mark.e2e

#: examples per operation in the fuzzing phase; the coverage phase adds its own boundary cases
EXAMPLES = 3
#: one line per request in the stack's log (the local server's access log)
ACCESS = re.compile(r'"([A-Z]+) (\S+) HTTP/1\.[01]" (\d{3}) ')


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[Stack]:
    running = start_stack(free_port(), free_port())
    yield running
    running.stop()


def access_lines(stack: Stack) -> list[tuple[str, str, int]]:
    text = stack.log.read_text(errors="replace")
    return [(m[1], m[2], int(m[3])) for m in ACCESS.finditer(text)]


def test_no_input_gets_a_server_error(fuzz_stack, record_property):
    token = sign_in(fuzz_stack.env, "admin")
    # chalice local's own server answered methods it does not know (TRACE, QUERY) with an HTML
    # 501; the stack now hands every method to the app, which answers 405 in the error shape
    for method in ("TRACE", "QUERY"):
        status, body = Http(fuzz_stack.url, token).call(method, "/cases")
        assert status == 405 and body["error"]["code"] == "method_not_allowed", (status, body)
    reports = Path(tempfile.mkdtemp(prefix="destek-fuzz-"))
    before = len(access_lines(fuzz_stack))
    started = time.monotonic()
    run = subprocess.run(
        [sys.executable, "-m", "schemathesis.cli", "run", f"{fuzz_stack.url}/openapi.json",
         "--header", f"Authorization: Bearer {token}",
         "--checks", "not_a_server_error",
         "--exclude-tag", "integrations",
         "--phases", "coverage,fuzzing",
         "--max-examples", str(EXAMPLES),
         "--generation-deterministic",  # the same inputs every run (no seed, no database)
         "--workers", "2",
         "--request-timeout", "20",
         "--no-color",
         "--report", "json", "--report-json-path", str(reports / "run.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    seconds = time.monotonic() - started
    requests = access_lines(fuzz_stack)[before:]
    assert (reports / "run.json").exists(), f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    report = json.loads((reports / "run.json").read_text())
    statuses = Counter(status // 100 * 100 for _, _, status in requests)
    phases = re.findall(r"(Coverage|Fuzzing) \(in ([0-9.]+)s\)", run.stdout)
    summary = (
        f"schemathesis: {report['operations']['tested']} operations, "
        f"{report['test_cases']['generated']} test cases, {len(requests)} requests "
        f"({', '.join(f'{n} × {s // 100}xx' for s, n in sorted(statuses.items()))}), "
        f"{seconds:.0f} s ({', '.join(f'{p} {float(t):.0f} s' for p, t in phases)}), "
        f"exit {run.returncode}"
    )
    record_property("summary", summary)  # shown at the end of the run (conftest), xdist or not
    server_errors = [r for r in requests if r[2] >= 500]
    assert run.returncode == 0 and not server_errors, (
        f"{server_errors[:20]}\n{run.stdout[-8000:]}\n{run.stderr[-2000:]}"
    )
    assert report["operations"]["tested"] >= 70
    assert len(requests) > 1000
