"""`make package`: one deployable template, build/template.yaml, plus build/deployment.zip.

`chalice package` knows the code (functions, API, events, a role) but not destek's
resources; infra/template.yaml knows the resources but not the code. Deploying them as
two stacks would mean passing table names and queue URLs between stacks by hand, so this
merges both into one SAM template and wires them together:

- every function gets the environment `chalicelib.config.Settings` requires, derived from
  the model itself so that a new required setting cannot be forgotten here;
- each SQS event source points at the template's own queue and asks for partial batch
  responses, which `@app.on_sqs_message` cannot ask for, with the queue registry's maximum
  concurrency (ScalingConfig);
- chalice's role, which allows SQS on `*` and nothing on DynamoDB, gets least-privilege
  policies on the template's own table and queues;
- X-Ray tracing is switched on;
- each function gets the memory measured for it (devstack/function_memory.py), not one size
  for all;
- every function's Lambda Errors and Throttles and the API's 5XXError have an alarm, and so
  do destek's routing and notification latencies (infra/ alarms on each dead-letter queue
  and on NoticesFailed);
- an operations dashboard (devstack/dashboard.py) shows the code's metrics, every
  function, queue and alarm, and the API;
- the AWS SDK (boto3, botocore, s3transfer, urllib3) is taken out of deployment.zip: the
  Lambda Python runtime ships it, and aws-xray-sdk had pulled botocore (16 MB of a 30 MB
  zip) in beside the runtime's boto3 (the decision and its measure: docs/performance.md);
- the modules a cold start imports get their bytecode in the zip: /var/task is read-only,
  so without it every cold start compiles them from source (docs/performance.md).

Usage: `python -m devstack.package [--out DIR]` (default DIR: build/).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import py_compile
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
INFRA_TEMPLATE = ROOT / "infra" / "template.yaml"
DEFAULT_OUT = ROOT / "build"
STAGE = "prod"
#: only for chalice's own boto3 session while packaging; the template names no region
PACKAGING_REGION = "eu-central-1"

FUNCTION = "AWS::Serverless::Function"
SES_ARN = "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}"

#: Settings alias -> the CloudFormation value a deployed function reads it from
SETTINGS_ENVIRONMENT: dict[str, Any] = {
    "TABLE_NAME": {"Ref": "Table"},
    "STAFF_POOL_ID": {"Ref": "StaffUserPool"},
    "STAFF_CLIENT_IDS": {"Ref": "StaffConsoleClient"},
    "CUSTOMER_POOL_ID": {"Ref": "CustomerUserPool"},
    "CUSTOMER_CLIENT_IDS": {"Ref": "CustomerSiteClient"},
    "NOTIFY_FROM_EMAIL": {"Ref": "NotifyFromEmail"},
    "ATTACHMENTS_BUCKET": {"Ref": "AttachmentsBucket"},
    "INBOUND_MAIL_BUCKET": {"Ref": "InboundMailBucket"},
    "SES_CONFIGURATION_SET": {"Ref": "NotifyConfigurationSet"},
    "SUPPORT_EMAIL": {"Ref": "SupportEmail"},
    "INTEGRATION_SECRETS_PREFIX": {"Fn::Sub": "/destek/${Stage}/integrations"},
    "LINK_KEYS_SECRET": {"Ref": "LinkKeysSecret"},
    "SITE_URL": {"Fn::Sub": "https://${SiteDistribution.DomainName}"},
    "SMS_ALPHABET": {"Ref": "SmsAlphabet"},
    "EVENT_BUS_NAME": {"Fn::GetAtt": ["EventBus", "Name"]},
    # the open data store (docs/data-store.md): Athena in its workgroup over the Glue table
    "ANALYTICS_ENGINE": "athena",
    "ATHENA_WORKGROUP": {"Ref": "AnalyticsWorkGroup"},
    "ATHENA_DATABASE": {"Ref": "ArchiveDatabase"},
    "ARCHIVE_BUCKET": {"Ref": "ArchiveBucket"},
    "ANALYTICS_MAX_BYTES": {"Ref": "AnalyticsMaxBytes"},
}
#: stack parameters only the functions read (so they live here, beside their settings, and
#: not in infra/template.yaml, where nothing would use them)
FUNCTION_PARAMETERS: dict[str, Any] = {
    "SmsAlphabet": {
        "Type": "String",
        "Default": "ucs2",
        "AllowedValues": ["ucs2", "gsm7"],
        "Description": "ucs2 keeps Turkish letters in SMS (70 characters a message, 67 a part); "
        "gsm7 folds them to ASCII (160, 153 a part)",
    },
}
#: where staff open the console (`GET /console` of the API's stage): staff notices link to it
CONSOLE_URL = {
    "Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api/console"
}
#: API Gateway's own throttle in front of the per-client limits of the public routes
STAGE_THROTTLE = {"ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100}
#: set by the Lambda runtime itself; Lambda refuses them as function environment variables
LAMBDA_PROVIDED = {"AWS_REGION"}
POWERTOOLS_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "destek",
    "POWERTOOLS_METRICS_NAMESPACE": "Destek",
}
#: how long a stretch each alarm on the functions and the API looks at (seconds)
ALARM_PERIOD = 300
#: what the Lambda Python runtime provides and the zip therefore leaves out: the SDK (boto3,
#: botocore, s3transfer) and the HTTP client only it uses (urllib3). The runtime puts the
#: function's own folder first on sys.path, so a botocore in the zip (aws-xray-sdk requires
#: one) would pair the runtime's boto3 with whatever botocore pip picked. jmespath,
#: python-dateutil and six stay: Powertools and holidays require them for themselves.
RUNTIME_SDK = ("boto3", "botocore", "s3transfer", "urllib3")
#: what the Lambda Python runtime has on its path besides the standard library
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "urllib3", "jmespath", "dateutil", "six")
#: a first request's imports and clients, after `import app`
FIRST_REQUEST = (
    "from chalicelib.observability import tracer; tracer(); import boto3; "
    "boto3.session.Session().client('dynamodb', region_name='eu-central-1')"
)
#: where Lambda unpacks the zip: the file names compiled code reports in tracebacks
TASK_ROOT = "/var/task"


class PackagingError(RuntimeError):
    """The two templates cannot be merged into a deployable one."""


class _TemplateDumper(yaml.SafeDumper):
    """Writes shared objects out in full: CloudFormation's YAML parser takes no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


