"""Custom case fields: what admins define per case type, and the values a case holds
(docs/tags-and-fields.md).

A definition (`CaseFieldInput`) names a `key`, Turkish and English labels, a `kind`
(`text`, `number`, `date`, `list` with its options, `checkbox`), the case types it applies
to (none: every type), whether a case must have a value before it is resolved
(`required_at_resolve`), and whether the customer sees it on the site (`public`).

A case keeps its values in `Case.custom_fields`, by key: text as a string (1–500
characters, at most `TEXT_BYTES` bytes), number as an int or a finite number up to
`MAX_NUMBER` either way (never a boolean), date as `YYYY-MM-DD`, list as one option's
`value`, checkbox as `true`/`false`. `check_values` validates a whole set of values at
once and refuses them together (InvalidInput `invalid_custom_fields`, details `errors`:
one `{key, code, message}` per field), so nothing is written when any is wrong. A value
of null removes the field's value.

Pure: no I/O.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from .case_kinds import CaseType
from .cases import Actor
from .charsets import strip_c1
from .errors import InvalidInput
from .limits import utf8_size
from .model import Model, Strict
from .text_fields import Text

FieldKind = Literal["text", "number", "date", "list", "checkbox"]
#: a field's key: lowercase ASCII, digits and _, starting with a letter (stable in the API,
#: in conditions and in the archive)
KEY_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
FieldKey = Annotated[str, StringConstraints(pattern=KEY_PATTERN)]
OptionValue = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
#: fields one installation defines
MAX_FIELDS = 100
MAX_OPTIONS = 100
TEXT_CHARS = 500
TEXT_BYTES = 1000
MAX_NUMBER = 1e12


class FieldOption(Strict):
    """One choice of a list field: the stored `value` and its labels."""

    value: OptionValue
    label_tr: Text
    label_en: Text


class CaseFieldInput(Strict):
    """A custom field as an admin defines it. `options`: a list field's choices (1 to
    MAX_OPTIONS; none for other kinds). `case_types`: the types it applies to (empty:
    every type)."""

    key: FieldKey
    label_tr: Text
    label_en: Text
    kind: FieldKind
    options: list[FieldOption] = Field(default_factory=list, max_length=MAX_OPTIONS)
    case_types: list[CaseType] = Field(default_factory=list)
    required_at_resolve: bool = False
    public: bool = False

    @model_validator(mode="after")
    def _options_fit_kind(self) -> CaseFieldInput:
        if self.kind == "list" and not self.options:
            raise ValueError("a list field needs at least one option")
        if self.kind != "list" and self.options:
            raise ValueError("only a list field has options")
        values = [o.value for o in self.options]
        if len(set(values)) != len(values):
            raise ValueError("an option value is listed twice")
        if len(set(self.case_types)) != len(self.case_types):
            raise ValueError("a case type is listed twice")
        return self

    def applies_to(self, case_type: CaseType | str) -> bool:
        return not self.case_types or CaseType(case_type) in self.case_types

    def label(self, language: str) -> str:
        return self.label_en if language == "en" else self.label_tr

    def option_label(self, value: Any, language: str) -> str | None:
        for option in self.options:
            if option.value == value:
                return option.label_en if language == "en" else option.label_tr
        return None


class CaseField(CaseFieldInput):
    """A custom field as stored; `version` moves with each edit."""

    version: int = 1
    created_at: datetime
    updated_at: datetime
    updated_by: Actor


class CaseFieldEdit(CaseFieldInput):
    """An edit: the whole definition again, at the `version` you read (the key stays)."""

    version: int = Field(ge=1)


def _error(key: str, code: str, message: str) -> dict[str, str]:
    return {"key": key, "code": code, "message": message}


def check_value(field: CaseFieldInput, value: Any) -> tuple[Any, dict[str, str] | None]:
    """One value for `field`, as stored, or the error saying why not (a dict with `key`,
    `code`, `message`). None (remove the value) is always accepted."""
    key = field.key
    if value is None:
        return None, None
    match field.kind:
        case "text":
            if not isinstance(value, str):
                return None, _error(key, "not_text", "give text")
            text = strip_c1(value.strip())
            if not text:
                return None, _error(key, "empty", "give some text or null to clear it")
            if len(text) > TEXT_CHARS or utf8_size(text) > TEXT_BYTES:
                limit = f"at most {TEXT_CHARS} characters, {TEXT_BYTES} bytes"
                return None, _error(key, "too_long", limit)
            return text, None
        case "number":
            if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
                return None, _error(key, "not_a_number", "give a number")
            if isinstance(value, float | Decimal) and not math.isfinite(float(value)):
                return None, _error(key, "not_a_number", "give a finite number")
            # compared as given: an integer of 400 digits is out of range, not an overflow
            if not -MAX_NUMBER <= value <= MAX_NUMBER:
                return None, _error(key, "out_of_range", f"at most {MAX_NUMBER:.0f} either way")
            if isinstance(value, float | Decimal) and float(value).is_integer():
                return int(value), None
            return (float(value) if isinstance(value, Decimal) else value), None
        case "date":
            if not isinstance(value, str):
                return None, _error(key, "not_a_date", "give a date as YYYY-MM-DD")
            try:
                return date.fromisoformat(value).isoformat(), None
            except ValueError:
                return None, _error(key, "not_a_date", "give a date as YYYY-MM-DD")
        case "list":
            if not any(o.value == value for o in field.options):
                choices = ", ".join(o.value for o in field.options)
                return None, _error(key, "not_an_option", f"give one of: {choices}")
            return value, None
        case "checkbox":
            if not isinstance(value, bool):
                return None, _error(key, "not_a_boolean", "give true or false")
            return value, None
    return None, _error(key, "unknown_kind", "unknown kind")  # unreachable: kinds are checked


def check_values(
    definitions: dict[str, CaseFieldInput], case_type: CaseType | str, values: dict[str, Any]
) -> dict[str, Any]:
    """`values` as stored, each checked against its definition (None: clear the value), or
    InvalidInput `invalid_custom_fields` listing every field in error: a key nobody
    defined (`unknown_field`), one that does not apply to the case's type
    (`not_for_type`), a value that does not fit its kind."""
    checked: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    for key, value in values.items():
        field = definitions.get(key)
        if field is None:
            errors.append(_error(key, "unknown_field", "no such custom field"))
            continue
        if not field.applies_to(case_type):
            errors.append(_error(key, "not_for_type", "this field is not for this case type"))
            continue
        stored, error = check_value(field, value)
        if error:
            errors.append(error)
        else:
            checked[key] = stored
    if errors:
        raise InvalidInput("some custom field values are not valid",
                           code="invalid_custom_fields", details={"errors": errors})  # fmt: skip
    return checked


def with_values(current: dict[str, Any], checked: dict[str, Any]) -> dict[str, Any]:
    """The case's values after a change: set the given ones, drop those given as None."""
    merged = {**current, **checked}
    return {k: v for k, v in sorted(merged.items()) if v is not None}


