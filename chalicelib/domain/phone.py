"""Phone numbers in E.164, read the way Turkish callers write them.

`0532 123 45 67`, `+90 532 1234567`, `(532) 123-4567` and `905321234567`
are one number: +905321234567. phonenumberslite holds the numbering plans,
so a number that cannot exist is refused instead of stored.
"""

from __future__ import annotations

from .errors import InvalidInput

DEFAULT_REGION = "TR"


def to_e164(raw: str, region: str = DEFAULT_REGION) -> str:
    import phonenumbers  # lazy: the metadata is large and only phone paths need it

    text = raw.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and digits.startswith("90") and len(digits) == 12:
        text = "+" + digits
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"not a phone number: {raw!r}", details={"phone": raw}) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"not a valid phone number: {raw!r}", details={"phone": raw})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
