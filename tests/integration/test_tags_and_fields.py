"""Tags and custom case fields through the API on a moto server (docs/tags-and-fields.md):
tags added and removed as one change with its event and counters, suggested by prefix,
filtered in a list; custom fields defined by admins, values checked (a refusal writes
nothing), required at resolve, public ones on the customer's page; a macro that tags.

Field definitions are shared by every test on the table: each test's keys are its own, a
required field applies only to `suggestion` cases, and each test removes what it defined."""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager

import pytest

from .conftest import open_case
from .test_analytics import archived  # noqa: F401  (the fixture)
from .test_case_events import stored_events
from .test_macros import claimed, new_macro


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


@contextmanager
def fields_defined(admin, *definitions: dict):
    made = []
    try:
        for body in definitions:
            answer = admin.post("/case-fields", body)
            assert answer.status == 201, answer
            made.append(answer.body)
        yield made
    finally:
        for field in made:
            admin.call("DELETE", f"/case-fields/{field['key']}")


def number_field(key: str, **more) -> dict:
    return {"key": key, "label_tr": "Sipariş tutarı", "label_en": "Order total",
            "kind": "number", **more}  # fmt: skip


def list_field(key: str, **more) -> dict:
    return {"key": key, "label_tr": "Neden", "label_en": "Reason", "kind": "list",
            "options": [{"value": "hasar", "label_tr": "Hasarlı ürün", "label_en": "Damaged"},
                        {"value": "gec", "label_tr": "Geç teslimat", "label_en": "Late"}],
            **more}  # fmt: skip


def test_tags_change_as_one_version_with_event_counters_and_filter(as_role, drain_routing):
    admin, agent = as_role("admin"), as_role("agent")
    case = claimed(agent, admin, drain_routing)
    tag = unique("Kargo Geç-")  # a tag no other test uses: its counter is this test's
    answer = agent.post(f"/cases/{case['id']}/tags",
                        {"version": case["version"], "add": [tag, "İADE"]})  # fmt: skip
    assert answer.status == 200, answer
    stored = tag.lower().replace(" ", "-")
    assert answer.body["tags"] == sorted(["iade", stored])
    assert answer.body["version"] == case["version"] + 1
    [event] = [e for e in stored_events(case["id"]) if e["type"] == "destek.case.tags_changed"]
    assert event["data"]["added"] == sorted(["iade", stored])

    suggested = agent.get(f"/tags?q={stored[:8].upper()}&limit=50")
    assert suggested.status == 200, suggested
    assert {"tag": stored, "cases": 1} in suggested.body

    listed = agent.get(f"/cases?view=mine&tag={stored}&limit=100")
    assert listed.status == 200, listed
    assert [c["id"] for c in listed.body["items"]] == [case["id"]]

    removed = agent.post(f"/cases/{case['id']}/tags",
                         {"version": answer.body["version"], "remove": [stored]})  # fmt: skip
    assert removed.status == 200 and removed.body["tags"] == ["iade"], removed
    assert all(s["tag"] != stored for s in agent.get(f"/tags?q={stored}").body)
    assert agent.get(f"/cases?view=mine&tag={stored}").body["items"] == []
    history = agent.get(f"/cases/{case['id']}").body["history"]
    assert [h["data"]["removed"] for h in history if h["kind"] == "tags_changed"] == [[], [stored]]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"add": ["a,b"]}, 422, "invalid_input"),
        ({"add": ["ş" * 33]}, 422, "invalid_input"),  # 66 bytes
        ({"add": ["x"], "remove": ["X"]}, 422, "invalid_input"),
        ({}, 422, "invalid_input"),
        ({"remove": ["hiç-yok"]}, 422, "nothing_to_change"),
        ({"add": ["x"], "version": 1}, 409, "version_conflict"),
    ],
)
def test_a_refused_tag_change_writes_nothing(
    body, status, code, as_role, drain_routing, table_items
):
    admin, agent = as_role("admin"), as_role("agent")
    case = claimed(agent, admin, drain_routing)
    before = table_items()
    answer = agent.post(f"/cases/{case['id']}/tags", {"version": case["version"], **body})
    assert answer.status == status and answer.body["error"]["code"] == code, answer
    assert table_items() == before


