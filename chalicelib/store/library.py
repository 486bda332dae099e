"""The e-library: documents' descriptions in the table, their bytes in S3.

Table (access patterns in chalicelib/store/README.md): every document under one partition,
`PK = LIBRARY`, `SK = DOC#<document id>` (GetItem by id; one Query lists the library, which
holds hundreds of documents, not millions; the site's list filters public ones in memory).

S3: `library/<document id>` in the attachments bucket (presigned POST to upload, presigned
GET to download; both signed locally by botocore, no AWS call).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from ..domain.attachments import MAX_BYTES, StoredFile
from ..domain.errors import Conflict
from ..domain.library import LibraryDocument
from .aws import client
from .dynamo import Table

PK = "LIBRARY"
UPLOAD_SECONDS = 600


def _key(document_id: str) -> dict[str, str]:
    return {"PK": PK, "SK": f"DOC#{document_id}"}


def object_key(document_id: str) -> str:
    return f"library/{document_id}"


class DynamoLibraryStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, document_id: str) -> LibraryDocument | None:
        item = self.table.get(_key(document_id))
        return _document(item) if item else None

    def all(self) -> list[LibraryDocument]:
        return [_document(i) for i in self.table.query_all(("PK", PK), sort_prefix="DOC#")]

    def add(self, document: LibraryDocument) -> None:
        self.table.put({**_item(document), **_key(document.id)}, "attribute_not_exists(PK)")

    def update(self, before: LibraryDocument, after: LibraryDocument) -> None:
        """Write `after` while the stored one is still `before` (its `updated_at`): 409
        `version_conflict` when someone changed it meanwhile."""
        client_ = self.table.client
        try:
            client_.put_item(
                TableName=self.table.name,
                Item=self.table.ser({**_item(after), **_key(after.id)}),
                ConditionExpression="updated_at = :before",
                ExpressionAttributeValues=self.table.ser(
                    {":before": before.model_dump(mode="json")["updated_at"]}
                ),
            )
        except client_.exceptions.ConditionalCheckFailedException as exc:
            raise Conflict("the document changed since you read it",
                           code="version_conflict") from exc  # fmt: skip


def _item(document: LibraryDocument) -> dict[str, Any]:
    return {**document.model_dump(mode="json", exclude={"url"}), "entity": "library_document"}


def _document(item: dict[str, Any]) -> LibraryDocument:
    return LibraryDocument.model_validate(
        {k: v for k, v in item.items() if k not in ("PK", "SK", "entity")}
    )


class S3LibraryFiles:
    """The documents' bytes under `library/` in the attachments bucket."""

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    def upload_form(self, document_id: str, filename: str, content_type: str) -> dict[str, Any]:
        """A form S3 accepts only for this key, this type and name, at most MAX_BYTES."""
        fields = {"Content-Type": content_type, "x-amz-meta-filename": quote(filename)}
        conditions: list[Any] = [{k: v} for k, v in fields.items()]
        conditions.append(["content-length-range", 1, MAX_BYTES])
        return client("s3").generate_presigned_post(
            self.bucket, object_key(document_id), Fields=fields, Conditions=conditions,
            ExpiresIn=UPLOAD_SECONDS,
        )  # fmt: skip

    def stored(self, document_id: str) -> StoredFile | None:
        s3 = client("s3")
        try:
            head = s3.head_object(Bucket=self.bucket, Key=object_key(document_id))
        except s3.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return StoredFile(size=int(head["ContentLength"]),
                          filename=unquote(head.get("Metadata", {}).get("filename", "")),
                          content_type=head.get("ContentType", ""))  # fmt: skip

    def put(self, document_id: str, filename: str, content_type: str, content: bytes) -> None:
        """Bytes written directly (the local stack's seed data)."""
        client("s3").put_object(Bucket=self.bucket, Key=object_key(document_id), Body=content,
                                ContentType=content_type,
                                Metadata={"filename": quote(filename)})  # fmt: skip

    def discard(self, document_id: str) -> None:
        client("s3").delete_object(Bucket=self.bucket, Key=object_key(document_id))

    def download_url(self, document_id: str, filename: str, seconds: int) -> str:
        """Always a download, never shown inline."""
        return client("s3").generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": object_key(document_id),
                    "ResponseContentDisposition":
                        f"attachment; filename*=UTF-8''{quote(filename)}"},
            ExpiresIn=seconds,
        )  # fmt: skip
