"""Fires the app's schedule handlers at their rates, as EventBridge rules would."""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .lambda_runtime import LocalContext, scheduled_event

log = logging.getLogger("devstack.scheduler")
_RATE = re.compile(r"rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)")
_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


def rate_seconds(expression: str) -> int:
    match = _RATE.fullmatch(expression.strip())
    if not match:
        raise ValueError(f"only rate() schedules run locally: {expression}")
    return int(match.group(1)) * _SECONDS[match.group(2).rstrip("s")]


@dataclass
class Job:
    name: str
    every_seconds: float
    handler: Callable[[dict[str, Any], Any], Any]


class Scheduler:
    def __init__(
        self, jobs: list[Job], region: str, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.jobs = jobs
        self.region = region
        self.clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def fire(self, job: Job) -> None:
        try:
            job.handler(scheduled_event(job.name, self.region), LocalContext(job.name))
        except Exception:
            log.exception("schedule %s failed", job.name)

    def _run(self) -> None:
        next_run = {job.name: self.clock() + job.every_seconds for job in self.jobs}
        while not self._stop.is_set():
            for job in self.jobs:
                if self.clock() >= next_run[job.name]:
                    self.fire(job)
                    # counted from the end of the run: on a busy machine a run that outlasts
                    # its interval would otherwise start again at once, back to back, forever
                    next_run[job.name] = self.clock() + job.every_seconds
            self._stop.wait(0.5)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
