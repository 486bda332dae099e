"""Every route, called by every kind of caller, answers as its policy says.

A route added to the app without a row here fails `test_every_route_has_a_row`,
so no route ships without a stated and tested policy.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from chalicelib.api.endpoint import ROUTES
from tests.support import unique_phone

from .conftest import open_case

ROLES = ["none", "customer", "other_customer", "agent", "supervisor", "admin"]


def routed_case(setup) -> dict:
    """A case of the seeded customer Ahmet, routed to `urun` (where the agent works)."""
    case = open_case(setup.api, customer={"customer_number": "10000001"})
    setup.drain()
    return setup.api.get(f"/cases/{case['id']}").body["case"]


def claimed_case(setup) -> dict:
    case = routed_case(setup)
    return setup.api.post(f"/cases/{case['id']}/claim", {"version": case["version"]}).body


def ahmet(setup) -> dict:
    return setup.api.get("/customers?customer_number=10000001").body


def ahmet_id(setup) -> str:
    return ahmet(setup)["id"]


def scratch(setup, path: str, body: dict) -> str:
    return setup.api.post(path, body).body["id"]


def scratch_staff(setup) -> str:
    username = f"s{uuid.uuid4().hex[:8]}"
    setup.api.put(f"/staff/{username}", {"name": "Geçici", "roles": ["agent"]})
    return username


def scratch_customer(setup) -> str:
    return scratch(setup, "/customers", {"name": "Silinecek", "phone": unique_phone()})


def scratch_rule(setup) -> str:
    body = {"name": "scratch", "phrases": ["xyzzy"], "group_id": "urun"}
    return setup.api.post("/routing-rules", body).body["id"]


def case_call(make_case: Callable, suffix: str, body: Callable | None = None):
    def prepare(setup):
        case = make_case(setup)
        return f"/cases/{case['id']}{suffix}", body(case) if body else None

    return prepare


PNG = {"filename": "a.png", "content_type": "image/png", "size": 4}


def uploaded_file(setup) -> tuple[str, None]:
    """A file the admin uploaded to Ahmet's case, not yet confirmed."""
    import requests

    case = routed_case(setup)
    form = setup.api.post(f"/cases/{case['id']}/attachments", PNG).body
    requests.post(form["url"], data=form["fields"], files={"file": ("a.png", b"\x89PNG")},
                  timeout=10)  # fmt: skip
    return f"/cases/{case['id']}/attachments/{form['attachment_id']}", None


def file_link(setup) -> tuple[str, None]:
    """A signed link to a file confirmed on Ahmet's case, as a reply's email carries it."""
    from datetime import timedelta

    from chalicelib import wiring
    from chalicelib.domain.attachments import file_subject
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.signed_links import LinkPurpose

    path, _ = uploaded_file(setup)
    setup.api.post(path)
    case_id, attachment_id = path.split("/")[2], path.split("/")[4]
    customer_id = setup.api.get(f"/cases/{case_id}").body["case"]["customer_id"]
    token = wiring.link_keys().signer().sign(
        LinkPurpose.case_file, file_subject(case_id, attachment_id), customer_id,
        utcnow() + timedelta(days=1))  # fmt: skip
    return f"/files/links/{token}", None


def _topic_with_action(setup) -> str:
    path = f"/reports/topics/category/t{uuid.uuid4().hex[:8]}"
    setup.api.put(path, {"action": "Geçici"})
    return path


def _istanbul_today() -> str:
    from chalicelib.domain.clock import ISTANBUL, utcnow

    return utcnow().astimezone(ISTANBUL).date().isoformat()


def fixed(path: str, body: dict | None = None):
    return lambda setup: (path, body)


def scratch_category(setup) -> str:
    return setup.api.post("/product-categories", {"name": "Geçici"}).body["id"]


def scratch_product(setup) -> str:
    body = {"brand": "B", "model": "M", "name": "Geçici", "category_id": "telefon"}
    return setup.api.post("/products", body).body["id"]


def serial() -> str:
    return f"SN-T-{random.randint(0, 10**12)}"


def registration(product_id: str = "p-vestel-venus-v7") -> dict:
    return {"product_id": product_id, "serial_number": serial(), "purchase_date": "2025-06-01"}


def ahmet_registration(setup) -> tuple[str, str]:
    customer_id = ahmet_id(setup)
    answer = setup.api.post(f"/customers/{customer_id}/products", registration())
    return customer_id, answer.body["id"]


def pooled(setup) -> dict:
    """A pre-case waiting in the pool, as an email would leave it."""
    from chalicelib import wiring
    from chalicelib.domain.case_kinds import Channel
    from chalicelib.domain.precases import Sender
    from chalicelib.services.precases import Arrival

    pre = wiring.precase_pool().receive(
        Arrival(channel=Channel.EMAIL, subject="Kargo", text="Kargom nerede?",
                sender=Sender(name="Ayla", email=f"{uuid.uuid4().hex[:8]}@example.com"))
    )  # fmt: skip
    return pre.model_dump(mode="json")


def precase_call(suffix: str, body: Callable[[dict], dict | None] = lambda p: None):
    def prepare(setup):
        pre = pooled(setup)
        return f"/precases/{pre['id']}{suffix}", body(pre)

    return prepare


def signed_only(path: str, body: dict | None = None):
    return fixed(path, body or {}), dict.fromkeys(ROLES[1:], 401)


POLICY = {"name": "t", "priority": "low", "resolution_minutes": 600}
LADDER = {"name": "t", "levels": [{"after_minutes": 0, "notify": "supervisors"}]}


def merge_call(setup) -> tuple[str, dict]:
    """Two routed cases of Ahmet: the first merged into the second."""
    source, into = routed_case(setup), routed_case(setup)
    return f"/cases/{source['id']}/merge", {"version": source["version"], "into": into["number"]}


def split_call(setup) -> tuple[str, dict]:
    case = setup.api.get(f"/cases/{routed_case(setup)['id']}").body
    created = case["history"][0]["id"]
    return f"/cases/{case['case']['id']}/split", {"version": case["case"]["version"],
                                                   "entry_id": created}  # fmt: skip


def precase_merge_call(setup) -> tuple[str, dict]:
    pre, case = pooled(setup), routed_case(setup)
    return f"/precases/{pre['id']}/merge", {"version": pre["version"], "into": case["number"]}


STAFF = ("agent", "supervisor", "admin")
STAFF_READ = {"customer": 403, "other_customer": 403, "agent": 200, "supervisor": 200, "admin": 200}
EVERYONE = dict.fromkeys(ROLES[1:], 200)
ADMIN_ONLY = {**STAFF_READ, "agent": 403, "supervisor": 403}
STAFF_403 = {"agent": 403, "supervisor": 403, "admin": 403}
CUSTOMERS_ONLY = {"customer": 200, "other_customer": 200, **STAFF_403}

SURVEY = {
    "name": "Deneme",
    "schedule": {"start_at": "2030-01-01T07:00:00Z"},
    "questions": [{"id": "q", "kind": "rating", "text": {"tr": "Puan", "en": "Score"}}],
}
NO_LINK = "A" * 67
ALL_404 = dict.fromkeys(ROLES, 404)


def scratch_survey(setup) -> dict:
    return setup.api.post("/surveys", SURVEY).body


