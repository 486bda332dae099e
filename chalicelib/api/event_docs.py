"""The case events, documented beside the API: `GET /events.json` for tools, `GET /events`
for people. Both are generated from domain/case_events.py (the models the stream publisher
validates against): each type with its description (the model's docstring) and its JSON
Schema, shared definitions once under `$defs`. Built on first request and kept.
"""

from __future__ import annotations

import json
from functools import lru_cache
from html import escape
from typing import Any

from chalice import Blueprint, Response

from .docs import CSP, MAX_AGE, STYLE, fields_table
from .endpoint import endpoint

bp = Blueprint(__name__)

DELIVERY = (
    "Every case change writes its events in the same DynamoDB transaction as the change; the "
    "table's stream publishes them to destek's EventBridge bus (destek-<stage>-events: "
    "source `destek.cases`, detail-type = the event's `type`, detail = the event). Delivery "
    "is at least once: deduplicate on `id` (`<case id>.<sequence>.<index>`, the same however "
    "often an event is sent). A case's events are published in order; after the bus, order "
    "them by `sequence`, then `index`. Shops receive them as signed webhooks "
    "(/integrations/{shop_id}/webhooks; `webhook-id` = the event's `id`)."
)


@endpoint(bp, "/events.json", audience="public", rate_limit=30)
def events_document(caller: None) -> Response:
    """The case events as JSON: each type, its description and its JSON Schema."""
    return Response(
        body=events_json(),
        status_code=200,
        headers={"Content-Type": "application/json", "Cache-Control": f"public, max-age={MAX_AGE}"},
    )


@endpoint(bp, "/events", audience="public", rate_limit=30)
def events_page(caller: None) -> Response:
    """The case events for people: what each means, when it comes, and its fields."""
    return Response(
        body=page(),
        status_code=200,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": f"public, max-age={MAX_AGE}",
            "Content-Security-Policy": CSP,
            "X-Content-Type-Options": "nosniff",
        },
    )


def _text(doc: str | None) -> str:
    return " ".join((doc or "").split())


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    """`{title, schema_version, delivery, events: [{type, description, schema}], $defs}`."""
    from pydantic.json_schema import models_json_schema

    from ..domain.case_events import EVENT_TYPES, SCHEMA_VERSION, EventBase

    models = list(EVENT_TYPES.values())
    refs, schema = models_json_schema(
        [(m, "serialization") for m in models], ref_template="#/$defs/{model}"
    )
    defs = schema.get("$defs", {})
    events = []
    for name, model in EVENT_TYPES.items():
        ref = refs[(model, "serialization")]["$ref"].rsplit("/", 1)[-1]
        events.append({"type": name, "description": _text(model.__doc__), "schema": defs.pop(ref)})
    return {
        "title": "destek case events",
        "schema_version": SCHEMA_VERSION,
        "delivery": DELIVERY,
        "envelope": _text(EventBase.__doc__),
        "events": events,
        "$defs": defs,
    }


@lru_cache(maxsize=1)
def events_json() -> str:
    return json.dumps(document(), ensure_ascii=False)


@lru_cache(maxsize=1)
def page() -> str:
    doc = document()
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(doc['title'])}</title><style>{STYLE}</style></head><body>",
        f"<h1>{escape(doc['title'])} <small>schema version {doc['schema_version']}</small></h1>",
        f"<p>{escape(doc['delivery'])}</p>",
        '<p><a href="events.json">events.json</a> (JSON Schema of every event) · '
        '<a href="docs">the API</a></p>',
        "<nav>"
        + "".join(f'<a href="#{escape(e["type"])}">{escape(e["type"])}</a>' for e in doc["events"])
        + "</nav>",
    ]
    for event in doc["events"]:
        name = escape(event["type"])
        out.append(
            f'<section class="op" id="{name}"><h2><code>{name}</code></h2>'
            f"<p>{escape(event['description'])}</p>{fields_table(event['schema'])}"
            f"<pre>{escape(json.dumps(event['schema'], indent=2, ensure_ascii=False))}</pre>"
            "</section>"
        )
    out.append("<h2>Shared definitions</h2>")
    for name, schema in sorted(doc["$defs"].items()):
        out.append(
            f'<details id="schema-{escape(name)}"><summary><code>{escape(name)}</code></summary>'
            f"<p>{escape(_text(schema.get('description')))}</p>{fields_table(schema)}"
            f"<pre>{escape(json.dumps(schema, indent=2, ensure_ascii=False))}</pre></details>"
        )
    out.append("</body></html>")
    return "\n".join(out)
