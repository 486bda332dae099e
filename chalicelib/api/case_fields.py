"""Tags and custom case fields (docs/tags-and-fields.md): the admins' field definitions,
a case's tags and field values, and tag suggestions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..domain.custom_fields import CaseFieldEdit, CaseFieldInput
    from ..services import case_commands as cmd

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CASES = lazy("chalicelib.domain.cases")
CASES_SERVICE = lazy("chalicelib.services.cases")
CMD = lazy("chalicelib.services.case_commands")
FIELDS = lazy("chalicelib.domain.custom_fields")
CASES_EDIT = (Resource.CASES, Action.EDIT)


@endpoint(bp, "/case-fields", permission=(Resource.CASE_FIELDS, Action.READ),
          response=list[FIELDS.CaseField])  # fmt: skip
def list_case_fields(caller: Caller):
    """Every custom case field, by key: its labels, kind, options, case types, whether it
    is required to resolve and shown to the customer."""
    return wiring.case_field_service().list(caller)


@endpoint(bp, "/case-fields", "POST", permission=(Resource.CASE_FIELDS, Action.ADD),
          body=FIELDS.CaseFieldInput, status=201, response=FIELDS.CaseField)  # fmt: skip
def create_case_field(caller: Caller, body: CaseFieldInput):
    """Define a custom case field (409 `case_field_exists` when the key is taken)."""
    return wiring.case_field_service().create(caller, body)


@endpoint(bp, "/case-fields/{key}", permission=(Resource.CASE_FIELDS, Action.READ),
          response=FIELDS.CaseField)  # fmt: skip
def get_case_field(caller: Caller, key: str):
    """One custom case field."""
    return wiring.case_field_service().get(caller, key)


@endpoint(bp, "/case-fields/{key}", "PUT", permission=(Resource.CASE_FIELDS, Action.EDIT),
          body=FIELDS.CaseFieldEdit, response=FIELDS.CaseField)  # fmt: skip
def edit_case_field(caller: Caller, key: str, body: CaseFieldEdit):
    """Save the field's next version (`version`: the one you read); its key and kind stay."""
    return wiring.case_field_service().edit(caller, key, body)


@endpoint(bp, "/case-fields/{key}", "DELETE", permission=(Resource.CASE_FIELDS, Action.DELETE),
          status=204)  # fmt: skip
def delete_case_field(caller: Caller, key: str):
    """Remove the definition (values on cases stay, no longer shown or checked)."""
    wiring.case_field_service().delete(caller, key)
    return Response(body="", status_code=204)


@endpoint(bp, "/cases/{case_id}/tags", "POST", permission=CASES_EDIT, body=CMD.ChangeTags,
          response=CASES.Case)  # fmt: skip
def change_tags(caller: Caller, case_id: str, body: cmd.ChangeTags):
    """Add and/or remove tags (normalised: Turkish lowercase, trimmed, spaces as `-`);
    emits `destek.case.tags_changed`."""
    return wiring.case_service().change_tags(caller, case_id, body)


@endpoint(bp, "/case-tag-applications", "POST", permission=CASES_EDIT, body=CMD.BulkTags,
          response=CASES_SERVICE.BulkTagged)  # fmt: skip
def tag_many(caller: Caller, body: cmd.BulkTags):
    """Add and/or remove tags on up to 50 cases, each at the version you read; each case is
    reported, applied or refused with its error."""
    return wiring.case_service().tag_many(caller, body)


@endpoint(bp, "/cases/{case_id}/custom-fields", "PUT", permission=CASES_EDIT,
          body=CMD.SetCustomFields, response=CASES.Case)  # fmt: skip
def set_custom_fields(caller: Caller, case_id: str, body: cmd.SetCustomFields):
    """Set or clear custom field values (null clears); 422 `invalid_custom_fields` lists
    each field in error and writes nothing; emits `destek.case.custom_fields_changed`."""
    return wiring.case_service().set_custom_fields(caller, case_id, body)


@endpoint(bp, "/tags", permission=(Resource.CASES, Action.READ), query=CMD.TagQuery,
          response=list[CASES_SERVICE.TagCount])  # fmt: skip
def suggest_tags(caller: Caller, query: cmd.TagQuery):
    """Tags in use starting with `q` (Turkish letters or not), most used first."""
    return wiring.case_service().suggest_tags(caller, query)