def required_at_resolve(
    definitions: dict[str, CaseFieldInput], case_type: CaseType | str
) -> list[str]:
    """The keys a case of this type must have a value for before it is resolved."""
    return sorted(k for k, f in definitions.items()
                  if f.required_at_resolve and f.applies_to(case_type))  # fmt: skip


def missing(required: list[str], values: dict[str, Any]) -> list[str]:
    """The required keys with no value (a checkbox's `false` is a value)."""
    return [k for k in required if values.get(k) is None or values.get(k) == ""]


class PublicField(Model):
    """A public field's value as the customer's site shows it: its labels, its value as
    stored, and a list option's labels (`option_tr`, `option_en`; none for other kinds)."""

    key: str
    kind: FieldKind
    label_tr: str
    label_en: str
    value: Any
    option_tr: str | None = None
    option_en: str | None = None


def public_values(
    definitions: dict[str, CaseFieldInput], values: dict[str, Any]
) -> list[PublicField]:
    """The case's values of public fields that apply to it, in the definitions' order."""
    shown: list[PublicField] = []
    for key, field in definitions.items():
        if not field.public or values.get(key) is None:
            continue
        value = values[key]
        shown.append(PublicField(key=key, kind=field.kind, label_tr=field.label_tr,
                                 label_en=field.label_en, value=value,
                                 option_tr=field.option_label(value, "tr"),
                                 option_en=field.option_label(value, "en")))  # fmt: skip
    return shown
