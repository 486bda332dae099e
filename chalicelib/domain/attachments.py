"""Files attached to a case: what may be uploaded, and how a file is described.

Uploads go from the browser straight to S3 through a presigned POST; the API
never carries the bytes. The limits are checked twice: when the form is asked
for (so the customer hears at once) and when the upload is confirmed (S3's
own policy check is the real gate in AWS; the confirmation re-reads the stored
object, so the local stack, whose S3 does not enforce policies, refuses too).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from .cases import Actor
from .errors import InvalidInput, PayloadTooLarge
from .model import Model

MAX_BYTES = 10 * 1024 * 1024
#: photos of the product, receipts and invoices, short videos; never HTML or scripts,
#: which a browser would run if it were ever served inline
ALLOWED_TYPES = {
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "image/heic": (".heic",),
    "application/pdf": (".pdf",),
    "text/plain": (".txt",),
    "video/mp4": (".mp4",),
}
MAX_PER_CASE = 20
#: files one reply or note may carry (docs/files-and-cc.md)
MAX_FILES_PER_MESSAGE = 5
#: how long a file link in a reply's email works (GET /files/links/{token}), in days
FILE_LINK_DAYS = 14
#: what the case screen shows inline rather than only offering as a download
PREVIEWABLE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp",
                               "application/pdf"})  # fmt: skip


class Attachment(Model):
    id: str
    case_id: str
    filename: str
    content_type: str
    size: int
    at: datetime
    by: Actor
    #: sent with an internal note: staff only, never shown to the customer or mailed
    internal: bool = False
    #: a short-lived download link, made when the case is read (never stored)
    url: str | None = None
    #: for an image or a PDF, a short-lived link that shows it inline (never stored)
    preview_url: str | None = None


class StoredFile(Model):
    """What S3 says it holds for an upload."""

    size: int
    filename: str
    content_type: str


def check_upload(filename: str, content_type: str, size: int) -> None:
    """Refuse what the site or an agent must not upload, with a reason a person can act on."""
    if size > MAX_BYTES:
        raise PayloadTooLarge(
            f"files may be at most {MAX_BYTES // (1024 * 1024)} MB",
            details={"limit": MAX_BYTES, "size": size},
        )
    extensions = ALLOWED_TYPES.get(content_type)
    if extensions is None:
        raise InvalidInput(
            "this kind of file cannot be attached",
            details={"allowed": sorted(ALLOWED_TYPES)},
        )
    if not filename.lower().endswith(extensions):
        raise InvalidInput(
            f"a {content_type} file should end in {' or '.join(extensions)}",
            details={"filename": filename},
        )


def message_files(
    wanted: list[str], recorded: list[Attachment], uploaded: dict[str, StoredFile | None]
) -> tuple[list[str], list[str]]:
    """Which of the files a reply or note names are recorded already and which it must
    record: (`known`, `new`) ids, in the order given, duplicates dropped.

    `recorded`: the case's attachments; `uploaded`: id -> what S3 holds under the case for
    each id not recorded (None: nothing). InvalidInput `too_many_files` over
    MAX_FILES_PER_MESSAGE, `no_such_file` (details: ids) for an id neither recorded nor
    uploaded; an upload over the limits or of a refused type as `check_upload` says."""
    ids = list(dict.fromkeys(wanted))
    if len(ids) > MAX_FILES_PER_MESSAGE:
        limit = MAX_FILES_PER_MESSAGE
        raise InvalidInput(f"a message carries at most {limit} files", code="too_many_files",
                           details={"limit": limit})  # fmt: skip
    have = {a.id for a in recorded}
    missing = [i for i in ids if i not in have and uploaded.get(i) is None]
    if missing:
        raise InvalidInput("upload these files first", code="no_such_file",
                           details={"ids": missing})  # fmt: skip
    new = [i for i in ids if i not in have]
    for i in new:
        stored = uploaded[i]
        assert stored is not None
        check_upload(safe_filename(stored.filename), stored.content_type, stored.size)
    return [i for i in ids if i in have], new


def customer_files(attachments: list[Attachment]) -> list[Attachment]:
    """What the customer sees of a case's files: all but those sent with internal notes; a
    staff member who sent one is named, never given by username (as the history names them)."""
    return [a if a.by.kind != "staff" else
            a.model_copy(update={"by": Actor(kind="staff", id="", name=a.by.name)})
            for a in attachments if not a.internal]  # fmt: skip


def file_subject(case_id: str, attachment_id: str) -> str:
    """A file link's subject (domain/signed_links.py LinkPurpose.case_file)."""
    return f"{case_id}.{attachment_id}"