#: (method, route path) -> (how to build the request, expected status per role); "none" is 401
#: unless given.
MATRIX: dict[tuple[str, str], tuple[Callable, dict[str, int]]] = {
    ("GET", "/health"): (fixed("/health"), {**EVERYONE, "none": 200}),
    **{(method, "/{proxy+}"): (fixed("/nothing-here"), dict.fromkeys(ROLES, 404))
       for method in ("GET", "POST", "PUT", "PATCH", "DELETE")},
    ("GET", "/openapi.json"): (fixed("/openapi.json"), {**EVERYONE, "none": 200}),
    ("GET", "/docs"): (fixed("/docs"), {**EVERYONE, "none": 200}),
    ("GET", "/events.json"): (fixed("/events.json"), {**EVERYONE, "none": 200}),
    ("GET", "/events"): (fixed("/events"), {**EVERYONE, "none": 200}),
    ("GET", "/me"): (fixed("/me"), EVERYONE),
    ("GET", "/console"): (fixed("/console"), {**EVERYONE, "none": 200}),
    ("GET", "/console/{asset}"): (fixed("/console/console.js"), {**EVERYONE, "none": 200}),
    ("GET", "/console/shared/{asset}"): (
        fixed("/console/shared/dom.js"), {**EVERYONE, "none": 200}),
    ("POST", "/my/account"): (fixed("/my/account", {"name": "Ahmet"}), CUSTOMERS_ONLY),
    ("GET", "/my/profile"): (fixed("/my/profile"), CUSTOMERS_ONLY),
    ("POST", "/my/cases"): (
        fixed("/my/cases", {"type": "question", "subject": "s", "description": "d"}),
        {"customer": 201, "other_customer": 201, **STAFF_403},
    ),
    ("POST", "/cases/{case_id}/attachments"): (
        case_call(routed_case, "/attachments", lambda c: PNG),
        {**dict.fromkeys(ROLES[1:], 201), "other_customer": 404},
    ),
    ("POST", "/cases/{case_id}/attachments/{attachment_id}"): (
        uploaded_file, {**EVERYONE, "other_customer": 404},
    ),
    # signed by no shop: whoever the bearer token says they are (test_signed_calls signs)
    ("POST", "/integrations/{shop_id}/customers"): (
        fixed("/integrations/demo/customers", {"customer_number": "1", "name": "x"}),
        dict.fromkeys(ROLES[1:], 401),
    ),
    ("POST", "/integrations/{shop_id}/customer-batches"): (
        fixed("/integrations/demo/customer-batches", {"items": [{"customer_number": "1"}]}),
        dict.fromkeys(ROLES[1:], 401),
    ),
    ("POST", "/integrations/{shop_id}/orders"): (
        fixed("/integrations/demo/orders", {"order_id": "1"}), dict.fromkeys(ROLES[1:], 401),
    ),
    ("POST", "/integrations/{shop_id}/order-batches"): (
        fixed("/integrations/demo/order-batches", {"items": [{}]}), dict.fromkeys(ROLES[1:], 401),
    ),
    ("POST", "/integrations/{shop_id}/shipments"): (
        fixed("/integrations/demo/shipments", {"shipment_id": "1"}), dict.fromkeys(ROLES[1:], 401),
    ),
    ("POST", "/integrations/{shop_id}/shipment-batches"): (
        fixed("/integrations/demo/shipment-batches", {"items": [{}]}),
        dict.fromkeys(ROLES[1:], 401),
    ),
    ("POST", "/integrations/{shop_id}/sales"): (
        fixed("/integrations/demo/sales", {"serial_number": "1"}), dict.fromkeys(ROLES[1:], 401),
    ),
    ("POST", "/integrations/{shop_id}/sale-batches"): (
        fixed("/integrations/demo/sale-batches", {"items": [{}]}), dict.fromkeys(ROLES[1:], 401),
    ),
    ("POST", "/customers/{customer_id}/calls"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}/calls",
                       {"direction": "inbound", "started_at": "2026-11-20T10:00:00Z",
                        "duration_seconds": 60, "outcome": "answered"}),
        {**STAFF_READ, "agent": 201, "supervisor": 201, "admin": 201},
    ),
    ("GET", "/customers/{customer_id}/calls"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}/calls", None), STAFF_READ,
    ),
    ("GET", "/customers/{customer_id}/overview"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}/overview", None), STAFF_READ,
    ),
    # staff marks: a version nobody holds, so a permitted write is a 409 and writes nothing
    ("GET", "/customer-flags"): (fixed("/customer-flags"), {**STAFF_READ, "agent": 403}),
    ("PUT", "/customer-flags"): (
        fixed("/customer-flags", {"flags": [{"code": "vip", "name": "VIP"}], "version": 10**9}),
        {**ADMIN_ONLY, "admin": 409},
    ),
    ("GET", "/customers/{customer_id}/flags"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}/flags", None), {**STAFF_READ, "agent": 403},
    ),
    ("PUT", "/customers/{customer_id}/flags"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}/flags", {"flags": [], "version": 10**9}),
        {**STAFF_READ, "agent": 403, "supervisor": 409, "admin": 409},
    ),
    # the case is not resolved: its owner hears so (409), anyone else finds no such case
    ("POST", "/cases/{case_id}/resolution"): (
        case_call(routed_case, "/resolution", lambda c: {"version": c["version"], "solved": True}),
        {"customer": 409, "other_customer": 404, **STAFF_403},
    ),
    # no version: a customer gets as far as validation (422), staff not even that far
    ("PATCH", "/my/profile"): (
        fixed("/my/profile", {"name": "x"}), dict.fromkeys(CUSTOMERS_ONLY, 422) | STAFF_403,
    ),
    ("POST", "/cases"): (
        fixed("/cases", {"customer": {"customer_number": "10000001"}, "type": "question",
                         "subject": "s", "description": "d"}),
        {**STAFF_READ, "agent": 201, "supervisor": 201, "admin": 201},
    ),
    ("GET", "/cases"): (fixed("/cases?view=pool&group_id=urun"), STAFF_READ),
    ("GET", "/cases/{case_id}"): (
        case_call(routed_case, ""), {**STAFF_READ, "customer": 200, "other_customer": 404},
    ),
    ("POST", "/cases/{case_id}/claim"): (
        case_call(routed_case, "/claim", lambda c: {"version": c["version"]}), STAFF_READ,
    ),
    ("POST", "/cases/{case_id}/seen"): (
        case_call(routed_case, "/seen", lambda c: {"version": c["version"]}), STAFF_READ,
    ),
    ("POST", "/cases/{case_id}/assign"): (
        case_call(
            routed_case, "/assign", lambda c: {"version": c["version"], "group_id": "teslimat"}
        ),
        {**STAFF_READ, "agent": 403},
    ),
    ("POST", "/cases/{case_id}/replies"): (
        case_call(routed_case, "/replies", lambda c: {"version": c["version"], "body": "merhaba"}),
        {"customer": 201, "other_customer": 404, "agent": 201, "supervisor": 201, "admin": 201},
    ),
    ("POST", "/cases/{case_id}/notes"): (
        case_call(routed_case, "/notes", lambda c: {"version": c["version"], "body": "not"}),
        {**STAFF_READ, "agent": 201, "supervisor": 201, "admin": 201},
    ),
    ("POST", "/cases/{case_id}/cc"): (
        case_call(routed_case, "/cc", lambda c: {"version": c["version"], "cc": ["c@example.com"]}),
        STAFF_READ,
    ),
    ("POST", "/cases/{case_id}/followers"): (
        case_call(routed_case, "/followers", lambda c: {"version": c["version"],
                                                        "followers": ["selin"]}),
        STAFF_READ,
    ),
    ("GET", "/files/links/{token}"): (file_link, dict.fromkeys(ROLES, 302)),
    ("POST", "/cases/{case_id}/status"): (
        case_call(claimed_case, "/status",
                  lambda c: {"version": c["version"], "status": "waiting_customer"}),
        STAFF_READ,
    ),
    ("POST", "/cases/{case_id}/merge"): (merge_call, STAFF_READ),
    # the created line is no customer message: staff pass the permission and get 422
    ("POST", "/cases/{case_id}/split"): (
        split_call, {"customer": 403, "other_customer": 403, **dict.fromkeys(STAFF, 422)},
    ),
    ("POST", "/precases/{precase_id}/merge"): (precase_merge_call, STAFF_READ),
    ("PATCH", "/cases/{case_id}"): (
        case_call(routed_case, "", lambda c: {"version": c["version"], "priority": "high"}),
        STAFF_READ,
    ),
    ("GET", "/my/cases"): (
        fixed("/my/cases"),
        {"customer": 200, "other_customer": 200, "agent": 403, "supervisor": 403, "admin": 403},
    ),
    ("GET", "/customers"): (fixed("/customers?customer_number=10000001"), STAFF_READ),
    ("POST", "/customers"): (
        lambda setup: ("/customers", {"name": "Yeni Müşteri", "phone": unique_phone()}),
        {**STAFF_READ, "agent": 201, "supervisor": 201, "admin": 201},
    ),
    ("GET", "/customers/{customer_id}"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}", None),
        STAFF_READ,
    ),
    ("PATCH", "/customers/{customer_id}"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}",
                       {"version": ahmet(setup)["version"], "language": "tr"}),
        STAFF_READ,
    ),
    ("GET", "/categories"): (fixed("/categories"), EVERYONE),
    ("POST", "/categories"): (
        fixed("/categories", {"name": "Yeni"}),
        {**STAFF_READ, "agent": 403, "supervisor": 403, "admin": 201},
    ),
    ("PUT", "/categories/{category_id}"): (
        lambda setup: (f"/categories/{scratch(setup, '/categories', {'name': 'Geçici'})}",
                       {"name": "Yeni ad"}),
        {**STAFF_READ, "agent": 403, "supervisor": 403},
    ),
    ("GET", "/vocabulary"): (fixed("/vocabulary"), STAFF_READ),
    ("GET", "/groups"): (fixed("/groups"), STAFF_READ),
    ("GET", "/groups/{group_id}"): (fixed("/groups/urun"), STAFF_READ),
    ("GET", "/staff"): (fixed("/staff"), STAFF_READ),
    ("PUT", "/me/shift"): (
        fixed("/me/shift", {"on_shift": True}),
        {**STAFF_READ, "admin": 200, "supervisor": 200, "agent": 200},
    ),
    ("PUT", "/me/notices"): (
        fixed("/me/notices", {"email_notices": True}),
        {**STAFF_READ, "admin": 200, "supervisor": 200, "agent": 200},
    ),
    ("PUT", "/groups/{group_id}"): (
        lambda setup: (f"/groups/g{random.randint(0, 10**9)}", {"name": "Yeni"}),
        {**STAFF_READ, "agent": 403, "supervisor": 403},
    ),
    ("PUT", "/staff/{username}"): (
        fixed("/staff/deniz", {"name": "Deniz Ak", "roles": ["agent"]}),
        {**STAFF_READ, "agent": 403, "supervisor": 403},
    ),
    ("GET", "/roles"): (fixed("/roles"), {**STAFF_READ, "agent": 403}),
    ("GET", "/routing-rules"): (fixed("/routing-rules"), {**STAFF_READ, "agent": 403}),
    ("POST", "/routing-rules"): (
        fixed("/routing-rules", {"name": "t", "phrases": ["xyzzy"], "group_id": "urun"}),
        {**STAFF_READ, "agent": 403, "supervisor": 403, "admin": 201},
    ),
    ("PUT", "/routing-rules/{rule_id}"): (
        lambda setup: (f"/routing-rules/{scratch_rule(setup)}",
                       {"name": "t2", "phrases": ["xyzzy"], "group_id": "urun"}),
        {**STAFF_READ, "agent": 403, "supervisor": 403},
    ),
    ("DELETE", "/routing-rules/{rule_id}"): (
        lambda setup: (f"/routing-rules/{scratch_rule(setup)}", None),
        {**STAFF_READ, "agent": 403, "supervisor": 403, "admin": 204},
    ),
    ("GET", "/sla-policies"): (fixed("/sla-policies"), {**STAFF_READ, "agent": 403}),
    ("POST", "/sla-policies"): (
        fixed("/sla-policies", POLICY), {**ADMIN_ONLY, "admin": 201},
    ),
    ("PUT", "/sla-policies/{policy_id}"): (
        lambda setup: (f"/sla-policies/{scratch(setup, '/sla-policies', POLICY)}", POLICY),
        ADMIN_ONLY,
    ),
    ("DELETE", "/sla-policies/{policy_id}"): (
        lambda setup: (f"/sla-policies/{scratch(setup, '/sla-policies', POLICY)}", None),
        {**ADMIN_ONLY, "admin": 204},
    ),
    ("GET", "/escalation-ladders"): (fixed("/escalation-ladders"), {**STAFF_READ, "agent": 403}),
    ("POST", "/escalation-ladders"): (
        fixed("/escalation-ladders", LADDER), {**ADMIN_ONLY, "admin": 201},
    ),
    ("PUT", "/escalation-ladders/{ladder_id}"): (
        lambda setup: (f"/escalation-ladders/{scratch(setup, '/escalation-ladders', LADDER)}",
                       LADDER),
        ADMIN_ONLY,
    ),
    ("DELETE", "/escalation-ladders/{ladder_id}"): (
        lambda setup: (f"/escalation-ladders/{scratch(setup, '/escalation-ladders', LADDER)}",
                       None),
        {**ADMIN_ONLY, "admin": 204},
    ),
    ("POST", "/analytics/sql"): (
        fixed("/analytics/sql", {"sql": "SELECT count(*) FROM events"}),
        {**STAFF_READ, "agent": 403},
    ),
    ("GET", "/reports/{name}"): (
        fixed("/reports/volume?from=2026-03-01&to=2026-03-02&by=group"),
        {**STAFF_READ, "agent": 403},
    ),
    ("GET", "/reports/sla/breached"): (
        fixed("/reports/sla/breached?from=2026-03-01&to=2026-03-02"),
        {**STAFF_READ, "agent": 403},
    ),
    # a rebuild of today only: its steps wait on the reports queue for whoever drains it
    ("POST", "/reports/rebuild"): (
        lambda setup: ("/reports/rebuild", {"from": _istanbul_today()}),
        {**ADMIN_ONLY, "admin": 202},
    ),
    ("GET", "/reports/rebuild/status"): (fixed("/reports/rebuild/status"), ADMIN_ONLY),
    ("GET", "/search"): (fixed("/search?q=kargo"), STAFF_READ),
    # its steps wait on the search queue for whoever drains it
    ("POST", "/search/rebuild"): (fixed("/search/rebuild", {}), {**ADMIN_ONLY, "admin": 202}),
    ("GET", "/search/rebuild/status"): (fixed("/search/rebuild/status"), ADMIN_ONLY),
    ("GET", "/reports/topics/{dimension}"): (
        fixed("/reports/topics/category"), {**STAFF_READ, "agent": 403},
    ),
    ("PUT", "/reports/topics/{dimension}/{value}"): (
        fixed("/reports/topics/category/kargo", {"action": "Kargoyu arayın"}),
        {**STAFF_READ, "agent": 403},
    ),
    ("DELETE", "/reports/topics/{dimension}/{value}"): (
        lambda setup: (_topic_with_action(setup), None),
        {**STAFF_READ, "agent": 403, "supervisor": 204, "admin": 204},
    ),
    ("GET", "/reports/{name}/export"): (
        fixed("/reports/volume/export?from=2026-11-01&to=2026-11-07&format=csv"),
        {**STAFF_READ, "agent": 403},
    ),
    ("GET", "/dead-letters"): (fixed("/dead-letters"), ADMIN_ONLY),
    ("POST", "/dead-letters/{queue}/redrive"): (
        fixed("/dead-letters/notify/redrive", {"limit": 1}), ADMIN_ONLY,
    ),
    ("GET", "/calendars"): (fixed("/calendars"), {**STAFF_READ, "agent": 403}),
    ("POST", "/sla/preview"): (
        fixed("/sla/preview", {"priority": "high", "opened_at": "2026-03-06T17:00:00"}),
        {**STAFF_READ, "agent": 403},
    ),
    ("PUT", "/calendars/{calendar_id}"): (
        fixed("/calendars/scratch", {"name": "Cumartesi dahil", "weekdays": [0, 1, 2, 3, 4, 5]}),
        ADMIN_ONLY,
    ),
    ("POST", "/routing-rules/test"): (
        fixed("/routing-rules/test", {"text": "kargom gelmedi"}), {**STAFF_READ, "agent": 403},
    ),
    # routing learned from corrections (docs/turkish-text.md): read like the rules, set by admins
    ("GET", "/routing-corrections/report"): (
        fixed("/routing-corrections/report"), {**STAFF_READ, "agent": 403},
    ),
    ("GET", "/routing-classifier"): (fixed("/routing-classifier"), {**STAFF_READ, "agent": 403}),
    ("PUT", "/routing-classifier/settings"): (
        fixed("/routing-classifier/settings", {"enabled": False}), ADMIN_ONLY,
    ),
    ("POST", "/routing-classifier/train"): (fixed("/routing-classifier/train", {}), ADMIN_ONLY),
    ("PUT", "/roles/{role}"): (
        lambda setup: ("/roles/supervisor",
                       {"permissions": next(r for r in setup.api.get("/roles").body
                                            if r["name"] == "supervisor")["permissions"]}),
        {**STAFF_READ, "agent": 403, "supervisor": 403},
    ),
    ("GET", "/product-categories"): (fixed("/product-categories?under=elektronik"), STAFF_READ),
    ("POST", "/product-categories"): (
        fixed("/product-categories", {"name": "Yeni"}), {**ADMIN_ONLY, "admin": 201},
    ),
    ("PATCH", "/product-categories/{category_id}"): (
        lambda setup: (f"/product-categories/{scratch_category(setup)}",
                       {"version": 1, "name": "Yeni ad"}),
        ADMIN_ONLY,
    ),
    ("DELETE", "/product-categories/{category_id}"): (
        lambda setup: (f"/product-categories/{scratch_category(setup)}", None),
        {**ADMIN_ONLY, "admin": 204},
    ),
    ("GET", "/products"): (fixed("/products?category_id=elektronik&limit=5"), STAFF_READ),
    ("POST", "/products"): (
        fixed("/products", {"brand": "B", "model": "M", "name": "N", "category_id": "telefon"}),
        {**ADMIN_ONLY, "admin": 201},
    ),
    ("GET", "/products/{product_id}"): (fixed("/products/p-reeder-s19"), STAFF_READ),
    ("PATCH", "/products/{product_id}"): (
        lambda setup: (f"/products/{scratch_product(setup)}", {"version": 1, "model": "M2"}),
        ADMIN_ONLY,
    ),
    ("DELETE", "/products/{product_id}"): (
        lambda setup: (f"/products/{scratch_product(setup)}", None),
        {**ADMIN_ONLY, "admin": 204},
    ),
    ("GET", "/catalog"): (fixed("/catalog"), {**EVERYONE, "none": 200}),
    ("GET", "/my/products"): (
        fixed("/my/products"), {**CUSTOMERS_ONLY, "customer": 200, "other_customer": 200},
    ),
    ("POST", "/my/products"): (
        lambda setup: ("/my/products", registration()),
        {**CUSTOMERS_ONLY, "customer": 201, "other_customer": 201},
    ),
    ("GET", "/my/products/{registration_id}"): (
        lambda setup: (f"/my/products/{ahmet_registration(setup)[1]}", None),
        {**CUSTOMERS_ONLY, "customer": 200, "other_customer": 404},
    ),
    ("GET", "/customers/{customer_id}/products"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}/products", None), STAFF_READ,
    ),
    ("POST", "/customers/{customer_id}/products"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}/products", registration()),
        {**STAFF_READ, "agent": 201, "supervisor": 201, "admin": 201},
    ),
    ("GET", "/registrations"): (fixed("/registrations?serial=sn-demo-0001"), STAFF_READ),
    ("GET", "/precases"): (fixed("/precases?channel=email"), STAFF_READ),
    ("GET", "/precases/mine"): (fixed("/precases/mine"), STAFF_READ),
    ("GET", "/precases/{precase_id}"): (precase_call(""), STAFF_READ),
    ("POST", "/precases/{precase_id}/claim"): (
        precase_call("/claim", lambda p: {"version": p["version"]}), STAFF_READ,
    ),
    ("POST", "/precases/{precase_id}/case"): (
        precase_call("/case", lambda p: {"version": p["version"], "type": "question"}),
        {**STAFF_READ, "agent": 201, "supervisor": 201, "admin": 201},
    ),
    ("POST", "/precases/{precase_id}/set-aside"): (
        precase_call("/set-aside", lambda p: {"version": p["version"], "outcome": "spam"}),
        STAFF_READ,
    ),
    ("POST", "/precase-assignments"): (
        lambda setup: ("/precase-assignments", {"agent": "mehmet", "precases": [
            {"id": (p := pooled(setup))["id"], "version": p["version"]}]}),
        {**STAFF_READ, "agent": 403},
    ),
    ("GET", "/customer-search"): (fixed("/customer-search?name=ahmet"), STAFF_READ),
    ("GET", "/workload"): (fixed("/workload"), {**STAFF_READ, "agent": 403}),
    ("GET", "/social/topics"): (fixed("/social/topics?days=7"), STAFF_READ),
    ("POST", "/integrations/{shop_id}/cases"): signed_only("/integrations/demo/cases"),
    ("POST", "/integrations/{shop_id}/webhooks"): signed_only("/integrations/demo/webhooks"),
    ("GET", "/integrations/{shop_id}/webhooks"): (
        fixed("/integrations/demo/webhooks"), dict.fromkeys(ROLES[1:], 401)),
    ("DELETE", "/integrations/{shop_id}/webhooks/{endpoint_id}"): (
        fixed("/integrations/demo/webhooks/wh_1"), dict.fromkeys(ROLES[1:], 401)),
    ("POST", "/integrations/{shop_id}/webhooks/{endpoint_id}/replay"): signed_only(
        "/integrations/demo/webhooks/wh_1/replay"),
    ("GET", "/webhooks"): (fixed("/webhooks"), ADMIN_ONLY),
    ("GET", "/webhooks/failed-deliveries"): (fixed("/webhooks/failed-deliveries"), ADMIN_ONLY),
    ("POST", "/integrations/{shop_id}/chats"): signed_only("/integrations/demo/chats"),
    ("POST", "/integrations/{shop_id}/social-posts"): signed_only(
        "/integrations/demo/social-posts"),
    ("POST", "/integrations/{shop_id}/social-post-batches"): signed_only(
        "/integrations/demo/social-post-batches"),
    ("DELETE", "/staff/{username}"): (
        lambda setup: (f"/staff/{scratch_staff(setup)}", None),
        {**STAFF_READ, "agent": 403, "supervisor": 403, "admin": 204},
    ),
    ("DELETE", "/customers/{customer_id}"): (
        lambda setup: (f"/customers/{scratch_customer(setup)}", None),
        {**STAFF_READ, "agent": 403, "supervisor": 403, "admin": 204},
    ),
    ("DELETE", "/customers/{customer_id}/products/{registration_id}"): (
        lambda setup: ("/customers/{}/products/{}".format(*ahmet_registration(setup)), None),
        {**STAFF_READ, "agent": 403, "supervisor": 204, "admin": 204},
    ),
    # planned surveys (docs/surveys.md): supervisors build and watch them
    ("GET", "/surveys"): (fixed("/surveys"), {**STAFF_READ, "agent": 403}),
    ("POST", "/surveys"): (
        fixed("/surveys", SURVEY), {**STAFF_READ, "agent": 403, "supervisor": 201, "admin": 201},
    ),
    ("GET", "/surveys/{survey_id}"): (
        lambda setup: (f"/surveys/{scratch_survey(setup)['id']}", None),
        {**STAFF_READ, "agent": 403},
    ),
    ("PUT", "/surveys/{survey_id}"): (
        lambda setup: (f"/surveys/{(s := scratch_survey(setup))['id']}",
                       {**SURVEY, "version": s["version"]}),
        {**STAFF_READ, "agent": 403},
    ),
    ("POST", "/surveys/{survey_id}/status"): (
        lambda setup: (f"/surveys/{(s := scratch_survey(setup))['id']}/status",
                       {"status": "ended", "version": s["version"]}),
        {**STAFF_READ, "agent": 403},
    ),
    ("GET", "/surveys/{survey_id}/answers/export"): (
        lambda setup: (f"/surveys/{scratch_survey(setup)['id']}/answers/export?format=csv", None),
        {**STAFF_READ, "agent": 403},
    ),
    ("GET", "/surveys/{survey_id}/results"): (
        lambda setup: (f"/surveys/{scratch_survey(setup)['id']}/results", None),
        {**STAFF_READ, "agent": 403},
    ),
    ("GET", "/surveys/{survey_id}/results/export"): (
        lambda setup: (f"/surveys/{scratch_survey(setup)['id']}/results/export?format=csv", None),
        {**STAFF_READ, "agent": 403},
    ),
    # the roster's backfill: an operation, admins only
    ("GET", "/survey-roster/backfill"): (fixed("/survey-roster/backfill"), ADMIN_ONLY),
    ("POST", "/survey-roster/backfill"): (
        fixed("/survey-roster/backfill"), {**ADMIN_ONLY, "admin": 202},
    ),
    ("GET", "/survey-settings"): (fixed("/survey-settings"), {**STAFF_READ, "agent": 403}),
    ("PUT", "/survey-settings"): (
        fixed("/survey-settings", {"throttle_days": 90}), {**STAFF_READ, "agent": 403},
    ),
    # signed links: public; a link that is not ours is a 404 to everyone, signed in or not
    ("GET", "/survey-links/{token}"): (fixed(f"/survey-links/{NO_LINK}"), ALL_404),
    ("POST", "/survey-links/{token}"): (
        fixed(f"/survey-links/{NO_LINK}", {"answers": {"q": 1}}), ALL_404,
    ),
    ("GET", "/opt-out/{token}"): (fixed(f"/opt-out/{NO_LINK}"), ALL_404),
    ("POST", "/opt-out/{token}"): (fixed(f"/opt-out/{NO_LINK}"), ALL_404),
    ("GET", "/my/consents"): (fixed("/my/consents"), CUSTOMERS_ONLY),
    ("PUT", "/my/consents"): (
        fixed("/my/consents", {"changes": [{"channel": "sms", "granted": False}]}),
        CUSTOMERS_ONLY,
    ),
    ("GET", "/customers/{customer_id}/consents"): (
        lambda setup: (f"/customers/{ahmet_id(setup)}/consents", None), STAFF_READ,
    ),
    ("POST", "/integrations/{shop_id}/consents"): signed_only("/integrations/demo/consents"),
}  # fmt: skip


