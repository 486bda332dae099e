"""Case routes: phone intake, queues, one case with history, and every change to it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy
from .etags import conditional

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..services import case_commands as cmd
    from ..services.attachments import NewAttachment

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
ATTACHMENTS = lazy("chalicelib.domain.attachments")
ATTACHMENTS_SERVICE = lazy("chalicelib.services.attachments")
CASES = lazy("chalicelib.domain.cases")
CASES_SERVICE = lazy("chalicelib.services.cases")
CMD = lazy("chalicelib.services.case_commands")
CUSTOMER_VIEW = lazy("chalicelib.domain.customer_view")
LISTING = lazy("chalicelib.domain.listing")
CASES_READ = (Resource.CASES, Action.READ)
CASES_EDIT = (Resource.CASES, Action.EDIT)


@endpoint(
    bp,
    "/cases",
    "POST",
    permission=(Resource.CASES, Action.ADD),
    body=CMD.OpenCase,
    status=201,
    response=CASES.Case,
)
def open_case(caller: Caller, body: cmd.OpenCase):
    """Open a case for a caller found by customer number, phone or email (created if new)."""
    return wiring.case_service().open_case(caller, body)


@endpoint(bp, "/cases", permission=CASES_READ, query=CMD.ListCases, response=LISTING.CaseRowPage)
def list_cases(caller: Caller, query: cmd.ListCases):
    """A queue, an agent's cases, a customer's cases, the pool, or the overdue list; one page,
    each case marked `unread` when it changed since you last looked. With `If-None-Match` of
    the answer's `ETag`: 304 when nothing moved (the console's 30 s poll)."""
    return conditional(bp.current_request, wiring.case_service().list(caller, query))


@endpoint(
    bp,
    "/cases/{case_id}",
    audience="any",
    permission=CASES_READ,
    response=(CASES_SERVICE.CaseView, CUSTOMER_VIEW.CustomerCaseView),
)
def get_case(caller: Caller, case_id: str):
    """One case by id or by number (2026-000123), with its full history."""
    return wiring.case_service().get(caller, case_id)


@endpoint(
    bp, "/cases/{case_id}/seen", "POST", permission=CASES_READ, body=CMD.Seen,
    response=CASES_SERVICE.SeenVersion,
)  # fmt: skip
def mark_seen(caller: Caller, case_id: str, body: cmd.Seen):
    """You looked at this version of the case: its unread mark clears for you, everywhere."""
    return wiring.case_service().mark_seen(caller, case_id, body)


@endpoint(
    bp, "/cases/{case_id}/claim", "POST", permission=CASES_EDIT, body=CMD.Claim, response=CASES.Case
)
def claim_case(caller: Caller, case_id: str, body: cmd.Claim):
    """Take an open case from your group's pool."""
    return wiring.case_service().claim(caller, case_id, body)


@endpoint(
    bp,
    "/cases/{case_id}/assign",
    "POST",
    permission=(Resource.ASSIGNMENTS, Action.EDIT),
    body=CMD.Assign,
    response=CASES.Case,
)
def assign_case(caller: Caller, case_id: str, body: cmd.Assign):
    """Hand the case to a group and/or an agent, or unassign it (supervisors)."""
    return wiring.case_service().assign(caller, case_id, body)


@endpoint(
    bp,
    "/cases/{case_id}/replies",
    "POST",
    audience="any",
    permission=(Resource.REPLIES, Action.ADD),
    body=CMD.Reply,
    status=201,
    response=(CASES.Case, CUSTOMER_VIEW.CustomerCase),
)
def reply(caller: Caller, case_id: str, body: cmd.Reply):
    """A public reply, seen by the customer (staff: `article_id` names an article it carries)."""
    return wiring.case_service().reply(caller, case_id, body)


@endpoint(
    bp,
    "/cases/{case_id}/notes",
    "POST",
    permission=(Resource.NOTES, Action.ADD),
    body=CMD.Comment,
    status=201,
    response=CASES.Case,
)
def add_note(caller: Caller, case_id: str, body: cmd.Comment):
    """An internal note, never shown to the customer."""
    return wiring.case_service().add_note(caller, case_id, body)


@endpoint(
    bp,
    "/cases/{case_id}/status",
    "POST",
    permission=CASES_EDIT,
    body=CMD.ChangeStatus,
    response=CASES.Case,
)
def change_status(caller: Caller, case_id: str, body: cmd.ChangeStatus):
    """Move the case along its lifecycle."""
    return wiring.case_service().change_status(caller, case_id, body)


