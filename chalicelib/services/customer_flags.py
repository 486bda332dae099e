"""Staff's flags and notes on customers, and the flag list admins define. The API checks
the `customer_flags` permission before any of these run."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from ..domain.clock import utcnow
from ..domain.customer_flags import (
    MAX_FLAGS,
    CustomerMarks,
    FlagCode,
    FlagDefinition,
    FlagList,
    StaffNote,
    checked_flags,
)
from .case_commands import Strict

Version = Annotated[int, Field(ge=0, description="the version you read (0: never set)")]


class FlagListDetails(Strict):
    """The whole list, as an admin sends it."""

    flags: list[FlagDefinition] = Field(max_length=MAX_FLAGS)
    version: Version

    @model_validator(mode="after")
    def _codes_once(self) -> FlagListDetails:
        codes = [f.code for f in self.flags]
        if len(set(codes)) != len(codes):
            raise ValueError("a flag code is listed twice")
        return self


class MarksDetails(Strict):
    """A customer's flags (codes of the list) and staff note, as staff send them."""

    flags: list[FlagCode] = Field(default_factory=list, max_length=MAX_FLAGS)
    staff_notes: StaffNote = ""
    version: Version


class CustomerFlagService:
    def __init__(self, store, customers) -> None:
        self.store = store
        self.customers = customers

    def flag_list(self) -> FlagList:
        return self.store.flag_list()

    def save_flag_list(self, details: FlagListDetails) -> FlagList:
        """Replace the list; 409 `version_conflict` when it changed since it was read."""
        updated = FlagList(flags=details.flags, version=details.version + 1)
        return self.store.put_flag_list(updated, details.version)

    def marks(self, customer_id: str) -> CustomerMarks:
        self.customers.get(customer_id)  # 404 for no such customer
        return self.store.marks(customer_id)

    def save_marks(self, customer_id: str, details: MarksDetails, by: str) -> CustomerMarks:
        """Set a customer's flags and note: unknown codes 422, a stale version 409."""
        self.customers.get(customer_id)
        flags = checked_flags(details.flags, self.store.flag_list())
        marks = CustomerMarks(customer_id=customer_id, flags=flags,
                              staff_notes=details.staff_notes.strip(), updated_by=by,
                              updated_at=utcnow(), version=details.version + 1)  # fmt: skip
        return self.store.put_marks(marks, details.version)
