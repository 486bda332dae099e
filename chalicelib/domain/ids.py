"""Identifiers: opaque, time-ordered ids and human-readable case numbers."""

from __future__ import annotations

import os
import re
import threading
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CASE_NUMBER = re.compile(r"^(?P<year>\d{4})-(?P<seq>\d{6,})$")


_last = [0, 0]  # milliseconds, random part of the last id made in this process
_lock = threading.Lock()


def new_id(prefix: str = "") -> str:
    """A monotonic ULID: 48 bits of milliseconds then 80 random bits, Crockford base32.

    Time-ordered so that items written later sort later, random enough that ids
    from many Lambda instances never collide; within one millisecond of one process
    the random part counts up, so two history lines written together keep their order.
    """
    with _lock:
        millis = int(time.time() * 1000)
        if millis <= _last[0]:
            millis, randomness = _last[0], _last[1] + 1
        else:
            randomness = int.from_bytes(os.urandom(10), "big") >> 1  # room to count up
        _last[0], _last[1] = millis, randomness
    value = (millis << 80) | randomness
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return prefix + "".join(reversed(chars))


def case_number(year: int, sequence: int) -> str:
    """`2026-000123`: the year the case was opened and its place in that year."""
    return f"{year}-{sequence:06d}"


def is_case_number(text: str) -> bool:
    return bool(CASE_NUMBER.match(text))


def stable_id(prefix: str, *parts: str) -> str:
    """The same id every time for the same parts (26 Crockford characters of a SHA-256):
    what a retried step writes lands on the item or object its first try wrote."""
    import hashlib

    digest = int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:17], "big")
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[digest & 31])
        digest >>= 5
    return prefix + "".join(reversed(chars))
