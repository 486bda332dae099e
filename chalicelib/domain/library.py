"""The e-library: categorised documents (forms, information sheets, user manuals) kept in S3,
public or internal, sent to customers as expiring links and listed on the self-service site.

A document is described here; its bytes go from the browser straight to S3 through a
presigned POST with the same type and size limits as case attachments
(domain/attachments.py: PDF, images, text, MP4; at most 10 MB, counted in bytes), then the
upload is confirmed, which re-reads what S3 holds (`status` moves from `uploading` to
`ready`). Only `ready` documents are listed or sent; only `public` ones are ever shown
without sign-in (`GET /library`).

Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from .cases import Actor
from .errors import Conflict, InvalidInput
from .model import Model, Strict

Language = Literal["tr", "en"]
LibraryVisibility = Literal["public", "internal"]
#: a category is a short code the shop chooses (`forms`, `manuals`, `returns`...): the site
#: and the console group by it; its words are the shop's own, in the document's language
CategoryCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
#: the categories the shop ships with (the demo library's): each has its words in the site's
#: and console's strings files (`library_kind_<code>`), so a reader sees "Formlar", not
#: `forms`; a code an editor makes up later shows as typed until it is given words there
NAMED_CATEGORIES = ("forms", "info", "manuals", "internal")
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
#: days a link sent to a customer works (a signed link to destek, which hands out a fresh
#: short S3 link each time it is followed: docs/checklists-and-library.md)
LINK_DAYS = 7
#: documents one message may carry
MAX_PER_MESSAGE = 10


class DocumentFields(Strict):
    """What an editor says about a document."""

    title: Title
    description: Description = ""
    category: CategoryCode
    language: Language
    visibility: LibraryVisibility


class DocumentEdit(Strict):
    """A change of a document's description: only the fields given change (at least one)."""

    title: Title | None = None
    description: Description | None = None
    category: CategoryCode | None = None
    language: Language | None = None
    visibility: LibraryVisibility | None = None


class LibraryDocument(DocumentFields):
    """A document as stored. `size` in bytes; `url` a short-lived download link made when it
    is read (never stored)."""

    id: str
    filename: str
    content_type: str
    size: int
    status: Literal["uploading", "ready"] = "uploading"
    created_at: datetime
    created_by: Actor
    updated_at: datetime
    updated_by: Actor
    url: str | None = None


class PublicDocument(Model):
    """What the site shows of a public document: no author, no internal fields. `url`: a
    download link that works for `link_seconds`."""

    id: str
    title: str
    description: str
    category: str
    language: Language
    filename: str
    content_type: str
    size: int
    url: str
    link_seconds: int


def edited(
    document: LibraryDocument, edit: DocumentEdit, by: Actor, at: datetime
) -> LibraryDocument:
    """The document with the edit's fields; InvalidInput when the edit names none."""
    fields = edit.model_dump(exclude_none=True)
    if not fields:
        raise InvalidInput("nothing to change: give title, description, category, language "
                           "or visibility")  # fmt: skip
    return document.model_copy(update={**fields, "updated_at": at, "updated_by": by})


def sendable(documents: list[LibraryDocument | None], ids: list[str]) -> list[LibraryDocument]:
    """The documents to send, in the order asked: InvalidInput `no_such_document` naming the
    ids that are missing or not uploaded yet, `internal_document` naming internal ones
    (internal documents never reach a customer)."""
    by_id = {d.id: d for d in documents if d is not None and d.status == "ready"}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise InvalidInput("no such document", code="no_such_document",
                           details={"document_ids": missing})  # fmt: skip
    internal = [i for i in ids if by_id[i].visibility != "public"]
    if internal:
        raise InvalidInput("internal documents are not sent to customers",
                           code="internal_document",
                           details={"document_ids": internal})  # fmt: skip
    return [by_id[i] for i in ids]


def check_ready(document: LibraryDocument) -> None:
    if document.status != "ready":
        raise Conflict("the file is not uploaded yet", code="not_uploaded")


def link_subject(case_id: str, document_id: str) -> str:
    """A sent link's subject (domain/signed_links.py): the case and the document."""
    return f"{case_id}.{document_id}"


def parse_subject(subject: str) -> tuple[str, str] | None:
    case_id, dot, document_id = subject.partition(".")
    return (case_id, document_id) if dot and case_id and document_id else None


class SendDocuments(Strict):
    """Send 1 to 10 public documents to the case's customer; `version`: the case's version
    you read (409 `version_conflict` when it changed)."""

    version: int = Field(ge=1)
    document_ids: list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]] = Field(
        min_length=1, max_length=MAX_PER_MESSAGE
    )