def resolved_case(setup) -> dict:
    """A case of Ahmet's routed to `urun` (the agent's group), taken and resolved."""
    case = claimed_case(setup)
    return setup.api.post(f"/cases/{case['id']}/status",
                          {"version": case["version"], "status": "resolved"}).body  # fmt: skip


def rating_link(setup) -> str:
    """A rating link of a resolved case, signed as its resolved notice would carry it."""
    from datetime import timedelta

    from chalicelib import wiring
    from chalicelib.domain.clock import utcnow
    from chalicelib.domain.signed_links import LinkPurpose

    case = resolved_case(setup)
    until = utcnow() + timedelta(days=1)
    signer = wiring.link_keys().signer()
    token = signer.sign(LinkPurpose.case_rating, case["id"], case["customer_id"], until)
    return f"/ratings/{token}"


RATINGS = {
    # the link is the proof: anyone holding it, signed in or not, as the customer would
    ("GET", "/ratings/{token}"): (lambda setup: (rating_link(setup), None),
                                  dict.fromkeys(ROLES, 200)),
    ("POST", "/ratings/{token}"): (lambda setup: (rating_link(setup), {"score": 4}),
                                   dict.fromkeys(ROLES, 200)),
    ("POST", "/cases/{case_id}/rating"): (
        case_call(resolved_case, "/rating", lambda c: {"version": c["version"], "score": 5}),
        {**STAFF_READ, "agent": 201, "supervisor": 201, "admin": 201},
    ),
    # no follow-up is open on a fresh case: staff get as far as the case's word (409)
    ("POST", "/cases/{case_id}/follow-up/done"): (
        case_call(resolved_case, "/follow-up/done", lambda c: {"version": c["version"]}),
        {**STAFF_READ, "agent": 409, "supervisor": 409, "admin": 409},
    ),
}  # fmt: skip
MATRIX.update(RATINGS)

