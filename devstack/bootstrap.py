"""Create destek's resources on a moto server from infra/template.yaml.

moto's CloudFormation builds what it supports (table, queues, buckets, topic);
what it lacks (Cognito pools, clients and groups; alarms) is created here by
direct calls from the same template's properties, so nothing about a resource
is written twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import yaml

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "infra" / "template.yaml"
#: moto routes unsigned Cognito calls (a browser's SignUp, InitiateAuth) to us-east-1 only,
#: so the local stack lives there for the site to reach its pool as it would in AWS
REGION = "us-east-1"

#: resource types created by direct calls, or not at all locally (alarms, e-mail subscriptions)
NOT_IN_MOTO_CFN = {
    "AWS::SecretsManager::Secret",  # moto's CloudFormation makes none; link_keys() does
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
    "AWS::CloudWatch::Alarm",
    "AWS::SNS::Subscription",
    "AWS::CloudFront::Distribution",
    "AWS::CloudFront::OriginAccessControl",
    "AWS::CloudFront::ResponseHeadersPolicy",
    "AWS::S3::BucketPolicy",
    "AWS::SES::EmailIdentity",
    "AWS::SES::ConfigurationSet",
    "AWS::SES::ConfigurationSetEventDestination",
    "AWS::SES::ReceiptRuleSet",
    "AWS::SES::ReceiptRule",
    "AWS::SQS::QueuePolicy",
    # the open data store's AWS side: locally the rule targets a queue the archiver reads
    # (devstack/event_archive.py) and DuckDB stands in for Glue and Athena
    "AWS::IAM::Role",
    "AWS::KinesisFirehose::DeliveryStream",
    "AWS::Glue::Database",
    "AWS::Glue::Table",
    "AWS::Athena::WorkGroup",
    "AWS::Athena::NamedQuery",
    # the table's auto scaling (only with TableCapacityMode=provisioned, never locally):
    # moto's CloudFormation has no such types, and warns of each even when its condition
    # leaves it out
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
}
#: properties left out locally. (The table's stream is kept: the local stack reads it,
#: devstack/streams.py, and drops what it has read; fast_dynamodb's transactions no longer
#: copy the table, stream and all.)
NOT_IN_MOTO_PROPS = {
    # applied by a direct call once the queue exists (moto's CloudFormation skips it)
    ("AWS::S3::Bucket", "NotificationConfiguration"),
}
SUPPORT_EMAIL = "destek@magaza.example"
NOTIFY_FROM = "destek@destek.example"


def aws(service: str, endpoint: str):
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def load_template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())


def _mentions(node: Any, names: set[str]) -> bool:
    """Whether a Ref, GetAtt or Sub in the node names one of the resources."""
    text = json.dumps(node)
    return any(f'"{n}"' in text or f"${{{n}}}" in text or f"${{{n}." in text for n in names)


def moto_template(template: dict[str, Any]) -> dict[str, Any]:
    """The template without what moto's CloudFormation cannot build."""
    resources = template["Resources"]
    dropped = {k for k, v in resources.items() if v["Type"] in NOT_IN_MOTO_CFN}
    local = dict(template)
    local["Resources"] = {}
    for name, resource in resources.items():
        if name in dropped:
            continue
        # a property that needs a dropped resource (the attachments bucket's CORS names the
        # CloudFront domain) goes too; moto's S3 server answers CORS for every origin anyway
        props = {
            k: v
            for k, v in resource.get("Properties", {}).items()
            if not _mentions(v, dropped) and (resource["Type"], k) not in NOT_IN_MOTO_PROPS
        }
        local["Resources"][name] = {**resource, "Properties": props}
    local["Outputs"] = {
        k: v for k, v in template.get("Outputs", {}).items() if not _mentions(v, dropped)
    }
    return local


@dataclass
class Pools:
    staff_pool_id: str
    staff_client_id: str
    customer_pool_id: str
    customer_client_id: str


def _pool_args(props: dict[str, Any], stage: str) -> dict[str, Any]:
    args: dict[str, Any] = {"PoolName": props["UserPoolName"]["Fn::Sub"].replace("${Stage}", stage)}
    for key in (
        "Policies",
        "Schema",
        "UsernameAttributes",
        "AutoVerifiedAttributes",
        "AdminCreateUserConfig",
        "UsernameConfiguration",
        "MfaConfiguration",
    ):
        if key in props:
            args[key] = props[key]
    return args


