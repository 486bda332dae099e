"""How much text an item may hold: DynamoDB counts UTF-8 bytes, not characters.

One item is at most 400 KB (attribute names and values, strings in UTF-8). A limit in
characters is four times too generous for emoji and twice for Turkish letters, so
every writer that stores user text bounds it here, in bytes, leaving room for the
rest of its item:

| writer | text | bytes |
| --- | --- | --- |
| a case (phone, site, shop, a converted pre-case) | description | `CASE_TEXT_BYTES` |
| a reply or note (staff, customer, email) | body | `CASE_TEXT_BYTES` |
| a pre-case from email | text, sanitized HTML | `PRECASE_TEXT_BYTES`, `PRECASE_HTML_BYTES` |
| a follow-up mail on a pre-case | text | `PRECASE_TEXT_BYTES` |
| a social post (pre-case and ledger) | text | `SOCIAL_TEXT_BYTES` |
| a chat transcript | all messages | `CHAT_TEXT_BYTES` |
| subjects, names, short fields | | `SHORT_TEXT_BYTES` |

What comes through the API over its limit is refused (422, nothing written); what
arrives unattended (email) is cut to fit, and the whole stays in S3 with the pre-case
saying it was cut. The agent-reply notice repeats the reply's body, so a reply item and
its notice each stay well under the item limit.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic_core import PydanticCustomError

ITEM_BYTES = 400 * 1024
CASE_TEXT_BYTES = 64 * 1024
PRECASE_TEXT_BYTES = 96 * 1024
PRECASE_HTML_BYTES = 160 * 1024
SOCIAL_TEXT_BYTES = 20 * 1024
CHAT_TEXT_BYTES = 256 * 1024
SHORT_TEXT_BYTES = 1024


def utf8_size(text: str) -> int:
    return len(text.encode("utf-8", errors="surrogatepass"))


def fit_utf8(text: str, max_bytes: int) -> tuple[str, bool]:
    """The longest prefix of `text` within `max_bytes` in UTF-8, cut between characters,
    and whether anything was cut."""
    encoded = text.encode("utf-8", errors="surrogatepass")
    if len(encoded) <= max_bytes:
        return text, False
    return encoded[:max_bytes].decode("utf-8", errors="ignore"), True


def max_bytes(limit: int) -> Callable[[str], str]:
    """A pydantic after-validator: refuse text over `limit` bytes in UTF-8 (a 422 whose
    detail's `type` is `bytes_too_long`, so a page can say so in its reader's words rather
    than a generic "invalid value")."""

    def check(value: str) -> str:
        if value is not None and utf8_size(value) > limit:
            raise PydanticCustomError(
                "bytes_too_long",
                "at most {limit} bytes in UTF-8 (a Turkish letter takes 2, an emoji 4); "
                "this has {size}",
                {"limit": limit, "size": utf8_size(value)},
            )
        return value

    return check


def item_size(item: dict[str, Any]) -> int:
    """An item's size as DynamoDB counts it (names plus values; numbers approximated from
    above by their digits), to check a writer's room in tests and before a write."""
    return sum(utf8_size(name) + _value_size(value) for name, value in item.items())


def _value_size(value: Any) -> int:
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, str):
        return utf8_size(value)
    if isinstance(value, bytes | bytearray):
        return len(value)
    if isinstance(value, int | float | Decimal):
        return len(str(value)) // 2 + 2
    if isinstance(value, dict):
        return 3 + sum(utf8_size(k) + _value_size(v) + 1 for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return 3 + sum(_value_size(v) + 1 for v in value)
    return utf8_size(str(value))