# ---- inputs ------------------------------------------------------------------------------


def chalice_command() -> list[str]:
    """The venv's chalice, so packaging uses the pinned version whichever shell runs it."""
    beside_python = Path(sys.executable).with_name("chalice")
    if beside_python.exists():
        return [str(beside_python)]
    found = shutil.which("chalice")
    if not found:
        raise PackagingError("chalice is not installed; run `make` to create the venv")
    return [found]


def run_chalice_package(dest: Path) -> float:
    """Write chalice's SAM output (sam.json, deployment.zip) into dest; return seconds taken.

    Runs from the repo root because chalice packages the project it is started in. Chalice
    opens a boto3 session even to package, so a region is supplied when none is set; it does
    not end up in the template (chalice writes ${AWS::Region}).
    """
    env = dict(os.environ)
    if not (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")):
        env["AWS_DEFAULT_REGION"] = PACKAGING_REGION
    command = [*chalice_command(), "package", "--stage", STAGE, str(dest)]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    took = time.monotonic() - started
    if done.returncode != 0:
        raise PackagingError(
            f"`{' '.join(command)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return took


def load_chalice_template(chalice_dir: Path) -> dict[str, Any]:
    """chalice's generated SAM template."""
    return json.loads((chalice_dir / "sam.json").read_text())


def load_infra_template() -> dict[str, Any]:
    """infra/template.yaml; long-form intrinsics make it plain YAML."""
    return yaml.safe_load(INFRA_TEMPLATE.read_text())


# ---- merge -------------------------------------------------------------------------------


def merge(infra: dict[str, Any], chalice: dict[str, Any]) -> dict[str, Any]:
    """One template with every section of both; a logical id defined twice is an error.

    Silently letting one side win would drop a resource or an output from the deployment.
    """
    merged: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": chalice["Transform"],
        "Description": infra.get("Description", chalice.get("Description", "destek")),
    }
    for section in ("Parameters", "Conditions", "Resources", "Outputs"):
        ours = infra.get(section) or {}
        theirs = chalice.get(section) or {}
        clash = sorted(set(ours) & set(theirs))
        if clash:
            raise PackagingError(f"{section} defined by both infra/ and chalice: {clash}")
        if ours or theirs:
            merged[section] = {**ours, **theirs}
    return merged


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every Lambda function in the template, by logical id."""
    return {k: v for k, v in template["Resources"].items() if v["Type"] == FUNCTION}


# ---- environment -------------------------------------------------------------------------


def queue_environment() -> dict[str, Any]:
    """Each registry queue's and dead-letter queue's URL (config.py reads them by name)."""
    from chalicelib.messaging.queue_registry import QUEUES

    found: dict[str, Any] = {}
    for spec in QUEUES:
        found[spec.url_variable] = {"Ref": spec.queue_id}
        found[spec.dead_letter_variable] = {"Ref": spec.dead_letter_id}
    return found


def settings_environment() -> dict[str, Any]:
    """Environment variables that satisfy chalicelib.config.Settings in a deployed function.

    Read from the model so that a required setting added there and not mapped here stops the
    build instead of failing the first request in production. A mapping for an alias the
    model no longer has also stops it: it would be a stale or misspelt name. The queues'
    URLs come from the queue registry (Settings gathers them into `queue_urls`).
    """
    from chalicelib.config import Settings

    fields = Settings.model_fields
    aliases = {field.alias or name for name, field in fields.items()}
    stale = sorted(set(SETTINGS_ENVIRONMENT) - aliases)
    if stale:
        raise PackagingError(f"SETTINGS_ENVIRONMENT maps names Settings does not have: {stale}")
    environment: dict[str, Any] = queue_environment()
    missing = []
    for name, field in fields.items():
        alias = field.alias or name
        if alias in LAMBDA_PROVIDED or name == "queue_urls":
            continue
        if alias in SETTINGS_ENVIRONMENT:
            environment[alias] = SETTINGS_ENVIRONMENT[alias]
        elif field.is_required():
            missing.append(alias)
    if missing:
        raise PackagingError(
            f"Settings requires {missing} but devstack/package.py has no CloudFormation value "
            "for them; add them to SETTINGS_ENVIRONMENT"
        )
    return environment


def wire_environment(template: dict[str, Any]) -> None:
    """Give every function the settings and Powertools names; ours win over chalice's."""
    wanted = {**settings_environment(), **POWERTOOLS_ENVIRONMENT}
    template.setdefault("Parameters", {}).update(FUNCTION_PARAMETERS)
    for function in functions(template).values():
        props = function["Properties"]
        variables = props.setdefault("Environment", {}).setdefault("Variables", {})
        variables.update(wanted)


def wire_console_url(template: dict[str, Any]) -> None:
    """CONSOLE_URL for every function the API does not invoke.

    The API's definition names its handler's ARN, so the handler's own environment cannot
    name the API without a circular dependency; the API's handler reads the console's
    address from the request it serves instead (chalicelib/api/links.py). The functions
    that deliver notices (the notify queue's handler, the schedules) get it here.
    """
    api = json.dumps(template["Resources"].get("RestAPI", {}))
    for name, function in functions(template).items():
        if "${" + name + ".Arn}" in api or f'"{name}"' in api:
            continue
        variables = function["Properties"].setdefault("Environment", {}).setdefault("Variables", {})
        variables["CONSOLE_URL"] = CONSOLE_URL


# ---- events, tracing ---------------------------------------------------------------------


def queue_logical_id(queue: Any) -> str:
    """The infra/ queue an SQS event source names.

    Chalice writes an ARN built from the queue's name; the template's queues have generated
    names, so the name is mapped to a logical id through the queue registry.
    """
    from chalicelib.messaging.queue_registry import BY_QUEUE

    text = queue["Fn::Sub"] if isinstance(queue, dict) and "Fn::Sub" in queue else queue
    if not isinstance(text, str):
        raise PackagingError(f"unexpected SQS event Queue from chalice: {queue!r}")
    name = text.rsplit(":", 1)[-1]
    if name not in BY_QUEUE:
        raise PackagingError(f"SQS handler for queue {name!r} is not in the queue registry")
    return BY_QUEUE[name].queue_id


def wire_sqs_events(template: dict[str, Any]) -> None:
    """Point SQS event sources at the template's own queues, with partial batch responses,
    and the registry's maximum concurrency.

    Without ReportBatchItemFailures, Lambda ignores the handler's batchItemFailures and one
    bad message makes the whole batch come back. ScalingConfig.MaximumConcurrency: chalice
    1.34 writes it from `@app.on_sqs_message(maximum_concurrency=...)` (the registry's
    `source`); it is set here from the registry again, so the registry decides even where a
    handler is declared without `source`, and a queue without one has none.
    """
    from chalicelib.messaging.queue_registry import QUEUES

    by_id = {spec.queue_id: spec for spec in QUEUES}
    for function in functions(template).values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            props = event["Properties"]
            queue_id = queue_logical_id(props["Queue"])
            props["Queue"] = {"Fn::GetAtt": [queue_id, "Arn"]}
            props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
            props.pop("ScalingConfig", None)
            if by_id[queue_id].max_concurrency is not None:
                props["ScalingConfig"] = {"MaximumConcurrency": by_id[queue_id].max_concurrency}


def wire_stream_events(template: dict[str, Any]) -> None:
    """Point the DynamoDB event source (app.py publish_case_events) at the template's own
    table stream, with partial batch responses: the handler names the first record it could
    not publish, and Lambda resumes the shard there instead of repeating the whole batch.
    A record is retried until the stream drops it (24 hours): the events stay in the table
    30 days and a shop can replay them."""
    for function in functions(template).values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "DynamoDB":
                continue
            props = event["Properties"]
            props["Stream"] = {"Fn::GetAtt": ["Table", "StreamArn"]}
            props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]