def create_pools(template: dict[str, Any], stage: str, endpoint: str) -> Pools:
    cognito = aws("cognito-idp", endpoint)
    resources = template["Resources"]
    pool_ids: dict[str, str] = {}
    client_ids: dict[str, str] = {}
    for name, res in resources.items():
        if res["Type"] == "AWS::Cognito::UserPool":
            created = cognito.create_user_pool(**_pool_args(res["Properties"], stage))
            pool_ids[name] = created["UserPool"]["Id"]
    for name, res in resources.items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::Cognito::UserPoolClient":
            client_args = {
                key: props[key]
                for key in (
                    "ExplicitAuthFlows",
                    "ReadAttributes",
                    "WriteAttributes",
                    "PreventUserExistenceErrors",
                    "IdTokenValidity",
                    "TokenValidityUnits",
                )
                if key in props
            }
            created = cognito.create_user_pool_client(
                UserPoolId=pool_ids[props["UserPoolId"]["Ref"]],
                ClientName=props["ClientName"],
                GenerateSecret=props.get("GenerateSecret", False),
                **client_args,
            )
            client_ids[name] = created["UserPoolClient"]["ClientId"]
        elif res["Type"] == "AWS::Cognito::UserPoolGroup":
            cognito.create_group(
                UserPoolId=pool_ids[props["UserPoolId"]["Ref"]],
                GroupName=props["GroupName"],
                Description=props.get("Description", ""),
            )
    return Pools(
        staff_pool_id=pool_ids["StaffUserPool"],
        staff_client_id=client_ids["StaffConsoleClient"],
        customer_pool_id=pool_ids["CustomerUserPool"],
        customer_client_id=client_ids["CustomerSiteClient"],
    )


def tell_mail_queue(template: dict[str, Any], outputs: dict[str, str], endpoint: str) -> None:
    """The inbound bucket's notification, as the template declares it, aimed at the queue."""
    declared = template["Resources"]["InboundMailBucket"]["Properties"]["NotificationConfiguration"]
    sqs = aws("sqs", endpoint)
    arn = sqs.get_queue_attributes(
        QueueUrl=outputs["InboundMailQueueUrl"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    queues = [  # the API's spelling of CloudFormation's S3Key filter
        {
            "QueueArn": arn,
            "Events": [c["Event"]],
            "Filter": {"Key": {"FilterRules": c["Filter"]["S3Key"]["Rules"]}},
        }
        for c in declared["QueueConfigurations"]
    ]
    aws("s3", endpoint).put_bucket_notification_configuration(
        Bucket=outputs["InboundMailBucketName"],
        NotificationConfiguration={"QueueConfigurations": queues},
    )


def archive_queue_name(stage: str) -> str:
    return f"destek-{stage}-archive"


def archive_queue(stage: str, endpoint: str) -> str:
    """The template's ArchiveRule (moto's CloudFormation made it without its Firehose
    target) aimed at a queue of its own, which the local archiver reads as Firehose would
    the rule's events; the queue's URL."""
    sqs = aws("sqs", endpoint)
    url = sqs.create_queue(QueueName=archive_queue_name(stage))["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    cfn = aws("cloudformation", endpoint)
    rule = cfn.describe_stack_resource(StackName=f"destek-{stage}", LogicalResourceId="ArchiveRule")
    events = aws("events", endpoint)
    physical = rule["StackResourceDetail"]["PhysicalResourceId"]
    name = physical.rsplit("/", 1)[-1]
    bus = f"destek-{stage}-events"
    events.put_targets(Rule=name, EventBusName=bus, Targets=[{"Id": "ArchiveQueue", "Arn": arn}])
    return url


def link_keys_name(stage: str) -> str:
    return f"destek-{stage}-link-keys"


def link_keys(stage: str, endpoint: str) -> None:
    """The link signing keys' secret, as infra's LinkKeysSecret generates it in AWS."""
    import secrets

    aws("secretsmanager", endpoint).create_secret(
        Name=link_keys_name(stage), SecretString=secrets.token_urlsafe(48)
    )


def provision(
    endpoint: str,
    stage: str = "local",
    max_receive_count: int = 3,
    site_url: str = "http://127.0.0.1:8002",
    console_url: str = "http://127.0.0.1:8000/console",
) -> dict[str, str]:
    """Create every resource; return the environment the app runs with."""
    template = load_template()
    cfn = aws("cloudformation", endpoint)
    stack_name = f"destek-{stage}"
    cfn.create_stack(
        StackName=stack_name,
        TemplateBody=json.dumps(moto_template(template)),
        Parameters=[
            {"ParameterKey": "Stage", "ParameterValue": stage},
            {"ParameterKey": "MaxReceiveCount", "ParameterValue": str(max_receive_count)},
        ],
    )
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"local stack not created: {stack['StackStatus']}")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    create_pools(template, stage, endpoint)
    aws("ses", endpoint).verify_email_identity(EmailAddress=NOTIFY_FROM)
    tell_mail_queue(template, outputs, endpoint)
    archive_queue(stage, endpoint)
    link_keys(stage, endpoint)
    return environment(endpoint, stage, site_url, console_url)


def find_pools(template: dict[str, Any], stage: str, endpoint: str) -> Pools:
    """The pools and app clients already on this moto, found by the names the template gives."""
    cognito = aws("cognito-idp", endpoint)
    resources = template["Resources"]
    by_name = {p["Name"]: p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]}

    def pool_and_client(pool: str, client: str) -> tuple[str, str]:
        pool_id = by_name[_pool_args(resources[pool]["Properties"], stage)["PoolName"]]
        wanted = resources[client]["Properties"]["ClientName"]
        clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)
        client_id = next(
            c["ClientId"] for c in clients["UserPoolClients"] if c["ClientName"] == wanted
        )
        return pool_id, client_id

    staff = pool_and_client("StaffUserPool", "StaffConsoleClient")
    customers = pool_and_client("CustomerUserPool", "CustomerSiteClient")
    return Pools(*staff, *customers)


