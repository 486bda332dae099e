"""Addresses of destek's own pages, as seen from the request being served.

The console's address goes into mails (a new staff member's invitation). Functions that
deliver notices read it from CONSOLE_URL; the API's own function cannot be given that
variable in AWS (its value names the API, which names the function), so the API answers
with the address it was reached at: API Gateway's domain and stage, or a custom domain and
its base path. Never the Host header, which the caller writes.
"""

from __future__ import annotations

from typing import Any

from ..config import settings


def console_address(request: Any) -> str:
    """`https://<domain>/<stage or base path>/console`, or CONSOLE_URL when it is set."""
    configured = settings().console_url
    if configured:
        return configured
    context = getattr(request, "context", None) or {}
    domain = context.get("domainName")
    if not domain:
        return ""
    full = context.get("path") or ""
    event = request.to_original_event() if hasattr(request, "to_original_event") else {}
    own = (event or {}).get("path") or ""
    if own and full.endswith(own):
        prefix = full[: -len(own)]
    else:
        prefix = f"/{context['stage']}" if context.get("stage") else ""
    return f"https://{domain}{prefix.rstrip('/')}/console"
