"""`make package`: one deployable template, build/template.yaml, plus build/deployment.zip.

`chalice package` knows the code (functions, API, events, a role) but not destek's
resources; infra/template.yaml knows the resources but not the code. Deploying them as
two stacks would mean passing table names and queue URLs between stacks by hand, so this
merges both into one SAM template and wires them together:

- every function gets the environment `chalicelib.config.Settings` requires, derived from
  the model itself so that a new required setting cannot be forgotten here;
- the SQS event source points at the template's own RoutingQueue and asks for partial
  batch responses, which `@app.on_sqs_message` cannot ask for;
- chalice's role, which allows SQS on `*` and nothing on DynamoDB, gets least-privilege
  policies on the template's own table and queues;
- X-Ray tracing is switched on.

Usage: `python -m devstack.package [--out DIR]` (default DIR: build/).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
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

#: Settings alias -> the CloudFormation value a deployed function reads it from
SETTINGS_ENVIRONMENT: dict[str, Any] = {
    "TABLE_NAME": {"Ref": "Table"},
    "ROUTING_QUEUE_URL": {"Ref": "RoutingQueue"},
    "STAFF_POOL_ID": {"Ref": "StaffUserPool"},
    "STAFF_CLIENT_IDS": {"Ref": "StaffConsoleClient"},
    "CUSTOMER_POOL_ID": {"Ref": "CustomerUserPool"},
    "CUSTOMER_CLIENT_IDS": {"Ref": "CustomerSiteClient"},
    "NOTIFY_QUEUE_URL": {"Ref": "NotifyQueue"},
    "ROUTING_DLQ_URL": {"Ref": "RoutingDeadLetterQueue"},
    "NOTIFY_DLQ_URL": {"Ref": "NotifyDeadLetterQueue"},
    "NOTIFY_FROM_EMAIL": {"Ref": "NotifyFromEmail"},
    "ATTACHMENTS_BUCKET": {"Ref": "AttachmentsBucket"},
    "INBOUND_MAIL_BUCKET": {"Ref": "InboundMailBucket"},
    "SUPPORT_EMAIL": {"Ref": "SupportEmail"},
    "INTEGRATION_SECRETS_PREFIX": {"Fn::Sub": "/destek/${Stage}/integrations"},
    "SITE_URL": {"Fn::Sub": "https://${SiteDistribution.DomainName}"},
}
#: API Gateway's own throttle in front of the per-client limits of the public routes
STAGE_THROTTLE = {"ThrottlingBurstLimit": 200, "ThrottlingRateLimit": 100}
#: set by the Lambda runtime itself; Lambda refuses them as function environment variables
LAMBDA_PROVIDED = {"AWS_REGION"}
POWERTOOLS_ENVIRONMENT = {
    "POWERTOOLS_SERVICE_NAME": "destek",
    "POWERTOOLS_METRICS_NAMESPACE": "Destek",
}
#: queue name in `@app.on_sqs_message(queue=...)` -> the queue's logical id in infra/
QUEUES = {
    "destek-routing": "RoutingQueue",
    "destek-notify": "NotifyQueue",
    "destek-inbound-mail": "InboundMailQueue",
}


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


def settings_environment() -> dict[str, Any]:
    """Environment variables that satisfy chalicelib.config.Settings in a deployed function.

    Read from the model so that a required setting added there and not mapped here stops the
    build instead of failing the first request in production. A mapping for an alias the
    model no longer has also stops it: it would be a stale or misspelt name.
    """
    from chalicelib.config import Settings

    fields = Settings.model_fields
    aliases = {field.alias or name for name, field in fields.items()}
    stale = sorted(set(SETTINGS_ENVIRONMENT) - aliases)
    if stale:
        raise PackagingError(f"SETTINGS_ENVIRONMENT maps names Settings does not have: {stale}")
    environment: dict[str, Any] = {}
    missing = []
    for name, field in fields.items():
        alias = field.alias or name
        if alias in LAMBDA_PROVIDED:
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
    for function in functions(template).values():
        props = function["Properties"]
        variables = props.setdefault("Environment", {}).setdefault("Variables", {})
        variables.update(wanted)


# ---- events, tracing ---------------------------------------------------------------------


def queue_logical_id(queue: Any) -> str:
    """The infra/ queue an SQS event source names.

    Chalice writes an ARN built from the queue's name; the template's queues have generated
    names, so the name is mapped to a logical id through QUEUES.
    """
    text = queue["Fn::Sub"] if isinstance(queue, dict) and "Fn::Sub" in queue else queue
    if not isinstance(text, str):
        raise PackagingError(f"unexpected SQS event Queue from chalice: {queue!r}")
    name = text.rsplit(":", 1)[-1]
    if name not in QUEUES:
        raise PackagingError(f"SQS handler for queue {name!r} has no entry in QUEUES")
    return QUEUES[name]


def wire_sqs_events(template: dict[str, Any]) -> None:
    """Point SQS event sources at the template's own queues, with partial batch responses.

    Without ReportBatchItemFailures, Lambda ignores the handler's batchItemFailures and one
    bad message makes the whole batch come back.
    """
    for function in functions(template).values():
        for event in function["Properties"].get("Events", {}).values():
            if event["Type"] != "SQS":
                continue
            props = event["Properties"]
            props["Queue"] = {"Fn::GetAtt": [queue_logical_id(props["Queue"]), "Arn"]}
            props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]


def wire_tracing(template: dict[str, Any]) -> None:
    """Active X-Ray tracing; chalice writes PassThrough, which records nothing on its own."""
    for function in functions(template).values():
        function["Properties"]["Tracing"] = "Active"


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
    routing = {"Fn::GetAtt": ["RoutingQueue", "Arn"]}
    notify = {"Fn::GetAtt": ["NotifyQueue", "Arn"]}
    inbound = {"Fn::GetAtt": ["InboundMailQueue", "Arn"]}
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
            ],
            "Resource": [table, indexes],
        },
        {
            "Sid": "SendToQueues",
            "Effect": "Allow",
            "Action": ["sqs:SendMessage"],
            "Resource": [routing, notify],
        },
        {
            "Sid": "RedriveDeadLetters",
            "Effect": "Allow",
            "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
            "Resource": [
                {"Fn::GetAtt": ["RoutingDeadLetterQueue", "Arn"]},
                {"Fn::GetAtt": ["NotifyDeadLetterQueue", "Arn"]},
            ],
        },
        {
            "Sid": "RoutingEventSource",
            "Effect": "Allow",
            "Action": [
                "sqs:ReceiveMessage",
                "sqs:DeleteMessage",
                "sqs:GetQueueAttributes",
                "sqs:ChangeMessageVisibility",
            ],
            "Resource": [routing, notify, inbound],
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
            "Action": ["cognito-idp:AdminUpdateUserAttributes"],
            "Resource": {"Fn::GetAtt": ["CustomerUserPool", "Arn"]},
        },
        {
            "Sid": "ManageStaffSignIns",
            "Effect": "Allow",
            "Action": [
                "cognito-idp:AdminGetUser",
                "cognito-idp:AdminCreateUser",
                "cognito-idp:AdminListGroupsForUser",
                "cognito-idp:AdminAddUserToGroup",
                "cognito-idp:AdminRemoveUserFromGroup",
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
            "Sid": "Attachments",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
            "Resource": {"Fn::Sub": "${AttachmentsBucket.Arn}/*"},
        },
        {
            "Sid": "SendEmail",
            "Effect": "Allow",
            "Action": ["ses:SendEmail"],
            "Resource": {
                "Fn::Sub": "arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/*"
            },
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


def write_outputs(template: dict[str, Any], chalice_dir: Path, out: Path) -> Path:
    """template.yaml beside deployment.zip, so the relative CodeUri resolves from the template.

    `aws cloudformation package` resolves CodeUri relative to the template's folder.
    """
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(chalice_dir / "deployment.zip", out / "deployment.zip")
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
        wire_sqs_events(template)
        wire_tracing(template)
        wire_gateway(template)
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
    print(shown)
    print(f"deploy: {deploy_hint(shown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