def wire_tracing(template: dict[str, Any]) -> None:
    """Active X-Ray tracing; chalice writes PassThrough, which records nothing on its own."""
    for function in functions(template).values():
        function["Properties"]["Tracing"] = "Active"


def function_name(function: dict[str, Any]) -> str:
    """The app.py name of a packaged function, from its handler (`app.app` is the API's
    `api_handler`, `app.route_cases` is `route_cases`)."""
    handler = function["Properties"]["Handler"].removeprefix("app.")
    return "api_handler" if handler == "app" else handler


def wire_memory(template: dict[str, Any]) -> None:
    """Each function's MemorySize from devstack/function_memory.py's MEMORY_MB, measured for
    it (bench/memory.py), instead of chalice's one size for all. A function the table lacks,
    or a name in the table no function has, stops the build: a new function must be
    measured, and a stale figure would hide a renamed one."""
    from devstack.function_memory import MEMORY_MB

    names = {function_name(f): f for f in functions(template).values()}
    unmeasured = sorted(set(names) - set(MEMORY_MB))
    stale = sorted(set(MEMORY_MB) - set(names))
    if unmeasured or stale:
        raise PackagingError(
            f"devstack/function_memory.py MEMORY_MB lacks {unmeasured} and names {stale} no "
            "function has: run `python -m bench.memory`, then `python -m "
            "devstack.function_memory` for the table"
        )
    for name, function in names.items():
        function["Properties"]["MemorySize"] = MEMORY_MB[name]