def parse_file_subject(subject: str) -> tuple[str, str] | None:
    """(case id, attachment id) of a file link's subject, None if it is not one."""
    case_id, dot, attachment_id = subject.partition(".")
    return (case_id, attachment_id) if dot and case_id and attachment_id else None


def safe_filename(filename: str) -> str:
    """The name as the customer gave it, minus paths and control characters."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip(" .")
    return name[:120] or "dosya"


# -- files that arrive by email ----------------------------------------------------------

#: labels mail clients put on the allowed types (`image/pjpeg` is Internet Explorer's)
TYPE_ALIASES = {
    "image/jpg": "image/jpeg",
    "image/pjpeg": "image/jpeg",
    "image/jpe": "image/jpeg",
    "image/x-png": "image/png",
    "image/heif": "image/heic",
    "application/x-pdf": "application/pdf",
    "application/acrobat": "application/pdf",
    "text/x-plain": "text/plain",
}
#: what mail may carry beyond what the site uploads: a forwarded message (an order
#: confirmation, an earlier answer), kept whole as .eml and only ever offered as a download
MAIL_ONLY_TYPES = {"message/rfc822": (".eml",)}
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")
#: extensions that say nothing, replaced rather than kept in front of the right one
_EMPTY_EXTENSIONS = frozenset({"", "bin", "dat", "tmp", "octet-stream"})


class FileVerdict(Model):
    """What destek keeps a mailed file as, or why it refuses it.

    `refused`: `too_large`, `type_not_allowed` (the content is a kind of file that
    cannot be attached) or `content_mismatch` (labelled as an allowed type, but its
    bytes are not one); the name is always kept, so the agent can ask for the file.
    """

    filename: str
    content_type: str
    refused: str | None = None


def identify_file(filename: str, label: str, content: bytes) -> FileVerdict:
    """A file judged by its bytes (magic numbers, through `filetype`), not by the type its
    sender's client wrote: a JPEG labelled `image/pjpeg`, a PDF labelled
    `application/octet-stream` are kept as what they are, an executable labelled
    `image/png` is refused. Text has no magic: a text/plain label holds if no NUL byte
    says otherwise. A forwarded message (message/rfc822 starting with a header) is kept
    as .eml."""
    import filetype

    name = safe_filename(filename)
    declared = TYPE_ALIASES.get(label.lower(), label.lower())
    if len(content) > MAX_BYTES:
        return FileVerdict(filename=name, content_type=declared, refused="too_large")
    sniffed = filetype.guess_mime(content[:8192])
    sniffed = TYPE_ALIASES.get(sniffed, sniffed) if sniffed else None
    if declared in ("message/rfc822", "message/global") and _HEADER_LINE.match(content):
        return FileVerdict(filename=_with_extension(name, "message/rfc822"),
                           content_type="message/rfc822")  # fmt: skip
    if sniffed:
        kind = sniffed
    elif declared == "text/plain" or (declared.startswith("text/") and name.endswith(".txt")):
        kind = "text/plain" if b"\x00" not in content[:8192] else "application/octet-stream"
    elif declared in ALLOWED_TYPES:
        return FileVerdict(filename=name, content_type=declared, refused="content_mismatch")
    else:
        kind = declared
    if kind not in ALLOWED_TYPES:
        return FileVerdict(filename=name, content_type=kind, refused="type_not_allowed")
    return FileVerdict(filename=_with_extension(name, kind), content_type=kind)


def _with_extension(name: str, content_type: str) -> str:
    extensions = {**ALLOWED_TYPES, **MAIL_ONLY_TYPES}[content_type]
    if name.lower().endswith(extensions):
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and ext.lower() in _EMPTY_EXTENSIONS:
        name = stem
    return f"{name[: 120 - len(extensions[0])]}{extensions[0]}"
