"""The free-text and id fields every input model shares: no C1 control characters kept, and
bounded in characters and in UTF-8 bytes (domain/limits.py). One definition, so that a case
reply and a macro's reply are held to the same limits."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from .charsets import strip_c1
from .limits import CASE_TEXT_BYTES, SHORT_TEXT_BYTES, max_bytes

#: a subject, a title, a short answer: 1–200 characters, at most SHORT_TEXT_BYTES
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(strip_c1),
    AfterValidator(max_bytes(SHORT_TEXT_BYTES)),
]
#: a description, a reply, a note: 1–20,000 characters, at most CASE_TEXT_BYTES
LongText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20000),
    AfterValidator(strip_c1),
    AfterValidator(max_bytes(CASE_TEXT_BYTES)),
]
#: an id a client names: letters, digits, _ and -, up to 64
Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]
