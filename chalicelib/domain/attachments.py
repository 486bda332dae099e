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


class Attachment(Model):
    id: str
    case_id: str
    filename: str
    content_type: str
    size: int
    at: datetime
    by: Actor
    #: a short-lived download link, made when the case is read (never stored)
    url: str | None = None


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


def safe_filename(filename: str) -> str:
    """The name as the customer gave it, minus paths and control characters."""
    name = unicodedata.normalize("NFC", filename).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip(" .")
    return name[:120] or "dosya"
