"""`make queues`: write infra/template.yaml's queue blocks from the queue registry.

The registry (chalicelib/messaging/queue_registry.py) declares each queue once; this writes,
between the marker lines of infra/template.yaml, each queue with its dead-letter queue and
the dead-letter queue's alarm (and, for a queue an EventBridge rule feeds, the rule and the
queue policy that lets EventBridge send), and each queue's outputs. The template stays one
readable file that cfn-lint, moto's CloudFormation and `make package` read as before.

`python -m devstack.queues` rewrites the blocks; `--check` (run by `make lint` and
tests/infra) fails when they differ from what the registry says.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

from chalicelib.messaging.queue_registry import QUEUES, QueueSpec

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.yaml"
REGISTRY = "chalicelib/messaging/queue_registry.py"
BLOCKS = {
    "resources": (
        f"  # >>> queues (`make queues` writes them from {REGISTRY})\n",
        "  # <<< queues\n",
    ),
    "outputs": (
        f"  # >>> queue outputs (`make queues` writes them from {REGISTRY})\n",
        "  # <<< queue outputs\n",
    ),
}


def _arn(logical_id: str) -> str:
    return f'{{"Fn::GetAtt": [{logical_id}, Arn]}}'


def _name(logical_id: str) -> str:
    return f'{{"Fn::GetAtt": [{logical_id}, Name]}}'


def _text(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of it)."""
    return json.dumps(value, ensure_ascii=False)


def _batch(spec: QueueSpec) -> str:
    """The template comment's batch: its size, and the window Lambda gathers it for."""
    size = f"{spec.batch_size} a batch"
    return f"{size}, gathered for up to {spec.batching_window} s" if spec.batching_window else size


def queue_resources(spec: QueueSpec) -> str:
    """The queue, its dead-letter queue and the alarm on the dead-letter queue."""
    receives = spec.max_receives if spec.max_receives is not None else "{Ref: MaxReceiveCount}"
    alarm = (
        f"dead letters on the {spec.name} queue: see GET /dead-letters, "
        f"re-drive with POST /dead-letters/{spec.name}/redrive"
    )
    text = f"""\
  # {spec.name}: {spec.purpose}
  # (read by app.py {spec.handler}, {_batch(spec)})
  {spec.dead_letter_id}:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: {spec.dead_letter_retention}
      SqsManagedSseEnabled: true
  {spec.queue_id}:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: {spec.visibility_timeout}
      SqsManagedSseEnabled: true
      RedrivePolicy:
        deadLetterTargetArn: {_arn(spec.dead_letter_id)}
        maxReceiveCount: {receives}
  {spec.alarm_id}:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: {_text(alarm)}
      Namespace: AWS/SQS
      MetricName: ApproximateNumberOfMessagesVisible
      Dimensions:
        - Name: QueueName
          Value: {{"Fn::GetAtt": [{spec.dead_letter_id}, QueueName]}}
      Statistic: Maximum
      Period: 300
      EvaluationPeriods: 1
      Threshold: 0
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
      AlarmActions: [{{Ref: OpsTopic}}]
"""
    if spec.rule is not None:
        text += rule_resources(spec)
    return text


def rule_resources(spec: QueueSpec) -> str:
    """The EventBridge rule that feeds the queue, and the policy that lets it send there."""
    assert spec.rule is not None
    # the bus's name by GetAtt: moto's CloudFormation answers a bus's Ref with no name
    bus = f"\n      EventBusName: {_name(spec.rule.bus)}" if spec.rule.bus else ""
    return f"""\
  {spec.rule_id}:
    Type: AWS::Events::Rule
    Properties:{bus}
      EventPattern: {json.dumps(spec.rule.pattern, ensure_ascii=False, sort_keys=True)}
      Targets:
        - Id: {spec.queue_id}
          Arn: {_arn(spec.queue_id)}
  {spec.queue_id}Policy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [{{Ref: {spec.queue_id}}}]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: events.amazonaws.com}}
            Action: sqs:SendMessage
            Resource: {_arn(spec.queue_id)}
            Condition:
              ArnEquals: {{"aws:SourceArn": {_arn(spec.rule_id)}}}
"""


def queue_outputs(spec: QueueSpec) -> str:
    """The queue's and its dead-letter queue's URLs (the local stack reads them)."""
    return f"""\
  {spec.url_output}:
    Value: {{Ref: {spec.queue_id}}}
  {spec.dead_letter_output}:
    Value: {{Ref: {spec.dead_letter_id}}}
"""


def blocks(specs: Iterable[QueueSpec] = QUEUES) -> dict[str, str]:
    specs = list(specs)
    return {
        "resources": "".join(queue_resources(s) for s in specs),
        "outputs": "".join(queue_outputs(s) for s in specs),
    }


class StaleTemplate(RuntimeError):
    """The template's markers are missing or out of order."""


def refresh(text: str, specs: Iterable[QueueSpec] = QUEUES) -> str:
    """The template with each block between its markers replaced by the registry's."""
    for kind, body in blocks(specs).items():
        begin, end = BLOCKS[kind]
        start = text.find(begin)
        stop = text.find(end, start + len(begin)) if start >= 0 else -1
        if start < 0 or stop < 0:
            raise StaleTemplate(f"infra/template.yaml lacks the lines {begin.strip()!r} … "
                                f"{end.strip()!r}")  # fmt: skip
        text = text[: start + len(begin)] + body + text[stop:]
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.queues", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the blocks are stale")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    args = parser.parse_args(argv)
    current = args.template.read_text()
    try:
        wanted = refresh(current)
    except StaleTemplate as exc:
        print(f"queues: {exc}", file=sys.stderr)
        return 1
    if args.check:
        if wanted != current:
            print(f"queues: {args.template} differs from {REGISTRY}; run `make queues`",
                  file=sys.stderr)  # fmt: skip
            return 1
        return 0
    if wanted != current:
        args.template.write_text(wanted)
        print(f"queues: wrote {len(QUEUES)} queues into {args.template}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