#: the gateway's answer to a method a path does not take, in destek's error shape
WRONG_METHOD = {
    "error": {
        "code": "method_not_allowed",
        "message": "this path does not take this method",
        "details": None,
    }
}


def wire_gateway(template: dict[str, Any]) -> None:
    """Throttle the stage, and let the site read API Gateway's own refusals.

    A 403 for an unknown path, a 413 or a 429 from the gateway never reach the app, so
    they carry no CORS headers unless the gateway adds them; without them the site's
    fetch sees a network error instead of the answer.
    """
    api = template["Resources"]["RestAPI"]["Properties"]
    api["MethodSettings"] = [{"ResourcePath": "/*", "HttpMethod": "*", **STAGE_THROTTLE}]
    headers = {
        "gatewayresponse.header.Access-Control-Allow-Origin": {
            "Fn::Sub": "'https://${SiteDistribution.DomainName}'"
        },
        "gatewayresponse.header.Access-Control-Allow-Headers": "'Authorization,Content-Type'",
    }
    for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
        name = "GatewayResponse" + kind.replace("DEFAULT_", "").replace("XX", "xx")
        template["Resources"][name] = {
            "Type": "AWS::ApiGateway::GatewayResponse",
            "Properties": {
                "RestApiId": {"Ref": "RestAPI"},
                "ResponseType": kind,
                "ResponseParameters": headers,
            },
        }
    # A path destek serves, by a method it does not take (every unknown path, by any method,
    # reaches the app's `/{proxy+}` and its JSON 404): the gateway's answer is a 403
    # "Missing Authentication Token"; destek's, as chalice local gives it, is this 405
    template["Resources"]["GatewayResponseMethodNotAllowed"] = {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "RestApiId": {"Ref": "RestAPI"},
            "ResponseType": "MISSING_AUTHENTICATION_TOKEN",
            "StatusCode": "405",
            "ResponseParameters": headers,
            "ResponseTemplates": {"application/json": json.dumps(WRONG_METHOD)},
        },
    }


# ---- alarms ------------------------------------------------------------------------------


def api_name() -> dict[str, Any]:
    """The REST API's name in this stack: the `ApiName` its CloudWatch metrics carry."""
    return {"Fn::Sub": "destek-${Stage}"}


def _alarm(
    description: str, namespace: str, metric: str, dimensions: list[dict[str, Any]],
    periods: int = 1,
) -> dict[str, Any]:  # fmt: skip
    """A sum above zero in each of `periods` five-minute stretches goes to the operations
    topic (one stretch: any datapoint at all)."""
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": description,
            "Namespace": namespace,
            "MetricName": metric,
            "Dimensions": dimensions,
            "Statistic": "Sum",
            "Period": ALARM_PERIOD,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": periods,
            "Threshold": 0,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "OpsTopic"}],
        },
    }


