"""Which browser pages may call the API: the customers' site.

The site is served from its own origin (CloudFront; a port of its own locally),
so every call it makes is cross-origin. Chalice answers the preflight and adds
the headers to every response, refusals included. The origin is the one place
configuration is read at import: Chalice fixes a route's CORS when the route is
registered. When SITE_URL is not set (`chalice package` on a build machine),
the preflight allows any origin; that is safe here because the API takes bearer
tokens, never cookies, so a foreign page has nothing of the user's to send.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from chalice import CORSConfig


def site_origin(site_url: str) -> str | None:
    parts = urlsplit(site_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def cors_policy() -> CORSConfig:
    return CORSConfig(
        allow_origin=site_origin(os.environ.get("SITE_URL", "")) or "*",
        allow_headers=["X-Correlation-Id"],
        expose_headers=["X-Correlation-Id", "Retry-After"],
        max_age=600,
    )
