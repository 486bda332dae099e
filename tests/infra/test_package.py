"""`make package`: the merged template deploys what the code needs, and only the code ships.

One `python -m devstack.package --out TMP` per module, into a temporary folder so that a
developer's build/ is left alone.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from chalicelib.config import Settings
from devstack.package import LAMBDA_PROVIDED

ROOT = Path(__file__).resolve().parents[2]
INFRA_TEMPLATE = ROOT / "infra" / "template.yaml"
FUNCTION = "AWS::Serverless::Function"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("package")
    done = subprocess.run(
        [sys.executable, "-m", "devstack.package", "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert str((out / "template.yaml").resolve()) in done.stdout
    return out


@pytest.fixture(scope="module")
def template(build_dir: Path) -> dict[str, Any]:
    return yaml.safe_load((build_dir / "template.yaml").read_text())


@pytest.fixture(scope="module")
def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found = {k: v for k, v in template["Resources"].items() if v["Type"] == FUNCTION}
    assert {"APIHandler", "RouteCases", "ReconcileRouting"} <= set(found)
    return found


def cfn_lint(path: Path) -> subprocess.CompletedProcess[str]:
    executable = Path(sys.executable).with_name("cfn-lint")
    command = str(executable) if executable.exists() else shutil.which("cfn-lint")
    assert command, "cfn-lint is not installed"
    return subprocess.run([command, "--", str(path)], capture_output=True, text=True)


def required_aliases() -> set[str]:
    return {
        field.alias or name
        for name, field in Settings.model_fields.items()
        if field.is_required() and (field.alias or name) not in LAMBDA_PROVIDED
    }


# ---- lint --------------------------------------------------------------------------------


def test_infra_template_passes_cfn_lint() -> None:
    done = cfn_lint(INFRA_TEMPLATE)
    assert done.returncode == 0, done.stdout + done.stderr


def test_packaged_template_passes_cfn_lint(build_dir: Path) -> None:
    done = cfn_lint(build_dir / "template.yaml")
    assert done.returncode == 0, done.stdout + done.stderr


# ---- what the merge must keep and wire ---------------------------------------------------


def test_every_infra_resource_parameter_condition_and_output_is_packaged(
    template: dict[str, Any],
) -> None:
    infra = yaml.safe_load(INFRA_TEMPLATE.read_text())
    for section in ("Resources", "Parameters", "Conditions", "Outputs"):
        for name, body in (infra.get(section) or {}).items():
            assert template[section].get(name) == body, f"{section}.{name} differs or is missing"


def test_every_function_has_every_required_setting(functions: dict[str, Any]) -> None:
    wanted = required_aliases()
    assert "TABLE_NAME" in wanted  # the model is read, not an empty set
    for name, function in functions.items():
        variables = function["Properties"]["Environment"]["Variables"]
        assert wanted <= set(variables), f"{name} lacks {sorted(wanted - set(variables))}"
        assert not LAMBDA_PROVIDED & set(variables), f"{name} sets a Lambda-reserved variable"
        assert variables["TABLE_NAME"] == {"Ref": "Table"}
        assert variables["ROUTING_QUEUE_URL"] == {"Ref": "RoutingQueue"}
        assert variables["POWERTOOLS_SERVICE_NAME"] == "destek"
        assert variables["POWERTOOLS_METRICS_NAMESPACE"] == "Destek"


def test_functions_are_traced_and_ship_the_built_zip(functions: dict[str, Any]) -> None:
    for function in functions.values():
        assert function["Properties"]["Tracing"] == "Active"
        assert function["Properties"]["CodeUri"] == "./deployment.zip"


def test_sqs_events_read_their_queues_with_partial_batch_responses(
    functions: dict[str, Any],
) -> None:
    sqs_events = [
        event["Properties"]
        for function in functions.values()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    ]
    queues = sorted(event["Queue"]["Fn::GetAtt"][0] for event in sqs_events)
    assert queues == ["InboundMailQueue", "NotifyQueue", "RoutingQueue"]
    for event in sqs_events:
        assert event["Queue"]["Fn::GetAtt"][1] == "Arn"
        assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def _statements(template: dict[str, Any], functions: dict[str, Any]) -> list[dict[str, Any]]:
    roles = {f["Properties"]["Role"]["Fn::GetAtt"][0] for f in functions.values()}
    return [
        statement
        for role in roles
        for policy in template["Resources"][role]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]


def test_role_grants_what_the_code_does_on_its_own_resources_only(
    template: dict[str, Any], functions: dict[str, Any]
) -> None:
    statements = _statements(template, functions)
    granted: dict[str, list[Any]] = {}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        if "NotResource" in statement:  # SMS: publishing to phone numbers, never to topics
            assert statement["Action"] == ["sns:Publish"]
            assert statement["NotResource"] == "arn:aws:sns:*:*:*"
            granted["sns:Publish"] = ["phone numbers"]
            continue
        resources = statement["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        for action in statement["Action"]:
            granted.setdefault(action, []).extend(resources)
    table = {"Fn::GetAtt": ["Table", "Arn"]}
    for action in ("GetItem", "PutItem", "UpdateItem", "ConditionCheckItem", "DeleteItem", "Query"):
        assert table in granted[f"dynamodb:{action}"]
    assert {"Fn::Sub": "${Table.Arn}/index/*"} in granted["dynamodb:Query"]
    routing = {"Fn::GetAtt": ["RoutingQueue", "Arn"]}
    assert {"Fn::GetAtt": ["NotifyQueue", "Arn"]} in granted["sqs:SendMessage"]
    for action in (
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "GetQueueAttributes",
        "ChangeMessageVisibility",
    ):
        assert routing in granted[f"sqs:{action}"]
        assert {"Fn::GetAtt": ["NotifyQueue", "Arn"]} in granted[f"sqs:{action}"]
    assert "ses:SendEmail" in granted and "sns:Publish" in granted
    assert "xray:PutTraceSegments" in granted
    assert "logs:PutLogEvents" in granted
    # "*" only where AWS has no resource-level permissions
    for action, resources in granted.items():
        if "*" in resources:
            assert action.startswith("xray:"), f"{action} granted on *"


# ---- every name a template uses exists ---------------------------------------------------


_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def _references(node: Any) -> list[tuple[str, str]]:
    """(kind, target) for every Ref, Fn::GetAtt and Fn::Sub variable under node."""
    found: list[tuple[str, str]] = []
    if isinstance(node, list):
        for item in node:
            found.extend(_references(item))
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.append(("Ref", value))
            elif key == "Fn::GetAtt":
                target = value[0] if isinstance(value, list) else value.split(".", 1)[0]
                found.append(("Fn::GetAtt", target))
            elif key == "Fn::Sub":
                text, local = (value[0], value[1]) if isinstance(value, list) else (value, {})
                for variable in _SUB_VARIABLE.findall(text):
                    if variable not in local:
                        found.append(("Fn::Sub", variable.split(".", 1)[0]))
                found.extend(_references(local))
                continue
            found.extend(_references(value))
    return found


def test_every_reference_names_an_existing_resource_or_parameter(
    template: dict[str, Any],
) -> None:
    resources = set(template["Resources"])
    parameters = set(template.get("Parameters", {}))
    references = _references(template)
    assert ("Ref", "Table") in references  # the walk finds something
    for kind, target in references:
        if kind == "Fn::GetAtt":
            assert target in resources, f"Fn::GetAtt {target}: no such resource"
        elif not target.startswith("AWS::"):
            assert target in resources | parameters, f"{kind} {target}: no such name"


def test_every_condition_a_resource_names_exists(template: dict[str, Any]) -> None:
    conditions = set(template.get("Conditions", {}))
    for name, resource in template["Resources"].items():
        if "Condition" in resource:
            assert resource["Condition"] in conditions, f"{name}: unknown condition"


# ---- the Lambda package ------------------------------------------------------------------


def test_deployment_zip_holds_the_code_and_no_development_tooling(build_dir: Path) -> None:
    with zipfile.ZipFile(build_dir / "deployment.zip") as archive:
        names = archive.namelist()
    top = {name.split("/", 1)[0] for name in names}
    assert "app.py" in top
    assert "chalicelib/__init__.py" in names
    assert "chalicelib/config.py" in names
    for tooling in ("devstack", "tests", "bench"):
        assert tooling not in top, f"{tooling}/ must not ship in the Lambda package"


def test_templates_reach_the_package_through_vendor(build_dir: Path) -> None:
    """Code renders templates from <app dir>/templates; Chalice ships vendor/ at the zip root.
    The message templates and the console ship; the site does not (it is built and hosted
    apart)."""
    root = Path(__file__).resolve().parents[2]
    shipped = sorted(
        str(p.relative_to(root))
        for folder in ("messages", "console")
        for p in (root / "templates" / folder).rglob("*")
        if p.is_file()
    )
    assert any(n.startswith("templates/console/static/") for n in shipped)
    assert any(n.startswith("templates/messages/") for n in shipped)
    with zipfile.ZipFile(build_dir / "deployment.zip") as archive:
        names = set(archive.namelist())
    missing = [name for name in shipped if name not in names]
    assert not missing, f"templates missing from the package: {missing}"
    assert not [n for n in names if n.startswith("templates/site")]


def test_customers_cannot_write_their_own_customer_id() -> None:
    """custom:customer_id decides whose cases a token reads: only destek may set it."""
    from devstack.bootstrap import load_template

    client = load_template()["Resources"]["CustomerSiteClient"]["Properties"]
    assert "custom:customer_id" not in client["WriteAttributes"]
    assert "custom:customer_id" in client["ReadAttributes"]


def test_the_site_is_served_privately_through_cloudfront_and_may_call_the_api(
    template: dict[str, Any], functions: dict[str, Any]
) -> None:
    resources = template["Resources"]
    distribution = resources["SiteDistribution"]["Properties"]["DistributionConfig"]
    origin = distribution["Origins"][0]
    assert origin["DomainName"] == {"Fn::GetAtt": ["SiteBucket", "RegionalDomainName"]}
    assert "OriginAccessControlId" in origin
    assert distribution["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    statement = resources["SiteBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"][0]
    assert statement["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert "AWS:SourceArn" in statement["Condition"]["StringEquals"]
    site = {"Fn::Sub": "https://${SiteDistribution.DomainName}"}
    for function in functions.values():
        assert function["Properties"]["Environment"]["Variables"]["SITE_URL"] == site
    cors = resources["AttachmentsBucket"]["Properties"]["CorsConfiguration"]["CorsRules"][0]
    assert cors["AllowedOrigins"] == [site] and "POST" in cors["AllowedMethods"]


def test_gateway_refusals_carry_cors_headers_and_the_stage_is_throttled(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    kinds = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::GatewayResponse"
    }
    assert set(kinds) == {"DEFAULT_4XX", "DEFAULT_5XX"}
    for props in kinds.values():
        assert props["RestApiId"] == {"Ref": "RestAPI"}
        assert "gatewayresponse.header.Access-Control-Allow-Origin" in props["ResponseParameters"]
    throttle = resources["RestAPI"]["Properties"]["MethodSettings"][0]
    assert throttle["ThrottlingRateLimit"] > 0 and throttle["ThrottlingBurstLimit"] > 0
