"""Admitting a verified token: is it still good, and who and what does it stand for now.

The rules are in domain/access.py; this keeps the state they read cheap. Staff: the
directory partition, one Query per process at most every `ttl` seconds (the same read
that serves roles: services/directory.RoleCatalog). Customers: the sign-in record of
each `sub`, one GetItem per sign-in per process at most every `ttl` seconds; a missing
record is not remembered, so a sign-in that just completed its account is seen at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from threading import Lock
from typing import Protocol

from ..domain.access import SignIn, customer_of, staff_roles
from ..domain.caller import Caller
from ..domain.permissions import CUSTOMER_ROLE, Principal
from ..observability import logger
from .directory import RoleCatalog


class SignInRecords(Protocol):
    def sign_in(self, sub: str) -> SignIn | None: ...


class AccessGate:
    def __init__(
        self,
        directory: RoleCatalog,
        sign_ins: SignInRecords,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        max_sign_ins: int = 10_000,
    ) -> None:
        self.directory = directory
        self.sign_ins = sign_ins
        self.ttl = ttl
        self.clock = clock
        self.max_sign_ins = max_sign_ins
        self._lock = Lock()
        self._seen: dict[str, tuple[SignIn, float]] = {}

    def admit(self, principal: Principal) -> Caller:
        """The caller this token stands for now; Unauthenticated when it no longer stands
        (revoked session, disabled account, closed sign-in)."""
        if principal.is_staff:
            state = self.directory.state()
            names = staff_roles(principal, state)
            now = principal.model_copy(update={"roles": names})
            return Caller(now, self.directory.roles_for(names), state.groups_of(now.username))
        if principal.is_customer:
            customer_id = customer_of(principal, self._sign_in(principal.subject))
            if principal.customer_id and principal.customer_id != customer_id:
                # the claim is writable by a misconfigured client; it is never believed
                logger.warning("a token's customer id is not its sign-in's",
                               sub=principal.subject, claimed=principal.customer_id,
                               linked=customer_id)  # fmt: skip
            now = principal.model_copy(update={"customer_id": customer_id})
            return Caller(now, self.directory.roles_for([CUSTOMER_ROLE]))
        return Caller(principal, ())

    def forget(self, sub: str | None = None) -> None:
        """Drop what this process remembers (one sign-in, or all), after changing it here."""
        with self._lock:
            if sub is None:
                self._seen.clear()
            else:
                self._seen.pop(sub, None)

    def _sign_in(self, sub: str) -> SignIn | None:
        now = self.clock()
        with self._lock:
            seen = self._seen.get(sub)
            if seen is not None and now - seen[1] <= self.ttl:
                return seen[0]
        record = self.sign_ins.sign_in(sub)
        with self._lock:
            if record is None:
                self._seen.pop(sub, None)
            else:
                if len(self._seen) >= self.max_sign_ins:
                    self._seen.clear()  # a bound, not an LRU: a minute's reads at worst
                self._seen[sub] = (record, now)
        return record
