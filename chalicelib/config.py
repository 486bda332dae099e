"""Environment variables, read and checked once per process.

Not read at import: `chalice package` imports the app on a machine that has
none of them. The first request or event reads them, and a missing one fails
that first call with a log line naming it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Literal

from pydantic import ConfigDict, Field, field_validator, model_validator

from .domain.model import Model


class Settings(Model):
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    table_name: str = Field(alias="TABLE_NAME")
    #: every queue's URL and its dead-letter queue's, by the variable
    #: messaging/queue_registry.py names (`ROUTING_QUEUE_URL`, `ROUTING_DLQ_URL`, ...)
    queue_urls: dict[str, str]
    #: the verified SES address notices are sent from
    notify_from_email: str = Field(alias="NOTIFY_FROM_EMAIL")
    #: where customers follow their cases (the self-service site); links are left out if empty
    site_url: str = Field(default="", alias="SITE_URL")
    #: SMS alphabet: `ucs2` keeps Turkish letters (70 characters a message, 67 a part),
    #: `gsm7` folds them to ASCII ("çözüldü" -> "cozuldu") for 160 / 153 (domain/sms.py)
    sms_alphabet: Literal["ucs2", "gsm7"] = Field(default="ucs2", alias="SMS_ALPHABET")
    #: the agent console's page (`<API>/console`): staff notices link to a case there. In AWS
    #: every function but the API's own has it (the API's would depend on the API itself);
    #: the API takes it from the request it serves (api/links.py)
    console_url: str = Field(default="", alias="CONSOLE_URL")
    #: SSM parameters `<prefix>/<shop id>` hold each shop's signing secrets
    integration_secrets_prefix: str = Field(alias="INTEGRATION_SECRETS_PREFIX")
    #: the Secrets Manager secret (name or ARN) holding the keys that sign customers' links
    #: (ratings, surveys, opt-outs: domain/signed_links.py), one per line, the first signs
    link_keys_secret: str = Field(default="", alias="LINK_KEYS_SECRET")
    #: days a rating link works after its notice (resolved, closed) was rendered
    rating_link_days: int = Field(default=7, ge=1, le=90, alias="RATING_LINK_DAYS")
    #: days a customer may change their rating after their first answer (docs/satisfaction.md)
    rating_change_days: int = Field(default=3, ge=0, le=90, alias="RATING_CHANGE_DAYS")
    #: the shop's rating scale, 1 to this: 5 (default), 3 or 2 (domain/ratings.py SCALES)
    #: (an int checked against the list: a Literal would refuse the environment's "3")
    rating_scale: int = Field(default=5, alias="RATING_SCALE")
    #: where case attachments are uploaded to (presigned posts) and read from
    attachments_bucket: str = Field(alias="ATTACHMENTS_BUCKET")
    #: where SES receiving stores customers' raw mail (under inbound/)
    inbound_mail_bucket: str = Field(default="", alias="INBOUND_MAIL_BUCKET")
    #: SES configuration set notices are sent with: its bounces and complaints come back
    ses_configuration_set: str = Field(default="", alias="SES_CONFIGURATION_SET")
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
    #: cases on one page of a saved view in the console (its "Sonraki sayfa" reads the next):
    #: 50 in production; the e2e tests set 5 so that a few cases reach a second page
    view_page_size: int = Field(default=50, ge=1, le=100, alias="VIEW_PAGE_SIZE")
    #: how long a process trusts what it read of the directory (roles, staff, revocations,
    #: groups) and of each customer's sign-in: the longest a revocation waits elsewhere
    role_cache_seconds: float = Field(default=60.0, alias="ROLE_CACHE_SECONDS")
    #: tries a notice gets (one every lease, five minutes) before it is marked failed
    notice_max_attempts: int = Field(default=5, ge=1, alias="NOTICE_MAX_ATTEMPTS")
    #: a case still `new` this long after opening lost its routing message
    routing_grace_seconds: float = Field(default=120.0, alias="ROUTING_GRACE_SECONDS")

    #: destek's EventBridge bus (`destek-<stage>-events`) the table stream's case events go to
    event_bus_name: str = Field(alias="EVENT_BUS_NAME")
    #: the local stack only: webhook endpoints may be http:// and on loopback or private
    #: addresses (in AWS only https to public addresses: a URL must not reach inside)
    webhook_local_targets: bool = Field(default=False, alias="WEBHOOK_LOCAL_TARGETS")
    #: seconds one webhook POST may take, connecting and answering together
    webhook_timeout: float = Field(default=10.0, gt=0, le=30, alias="WEBHOOK_TIMEOUT_SECONDS")
    #: shrinks the webhook retry delays (1: about a day); tests and the local stack use less
    webhook_backoff_scale: float = Field(default=1.0, ge=0, le=1, alias="WEBHOOK_BACKOFF_SCALE")

    #: the open data store's engine (services/analytics.py): Athena in AWS; `duckdb` is the
    #: local stack's, over its Parquet in S3 (devstack/event_archive.py, never in the zip)
    analytics_engine: Literal["athena", "duckdb"] = Field(default="athena",
                                                          alias="ANALYTICS_ENGINE")  # fmt: skip
    #: the Athena workgroup (its result location and bytes-scanned cutoff) and Glue database
    athena_workgroup: str = Field(default="", alias="ATHENA_WORKGROUP")
    athena_database: str = Field(default="", alias="ATHENA_DATABASE")
    #: the bucket the case events are archived to as Parquet (under events/)
    archive_bucket: str = Field(default="", alias="ARCHIVE_BUCKET")
    #: one query's limits: seconds of wall time, bytes scanned, rows answered
    analytics_seconds: float = Field(default=30.0, gt=0, le=600, alias="ANALYTICS_SECONDS")
    analytics_max_bytes: int = Field(default=1_000_000_000, gt=0, alias="ANALYTICS_MAX_BYTES")
    analytics_max_rows: int = Field(default=1000, gt=0, le=10_000, alias="ANALYTICS_MAX_ROWS")

    @model_validator(mode="before")
    @classmethod
    def _queue_urls(cls, data: Any) -> Any:
        """Gather the registry's queue variables; a missing one fails like any setting."""
        if not isinstance(data, dict) or "queue_urls" in data:
            return data
        from .messaging.queue_registry import variables

        missing = [name for name in variables() if not data.get(name)]
        if missing:
            raise ValueError(f"queue URLs not set: {', '.join(missing)}")
        return {**data, "queue_urls": {name: data[name] for name in variables()}}

    def queue_url(self, name: str) -> str:
        """The URL of the registry's queue `name` (`routing`, `notify`, ...)."""
        from .messaging.queue_registry import BY_NAME

        return self.queue_urls[BY_NAME[name].url_variable]

    def dead_letter_url(self, name: str) -> str:
        """The URL of the dead-letter queue of the registry's queue `name`."""
        from .messaging.queue_registry import BY_NAME

        return self.queue_urls[BY_NAME[name].dead_letter_variable]

    @field_validator("rating_scale")
    @classmethod
    def _a_scale_a_shop_may_choose(cls, value: int) -> int:
        from .domain.ratings import SCALES

        if value not in SCALES:
            raise ValueError(f"RATING_SCALE is one of {', '.join(map(str, SCALES))}")
        return value


@lru_cache(maxsize=1)
def settings() -> Settings:
    env = dict(os.environ)
    env.setdefault("AWS_REGION", env.get("AWS_DEFAULT_REGION", "eu-central-1"))
    return Settings.model_validate(env)