# ---- the knowledge base (docs/knowledge-base.md) --------------------------------------------

ARTICLE = {
    "texts": {
        "tr": {
            "title": "Kargo nerede",
            "problem": "Kargom gelmedi",
            "solution": "1. Takip numarasına bakın",
        }
    },
    "visibility": "public",
}


def draft_article(setup) -> dict:
    return setup.api.post("/articles", ARTICLE).body


def review_article(setup) -> dict:
    article = draft_article(setup)
    return setup.api.post(f"/articles/{article['id']}/submit",
                          {"revision": article["revision"]}).body  # fmt: skip


def live_article(setup) -> dict:
    article = review_article(setup)
    return setup.api.post(f"/articles/{article['id']}/approve",
                          {"revision": article["revision"]}).body  # fmt: skip


def article_call(make: Callable, suffix: str, body: Callable | None = None):
    def prepare(setup):
        article = make(setup)
        return f"/articles/{article['id']}{suffix}", body(article) if body else None

    return prepare


def resolved_with_reply(setup) -> tuple[str, None]:
    case = claimed_case(setup)
    case = setup.api.post(f"/cases/{case['id']}/replies",
                          {"version": case["version"], "body": "Şöyle çözülür"}).body  # fmt: skip
    case = setup.api.post(f"/cases/{case['id']}/status",
                          {"version": case["version"], "status": "resolved"}).body  # fmt: skip
    history = setup.api.get(f"/cases/{case['id']}").body["history"]
    reply = next(h for h in history if h["kind"] == "reply")
    return f"/cases/{case['id']}/replies/{reply['id']}/article", None