def wire_alarms(template: dict[str, Any]) -> None:
    """An alarm on every function's Lambda `Errors` and `Throttles`, on the API's
    `5XXError`, and on destek's own latencies (devstack/dashboard.py METRIC_ALARMS).

    infra/ alarms on what it declares (each dead-letter queue, NoticesFailed); the functions
    and the API exist only here. A function error is an invocation that raised or timed out
    (an SQS batch then comes back whole); a 5xx is an answer destek never means to give.
    Throttles alarm only when they last 15 minutes: Lambda retries a throttled queue batch,
    schedule or stream record by itself, so a burst heals; a throttle that lasts is the
    account's concurrency spent, which a person raises.
    The API is named explicitly, in its properties and its definition's title alike, so the
    `ApiName` dimension is this stack's whichever of the two API Gateway takes.
    """
    from devstack.dashboard import METRIC_ALARMS, RUNBOOK, metric_alarm_resource

    resources = template["Resources"]
    api = resources["RestAPI"]["Properties"]
    api["Name"] = api_name()
    api["DefinitionBody"].setdefault("info", {})["title"] = api_name()
    resources["ApiServerErrorsAlarm"] = _alarm(
        "the API answered 5xx (destek answers bad input with 4xx: a 5xx is a fault). "
        f"What to do: {RUNBOOK}#alarms",
        "AWS/ApiGateway",
        "5XXError",
        [{"Name": "ApiName", "Value": api_name()}, {"Name": "Stage", "Value": api["StageName"]}],
    )
    for name in functions(template):
        resources[f"{name}ErrorsAlarm"] = _alarm(
            f"the function {name} raised or timed out. What to do: {RUNBOOK}#alarms",
            "AWS/Lambda",
            "Errors",
            [{"Name": "FunctionName", "Value": {"Ref": name}}],
        )
        resources[f"{name}ThrottlesAlarm"] = _alarm(
            f"the function {name} was throttled in each of the last 15 minutes: Lambda's "
            f"concurrency is spent. What to do: {RUNBOOK}#lambda-is-throttled",
            "AWS/Lambda",
            "Throttles",
            [{"Name": "FunctionName", "Value": {"Ref": name}}],
            periods=3,
        )
    for alarm in METRIC_ALARMS:
        resources[alarm.logical_id] = metric_alarm_resource(alarm, {"Ref": "OpsTopic"})


def wire_dashboard(template: dict[str, Any]) -> None:
    """The operations dashboard (devstack/dashboard.py): every function, every registry
    queue, the API and every alarm of the template, so it is written after the alarms."""
    from devstack.dashboard import DASHBOARD_ID, dashboard_resource, graphs

    resources = template["Resources"]
    stage = resources["RestAPI"]["Properties"]["StageName"]
    alarms = sorted(k for k, v in resources.items() if v["Type"] == "AWS::CloudWatch::Alarm")
    shown = graphs(sorted(functions(template)), api_name()["Fn::Sub"], stage)
    resources[DASHBOARD_ID] = dashboard_resource(shown, alarms)


# ---- permissions -------------------------------------------------------------------------


