"""`make capacity`: write infra/template.yaml's auto scaling block from the table's indexes.

With `TableCapacityMode=provisioned` the table and every global secondary index bill by the
capacity they hold (docs/deploying.md#the-tables-capacity-mode). Each of them then needs,
for reads and for writes, an Application Auto Scaling scalable target (its minimum and
maximum) and a target tracking policy that keeps the consumed share at
`TableTargetUtilization`: 2 x 2 resources for the table and for each of its indexes (12
today: 52 resources). They are written here from the Table resource's own `GlobalSecondaryIndexes`,
between the marker lines of infra/template.yaml, so an index added to the table gets its
scaling with `make capacity`, and `make lint` (`--check`) fails until it has.

Every resource carries `Condition: ProvisionedCapacity`, so an on-demand stack (the
default) has none of them. The table's own `BillingMode` and `ProvisionedThroughput`, and
each index's `ProvisionedThroughput`, are written by hand in the Table resource (it keeps
its comments); `problems` checks that each says what this module expects, and the check
fails otherwise.

Sources: AWS::ApplicationAutoScaling::ScalableTarget and ::ScalingPolicy (CloudFormation
User Guide; the resource id of a table is `table/<name>`, of an index
`table/<name>/index/<index>`, the dimensions `dynamodb:table|index:Read|WriteCapacityUnits`,
the metrics `DynamoDBRead|WriteCapacityUtilization`); "Managing throughput capacity
automatically with DynamoDB auto scaling" (DynamoDB Developer Guide). No `RoleARN`: Application
Auto Scaling then uses its service-linked role for DynamoDB
(AWSServiceRoleForApplicationAutoScaling_DynamoDBTable), created on first use.

`python -m devstack.capacity` rewrites the block; `--check` fails when it is stale or a
throughput property is missing.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.yaml"
TABLE = "Table"
CONDITION = "ProvisionedCapacity"
BEGIN = "  # >>> table capacity (`make capacity` writes it from the Table's indexes above)\n"
END = "  # <<< table capacity\n"

#: what the Table resource must say, by hand, for provisioned capacity to start somewhere:
#: the table at its minimum, each index at the indexes' minimum (auto scaling moves them)
TABLE_THROUGHPUT = {
    "Fn::If": [
        CONDITION,
        {
            "ReadCapacityUnits": {"Ref": "TableMinReadCapacity"},
            "WriteCapacityUnits": {"Ref": "TableMinWriteCapacity"},
        },
        {"Ref": "AWS::NoValue"},
    ]
}
INDEX_THROUGHPUT = {
    "Fn::If": [
        CONDITION,
        {
            "ReadCapacityUnits": {"Ref": "IndexMinReadCapacity"},
            "WriteCapacityUnits": {"Ref": "IndexMinWriteCapacity"},
        },
        {"Ref": "AWS::NoValue"},
    ]
}
BILLING_MODE = {"Fn::If": [CONDITION, "PROVISIONED", "PAY_PER_REQUEST"]}


@dataclass(frozen=True)
class Scaled:
    """One scalable dimension: the table's or an index's reads or writes."""

    index: str | None  # None: the table itself
    kind: str  # "Read" or "Write"

    @property
    def logical_id(self) -> str:
        """`TableWriteScaling`, `IndexByNumberReadScaling`, ... (the policy adds `Policy`)."""
        owner = "Table" if self.index is None else "Index" + _camel(self.index)
        return f"{owner}{self.kind}Scaling"

    @property
    def resource_id(self) -> str:
        """Application Auto Scaling's ResourceId, as an Fn::Sub of the table's name."""
        tail = "" if self.index is None else f"/index/{self.index}"
        return "table/${" + TABLE + "}" + tail

    @property
    def dimension(self) -> str:
        return f"dynamodb:{'table' if self.index is None else 'index'}:{self.kind}CapacityUnits"

    @property
    def metric(self) -> str:
        return f"DynamoDB{self.kind}CapacityUtilization"

    @property
    def bounds(self) -> tuple[str, str]:
        """The parameters of its minimum and maximum: the table has its own, the indexes share."""
        owner = "Table" if self.index is None else "Index"
        return f"{owner}Min{self.kind}Capacity", f"{owner}Max{self.kind}Capacity"


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", "_").split("_"))


def table_of(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"][TABLE]["Properties"]


def index_names(template: dict[str, Any]) -> list[str]:
    """The table's global secondary indexes, in the template's order."""
    return [gsi["IndexName"] for gsi in table_of(template).get("GlobalSecondaryIndexes", [])]


def dimensions(indexes: list[str]) -> list[Scaled]:
    """The table's reads and writes, then each index's."""
    return [Scaled(owner, kind) for owner in [None, *indexes] for kind in ("Read", "Write")]


def resources(scaled: Scaled, after: Scaled | None) -> str:
    """The scalable target and its target tracking policy.

    The target waits for the previous dimension's policy (`DependsOn`): created all at once,
    some fifty targets and policies (each policy creating its CloudWatch alarms) meet Application
    Auto Scaling's and CloudWatch's request rates ("Rate exceeded"), a known failure of
    templates that scale many indexes; one after another they take a few minutes longer.
    """
    low, high = scaled.bounds
    owner = "the table" if scaled.index is None else f"the {scaled.index} index"
    wait = f"\n    DependsOn: {after.logical_id}Policy" if after is not None else ""
    return f"""\
  # {owner}'s {scaled.kind.lower()}s
  {scaled.logical_id}:
    Type: AWS::ApplicationAutoScaling::ScalableTarget
    Condition: {CONDITION}{wait}
    Properties:
      ServiceNamespace: dynamodb
      ResourceId: {{"Fn::Sub": "{scaled.resource_id}"}}
      ScalableDimension: {scaled.dimension}
      MinCapacity: {{Ref: {low}}}
      MaxCapacity: {{Ref: {high}}}
  {scaled.logical_id}Policy:
    Type: AWS::ApplicationAutoScaling::ScalingPolicy
    Condition: {CONDITION}
    Properties:
      PolicyName: {{"Fn::Sub": "${{{TABLE}}}-{scaled.index or "table"}-{scaled.kind.lower()}s"}}
      PolicyType: TargetTrackingScaling
      ScalingTargetId: {{Ref: {scaled.logical_id}}}
      TargetTrackingScalingPolicyConfiguration:
        TargetValue: {{Ref: TableTargetUtilization}}
        PredefinedMetricSpecification:
          PredefinedMetricType: {scaled.metric}
