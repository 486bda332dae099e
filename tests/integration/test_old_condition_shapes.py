"""Rules, policies and ladders stored before the conditions model (issue 14, item 2) keep
working: items written to the table exactly as the store wrote them then (flat `case_types`,
`category_id`, `priority`... beside the keys) route, target and escalate as they did, and
the API lists them in the new shape."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.clock import utcnow
from devstack.lambda_runtime import LocalContext, scheduled_event

from .conftest import open_case

#: the demo customer open_case calls as (category "normal")
CALLER = {"phone": "0532 123 45 67"}


def unique_word() -> str:
    """A word no demo rule and no other test's text has (letters only, so it is one word)."""
    return "zq" + uuid.uuid4().hex[:10].translate(str.maketrans("0123456789", "ghijklmnop"))


@pytest.fixture
def stored(aws_env):
    """Writes items in the old shape straight to the table, and removes them after the test."""
    table = wiring.table()
    written: list[dict] = []

    def put(item: dict) -> dict:
        table.put(item)
        written.append({"PK": item["PK"], "SK": item["SK"]})
        return item

    yield put
    for key in written:
        table.delete(key)


def old_rule(rule_id: str, word: str, **limits) -> dict:
    return {
        "PK": "ROUTING_RULES", "SK": f"RULE#{rule_id}", "entity": "routing_rule",
        "id": rule_id, "name": f"Eski {rule_id}", "order": 0, "enabled": True,
        "phrases": [word], "case_types": [], "category_id": None, "product_group": None,
        "customer_category": None, "group_id": "finans", "set_category_id": None,
        "priority_bump": 0, **limits,
    }  # fmt: skip


def old_policy(policy_id: str, **fields) -> dict:
    return {
        "PK": "SLA_CONFIG", "SK": f"POLICY#{policy_id}", "entity": "sla_policy",
        "id": policy_id, "name": f"Eski {policy_id}", "order": 100, "enabled": True,
        "case_type": "suggestion", "category_id": "k-hesap", "priority": "low",
        "customer_category": None, "first_response_minutes": 7, "resolution_minutes": 77,
        "hours": "calendar", "remind_at": 0.75, **fields,
    }  # fmt: skip


def routed(api, case: dict) -> dict:
    return api.get(f"/cases/{case['id']}").body


def test_rules_of_before_route_as_they_did(as_role, stored, drain_routing):
    word, t = unique_word(), uuid.uuid4().hex[:6]
    # first by id, but for VIP customers only: the caller is not one
    stored(old_rule(f"r-a-{t}", word, customer_category="vip", group_id="teslimat"))
    stored(old_rule(f"r-b-{t}", word, case_types=["complaint"], category_id="k-siparis",
                    customer_category="normal", set_category_id="k-odeme",
                    priority_bump=1))  # fmt: skip
    agent = as_role("agent")
    match = open_case(agent, type="complaint", category_id="k-teslimat",
                      subject=f"{word} hakkında", customer=CALLER)  # fmt: skip
    wrong_type = open_case(agent, type="question", category_id="k-teslimat",
                           subject=f"{word} hakkında", customer=CALLER)  # fmt: skip
    outside = open_case(agent, type="complaint", category_id="k-hesap",
                        subject=f"{word} hakkında", customer=CALLER)  # fmt: skip
    drain_routing()
    found = routed(agent, match)
    # the rule's category fills only an empty one: the case keeps its own
    assert (found["case"]["group_id"], found["case"]["category_id"]) == ("finans", "k-teslimat")
    assert found["case"]["priority"] == "high"  # normal, bumped one step
    step = next(e for e in found["history"] if e["kind"] == "routed")
    assert step["data"]["rule_id"] == f"r-b-{t}"
    for other in (wrong_type, outside):
        assert routed(agent, other)["case"]["group_id"] == "urun"  # the default group
    listed = {r["id"]: r for r in as_role("admin").get("/routing-rules").body}
    assert listed[f"r-b-{t}"]["conditions"] == [
        {"field": "type", "operator": "in", "value": ["complaint"]},
        {"field": "category", "operator": "within", "value": "k-siparis"},
        {"field": "customer_category", "operator": "is", "value": "normal"},
    ]
    assert "case_types" not in listed[f"r-b-{t}"]


