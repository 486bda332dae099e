"""The operations dashboard and the alarms on destek's own metrics show only what the code
writes, and the scan that says what the code writes can see a metric missing. No package
is built here: the packaged dashboard is checked against its template in test_package.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.domain.case_kinds import Channel
from chalicelib.domain.sla import TargetKind
from chalicelib.messaging.queue_registry import QUEUES
from devstack.dashboard import METRIC_ALARMS, dashboard_resource, graphs

from .code_metrics import shown_metrics, written_metrics

#: what the code writes today (issue 15 part 4); the scan must find at least this
KNOWN = {
    ("Destek", "CasesOpened", frozenset({"service", "channel"})),
    ("Destek", "CasesOpened", frozenset({"service", "type"})),
    ("Destek", "CasesOpened", frozenset({"service"})),
    ("Destek", "NoticesFailed", frozenset({"service"})),
    ("Destek", "NoticesSent", frozenset({"service"})),
    ("Destek", "NotificationLatency", frozenset({"service"})),
    ("Destek", "RoutingLatency", frozenset({"service"})),
    ("Destek", "SlaBreaches", frozenset({"service", "target"})),
}


@pytest.fixture(scope="module")
def written() -> set:
    return written_metrics()


def test_the_scan_finds_every_metric_the_code_writes(written) -> None:
    assert written >= KNOWN, sorted(KNOWN - written)


def write(folder: Path, name: str, source: str) -> None:
    (folder / name).write_text(source, encoding="utf-8")


def test_the_scan_counts_a_helper_only_when_it_is_called_and_refuses_what_it_cannot_see(
    tmp_path: Path,
) -> None:
    write(tmp_path, "observability.py", (
        "def emit(metric, unit, value, **dimensions):\n    single_metric(name=metric)\n"
        "def count_used(): emit('Used', 'Count', 1, kind='a')\n"
        "def count_unused(): emit('Unused', 'Count', 1)\n"
    ))  # fmt: skip
    write(tmp_path, "service.py", "def f():\n    count_used()\n    emit('Direct', 'Count', 1)\n")
    assert written_metrics(tmp_path) == {
        ("Destek", "Used", frozenset({"service", "kind"})),
        ("Destek", "Direct", frozenset({"service"})),
    }
    write(tmp_path, "sneaky.py", "def g(m):\n    m.add_metric(name='Hidden', unit='Count')\n")
    with pytest.raises(AssertionError, match="through observability.emit"):
        written_metrics(tmp_path)
    write(tmp_path, "sneaky.py", "NAME = 'X'\ndef g():\n    emit(NAME, 'Count', 1)\n")
    with pytest.raises(AssertionError, match="must be a literal"):
        written_metrics(tmp_path)


def packaged_like_body() -> dict:
    """The body as make package writes it, for two stand-in functions."""
    resource = dashboard_resource(graphs(["APIHandler", "RouteCases"], "destek-${Stage}",
                                         "api"), ["RoutingSlowAlarm"])  # fmt: skip
    return json.loads(resource["Properties"]["DashboardBody"]["Fn::Sub"])


def test_every_destek_metric_the_dashboard_shows_is_written_by_the_code(written) -> None:
    shown = shown_metrics(packaged_like_body())
    ours = [(ns, name, frozenset(dims)) for ns, name, dims, _ in shown if ns == "Destek"]
    assert {name for _, name, _ in ours} == {name for _, name, _ in KNOWN}  # all of them
    for metric in ours:
        assert metric in written, f"the dashboard shows {metric}, which no code writes"
    for _, _, dims, _ in shown:
        if "service" in dims:
            assert dims["service"] == "destek"


def test_the_dashboard_shows_every_channel_target_queue_and_what_the_issue_names() -> None:
    shown = shown_metrics(packaged_like_body())
    values = {(name, value) for _, name, dims, _ in shown for value in dims.values()}
    assert {("CasesOpened", c.value) for c in Channel} <= values
    assert {("SlaBreaches", t.value) for t in TargetKind} <= values
    for spec in QUEUES:
        dead = ("ApproximateNumberOfMessagesVisible", f"${{{spec.dead_letter_id}.QueueName}}")
        assert dead in values
    names = {(ns, name) for ns, name, _, _ in shown}
    assert {("AWS/Lambda", m) for m in ("Errors", "Throttles", "Duration")} <= names
    assert {("AWS/ApiGateway", "4XXError"), ("AWS/ApiGateway", "5XXError")} <= names
    latencies = {o["stat"] for _, name, _, o in shown if name == "RoutingLatency"}
    assert {"p50", "p90"} <= latencies


def test_every_alarm_on_our_metrics_watches_one_the_code_writes(written) -> None:
    for alarm in METRIC_ALARMS:
        assert ("Destek", alarm.metric, frozenset({"service"})) in written, alarm.logical_id
        assert alarm.threshold > 0 and alarm.periods >= 1