def test_field_values_are_checked_set_and_filtered(as_role, drain_routing, table_items):
    admin, agent = as_role("admin"), as_role("agent")
    total, reason = unique("total_"), unique("reason_")
    with fields_defined(admin, number_field(total), list_field(reason)):
        case = claimed(agent, admin, drain_routing)
        path = f"/cases/{case['id']}/custom-fields"
        before = table_items()
        values = {total: "çok", reason: "kayip", "nope_x": 1}
        wrong = agent.put(path, {"version": case["version"], "values": values})
        assert wrong.status == 422, wrong
        errors = {e["key"]: e["code"] for e in wrong.body["error"]["details"]["errors"]}
        assert errors == {total: "not_a_number", reason: "not_an_option",
                          "nope_x": "unknown_field"}  # fmt: skip
        assert table_items() == before

        ok = agent.put(path, {"version": case["version"], "values": {total: 1250.0, reason: "gec"}})
        assert ok.status == 200, ok
        assert ok.body["custom_fields"] == {total: 1250, reason: "gec"}
        [event] = [e for e in stored_events(case["id"])
                   if e["type"] == "destek.case.custom_fields_changed"]  # fmt: skip
        assert event["data"]["values"] == {total: 1250, reason: "gec"}

        found = agent.get(f"/cases?view=mine&field={total}&value=1250&limit=100")
        assert found.status == 200, found
        assert [c["id"] for c in found.body["items"]] == [case["id"]]
        bad = agent.get(f"/cases?view=mine&field={total}&value=abc")
        assert bad.status == 422, bad


def test_resolving_without_a_required_field_is_refused_and_writes_nothing(
    as_role, drain_routing, table_items
):
    admin, agent = as_role("admin"), as_role("agent")
    total = unique("total_")
    with fields_defined(admin, number_field(total, required_at_resolve=True,
                                            case_types=["suggestion"])):  # fmt: skip
        case = open_case(admin, customer={"customer_number": "10000001"}, type="suggestion")
        drain_routing()
        version = admin.get(f"/cases/{case['id']}").body["case"]["version"]
        case = agent.post(f"/cases/{case['id']}/claim", {"version": version}).body
        before = table_items()
        refused = agent.post(f"/cases/{case['id']}/status",
                             {"version": case["version"], "status": "resolved"})  # fmt: skip
        assert refused.status == 409, refused
        assert refused.body["error"]["code"] == "required_fields_missing"
        assert refused.body["error"]["details"] == {"missing": [total]}
        assert table_items() == before
        filled = agent.put(f"/cases/{case['id']}/custom-fields",
                           {"version": case["version"], "values": {total: 0}})  # fmt: skip
        assert filled.status == 200, filled
        move = {"version": filled.body["version"], "status": "resolved"}
        resolved = agent.post(f"/cases/{case['id']}/status", move)
        assert resolved.status == 200 and resolved.body["status"] == "resolved", resolved


def test_public_fields_show_on_the_customers_page(as_role):
    admin, ahmet = as_role("admin"), as_role("customer")
    reason, internal = unique("reason_"), unique("internal_")
    with fields_defined(admin, list_field(reason, public=True), number_field(internal)):
        filed = ahmet.post("/my/cases", {"type": "complaint", "subject": "Kutu ezik",
                                         "description": "Ürün hasarlı geldi"})  # fmt: skip
        assert filed.status == 201, filed
        case = admin.get(f"/cases/{filed.body['id']}").body["case"]
        values = {reason: "hasar", internal: 7}
        answer = admin.put(f"/cases/{case['id']}/custom-fields",
                           {"version": case["version"], "values": values})  # fmt: skip
        assert answer.status == 200, answer
        page = ahmet.get(f"/cases/{case['id']}").body
        shown = {"key": reason, "kind": "list", "label_tr": "Neden", "label_en": "Reason",
                 "value": "hasar", "option_tr": "Hasarlı ürün", "option_en": "Damaged"}  # fmt: skip
        assert page["fields"] == [shown]
        assert internal not in str(page)


