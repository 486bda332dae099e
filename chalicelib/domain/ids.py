"""Identifiers: opaque, time-ordered ids and human-readable case numbers."""

from __future__ import annotations

import os
import re
import time

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CASE_NUMBER = re.compile(r"^(?P<year>\d{4})-(?P<seq>\d{6,})$")


def new_id(prefix: str = "") -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, Crockford base32.

    Time-ordered so that items written later sort later, random enough that
    ids from many Lambda instances never collide.
    """
    value = (int(time.time() * 1000) << 80) | int.from_bytes(os.urandom(10), "big")
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
