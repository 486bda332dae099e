"""The supervisor's numbers: queues by status and breach, what each agent holds, and the
overdue list widened to what is about to breach."""

from __future__ import annotations

from .conftest import open_case


def test_queues_and_agents_count_what_they_hold(as_role, drain_routing):
    supervisor, agent = as_role("supervisor"), as_role("agent")
    before = supervisor.get("/workload").body
    case = open_case(agent, group_id="urun", customer={"phone": "0532 800 10 20", "name": "Can"})
    drain_routing()
    after = supervisor.get("/workload").body
    urun = lambda w: next(g for g in w["groups"] if g["group_id"] == "urun")  # noqa: E731
    # the drain may route cases other tests left on the queue too
    assert urun(after)["counts"]["open"] >= urun(before)["counts"]["open"] + 1
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    assert agent.post(f"/cases/{case['id']}/claim", {"version": version}).status == 200
    held = supervisor.get("/workload").body
    mehmet = lambda w: next(a for a in w["agents"] if a["username"] == "mehmet")  # noqa: E731
    assert mehmet(held)["active"] == mehmet(after)["active"] + 1
    assert urun(held)["counts"]["in_progress"] == urun(after)["counts"]["in_progress"] + 1
    assert "urun" in mehmet(held)["groups"]
    assert as_role("agent").get("/workload").status == 403


def test_the_overdue_view_can_include_what_is_about_to_breach(as_role, drain_routing):
    agent = as_role("agent")
    case = open_case(agent, priority="urgent", customer={"phone": "0532 800 10 21", "name": "Su"})
    drain_routing()
    now = [c["id"] for c in agent.get("/cases?view=overdue&limit=100").body["items"]]
    soon = agent.get("/cases?view=overdue&within_minutes=10080&limit=100").body["items"]
    assert case["id"] not in now and case["id"] in [c["id"] for c in soon]
    assert agent.get("/cases?view=overdue&within_minutes=-1").status == 422
