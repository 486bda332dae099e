"""Articles' images and files in S3: the attachments bucket, under `articles/<article id>/`.

The same presigned-POST pattern as case attachments (store/files.py): the browser sends the
bytes straight to S3 through a form that fits only this key, type, name and size; the
confirmation re-reads what S3 holds. Links are signed locally (no AWS call per read).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from ..domain.attachments import MAX_BYTES, StoredFile
from .aws import client

UPLOAD_SECONDS = 600
DOWNLOAD_SECONDS = 3600


def object_key(article_id: str, file_id: str) -> str:
    return f"articles/{article_id}/{file_id}"


class S3ArticleFiles:
    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def upload_form(
        self, article_id: str, file_id: str, filename: str, content_type: str
    ) -> dict[str, Any]:
        """A form S3 accepts only for this key, this type, this name and at most MAX_BYTES."""
        fields = {"Content-Type": content_type, "x-amz-meta-filename": quote(filename)}
        conditions: list[Any] = [{k: v} for k, v in fields.items()]
        conditions.append(["content-length-range", 1, MAX_BYTES])
        return client("s3").generate_presigned_post(
            self.bucket, object_key(article_id, file_id), Fields=fields,
            Conditions=conditions, ExpiresIn=UPLOAD_SECONDS,
        )  # fmt: skip

    def stored(self, article_id: str, file_id: str) -> StoredFile | None:
        s3 = client("s3")
        try:
            head = s3.head_object(Bucket=self.bucket, Key=object_key(article_id, file_id))
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return StoredFile(
            size=int(head["ContentLength"]),
            filename=unquote(head.get("Metadata", {}).get("filename", "")),
            content_type=head.get("ContentType", ""),
        )

    def discard(self, article_id: str, file_id: str) -> None:
        client("s3").delete_object(Bucket=self.bucket, Key=object_key(article_id, file_id))

    def download_url(self, article_id: str, file_id: str, filename: str) -> str:
        """A download (an image still shows in an <img>): never a page of ours."""
        return client("s3").generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": object_key(article_id, file_id),
                "ResponseContentDisposition": f"attachment; filename*=UTF-8''{quote(filename)}",
            },
            ExpiresIn=DOWNLOAD_SECONDS,
        )  # fmt: skip