REV = lambda a: {"revision": a["revision"]}  # noqa: E731
STAFF_WRITE = {**STAFF_READ, "agent": 201, "supervisor": 201, "admin": 201}
PUBLISHERS = {**STAFF_READ, "agent": 403}
PUBLIC_200 = {**dict.fromkeys(ROLES, 200)}

KNOWLEDGE = {
    ("GET", "/articles"): (fixed("/articles?state=draft"), STAFF_READ),
    ("POST", "/articles"): (fixed("/articles", ARTICLE), STAFF_WRITE),
    ("GET", "/articles/{article_id}"): (article_call(draft_article, ""), STAFF_READ),
    ("PUT", "/articles/{article_id}"): (
        article_call(draft_article, "", lambda a: {**ARTICLE, **REV(a)}), STAFF_READ,
    ),
    ("POST", "/articles/{article_id}/submit"): (
        article_call(draft_article, "/submit", REV), STAFF_READ,
    ),
    ("POST", "/articles/{article_id}/approve"): (
        article_call(review_article, "/approve", REV), PUBLISHERS,
    ),
    ("POST", "/articles/{article_id}/reject"): (
        article_call(review_article, "/reject", lambda a: {**REV(a), "note": "eksik"}), PUBLISHERS,
    ),
    ("POST", "/articles/{article_id}/archive"): (
        article_call(live_article, "/archive", REV), PUBLISHERS,
    ),
    ("GET", "/articles/{article_id}/live"): (article_call(live_article, "/live"), STAFF_READ),
    ("GET", "/articles/{article_id}/versions"): (
        article_call(live_article, "/versions"), STAFF_READ,
    ),
    ("GET", "/articles/{article_id}/versions/{number}"): (
        article_call(live_article, "/versions/1"), STAFF_READ,
    ),
    ("GET", "/articles/{article_id}/history"): (
        article_call(draft_article, "/history"), STAFF_READ,
    ),
    ("POST", "/articles/{article_id}/files"): (
        article_call(draft_article, "/files", lambda a: PNG), STAFF_WRITE,
    ),
    # nothing uploaded under this id: staff get as far as S3's word (404)
    ("POST", "/articles/{article_id}/files/{file_id}"): (
        article_call(draft_article, "/files/f0000000000000000000000000"),
        {**STAFF_READ, "agent": 404, "supervisor": 404, "admin": 404},
    ),
    ("GET", "/cases/{case_id}/articles"): (
        case_call(routed_case, "/articles"), STAFF_READ,
    ),
    ("POST", "/cases/{case_id}/articles"): (
        lambda setup: (f"/cases/{(c := routed_case(setup))['id']}/articles",
                       {"version": c["version"], "article_id": live_article(setup)["id"]}),
        STAFF_WRITE,
    ),
    ("POST", "/cases/{case_id}/replies/{reply_id}/article"): (resolved_with_reply, STAFF_WRITE),
    # the help centre: public, signed in or not
    ("GET", "/kb/articles"): (fixed("/kb/articles"), {**PUBLIC_200, "none": 200}),
    ("GET", "/kb/articles/{slug}"): (
        lambda setup: (f"/kb/articles/{live_article(setup)['slug']}", None),
        {**PUBLIC_200, "none": 200},
    ),
    ("GET", "/kb/categories"): (fixed("/kb/categories"), {**PUBLIC_200, "none": 200}),
    ("POST", "/kb/articles/{slug}/votes"): (
        lambda setup: (f"/kb/articles/{live_article(setup)['slug']}/votes",
                       {"visitor": uuid.uuid4().hex, "helpful": True}),
        {**dict.fromkeys(ROLES, 201), "none": 201},
    ),
    ("GET", "/kb/search"): (fixed("/kb/search?q=kargo"), {**PUBLIC_200, "none": 200}),
    ("POST", "/kb/deflection"): (
        lambda setup: ("/kb/deflection", {"draft": uuid.uuid4().hex, "outcome": "left"}),
        {**PUBLIC_200, "none": 200},
    ),
}  # fmt: skip
MATRIX.update(KNOWLEDGE)


