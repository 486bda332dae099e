"""Macros through the API on a moto server (docs/macros.md): kept shared or personal, previewed
for a case, applied as one change of the case (reply, note, fields, status, documents: one
version up), idempotent when retried, refused whole when any part is refused (nothing
written), applied to several cases with each reported, and counted per day in the report."""

from __future__ import annotations

import uuid

import pytest

from chalicelib.domain.clock import ISTANBUL, utcnow

from .conftest import open_case


def routed(api, drain) -> dict:
    """A case of the seeded customer Ahmet, routed to `urun` (where the agent works)."""
    case = open_case(api, customer={"customer_number": "10000001"})
    drain()
    found = api.get(f"/cases/{case['id']}").body["case"]
    assert found["group_id"] == "urun" and found["status"] == "open", found
    return found


def claimed(agent, api, drain) -> dict:
    case = routed(api, drain)
    answer = agent.post(f"/cases/{case['id']}/claim", {"version": case["version"]})
    assert answer.status == 200, answer
    return answer.body


def new_macro(api, **fields) -> dict:
    body = {
        "title": {"tr": f"Kargo {uuid.uuid4().hex[:6]}", "en": "Parcel"},
        "body": {"tr": "Merhaba {{customer_name}}, {{case_number}} numaralı kaydınız. "
                       "{{agent_name}}", "en": "Hello {{customer_name}}"},
        "visibility": "personal",
        **fields,
    }  # fmt: skip
    answer = api.post("/macros", body)
    assert answer.status == 201, answer
    return answer.body


def today() -> str:
    return utcnow().astimezone(ISTANBUL).date().isoformat()


def usage_of(api, macro_id: str) -> int:
    answer = api.get(f"/reports/macros/usage?from={today()}&to={today()}")
    assert answer.status == 200, answer
    return sum(r["applied"] for r in answer.body if r["macro_id"] == macro_id)


def test_apply_is_one_change_with_reply_note_fields_status_and_documents(as_role, drain_routing):
    from . import test_checklists_library as library

    admin, agent, supervisor = as_role("admin"), as_role("agent"), as_role("supervisor")
    document = library.ready_document(admin)
    macro = new_macro(agent, actions={
        "status": "waiting_customer", "priority": "high", "note": "{{agent_name}} aradı",
        "document_ids": [document["id"]]})  # fmt: skip
    case = claimed(agent, admin, drain_routing)

    preview = agent.get(f"/cases/{case['id']}/macros/{macro['id']}/preview")
    assert preview.status == 200, preview
    assert "Ahmet" in preview.body["reply"] and case["number"] in preview.body["reply"]
    assert preview.body["language"] == "tr" and preview.body["missing"] == []
    assert agent.get(f"/cases/{case['id']}").body["case"]["version"] == case["version"]

    path = f"/cases/{case['id']}/macros/{macro['id']}/apply"
    applied = agent.post(path, {"version": case["version"], "send": True})
    assert applied.status == 200, applied
    after = applied.body
    assert after["version"] == case["version"] + 1  # one change
    assert after["status"] == "waiting_customer" and after["priority"] == "high"
    history = agent.get(f"/cases/{case['id']}").body["history"]
    marked = [h for h in history if h.get("data", {}).get("macro_id") == macro["id"]]
    assert [h["kind"] for h in marked] == ["fields_changed", "reply", "note", "documents_sent",
                                           "status_changed"]  # fmt: skip
    assert "Ahmet" in marked[1]["body"] and marked[2]["body"].endswith("aradı")
    assert marked[3]["data"]["documents"] == [{"id": document["id"],
                                               "title": document["title"]}]  # fmt: skip

    # the same application retried: the case as it is, nothing more written or counted
    again = agent.post(path, {"version": case["version"], "send": True})
    assert again.status == 200 and again.body["version"] == after["version"]
    assert len(agent.get(f"/cases/{case['id']}").body["history"]) == len(history)
    assert usage_of(supervisor, macro["id"]) == 1
    assert agent.get(f"/reports/macros/usage?from={today()}&to={today()}").status == 403


def test_send_false_applies_the_actions_without_the_reply(as_role, drain_routing):
    admin, agent = as_role("admin"), as_role("agent")
    macro = new_macro(agent, actions={"priority": "low"})
    case = claimed(agent, admin, drain_routing)
    answer = agent.post(f"/cases/{case['id']}/macros/{macro['id']}/apply",
                        {"version": case["version"], "send": False})  # fmt: skip
    assert answer.status == 200, answer
    assert answer.body["priority"] == "low" and answer.body["first_response_at"] is None


