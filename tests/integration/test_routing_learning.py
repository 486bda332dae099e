"""Routing learns from agents' corrections (issue 20, second half), through the API: a move
away from routing's choice is kept and reported with the keyword that would have caught it;
resolved cases train the classifier, whose group is suggested on new cases and, once an
admin turns it on, routes the cases no rule matches."""

from __future__ import annotations

import uuid

import pytest

from devstack.history import seed_history

from .conftest import open_case


def made_up_word() -> str:
    """A word no other test writes (letters only: a topic word of at least four)."""
    return "zor" + "".join("abcdefghijklmnop"[int(c, 16)] for c in uuid.uuid4().hex[:8])


def routed(api, case_id: str) -> dict:
    return api.get(f"/cases/{case_id}").body["case"]


def test_a_move_away_from_routing_is_kept_and_reported_with_its_keyword(as_role, drain_routing):
    word = made_up_word()
    supervisor = as_role("supervisor")
    ids = [open_case(supervisor, description=f"{word} hakkında bilgi")["id"] for _ in range(3)]
    drain_routing()
    for case_id in ids:
        case = routed(supervisor, case_id)
        assert case["group_id"] == "urun"  # no rule has the word: the default group
        assert case["routing"]["group_id"] == "urun"
        assert case["routing"]["reason_code"] == "default_group"
        moved = supervisor.post(f"/cases/{case_id}/assign",
                                {"version": case["version"], "group_id": "finans"})  # fmt: skip
        assert moved.status == 200, moved
    report = as_role("admin").get("/routing-corrections/report?min_count=3&top=100")
    assert report.status == 200, report
    row = next(r for r in report.body["phrases"] if r["phrase"] == word)
    assert (row["group_id"], row["corrections"], row["share"]) == ("finans", 3, 1.0)
    # no rule has it: the word as written, with the mode that catches it
    assert row["suggestion"] == {"keyword": word, "mode": "inflected", "not_words": [],
                                 "catches": 1.0}  # fmt: skip
    assert row["covered_by"] is None
    moves = {(m["routed_group"], m["final_group"]): m["corrections"] for m in report.body["moves"]}
    assert moves[("urun", "finans")] >= 3
    # supervisors read it; agents do not; a bad query is a 422
    assert as_role("supervisor").get("/routing-corrections/report").status == 200
    assert as_role("agent").get("/routing-corrections/report").status == 403
    assert as_role("admin").get("/routing-corrections/report?min_count=0").status == 422


def test_a_case_put_in_another_category_is_reported_with_its_keyword(as_role, drain_routing):
    """Issue 20: the category side. Cases left in their group but put in another category
    than routing set make the report's `categories` section, not its group moves."""
    word = made_up_word()
    supervisor = as_role("supervisor")
    ids = [open_case(supervisor, description=f"{word} hakkında bilgi")["id"] for _ in range(3)]
    drain_routing()
    for case_id in ids:
        case = routed(supervisor, case_id)
        routed_category = case["routing"]["category_id"]
        assert routed_category != "k-odeme"
        put = supervisor.patch(f"/cases/{case_id}",
                               {"version": case["version"], "category_id": "k-odeme"})  # fmt: skip
        assert put.status == 200, put
    report = as_role("admin").get("/routing-corrections/report?min_count=3&top=100").body
    categories = report["categories"]
    row = next(r for r in categories["phrases"] if r["phrase"] == word)
    assert (row["category_id"], row["corrections"], row["share"]) == ("k-odeme", 3, 1.0)
    assert row["suggestion"]["keyword"] == word and row["covered_by"] is None
    moves = {(m["routed_category"], m["final_category"]): m["corrections"]
             for m in categories["moves"]}  # fmt: skip
    assert moves[(routed_category, "k-odeme")] >= 3
    assert word not in {r["phrase"] for r in report["phrases"]}  # no group moved


