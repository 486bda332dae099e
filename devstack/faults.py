"""Faults the local stack can inject, for `make soak` (bench/soak.py); never in production.

Everything is injected around destek, not inside it: a wrapper around a queue handler, a
wrapper around moto's SES, and the dispatcher delivering a message twice. Each fault fires
on a counter (the n-th, 2n-th, ... event), never a random draw, so a run is repeatable.

- `handler_failure_every`: one handler invocation in N raises after the handler did its work,
  as a Lambda that dies before it answers: the whole batch comes back (at-least-once), and
  a message that keeps failing lands in the dead-letter queue.
- `ses_throttle_every`: one SES send in N starts a burst of `ses_throttle_burst` sends that
  SES refuses with 429 TooManyRequestsException (botocore retries some; the rest reach the
  notifier, which must try again later and never send twice).
- `duplicate_every`: one SQS message in N is delivered a second time, in a later batch, as
  SQS's at-least-once delivery allows.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class InjectedFault(RuntimeError):
    """Raised by a wrapped handler: a fault the soak asked for, not a bug."""


@dataclass
class Faults:
    handler_failure_every: int = 0
    ses_throttle_every: int = 0
    ses_throttle_burst: int = 4
    duplicate_every: int = 0
    #: what fired: `handler_failure:<queue>`, `ses_throttled`, `duplicate:<queue>`, ...
    fired: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: Counter[str] = Counter()
        self._burst_left = 0
        self._unpatch: Callable[[], None] | None = None

    def _nth(self, key: str, every: int) -> bool:
        """Whether this is the every-th event of its kind (never when every is 0)."""
        if every <= 0:
            return False
        with self._lock:
            self._seen[key] += 1
            return self._seen[key] % every == 0

    def record(self, what: str) -> None:
        with self._lock:
            self.fired[what] += 1

    # ---- handlers ------------------------------------------------------------------------

    def wrap_handler(self, queue: str, handler: Callable[..., Any]) -> Callable[..., Any]:
        """The handler, failing one invocation in N after its work is done."""
        if self.handler_failure_every <= 0:
            return handler

        def wrapped(event: dict[str, Any], context: Any) -> Any:
            result = handler(event, context)
            if self._nth(f"handler:{queue}", self.handler_failure_every):
                self.record(f"handler_failure:{queue}")
                raise InjectedFault(f"injected: the {queue} handler died before answering")
            return result

        return wrapped

    # ---- the dispatcher ------------------------------------------------------------------

    def deliver_twice(self, queue: str) -> bool:
        """Whether the dispatcher delivers this message once more (counted as it fires)."""
        if self._nth(f"duplicate:{queue}", self.duplicate_every):
            self.record(f"duplicate:{queue}")
            return True
        return False

    # ---- SES -----------------------------------------------------------------------------

    def _throttled(self) -> bool:
        with self._lock:
            if self._burst_left > 0:
                self._burst_left -= 1
                return True
            self._seen["ses"] += 1
            if self.ses_throttle_every > 0 and self._seen["ses"] % self.ses_throttle_every == 0:
                self._burst_left = max(self.ses_throttle_burst - 1, 0)
                return True
        return False

    def patch_ses(self) -> None:
        """Wrap moto's SES v2 `send_email` (this process's moto) with the throttle."""
        if self.ses_throttle_every <= 0 or self._unpatch:
            return
        from moto.core.exceptions import JsonRESTError
        from moto.sesv2.models import SESV2Backend

        class TooManyRequests(JsonRESTError):
            code = 429

        original = SESV2Backend.send_email
        faults = self

        def send_email(backend: Any, *args: Any, **kwargs: Any) -> Any:
            if faults._throttled():
                faults.record("ses_throttled")
                raise TooManyRequests("TooManyRequestsException", "Maximum sending rate exceeded.")
            return original(backend, *args, **kwargs)

        SESV2Backend.send_email = send_email  # type: ignore[method-assign]

        def unpatch() -> None:
            SESV2Backend.send_email = original  # type: ignore[method-assign]

        self._unpatch = unpatch

    def unpatch(self) -> None:
        if self._unpatch:
            self._unpatch()
            self._unpatch = None
