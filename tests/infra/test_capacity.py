"""The table's capacity mode: on-demand by default; with `TableCapacityMode=provisioned` the
table and every index are provisioned, each with auto scaling of its reads and writes at
`TableTargetUtilization` (devstack/capacity.py writes that block; docs/deploying.md)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack import capacity
from devstack.bootstrap import NOT_IN_MOTO_CFN, moto_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.yaml"
PROVISIONED = "ProvisionedCapacity"


@pytest.fixture(scope="module")
def infra() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())


def _table(infra: dict[str, Any]) -> dict[str, Any]:
    (table,) = [r for r in infra["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    return table["Properties"]


#: builds the stack in moto in a process of its own: `mock_aws` ends by resetting every moto
#: backend of its process, and a pytest worker's integration tests keep their moto server's
#: table in those same backends (a run lost it, with hundreds of failures after this file)
_BUILD = """
import json, sys
import boto3
from moto import mock_aws
body, mode = sys.argv[1], sys.argv[2]
with mock_aws():
    cfn = boto3.client("cloudformation", region_name="eu-central-1")
    cfn.create_stack(StackName="capacity", TemplateBody=body,
                     Parameters=[{"ParameterKey": "TableCapacityMode", "ParameterValue": mode}])
    (summary,) = cfn.list_stack_resources(StackName="capacity")["StackResourceSummaries"]
    table = boto3.client("dynamodb", region_name="eu-central-1").describe_table(
        TableName=summary["PhysicalResourceId"])["Table"]
print(json.dumps(table, default=str))
"""


def _built_in_moto(body: dict[str, Any], mode: str) -> str:
    """describe_table's `Table` (JSON) of the table moto's CloudFormation builds from `body`."""
    # without the endpoints a worker's integration tests point boto3 at (their moto server)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
    env |= {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    done = subprocess.run([sys.executable, "-c", _BUILD, json.dumps(body), mode], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def _of_type(infra: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in infra["Resources"].items() if v["Type"] == kind}


def test_the_capacity_block_is_what_the_tables_indexes_say() -> None:
    text = TEMPLATE.read_text()
    assert capacity.refresh(text) == text, "infra/template.yaml is stale: run `make capacity`"
    assert capacity.main(["--check"]) == 0


def test_on_demand_is_the_default_and_the_utilisation_stays_in_auto_scalings_range(
    infra: dict[str, Any],
) -> None:
    params = infra["Parameters"]
    assert params["TableCapacityMode"]["Default"] == "on-demand"
    assert set(params["TableCapacityMode"]["AllowedValues"]) == {"on-demand", "provisioned"}
    # DynamoDB's target tracking takes 20-90 % (Application Auto Scaling User Guide)
    target = params["TableTargetUtilization"]
    assert (target["Default"], target["MinValue"], target["MaxValue"]) == (70, 20, 90)
    for owner in ("Table", "Index"):
        for kind in ("Read", "Write"):
            low, high = params[f"{owner}Min{kind}Capacity"], params[f"{owner}Max{kind}Capacity"]
            assert 1 <= low["Default"] <= high["Default"]
    assert infra["Conditions"][PROVISIONED] == {
        "Fn::Equals": [{"Ref": "TableCapacityMode"}, "provisioned"]
    }


def test_the_table_and_every_index_are_provisioned_only_when_the_stack_asks(
    infra: dict[str, Any],
) -> None:
    table = _table(infra)
    assert table["BillingMode"] == {"Fn::If": [PROVISIONED, "PROVISIONED", "PAY_PER_REQUEST"]}
    when, provisioned, on_demand = table["ProvisionedThroughput"]["Fn::If"]
    assert (when, on_demand) == (PROVISIONED, {"Ref": "AWS::NoValue"})
    assert provisioned == {"ReadCapacityUnits": {"Ref": "TableMinReadCapacity"},
                           "WriteCapacityUnits": {"Ref": "TableMinWriteCapacity"}}  # fmt: skip
    assert len(table["GlobalSecondaryIndexes"]) >= 11
    for gsi in table["GlobalSecondaryIndexes"]:
        when, provisioned, on_demand = gsi["ProvisionedThroughput"]["Fn::If"]
        assert (when, on_demand) == (PROVISIONED, {"Ref": "AWS::NoValue"}), gsi["IndexName"]
        assert provisioned == {"ReadCapacityUnits": {"Ref": "IndexMinReadCapacity"},
                               "WriteCapacityUnits": {"Ref": "IndexMinWriteCapacity"}}  # fmt: skip


def test_every_index_and_the_table_scale_reads_and_writes_at_the_target_utilisation(
    infra: dict[str, Any],
) -> None:
    targets = _of_type(infra, "AWS::ApplicationAutoScaling::ScalableTarget")
    policies = _of_type(infra, "AWS::ApplicationAutoScaling::ScalingPolicy")
    owners = [("table", "table/${Table}", "Table")] + [
        ("index", f"table/${{Table}}/index/{gsi['IndexName']}", "Index")
        for gsi in _table(infra)["GlobalSecondaryIndexes"]
    ]
    expected = set()
    for level, resource_id, bounds in owners:
        for kind in ("Read", "Write"):
            expected.add((resource_id, f"dynamodb:{level}:{kind}CapacityUnits"))
            (name,) = [n for n, t in targets.items()
                       if t["Properties"]["ResourceId"] == {"Fn::Sub": resource_id}
                       and t["Properties"]["ScalableDimension"].endswith(f":{kind}CapacityUnits")
                       ]  # fmt: skip
            target = targets[name]
            assert target["Condition"] == PROVISIONED
            assert target["Properties"]["ServiceNamespace"] == "dynamodb"
            assert target["Properties"]["MinCapacity"] == {"Ref": f"{bounds}Min{kind}Capacity"}
            assert target["Properties"]["MaxCapacity"] == {"Ref": f"{bounds}Max{kind}Capacity"}
            (policy,) = [p for p in policies.values()
                         if p["Properties"]["ScalingTargetId"] == {"Ref": name}]  # fmt: skip
            assert policy["Condition"] == PROVISIONED
            assert policy["Properties"]["PolicyType"] == "TargetTrackingScaling"
            tracking = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
            assert tracking["TargetValue"] == {"Ref": "TableTargetUtilization"}
            assert tracking["PredefinedMetricSpecification"] == {
                "PredefinedMetricType": f"DynamoDB{kind}CapacityUtilization"
            }
    found = {(t["Properties"]["ResourceId"]["Fn::Sub"], t["Properties"]["ScalableDimension"])
             for t in targets.values()}  # fmt: skip
    assert found == expected
    assert len(policies) == len(targets) == 2 * len(owners)


def test_the_targets_are_created_one_after_another(infra: dict[str, Any]) -> None:
    """All at once, some fifty targets and policies meet the APIs' request rates."""
    targets = _of_type(infra, "AWS::ApplicationAutoScaling::ScalableTarget")
    waiting = [t.get("DependsOn") for t in targets.values()]
    assert waiting.count(None) == 1
    assert {w for w in waiting if w} == {f"{n}Policy" for n in targets} - {
        f"{list(targets)[-1]}Policy"
    }


