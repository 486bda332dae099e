"""Staff's marks on a customer: flags from a short list admins define (VIP, risky, press...)
and a free staff note. Only staff whose role has the `customer_flags` permission see or
change them; the customer never does (they live in items of their own, apart from the
customer's profile, so no answer that carries the profile can leak them)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from .charsets import strip_c1
from .errors import InvalidInput
from .limits import max_bytes
from .model import Model

#: at most this many flags are defined (a short list people read at a glance)
MAX_FLAGS = 20
#: a staff note: a few paragraphs, counted in UTF-8 bytes
NOTE_BYTES = 4000

FlagCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
FlagName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40),
    AfterValidator(strip_c1),
    AfterValidator(max_bytes(120)),
]
StaffNote = Annotated[str, AfterValidator(strip_c1), AfterValidator(max_bytes(NOTE_BYTES))]


class FlagDefinition(Model):
    """One flag staff can set: a code kept on customers, its Turkish and English names."""

    code: FlagCode
    name: FlagName
    name_en: FlagName | None = None


class FlagList(Model):
    """The flags admins defined; `version` counts their edits (optimistic check)."""

    flags: list[FlagDefinition] = Field(default_factory=list, max_length=MAX_FLAGS)
    version: int = 0

    @model_validator(mode="after")
    def _codes_once(self) -> FlagList:
        codes = [f.code for f in self.flags]
        if len(set(codes)) != len(codes):
            raise ValueError("a flag code is listed twice")
        return self


#: what a fresh installation offers until an admin changes it
DEFAULT_FLAGS = FlagList(
    flags=[
        FlagDefinition(code=flag, name=tr, name_en=en)
        for flag, tr, en in (("vip", "VIP", "VIP"), ("risky", "Riskli", "Risky"),
                             ("press", "Basın", "Press"))
    ]
)  # fmt: skip


class CustomerMarks(Model):
    """A customer's flags and staff note; version 0: never set."""

    customer_id: str
    flags: list[str] = Field(default_factory=list)
    staff_notes: str = ""
    updated_by: str | None = None
    updated_at: datetime | None = None
    version: int = 0


def checked_flags(chosen: list[str], defined: FlagList) -> list[str]:
    """`chosen` without repeats, in the defined list's order; a code not defined is refused
    (422 `unknown_flag`, the codes in details)."""
    known = [f.code for f in defined.flags]
    unknown = sorted(set(chosen) - set(known))
    if unknown:
        raise InvalidInput(
            "unknown flags",
            details=[{"field": "flags", "type": "unknown_flag", "codes": unknown}],
            code="unknown_flag",
        )
    return [code for code in known if code in set(chosen)]