def _library():
    from . import test_checklists_library as lib

    return lib


def returns_claimed(setup) -> dict:
    case = _library().returns_case(setup.api, setup.drain)
    return setup.api.post(f"/cases/{case['id']}/claim", {"version": case["version"]}).body


def tick_call(setup):
    checklist = _library().new_checklist(setup.api)
    case = returns_claimed(setup)
    return (
        f"/cases/{case['id']}/checklists/{checklist['id']}/ticks",
        {"version": case["version"], "step_id": "s1"},
    )


def send_call(setup):
    document = _library().ready_document(setup.api)
    case = _library().returns_case(setup.api, setup.drain)
    return f"/cases/{case['id']}/documents", {
        "version": case["version"],
        "document_ids": [document["id"]],
    }


def sent_link(setup):
    document = _library().ready_document(setup.api)
    case = _library().returns_case(setup.api, setup.drain)
    return f"/library/links/{_library().link_token(case, document['id'])}", None


CHECKLIST_BODY = {"name": "t", "category_id": "c-t", "steps": [{"text": "a"}]}
DOCUMENT_BODY = {
    "title": "t",
    "category": "forms",
    "language": "tr",
    "visibility": "public",
    "filename": "a.pdf",
    "content_type": "application/pdf",
    "size": 10,
}
EDITORS = {**STAFF_READ, "agent": 403}
CHECKLISTS_AND_LIBRARY = {
    ("GET", "/checklists"): (fixed("/checklists"), STAFF_READ),
    ("POST", "/checklists"): (fixed("/checklists", CHECKLIST_BODY),
                              {**EDITORS, "supervisor": 201, "admin": 201}),
    ("PUT", "/checklists/{checklist_id}"): (
        lambda setup: (f"/checklists/{_library().new_checklist(setup.api)['id']}",
                       {**CHECKLIST_BODY, "version": 1}), EDITORS),
    ("GET", "/checklists/{checklist_id}/versions/{version}"): (
        lambda setup: (f"/checklists/{_library().new_checklist(setup.api)['id']}/versions/1",
                       None), STAFF_READ),
    # skipped steps are a report: supervisors and admins
    ("GET", "/checklists/{checklist_id}/stats"): (
        lambda setup: (f"/checklists/{_library().new_checklist(setup.api)['id']}/stats", None),
        EDITORS),
    ("GET", "/cases/{case_id}/checklists"): (case_call(routed_case, "/checklists"), STAFF_READ),
    ("POST", "/cases/{case_id}/checklists/{checklist_id}/ticks"): (tick_call, STAFF_READ),
    ("GET", "/library/documents"): (fixed("/library/documents"), STAFF_READ),
    ("POST", "/library/documents"): (fixed("/library/documents", DOCUMENT_BODY),
                                     {**EDITORS, "supervisor": 201, "admin": 201}),
    ("POST", "/library/documents/{document_id}/uploaded"): (
        lambda setup: (f"/library/documents/{_library().new_document(setup.api)['id']}/uploaded",
                       None), EDITORS),
    ("PATCH", "/library/documents/{document_id}"): (
        lambda setup: (f"/library/documents/{_library().ready_document(setup.api)['id']}",
                       {"title": "yeni"}), EDITORS),
    ("POST", "/cases/{case_id}/documents"): (
        send_call, {**STAFF_READ, "agent": 201, "supervisor": 201, "admin": 201}),
    ("GET", "/library"): (fixed("/library"), dict.fromkeys(ROLES, 200)),
    # the link is the proof; a followed link answers a redirect to the file
    ("GET", "/library/links/{token}"): (sent_link, dict.fromkeys(ROLES, 302)),
}  # fmt: skip
MATRIX.update(CHECKLISTS_AND_LIBRARY)


MACRO_BODY = {"title": {"tr": "t"}, "body": {"tr": "Merhaba {{customer_name}}"}}


def shared_macro(setup) -> str:
    return scratch(setup, "/macros", {**MACRO_BODY, "visibility": "shared"})


def macro_on_case(suffix: str, body: Callable[[dict, str], dict | None] = lambda c, m: None):
    def prepare(setup):
        case, macro_id = routed_case(setup), shared_macro(setup)
        return f"/cases/{case['id']}/macros/{macro_id}{suffix}", body(case, macro_id)

    return prepare


def bulk_call(setup):
    case, macro_id = routed_case(setup), shared_macro(setup)
    return "/macro-applications", {
        "macro_id": macro_id,
        "cases": [{"case_id": case["id"], "version": case["version"]}],
    }


MACROS = {
    ("GET", "/macros"): (fixed("/macros"), STAFF_READ),
    # personal macros: every agent keeps their own
    ("POST", "/macros"): (fixed("/macros", MACRO_BODY), STAFF_WRITE),
    ("GET", "/macros/{macro_id}"): (lambda setup: (f"/macros/{shared_macro(setup)}", None),
                                    STAFF_READ),
    # shared ones: supervisors and admins
    ("PUT", "/macros/{macro_id}"): (lambda setup: (f"/macros/{shared_macro(setup)}",
                                                   {**MACRO_BODY, "visibility": "shared",
                                                    "version": 1}), EDITORS),
    ("DELETE", "/macros/{macro_id}"): (lambda setup: (f"/macros/{shared_macro(setup)}", None),
                                       {**EDITORS, "supervisor": 204, "admin": 204}),
    ("GET", "/cases/{case_id}/macros/{macro_id}/preview"): (macro_on_case("/preview"),
                                                            STAFF_READ),
    ("POST", "/cases/{case_id}/macros/{macro_id}/apply"): (
        macro_on_case("/apply", lambda c, m: {"version": c["version"]}), STAFF_READ),
    ("POST", "/macro-applications"): (bulk_call, STAFF_READ),
    ("GET", "/reports/macros/usage"): (
        lambda setup: (f"/reports/macros/usage?from={_istanbul_today()}&to={_istanbul_today()}",
                       None), EDITORS),
}  # fmt: skip
MATRIX.update(MACROS)


def scratch_field(setup) -> str:
    """A custom field definition nobody needs (docs/tags-and-fields.md)."""
    key = f"perm_{uuid.uuid4().hex[:8]}"
    setup.api.post("/case-fields", {"key": key, "label_tr": "t", "label_en": "t", "kind": "text"})
    return key


def field_body(key: str) -> dict:
    return {"key": key, "label_tr": "t", "label_en": "t", "kind": "text"}