def policy_statements() -> list[dict[str, Any]]:
    """What destek's code does, on destek's own resources, and nothing else.

    DynamoDB has no TransactWriteItems IAM action: a transaction is authorized item by item
    through PutItem, UpdateItem and ConditionCheckItem, which are listed. Logs are limited to
    Lambda's log groups in this account and region (function names are generated, and naming
    a function here would make the role depend on the functions that depend on it). X-Ray's
    actions have no resource-level permissions, hence "*".
    """
    table = {"Fn::GetAtt": ["Table", "Arn"]}
    indexes = {"Fn::Sub": "${Table.Arn}/index/*"}
    from chalicelib.messaging.queue_registry import QUEUES

    queues = [{"Fn::GetAtt": [spec.queue_id, "Arn"]} for spec in QUEUES]
    dead_letters = [{"Fn::GetAtt": [spec.dead_letter_id, "Arn"]} for spec in QUEUES]
    lambda_logs = (
        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/*"
    )
    return [
        {
            "Sid": "Table",
            "Effect": "Allow",
            "Action": [
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:ConditionCheckItem",
                "dynamodb:DeleteItem",
                "dynamodb:Query",
                "dynamodb:BatchGetItem",  # the webhooks' order: earlier deliveries
            ],
            "Resource": [table, indexes],
        },
        {
            "Sid": "SendToQueues",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": queues,  # each: its dead letters are re-driven to it
        },
        {
            "Sid": "RedriveDeadLetters",
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": dead_letters,
        },
        {
            "Sid": "QueueEventSources",
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            ],
            "Resource": queues,
        },
        {
            "Sid": "ReadTableStream",
            "Effect": "Allow",
            "Action": [
                "dynamodb:DescribeStream",
                "dynamodb:GetRecords",
                "dynamodb:GetShardIterator",
                "dynamodb:ListStreams",
            ],
            "Resource": {"Fn::Sub": "${Table.Arn}/stream/*"},
        },
        {
            "Sid": "PublishCaseEvents",
            "Effect": "Allow",
            "Action": ["events:PutEvents"],
            "Resource": {"Fn::GetAtt": ["EventBus", "Arn"]},
        },
        {
            "Sid": "ReadInboundMail",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": {"Fn::Sub": "${InboundMailBucket.Arn}/inbound/*"},
        },
        {
            "Sid": "LinkCustomerSignIns",
            "Effect": "Allow",
            # link a sign-in to its customer; close it when the customer is deleted
            "Action": [
                "cognito-idp:AdminUpdateUserAttributes",
                "cognito-idp:AdminUserGlobalSignOut",
                "cognito-idp:AdminDeleteUser",
            ],
            "Resource": {"Fn::GetAtt": ["CustomerUserPool", "Arn"]},
        },
        {
            "Sid": "ManageStaffSignIns",
            "Effect": "Allow",
            "Action": [
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminCreateUser",
                "cognito-idp:AdminSetUserPassword",
                "cognito-idp:AdminListGroupsForUser",
                "cognito-idp:AdminAddUserToGroup",
                "cognito-idp:AdminRemoveUserFromGroup",
                # taking access away: sessions end at once (refresh tokens revoked)
                "cognito-idp:AdminUserGlobalSignOut",
                "cognito-idp:AdminDisableUser",
                "cognito-idp:AdminEnableUser",
                "cognito-idp:AdminDeleteUser",
            ],
            "Resource": {"Fn::GetAtt": ["StaffUserPool", "Arn"]},
        },
        {
            "Sid": "ShopSigningSecrets",
            "Effect": "Allow",
            "Action": ["ssm:GetParameter"],
            "Resource": {
                "Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}"
                ":parameter/destek/${Stage}/integrations/*"
            },
        },
        {
            "Sid": "LinkKeys",
            "Effect": "Allow",
            "Action": ["secretsmanager:GetSecretValue"],
            "Resource": {"Ref": "LinkKeysSecret"},
        },
        {
            "Sid": "AnalyticsQueries",
            "Effect": "Allow",
            # supervisors' SQL (POST /analytics/sql) and the reports' rebuild over the archive
            # (the reports function): in destek's workgroup only
            "Action": [
                "athena:StartQueryExecution",
                "athena:GetQueryExecution",
                "athena:GetQueryResults",
                "athena:StopQueryExecution",
            ],
            "Resource": {
                "Fn::Sub": "arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}"
                ":workgroup/${AnalyticsWorkGroup}"
            },
        },
        {
            "Sid": "AnalyticsCatalog",
            "Effect": "Allow",
            "Action": ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"],
            "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}:catalog"},
                {
                    "Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}"
                    ":database/${ArchiveDatabase}"
                },
                {
                    "Fn::Sub": "arn:${AWS::Partition}:glue:${AWS::Region}:${AWS::AccountId}"
                    ":table/${ArchiveDatabase}/*"
                },
            ],
        },
        {
            "Sid": "AnalyticsData",
            "Effect": "Allow",
            # Athena reads the archive and writes results with the caller's rights
            "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:GetObject"],
            "Resource": [
                {"Fn::GetAtt": ["ArchiveBucket", "Arn"]},
                {"Fn::Sub": "${ArchiveBucket.Arn}/events/*"},
                {"Fn::Sub": "${ArchiveBucket.Arn}/athena-results/*"},
            ],
        },
        {
            "Sid": "AnalyticsResults",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
            "Resource": {"Fn::Sub": "${ArchiveBucket.Arn}/athena-results/*"},
        },
        {
            "Sid": "Attachments",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
            "Resource": {"Fn::Sub": "${AttachmentsBucket.Arn}/*"},
        },
        {
            "Sid": "SendEmail",
            "Effect": "Allow",
            "Action": ["ses:SendEmail"],
            "Resource": [
                {"Fn::Sub": f"{SES_ARN}:identity/*"},
                {"Fn::Sub": f"{SES_ARN}:configuration-set/${{NotifyConfigurationSet}}"},
            ],
        },
        {
            "Sid": "SendSms",
            "Effect": "Allow",
            "Action": ["sns:Publish"],
            "NotResource": "arn:aws:sns:*:*:*",
        },
        {
            "Sid": "Tracing",
            "Effect": "Allow",
            "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            "Resource": "*",
        },
        {
            "Sid": "Logs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::Sub": lambda_logs}, {"Fn::Sub": f"{lambda_logs}:*"}],
        },
    ]


def function_roles(template: dict[str, Any]) -> set[str]:
    """Logical ids of the roles the functions run as.

    A role given as a literal ARN (chalice's iam_role_arn) lives outside this template, so
    its permissions cannot be set here: that stops the build.
    """
    roles = set()
    for name, function in functions(template).items():
        role = function["Properties"].get("Role")
        if not (isinstance(role, dict) and "Fn::GetAtt" in role):
            raise PackagingError(f"{name} does not run as a role of this template: {role!r}")
        roles.add(role["Fn::GetAtt"][0])
    return roles


def wire_permissions(template: dict[str, Any]) -> None:
    """Replace chalice's policies (SQS on "*", no DynamoDB) with least-privilege ones."""
    for role in function_roles(template):
        props = template["Resources"][role]["Properties"]
        props["Policies"] = [
            {
                "PolicyName": f"{role}Policy",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": policy_statements()},
            }
        ]


# ---- output ------------------------------------------------------------------------------


def shipped_top_level(name: str) -> str:
    """The distribution a zip entry belongs to: `botocore/x.py` and
    `botocore-1.44.8.dist-info/RECORD` are both `botocore`; `six.py` is `six`."""
    top = name.split("/", 1)[0]
    if top.endswith((".dist-info", ".data")):
        return top.split("-", 1)[0].lower()
    return top.removesuffix(".py")


def without_runtime_sdk(zip_path: Path, leave_out: tuple[str, ...] = RUNTIME_SDK) -> int:
    """Rewrite the zip without the packages the runtime provides; return the bytes saved.

    Every other entry is copied as it is (same name, date, permissions and compression).
    """
    before = zip_path.stat().st_size
    slim = zip_path.with_suffix(".slim")
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(slim, "w") as target:
        for entry in source.infolist():
            if shipped_top_level(entry.filename) in leave_out:
                continue
            target.writestr(entry, source.read(entry), compress_type=entry.compress_type)
    slim.replace(zip_path)
    return before - zip_path.stat().st_size


def without_debug_info(zip_path: Path) -> int:
    """Strip the debug sections (`strip --strip-debug`: the symbol tables stay) from the
    zip's shared objects that carry them; return the bytes saved. pysqlite3-binary's
    extension ships with DWARF debug info: 13.4 MB, 2.0 MB without (4.4 MB of the zip, 1.0
    MB after). Nothing else changes; without binutils' `strip` the zip is left as it is."""
    strip = shutil.which("strip")
    if strip is None:
        return 0
    before = zip_path.stat().st_size
    rewritten = zip_path.with_suffix(".stripped")
    with (
        tempfile.TemporaryDirectory(prefix="destek-strip-") as tmp,
        zipfile.ZipFile(zip_path) as source,
        zipfile.ZipFile(rewritten, "w") as target,
    ):
        for entry in source.infolist():
            data = source.read(entry)
            if ".so" in Path(entry.filename).name and data[:4] == b"\x7fELF":
                binary = Path(tmp) / "lib.so"
                binary.write_bytes(data)
                done = subprocess.run([strip, "--strip-debug", str(binary)], capture_output=True)
                if done.returncode == 0 and binary.stat().st_size < len(data):
                    data = binary.read_bytes()
            target.writestr(entry, data, compress_type=entry.compress_type)
    rewritten.replace(zip_path)
    return before - zip_path.stat().st_size


def runtime_folder(where: Path) -> Path:
    """A folder with what the Lambda runtime provides (RUNTIME_PACKAGES), linked from this
    environment's packages."""
    from importlib import import_module

    where.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        module = import_module(name)
        source = Path(module.__file__ or "")
        source = source.parent if source.name == "__init__.py" else source
        link = where / source.name
        if not link.exists():
            link.symlink_to(source)
    return where


def cold_start(task: Path, runtime: Path) -> dict[str, Any]:
    """Start the unpacked package in `task` as the Lambda runtime would, in a fresh
    interpreter (`python -S`: nothing of this environment but `runtime`, the folder
    standing in for the runtime's SDK): import the handler's module, then a first request's
    tracer and client. Returns {"import_app": s, "first_request": s, "files": [the files
    of `task` it imported]}. Raises PackagingError when the package does not start."""
    code = (
        "import json, sys, time; "
        f"sys.path[:0] = [{str(task)!r}, {str(runtime)!r}]; "
        "t = time.perf_counter(); import app; a = time.perf_counter() - t; "
        f"t = time.perf_counter(); {FIRST_REQUEST}; r = time.perf_counter() - t; "
        "files = [getattr(m, '__file__', None) for m in list(sys.modules.values())]; "
        "print(json.dumps({'import_app': a, 'first_request': r, "
        f"'files': sorted(f for f in files if f and f.startswith({str(task)!r}))}}))"
    )
    env = {"AWS_DEFAULT_REGION": PACKAGING_REGION, "POWERTOOLS_TRACE_DISABLED": "false",
           "PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-S", "-c", code], cwd=task, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise PackagingError(f"the package does not start: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def with_bytecode(zip_path: Path) -> int:
    """Add the compiled bytecode of every module a cold start imports (`cold_start`) to the
    zip; return how many. Lambda unpacks the zip into a read-only /var/task, so Python can
    neither find nor write a .pyc there, and each cold start compiled every module it
    imports from source: about half of `import app` (docs/performance.md). Only what a
    start imports is compiled: bytecode for all 2,000 modules would add 7 MB to the zip.

    Unchecked-hash pycs: read whatever times the unpacked files carry. Built with the
    runtime's Python minor version (3.11, `python3.11` in the Makefile); another version
    looks for its own `cpython-3XX` names, finds none and compiles as before."""
    with tempfile.TemporaryDirectory(prefix="destek-bytecode-") as tmp:
        task = Path(tmp) / "task"
        with zipfile.ZipFile(zip_path) as archive:
            archive.extractall(task)
        started = cold_start(task, runtime_folder(Path(tmp) / "runtime"))
        compiled = []
        for name in started["files"]:
            source = Path(name)
            if source.suffix != ".py":
                continue  # an extension module (.so) is machine code already
            relative = source.relative_to(task).as_posix()
            cached = Path(importlib.util.cache_from_source(str(source)))
            py_compile.compile(
                str(source), cfile=str(cached), dfile=f"{TASK_ROOT}/{relative}", doraise=True,
                invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
            )  # fmt: skip
            compiled.append(cached)
        # chalice copies a developer's __pycache__ along with the sources: stale or not,
        # those go; only what was compiled here, from the zip's own sources, ships
        rewritten = zip_path.with_suffix(".bytecode")
        with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(rewritten, "w") as target:
            for entry in source.infolist():
                if not entry.filename.endswith(".pyc"):
                    target.writestr(entry, source.read(entry), compress_type=entry.compress_type)
            for cached in compiled:
                target.write(cached, cached.relative_to(task).as_posix(), zipfile.ZIP_DEFLATED)
        rewritten.replace(zip_path)
        return len(compiled)


def write_outputs(template: dict[str, Any], chalice_dir: Path, out: Path) -> Path:
    """template.yaml beside deployment.zip, so the relative CodeUri resolves from the template.

    `aws cloudformation package` resolves CodeUri relative to the template's folder.
    """
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chalice_dir / "deployment.zip", out / "deployment.zip")
    without_runtime_sdk(out / "deployment.zip")
    without_debug_info(out / "deployment.zip")
    with_bytecode(out / "deployment.zip")
    for function in functions(template).values():
        function["Properties"]["CodeUri"] = "./deployment.zip"
    path = out / "template.yaml"
    header = "# Generated by `make package` (devstack/package.py); edit infra/ or app.py instead.\n"
    body = yaml.dump(
        template, Dumper=_TemplateDumper, sort_keys=False, allow_unicode=True, width=100
    )
    path.write_text(header + body)
    return path


def build(out: Path) -> tuple[Path, float]:
    """Package the app and write the merged template; return its path and chalice's time."""
    with tempfile.TemporaryDirectory(prefix="destek-chalice-") as tmp:
        chalice_dir = Path(tmp) / "chalice"
        took = run_chalice_package(chalice_dir)
        template = merge(load_infra_template(), load_chalice_template(chalice_dir))
        wire_environment(template)
        wire_console_url(template)
        wire_sqs_events(template)
        wire_stream_events(template)
        wire_tracing(template)
        wire_memory(template)
        wire_gateway(template)
        wire_alarms(template)
        wire_dashboard(template)
        wire_permissions(template)
        return write_outputs(template, chalice_dir, out), took


def deploy_hint(template_path: Path) -> str:
    """The two commands that turn the build into a stack (SAM needs AUTO_EXPAND)."""
    packaged = template_path.with_name("packaged.yaml")
    return (
        f"aws cloudformation package --template-file {template_path} --s3-bucket BUCKET "
        f"--output-template-file {packaged} && aws cloudformation deploy --template-file "
        f"{packaged} --stack-name destek-{STAGE} --capabilities CAPABILITY_IAM "
        "CAPABILITY_AUTO_EXPAND"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack.package", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    try:
        path, took = build(args.out.resolve())
    except PackagingError as exc:
        print(f"package: {exc}", file=sys.stderr)
        return 1
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    print(f"chalice package took {took:.1f}s")
    size = path.with_name("deployment.zip").stat().st_size
    print(f"deployment.zip: {size / 1e6:.1f} MB (the runtime's AWS SDK left out)")
    print(shown)
    print(f"deploy: {deploy_hint(shown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
