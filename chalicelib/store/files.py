"""Case attachments in S3: presigned upload forms, what was stored, download links.

The object layout (`cases/<case id>/<attachment id>`) is known only here. Links
and forms are signed locally by botocore: making one costs no AWS call, so a
case read stays one Query however many files it has.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from ..domain.attachments import MAX_BYTES, PREVIEWABLE_TYPES, StoredFile
from .aws import client

UPLOAD_SECONDS = 600
DOWNLOAD_SECONDS = 900


def object_key(case_id: str, attachment_id: str) -> str:
    return f"cases/{case_id}/{attachment_id}"


def precase_object_key(precase_id: str, file_id: str) -> str:
    return f"precases/{precase_id}/{file_id}"


class S3AttachmentFiles:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def upload_form(
        self, case_id: str, attachment_id: str, filename: str, content_type: str
    ) -> dict[str, Any]:
        """A form S3 accepts only for this key, this type, this name and at most MAX_BYTES."""
        fields = {"Content-Type": content_type, "x-amz-meta-filename": quote(filename)}
        conditions: list[Any] = [{k: v} for k, v in fields.items()]
        conditions.append(["content-length-range", 1, MAX_BYTES])
        return client("s3").generate_presigned_post(
            self.bucket,
            object_key(case_id, attachment_id),
            Fields=fields,
            Conditions=conditions,
            ExpiresIn=UPLOAD_SECONDS,
        )

    def stored(self, case_id: str, attachment_id: str) -> StoredFile | None:
        s3 = client("s3")
        try:
            head = s3.head_object(Bucket=self.bucket, Key=object_key(case_id, attachment_id))
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        metadata = head.get("Metadata", {})
        return StoredFile(
            size=int(head["ContentLength"]),
            filename=unquote(metadata.get("filename", "")),
            content_type=head.get("ContentType", ""),
        )

    def keep(
        self, case_id: str, attachment_id: str, filename: str, content_type: str, content: bytes
    ) -> None:
        """Bytes that arrived by email, stored where an upload would have put them."""
        self._put(object_key(case_id, attachment_id), filename, content_type, content)

    def keep_for_precase(
        self, precase_id: str, file_id: str, filename: str, content_type: str, content: bytes
    ) -> None:
        self._put(precase_object_key(precase_id, file_id), filename, content_type, content)

    def move_to_case(self, precase_id: str, file_id: str, case_id: str) -> None:
        """A pre-case's file follows it into the case (copied; the pre-case keeps its own)."""
        client("s3").copy_object(
            Bucket=self.bucket,
            Key=object_key(case_id, file_id),
            CopySource={"Bucket": self.bucket, "Key": precase_object_key(precase_id, file_id)},
        )

    def copy_between_cases(self, source_id: str, into_id: str, attachment_id: str) -> None:
        """A merged case's file, copied to the case that carries on (the same object again
        on a retry; the source keeps its own)."""
        client("s3").copy_object(
            Bucket=self.bucket,
            Key=object_key(into_id, attachment_id),
            CopySource={"Bucket": self.bucket, "Key": object_key(source_id, attachment_id)},
        )

    def _put(self, key: str, filename: str, content_type: str, content: bytes) -> None:
        client("s3").put_object(
            Bucket=self.bucket, Key=key, Body=content, ContentType=content_type,
            Metadata={"filename": quote(filename)},
        )  # fmt: skip

    def discard(self, case_id: str, attachment_id: str) -> None:
        client("s3").delete_object(Bucket=self.bucket, Key=object_key(case_id, attachment_id))

    def download_url(self, case_id: str, attachment_id: str, filename: str) -> str:
        """Always a download, never shown inline: an upload cannot act as a page of ours."""
        return client("s3").generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": object_key(case_id, attachment_id),
                "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            },
            ExpiresIn=DOWNLOAD_SECONDS,
        )

    def preview_url(
        self, case_id: str, attachment_id: str, filename: str, content_type: str
    ) -> str:
        """Shown inline on the case screen and the site: only for an image or a PDF
        (domain/attachments.py PREVIEWABLE_TYPES, refused otherwise with ValueError), served as
        the type destek checked, never as what the object claims, from the bucket's own
        origin, so nothing in it runs as a page of ours."""
        if content_type not in PREVIEWABLE_TYPES:
            raise ValueError(f"{content_type} is not shown inline")
        return client("s3").generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": object_key(case_id, attachment_id),
                "ResponseContentDisposition": f"inline; filename*=UTF-8''{quote(filename)}",
                "ResponseContentType": content_type,
            },
            ExpiresIn=DOWNLOAD_SECONDS,
        )
