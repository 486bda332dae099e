"""The e-library: editors upload and describe documents; agents send public ones to a case's
customer as expiring links (a change of the case, through change_case, with its notice);
the site lists public ones; a sent link opens the file through destek (a signed token,
checked, then a short S3 link)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import Field

from ..domain.attachments import MAX_BYTES, check_upload, safe_filename
from ..domain.caller import Caller
from ..domain.case_change import SendDocuments as SendCommand
from ..domain.case_change import change_case
from ..domain.cases import Case, version_conflict
from ..domain.clock import utcnow
from ..domain.errors import InvalidInput, NotFound, PayloadTooLarge
from ..domain.ids import new_id
from ..domain.library import (
    LINK_DAYS,
    CategoryCode,
    DocumentEdit,
    DocumentFields,
    LibraryDocument,
    PublicDocument,
    SendDocuments,
    check_ready,
    edited,
    link_subject,
    parse_subject,
    sendable,
)
from ..domain.links import library_link_url
from ..domain.model import Model, Strict
from ..domain.signed_links import LinkInvalid, LinkPurpose, LinkSigner
from .ports import CaseStore

#: how long a download link made for a reader works (the site's list, the console, a
#: followed sent link): minutes, so a link copied out of the page soon stops working
READ_LINK_SECONDS = 900


class NewDocument(DocumentFields):
    """A document to upload: its description, and the file's name, type and size in bytes
    (the types and the 10 MB limit of case attachments)."""

    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(min_length=3, max_length=100)
    size: int = Field(ge=1, description="bytes")


class DocumentUpload(Model):
    """POST the file to `url` as multipart/form-data: every field, then `file` last; then
    confirm with `POST /library/documents/{id}/uploaded`."""

    document: LibraryDocument
    url: str
    fields: dict[str, Any]
    max_bytes: int = MAX_BYTES


class LibraryQuery(Strict):
    """Filters: a category code, a language."""

    category: CategoryCode | None = None
    language: Literal["tr", "en"] | None = None


class LibraryService:
    def __init__(
        self,
        store: Any,
        files: Any,
        case_store: CaseStore,
        links: Callable[[], LinkSigner] | None,
        announce: Callable[[list], None] = lambda notices: None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.store = store
        self.files = files
        self.case_store = case_store
        self.links = links
        self.announce = announce
        self.clock = clock

    # ---- editors -------------------------------------------------------------------------

    def start_upload(self, caller: Caller, request: NewDocument) -> DocumentUpload:
        filename = safe_filename(request.filename)
        check_upload(filename, request.content_type, request.size)
        now = self.clock()
        document = LibraryDocument(
            id=new_id("d"), **request.model_dump(include=set(DocumentFields.model_fields)),
            filename=filename, content_type=request.content_type, size=request.size,
            created_at=now, created_by=caller.actor, updated_at=now, updated_by=caller.actor,
        )  # fmt: skip
        form = self.files.upload_form(document.id, filename, request.content_type)
        self.store.add(document)
        return DocumentUpload(document=document, url=form["url"], fields=form["fields"])

    def confirm_upload(self, caller: Caller, document_id: str) -> LibraryDocument:
        """Re-read what S3 holds and mark the document ready (again: the same answer)."""
        document = self._get(document_id)
        if document.status == "ready":
            return self._with_link(document)
        stored = self.files.stored(document_id)
        if stored is None:
            raise NotFound("no upload for this document: upload the file first")
        try:
            check_upload(document.filename, stored.content_type, stored.size)
        except (PayloadTooLarge, InvalidInput):
            self.files.discard(document_id)  # S3's policy would have refused it
            raise
        ready = document.model_copy(update={"status": "ready", "size": stored.size,
                                            "content_type": stored.content_type,
                                            "updated_at": self.clock(),
                                            "updated_by": caller.actor})  # fmt: skip
        self.store.update(document, ready)
        return self._with_link(ready)

    def edit(self, caller: Caller, document_id: str, edit: DocumentEdit) -> LibraryDocument:
        document = self._get(document_id)
        after = edited(document, edit, caller.actor, self.clock())
        self.store.update(document, after)
        return self._with_link(after)

    # ---- readers -------------------------------------------------------------------------

    def list(self, caller: Caller, query: LibraryQuery) -> list[LibraryDocument]:
        """Staff: every document (internal too), uploaded ones with a download link."""
        found = [d for d in self.store.all() if _wanted(d, query)]
        return [self._with_link(d) if d.status == "ready" else d for d in _ordered(found)]

    def public(self, query: LibraryQuery) -> list[PublicDocument]:
        """The site: public, uploaded documents only, each with a short download link."""
        shown = [d for d in self.store.all()
                 if d.visibility == "public" and d.status == "ready"
                 and _wanted(d, query)]  # fmt: skip
        return [PublicDocument(**d.model_dump(include=set(PublicDocument.model_fields) - {"url"}),
                               url=self.files.download_url(d.id, d.filename, READ_LINK_SECONDS),
                               link_seconds=READ_LINK_SECONDS)
                for d in _ordered(shown)]  # fmt: skip

    # ---- sending -------------------------------------------------------------------------

    def send(self, caller: Caller, case_id: str, body: SendDocuments, api_base: str) -> Case:
        """Send public documents to the case's customer: a signed link each, working
        LINK_DAYS, in the `documents_sent` notice; a history line and an event on the case."""
        found = self.case_store.get(case_id)
        case = found.case
        caller.require_case(case.group_id, case.assignee, change=True, opened_by=case.staff_opener)
        if case.version != body.version:
            raise version_conflict(case)
        now = self.clock()
        sent, expires = self.links_for(case, body.document_ids, api_base, now)
        command = SendCommand(documents=sent, link_days=LINK_DAYS, expires_at=expires)
        decided = change_case(case, command, caller.actor, now)
        saved = self.case_store.apply(decided)
        self.announce(decided.notices)
        return saved

    def check_sendable(self, document_ids: list[str]) -> None:
        """InvalidInput `no_such_document` / `internal_document` unless every id is a public,
        uploaded document (a macro that sends them is checked when it is saved)."""
        ids = list(dict.fromkeys(document_ids))
        sendable([self.store.get(i) for i in ids], ids)

    def links_for(
        self, case: Case, document_ids: list[str], api_base: str, now: datetime
    ) -> tuple[list[dict[str, str]], datetime]:
        """The documents to send to the case's customer, `{id, title, filename, url}` each
        with a signed link working LINK_DAYS, and when the links expire. InvalidInput
        `no_such_document`, `internal_document`, `links_unavailable`."""
        ids = list(dict.fromkeys(document_ids))
        documents = sendable([self.store.get(i) for i in ids], ids)
        if self.links is None or not api_base:
            raise InvalidInput("links cannot be made here: no link keys or no address",
                               code="links_unavailable")  # fmt: skip
        expires = now + timedelta(days=LINK_DAYS)
        signer = self.links()
        sent = [{"id": d.id, "title": d.title, "filename": d.filename,
                 "url": library_link_url(api_base, signer.sign(
                     LinkPurpose.library_document, link_subject(case.id, d.id),
                     case.customer_id, expires))}
                for d in documents]  # fmt: skip
        return sent, expires

    def open_link(self, token: str) -> str:
        """A sent link followed: the token checked against the case's customer, then a
        short S3 link to the document (LinkInvalid 404, LinkExpired 410)."""
        if self.links is None:
            raise LinkInvalid("this link is not one of ours")
        cases: dict[str, Case] = {}

        def customer_of(subject: str) -> str | None:
            parsed = parse_subject(subject)
            if parsed is None:
                return None
            try:
                cases[subject] = self.case_store.get(parsed[0]).case
            except NotFound:
                return None
            return cases[subject].customer_id

        claims = self.links().verify(token, LinkPurpose.library_document, self.clock(),
                                     customer_of)  # fmt: skip
        parsed = parse_subject(claims.subject)
        document = self.store.get(parsed[1]) if parsed else None
        if document is None or document.status != "ready":
            raise LinkInvalid("this document is no longer in the library")
        return self.files.download_url(document.id, document.filename, READ_LINK_SECONDS)

    # ---- helpers -------------------------------------------------------------------------

    def _get(self, document_id: str) -> LibraryDocument:
        found = self.store.get(document_id)
        if found is None:
            raise NotFound("no such document")
        return found

    def _with_link(self, document: LibraryDocument) -> LibraryDocument:
        check_ready(document)
        url = self.files.download_url(document.id, document.filename, READ_LINK_SECONDS)
        return document.model_copy(update={"url": url})


def _wanted(document: LibraryDocument, query: LibraryQuery) -> bool:
    return (query.category in (None, document.category)
            and query.language in (None, document.language))  # fmt: skip


def _ordered(documents: list[LibraryDocument]) -> list[LibraryDocument]:
    return sorted(documents, key=lambda d: (d.category, d.title.casefold(), d.id))