TAGS_AND_FIELDS = {
    ("GET", "/case-fields"): (fixed("/case-fields"), STAFF_READ),
    ("POST", "/case-fields"): (
        lambda setup: ("/case-fields", field_body(f"perm_{uuid.uuid4().hex[:8]}")),
        {**ADMIN_ONLY, "admin": 201}),
    ("GET", "/case-fields/{key}"): (lambda setup: (f"/case-fields/{scratch_field(setup)}", None),
                                    STAFF_READ),
    ("PUT", "/case-fields/{key}"): (
        lambda setup: (f"/case-fields/{(k := scratch_field(setup))}",
                       {**field_body(k), "version": 1}), ADMIN_ONLY),
    ("DELETE", "/case-fields/{key}"): (
        lambda setup: (f"/case-fields/{scratch_field(setup)}", None), {**ADMIN_ONLY, "admin": 204}),
    ("POST", "/cases/{case_id}/tags"): (
        case_call(routed_case, "/tags", lambda c: {"version": c["version"], "add": ["yetki"]}),
        STAFF_READ),
    ("PUT", "/cases/{case_id}/custom-fields"): (
        case_call(routed_case, "/custom-fields",
                  lambda c: {"version": c["version"], "values": {"perm_none": "x"}}),
        {**STAFF_READ, "agent": 422, "supervisor": 422, "admin": 422}),
    ("POST", "/case-tag-applications"): (
        lambda setup: ("/case-tag-applications", {"add": ["yetki"], "cases": [
            {"case_id": (c := routed_case(setup))["id"], "version": c["version"]}]}), STAFF_READ),
    ("GET", "/tags"): (fixed("/tags?q=ya"), STAFF_READ),
}  # fmt: skip
MATRIX.update(TAGS_AND_FIELDS)


def ahmet_order(setup) -> tuple[str, None]:
    """An order of Ahmet's, as the shop's signed call would store it (docs/orders.md)."""
    from chalicelib import wiring
    from chalicelib.services.shop_sync import ShopOrder

    order_id = f"O-{uuid.uuid4().hex[:10]}"
    wiring.shop_sync().upsert_order(
        ShopOrder(
            order_id=order_id,
            customer_number="10000001",
            placed_at="2026-03-01T10:00:00Z",
            status="shipped",
            lines=[{"sku": "A", "name": "A", "quantity": 1, "unit_price": "1"}],
        )
    )
    return f"/my/orders/{order_id}", None


CARRIER_BODY = {"name": "Kurye", "tracking_url_template": "https://k.example/{tracking_number}"}
ORDERS_AND_CARRIERS = {
    ("GET", "/my/orders"): (fixed("/my/orders"), CUSTOMERS_ONLY),
    # another customer's order is not there for them
    ("GET", "/my/orders/{order_id}"): (ahmet_order, {**CUSTOMERS_ONLY, "other_customer": 404}),
    ("GET", "/carriers"): (fixed("/carriers"), STAFF_READ),
    ("GET", "/carriers/{code}"): (fixed("/carriers/aras"), STAFF_READ),
    ("PUT", "/carriers/{code}"): (fixed("/carriers/route_test", CARRIER_BODY), ADMIN_ONLY),
    ("GET", "/late-deliveries/settings"): (fixed("/late-deliveries/settings"), STAFF_READ),
    # the same as stored (off unless a test turned it on): the matrix changes no behaviour
    ("PUT", "/late-deliveries/settings"): (
        lambda setup: ("/late-deliveries/settings", {
            k: v for k, v in setup.api.get("/late-deliveries/settings").body.items()
            if k not in ("updated_at", "updated_by")}), ADMIN_ONLY),
    ("GET", "/reports/late-shipments"): (
        fixed("/reports/late-shipments?from_day=2026-03-01&to_day=2026-03-31"),
        {**STAFF_READ, "agent": 403}),
}  # fmt: skip
MATRIX.update(ORDERS_AND_CARRIERS)


VIEW_BODY = {"name": "Acil olanlarım", "filters": {"assignee": "me", "priorities": ["urgent"]}}


def shared_view(setup) -> str:
    return scratch(setup, "/views", {**VIEW_BODY, "shared": True})


VIEWS_AND_PRESENCE = {
    ("GET", "/views"): (fixed("/views"), STAFF_READ),
    # personal views: every agent keeps their own
    ("POST", "/views"): (fixed("/views", VIEW_BODY), STAFF_WRITE),
    ("GET", "/views/{view_id}"): (lambda setup: (f"/views/{shared_view(setup)}", None), STAFF_READ),
    # shared ones: supervisors and admins
    ("PUT", "/views/{view_id}"): (lambda setup: (f"/views/{shared_view(setup)}",
                                                 {**VIEW_BODY, "shared": True, "version": 1}),
                                  EDITORS),
    ("DELETE", "/views/{view_id}"): (lambda setup: (f"/views/{shared_view(setup)}", None),
                                     {**EDITORS, "supervisor": 204, "admin": 204}),
    ("GET", "/views/{view_id}/cases"): (lambda setup: (f"/views/{shared_view(setup)}/cases",
                                                       None), STAFF_READ),
    # each case reported applied or refused: the call itself answers 200
    ("POST", "/case-status-changes"): (
        lambda setup: ("/case-status-changes", {"status": "waiting_customer", "cases": [
            {"case_id": (c := claimed_case(setup))["id"], "version": c["version"]}]}), STAFF_READ),
    ("PUT", "/cases/{case_id}/presence"): (
        case_call(routed_case, "/presence", lambda c: {"mode": "viewing"}), STAFF_READ),
    ("DELETE", "/cases/{case_id}/presence"): (
        case_call(routed_case, "/presence"), {**STAFF_READ, **dict.fromkeys(STAFF, 204)}),
}  # fmt: skip
MATRIX.update(VIEWS_AND_PRESENCE)


def visitor_conversation(setup, suffix: str = "", body: dict | None = None):
    """A conversation a visitor started (no token): whoever holds its id may go on."""
    started = setup.api.as_(None).post("/assistant/conversations", {"language": "tr"}).body
    return f"/assistant/conversations/{started['id']}{suffix}", body


#: public, a signed-in customer's token optional; a staff token is no customer's (403)
WITH_OR_WITHOUT_A_CUSTOMER = {"none": 200, "customer": 200, "other_customer": 200, **STAFF_403}
ASSISTANT = {
    ("POST", "/assistant/conversations"): (
        fixed("/assistant/conversations", {"language": "en"}),
        {k: 201 if v == 200 else v for k, v in WITH_OR_WITHOUT_A_CUSTOMER.items()},
    ),
    ("GET", "/assistant/conversations/{conversation_id}"): (
        visitor_conversation, WITH_OR_WITHOUT_A_CUSTOMER,
    ),
    ("POST", "/assistant/conversations/{conversation_id}/messages"): (
        lambda setup: visitor_conversation(setup, "/messages", {
            "client_message_id": uuid.uuid4().hex, "text": "merhaba"}),
        WITH_OR_WITHOUT_A_CUSTOMER,
    ),
    ("GET", "/assistant/settings"): (fixed("/assistant/settings"), STAFF_READ),
    ("PUT", "/assistant/settings"): (
        lambda setup: ("/assistant/settings", {
            k: v for k, v in setup.api.get("/assistant/settings").body.items()
            if k not in ("updated_at", "updated_by")}), ADMIN_ONLY),
}  # fmt: skip
MATRIX.update(ASSISTANT)


class Setup:
    """Prepares requests as the admin (who may do everything), then the role under test calls."""

    def __init__(self, api, drain) -> None:
        self.api = api
        self.drain = drain