def test_a_phrase_a_rule_already_matches_names_the_rule(as_role, drain_routing):
    """The demo's finans rule has "fatura": cases routed by it and moved elsewhere anyway say
    nothing about a missing keyword; the report names the rule (its group, category or
    never-trigger words are what to look at) and suggests no keyword ("fatur" before)."""
    word = made_up_word()
    supervisor = as_role("supervisor")
    text = f"fatura {word} sorusu"
    ids = [open_case(supervisor, description=text)["id"] for _ in range(3)]
    drain_routing()
    for case_id in ids:
        case = routed(supervisor, case_id)
        assert case["routing"]["reason_code"] == "rule_matched"
        moved = supervisor.post(f"/cases/{case_id}/assign",
                                {"version": case["version"], "group_id": "teslimat"})  # fmt: skip
        assert moved.status == 200, moved
    report = as_role("admin").get("/routing-corrections/report?min_count=3&top=100").body
    rows = {r["phrase"]: r for r in report["phrases"]}
    rule = next(r for r in as_role("admin").get("/routing-rules").body
                if "fatura" in r["phrases"])  # fmt: skip
    pair = rows[f"fatura {word}"]  # the pair has "fatura" too
    assert pair["suggestion"] is None
    assert pair["covered_by"]["rule_id"] == rule["id"]
    assert (pair["covered_by"]["rule_name"], pair["covered_by"]["matched"]) == (
        rule["name"], "fatura")  # fmt: skip
    assert rows[word]["covered_by"] is None and rows[word]["suggestion"]["keyword"] == word


def resolved_in(api, drain_routing, group: str, assignee: str, text: str) -> None:
    case = open_case(api, description=text, group_id=group)
    drain_routing()
    version = routed(api, case["id"])["version"]
    taken = api.post(f"/cases/{case['id']}/assign",
                     {"version": version, "group_id": group, "assignee": assignee})  # fmt: skip
    assert taken.status == 200, taken
    done = api.post(f"/cases/{case['id']}/status",
                    {"version": taken.body["version"], "status": "resolved"})  # fmt: skip
    assert done.status == 200, done


@pytest.fixture
def admin(as_role):
    admin = as_role("admin")
    yield admin
    # the stack is the worker's: routing goes back to rules only for the tests after this one
    admin.put("/routing-classifier/settings", {"enabled": False, "min_confidence": 0.8})


def test_resolved_cases_train_a_classifier_that_suggests_then_routes(admin, as_role, drain_routing):
    seed_history()  # the demo's 600 resolved cases: enough to train on (idempotent)
    first, second = made_up_word(), made_up_word()
    supervisor = as_role("supervisor")
    for _ in range(3):
        resolved_in(supervisor, drain_routing, "finans", "burak", f"{first} {second} sorunu")

    trained = admin.post("/routing-classifier/train", {})
    assert trained.status == 200, trained
    status = trained.body
    assert status["trained"] and not status["training"]
    assert status["examples"] >= 600 and {"finans", "urun", "teslimat"} <= set(status["groups"])
    assert 0.5 < status["accuracy"] <= 1 and status["held_out"] > 0
    assert status["settings"]["enabled"] is False  # off until an admin turns it on
    assert admin.get("/routing-classifier").body["trained_at"] == status["trained_at"]

    # off: the default group keeps the case; agents see the classifier's suggestion
    case = open_case(supervisor, description=f"{first} {second} yine")
    drain_routing()
    case = routed(supervisor, case["id"])
    assert case["group_id"] == "urun"
    assert case["routing"]["suggestion"]["group_id"] == "finans"
    assert case["routing"]["suggestion"]["confidence"] > 0.5

    # on: a case no rule matches goes where the classifier says, and says why
    changed = admin.put("/routing-classifier/settings", {"enabled": True, "min_confidence": 0.5})
    assert changed.status == 200, changed
    assert (changed.body["enabled"], changed.body["changed_by"]) == (True, "admin")
    case = open_case(supervisor, description=f"{first} {second} tekrar")
    drain_routing()
    found = supervisor.get(f"/cases/{case['id']}").body
    assert found["case"]["group_id"] == "finans"
    assert found["case"]["routing"]["reason_code"] == "classifier_routed"
    line = next(e for e in found["history"] if e["kind"] == "routed")
    assert line["reason_code"] == "classifier_routed" and line["data"]["confidence"] > 0.5

    # a rule's words still win over the classifier
    case = open_case(supervisor, description=f"{first} {second} kargo")
    drain_routing()
    assert routed(supervisor, case["id"])["group_id"] == "teslimat"


def test_classifier_settings_refuse_bad_input_and_are_admins(admin, as_role):
    assert admin.put("/routing-classifier/settings", {"min_confidence": 2}).status == 422
    assert admin.put("/routing-classifier/settings", {"on": True}).status == 422
    nothing = admin.put("/routing-classifier/settings", {})
    assert (nothing.status, nothing.body["error"]["code"]) == (422, "nothing_to_change")
    assert (
        as_role("supervisor").put("/routing-classifier/settings", {"enabled": True}).status == 403
    )
    assert as_role("supervisor").post("/routing-classifier/train", {}).status == 403
    assert as_role("supervisor").get("/routing-classifier").status == 200
    assert as_role("agent").get("/routing-classifier").status == 403
