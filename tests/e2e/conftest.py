"""The local stack in a subprocess (`python -m devstack run`) on free ports, driven over HTTP."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support import free_port, sign_in

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Stack:
    process: subprocess.Popen
    env: dict[str, str]
    api_port: int
    moto_port: int
    log: Path
    state_dir: Path

    @property
    def url(self) -> str:
        return self.env["API_URL"]

    def remove(self) -> None:
        """Delete the state folder (its journal holds every write the test made)."""
        shutil.rmtree(self.state_dir, ignore_errors=True)

    def discard(self) -> None:
        """End the stack at once (SIGKILL) and delete its folder: for a fixture whose data
        nobody reads again, a clean stop's last snapshot (seconds) is wasted."""
        self.process.kill()
        self.process.wait(timeout=60)
        self.remove()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=90)  # the stack ends itself after 30 s
        except subprocess.TimeoutExpired:
            self.process.kill()
            tail = self.log.read_text()[-5000:]
            raise AssertionError(f"the stack did not stop: {tail}") from None


#: how often start_stack tries again when a port it picked was taken before the stack bound it
PORT_RACE_TRIES = 5


class PortTaken(RuntimeError):
    """The stack exited because a port was taken (another process bound it first)."""


def start_stack(
    api_port: int | None = None,
    moto_port: int | None = None,
    extra_env: dict[str, str] | None = None,
    state_dir: Path | None = None,
    fresh: bool = False,
) -> Stack:
    """`python -m devstack run` with its own state folder, never the developer's .devstack.

    Without a state folder the stack starts from a copy of this test run's template: a stack
    provisioned and seeded once per run and stopped cleanly (template_copy), so the start is
    a restart as `make run`'s second start is. Provisioning and seeding are the same every
    time and were about half of every start (7 s and 8 s of 18 s on a quiet machine), once
    per test module. `fresh=True` provisions and seeds (the tests of a first start). A
    restart test passes the folder of the stack it stopped.

    A port not given is picked here (free_port). A picked port is free when picked, not
    when the stack binds it a moment later: on a busy machine another process may take it
    in between ("Address already in use", seen in CI), so the start is tried again with
    new picks, at most PORT_RACE_TRIES times. Ports given by the caller are kept."""
    if state_dir is None and not fresh:
        state_dir = template_copy()
    for attempt in range(PORT_RACE_TRIES):
        try:
            return _start_once(api_port or free_port(), moto_port or free_port(), extra_env,
                               state_dir)  # fmt: skip
        except PortTaken:
            if attempt == PORT_RACE_TRIES - 1:
                raise
    raise AssertionError("unreachable")


#: the run's templates, one per Istanbul day (the seed's data is dated from its day); shared
#: by the run's xdist workers, which have the run's id in PYTEST_XDIST_TESTRUNUID
TEMPLATES = Path(tempfile.gettempdir()) / "destek-e2e-templates"


