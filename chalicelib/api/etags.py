"""Conditional GETs for the lists the console polls (docs/views-and-presence.md): an answer
carries an `ETag` (a hash of its JSON), and a request whose `If-None-Match` names it is
answered 304 with no body. The list is still read (its unread marks and counts are the
caller's and move with every case), but a poll that finds nothing new sends no rows back.
The browser's own cache does the rest: `Cache-Control: private, no-cache` makes it ask
again every time, with the tag it holds."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from chalice import Response
from pydantic import BaseModel


def etag_of(body: str) -> str:
    """A weak tag of the JSON text: the same answer, the same tag (16 hex of its SHA-256)."""
    return f'W/"{hashlib.sha256(body.encode()).hexdigest()[:16]}"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether `If-None-Match` (one tag, several, or `*`) names `etag` (RFC 9110 §13.1.2:
    compared weakly, so `W/` is ignored on either side)."""
    if not if_none_match:
        return False
    wanted = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


def conditional(request: Any, result: BaseModel) -> Response:
    """The answer with its tag, or 304 when the caller already holds it."""
    body = json.dumps(result.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if matches(request.headers.get("if-none-match"), etag):
        return Response(body="", status_code=304, headers=headers)
    return Response(body=body, status_code=200,
                    headers={**headers, "Content-Type": "application/json"})  # fmt: skip