"""


def block(indexes: list[str]) -> str:
    scaled = dimensions(indexes)
    return "".join(resources(s, scaled[i - 1] if i else None) for i, s in enumerate(scaled))


def problems(template: dict[str, Any]) -> list[str]:
    """What the Table resource lacks for provisioned capacity (written by hand there)."""
    table = table_of(template)
    found = []
    if table.get("BillingMode") != BILLING_MODE:
        found.append(f"the table's BillingMode is not {BILLING_MODE}")
    if table.get("ProvisionedThroughput") != TABLE_THROUGHPUT:
        found.append("the table's ProvisionedThroughput is not its minimum when provisioned")
    for gsi in table.get("GlobalSecondaryIndexes", []):
        if gsi.get("ProvisionedThroughput") != INDEX_THROUGHPUT:
            found.append(f"index {gsi['IndexName']} lacks the indexes' ProvisionedThroughput")
    return found


def resolved(node: Any, provisioned: bool = False) -> Any:
    """`node` with each `Fn::If` on ProvisionedCapacity decided, and `AWS::NoValue` left out:
    the table's properties as a create_table call takes them (tests/conformance builds its
    tables from them; moto's CloudFormation decides the conditions itself)."""
    if isinstance(node, dict):
        if list(node) == ["Fn::If"] and node["Fn::If"][0] == CONDITION:
            return resolved(node["Fn::If"][1 if provisioned else 2], provisioned)
        out = {}
        for key, value in node.items():
            value = resolved(value, provisioned)
            if value != {"Ref": "AWS::NoValue"}:
                out[key] = value
        return out
    if isinstance(node, list):
        return [resolved(item, provisioned) for item in node]
    return node


class StaleTemplate(RuntimeError):
    """The template's markers are missing or out of order."""


def refresh(text: str) -> str:
    """The template with its capacity block rewritten from the Table's indexes."""
    start = text.find(BEGIN)
    stop = text.find(END, start + len(BEGIN)) if start >= 0 else -1
    if start < 0 or stop < 0:
        raise StaleTemplate(f"infra/template.yaml lacks the lines {BEGIN.strip()!r} … "
                            f"{END.strip()!r}")  # fmt: skip
    body = block(index_names(yaml.safe_load(text)))
    return text[: start + len(BEGIN)] + body + text[stop:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.capacity", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the block is stale")
    parser.add_argument("--template", type=Path, default=TEMPLATE)
    args = parser.parse_args(argv)
    current = args.template.read_text()
    try:
        wanted = refresh(current)
    except StaleTemplate as exc:
        print(f"capacity: {exc}", file=sys.stderr)
        return 1
    missing = problems(yaml.safe_load(current))
    for problem in missing:
        print(f"capacity: {args.template}: {problem}", file=sys.stderr)
    if args.check:
        if wanted != current:
            print(f"capacity: {args.template}'s auto scaling differs from the table's indexes;"
                  " run `make capacity`", file=sys.stderr)  # fmt: skip
            return 1
        return 1 if missing else 0
    if wanted != current:
        args.template.write_text(wanted)
        count = len(dimensions(index_names(yaml.safe_load(wanted))))
        print(f"capacity: wrote {count} scalable targets and their policies into {args.template}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