def template_copy() -> Path:
    """A new state folder holding a copy of the run's template data (made here, under a
    lock, by whichever worker asks first; the other waits and copies it)."""
    from chalicelib.domain.clock import ISTANBUL, utcnow

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID") or f"pid{os.getpid()}"
    TEMPLATES.mkdir(exist_ok=True)
    with (TEMPLATES / "lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        template = TEMPLATES / run / utcnow().astimezone(ISTANBUL).date().isoformat()
        if not (template / "data" / "ready").exists():
            _forget_other_runs(keep=run)
            made = start_stack(fresh=True)
            assert made.stop() == 0, made.log.read_text()[-3000:]
            shutil.copytree(made.state_dir / "data", template / "data")
            made.remove()
        target = Path(tempfile.mkdtemp(prefix="destek-state-"))
        shutil.copytree(template / "data", target / "data")
    return target


def _forget_other_runs(keep: str) -> None:
    """Delete templates of earlier runs (a day old at least: a run beside this one keeps
    its own)."""
    for folder in TEMPLATES.iterdir():
        old = time.time() - folder.stat().st_mtime > 86_400
        if folder.is_dir() and folder.name != keep and old:
            shutil.rmtree(folder, ignore_errors=True)


def _start_once(
    api_port: int, moto_port: int, extra_env: dict[str, str] | None, state_dir: Path | None
) -> Stack:
    state_dir = state_dir or Path(tempfile.mkdtemp(prefix="destek-state-"))
    stack_file = state_dir / "stack.json"
    log = state_dir / f"stack-{time.time_ns()}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack", "run", "--api-port", str(api_port), "--moto-port",
         str(moto_port), "--mailbox-port", str(free_port()), "--site-port", str(free_port()),
         "--schedule-every", "1", "--state-dir", str(state_dir)],
        cwd=ROOT,
        # the reconciler re-sends routing for a case still `new` after the grace: at 2 s, a
        # loaded machine's routing queue was always that late, and every case went round
        # again each second (584 re-sends for 90 cases), slowing routing further
        env={**os.environ, "ROUTING_GRACE_SECONDS": "10", **(extra_env or {})},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 180  # a cold start on a loaded 2-core machine
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text()[-3000:]
            if "Address already in use" in said:
                raise PortTaken(said)
            raise RuntimeError(f"the stack exited: {said}")
        try:
            where = json.loads(stack_file.read_text())
            if where.get("pid") == process.pid:
                urllib.request.urlopen(f"http://127.0.0.1:{api_port}/health", timeout=5)
                return Stack(process, where["env"], api_port, moto_port, log, state_dir)
        except (FileNotFoundError, urllib.error.URLError, ConnectionError, json.JSONDecodeError):
            pass
        time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"the stack did not start: {log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Debian's Chromium through Playwright, one per test module (tests/e2e/browser.py)."""
    from playwright.sync_api import sync_playwright

    from .browser import FLAGS, ensure_chromium

    executable = ensure_chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def stack() -> Iterator[Stack]:
    running = start_stack()
    yield running
    running.discard()


class Http:
    def __init__(self, base: str, token: str | None = None, timeout: float = 60) -> None:
        self.base = base
        self.token = token
        self.timeout = timeout  # seconds; generous, a loaded 2-core machine is slow, not broken

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        if self.token:
            request.add_header("authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def http(stack):
    def as_user(username: str | None) -> Http:
        return Http(stack.url, sign_in(stack.env, username) if username else None)

    return as_user


#: how much longer than on an idle machine a test waits for the stack's asynchronous work
#: (routing, notices, schedules): on two cores shared with other test runs, queues and
#: schedules run several times slower; a test that passes waits no longer for it
PATIENCE = float(os.environ.get("DESTEK_TEST_PATIENCE", "4"))


def _patient_expect() -> None:
    """Playwright's `expect` waits 5 s by default, whatever a page's default timeout says: a
    screen drawn after two API calls on a loaded machine took longer (a view's next page,
    seen once). It waits PATIENCE times that; a passing assertion returns as soon as it holds."""
    from playwright.sync_api import expect

    expect.set_options(timeout=5_000 * PATIENCE)


_patient_expect()


def eventually(check, timeout: float = 20.0, every: float = 0.3):
    """Poll until check() returns something truthy; the stack works asynchronously.

    `timeout` is what the work takes on an idle machine; the wait is PATIENCE times that."""
    deadline = time.monotonic() + timeout * PATIENCE
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(every)


#: the fields of PUT /groups/{id} (services/directory.py GroupDetails)
GROUP_FIELDS = ("name", "members", "supervisors", "is_default", "calendar_id", "auto_assign",
                "arrivals", "digest_minutes", "version")  # fmt: skip


def set_arrivals(admin: Http, group_id: str, arrivals: str) -> None:
    """Set how the group's members hear of unassigned arrivals (`each`: one email per case;
    the default, a 15-minute digest, comes later than a test waits)."""
    status, group = admin.call("GET", f"/groups/{group_id}")
    assert status == 200, group
    details = {k: group[k] for k in GROUP_FIELDS if k in group}
    status, saved = admin.call("PUT", f"/groups/{group_id}", {**details, "arrivals": arrivals})
    assert status == 200, saved
