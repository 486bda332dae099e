"""One registry of queues: the template, the handlers, the local stack's dispatcher and the
alarms all say what chalicelib/messaging/queue_registry.py says, and every dead-letter
queue, every notice failure and every 5xx has an alarm."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml

from chalicelib.messaging.queue_registry import QUEUES, EventRule, QueueSpec
from devstack import queues as generator

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.yaml"


@pytest.fixture(scope="module")
def infra() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())


def _cfn_lint(path: Path) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("cfn-lint")
    command = str(executable) if executable.exists() else shutil.which("cfn-lint")
    assert command, "cfn-lint is not installed"
    return subprocess.run([command, "--", str(path)], capture_output=True, text=True)


def _alarms_on(resources: dict[str, Any], dead_letter_id: str) -> list[dict[str, Any]]:
    found = []
    for resource in resources.values():
        if resource["Type"] != "AWS::CloudWatch::Alarm":
            continue
        props = resource["Properties"]
        dimensions = props.get("Dimensions", [])
        watched = {"Name": "QueueName", "Value": {"Fn::GetAtt": [dead_letter_id, "QueueName"]}}
        if props["Namespace"] == "AWS/SQS" and watched in dimensions:
            found.append(props)
    return found


# ---- infra/template.yaml ------------------------------------------------------------------


def test_the_templates_queue_blocks_are_what_the_registry_says() -> None:
    text = TEMPLATE.read_text()
    assert generator.refresh(text) == text, "infra/template.yaml is stale: run `make queues`"
    assert generator.main(["--check"]) == 0


def test_a_registry_change_makes_the_check_fail(tmp_path: Path) -> None:
    stale = tmp_path / "template.yaml"
    stale.write_text(TEMPLATE.read_text().replace("VisibilityTimeout: 180", "VisibilityTimeout: 9"))
    assert generator.main(["--check", "--template", str(stale)]) == 1
    assert generator.main(["--template", str(stale)]) == 0  # rewritten
    assert stale.read_text() == TEMPLATE.read_text()


def test_every_registry_queue_has_its_dead_letter_queue_alarm_and_outputs(infra) -> None:
    resources, outputs = infra["Resources"], infra["Outputs"]
    for spec in QUEUES:
        queue = resources[spec.queue_id]["Properties"]
        assert queue["VisibilityTimeout"] == spec.visibility_timeout
        redrive = queue["RedrivePolicy"]
        assert redrive["deadLetterTargetArn"] == {"Fn::GetAtt": [spec.dead_letter_id, "Arn"]}
        assert redrive["maxReceiveCount"] == (spec.max_receives or {"Ref": "MaxReceiveCount"})
        assert resources[spec.dead_letter_id]["Type"] == "AWS::SQS::Queue"
        [alarm] = _alarms_on(resources, spec.dead_letter_id)
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
        assert alarm["AlarmActions"] == [{"Ref": "OpsTopic"}]
        assert outputs[spec.url_output] == {"Value": {"Ref": spec.queue_id}}
        assert outputs[spec.dead_letter_output] == {"Value": {"Ref": spec.dead_letter_id}}


def test_no_queue_exists_outside_the_registry_and_every_dead_letter_queue_is_alarmed(
    infra,
) -> None:
    resources = infra["Resources"]
    declared = {s.queue_id for s in QUEUES} | {s.dead_letter_id for s in QUEUES}
    queues = {k for k, v in resources.items() if v["Type"] == "AWS::SQS::Queue"}
    assert queues == declared
    targets = [
        v["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]["Fn::GetAtt"][0]
        for v in resources.values()
        if v["Type"] == "AWS::SQS::Queue" and "RedrivePolicy" in v["Properties"]
    ]
    assert sorted(targets) == sorted(s.dead_letter_id for s in QUEUES)
    for target in targets:
        assert _alarms_on(resources, target), f"{target} has no alarm"


def test_a_queue_an_eventbridge_rule_feeds_is_one_entry_and_lints_clean(tmp_path: Path) -> None:
    """A case-events consumer to come (say, closed cases to ask about; the name is not the real
    `surveys` queue's): a rule, its target and the queue policy come with
    the entry, and the template still passes cfn-lint."""
    consumer = QueueSpec(
        name="closed-cases",
        stem="ClosedCases",
        variable="CLOSED_CASES",
        handler="ask_closed_cases",
        batch_size=10,
        purpose="closed cases, to be asked about",
        rule=EventRule(
            pattern={"source": ["destek.cases"], "detail-type": ["destek.case.closed"]},
            bus="EventBus",
        ),
    )
    path = tmp_path / "template.yaml"
    path.write_text(generator.refresh(TEMPLATE.read_text(), (*QUEUES, consumer)))
    done = _cfn_lint(path)
    assert done.returncode == 0, done.stdout + done.stderr
    resources = yaml.safe_load(path.read_text())["Resources"]
    rule = resources["ClosedCasesRule"]["Properties"]
    assert rule["EventPattern"]["detail-type"] == ["destek.case.closed"]
    # by name through GetAtt: moto's CloudFormation answers a bus's Ref with no name
    assert rule["EventBusName"] == {"Fn::GetAtt": ["EventBus", "Name"]}
    assert rule["Targets"][0]["Arn"] == {"Fn::GetAtt": ["ClosedCasesQueue", "Arn"]}
    statement = resources["ClosedCasesQueuePolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "events.amazonaws.com"}
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == {
        "Fn::GetAtt": ["ClosedCasesRule", "Arn"]
    }
    assert _alarms_on(resources, "ClosedCasesDeadLetterQueue")


# ---- the handlers and the local stack ---------------------------------------------------


def test_each_registry_queue_is_read_by_the_handler_it_names() -> None:
    from chalice.app import SQSEventConfig

    import app

    sources = {
        (s.queue, s.batch_size, s.maximum_batching_window_in_seconds,
         s.handler_string.split(".")[-1])
        for s in app.app.event_sources
        if isinstance(s, SQSEventConfig)
    }  # fmt: skip
    assert sources == {(s.queue, s.batch_size, s.batching_window, s.handler) for s in QUEUES}


def test_the_local_stack_dispatches_every_registry_queue(monkeypatch) -> None:
    import app
    from devstack import stack as stack_module
    from devstack.faults import Faults

    class Sqs:
        def get_queue_attributes(self, QueueUrl: str, AttributeNames: list[str]) -> dict:
            return {"Attributes": {"QueueArn": f"arn:{QueueUrl}"}}

    monkeypatch.setattr(stack_module, "aws", lambda service, endpoint: Sqs())
    env = {v: f"url-{v}" for s in QUEUES for v in (s.url_variable, s.dead_letter_variable)}
    local = stack_module.LocalStack(env=env, faults=Faults(handler_failure_every=2))
    bindings = {b.queue: b for b in local._bindings(app)}
    assert set(bindings) == {s.name for s in QUEUES}
    for spec in QUEUES:
        binding = bindings[spec.name]
        assert binding.queue_url == f"url-{spec.url_variable}"
        assert binding.batch_size == spec.batch_size
        assert binding.batching_window == spec.batching_window  # as in AWS: no schedule_every
        # the context's remaining time counts down from the function's own timeout
        assert binding.timeout_seconds == (120 if spec.name == "search" else 30)
        assert binding.function_name == spec.handler
        assert binding.handler is not getattr(app, spec.handler)  # wrapped with the faults
    # a test stack's minute takes a second: its windows shrink in proportion, as its rates do
    fast = stack_module.LocalStack(env=env, schedule_every=1.0)
    for binding in fast._bindings(app):
        spec = next(s for s in QUEUES if s.name == binding.queue)
        assert binding.batching_window == spec.batching_window / 60


# ---- alarms the code's metrics feed --------------------------------------------------------


def test_the_notice_failure_alarm_watches_the_metric_the_code_writes(infra, monkeypatch) -> None:
    """Powertools adds a `service` dimension to every metric; an alarm without it watches a
    metric nobody writes and never fires."""
    from chalicelib.observability import count_notice_failed
    from devstack.package import POWERTOOLS_ENVIRONMENT

    for name, value in POWERTOOLS_ENVIRONMENT.items():  # as a deployed function has them
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    out = io.StringIO()
    with redirect_stdout(out):
        count_notice_failed()
    emitted = json.loads(out.getvalue().strip().splitlines()[-1])
    [directive] = emitted["_aws"]["CloudWatchMetrics"]
    [dimension_names] = directive["Dimensions"]
    written = {n: emitted[n] for n in dimension_names}
    alarm = infra["Resources"]["NoticesFailedAlarm"]["Properties"]
    assert alarm["Namespace"] == directive["Namespace"]
    assert alarm["MetricName"] in [m["Name"] for m in directive["Metrics"]]
    assert {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])} == written
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert alarm["AlarmActions"] == [{"Ref": "OpsTopic"}]
