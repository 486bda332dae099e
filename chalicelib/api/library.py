"""The e-library (docs/checklists-and-library.md): editors upload and describe documents,
agents send public ones to a case's customer, the site lists public ones, and a sent link
opens its file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy
from .links import console_address

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..domain.library import DocumentEdit, SendDocuments
    from ..services.library import LibraryQuery, NewDocument

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CASES = lazy("chalicelib.domain.cases")
LIBRARY = lazy("chalicelib.domain.library")
LIBRARY_SERVICE = lazy("chalicelib.services.library")


@endpoint(bp, "/library/documents", permission=(Resource.LIBRARY, Action.READ),
          query=LIBRARY_SERVICE.LibraryQuery, response=list[LIBRARY.LibraryDocument])  # fmt: skip
def list_documents(caller: Caller, query: LibraryQuery):
    """Every document, internal ones too, with a download link for each uploaded one."""
    return wiring.library_service().list(caller, query)


@endpoint(
    bp,
    "/library/documents",
    "POST",
    permission=(Resource.LIBRARY, Action.ADD),
    body=LIBRARY_SERVICE.NewDocument,
    status=201,
    response=LIBRARY_SERVICE.DocumentUpload,
)
def start_document(caller: Caller, body: NewDocument):
    """Describe a document and get a presigned form to upload its file to S3 (PDF, images,
    text, MP4; at most 10 MB)."""
    return wiring.library_service().start_upload(caller, body)


@endpoint(bp, "/library/documents/{document_id}/uploaded", "POST",
          permission=(Resource.LIBRARY, Action.ADD), response=LIBRARY.LibraryDocument)  # fmt: skip
def confirm_document(caller: Caller, document_id: str):
    """After the upload: S3's copy is checked and the document becomes ready to list and send."""
    return wiring.library_service().confirm_upload(caller, document_id)


@endpoint(bp, "/library/documents/{document_id}", "PATCH",
          permission=(Resource.LIBRARY, Action.EDIT), body=LIBRARY.DocumentEdit,
          response=LIBRARY.LibraryDocument)  # fmt: skip
def edit_document(caller: Caller, document_id: str, body: DocumentEdit):
    """Change a document's title, description, category, language or visibility."""
    return wiring.library_service().edit(caller, document_id, body)


@endpoint(bp, "/cases/{case_id}/documents", "POST", permission=(Resource.REPLIES, Action.ADD),
          body=LIBRARY.SendDocuments, status=201, response=CASES.Case)  # fmt: skip
def send_documents(caller: Caller, case_id: str, body: SendDocuments):
    """Send public documents to the case's customer as links that work 7 days (never as
    attachments); recorded in the case's history."""
    api = console_address(bp.current_request).removesuffix("/console")
    return wiring.library_service().send(caller, case_id, body, api)


@endpoint(bp, "/library", audience="public", rate_limit=60, query=LIBRARY_SERVICE.LibraryQuery,
          response=list[LIBRARY.PublicDocument])  # fmt: skip
def public_library(caller: None, query: LibraryQuery):
    """Public documents, without sign-in, each with a download link that works 15 minutes."""
    return wiring.library_service().public(query)


@endpoint(bp, "/library/links/{token}", audience="public", rate_limit=60, status=302)
def follow_link(caller: None, token: str):
    """A link sent to a customer: a redirect to the document's file (a 15-minute S3 link).
    404 for a link that is not ours, 410 for one past its 7 days."""
    url = wiring.library_service().open_link(token)
    return Response(body="", status_code=302, headers={"Location": url,
                                                       "Cache-Control": "no-store"})  # fmt: skip
