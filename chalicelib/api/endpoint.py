"""One way to declare a route: who may call it, what it reads, what it answers.

Handlers written with `endpoint` receive the verified caller and the parsed,
validated input, and return a model or a dict. Auth, body limits, JSON and
pydantic errors, and domain errors are dealt with here, once. The ROUTES
registry is what the route-permission test walks and what the OpenAPI
document is generated from.
"""

from __future__ import annotations

import importlib
import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from chalice import Blueprint, Response
from pydantic import BaseModel, ValidationError

from .. import wiring
from ..config import settings
from ..domain.caller import Caller
from ..domain.errors import (
    BadRequest,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthenticated,
)
from ..domain.permissions import Action, Principal, Resource
from ..domain.reports import problems_of
from .errors import error_response

if TYPE_CHECKING:
    from collections.abc import Callable

#: integration: a shop's backend, proven by a Standard Webhooks signature (path has {shop_id})
Audience = Literal["public", "any", "staff", "customer", "integration"]
#: ids, numbers and usernames; anything else cannot name a resource, so it is a 404
PATH_PARAM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}")


@dataclass(frozen=True)
class FileAnswer:
    """A route that answers a file to download (a Route.response): its media types."""

    media_types: tuple[str, ...]


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    name: str
    audience: Audience
    permission: tuple[Resource, Action] | None
    #: the body's and the query's models, or "package.module:Name" for one whose module the
    #: API does not import until a request needs it (cold start: `body` and `query` resolve)
    body_ref: type[BaseModel] | str | None
    query_ref: type[BaseModel] | str | None
    status: int
    summary: str
    #: calls a minute per client address; every public route has one
    rate_limit: int | None = None
    #: what a success answers, for the OpenAPI document: a model, `list[Model]`, `A | B`,
    #: `(A, B)` (one of), or "package.module:Name" (`lazy`) for a model whose module the API
    #: does not import (cold start)
    response: Any = None
    #: the api module that declares it (the OpenAPI tag)
    tag: str = ""
    #: a public route a signed-in customer may call with their token too (the assistant):
    #: a token, when sent, must be a valid customer's, and the handler gets the caller
    optional_customer: bool = False

    @property
    def body(self) -> type[BaseModel] | None:
        return model_of(self.body_ref)

    @property
    def query(self) -> type[BaseModel] | None:
        return model_of(self.query_ref)


ROUTES: list[Route] = []

_RESOLVED: dict[str, Any] = {}


class lazy:  # noqa: N801 - used as a namespace: SURVEYS.Survey
    """A module's models by name without importing it: `lazy("chalicelib.domain.surveys")
    .Survey` is "chalicelib.domain.surveys:Survey", which a route's `body`, `query` and
    `response` take (`model_of` imports it when a request first needs it)."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> str:
        return f"{self._module}:{name}"


def model_of(ref: type[BaseModel] | str | None) -> Any:
    """The model a route names: itself, or the one "package.module:Name" names, imported the
    first time it is asked for (and kept)."""
    if not isinstance(ref, str):
        return ref
    if ref not in _RESOLVED:
        module, _, name = ref.partition(":")
        _RESOLVED[ref] = getattr(importlib.import_module(module), name)
    return _RESOLVED[ref]


def endpoint(
    bp: Blueprint,
    path: str,
    method: str = "GET",
    *,
    audience: Audience = "staff",
    permission: tuple[Resource, Action] | None = None,
    body: type[BaseModel] | str | None = None,
    query: type[BaseModel] | str | None = None,
    status: int = 200,
    summary: str = "",
    rate_limit: int | None = None,
    response: type[BaseModel] | Any | None = None,
    content_types: tuple[str, ...] = ("application/json",),
    optional_customer: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`content_types`: what a POST may send; a route without a `body` that must take a
    form (RFC 8058's one-click unsubscribe) names it. `optional_customer`: a public route
    that knows a signed-in customer who sends their token (Route.optional_customer)."""

    def register(handler: Callable[..., Any]) -> Callable[..., Any]:
        route = Route(
            path,
            method,
            handler.__name__,
            audience,
            permission,
            body,
            query,
            status,
            summary or (handler.__doc__ or "").strip().split("\n")[0],
            rate_limit,
            response,
            handler.__module__.rsplit(".", 1)[-1],
            optional_customer,
        )
        if audience == "integration" and "{shop_id}" not in path:
            raise ValueError(f"integration route {method} {path} must name {{shop_id}}")
        if audience == "public" and not rate_limit:
            raise ValueError(f"public route {method} {path} needs a rate_limit")
        if optional_customer and audience != "public":
            raise ValueError(f"only a public route takes an optional token: {method} {path}")
        ROUTES.append(route)

        def view(**path_args: str) -> Response:
            request = bp.current_request
            try:
                for value in path_args.values():
                    if not PATH_PARAM.fullmatch(value):
                        raise NotFound("no such resource")
                if route.rate_limit:
                    throttle(request, route)
                if route.audience == "integration":
                    return respond(signed_call(request, route, handler, path_args), status)
                caller = authenticate(request.headers, route)
                inputs: dict[str, Any] = dict(path_args)
                if route.body is not None:
                    inputs["body"] = parse_body(request.raw_body, route.body)
                else:  # a form (RFC 8058's one-click) is held to the JSON bodies' limit too
                    within_limit(request.raw_body)
                if route.query is not None:
                    inputs["query"] = parse_query(request.query_params, route.query)
                elif route.audience == "public":
                    no_query(request.query_params)
                return respond(handler(caller, **inputs), status)
            except DomainError as exc:
                return error_response(exc)

        view.__name__ = handler.__name__
        view.__doc__ = handler.__doc__
        bp.route(path, methods=[method], content_types=list(content_types))(view)
        return handler

    return register


