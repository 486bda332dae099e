"""How long the local stack takes to come back with a shop's data: `make bench-restart`.

A state folder is filled with N cases (bench/loader.py, straight into moto) by a local
stack in a child process, which then stops cleanly (its last snapshot keeps the loaded
data); then `python -m devstack run` is started on that folder, as `make run` would, and
timed until it serves: /health answers and an agent reads a loaded case through the API.
The restore's own figures (snapshot load, journal replay) come from the stack's log.

    python -m bench.restart                 # 100,000 cases (RESTART_CASES=2000 for less)
    python -m bench.restart build N DIR     # only fill DIR (the child's part)

Exit status 1 when the stack took longer than the budget (60 s) to serve.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUDGET_SECONDS = 60.0


@dataclass
class Restart:
    cases: int
    items: int
    load_seconds: float  # filling the folder (not part of the restart)
    save_seconds: float  # the last snapshot at the clean stop
    snapshot_bytes: int
    serve_seconds: float  # `devstack run` started -> a loaded case read through the API
    restore_line: str  # the stack's own account of the restore


def build(cases: int, folder: Path) -> dict[str, float]:
    """Fill `folder` with the demo data and `cases` loaded cases, stop cleanly; figures."""
    sys.path.insert(0, str(ROOT))
    from chalicelib import wiring
    from devstack.bootstrap import REGION
    from devstack.stack import LocalStack
    from tests.support import free_port

    from .loader import Loader

    stack = LocalStack(
        api_port=free_port(), moto_port=free_port(), mailbox_port=free_port(),
        site_port=free_port(), state_dir=folder,
    )  # fmt: skip
    stack.start()
    stack.scheduler.stop()
    loader = Loader(wiring.table(), REGION)
    started = time.perf_counter()
    items = loader.grow_to(cases - 1)
    probe = loader.open_cases(1, "urun")[0]  # the case the restarted stack must serve
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    _wait_for_stream(stack)
    drained = time.perf_counter() - started
    stack.stop_parts()
    started = time.perf_counter()
    stack.close()  # the last snapshot: the loaded items are in no journal
    saved = time.perf_counter() - started
    size = (folder / "data" / "snapshot.pickle").stat().st_size
    return {"items": items, "load": loaded, "drain": drained, "save": saved, "bytes": size,
            "probe": probe}  # fmt: skip


def _wait_for_stream(stack: Any, timeout: float = 3600.0) -> None:
    """Until the stack's stream reader has handled every record the load wrote.

    The loader's items come as an import (no stream records, bench/loader.py), but the
    demo data and the probe case write some; a stack that had run reads its stream as it
    goes and drops what it handled (streams.py `_trim`, as DynamoDB's 24-hour retention
    does), so the snapshot is taken once the reader has caught up, not with a backlog no
    running stack carries."""
    _, shard = stack.stream._shard()
    deadline = time.monotonic() + timeout
    while shard.items:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the stream reader left {len(shard.items):,} records unread")
        time.sleep(0.5)


def measure(cases: int) -> Restart:
    folder = Path(tempfile.mkdtemp(prefix="destek-restart-"))
    try:
        built = subprocess.run(
            [sys.executable, "-m", "bench.restart", "build", str(cases), str(folder)],
            cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        if built.returncode != 0:
            raise RuntimeError(f"building {cases:,} cases failed: {built.stderr[-3000:]}")
        figures = json.loads(built.stdout.strip().splitlines()[-1])
        serve, line = _time_start(folder, figures["probe"])
        return Restart(cases, int(figures["items"]), figures["load"], figures["save"],
                       int(figures["bytes"]), serve, line)  # fmt: skip
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _time_start(folder: Path, case_id: str) -> tuple[float, str]:
    sys.path.insert(0, str(ROOT))
    from tests.support import free_port, sign_in

    api = free_port()
    log = folder / "run.log"
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack", "run", "--state-dir", str(folder),
         "--api-port", str(api), "--moto-port", str(free_port()),
         "--site-port", str(free_port()), "--mailbox-port", str(free_port())],
        cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the stack exited: {log.read_text()[-3000:]}")
            try:
                where = json.loads((folder / "stack.json").read_text())
                if where.get("pid") == process.pid:
                    urllib.request.urlopen(f"http://127.0.0.1:{api}/health", timeout=5)
                    break
            except (FileNotFoundError, ValueError, urllib.error.URLError, ConnectionError):
                pass
            if time.perf_counter() - started > 600:
                raise RuntimeError(f"the stack did not start: {log.read_text()[-3000:]}")
            time.sleep(0.1)
        token = sign_in(where["env"], "mehmet")
        request = urllib.request.Request(
            f"http://127.0.0.1:{api}/cases/{case_id}",
            headers={"authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=60) as answer:
            assert json.loads(answer.read())["case"]["subject"]
        took = time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=300)
    found = re.search(r"devstack (restored .*)", log.read_text())
    return took, found.group(1) if found else "(no restore line in the log)"


def report_lines(result: Restart) -> tuple[list[str], list[str]]:
    verdict = "ok" if result.serve_seconds <= BUDGET_SECONDS else "OVER"
    lines = [
        "",
        f"restart at {result.cases:,} cases ({result.items:,} items): `devstack run` serves a"
        f" loaded case after {result.serve_seconds:.1f} s"
        f" (budget {BUDGET_SECONDS:.0f} s) {verdict}",
        f"  snapshot {result.snapshot_bytes / 1e6:.0f} MB, written at the clean stop in"
        f" {result.save_seconds:.1f} s; data loaded in {result.load_seconds:.0f} s",
        f"  {result.restore_line}",
    ]
    broken = [] if verdict == "ok" else [f"restart at {result.cases:,} cases"]
    return lines, broken


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        figures = build(int(argv[1]), Path(argv[2]))
        sys.stdout.write(json.dumps(figures) + "\n")
        return 0
    cases = int(os.environ.get("RESTART_CASES", "100000"))
    lines, broken = report_lines(measure(cases))
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
