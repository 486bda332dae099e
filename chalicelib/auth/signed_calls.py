"""Signed calls from a shop's backend: Standard Webhooks signatures, several secrets per shop.

The official `standardwebhooks` package does the checking (HMAC-SHA256 over
`<webhook-id>.<webhook-timestamp>.<body>`, a 5-minute window), so any sender
that signs with it, or with any other Standard Webhooks library, is accepted.
A shop may have several active secrets at once: a call passes if any of them
signs it, which lets a shop roll a new secret out before retiring the old one.
"""

from __future__ import annotations

import binascii
import time
from collections.abc import Mapping
from threading import Lock
from typing import Protocol

from ..domain.errors import Unauthenticated
from ..observability import logger


class ShopSecrets(Protocol):
    def secrets(self, shop_id: str) -> list[str]:
        """The shop's active signing secrets (`whsec_...`); none for an unknown shop."""


class SignedCallVerifier:
    def __init__(self, secrets: ShopSecrets) -> None:
        self.source = secrets

    def verify(self, shop_id: str, body: bytes, headers: Mapping[str, str]) -> str:
        """The call's webhook-id, once one of the shop's secrets proves the call is theirs."""
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError

        secrets = self.source.secrets(shop_id)
        if not secrets:
            raise Unauthenticated("unknown shop, or the shop has no active signing secret")
        wanted = {k.lower(): v for k, v in headers.items()}
        reason = "no secret of the shop signed this call"
        for secret in secrets:
            try:
                Webhook(secret).verify(body, wanted, json_parse=False)
            except WebhookVerificationError as exc:
                reason = str(exc)
                continue
            except (ValueError, binascii.Error, UnicodeDecodeError):
                reason = "the signature headers are malformed"
                continue
            return wanted["webhook-id"]
        raise Unauthenticated(f"the call's signature does not verify: {reason}")


class SsmShopSecrets:
    """Secrets as SecureString parameters `<prefix>/<shop id>`, one secret per line or comma.

    Read once per `ttl` seconds per process: a rotation reaches every instance within a
    minute, and a busy shop's calls cost no SSM read each.
    """

    def __init__(self, prefix: str, ttl: float = 60.0) -> None:
        self.prefix = prefix.rstrip("/")
        self.ttl = ttl
        self._cache: dict[str, tuple[float, list[str]]] = {}
        self._lock = Lock()

    def secrets(self, shop_id: str) -> list[str]:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(shop_id)
            if cached and cached[0] > now:
                return cached[1]
        found = self._read(shop_id)
        with self._lock:
            self._cache[shop_id] = (now + self.ttl, found)
        return found

    def _read(self, shop_id: str) -> list[str]:
        from ..store.aws import client

        ssm = client("ssm")
        try:
            value = ssm.get_parameter(Name=f"{self.prefix}/{shop_id}", WithDecryption=True)
        except ssm.exceptions.ParameterNotFound:
            logger.warning("signed call for a shop with no secrets", shop_id=shop_id)
            return []
        text = value["Parameter"]["Value"]
        return [s.strip() for s in text.replace(",", "\n").splitlines() if s.strip()]
