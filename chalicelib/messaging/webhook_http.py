"""The POST of one webhook: to the address destek checked, signed, without redirects.

The host is resolved here and every address checked again at delivery (a name registered
while it pointed at a public address may point inside later: DNS rebinding), and the
connection is made to the checked address itself, with the URL's host for TLS (SNI and the
certificate check) and the Host header, so no second lookup can send it elsewhere.
Redirects are not followed (a 3xx is a failed attempt, as Standard Webhooks advises).
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from ..domain.webhooks import all_public

#: bytes of the receiver's answer kept for the delivery record
ANSWER_BYTES = 500


@dataclass(frozen=True)
class Answer:
    """`status`: the HTTP status, None when none came (`error` says why)."""

    status: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def resolve(host: str, port: int) -> list[str]:
    """Every address the host resolves to; none when it does not resolve."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        return []
    return sorted({info[4][0] for info in found})


@cache
def _tls() -> ssl.SSLContext:
    return ssl.create_default_context()


def post(
    url: str, body: bytes, headers: dict[str, str], timeout: float, local: bool = False
) -> Answer:
    """POST the body; the answer's status, or why there was none. `local`: the local stack,
    where loopback and private addresses are allowed."""
    import urllib3

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = resolve(host, port)
    if not addresses:
        return Answer(None, "the host does not resolve")
    if not local and not all_public(addresses):
        return Answer(None, "the host resolves to an address that is not public")
    target = addresses[0]
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    limits = urllib3.Timeout(total=timeout)
    if parts.scheme == "https":
        pool: urllib3.HTTPConnectionPool = urllib3.HTTPSConnectionPool(
            target, port, timeout=limits, retries=False, ssl_context=_tls(),
            server_hostname=host, assert_hostname=host,
        )  # fmt: skip
    else:
        pool = urllib3.HTTPConnectionPool(target, port, timeout=limits, retries=False)
    host_header = host if parts.port is None else f"{host}:{port}"
    try:
        with pool:
            response = pool.urlopen(
                "POST", path, body=body, headers={**headers, "Host": host_header},
                redirect=False, preload_content=False,
            )  # fmt: skip
            response.read(ANSWER_BYTES)
            response.release_conn()
            return Answer(response.status)
    except urllib3.exceptions.HTTPError as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}"[:300])
