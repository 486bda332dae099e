"""The metrics ops' dashboard reads come out of the real handlers as EMF lines on stdout
(what CloudWatch Logs turns into metrics): a case opened through the API, routed by the
routing queue's handler, its notices sent by the notify queue's handler. A queue handler has
no end of request to flush at, so each line is printed when the thing happens."""

from __future__ import annotations

import json

from .conftest import open_case


def emf(capfd) -> list[dict]:
    lines = capfd.readouterr().out.splitlines()
    return [json.loads(line) for line in lines if line.startswith("{") and '"_aws"' in line]


def metric(lines: list[dict], name: str) -> list[dict]:
    return [line for line in lines if name in line]


def test_opening_routing_and_notifying_write_the_dashboards_metrics(
    as_role, drain_routing, drain_notify, capfd
) -> None:
    agent = as_role("agent")
    capfd.readouterr()
    case = open_case(agent, customer={"email": "fatma@example.com"}, channel="email")
    opened = metric(emf(capfd), "CasesOpened")
    assert [(line.get("channel"), line.get("type")) for line in opened] == [
        ("email", None), (None, "complaint"), (None, None)]  # fmt: skip
    drain_routing()
    routed = metric(emf(capfd), "RoutingLatency")
    assert routed and all(line["service"] == "destek" for line in routed)
    assert all(line["RoutingLatency"][0] >= 0 for line in routed)
    drain_notify()
    lines = emf(capfd)
    found = agent.get(f"/cases/{case['id']}").body
    ours = [n for n in found["notices"] if n["status"] == "sent"]
    assert [n["event"] for n in ours] == ["case_received"]  # the customer's
    # the group's is filed for its arrivals digest (docs/notifications.md), not sent
    assert {n["event"]: n["status"] for n in found["notices"]}["routed_to_group"] == "skipped"
    assert len(metric(lines, "NoticesSent")) >= len(ours)
    latencies = [line["NotificationLatency"][0] for line in metric(lines, "NotificationLatency")]
    assert len(latencies) == len(metric(lines, "NoticesSent")) and min(latencies) >= 0
    units = {
        m["Name"]: m["Unit"]
        for line in lines
        for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]
    }
    assert units["NotificationLatency"] == "Milliseconds" and units["NoticesSent"] == "Count"
