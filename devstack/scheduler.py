"""Fires the app's schedule handlers at their rates, as EventBridge rules would.

`rate(...)` schedules run every so many seconds from the stack's start (for tests,
`--schedule-every` says how many seconds a minute takes: a 5-minute rate then runs five
times as seldom as a 1-minute one); `cron(...)` schedules run at their times on the
wall clock in UTC, as EventBridge rules do, whatever `--schedule-every` says (a weekly
email is not sent every few seconds). The cron fields the app uses are understood:
minutes, hours, `?`/`*` for the days of the month, `*` months, days of the week (`MON`,
`MON-FRI`, `MON,THU`, or 1-7 from Sunday) and `*` years.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
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


_CRON = re.compile(r"cron\((.+)\)")
#: EventBridge's days of the week: 1 is Sunday
_WEEKDAYS = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def _values(field: str, names: dict[str, int], low: int, high: int) -> set[int] | None:
    """A cron field's values; None for any (`*` or `?`)."""
    if field in ("*", "?"):
        return None
    found: set[int] = set()
    for part in field.split(","):
        first, _, last = part.partition("-")
        a = names.get(first.upper()) or int(first)
        b = (names.get(last.upper()) or int(last)) if last else a
        if not (low <= a <= b <= high):
            raise ValueError(f"cron field {field!r} out of range")
        found |= set(range(a, b + 1))
    return found


def cron_next(expression: str, after: datetime) -> datetime:
    """The first minute after `after` (UTC) that `cron(m h dom month dow year)` names."""
    match = _CRON.fullmatch(expression.strip())
    if not match:
        raise ValueError(f"not a cron() schedule: {expression}")
    fields = match.group(1).split()
    if len(fields) != 6 or fields[3] != "*" or fields[5] != "*":
        raise ValueError(f"only cron(m h dom * dow *) schedules run locally: {expression}")
    minutes = _values(fields[0], {}, 0, 59)
    hours = _values(fields[1], {}, 0, 23)
    days = _values(fields[2], {}, 1, 31)
    weekdays = _values(fields[4], _WEEKDAYS, 1, 7)
    moment = after.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(366 * 24 * 60):
        if ((minutes is None or moment.minute in minutes)
                and (hours is None or moment.hour in hours)
                and (days is None or moment.day in days)
                and (weekdays is None or (moment.isoweekday() % 7) + 1 in weekdays)):  # fmt: skip
            return moment
        moment += timedelta(minutes=1)
    raise ValueError(f"cron() schedule never fires: {expression}")


@dataclass
class Job:
    name: str
    every_seconds: float
    handler: Callable[[dict[str, Any], Any], Any]
    #: a `cron(...)` expression: the job runs at its times on the wall clock instead
    cron: str | None = None


class Scheduler:
    def __init__(
        self,
        jobs: list[Job],
        region: str,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.jobs = jobs
        self.region = region
        self.clock = clock
        #: the wall clock, for cron jobs
        self.wall = wall
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def fire(self, job: Job) -> None:
        try:
            job.handler(scheduled_event(job.name, self.region), LocalContext(job.name))
        except Exception:
            log.exception("schedule %s failed", job.name)

    def _run(self) -> None:
        next_run = {job.name: self.clock() + job.every_seconds for job in self.jobs
                    if job.cron is None}  # fmt: skip
        next_at = {job.name: cron_next(job.cron, self.wall()) for job in self.jobs if job.cron}
        while not self._stop.is_set():
            for job in self.jobs:
                if job.cron is not None:
                    if self.wall() >= next_at[job.name]:
                        self.fire(job)
                        next_at[job.name] = cron_next(job.cron, self.wall())
                    continue
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
