"""The open data store's AWS side: the rule on destek's bus feeds Firehose, which converts to
Parquet by the Glue table whose columns are the archive's (chalicelib/domain/analytics.py),
into the archive bucket by day; Athena's workgroup caps bytes and holds the reports; the
packaged API may run queries there and nothing more."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from chalicelib.domain.analytics import COLUMNS, PARTITION
from devstack.bootstrap import NOT_IN_MOTO_CFN, moto_template

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"


@pytest.fixture(scope="module")
def resources() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())["Resources"]


def test_the_glue_table_has_the_archives_columns_and_day_partitions(resources):
    table = resources["ArchiveTable"]["Properties"]
    assert table["DatabaseName"] == {"Ref": "ArchiveDatabase"}
    declared = [(c["Name"], c["Type"]) for c in table["TableInput"]["StorageDescriptor"]["Columns"]]
    assert declared == [(name, kind) for name, kind, _ in COLUMNS]
    assert table["TableInput"]["PartitionKeys"] == [{"Name": PARTITION[0], "Type": PARTITION[1]}]
    parameters = table["TableInput"]["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert "/events/day=${!day}/" in parameters["storage.location.template"]["Fn::Sub"]


def test_the_rule_on_destek_bus_sends_every_case_event_flattened_to_firehose(resources):
    rule = resources["ArchiveRule"]["Properties"]
    assert rule["EventBusName"] == {"Fn::GetAtt": ["EventBus", "Name"]}
    assert rule["EventPattern"] == {"source": ["destek.cases"]}
    (target,) = rule["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": ["ArchiveDeliveryStream", "Arn"]}
    transformer = target["InputTransformer"]
    paths = transformer["InputPathsMap"]
    assert len(paths) <= 100  # EventBridge's limit
    assert list(paths) == [name for name, _, _ in COLUMNS]
    assert all(p.startswith("$.detail") for p in paths.values())
    template = transformer["InputTemplate"]
    # every column once, as a bare placeholder (strings arrive quoted, nulls as null)
    assert re.findall(r'"(\w+)": <(\w+)>', template) == [(n, n) for n in paths]
    json.loads(re.sub(r"<\w+>", "null", template))


def test_firehose_writes_parquet_by_the_tables_schema_under_events_by_day(resources):
    stream = resources["ArchiveDeliveryStream"]["Properties"]["ExtendedS3DestinationConfiguration"]
    assert stream["BucketARN"] == {"Fn::GetAtt": ["ArchiveBucket", "Arn"]}
    assert stream["Prefix"] == "events/day=!{timestamp:yyyy-MM-dd}/"
    conversion = stream["DataFormatConversionConfiguration"]
    assert conversion["Enabled"] is True
    assert "ParquetSerDe" in conversion["OutputFormatConfiguration"]["Serializer"]
    schema = conversion["SchemaConfiguration"]
    assert schema["TableName"] == {"Ref": "ArchiveTable"}
    assert schema["DatabaseName"] == {"Ref": "ArchiveDatabase"}
    assert stream["BufferingHints"]["SizeInMBs"] >= 64  # format conversion's minimum


def test_athena_caps_bytes_and_holds_the_standard_reports(resources):
    group = resources["AnalyticsWorkGroup"]["Properties"]["WorkGroupConfiguration"]
    assert group["EnforceWorkGroupConfiguration"] is True
    assert group["BytesScannedCutoffPerQuery"] == {"Ref": "AnalyticsMaxBytes"}
    assert "athena-results/" in group["ResultConfiguration"]["OutputLocation"]["Fn::Sub"]
    reports = [
        r["Properties"] for r in resources.values() if r["Type"] == "AWS::Athena::NamedQuery"
    ]
    assert len(reports) >= 5
    assert all(r["WorkGroup"] == {"Ref": "AnalyticsWorkGroup"} for r in reports)
    assert all(r["Database"] == {"Ref": "ArchiveDatabase"} for r in reports)


def test_the_local_stack_keeps_the_bucket_and_the_rule_but_not_firehose(resources):
    local = moto_template(yaml.safe_load(TEMPLATE.read_text()))["Resources"]
    assert "ArchiveBucket" in local and "ArchiveRule" in local
    assert "Targets" not in local["ArchiveRule"]["Properties"]  # bootstrap aims it at a queue
    for kind in ("AWS::KinesisFirehose::DeliveryStream", "AWS::Glue::Table",
                 "AWS::Athena::WorkGroup", "AWS::Athena::NamedQuery"):  # fmt: skip
        assert kind in NOT_IN_MOTO_CFN


def test_the_packaged_functions_may_query_in_the_workgroup_only():
    from devstack.package import SETTINGS_ENVIRONMENT, policy_statements

    assert SETTINGS_ENVIRONMENT["ANALYTICS_ENGINE"] == "athena"
    assert SETTINGS_ENVIRONMENT["ATHENA_WORKGROUP"] == {"Ref": "AnalyticsWorkGroup"}
    statements = {s["Sid"]: s for s in policy_statements()}
    athena = statements["AnalyticsQueries"]
    assert "athena:StartQueryExecution" in athena["Action"]
    assert athena["Resource"]["Fn::Sub"].endswith(":workgroup/${AnalyticsWorkGroup}")
    assert statements["AnalyticsResults"]["Resource"]["Fn::Sub"].endswith("/athena-results/*")
