"""The local stack in a subprocess (`python -m devstack run`) on free ports, driven over HTTP."""

from __future__ import annotations

import json
import os
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

    @property
    def url(self) -> str:
        return self.env["API_URL"]

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            return self.process.wait(timeout=90)  # the stack ends itself after 30 s
        except subprocess.TimeoutExpired:
            self.process.kill()
            tail = self.log.read_text()[-5000:]
            raise AssertionError(f"the stack did not stop: {tail}") from None


def start_stack(api_port: int, moto_port: int, extra_env: dict[str, str] | None = None) -> Stack:
    env_file = Path(tempfile.mkdtemp()) / "stack.json"
    log = env_file.with_name("stack.log")
    process = subprocess.Popen(
        [sys.executable, "-m", "devstack", "run", "--api-port", str(api_port), "--moto-port",
         str(moto_port), "--mailbox-port", str(free_port()), "--site-port", str(free_port()),
         "--schedule-every", "1",
         "--env-file", str(env_file)],
        cwd=ROOT,
        env={**os.environ, "ROUTING_GRACE_SECONDS": "2", **(extra_env or {})},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the stack exited: {log.read_text()[-3000:]}")
        if env_file.exists() and env_file.stat().st_size:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{api_port}/health", timeout=2)
                return Stack(process, json.loads(env_file.read_text()), api_port, moto_port, log)
            except (urllib.error.URLError, ConnectionError, json.JSONDecodeError):
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
    running = start_stack(free_port(), free_port())
    yield running
    running.stop()


class Http:
    def __init__(self, base: str, token: str | None = None) -> None:
        self.base = base
        self.token = token

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("content-type", "application/json")
        if self.token:
            request.add_header("authorization", f"Bearer {self.token}")
        try:
            with urllib.request.urlopen(request, timeout=15) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


@pytest.fixture(scope="module")
def http(stack):
    def as_user(username: str | None) -> Http:
        return Http(stack.url, sign_in(stack.env, username) if username else None)

    return as_user


def eventually(check, timeout: float = 20.0, every: float = 0.3):
    """Poll until check() returns something truthy; the stack works asynchronously."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(every)
