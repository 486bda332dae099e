"""The API's own description: `GET /openapi.json` for tools, `GET /docs` for people.

Both are built from ROUTES on first request and kept (never at import: cold start). The
page is rendered here, on the server, from the same document, every piece of text escaped;
it needs no script and nothing from elsewhere, so it works offline and under a strict CSP.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from html import escape
from typing import Any

from chalice import Blueprint, Response

from .endpoint import ROUTES, endpoint

bp = Blueprint(__name__)
#: the description changes only with a deployment; clients may keep it briefly
MAX_AGE = 300


@endpoint(bp, "/openapi.json", audience="public", rate_limit=30)
def openapi_document(caller: None) -> Response:
    """This API as an OpenAPI 3.1 document, generated from the routes and their models."""
    return Response(
        body=openapi_json(base_path(bp.current_request)),
        status_code=200,
        headers={"Content-Type": "application/json", "Cache-Control": f"public, max-age={MAX_AGE}"},
    )


@endpoint(bp, "/docs", audience="public", rate_limit=30)
def api_docs(caller: None) -> Response:
    """This API for people: every operation by tag, who may call it, what it takes and answers."""
    page = docs_page(base_path(bp.current_request))
    return Response(
        body=page,
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": f"public, max-age={MAX_AGE}",
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )


def base_path(request: Any) -> str:
    """Where the API is mounted: API Gateway's stage (`/api`) or a custom domain's base path."""
    context = getattr(request, "context", None) or {}
    full, resource = context.get("path") or "", context.get("resourcePath") or ""
    if resource and full.endswith(resource) and len(full) > len(resource):
        return full[: -len(resource)] or "/"
    return "/"


@lru_cache(maxsize=4)
def document(server_url: str) -> dict[str, Any]:
    from .openapi import document as build

    return build(ROUTES, server_url=server_url)


@lru_cache(maxsize=4)
def openapi_json(server_url: str) -> str:
    return json.dumps(document(server_url), ensure_ascii=False)


# -- the page ------------------------------------------------------------------------------

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 2rem;color:#222}
h2{border-bottom:2px solid #ddd;margin-top:2.5rem}
section.op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
.method{display:inline-block;min-width:4.5rem;font-weight:700;font-family:monospace}
.path{font-family:monospace;font-size:1.05em}
.GET{color:#05668d}.POST{color:#2a7a2a}.PUT{color:#9a6700}.PATCH{color:#7a4a9a}
.DELETE{color:#b02020}
table{border-collapse:collapse;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
code,pre{font-family:monospace;font-size:.92em}
pre{background:#f6f6f6;padding:.5rem;overflow:auto;max-height:30rem}
.who{color:#555}
nav a{margin-right:1rem}
"""
CSP = (
    "default-src 'none'; style-src 'sha256-"
    + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
    + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@lru_cache(maxsize=4)
def docs_page(server_url: str) -> str:
    return render(document(server_url))


def render(doc: dict[str, Any]) -> str:
    """The whole document as one HTML page: operations grouped by tag, then every schema."""
    schemas = doc["components"]["schemas"]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            by_tag.setdefault(op["tags"][0], []).append((method.upper(), path, op))
    title = escape(doc["info"]["title"])
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} API</title><style>{STYLE}</style></head><body>",
        f"<h1>{title} API <small>{escape(doc['info']['version'])}</small></h1>",
        f"<p>{escape(doc['info']['description'])} "
        '<a href="openapi.json">openapi.json</a> (OpenAPI '
        f"{escape(doc['openapi'])}). The case events destek publishes: "
        '<a href="events">events</a>.</p>',
        "<nav>" + "".join(f'<a href="#tag-{escape(t)}">{escape(t)}</a>' for t in by_tag) + "</nav>",
    ]
    for tag in sorted(by_tag):
        out.append(f'<h2 id="tag-{escape(tag)}">{escape(tag)}</h2>')
        for method, path, op in by_tag[tag]:
            out.append(render_operation(method, path, op))
    out.append('<h2 id="schemas">Schemas</h2>')
    for name in sorted(schemas):
        out.append(
            f'<details id="schema-{escape(name)}"><summary><code>{escape(name)}</code></summary>'
            f"{fields_table(schemas[name])}"
            f"<pre>{escape(json.dumps(schemas[name], indent=2, ensure_ascii=False))}</pre>"
            "</details>"
        )
    out.append("</body></html>")
    return "\n".join(out)


def render_operation(method: str, path: str, op: dict[str, Any]) -> str:
    parts = [
        f'<section class="op" id="op-{escape(op["operationId"])}">',
        f'<h3><span class="method {escape(method)}">{escape(method)}</span> '
        f'<span class="path">{escape(path)}</span></h3>',
        f"<p>{escape(op.get('summary', ''))}</p>",
        f'<p class="who">{escape(op.get("description", ""))}',
    ]
    if "x-rate-limit-per-minute" in op:
        parts.append(f" At most {int(op['x-rate-limit-per-minute'])} calls a minute per address.")
    parts.append(f" <code>operationId: {escape(op['operationId'])}</code></p>")
    if op.get("parameters"):
        rows = "".join(
            f"<tr><td><code>{escape(p['name'])}</code></td><td>{escape(p['in'])}</td>"
            f"<td>{'yes' if p.get('required') else 'no'}</td>"
            f"<td>{schema_text(p.get('schema', {}))}</td></tr>"
            for p in op["parameters"]
        )
        parts.append(
            "<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th></tr>"
            f"{rows}</table>"
        )
    body = op.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        parts.append(f"<p>Body (JSON): {schema_text(body['schema'])}</p>")
    rows = []
    for status, answer in op["responses"].items():
        content = answer.get("content", {}).get("application/json")
        shape = schema_text(content["schema"]) if content else ""
        rows.append(
            f"<tr><td>{escape(status)}</td><td>{escape(answer['description'])}</td>"
            f"<td>{shape}</td></tr>"
        )
    parts.append(
        "<table><tr><th>status</th><th>meaning</th><th>body</th></tr>" + "".join(rows) + "</table>"
    )
    parts.append("</section>")
    return "".join(parts)


def schema_text(schema: dict[str, Any]) -> str:
    """A short, escaped HTML description of a schema; named ones link to their definition."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return f'<a href="#schema-{escape(name)}"><code>{escape(name)}</code></a>'
    if schema.get("type") == "array" and "items" in schema:
        return f"array of {schema_text(schema['items'])}"
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return " or ".join(schema_text(s) for s in schema[key])
    words = [str(schema.get("type", "any"))]
    if "enum" in schema:
        words.append(
            "one of " + ", ".join(json.dumps(v, ensure_ascii=False) for v in schema["enum"])
        )
    for key in ("format", "pattern", "minimum", "maximum", "minLength", "maxLength", "default"):
        if key in schema:
            words.append(f"{key} {json.dumps(schema[key], ensure_ascii=False)}")
    return "<code>" + escape("; ".join(words)) + "</code>"


def fields_table(schema: dict[str, Any]) -> str:
    properties = schema.get("properties")
    if not properties:
        return ""
    required = set(schema.get("required", []))
    rows = "".join(
        f"<tr><td><code>{escape(name)}</code></td><td>{'yes' if name in required else 'no'}</td>"
        f"<td>{schema_text(field)}</td><td>{escape(str(field.get('description', '')))}</td></tr>"
        for name, field in properties.items()
    )
    return (
        "<table><tr><th>field</th><th>required</th><th>schema</th><th>description</th></tr>"
        f"{rows}</table>"
    )
