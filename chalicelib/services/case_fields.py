"""Custom case field definitions: admins define them, every agent reads them to fill the
fields in on a case (docs/tags-and-fields.md)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from ..domain.caller import Caller
from ..domain.clock import utcnow
from ..domain.custom_fields import (
    KEY_PATTERN,
    MAX_FIELDS,
    CaseField,
    CaseFieldEdit,
    CaseFieldInput,
)
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.permissions import Action, Resource


class CaseFieldService:
    def __init__(self, store, clock: Callable[[], datetime] = utcnow) -> None:
        self.store = store
        self.clock = clock

    def list(self, caller: Caller) -> list[CaseField]:
        """Every definition, by key."""
        caller.require(Resource.CASE_FIELDS, Action.READ)
        return self.store.all()

    def get(self, caller: Caller, key: str) -> CaseField:
        caller.require(Resource.CASE_FIELDS, Action.READ)
        return self.store.get(_known_shape(key))

    def create(self, caller: Caller, body: CaseFieldInput) -> CaseField:
        """A new field; 409 `case_field_exists` for a key in use, 422 `too_many_fields` past
        MAX_FIELDS."""
        caller.require(Resource.CASE_FIELDS, Action.ADD)
        if len(self.store.all()) >= MAX_FIELDS:
            raise InvalidInput(f"at most {MAX_FIELDS} custom fields", code="too_many_fields")
        now = self.clock()
        field = CaseField(**body.model_dump(), created_at=now, updated_at=now,
                          updated_by=caller.actor)  # fmt: skip
        self.store.add(field)
        return field

    def edit(self, caller: Caller, key: str, body: CaseFieldEdit) -> CaseField:
        """The field's next version, at the `version` read (409 `version_conflict`). Its key
        and kind stay: values already stored were checked against the kind (a new kind is
        a new field); a list's options may grow or be relabelled."""
        caller.require(Resource.CASE_FIELDS, Action.EDIT)
        current = self.store.get(_known_shape(key))
        if body.key != key:
            raise InvalidInput("a field's key cannot change", code="key_fixed")
        if body.kind != current.kind:
            raise InvalidInput("a field's kind cannot change; define a new field",
                               code="kind_fixed")  # fmt: skip
        if body.version != current.version:
            raise Conflict("the custom field changed since you read it", code="version_conflict",
                           details={"current_version": current.version})  # fmt: skip
        field = CaseField(**body.model_dump(exclude={"version"}), version=current.version + 1,
                          created_at=current.created_at, updated_at=self.clock(),
                          updated_by=caller.actor)  # fmt: skip
        self.store.replace(field)
        return field

    def delete(self, caller: Caller, key: str) -> None:
        """Remove the definition; values cases hold stay on them (and in the archive), no
        longer shown, checked or required."""
        caller.require(Resource.CASE_FIELDS, Action.DELETE)
        self.store.remove(_known_shape(key))


def _known_shape(key: str) -> str:
    """A path's key, if it can be one (a longer or odd one is no field: 404, never a key
    DynamoDB refuses)."""
    if not re.fullmatch(KEY_PATTERN, key):
        raise NotFound("no such custom field", code="no_case_field")
    return key
