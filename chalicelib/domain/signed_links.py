"""Signed links a customer follows without signing in: a rating, a survey, an opt-out.

A link's token says what it is for (`purpose`), what it is about (`subject`: a case id, a
survey invitation's id, a customer's id) and until when it works; it is bound to a party
(the case's customer, the invitation's customer, a channel) that is **not written in it**
but covered by its signature. The verifier looks the subject up to learn whom it is bound
to, and the signature only holds for that party: a token for one customer's case opens
nothing for another, and a token never names a customer.

Format (version 1), URL-safe base64 without padding, 67 characters for a 26-character id:

    version (1 byte) | key id (1) | purpose (1) | expires, minutes since the Unix epoch (4,
    big-endian) | subject (UTF-8, the rest but the last 16) | tag (16)

`tag` is HMAC-SHA256 (RFC 2104) over every byte before it, a 0x1f, and the bound party,
truncated to 128 bits (NIST SP 800-107 rev. 1, section 5.3.4: at least 64 bits for a tag a
guesser must hit online). Short on purpose: the same link goes in an SMS, where every
character counts against a 153-character part. Compared in constant time.

Keys rotate: the first key signs, every key verifies, and the key id (the first byte of the
key's SHA-256) picks it without trying each.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import struct
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import IntEnum

from .errors import DomainError
from .model import Model

VERSION = 1
TAG_BYTES = 16
_HEAD = struct.Struct(">BBBI")  # version, key id, purpose, expiry minute
_TOKEN = re.compile(r"[A-Za-z0-9_-]{30,200}")
#: a subject id longer than this is no id of ours; refused before any work
MAX_SUBJECT_BYTES = 64


class LinkPurpose(IntEnum):
    """What a link opens. The number is written in the token: never reuse one."""

    #: the rating asked at a case's resolution; subject: the case id, bound to its customer
    case_rating = 1
    #: a planned survey's invitation; subject: the invitation id, bound to its customer
    survey = 2
    #: stop commercial messages on one channel; subject: the customer id, bound to the channel
    opt_out = 3
    #: an e-library document sent on a case; subject: `<case id>.<document id>`, bound to the
    #: case's customer (domain/library.py)
    library_document = 4
    #: a file an agent sent with a reply, linked from its email; subject:
    #: `<case id>.<attachment id>`, bound to the case's customer (docs/files-and-cc.md)
    case_file = 5


class LinkInvalid(DomainError):
    """The token is malformed, forged, for another purpose or party, or its subject is gone.

    One error for all of these, so a guesser learns nothing about what exists (404 in the API).
    """

    code = "link_invalid"


class LinkExpired(DomainError):
    """The token is genuine but past its time (410 in the API): the page says so kindly."""

    code = "link_expired"


class LinkClaims(Model):
    """What a verified token says."""

    purpose: LinkPurpose
    subject: str
    bound_to: str
    #: UTC, to the minute (the token keeps minutes)
    expires_at: datetime


def key_id(key: bytes) -> int:
    """The byte a token names its signing key by: the first of the key's SHA-256."""
    return hashlib.sha256(key).digest()[0]


class LinkSigner:
    """Signs and verifies link tokens with the shop's link keys.

    `keys`: raw secrets, the signing one first (at least 32 bytes each: HMAC-SHA256's block
    gives no strength past 64, and under 32 is weaker than the hash). Raises ValueError
    without a key, with a short one, or with two keys that share a key id.
    """

    def __init__(self, keys: list[bytes]) -> None:
        if not keys:
            raise ValueError("no link key")
        self._keys: dict[int, bytes] = {}
        for key in keys:
            if len(key) < 32:
                raise ValueError("a link key needs at least 32 bytes")
            if key_id(key) in self._keys:
                raise ValueError("two link keys share a key id: make a new key")
            self._keys[key_id(key)] = key
        self._signing = keys[0]

    def sign(self, purpose: LinkPurpose, subject: str, bound_to: str, expires_at: datetime) -> str:
        """The token for `subject`, bound to `bound_to`, working until `expires_at` (its
        minute, rounded down). Raises ValueError for a subject over MAX_SUBJECT_BYTES."""
        subject_bytes = subject.encode()
        if not subject_bytes or len(subject_bytes) > MAX_SUBJECT_BYTES:
            raise ValueError("a link's subject is an id of 1 to 64 bytes")
        minute = int(expires_at.astimezone(UTC).timestamp() // 60)
        body = _HEAD.pack(VERSION, key_id(self._signing), int(purpose), minute) + subject_bytes
        tag = _tag(self._signing, body, bound_to)
        return base64.urlsafe_b64encode(body + tag).rstrip(b"=").decode()

    def verify(
        self,
        token: str,
        purpose: LinkPurpose,
        now: datetime,
        bound_to: Callable[[str], str | None],
    ) -> LinkClaims:
        """The token's claims, once its signature holds for the party its subject is bound
        to. `bound_to(subject)` looks that party up (None: no such subject).

        Raises LinkInvalid (malformed, unknown key, other purpose, no subject, forged or
        bound to someone else) or LinkExpired (genuine, but `now` is past its minute).
        The signature is checked before expiry, so an expired answer proves a real link.
        """
        raw = _decode(token)
        if len(raw) <= _HEAD.size + TAG_BYTES:
            raise LinkInvalid("this link is not one of ours")
        version, kid, kind, minute = _HEAD.unpack_from(raw)
        body, tag = raw[:-TAG_BYTES], raw[-TAG_BYTES:]
        key = self._keys.get(kid)
        if version != VERSION or key is None or kind != int(purpose):
            raise LinkInvalid("this link is not one of ours")
        try:
            subject = body[_HEAD.size :].decode()
        except UnicodeDecodeError as exc:
            raise LinkInvalid("this link is not one of ours") from exc
        party = bound_to(subject)
        if party is None or not hmac.compare_digest(tag, _tag(key, body, party)):
            raise LinkInvalid("this link is not one of ours")
        expires_at = datetime.fromtimestamp(0, UTC) + timedelta(minutes=minute)
        if now >= expires_at:
            raise LinkExpired("this link has expired", details={"expired_at": expires_at})
        return LinkClaims(purpose=purpose, subject=subject, bound_to=party, expires_at=expires_at)


def _tag(key: bytes, body: bytes, bound_to: str) -> bytes:
    message = body + b"\x1f" + bound_to.encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:TAG_BYTES]


def _decode(token: str) -> bytes:
    if not _TOKEN.fullmatch(token):
        raise LinkInvalid("this link is not one of ours")
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise LinkInvalid("this link is not one of ours") from exc
    # one link, one spelling: the last character's unused bits are not ignored (RFC 4648
    # §3.5), so a changed character never opens the same link
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != token:
        raise LinkInvalid("this link is not one of ours")
    return raw
