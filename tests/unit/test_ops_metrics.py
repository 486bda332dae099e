"""The EMF metrics ops' dashboard and alarms read, written where the thing happens: a case
opened (by channel, by type, in total), routed (RoutingLatency), a notice sent
(NoticesSent, NotificationLatency from when it was due), an SLA target breached
(SlaBreaches by target). Each exactly once per happening: a repeat that changes nothing
writes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time

import pytest

from chalicelib.domain.customers import ContactPreferences
from chalicelib.domain.sla import SlaPolicy
from chalicelib.observability import emit
from chalicelib.services.sla_sweep import SlaSweep

from .test_case_service import open_for
from .test_notifications import deliver_all, filed, post  # noqa: F401 - the fixture


def emitted(capsys) -> list[tuple[str, float, str, dict[str, str]]]:
    """(name, value, unit, dimensions) of every EMF line printed since the last call."""
    found = []
    for line in capsys.readouterr().out.splitlines():
        if '"_aws"' not in line:
            continue
        blob = json.loads(line)
        [directive] = blob["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == "Destek"
        [names] = directive["Dimensions"]
        for metric in directive["Metrics"]:
            [value] = blob[metric["Name"]]  # Powertools writes a list: one value here
            found.append((metric["Name"], value, metric["Unit"], {n: blob[n] for n in names}))
    return found


def named(capsys, name: str) -> list[tuple[float, str, dict[str, str]]]:
    return [(value, unit, dims) for n, value, unit, dims in emitted(capsys) if n == name]


def test_emit_writes_one_datapoint_with_the_service_dimension_whatever_the_environment(
    capsys, monkeypatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "something-else")
    emit("SlaBreaches", "Count", 1, target="resolution")
    assert emitted(capsys) == [
        ("SlaBreaches", 1, "Count", {"service": "destek", "target": "resolution"})
    ]


def test_a_case_opened_counts_by_channel_by_type_and_in_total(world, capsys) -> None:
    capsys.readouterr()
    open_for(world)
    assert sorted(named(capsys, "CasesOpened"), key=str) == sorted([
        (1, "Count", {"service": "destek", "channel": "phone"}),
        (1, "Count", {"service": "destek", "type": "complaint"}),
        (1, "Count", {"service": "destek"}),
    ], key=str)  # fmt: skip


def test_routing_latency_is_from_filing_to_the_groups_pool_once(world, capsys) -> None:
    case = open_for(world)
    world.clock.advance(seconds=90)
    capsys.readouterr()
    world.routing.route(case.id)
    assert named(capsys, "RoutingLatency") == [(90_000, "Milliseconds", {"service": "destek"})]
    world.clock.advance(seconds=30)
    world.routing.route(case.id)  # a redelivered message: nothing routed, nothing counted
    assert named(capsys, "RoutingLatency") == []


def test_a_notice_sent_counts_and_its_latency_is_from_its_decision(post, capsys) -> None:  # noqa: F811
    world = post
    case = filed(world, email="ahmet@example.com", name="Ahmet")
    decided = {n.created_at for n in world.cases.notices[case.id]}
    assert decided == {world.clock.now}  # the customer's and the group's, at filing
    world.clock.advance(seconds=12)
    capsys.readouterr()
    assert deliver_all(world) == ["sent", "sent"]
    lines = emitted(capsys)
    assert [v for n, v, _, _ in lines if n == "NoticesSent"] == [1, 1]
    assert [(v, u, d) for n, v, u, d in lines if n == "NotificationLatency"] == [
        (12_000, "Milliseconds", {"service": "destek"})] * 2  # fmt: skip
    assert deliver_all(world) == ["done already"] * 2  # second copies of the messages
    assert emitted(capsys) == []


def test_a_notice_held_for_quiet_hours_is_late_only_from_their_end(post, capsys) -> None:  # noqa: F811
    world = post
    world.clock.now = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # 23:30 in Istanbul
    case = filed(world, email="ahmet@example.com", name="Ahmet")
    contact = world.customers.get(case.customer_id)
    quiet = ContactPreferences(quiet_from=time(22), quiet_until=time(8))
    world.customers.by_id[contact.id] = contact.model_copy(update={"contact": quiet})
    assert deliver_all(world) == ["held", "sent"]  # the staff's notice is not held
    capsys.readouterr()
    world.queue.sent.clear()
    world.clock.now = datetime(2026, 11, 24, 5, 0, 45, tzinfo=UTC)  # 08:00:45 in Istanbul
    assert world.notifier.sweep_outbox() == 1
    assert deliver_all(world) == ["sent"]
    assert named(capsys, "NotificationLatency") == [(45_000, "Milliseconds",
                                                     {"service": "destek"})]  # fmt: skip
    assert named(capsys, "NoticesFailed") == []


@pytest.fixture
def sla_world(world):
    world.directory.put_sla_policy(
        SlaPolicy(id="p", name="Genel", first_response_minutes=60, resolution_minutes=240,
                  hours="calendar")
    )  # fmt: skip
    world.sweep = SlaSweep(world.cases, world.directory, world.clock)
    return world


def test_each_breach_counts_once_by_its_target_and_reminders_do_not(sla_world, capsys) -> None:
    world = sla_world
    world.routing.route(open_for(world).id)
    world.clock.advance(minutes=46)  # a reminder, no breach
    capsys.readouterr()
    assert world.sweep.run() == 1
    assert named(capsys, "SlaBreaches") == []
    world.clock.advance(minutes=15)  # first response due at 60
    assert world.sweep.run() == 1
    assert world.sweep.run() == 0  # the next sweep finds nothing: nothing counted twice
    world.clock.advance(hours=3)  # resolution due at 240
    world.sweep.run()
    assert named(capsys, "SlaBreaches") == [
        (1, "Count", {"service": "destek", "target": "first_response"}),
        (1, "Count", {"service": "destek", "target": "resolution"}),
    ]