def test_field_definitions_are_kept_by_admins(as_role):
    admin, agent = as_role("admin"), as_role("agent")
    key = unique("gift_")
    body = {"key": key, "label_tr": "Hediye paketi", "label_en": "Gift wrap", "kind": "checkbox"}
    assert agent.post("/case-fields", body).status == 403
    with fields_defined(admin, body) as [made]:
        assert admin.post("/case-fields", body).body["error"]["code"] == "case_field_exists"
        assert any(f["key"] == key for f in agent.get("/case-fields").body)
        edit = {**body, "label_en": "Gift box", "public": True, "version": made["version"]}
        saved = admin.put(f"/case-fields/{key}", edit)
        assert saved.status == 200 and saved.body["version"] == 2, saved
        stale = admin.put(f"/case-fields/{key}", edit)
        assert stale.status == 409 and stale.body["error"]["code"] == "version_conflict"
        kind = admin.put(f"/case-fields/{key}", {**edit, "kind": "text", "version": 2})
        assert kind.status == 422 and kind.body["error"]["code"] == "kind_fixed"
        assert admin.post("/case-fields", {**body, "key": "x", "kind": "list"}).status == 422
    assert agent.get(f"/case-fields/{key}").status == 404
    assert agent.get(f"/case-fields/{'a' * 2000}").status == 404  # no key DynamoDB refuses


def test_a_macro_adds_and_removes_tags(as_role, drain_routing):
    admin, agent = as_role("admin"), as_role("agent")
    tag = unique("makro-")
    macro = new_macro(agent, body=None, actions={"add_tags": [tag], "remove_tags": ["eski"]})
    case = claimed(agent, admin, drain_routing)
    case = agent.post(f"/cases/{case['id']}/tags", {"version": case["version"],
                                                    "add": ["eski"]}).body  # fmt: skip
    applied = agent.post(f"/cases/{case['id']}/macros/{macro['id']}/apply",
                         {"version": case["version"], "send": False})  # fmt: skip
    assert applied.status == 200, applied
    assert applied.body["tags"] == [tag] and applied.body["version"] == case["version"] + 1
    assert {"tag": tag, "cases": 1} in agent.get(f"/tags?q={tag}").body


def test_bulk_tagging_reports_each_case(as_role, drain_routing):
    admin, agent = as_role("admin"), as_role("agent")
    one, two = claimed(agent, admin, drain_routing), claimed(agent, admin, drain_routing)
    tag = unique("toplu-")
    answer = agent.post("/case-tag-applications", {"add": [tag], "cases": [
        {"case_id": one["id"], "version": one["version"]},
        {"case_id": two["id"], "version": two["version"] + 5}]})  # fmt: skip
    assert answer.status == 200, answer
    [done, refused] = answer.body["results"]
    assert done["status"] == "applied" and done["case"]["tags"] == [tag]
    assert refused["status"] == "refused" and refused["error"]["code"] == "version_conflict"
    assert {"tag": tag, "cases": 1} in agent.get(f"/tags?q={tag}").body


def test_tags_reach_the_open_data_store(as_role, drain_routing, archived):  # noqa: F811
    archived()  # what earlier tests left on the queue
    agent = as_role("agent")
    tag = unique("arsiv-")
    case = open_case(agent, customer={"customer_number": "10000001"}, tags=[tag, "İADE"])
    assert case["tags"] == sorted([tag, "iade"])
    drain_routing()
    assert archived() >= 2
    sql = ("SELECT type, json_extract_string(data, '$.tags') FROM events "
           f"WHERE case_id = '{case['id']}' AND type = 'destek.case.opened'")  # fmt: skip
    answer = as_role("supervisor").post("/analytics/sql", {"sql": sql})
    assert answer.status == 200, answer
    [[kind, tags]] = answer.body["rows"]
    assert kind == "destek.case.opened" and json.loads(tags) == sorted([tag, "iade"])
