"""Saved views, bulk status and presence through the API on a moto server
(docs/views-and-presence.md): a view's cases and live count from one Query, a view no index
serves refused, personal views private, shared ones for supervisors; a status moved on
several cases with each reported (a retry finds them applied); who else is on a case."""

from __future__ import annotations

import uuid

from .test_macros import claimed


def tagged(agent, admin, drain, tag: str) -> dict:
    case = claimed(agent, admin, drain)
    answer = agent.post(f"/cases/{case['id']}/tags", {"version": case["version"], "add": [tag]})
    assert answer.status == 200, answer
    return answer.body


def test_a_personal_view_lists_and_counts_its_cases(as_role, drain_routing):
    admin, agent = as_role("admin"), as_role("agent")
    tag = f"görünüm-{uuid.uuid4().hex[:6]}"  # only this test's cases carry it
    one, two = tagged(agent, admin, drain_routing, tag), tagged(agent, admin, drain_routing, tag)
    body = {"name": "Benim etiketlilerim", "filters": {"assignee": "me", "tags": [tag]},
            "sort": "oldest"}  # fmt: skip
    made = agent.post("/views", body)
    assert made.status == 201 and made.body["owner"] is not None, made
    listed = {v["id"]: v for v in agent.get("/views").body["items"]}
    assert listed[made.body["id"]]["count"] == {"count": 2, "more": False}
    page = agent.get(f"/views/{made.body['id']}/cases").body
    assert [c["id"] for c in page["items"]] == [one["id"], two["id"]]  # oldest first
    # another agent neither sees nor opens it; the supervisor's list has no such view
    assert made.body["id"] not in {
        v["id"] for v in as_role("supervisor").get("/views").body["items"]
    }
    assert as_role("supervisor").get(f"/views/{made.body['id']}/cases").status == 404
    # an edit at a stale version is refused, at the current one saved
    edit = {**body, "version": 1, "filters": {"assignee": "me", "tags": [tag],
                                              "priorities": ["urgent"]}}  # fmt: skip
    assert agent.put(f"/views/{made.body['id']}", edit).status == 200
    assert agent.put(f"/views/{made.body['id']}", edit).body["error"]["code"] == "version_conflict"
    assert agent.get(f"/views/{made.body['id']}/cases").body["items"] == []
    assert agent.call("DELETE", f"/views/{made.body['id']}").status == 204


def test_views_no_index_serves_and_shared_views_are_refused_as_they_should(as_role):
    agent, supervisor = as_role("agent"), as_role("supervisor")
    scan = agent.post("/views", {"name": "Tüm acil", "filters": {"priorities": ["urgent"]}})
    assert scan.status == 422 and scan.body["error"]["code"] == "view_unserved", scan
    shared = {"name": "Ekip: açık", "shared": True,
              "filters": {"group_id": "urun", "statuses": ["open"]}}  # fmt: skip
    assert agent.post("/views", shared).status == 403
    made = supervisor.post("/views", shared)
    assert made.status == 201 and made.body["owner"] is None
    assert made.body["id"] in {v["id"] for v in agent.get("/views").body["items"]}
    assert agent.get(f"/views/{made.body['id']}/cases").status == 200
    assert agent.call("DELETE", f"/views/{made.body['id']}").status == 403
    assert supervisor.call("DELETE", f"/views/{made.body['id']}").status == 204
    unknown = agent.post(
        "/views", {"name": "x", "filters": {"assignee": "me", "fields": {"yok_boyle": "1"}}}
    )
    assert unknown.status == 422 and unknown.body["error"]["code"] == "unknown_field"


def test_bulk_status_reports_each_case_and_a_retry_finds_them_applied(as_role, drain_routing):
    admin, agent = as_role("admin"), as_role("agent")
    one, two = claimed(agent, admin, drain_routing), claimed(agent, admin, drain_routing)
    body = {"status": "waiting_customer", "cases": [
        {"case_id": one["id"], "version": one["version"]},
        {"case_id": two["id"], "version": two["version"] + 5}]}  # fmt: skip
    answer = agent.post("/case-status-changes", body)
    assert answer.status == 200, answer
    first, second = answer.body["results"]
    assert first["status"] == "applied" and first["case"]["status"] == "waiting_customer"
    assert second["status"] == "refused" and second["error"]["code"] == "version_conflict"
    again = agent.post("/case-status-changes", {**body, "cases": body["cases"][:1]})
    assert again.body["results"][0]["status"] == "applied"  # the same move, not a conflict
    assert agent.get(f"/cases/{one['id']}").body["case"]["version"] == one["version"] + 1
    too_many = {**body, "cases": body["cases"] * 26}
    assert agent.post("/case-status-changes", too_many).status == 422


