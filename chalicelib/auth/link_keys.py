"""The link signing keys, read from Secrets Manager and kept a few minutes per process."""

from __future__ import annotations

import time
from threading import Lock

from ..domain.signed_links import LinkSigner


class SecretLinkKeys:
    """A `LinkSigner` over the keys in one secret (one key per line, the first signs).

    Read once per `ttl` seconds per process: a rotated key reaches every instance within
    five minutes, and a burst of clicked links costs no Secrets Manager call each. Raises
    ValueError (a deployment fault, logged by the caller's error handling) when the secret
    holds no usable key.
    """

    def __init__(self, secret_id: str, ttl: float = 300.0) -> None:
        self.secret_id = secret_id
        self.ttl = ttl
        self._cached: tuple[float, LinkSigner] | None = None
        self._lock = Lock()

    def signer(self) -> LinkSigner:
        now = time.monotonic()
        with self._lock:
            if self._cached and self._cached[0] > now:
                return self._cached[1]
        signer = LinkSigner(self._read())
        with self._lock:
            self._cached = (now + self.ttl, signer)
        return signer

    def _read(self) -> list[bytes]:
        from ..store.aws import client

        if not self.secret_id:
            raise ValueError("LINK_KEYS_SECRET is not set")
        text = client("secretsmanager").get_secret_value(SecretId=self.secret_id)["SecretString"]
        return [line.strip().encode() for line in text.splitlines() if line.strip()]
