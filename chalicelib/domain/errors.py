"""Domain errors: the only failures services raise.

The API maps each to one HTTP status in one place (api/errors.py), so the
services never speak HTTP and every refusal reaches the caller in the same
JSON shape.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    code = "error"

    def __init__(self, message: str, details: Any = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        if code:
            self.code = code


class InvalidInput(DomainError):
    """The request is well-formed JSON but its content breaks a rule (422)."""

    code = "invalid_input"


class BadRequest(DomainError):
    """The request cannot be read at all: malformed JSON, a forged cursor (400)."""

    code = "bad_request"


class Unauthenticated(DomainError):
    code = "unauthenticated"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    """The write lost a race or breaks the case's lifecycle (409)."""

    code = "conflict"


class AccountIncomplete(Conflict):
    """A customer signed in but has not completed their account yet (409)."""

    code = "account_incomplete"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class TooManyRequests(DomainError):
    """A public route's per-client allowance for this minute is used up (429)."""

    code = "rate_limited"