def test_presence_shows_who_else_is_on_the_case_and_its_version(as_role, drain_routing):
    admin, agent, supervisor = as_role("admin"), as_role("agent"), as_role("supervisor")
    case = claimed(agent, admin, drain_routing)
    path = f"/cases/{case['id']}/presence"
    alone = agent.put(path, {"mode": "viewing"}).body
    assert alone["others"] == [] and alone["version"] == case["version"]
    supervisor.put(path, {"mode": "replying"})
    note = supervisor.post(f"/cases/{case['id']}/notes",
                           {"version": case["version"], "body": "arıyorum"})  # fmt: skip
    assert note.status == 201
    seen = agent.put(path, {"mode": "viewing"}).body
    assert [(o["username"], o["mode"]) for o in seen["others"]] == [("selin", "replying")]
    assert seen["version"] == case["version"] + 1  # changed meanwhile: the screen refreshes
    assert supervisor.call("DELETE", path).status == 204
    assert agent.put(path, {"mode": "viewing"}).body["others"] == []
    assert agent.put(path, {"mode": "typing"}).status == 422
    assert agent.put("/cases/nope/presence", {"mode": "viewing"}).status == 404


def test_polled_lists_answer_304_when_nothing_moved(as_role, drain_routing):
    admin, agent = as_role("admin"), as_role("agent")
    case = claimed(agent, admin, drain_routing)
    view = agent.post("/views", {"name": "Benimkiler", "filters": {"assignee": "me"}}).body
    for path in ("/views", f"/views/{view['id']}/cases", "/cases?view=mine"):
        auth = {"authorization": f"Bearer {agent.token}"}
        first = agent.client.http.get(path, headers=auth)
        etag = first.headers["ETag"]
        assert first.status_code == 200 and etag.startswith('W/"'), path
        again = agent.client.http.get(path, headers={**auth, "if-none-match": etag})
        assert (again.status_code, again.body) == (304, b""), path
    moved = agent.post(f"/cases/{case['id']}/notes", {"version": case["version"], "body": "x"})
    assert moved.status == 201
    # the case's version moved: my list's rows changed, so the answer is sent again
    fresh = agent.client.http.get("/cases?view=mine", headers={
        "authorization": f"Bearer {agent.token}", "if-none-match": etag})  # fmt: skip
    assert fresh.status_code == 200
    agent.call("DELETE", f"/views/{view['id']}")


def test_a_group_view_filters_its_queue_by_age_priority_and_channel(as_role, drain_routing):
    admin, agent = as_role("admin"), as_role("agent")
    tag = f"kuyruk-{uuid.uuid4().hex[:6]}"
    case = tagged(agent, admin, drain_routing, tag)
    base = {"group_id": case["group_id"], "statuses": ["in_progress"], "tags": [tag],
            "priorities": [case["priority"]], "channels": [case["channel"]]}  # fmt: skip

    def count(**more) -> dict:
        made = agent.post("/views", {"name": "Kuyruk", "filters": {**base, **more}})
        assert made.status == 201, made
        listed = {v["id"]: v for v in agent.get("/views").body["items"]}
        rows = agent.get(f"/views/{made.body['id']}/cases").body["items"]
        agent.call("DELETE", f"/views/{made.body['id']}")
        assert len(rows) == listed[made.body["id"]]["count"]["count"]
        return listed[made.body["id"]]["count"]

    assert count(newer_than_hours=1) == {"count": 1, "more": False}
    assert count(older_than_hours=1) == {"count": 0, "more": False}
    assert count(types=["suggestion"] if case["type"] != "suggestion" else ["question"]) == {
        "count": 0, "more": False}  # fmt: skip
