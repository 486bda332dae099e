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
    safe_filename,
)
from ..domain.caller import Caller
from ..domain.clock import utcnow
from ..domain.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from ..domain.ids import new_id
from ..domain.lifecycle import Status
from ..domain.model import Model
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
    ) -> None:
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
