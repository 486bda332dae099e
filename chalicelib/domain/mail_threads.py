"""What destek remembers about each email, sent and received, to thread the next one.

Every notice emailed is remembered by its SES Message-ID (`SentMail`), every inbound
mail by its Message-ID, or the SHA-256 of its bytes when it has none (`TakenMail`), with
what it became: a pre-case, a follow-up on one, a reply on a case, a bounce filed, or
nothing (automatic, refused). The second record is also what makes taking a mail
idempotent: it is written in the same transaction as the mail's effect, so the same
mail again (a second copy in S3, a retried SQS message) finds it and changes nothing.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from .model import Model

#: SES gives a sent mail the Message-ID `<id@region.amazonses.com>`; its API returns `id`
SES_ID_DOMAIN = "amazonses.com"


class SentMail(Model):
    """An email destek sent: the notice and the case it belongs to."""

    case_id: str
    case_number: str = ""
    notice_id: str | None = None


class TakenMail(Model):
    """An inbound email already taken, and what it became."""

    key: str
    #: reply | follow_up | pre_case | bounce | automatic | refused
    outcome: str
    object_key: str = ""
    precase_id: str | None = None
    case_id: str | None = None
    case_number: str | None = None
    at: datetime | None = None


def message_key(message_id: str | None, raw: bytes) -> str:
    """What identifies one email across copies: its Message-ID, else a hash of its bytes."""
    if message_id:
        return message_id
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def sent_id(message_id: str) -> str:
    """The id SES's API returned for a mail whose Message-ID header is `message_id`."""
    local, _, domain = message_id.partition("@")
    return local if domain.endswith(SES_ID_DOMAIN) else message_id