@pytest.mark.parametrize(
    ("actions", "claim", "status", "code"),
    [
        ({"status": "in_progress"}, False, 409, "unassigned"),  # nobody owns the case
        ({"status": "resolved"}, False, 409, "illegal_transition"),  # open → resolved
        ({"status": "reopened"}, True, 409, "illegal_transition"),
    ],
)
def test_an_action_the_lifecycle_refuses_writes_nothing(
    actions, claim, status, code, as_role, drain_routing, table_items
):
    admin, agent = as_role("admin"), as_role("agent")
    macro = new_macro(agent, actions={"note": "yazılmamalı", **actions})
    case = claimed(agent, admin, drain_routing) if claim else routed(admin, drain_routing)
    before = table_items()
    answer = agent.post(f"/cases/{case['id']}/macros/{macro['id']}/apply",
                        {"version": case["version"], "send": True})  # fmt: skip
    assert answer.status == status and answer.body["error"]["code"] == code, answer
    assert table_items() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"body": {"tr": "Merhaba {{customer.name}}"}}, 422, "unknown_variable"),
        ({"body": None, "actions": {"note": "{{password}}"}}, 422, "unknown_variable"),
        ({"body": None}, 422, "empty_macro"),
        ({"actions": {"category_id": "yok-boyle"}}, 422, "no_category"),
        ({"actions": {"document_ids": ["d-yok"]}}, 422, "no_such_document"),
        ({"actions": {"tags": ["x"]}}, 422, "invalid_input"),
        ({"visibility": "shared"}, 403, "forbidden"),  # an agent keeps no shared macros
        ({"title": {}}, 422, "invalid_input"),
        (
            {"conditions": [{"field": "category", "operator": "within", "value": "yok-boyle"}]},
            422,
            "invalid_input",
        ),
        (
            {"conditions": [{"field": "type", "operator": "is", "value": "lost"}]},
            422,
            "invalid_input",
        ),
    ],
)
def test_bad_macros_are_refused_and_nothing_is_written(body, status, code, as_role, table_items):
    agent = as_role("agent")
    macro = {"title": {"tr": "Kötü"}, "body": {"tr": "Merhaba"}, "visibility": "personal", **body}
    before = table_items()
    answer = agent.post("/macros", macro)
    assert answer.status == status and answer.body["error"]["code"] == code, answer
    assert table_items() == before


def test_bad_applications_are_refused_and_nothing_is_written(as_role, drain_routing, table_items):
    admin, agent = as_role("admin"), as_role("agent")
    macro = new_macro(agent)
    case = claimed(agent, admin, drain_routing)
    path = f"/cases/{case['id']}/macros/{macro['id']}/apply"
    before = table_items()
    for body, status in [({"version": "1"}, 422), ({"version": case["version"], "x": 1}, 422),
                         ({"version": case["version"] - 1}, 409), ({}, 422)]:  # fmt: skip
        assert agent.post(path, body).status == status, body
    assert agent.post(f"/cases/{case['id']}/macros/m-none/apply",
                      {"version": case["version"]}).status == 404  # fmt: skip
    assert agent.post(f"/cases/c-none/macros/{macro['id']}/apply", {"version": 1}).status == 404
    assert table_items() == before


def test_who_keeps_and_uses_which_macros(as_role, drain_routing):
    admin, agent, supervisor = as_role("admin"), as_role("agent"), as_role("supervisor")
    shared = new_macro(supervisor, visibility="shared")
    private = new_macro(admin)  # the admin's personal macro
    mine = new_macro(agent)
    listed = {m["id"] for m in agent.get("/macros").body}
    assert {shared["id"], mine["id"]} <= listed and private["id"] not in listed
    assert agent.get(f"/macros/{private['id']}").status == 404
    title = shared["title"]["tr"]
    assert [m["id"] for m in agent.get(f"/macros?q={title.upper()}").body] == [shared["id"]]
    edit = {"title": {"tr": "Yeni"}, "body": {"tr": "x"}, "visibility": "shared", "version": 1}
    assert agent.put(f"/macros/{shared['id']}", edit).status == 403
    assert agent.call("DELETE", f"/macros/{shared['id']}").status == 403
    edited = supervisor.put(f"/macros/{shared['id']}", edit)
    assert edited.status == 200 and edited.body["version"] == 2
    assert supervisor.put(f"/macros/{shared['id']}", edit).status == 409  # stale version
    # the agent applies the shared macro; the customer reaches no macro route
    case = claimed(agent, admin, drain_routing)
    applied = agent.post(f"/cases/{case['id']}/macros/{shared['id']}/apply",
                         {"version": case["version"]})  # fmt: skip
    assert applied.status == 200, applied
    assert as_role("customer").get("/macros").status == 403
    assert agent.call("DELETE", f"/macros/{mine['id']}").status == 204
    assert agent.get(f"/macros/{mine['id']}").status == 404


