"""The OpenAPI 3.1 document, generated from ROUTES and the very models that validate requests.

`document(ROUTES)` is a pure function: paths, operations, parameters and schemas all come
from the `Route` records that `endpoint()` keeps, and every schema from pydantic
(`models_json_schema`: request models in validation mode, response models in serialization
mode), so what the document says a route takes is what the route accepts. Shared
definitions land once under `components.schemas`.

Nothing here runs at import: `GET /openapi.json` builds the document on first request and
keeps it (cold-start budget, bench/). Response models named as "package.module:Name" are
imported only then.
"""

from __future__ import annotations

import re
import types
import typing
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .endpoint import PATH_PARAM, FileAnswer, Route, model_of

if typing.TYPE_CHECKING:
    from collections.abc import Iterable

OPENAPI_VERSION = "3.1.0"
REF = "#/components/schemas/{model}"
#: routes that are not part of the API: the catch-all answers a JSON 404 for any path destek
#: does not serve, so documenting it would claim every path exists
UNDOCUMENTED = frozenset((m, "/{proxy+}") for m in ("GET", "POST", "PUT", "PATCH", "DELETE"))
PATH_PARAMETER = re.compile(r"{([^}]+)}")

AUDIENCES = {
    "public": "anyone, without signing in (rate limited per client address)",
    "any": "any signed-in user: staff pool or customer pool id token",
    "staff": "staff: an id token of the staff pool",
    "customer": "customers: an id token of the customer pool",
    "integration": "the shop's backend: a Standard Webhooks signature with the shop's secret",
}

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "description": "Every refusal, whatever its status, has this one shape.",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "machine-readable, e.g. not_found"},
                "message": {"type": "string", "description": "for people"},
                "details": {"description": "what exactly was wrong, when known"},
            },
        }
    },
}

ERRORS = {
    400: "unreadable input: malformed JSON, a forged cursor",
    401: "no valid credentials (a missing, forged, expired or wrong-pool token; a bad signature)",
    403: "signed in, but this caller may not do this",
    404: "no such resource (or not yours)",
    409: "conflict: a stale version, a duplicate, or a move the current state does not allow",
    413: "the body is too large",
    422: "readable but invalid input; details name each field",
    429: "too many calls from this address; try again after Retry-After seconds",
}

SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": (
            "A Cognito id token, verified against its pool's JWKS: the staff pool (agents, "
            "supervisors, admins; groups are roles) or the customer pool. Each operation says "
            "which pool it takes (x-audience)."
        ),
    },
    "standardWebhooks": {
        "type": "apiKey",
        "in": "header",
        "name": "webhook-signature",
        "description": (
            "Standard Webhooks (https://www.standardwebhooks.com): the shop signs "
            "`{webhook-id}.{webhook-timestamp}.{body}` with HMAC-SHA256 under one of its "
            "active `whsec_` secrets and sends `webhook-signature: v1,<base64>` together with "
            "the `webhook-id` and `webhook-timestamp` headers. The timestamp must be within "
            "5 minutes; a repeated webhook-id gets the first answer back and changes nothing."
        ),
    },
}

WEBHOOK_HEADERS = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "unique per call; a repeat is answered from the first call",
        "schema": {"type": "string", "minLength": 1},
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "seconds since the epoch; at most 5 minutes from now",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    },
]


def documented(route: Route) -> bool:
    return (route.method, route.path) not in UNDOCUMENTED


def document(
    routes: Iterable[Route],
    *,
    title: str = "destek",
    version: str = "1",
    server_url: str = "/",
) -> dict[str, Any]:
    """An OpenAPI 3.1.0 document of `routes` (the catch-all left out)."""
    routes = sorted((r for r in routes if documented(r)), key=lambda r: (r.tag, r.path, r.method))
    schemas, refs = component_schemas(routes)
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = operation(route, schemas, refs)
    tags = sorted({r.tag for r in routes})
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": title,
            "version": version,
            "description": (
                "destek's HTTP API, generated from its routes and the pydantic models that "
                "validate every request. Errors share one shape (components.schemas.Error)."
            ),
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": t} for t in tags],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": SECURITY_SCHEMES,
        },
    }


# -- schemas ------------------------------------------------------------------------------


def response_models(response: Any) -> list[type[BaseModel]]:
    """The models named by a Route.response: a model, list[Model], A | B, (A, B) (one of),
    or "module:Name"."""
    if response is None or isinstance(response, FileAnswer):
        return []
    if isinstance(response, tuple):
        return [m for one in response for m in response_models(one)]
    if isinstance(response, str):
        return response_models(model_of(response))
    if isinstance(response, type) and issubclass(response, BaseModel):
        return [response]
    origin = typing.get_origin(response)
    if origin in (list, typing.Union, types.UnionType):
        return [m for arg in typing.get_args(response) for m in response_models(arg)]
    raise TypeError(f"cannot describe a response of {response!r}")


def component_schemas(routes: list[Route]) -> tuple[dict[str, Any], dict[tuple, str]]:
    """Every request and response model's schema, with the name each is filed under."""
    wanted: list[tuple[type[BaseModel], str]] = []
    for route in routes:
        for model in (route.body, route.query):
            if model is not None:
                wanted.append((model, "validation"))
        wanted.extend((m, "serialization") for m in response_models(route.response))
    unique = list(dict.fromkeys(wanted))
    keys, generated = models_json_schema(unique, ref_template=REF)
    schemas = dict(sorted(generated.get("$defs", {}).items()))
    schemas["Error"] = ERROR_SCHEMA
    refs = {key: value["$ref"] for key, value in keys.items()}
    return schemas, refs


