"""Opaque pagination cursors.

A cursor is DynamoDB's LastEvaluatedKey, base64url-encoded. Decoding checks
its shape and that it belongs to the same partition as the query it is sent
with, so a hand-made or foreign cursor is a 400, never a read elsewhere.
"""

from __future__ import annotations

import base64
import binascii
import json

from ..domain.errors import BadRequest

#: DynamoDB's limit for a sort key value (partition keys may be 2048, ours are far shorter)
MAX_KEY_BYTES = 1024


def encode(last_key: dict[str, str] | None) -> str | None:
    if not last_key:
        return None
    raw = json.dumps(last_key, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, expected: dict[str, str], names: set[str]) -> dict | None:
    """`expected` holds attributes whose value must match; `names` all attributes the key has."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("invalid cursor", code="invalid_cursor") from exc
    if (
        not isinstance(value, dict)
        or set(value) != names
        or not all(
            isinstance(v, str) and 0 < len(v.encode()) <= MAX_KEY_BYTES for v in value.values()
        )
        or any(value.get(k) != v for k, v in expected.items())
    ):
        raise BadRequest("invalid cursor", code="invalid_cursor")
    return value