def test_an_index_added_without_its_scaling_fails_the_check(tmp_path: Path) -> None:
    text = TEMPLATE.read_text()
    added = text.replace(
        "      GlobalSecondaryIndexes:\n",
        "      GlobalSecondaryIndexes:\n"
        "        - IndexName: by_tag\n"
        "          KeySchema:\n"
        "            - {AttributeName: tag_pk, KeyType: HASH}\n"
        "          Projection: {ProjectionType: KEYS_ONLY}\n",
        1,
    )
    path = tmp_path / "template.yaml"
    path.write_text(added)
    with redirect_stderr(io.StringIO()) as err:
        assert capacity.main(["--check", "--template", str(path)]) == 1
    assert "make capacity" in err.getvalue()
    assert "by_tag lacks" in err.getvalue()
    # `make capacity` writes its scaling; the index's own throughput is still for a person
    with redirect_stderr(io.StringIO()):
        capacity.main(["--template", str(path)])
    assert "table/${Table}/index/by_tag" in path.read_text()
    with redirect_stderr(io.StringIO()) as err:
        assert capacity.main(["--check", "--template", str(path)]) == 1
    assert "make capacity" not in err.getvalue() and "by_tag lacks" in err.getvalue()


def test_resolved_gives_each_modes_table_as_create_table_takes_it(infra: dict[str, Any]) -> None:
    on_demand = capacity.resolved(_table(infra))
    assert on_demand["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in on_demand
    assert all("ProvisionedThroughput" not in g for g in on_demand["GlobalSecondaryIndexes"])
    provisioned = capacity.resolved(_table(infra), provisioned=True)
    assert provisioned["BillingMode"] == "PROVISIONED"
    assert all(g["ProvisionedThroughput"]["WriteCapacityUnits"] == {"Ref": "IndexMinWriteCapacity"}
               for g in provisioned["GlobalSecondaryIndexes"])  # fmt: skip


@pytest.mark.parametrize("mode", ["on-demand", "provisioned"])
def test_moto_builds_the_table_in_either_mode(infra: dict[str, Any], mode: str) -> None:
    """The table's conditions as CloudFormation decides them (moto's), and the local stack
    leaves the auto scaling out (moto's CloudFormation has no such types)."""
    assert {"AWS::ApplicationAutoScaling::ScalableTarget",
            "AWS::ApplicationAutoScaling::ScalingPolicy"} <= NOT_IN_MOTO_CFN  # fmt: skip
    local = moto_template(infra)
    assert not _of_type(local, "AWS::ApplicationAutoScaling::ScalableTarget")
    body = {"AWSTemplateFormatVersion": "2010-09-09", "Parameters": local["Parameters"],
            "Conditions": local["Conditions"],
            "Resources": {"Table": local["Resources"]["Table"]}}  # fmt: skip
    table = json.loads(_built_in_moto(body, mode))
    billing = "PROVISIONED" if mode == "provisioned" else "PAY_PER_REQUEST"
    assert table["BillingModeSummary"]["BillingMode"] == billing
    indexes = {g["IndexName"]: g["ProvisionedThroughput"] for g in table["GlobalSecondaryIndexes"]}
    assert len(indexes) == len(_table(infra)["GlobalSecondaryIndexes"])
    if mode == "provisioned":
        assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
        assert {t["WriteCapacityUnits"] for t in indexes.values()} == {1}
