"""The OpenAPI document: valid 3.1, the routes exactly (but the catch-all), schemas from the same
models that validate requests, every $ref resolvable; and the two routes that serve it."""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from chalicelib.api import docs, openapi
from chalicelib.api.endpoint import PATH_PARAM, ROUTES, Route
from chalicelib.domain.cases import Case
from chalicelib.domain.customer_view import CustomerCaseView
from chalicelib.services.case_commands import ListCases, OpenCase
from chalicelib.services.cases import CaseView

ROOT = Path(__file__).resolve().parents[2]
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


@pytest.fixture(scope="module")
def doc(chalice_app) -> dict[str, Any]:
    return openapi.document(ROUTES)


def operations(doc: dict[str, Any]):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method.upper(), path, op


def route_of(method: str, path: str) -> Route:
    return next(r for r in ROUTES if (r.method, r.path) == (method, path))


def resolve(doc: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = doc
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def refs_in(node: Any):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from refs_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs_in(value)


def test_the_document_is_valid_openapi_3_1(doc):
    assert doc["openapi"] == "3.1.0"
    errors = [str(e) for e in OpenAPIV31SpecValidator(doc).iter_errors()]
    assert errors == []
    json.dumps(doc)  # plain JSON all through


def test_every_route_is_documented_and_every_operation_is_a_route(doc, chalice_app):
    documented = {(m, p) for m, p, _ in operations(doc)}
    declared = {(r.method, r.path) for r in ROUTES}
    assert documented == declared - openapi.UNDOCUMENTED
    served = {(m, p) for p, methods in chalice_app.app.routes.items() for m in methods}
    assert documented <= served


def test_the_catch_all_is_left_out_explicitly(doc):
    methods = ("GET", "POST", "PUT", "PATCH", "DELETE")
    assert frozenset((m, "/{proxy+}") for m in methods) == openapi.UNDOCUMENTED
    assert {(m, "/{proxy+}") for m in methods} <= {(r.method, r.path) for r in ROUTES}
    assert not any("+}" in path for path in doc["paths"])


def test_operations_name_their_handler_tag_and_summary(doc):
    ids = [op["operationId"] for _, _, op in operations(doc)]
    assert len(ids) == len(set(ids))
    for method, path, op in operations(doc):
        route = route_of(method, path)
        assert op["operationId"] == route.name
        assert op["summary"] == route.summary and op["summary"]
        assert op["tags"] == [route.tag]
        assert {"name": route.tag} in doc["tags"]
    assert doc["paths"]["/cases"]["post"]["tags"] == ["cases"]
    assert doc["paths"]["/integrations/{shop_id}/orders"]["post"]["tags"] == ["integrations"]


def test_every_ref_resolves(doc):
    refs = set(refs_in(doc))
    assert refs
    for ref in refs:
        assert resolve(doc, ref) is not None, ref


def test_every_body_and_query_model_appears(doc):
    for method, path, op in operations(doc):
        route = route_of(method, path)
        if route.body is not None:
            ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert resolve(doc, ref)["title"] == route.body.__name__
        else:
            assert "requestBody" not in op
        query = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "query"}
        fields = route.query.model_fields if route.query else {}
        assert set(query) == {f.alias or name for name, f in fields.items()}
        for name, field in fields.items():
            assert query[field.alias or name]["required"] == field.is_required()
            assert "null" not in json.dumps(query[field.alias or name]["schema"])


def test_path_parameters_carry_the_pattern_endpoint_enforces(doc):
    for _, path, op in operations(doc):
        params = [p for p in op.get("parameters", []) if p["in"] == "path"]
        assert [p["name"] for p in params] == openapi.PATH_PARAMETER.findall(path)
        for p in params:
            assert p["required"] is True
            assert p["schema"] == {"type": "string", "pattern": f"^{PATH_PARAM.pattern}$"}


def test_a_request_body_is_its_models_schema(doc):
    body = doc["paths"]["/cases"]["post"]["requestBody"]
    assert body["required"] is True
    schema = resolve(doc, body["content"]["application/json"]["schema"]["$ref"])
    own = OpenCase.model_json_schema(ref_template=openapi.REF)
    own.pop("$defs", None)
    assert schema == own
    assert set(schema["required"]) == {
        name for name, field in OpenCase.model_fields.items() if field.is_required()
    }
    assert {"customer", "type", "subject", "description"} <= set(schema["required"])


