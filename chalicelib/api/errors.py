"""Domain errors to HTTP answers, in one place, in one JSON shape.

`{"error": {"code", "message", "details"}}` for every refusal, whether it came
from a service, from validation, or from Chalice itself (405, 415), so clients
parse one shape.
"""

from __future__ import annotations

from typing import Any

from chalice import Response
from pydantic_core import to_jsonable_python

from ..domain import errors
from ..domain.signed_links import LinkExpired, LinkInvalid

STATUS: dict[type[errors.DomainError], int] = {
    errors.BadRequest: 400,
    errors.Unauthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.PayloadTooLarge: 413,
    errors.InvalidInput: 422,
    errors.TooManyRequests: 429,
    # signed links (ratings, surveys, opt-outs): one answer for every kind of bad link, and
    # "gone" for a genuine one past its time
    LinkInvalid: 404,
    LinkExpired: 410,
}

#: Chalice's own error names, as it answers before any view runs
CHALICE_CODES = {
    "MethodNotAllowedError": "method_not_allowed",
    "UnsupportedMediaType": "unsupported_media_type",
    "BadRequest": "bad_request",
    "InternalServerError": "internal_error",
}


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(exc: errors.DomainError) -> Response:
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    headers = {"Content-Type": "application/json"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="destek"'
    if status == 429 and isinstance(exc.details, dict):
        headers["Retry-After"] = str(exc.details.get("retry_after", 60))
    # details may hold times (a link's expiry): JSON as pydantic writes them, ISO 8601
    details = to_jsonable_python(exc.details)
    return Response(
        body=error_body(exc.code, exc.message, details), status_code=status, headers=headers
    )


def reshape(response: Response) -> Response:
    """Give Chalice's own error answers ({"Code", "Message"}) destek's error shape."""
    body = response.body
    if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
        code = CHALICE_CODES.get(body["Code"], "error")
        response.body = error_body(code, str(body.get("Message", "")))
    return response
