"""Schemathesis against the local stack, from its own /openapi.json, as the admin: no 5xx.

Every operation gets boundary and malformed inputs (the coverage phase: wrong types, values at
and beyond each limit, missing fields, methods a path does not take) and a few generated ones
(fuzzing), deterministically, so a failure replays. The only check is `not_a_server_error`:
whatever the input, the answer is a 2xx or a 4xx in destek's error shape, never a 500.

Not sent (tests/e2e/fuzz_hooks.py, docs/testing.md "The fuzz"): a field's third to fifth wrong
type (null and one other are), a value one step inside a limit (the value at it is), and TRACE
and QUERY on every path (they are asked of /cases here, and reach the app as every method does).

Left out: the /integrations/ routes (tag `integrations`): they need a Standard Webhooks
signature, so every fuzzed call is a 401 before any input is read; test_signed_calls covers
them. No destructive admin route had to be left out: deleting or replacing rules, policies,
ladders, roles or categories with fuzzed input ends in 2xx/4xx like everything else.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import sign_in

from .conftest import ROOT, Http, Stack, start_stack

pytestmark = pytest.mark.e2e

#: examples per operation in the fuzzing phase; the coverage phase adds its own boundary cases
EXAMPLES = 3
#: schemathesis processes side by side, each on a share of the tags, one worker each: its
#: threaded workers can trip over Python 3.11's ast module (hypothesis describing a lambda)
PROCESSES = 3
#: signed calls only: every fuzzed call is a 401 before any input is read
EXCLUDED_TAGS = {"integrations"}
#: one line per request in the stack's log (the local server's access log)
ACCESS = re.compile(r'"([A-Z]+) (\S+) HTTP/1\.[01]" (\d{3}) ')
#: the methods the coverage phase sends to every path that does not take them (schemathesis's
#: default adds TRACE and QUERY: 346 requests that take the one path every method takes)
CONFIG = """
[phases.coverage]
unexpected-methods = ["get", "put", "post", "delete", "options", "patch"]
"""


@pytest.fixture(scope="module")
def fuzz_stack() -> Iterator[Stack]:
    running = start_stack()
    yield running
    running.discard()


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
    (reports / "schemathesis.toml").write_text(CONFIG)
    groups = tag_groups(fuzz_stack.url, PROCESSES)
    before = len(access_lines(fuzz_stack))
    started = time.monotonic()
    runs = [
        subprocess.Popen(
            schemathesis(fuzz_stack.url, token, tags, reports / f"run{i}.json"),
            cwd=workdir(reports / f"run{i}"),  # its cache lands there, never in the repository
            env={
                **os.environ,
                "SCHEMATHESIS_HOOKS": "tests.e2e.fuzz_hooks",
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])
                ),
            },
            stdout=(reports / f"run{i}.txt").open("w"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        for i, tags in enumerate(groups)
    ]
    codes = [run.wait(timeout=600) for run in runs]
    seconds = time.monotonic() - started
    requests = access_lines(fuzz_stack)[before:]
    outputs = [(reports / f"run{i}.txt").read_text() for i in range(len(runs))]
    assert all((reports / f"run{i}.json").exists() for i in range(len(runs))), outputs
    results = [json.loads((reports / f"run{i}.json").read_text()) for i in range(len(runs))]
    tested = sum(r["operations"]["tested"] for r in results)
    cases = sum(r["test_cases"]["generated"] for r in results)
    statuses = Counter(status // 100 * 100 for _, _, status in requests)
    summary = (
        f"schemathesis: {tested} operations, {cases} test cases, {len(requests)} requests "
        f"({', '.join(f'{n} × {s // 100}xx' for s, n in sorted(statuses.items()))}), "
        f"{seconds:.0f} s, exit codes {codes}"
    )
    record_property("summary", summary)  # shown at the end of the run (conftest), xdist or not
    server_errors = [r for r in requests if r[2] >= 500]
    assert codes == [0] * len(runs) and not server_errors, f"{server_errors[:20]}\n" + "\n".join(
        o[-6000:] for o in outputs
    )
    assert tested >= 75
    assert len(requests) > 1000


def workdir(path: Path) -> Path:
    path.mkdir()
    return path


def tag_groups(url: str, count: int) -> list[list[str]]:
    """The tags (api modules) in `count` groups of about as many operations each."""
    with urllib.request.urlopen(f"{url}/openapi.json", timeout=10) as answer:
        document = json.load(answer)
    per_tag = Counter(op["tags"][0] for item in document["paths"].values() for op in item.values())
    groups: list[list[str]] = [[] for _ in range(count)]
    sizes = [0] * count
    for tag, n in per_tag.most_common():
        if tag in EXCLUDED_TAGS:
            continue
        smallest = sizes.index(min(sizes))
        groups[smallest].append(tag)
        sizes[smallest] += n
    return groups


def schemathesis(url: str, token: str, tags: list[str], report: Path) -> list[str]:
    include = [arg for tag in tags for arg in ("--include-tag", tag)]
    config = report.parent / "schemathesis.toml"
    return [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(config), "run",
        f"{url}/openapi.json", *include,
        "--header", f"Authorization: Bearer {token}",
        "--checks", "not_a_server_error",
        "--phases", "coverage,fuzzing",
        "--max-examples", str(EXAMPLES),
        "--generation-deterministic",  # the same inputs every run (no seed, no database)
        "--workers", "1",
        "--request-timeout", "20",
        "--no-color",
        "--report", "json", "--report-json-path", str(report),
    ]  # fmt: skip
