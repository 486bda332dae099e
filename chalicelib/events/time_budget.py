"""How long an invocation may go on with a chain of steps itself (the search index's and
the reports' rebuilds: services/search.py `SearchRebuild.run`, services/report_projection.py
`ReportRebuild.run`).

A rebuild is a chain of steps through its queue, each step sending the next as a message,
so an invocation that dies resumes from the queue. Alone on a queue with a batching window,
each message waits out the window before Lambda invokes the function (10 s a step on the
search queue, 30 s on the reports queue: docs/performance.md), so the invocation that takes
a step goes on with the next ones itself while it has time: within a few seconds of its
first (the events queued behind it wait no longer than that), and only while enough of the
function's time is left for one more step to end before Lambda stops it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol


class MoreTime(Protocol):
    """`more()`: whether one more step may start now; `more(needs)`: the same for a step
    that may take up to `needs` seconds of the function's time (instead of the reserve the
    budget was made with)."""

    def __call__(self, needs: float | None = None) -> bool: ...


def more_time(
    context: Any,
    seconds: float,
    reserve_seconds: float,
    clock: Callable[[], float] = time.monotonic,
) -> MoreTime:
    """A budget from now: one more step may start while fewer than `seconds` have passed
    (by `clock`, seconds) and more than `reserve_seconds` (or the `needs` of the call) of
    the function's time are left, as Lambda's `context.get_remaining_time_in_millis()` says.
    A context without that clock (a unit test, a direct call) counts the seconds only."""
    until = clock() + seconds

    def more(needs: float | None = None) -> bool:
        remaining = getattr(context, "get_remaining_time_in_millis", None)
        reserve = reserve_seconds if needs is None else needs
        return clock() < until and (remaining is None or remaining() > reserve * 1000)

    return more
