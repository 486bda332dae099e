"""Macros (docs/macros.md): keep shared and personal macros, preview one on a case, apply it
to one case or to several, and read how often each was applied."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy
from .links import console_address

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..domain.macros import MacroInput
    from ..services.macros import ApplyBody, BulkApply, MacroEdit, MacroQuery, UsageQuery

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CASES = lazy("chalicelib.domain.cases")
MACROS = lazy("chalicelib.domain.macros")
SERVICE = lazy("chalicelib.services.macros")


def _api_base() -> str:
    return console_address(bp.current_request).removesuffix("/console")


@endpoint(bp, "/macros", permission=(Resource.MACROS, Action.READ), query=SERVICE.MacroQuery,
          response=list[MACROS.Macro])  # fmt: skip
def list_macros(caller: Caller, query: MacroQuery):
    """The shared macros and your personal ones, by title; `q` searches the titles."""
    return wiring.macro_service().list(caller, query)


@endpoint(bp, "/macros", "POST", permission=(Resource.MACROS, Action.ADD),
          body=MACROS.MacroInput, status=201, response=MACROS.Macro)  # fmt: skip
def create_macro(caller: Caller, body: MacroInput):
    """A new macro: personal (any agent) or shared (supervisors and admins). A `{{name}}`
    outside the known variables is a 422 `unknown_variable`."""
    return wiring.macro_service().create(caller, body)


@endpoint(bp, "/macros/{macro_id}", permission=(Resource.MACROS, Action.READ),
          response=MACROS.Macro)  # fmt: skip
def get_macro(caller: Caller, macro_id: str):
    """One shared macro, or one of your personal ones."""
    return wiring.macro_service().get(caller, macro_id)


@endpoint(bp, "/macros/{macro_id}", "PUT", permission=(Resource.MACROS, Action.EDIT),
          body=SERVICE.MacroEdit, response=MACROS.Macro)  # fmt: skip
def edit_macro(caller: Caller, macro_id: str, body: MacroEdit):
    """Save the macro's next version (`version`: the one you read; 409 when it changed)."""
    return wiring.macro_service().edit(caller, macro_id, body)


@endpoint(bp, "/macros/{macro_id}", "DELETE", permission=(Resource.MACROS, Action.DELETE),
          status=204)  # fmt: skip
def delete_macro(caller: Caller, macro_id: str):
    """Delete a macro (its usage counts stay in the report)."""
    wiring.macro_service().delete(caller, macro_id)
    return Response(body="", status_code=204)


@endpoint(bp, "/cases/{case_id}/macros/{macro_id}/preview",
          permission=(Resource.MACROS, Action.READ), response=MACROS.Rendered)  # fmt: skip
def preview_macro(caller: Caller, case_id: str, macro_id: str):
    """The macro's reply and note rendered for this case, in its customer's language, with
    the variables this case has no value for; nothing changes."""
    return wiring.macro_service().preview(caller, case_id, macro_id)


@endpoint(bp, "/cases/{case_id}/macros/{macro_id}/apply", "POST",
          permission=(Resource.MACROS, Action.READ), body=SERVICE.ApplyBody,
          response=CASES.Case)  # fmt: skip
def apply_macro(caller: Caller, case_id: str, macro_id: str, body: ApplyBody):
    """Apply the macro: its reply (when `send`), note, fields, documents and status as one
    change of the case (one version up). Retried after it succeeded: the case as it is. A
    reply to send naming a variable this case has no value for: 422 `macro_values_missing`
    (`details.missing`), nothing changed."""
    return wiring.macro_service().apply(caller, case_id, macro_id, body, _api_base())


@endpoint(bp, "/macro-applications", "POST", permission=(Resource.MACROS, Action.READ),
          body=SERVICE.BulkApply, response=SERVICE.BulkApplied)  # fmt: skip
def apply_macro_to_many(caller: Caller, body: BulkApply):
    """Apply one macro to up to 50 cases, each at the version you read; each case is
    reported, applied or refused with its error (unchanged: e.g. `macro_values_missing`)."""
    return wiring.macro_service().apply_many(caller, body, _api_base())


@endpoint(bp, "/reports/macros/usage", permission=(Resource.REPORTS, Action.READ),
          query=SERVICE.UsageQuery, response=list[SERVICE.UsageRow])  # fmt: skip
def macro_usage(caller: Caller, query: UsageQuery):
    """How often each macro was applied, per Istanbul day from `from` to `to` (included)."""
    return wiring.macro_service().usage(caller, query)
