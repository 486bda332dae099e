"""Email addresses destek can send to: checked once at the door, stored normalised.

A notice to an address SES refuses is a notice that never arrives, so an address
is accepted only if it is one SES can send to. `email-validator` (a well-kept
library, RFC 5321/5322 and internationalised domains) does the checking with
`check_deliverability=False`: no DNS on a request path. SES sends only ASCII
local parts (no SMTPUTF8), so those are refused here; an internationalised domain
(`örnek.com.tr`) is accepted, stored as people write it, and handed to SES in its
ASCII (IDNA) form by `ascii_address`.
"""

from __future__ import annotations

#: RFC 5321's path limit, which is also what DynamoDB keys built from an address can hold
MAX_LENGTH = 254


class InvalidEmail(ValueError):
    """Not an address destek can send to; the message says why (from email-validator)."""


def checked_email(text: str) -> str:
    """The address in destek's stored form (trimmed, lower case, Unicode domain NFC), or
    InvalidEmail. Lower case because addresses find customers and people type them both
    ways; the local part is ASCII here, so lowering it is safe."""
    from email_validator import EmailNotValidError, validate_email

    if len(text) > MAX_LENGTH * 4:  # cheap bound before the parser sees it
        raise InvalidEmail("the address is too long")
    try:
        valid = validate_email(
            text.strip(), check_deliverability=False, allow_smtputf8=False, allow_display_name=False
        )
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from exc
    normalized = valid.normalized.lower()
    if len(normalized.encode("utf-8")) > MAX_LENGTH:
        raise InvalidEmail(f"the address is longer than {MAX_LENGTH} bytes")
    return normalized


def is_valid_email(text: str | None) -> bool:
    if not text:
        return False
    try:
        checked_email(text)
    except InvalidEmail:
        return False
    return True


def ascii_address(address: str) -> str:
    """The form SES takes: the domain in IDNA (punycode); ASCII addresses are unchanged."""
    if address.isascii():
        return address
    from email_validator import validate_email

    valid = validate_email(address, check_deliverability=False, allow_smtputf8=False)
    return valid.ascii_email or address