def test_query_parameters_are_the_query_models_fields(doc):
    params = {p["name"]: p for p in doc["paths"]["/cases"]["get"]["parameters"]}
    assert set(params) == set(ListCases.model_fields)
    assert params["limit"]["schema"]["maximum"] == 100
    assert params["view"]["schema"]["enum"] == [
        "group",
        "pool",
        "mine",
        "agent",
        "customer",
        "overdue",
        "follow_up",
    ]


def test_responses_name_their_models(doc):
    created = doc["paths"]["/cases"]["post"]["responses"]["201"]
    assert resolve(doc, created["content"]["application/json"]["schema"]["$ref"])["title"] == (
        Case.__name__
    )
    one = doc["paths"]["/cases/{case_id}"]["get"]["responses"]["200"]
    titles = {
        resolve(doc, s["$ref"])["title"]
        for s in one["content"]["application/json"]["schema"]["oneOf"]
    }
    assert titles == {CaseView.__name__, CustomerCaseView.__name__}
    groups = doc["paths"]["/groups"]["get"]["responses"]["200"]["content"]["application/json"]
    assert groups["schema"]["type"] == "array"
    deleted = doc["paths"]["/products/{product_id}"]["delete"]["responses"]
    assert "204" in deleted and "content" not in deleted["204"]
    # a model the API does not import at cold start, named by module path, is resolved here
    overview = doc["paths"]["/customers/{customer_id}/overview"]["get"]["responses"]["200"]
    ref = overview["content"]["application/json"]["schema"]["$ref"]
    assert resolve(doc, ref)["title"] == "CustomerOverview"


def test_errors_share_one_schema(doc):
    error = doc["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message", "details"]
    for method, path, op in operations(doc):
        route = route_of(method, path)
        answers = op["responses"]
        for status, answer in answers.items():
            if int(status) >= 400:
                schema = answer["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}
        if route.audience != "public":
            assert {"401", "404"} <= set(answers)
        if route.body is not None:
            assert {"400", "413", "422"} <= set(answers)
        if route.rate_limit:
            assert "429" in answers
    assert "403" in doc["paths"]["/roles"]["get"]["responses"]
    assert str(route_of("POST", "/cases").status) in doc["paths"]["/cases"]["post"]["responses"]


def test_security_says_who_may_call(doc):
    schemes = doc["components"]["securitySchemes"]
    assert schemes["bearer"] == {**schemes["bearer"], "type": "http", "scheme": "bearer"}
    assert schemes["bearer"]["bearerFormat"] == "JWT"
    for method, path, op in operations(doc):
        route = route_of(method, path)
        assert op["x-audience"] == route.audience
        if route.audience == "public":
            assert op["security"] == ([{}, {"bearer": []}] if route.optional_customer else [])
            assert op["x-rate-limit-per-minute"] == route.rate_limit
        elif route.audience == "integration":
            assert op["security"] == [{"standardWebhooks": []}]
            headers = {p["name"] for p in op["parameters"] if p["in"] == "header"}
            assert headers == {"webhook-id", "webhook-timestamp"}
        else:
            assert op["security"] == [{"bearer": []}]
        if route.permission:
            assert op["x-permission"] == f"{route.permission[0].value}:{route.permission[1].value}"
        else:
            assert "x-permission" not in op
    assert doc["paths"]["/cases"]["post"]["x-permission"] == "cases:add"
    assert "webhook-signature" in json.dumps(schemes["standardWebhooks"])


def test_the_document_is_built_on_first_request_not_at_import():
    probe = (
        "import sys, app; "
        "print(sorted(m for m in ('chalicelib.api.openapi', 'chalicelib.services.social', "
        "'chalicelib.services.customer_overview') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_openapi_json_is_served(api, doc):
    answer = api.get("/openapi.json")
    assert answer.status == 200
    assert answer.body == json.loads(json.dumps(doc))


def test_the_docs_page_lists_every_operation_and_loads_nothing(client, doc):
    response = client.http.get("/docs")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = response.body.decode()
    for _method, path, op in operations(doc):
        assert html.escape(path) in page
        assert f'id="op-{op["operationId"]}"' in page
    lowered = page.lower()
    assert "<script" not in lowered and "<script src=" not in lowered
    assert "<link" not in lowered and "@import" not in lowered


def test_the_docs_page_escapes_every_text():
    evil = "<img src=x onerror=alert(1)>"
    route = Route(
        path="/evil/{thing}",
        method="GET",
        name="evil",
        audience="public",
        permission=None,
        body_ref=None,
        query_ref=None,
        status=200,
        summary=evil,
        rate_limit=1,
        tag="t<b>",
    )
    page = docs.render(openapi.document([route], title=evil))
    assert evil not in page and "<b>" not in page
    assert html.escape(evil) in page
