"""Environment variables, read and checked once per process.

Not read at import: `chalice package` imports the app on a machine that has
none of them. The first request or event reads them, and a missing one fails
that first call with a log line naming it.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import ConfigDict, Field

from .domain.model import Model


class Settings(Model):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    table_name: str = Field(alias="TABLE_NAME")
    routing_queue_url: str = Field(alias="ROUTING_QUEUE_URL")
    notify_queue_url: str = Field(alias="NOTIFY_QUEUE_URL")
    routing_dlq_url: str = Field(alias="ROUTING_DLQ_URL")
    notify_dlq_url: str = Field(alias="NOTIFY_DLQ_URL")
    #: the verified SES address notices are sent from
    notify_from_email: str = Field(alias="NOTIFY_FROM_EMAIL")
    #: where customers follow their cases (the self-service site); links are left out if empty
    site_url: str = Field(default="", alias="SITE_URL")
    #: SSM parameters `<prefix>/<shop id>` hold each shop's signing secrets
    integration_secrets_prefix: str = Field(alias="INTEGRATION_SECRETS_PREFIX")
    #: where case attachments are uploaded to (presigned posts) and read from
    attachments_bucket: str = Field(alias="ATTACHMENTS_BUCKET")
    #: where SES receiving stores customers' raw mail (under inbound/)
    inbound_mail_bucket: str = Field(default="", alias="INBOUND_MAIL_BUCKET")
    #: the address customers write to; mail from it (or from notify_from_email) is a loop
    support_email: str = Field(default="", alias="SUPPORT_EMAIL")
    #: raw messages over this size are kept in S3 and logged, never parsed
    max_mail_bytes: int = Field(default=25 * 1024 * 1024, alias="MAX_MAIL_BYTES")
    staff_pool_id: str = Field(alias="STAFF_POOL_ID")
    staff_client_ids: str = Field(alias="STAFF_CLIENT_IDS")
    customer_pool_id: str = Field(alias="CUSTOMER_POOL_ID")
    customer_client_ids: str = Field(alias="CUSTOMER_CLIENT_IDS")
    region: str = Field(alias="AWS_REGION")
    #: where Cognito's JWKS is served; AWS's own host unless the local stack says otherwise
    cognito_jwks_endpoint: str | None = Field(default=None, alias="COGNITO_JWKS_ENDPOINT")
    #: how long an AWS call may take before botocore retries it; the local stack's moto copies
    #: the whole table on every transaction, and a retry racing the slow original corrupts it
    aws_read_timeout: float = Field(default=10.0, alias="AWS_READ_TIMEOUT_SECONDS")
    max_body_bytes: int = Field(default=64 * 1024, alias="MAX_BODY_BYTES")
    role_cache_seconds: float = Field(default=60.0, alias="ROLE_CACHE_SECONDS")
    #: a case still `new` this long after opening lost its routing message
    routing_grace_seconds: float = Field(default=120.0, alias="ROUTING_GRACE_SECONDS")


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = dict(os.environ)
    env.setdefault("AWS_REGION", env.get("AWS_DEFAULT_REGION", "eu-central-1"))
    return Settings.model_validate(env)
