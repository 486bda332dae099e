"""Headless Chromium for the site's tests: Debian's chromium driven by Playwright.

The browser is the machine's own (`/usr/bin/chromium`), never a downloaded one;
when it is missing the test set-up installs Debian's package. The flags keep
Chromium from reaching for Google's services, which this machine cannot reach.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "site"


def ensure_chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        pytest.fail("Debian's chromium is missing: run `apt-get install -y chromium` as root")
    subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
    done = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "chromium"], capture_output=True, text=True
    )
    if done.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(f"could not install chromium: {done.stderr[-2000:]}")
    return CHROMIUM


def screenshot(page, name: str) -> Path:
    """Keep a picture of the page as a test artifact (the README.md and docs/ show some)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def console_ready(page) -> None:
    """The console's #view shows the screen the address bar names and has finished drawing it.

    A click on a link returns once the hash has changed, before the console's hashchange
    handler has even marked the view busy, so `aria-busy` alone can pass on the old screen;
    the console writes the hash it drew into `data-route` (console.js, route())."""
    from playwright.sync_api import expect

    view = page.locator("#view")
    expect(view).to_have_attribute("data-route", page.evaluate("location.hash"))
    expect(view).not_to_have_attribute("aria-busy", "true")