def test_a_rules_never_trigger_words_of_before_apply_to_each_of_its_phrases(as_role, stored):
    """Until issue 20 made them per keyword, `not_words` was one list for the whole rule: a
    rule stored so is listed with that list under each phrase and routes as it did; sent
    back as listed, it is stored in the new shape."""
    word, other, t = unique_word(), unique_word(), uuid.uuid4().hex[:6]
    stored(old_rule(f"r-n-{t}", word, phrases=[word, other], not_words=[f"{word}ler"]))
    admin = as_role("admin")
    listed = next(r for r in admin.get("/routing-rules").body if r["id"] == f"r-n-{t}")
    assert listed["not_words"] == {word: [f"{word}ler"], other: [f"{word}ler"]}
    sample = lambda text: admin.post("/routing-rules/test", {"text": text}).body  # noqa: E731
    assert sample(f"{word}ler geldi")["rule_id"] is None
    assert sample(f"{word}im geldi")["rule_id"] == f"r-n-{t}"
    body = {k: v for k, v in listed.items() if k != "id"}
    assert admin.call("PUT", f"/routing-rules/{listed['id']}", body).status == 200
    item = wiring.table().get({"PK": "ROUTING_RULES", "SK": f"RULE#r-n-{t}"})
    assert item["not_words"] == listed["not_words"]


def test_policies_of_before_target_as_they_did(as_role, stored, drain_routing):
    t = uuid.uuid4().hex[:6]
    # three conditions: the most specific policy for a low suggestion about the account
    stored(old_policy(f"p-{t}"))
    agent, admin = as_role("agent"), as_role("admin")
    case = open_case(agent, type="suggestion", priority="low", category_id="k-hesap")
    other = open_case(agent, type="suggestion", priority="normal", category_id="k-hesap")
    drain_routing()
    found = routed(agent, case)
    assert found["case"]["sla"]["policy_id"] == f"p-{t}"
    first = next(t for t in found["targets"] if t["kind"] == "first_response")
    assert 0 < first["minutes_left"] <= 7
    assert routed(agent, other)["case"]["sla"]["policy_id"] != f"p-{t}"
    # the case's priority changes: the old policy no longer applies and another takes over
    version = found["case"]["version"]
    changed = admin.call("PATCH", f"/cases/{case['id']}", {"version": version, "priority": "high"})
    assert changed.status == 200, changed
    assert changed.body["sla"]["policy_id"] != f"p-{t}"


def test_ladders_of_before_escalate_as_they_did(as_role, stored, drain_routing, chalice_app,
                                                monkeypatch):  # fmt: skip
    t = uuid.uuid4().hex[:6]
    stored(old_policy(f"p-{t}"))
    # a category and a group: the old choice went by the category alone (the case is routed
    # to the default group, not to finans) and a category's ladder beat the catch-all
    stored({
        "PK": "SLA_CONFIG", "SK": f"LADDER#l-{t}", "entity": "escalation_ladder", "id": f"l-{t}",
        "name": "Eski", "group_id": "finans", "category_id": "k-hesap",
        "levels": [{"after_minutes": 0, "notify": "managers", "emails": [f"m{t}@example.com"],
                    "raise_priority": False}],
    })  # fmt: skip
    agent = as_role("agent")
    case = open_case(agent, type="suggestion", priority="low", category_id="k-hesap")
    drain_routing()
    assert routed(agent, case)["case"]["group_id"] == "urun"
    later = utcnow() + timedelta(minutes=8)  # past the 7-minute first response target
    monkeypatch.setattr(wiring.sla_sweep(), "clock", lambda: later)
    chalice_app.sweep_sla(scheduled_event("sweep", "eu-central-1"), LocalContext("s"))
    events = [e["data"] for e in routed(agent, case)["history"] if e["kind"] == "sla"]
    escalation = next(e for e in events if e["kind"] == "escalation")
    assert (escalation["notify"], escalation["emails"]) == ("managers", [f"m{t}@example.com"])
    ladders = {lad["id"]: lad for lad in as_role("admin").get("/escalation-ladders").body}
    assert ladders[f"l-{t}"]["conditions"] == [
        {"field": "category", "operator": "within", "value": "k-hesap"}
    ]