#: reachable without signing in; each is rate limited per client address
PUBLIC = {
    ("GET", "/health"),
    *((method, "/{proxy+}") for method in ("GET", "POST", "PUT", "PATCH", "DELETE")),
    ("GET", "/catalog"),
    ("GET", "/console"),
    ("GET", "/console/{asset}"),
    ("GET", "/console/shared/{asset}"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("GET", "/events.json"),
    ("GET", "/events"),
    ("GET", "/ratings/{token}"),
    ("POST", "/ratings/{token}"),
    # signed links a customer follows without signing in (docs/surveys.md)
    ("GET", "/survey-links/{token}"),
    ("POST", "/survey-links/{token}"),
    ("GET", "/opt-out/{token}"),
    ("POST", "/opt-out/{token}"),
    # the help centre's articles and votes (docs/knowledge-base.md)
    ("GET", "/kb/articles"),
    ("GET", "/kb/articles/{slug}"),
    ("GET", "/kb/categories"),
    ("POST", "/kb/articles/{slug}/votes"),
    ("GET", "/kb/search"),
    ("POST", "/kb/deflection"),
    # the e-library: public documents on the site, and a sent document's link
    ("GET", "/library"),
    ("GET", "/library/links/{token}"),
    # a file sent with a reply, linked from its email (docs/files-and-cc.md)
    ("GET", "/files/links/{token}"),
    # the assistant's conversations (docs/assistant.md): a customer's token optional
    ("POST", "/assistant/conversations"),
    ("GET", "/assistant/conversations/{conversation_id}"),
    ("POST", "/assistant/conversations/{conversation_id}/messages"),
}


def test_public_routes_are_the_named_ones_and_rate_limited(chalice_app):
    public = {(r.method, r.path) for r in ROUTES if r.audience == "public"}
    assert public == PUBLIC
    assert all(r.rate_limit for r in ROUTES if r.audience == "public")


def test_every_route_has_a_row(chalice_app):
    declared = {(r.method, r.path) for r in ROUTES}
    served = {(m, path) for path, methods in chalice_app.app.routes.items() for m in methods}
    assert served == declared, "a route was added without endpoint()"
    assert set(MATRIX) == declared, f"missing rows: {declared - set(MATRIX)}"


#: the request last prepared for a route, while every role that called it was refused: a 401
#: or 403 is answered before anything is written (endpoint() refuses the caller before the
#: handler runs; a case outside the caller's groups is refused on a read), so the next role
#: (the roles of a route run one after another, ROLES' order) calls what a new preparation
#: would give it. Preparing anew for each of the six roles (most opening and routing a case)
#: was most of the module's time.
_UNCHANGED: dict[tuple[str, str], tuple[str, Any]] = {}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", sorted(MATRIX), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_role(route, role, as_role, drain_routing):
    prepare, expected = MATRIX[route]
    prepared = _UNCHANGED.pop(route, None)
    path, body = prepared or prepare(Setup(as_role("admin"), drain_routing))
    caller = as_role(None if role == "none" else role)
    answer = caller.call(route[0], path, body)
    want = expected.get(role, 401)
    assert answer.status == want, f"{role} {route}: {answer}"
    if want >= 400:
        assert set(answer.body["error"]) == {"code", "message", "details"}
    if answer.status in (401, 403):
        _UNCHANGED[route] = (path, body)


def teslimat_case(setup) -> dict:
    """A case of Ahmet's routed to `teslimat`, a group the agent (mehmet) is not in."""
    case = open_case(setup.api, customer={"customer_number": "10000001"},
                     subject="Kargom gelmedi", description="Kargo üç gündür yolda")  # fmt: skip
    setup.drain()
    found = setup.api.get(f"/cases/{case['id']}").body["case"]
    assert found["group_id"] == "teslimat", found
    return found


def teslimat_claimed(setup) -> dict:
    case = teslimat_case(setup)
    return setup.api.post(f"/cases/{case['id']}/assign",
                          {"version": case["version"], "assignee": "ayse"}).body  # fmt: skip


OWN_GROUPS_ONLY = {"agent": 403, "supervisor": 201, "admin": 201}
#: the same case routes on a case of another group: agents read it and change nothing (their
#: role's default `case_access`: read all, change own); supervisors and admins reach all
OTHER_GROUP: dict[tuple[str, str], tuple[Callable, dict[str, int]]] = {
    ("GET", "/cases/{case_id}"): (case_call(teslimat_case, ""), dict.fromkeys(STAFF_403, 200)),
    ("POST", "/cases/{case_id}/claim"): (
        case_call(teslimat_case, "/claim", lambda c: {"version": c["version"]}),
        {"agent": 403, "supervisor": 200, "admin": 200},
    ),
    ("POST", "/cases/{case_id}/replies"): (
        case_call(teslimat_case, "/replies", lambda c: {"version": c["version"], "body": "x"}),
        OWN_GROUPS_ONLY,
    ),
    ("POST", "/cases/{case_id}/notes"): (
        case_call(teslimat_case, "/notes", lambda c: {"version": c["version"], "body": "x"}),
        OWN_GROUPS_ONLY,
    ),
    ("POST", "/cases/{case_id}/status"): (
        case_call(teslimat_claimed, "/status",
                  lambda c: {"version": c["version"], "status": "waiting_customer"}),
        {"agent": 403, "supervisor": 200, "admin": 200},
    ),
    ("PATCH", "/cases/{case_id}"): (
        case_call(teslimat_case, "", lambda c: {"version": c["version"], "priority": "high"}),
        {"agent": 403, "supervisor": 200, "admin": 200},
    ),
    ("POST", "/cases/{case_id}/attachments"): (
        case_call(teslimat_case, "/attachments", lambda c: PNG), OWN_GROUPS_ONLY,
    ),
    ("POST", "/cases/{case_id}/cc"): (
        case_call(teslimat_case, "/cc", lambda c: {"version": c["version"], "cc": []}),
        {"agent": 403, "supervisor": 422, "admin": 422},
    ),
    ("GET", "/cases"): (fixed("/cases?view=pool&group_id=teslimat"), dict.fromkeys(STAFF_403, 200)),
    ("POST", "/cases/{case_id}/tags"): (
        case_call(teslimat_case, "/tags", lambda c: {"version": c["version"], "add": ["x"]}),
        {"agent": 403, "supervisor": 200, "admin": 200},
    ),
    # who may read a case may be seen on it
    ("PUT", "/cases/{case_id}/presence"): (
        case_call(teslimat_case, "/presence", lambda c: {"mode": "replying"}),
        dict.fromkeys(STAFF_403, 200),
    ),
}  # fmt: skip


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
@pytest.mark.parametrize("route", sorted(OTHER_GROUP), ids=lambda r: f"{r[0]} {r[1]}")
def test_case_routes_on_another_groups_case(route, role, as_role, drain_routing, table_items):
    prepare, expected = OTHER_GROUP[route]
    path, body = prepare(Setup(as_role("admin"), drain_routing))
    before = table_items()
    answer = as_role(role).call(route[0], path, body)
    assert answer.status == expected[role], f"{role} {route}: {answer}"
    if answer.status == 403:
        assert answer.body["error"]["code"] == "outside_your_groups"
        assert table_items() == before


@pytest.fixture
def agents_read_own_groups_only(as_role):
    admin = as_role("admin")
    agent = next(r for r in admin.get("/roles").body if r["name"] == "agent")
    changed = admin.put(
        "/roles/agent",
        {"permissions": agent["permissions"], "case_access": {"read": "own", "change": "own"}},
    )
    assert changed.status == 200 and changed.body["case_access"]["read"] == "own", changed
    yield
    admin.put("/roles/agent", {"permissions": agent["permissions"],
                               "case_access": agent["case_access"]})  # fmt: skip


def test_a_role_set_to_its_own_groups_reads_no_other_groups_cases(
    agents_read_own_groups_only, as_role, drain_routing
):
    setup = Setup(as_role("admin"), drain_routing)
    foreign, own = teslimat_case(setup), routed_case(setup)
    agent = as_role("agent")
    assert agent.get(f"/cases/{foreign['id']}").status == 403
    assert agent.get("/cases?view=pool&group_id=teslimat").status == 403
    assert agent.get(f"/cases/{own['id']}").status == 200
    listed = agent.get(f"/cases?view=customer&customer_id={own['customer_id']}").body["items"]
    assert {c["group_id"] for c in listed} <= {"urun"} and own["id"] in {c["id"] for c in listed}
    me = agent.get("/me").body
    assert me["case_access"] == {"read": "own", "change": "own"} and me["groups"] == ["urun"]