def test_bulk_applies_to_each_case_and_refuses_a_stale_one(as_role, drain_routing):
    admin, agent, supervisor = as_role("admin"), as_role("agent"), as_role("supervisor")
    macro = new_macro(agent, actions={"status": "waiting_customer"})
    one, two, three = (claimed(agent, admin, drain_routing) for _ in range(3))
    answer = agent.post("/macro-applications", {"macro_id": macro["id"], "cases": [
        {"case_id": one["id"], "version": one["version"]},
        {"case_id": two["id"], "version": two["version"] - 1},  # someone changed it since
        {"case_id": three["id"], "version": three["version"]}]})  # fmt: skip
    assert answer.status == 200, answer
    results = {r["case_id"]: r for r in answer.body["results"]}
    assert results[one["id"]]["status"] == results[three["id"]]["status"] == "applied"
    assert results[one["id"]]["case"]["status"] == "waiting_customer"
    refused = results[two["id"]]
    assert refused["status"] == "refused" and refused["error"]["code"] == "version_conflict"
    assert "case" not in (refused["error"]["details"] or {})
    assert admin.get(f"/cases/{two['id']}").body["case"]["version"] == two["version"]
    assert usage_of(supervisor, macro["id"]) == 2
    unknown = agent.post("/macro-applications", {"macro_id": "m-none", "cases": [
        {"case_id": one["id"], "version": 1}]})  # fmt: skip
    assert unknown.status == 404
    too_many = [{"case_id": one["id"], "version": 1}] * 51
    assert agent.post("/macro-applications", {"macro_id": macro["id"],
                                              "cases": too_many}).status == 422  # fmt: skip


def test_a_macro_applies_only_where_its_conditions_hold(as_role, drain_routing, table_items):
    admin, agent = as_role("admin"), as_role("agent")
    questions = new_macro(agent, conditions=[
        {"field": "type", "operator": "in", "value": ["question", "request"]}])  # fmt: skip
    complaints = new_macro(agent, conditions=[
        {"field": "type", "operator": "is", "value": "complaint"}])  # fmt: skip
    case = claimed(agent, admin, drain_routing)  # a complaint
    preview = agent.get(f"/cases/{case['id']}/macros/{questions['id']}/preview")
    assert preview.status == 200 and preview.body["applicable"] is False, preview
    before = table_items()
    refused = agent.post(f"/cases/{case['id']}/macros/{questions['id']}/apply",
                         {"version": case["version"]})  # fmt: skip
    assert refused.status == 409 and refused.body["error"]["code"] == "macro_not_applicable"
    assert table_items() == before
    applied = agent.post(f"/cases/{case['id']}/macros/{complaints['id']}/apply",
                         {"version": case["version"]})  # fmt: skip
    assert applied.status == 200 and applied.body["version"] == case["version"] + 1, applied


def test_a_reply_lacking_a_value_is_refused_and_nothing_changes(
    as_role, drain_routing, table_items
):
    """Issue 19: a macro whose reply names {{tracking_link}} on a case with no shipment never
    sends "takip bağlantınız: ." — applying it is a 422 naming the variable, alone or in bulk,
    and writes nothing (no reply, no field, no note, no count)."""
    admin, agent, supervisor = as_role("admin"), as_role("agent"), as_role("supervisor")
    reply = "Merhaba {{customer_name}}, takip bağlantınız: {{tracking_link}}. Saygılarımızla"
    actions = {"priority": "high", "note": "{{agent_name}} kargoyu sordu"}
    macro = new_macro(agent, body={"tr": reply}, actions=actions)
    case = claimed(agent, admin, drain_routing)  # Ahmet's case: no order, no shipment
    other = claimed(agent, admin, drain_routing)
    path = f"/cases/{case['id']}/macros/{macro['id']}/apply"

    preview = agent.get(f"/cases/{case['id']}/macros/{macro['id']}/preview")
    assert preview.status == 200, preview
    assert preview.body["reply_missing"] == preview.body["missing"] == ["tracking_link"]

    before = table_items()
    refused = agent.post(path, {"version": case["version"], "send": True})
    assert refused.status == 422, refused
    assert refused.body["error"]["code"] == "macro_values_missing"
    assert refused.body["error"]["details"] == {"missing": ["tracking_link"]}
    bulk = agent.post("/macro-applications", {"macro_id": macro["id"], "cases": [
        {"case_id": case["id"], "version": case["version"]},
        {"case_id": other["id"], "version": other["version"]}]})  # fmt: skip
    assert bulk.status == 200, bulk
    assert [(r["case_id"], r["status"], r["error"]["code"], r["error"]["details"], r["case"])
            for r in bulk.body["results"]] == [
        (c["id"], "refused", "macro_values_missing", {"missing": ["tracking_link"]}, None)
        for c in (case, other)]  # fmt: skip
    assert table_items() == before
    assert usage_of(supervisor, macro["id"]) == 0

    # without sending the reply (the agent writes it), the actions apply
    actions_only = agent.post(path, {"version": case["version"], "send": False})
    assert actions_only.status == 200, actions_only
    assert actions_only.body["priority"] == "high"
    assert actions_only.body["first_response_at"] is None
