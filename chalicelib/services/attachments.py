"""Attaching files to a case, for customers and staff alike.

Two steps, because the bytes go straight to S3: ask for an upload form (the
limits are checked and the form only fits this one file), then confirm, which
re-reads what S3 holds and records it under the case. Confirming twice records
once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from ..domain.attachments import (
    MAX_BYTES,
    MAX_PER_CASE,
    Attachment,
    check_upload,
    customer_files,
    parse_file_subject,
    safe_filename,
)
from ..domain.caller import Caller
from ..domain.clock import utcnow
from ..domain.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from ..domain.ids import new_id
from ..domain.lifecycle import Status
from ..domain.model import Model
from ..domain.signed_links import LinkInvalid, LinkPurpose, LinkSigner
from .case_commands import Strict
from .cases import CaseService
from .ports import AttachmentFiles, CaseStore


class NewAttachment(Strict):
    filename: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    content_type: Annotated[str, StringConstraints(min_length=3, max_length=100)]
    size: Annotated[int, Field(ge=1, description="bytes")]


class UploadForm(Model):
    """POST the file to `url` as multipart/form-data: every field, then `file` last."""

    attachment_id: str
    url: str
    fields: dict[str, Any]
    max_bytes: int = MAX_BYTES


class AttachmentService:
    def __init__(
        self,
        cases: CaseService,
        store: CaseStore,
        files: AttachmentFiles,
        clock: Callable[[], datetime] = utcnow,
        links: Callable[[], LinkSigner] | None = None,
    ) -> None:
        #: verifies the file links a reply's email carries (None: no keys, every link 404)
        self.links = links
        self.cases = cases
        self.store = store
        self.files = files
        self.clock = clock

    def start_upload(self, caller: Caller, case_ref: str, request: NewAttachment) -> UploadForm:
        found = self.cases.visible(caller, case_ref)
        caller.require_case(found.case.group_id, found.case.assignee, change=True,
                            opened_by=found.case.staff_opener)  # fmt: skip
        if found.case.status == Status.CLOSED:
            raise Conflict("this case is closed", code="case_closed")
        if len(found.attachments) >= MAX_PER_CASE:
            raise Conflict(f"a case holds at most {MAX_PER_CASE} files", code="too_many_files")
        filename = safe_filename(request.filename)
        check_upload(filename, request.content_type, request.size)
        attachment_id = new_id("f")
        form = self.files.upload_form(found.case.id, attachment_id, filename, request.content_type)
        return UploadForm(attachment_id=attachment_id, url=form["url"], fields=form["fields"])

    def confirm(self, caller: Caller, case_ref: str, attachment_id: str) -> Attachment:
        found = self.cases.visible(caller, case_ref)
        case = found.case
        caller.require_case(case.group_id, case.assignee, change=True, opened_by=case.staff_opener)
        recorded = next((a for a in found.attachments if a.id == attachment_id), None)
        if recorded is not None and recorded.internal and caller.principal.is_customer:
            raise NotFound("no upload with this id: upload the file first")  # a note's file
        if recorded is not None:
            return self.cases.with_link(recorded)
        stored = self.files.stored(case.id, attachment_id)
        if stored is None:
            raise NotFound("no upload with this id: upload the file first")
        filename = safe_filename(stored.filename)  # S3 metadata: re-checked, not trusted
        try:
            check_upload(filename, stored.content_type, stored.size)
        except (PayloadTooLarge, InvalidInput):
            self.files.discard(case.id, attachment_id)  # S3's policy would have refused it
            raise
        attachment = Attachment(
            id=attachment_id,
            case_id=case.id,
            filename=filename,
            content_type=stored.content_type,
            size=stored.size,
            at=self.clock(),
            by=caller.actor,
        )
        self.store.add_attachment(case, attachment)
        return self.cases.with_link(attachment)

    def open_link(self, token: str) -> str:
        """A file link from a reply's email followed: the token checked against the case's
        customer, then a fresh short-lived S3 link to the file. LinkInvalid (404) for a
        token that is not ours or a file no longer on the case (or one of a note),
        LinkExpired (410) past its FILE_LINK_DAYS."""
        if self.links is None:
            raise LinkInvalid("this link is not one of ours")
        found = {}

        def customer_of(subject: str) -> str | None:
            parsed = parse_file_subject(subject)
            if parsed is None:
                return None
            try:
                found[subject] = self.store.get(parsed[0])
            except NotFound:
                return None
            return found[subject].case.customer_id

        claims = self.links().verify(token, LinkPurpose.case_file, self.clock(), customer_of)
        parsed = parse_file_subject(claims.subject)
        assert parsed is not None
        files = customer_files(found[claims.subject].attachments)
        attachment = next((a for a in files if a.id == parsed[1]), None)
        if attachment is None:
            raise LinkInvalid("this file is no longer on the case")
        return self.files.download_url(attachment.case_id, attachment.id, attachment.filename)