def signed_call(
    request: Any, route: Route, handler: Callable[..., Any], path_args: dict[str, str]
) -> Any:
    """Verify the shop's signature, then apply the call once per webhook-id: a repeat gets
    the first answer back and changes nothing."""
    shop_id = path_args["shop_id"]
    raw = request.raw_body or b""
    within_limit(raw)
    webhook_id = wiring.signed_call_verifier().verify(shop_id, raw, request.headers)
    principal = Principal(
        kind="integration", subject=shop_id, username=f"shop:{shop_id}", name=shop_id
    )
    caller = Caller(principal, ())
    inputs: dict[str, Any] = dict(path_args)
    if route.body is not None:
        inputs["body"] = parse_body(raw, route.body)

    def apply() -> Any:
        return plain(handler(caller, **inputs))

    context = getattr(request, "lambda_context", None)
    return wiring.call_ledger().once(shop_id, webhook_id, route.name, raw, apply, context)


def plain(result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list):
        return [plain(r) for r in result]
    return result


def client_address(request: Any) -> str:
    """The caller's address as API Gateway saw it (what per-client limits count by)."""
    return ((request.context or {}).get("identity") or {}).get("sourceIp") or "unknown"


def throttle(request: Any, route: Route) -> None:
    client = client_address(request)
    wait = wiring.rate_limiter().admit(route.name, client, route.rate_limit or 0)
    if wait is not None:
        raise TooManyRequests(
            f"too many requests; try again in {wait} seconds",
            details={"limit_per_minute": route.rate_limit, "retry_after": wait},
        )


def authenticate(headers: Any, route: Route) -> Caller | None:
    if route.audience == "public":
        if route.optional_customer and (headers.get("authorization") or "").strip():
            return authenticate(headers, replace(route, audience="customer"))
        return None
    scheme, _, token = (headers.get("authorization") or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("sign in first: send 'Authorization: Bearer <id token>'")
    principal = wiring.token_verifier().verify(token.strip())
    if route.audience == "staff" and not principal.is_staff:
        raise Forbidden("this is for staff only")
    if route.audience == "customer" and not principal.is_customer:
        raise Forbidden("this is for customers only")
    # the token's claims are not the whole truth: roles, groups and whose data a customer
    # reaches come from state a revocation changes (domain/access.py)
    caller = wiring.access_gate().admit(principal)
    if route.permission is not None:
        caller.require(*route.permission)
    return caller


def within_limit(raw: bytes | None) -> None:
    """413 for a body over `max_body_bytes` (64 KiB), whatever its media type."""
    limit = settings().max_body_bytes
    if raw and len(raw) > limit:
        raise PayloadTooLarge(f"the body is over {limit} bytes", details={"limit": limit})


def no_query(params: dict[str, str] | None) -> None:
    """A public route that reads no query parameters refuses them (422), as one with a query
    model refuses the ones it does not know: a misspelt `?lang=` is not silently ignored."""
    if params:
        problems = [{"type": "extra_forbidden", "loc": (name,), "msg": "not a known parameter"}
                    for name in sorted(params)]  # fmt: skip
        raise InvalidInput("the request has invalid fields", details=problems_of(problems))


def parse_body(raw: bytes | None, model: type[BaseModel]) -> BaseModel:
    raw = raw or b""
    within_limit(raw)
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=not_json) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadRequest(f"the body is not valid JSON: {exc}", code="malformed_json") from exc
    if not isinstance(data, dict):
        raise InvalidInput("the body must be a JSON object")
    return validate(model, data, strict=True)


def not_json(constant: str) -> Any:
    """NaN and Infinity are Python's extensions, not JSON (RFC 8259)."""
    raise ValueError(f"{constant} is not a JSON number")


def parse_query(params: dict[str, str] | None, model: type[BaseModel]) -> BaseModel:
    return validate(model, dict(params or {}))


def validate(model: type[BaseModel], data: dict[str, Any], strict: bool = False) -> BaseModel:
    """`strict`: a JSON body is taken as typed: `true`, `"2"` or `2.0` for a number, `0` or
    `"yes"` for a boolean, a number for text are each a 422, never coerced (a customer's
    `{"score": true}` is not a 1). Pydantic's strict JSON mode still reads what JSON cannot
    type (dates, times and enums from their strings). Query parameters are all strings, so
    they stay lax ("?limit=5" is a number)."""
    try:
        if strict:
            return model.model_validate_json(json.dumps(data), strict=True)
        return model.model_validate(data)
    except ValidationError as exc:
        problems = exc.errors(include_url=False, include_context=False, include_input=False)
        raise InvalidInput("the request has invalid fields", details=problems_of(problems)) from exc


def respond(result: Any, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json")
    elif isinstance(result, list):
        result = [r.model_dump(mode="json") if isinstance(r, BaseModel) else r for r in result]
    return Response(body=result, status_code=status, headers={"Content-Type": "application/json"})