def schema_of(response: Any, refs: dict[tuple, str]) -> dict[str, Any]:
    if isinstance(response, tuple):
        return {"oneOf": [schema_of(one, refs) for one in response]}
    response = model_of(response)
    if isinstance(response, type) and issubclass(response, BaseModel):
        return {"$ref": refs[(response, "serialization")]}
    origin = typing.get_origin(response)
    args = typing.get_args(response)
    if origin is list:
        return {"type": "array", "items": schema_of(args[0], refs)}
    return {"oneOf": [schema_of(a, refs) for a in args]}


def component(ref: str, schemas: dict[str, Any]) -> dict[str, Any]:
    return schemas[ref.rsplit("/", 1)[-1]]


# -- operations ---------------------------------------------------------------------------


def operation(route: Route, schemas: dict[str, Any], refs: dict[tuple, str]) -> dict[str, Any]:
    op: dict[str, Any] = {
        "operationId": route.name,
        "summary": route.summary,
        "description": who(route),
        "tags": [route.tag],
        "x-audience": route.audience,
    }
    if route.permission is not None:
        resource, action = route.permission
        op["x-permission"] = f"{resource.value}:{action.value}"
    if route.rate_limit:
        op["x-rate-limit-per-minute"] = route.rate_limit
    parameters = path_parameters(route) + query_parameters(route, schemas, refs)
    if route.audience == "integration":
        parameters += WEBHOOK_HEADERS
    if parameters:
        op["parameters"] = parameters
    if route.body is not None:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": refs[(route.body, "validation")]}}},
        }
    if route.audience == "public":
        # a signed-in customer's token is optional on some (the assistant): {} is "none"
        op["security"] = [{}, {"bearer": []}] if route.optional_customer else []
    elif route.audience == "integration":
        op["security"] = [{"standardWebhooks": []}]
    else:
        op["security"] = [{"bearer": []}]
    op["responses"] = {**success(route, refs), **errors(route)}
    return op


def who(route: Route) -> str:
    text = f"Who may call it: {AUDIENCES[route.audience]}"
    if route.optional_customer:
        text += "; a signed-in customer may send their id token, which is then checked"
    if route.permission is not None:
        resource, action = route.permission
        text += f", with the permission {resource.value}:{action.value}"
    return text + "."


def path_parameters(route: Route) -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "string", "pattern": f"^{PATH_PARAM.pattern}$"},
        }
        for name in PATH_PARAMETER.findall(route.path)
    ]


def query_parameters(
    route: Route, schemas: dict[str, Any], refs: dict[tuple, str]
) -> list[dict[str, Any]]:
    if route.query is None:
        return []
    model = component(refs[(route.query, "validation")], schemas)
    required = set(model.get("required", []))
    parameters = []
    for name, schema in model.get("properties", {}).items():
        schema = not_null(schema)
        parameter = {"name": name, "in": "query", "required": name in required, "schema": schema}
        if "description" in schema:
            parameter["description"] = schema["description"]
        parameters.append(parameter)
    return parameters


def not_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent or a string, never null: `X | None = None` documents as X."""
    schema = dict(schema)
    if schema.get("default", ...) is None:
        del schema["default"]
    options = [s for s in schema.get("anyOf", []) if s != {"type": "null"}]
    if "anyOf" in schema and len(options) < len(schema["anyOf"]):
        del schema["anyOf"]
        if len(options) == 1:
            schema = {**options[0], **schema}
        else:
            schema["anyOf"] = options
    return schema


def success(route: Route, refs: dict[tuple, str]) -> dict[str, Any]:
    if route.status == 204:
        return {"204": {"description": "done; no content"}}
    if isinstance(route.response, FileAnswer):
        binary = {"type": "string", "format": "binary"}
        return {
            str(route.status): {
                "description": "the file, as an attachment",
                "content": {kind: {"schema": binary} for kind in route.response.media_types},
            }
        }
    schema = schema_of(route.response, refs) if route.response is not None else {"type": "object"}
    return {
        str(route.status): {
            "description": "created" if route.status == 201 else "OK",
            "content": {"application/json": {"schema": schema}},
        }
    }


def error_statuses(route: Route) -> list[int]:
    statuses = set()
    if route.body is not None:
        statuses |= {400, 413, 422}
    if route.query is not None:
        statuses |= {400, 422}
    if route.audience != "public":
        statuses |= {401, 404}
        if route.method != "GET":
            statuses.add(409)
    elif route.optional_customer:  # a token, when sent, is checked; a conversation may end
        statuses |= {401, 403} | ({409} if route.method != "GET" else set())
    if route.audience in ("staff", "customer", "any") and (
        route.audience != "any" or route.permission is not None
    ):
        statuses.add(403)
    if PATH_PARAMETER.search(route.path):
        statuses.add(404)
    if route.rate_limit:
        statuses.add(429)
    return sorted(statuses)


def errors(route: Route) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for status in error_statuses(route):
        answer: dict[str, Any] = {
            "description": ERRORS[status],
            "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
        }
        if status == 429:
            answer["headers"] = {
                "Retry-After": {"description": "seconds", "schema": {"type": "integer"}}
            }
        if status == 401 and route.audience != "integration":
            answer["headers"] = {
                "WWW-Authenticate": {
                    "description": 'Bearer realm="destek"',
                    "schema": {"type": "string"},
                }
            }
        answers[str(status)] = answer
    return answers