@endpoint(
    bp, "/cases/{case_id}", "PATCH", permission=CASES_EDIT, body=CMD.UpdateCase, response=CASES.Case
)
def update_case(caller: Caller, case_id: str, body: cmd.UpdateCase):
    """Change priority, category, type or subject."""
    return wiring.case_service().update(caller, case_id, body)


@endpoint(
    bp, "/my/cases", "POST", audience="customer", permission=(Resource.CASES, Action.ADD),
    body=CMD.OpenOwnCase, status=201,
    response=CUSTOMER_VIEW.CustomerCase,
)  # fmt: skip
def open_my_case(caller: Caller, body: cmd.OpenOwnCase):
    """File a case from the site, optionally about one of your registered products."""
    return wiring.case_service().open_own_case(caller, body)


@endpoint(
    bp, "/cases/{case_id}/resolution", "POST", audience="customer", permission=CASES_READ,
    body=CMD.Settle,
    response=CUSTOMER_VIEW.CustomerCase,
)  # fmt: skip
def settle_case(caller: Caller, case_id: str, body: cmd.Settle):
    """Confirm a resolution (closes the case) or say it is not solved (reopens it)."""
    return wiring.case_service().settle(caller, case_id, body)


@endpoint(
    bp, "/cases/{case_id}/attachments", "POST", audience="any",
    permission=(Resource.REPLIES, Action.ADD), body=ATTACHMENTS_SERVICE.NewAttachment, status=201,
    response=ATTACHMENTS_SERVICE.UploadForm,
)  # fmt: skip
def start_upload(caller: Caller, case_id: str, body: NewAttachment):
    """A presigned form to upload one file (at most 10 MB; images, PDF, text, MP4) to S3."""
    return wiring.attachment_service().start_upload(caller, case_id, body)


@endpoint(
    bp, "/cases/{case_id}/attachments/{attachment_id}", "POST", audience="any",
    permission=(Resource.REPLIES, Action.ADD),
    response=ATTACHMENTS.Attachment,
)  # fmt: skip
def confirm_upload(caller: Caller, case_id: str, attachment_id: str):
    """After the upload: record the file on the case, where both sides see it."""
    return wiring.attachment_service().confirm(caller, case_id, attachment_id)


@endpoint(bp, "/files/links/{token}", audience="public", rate_limit=60, status=302)
def follow_file_link(caller: None, token: str):
    """A file link from a reply's email: a redirect to the file (a short-lived S3 link). 404
    for a link that is not ours or a file gone from the case, 410 past its 14 days."""
    url = wiring.attachment_service().open_link(token)
    return Response(body="", status_code=302, headers={"Location": url,
                                                       "Cache-Control": "no-store"})  # fmt: skip


@endpoint(bp, "/cases/{case_id}/cc", "POST", permission=CASES_EDIT, body=CMD.ChangeCc,
          response=CASES.Case)  # fmt: skip
def change_cc(caller: Caller, case_id: str, body: cmd.ChangeCc):
    """Replace the addresses copied on the case (at most 10): they receive its public replies
    by email, and their mail to the case lands on it."""
    return wiring.case_service().change_cc(caller, case_id, body)


@endpoint(bp, "/cases/{case_id}/followers", "POST", permission=CASES_EDIT,
          body=CMD.ChangeFollowers, response=CASES.Case)  # fmt: skip
def change_followers(caller: Caller, case_id: str, body: cmd.ChangeFollowers):
    """Replace the staff following the case (at most 20): they hear of its replies, notes and
    status moves by email (`case_updated`)."""
    return wiring.case_service().change_followers(caller, case_id, body)


@endpoint(
    bp,
    "/my/cases",
    audience="customer",
    permission=CASES_READ,
    query=CMD.PageParams,
    response=CUSTOMER_VIEW.CustomerPage,
)
def my_cases(caller: Caller, query: cmd.PageParams):
    """The signed-in customer's own cases, newest first."""
    return wiring.case_service().my_cases(caller, query)


@endpoint(bp, "/workload", permission=(Resource.ASSIGNMENTS, Action.EDIT))
def workload(caller: Caller):
    """Queues of the groups you lead by status and breach, and what each agent holds."""
    return wiring.workload_service().summary(caller)