def queue_environment(outputs: dict[str, str]) -> dict[str, str]:
    """Each registry queue's and dead-letter queue's URL, from the stack's outputs."""
    from chalicelib.messaging.queue_registry import QUEUES

    found: dict[str, str] = {}
    for spec in QUEUES:
        found[spec.url_variable] = outputs[spec.url_output]
        found[spec.dead_letter_variable] = outputs[spec.dead_letter_output]
    return found


def environment(
    endpoint: str,
    stage: str = "local",
    site_url: str = "http://127.0.0.1:8002",
    console_url: str = "http://127.0.0.1:8000/console",
) -> dict[str, str]:
    """The environment the app runs with, read from the resources already on this moto (a
    restarted local stack finds them in its replayed journal, under the names they had)."""
    template = load_template()
    stack = aws("cloudformation", endpoint).describe_stacks(StackName=f"destek-{stage}")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Stacks"][0].get("Outputs", [])}
    pools = find_pools(template, stage, endpoint)
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "COGNITO_JWKS_ENDPOINT": endpoint,
        "TABLE_NAME": outputs["TableName"],
        "EVENT_BUS_NAME": outputs["EventBusName"],
        # webhook endpoints on this machine (http://127.0.0.1:...) are allowed locally only
        "WEBHOOK_LOCAL_TARGETS": "true",
        **queue_environment(outputs),
        "NOTIFY_FROM_EMAIL": NOTIFY_FROM,
        "SITE_URL": site_url,
        "CONSOLE_URL": console_url,
        "AWS_READ_TIMEOUT_SECONDS": "120",
        "INTEGRATION_SECRETS_PREFIX": f"/destek/{stage}/integrations",
        "LINK_KEYS_SECRET": link_keys_name(stage),
        "ATTACHMENTS_BUCKET": outputs["AttachmentsBucketName"],
        "INBOUND_MAIL_BUCKET": outputs["InboundMailBucketName"],
        "SUPPORT_EMAIL": SUPPORT_EMAIL,
        "OPS_TOPIC_ARN": outputs["OpsTopicArn"],
        "STAFF_POOL_ID": pools.staff_pool_id,
        "STAFF_CLIENT_IDS": pools.staff_client_id,
        "CUSTOMER_POOL_ID": pools.customer_pool_id,
        "CUSTOMER_CLIENT_IDS": pools.customer_client_id,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_SERVICE_NAME": "destek",
        "POWERTOOLS_METRICS_NAMESPACE": "Destek",
        # the open data store: DuckDB over the archive bucket's Parquet (devstack/event_archive.py)
        "ANALYTICS_ENGINE": "duckdb",
        "ARCHIVE_BUCKET": outputs["ArchiveBucketName"],
        "ARCHIVE_QUEUE_URL": aws("sqs", endpoint).get_queue_url(
            QueueName=archive_queue_name(stage)
        )["QueueUrl"],
    }
