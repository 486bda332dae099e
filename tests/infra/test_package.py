"""`make package`: the merged template deploys what the code needs, and only the code ships.

One `python -m devstack.package --out TMP` per module, into a temporary folder so that a
developer's build/ is left alone.
"""

from __future__ import annotations

import json
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
    """Every variable Settings needs: its required fields', and each registry queue's URLs
    (gathered into `queue_urls`)."""
    from chalicelib.messaging.queue_registry import variables

    return {
        field.alias or name
        for name, field in Settings.model_fields.items()
        if field.is_required()
        and (field.alias or name) not in LAMBDA_PROVIDED
        and name != "queue_urls"
    } | set(variables())


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


def test_the_functions_that_send_notices_know_the_consoles_address(
    functions: dict[str, Any],
) -> None:
    """Staff notices link to a case in the console; the API's own handler is left out
    (naming the API there would be a circular dependency) and reads it from its requests."""
    notify = next(
        f for f in functions.values()
        if any(e["Type"] == "SQS" and "NotifyQueue" in str(e["Properties"]["Queue"])
               for e in f["Properties"].get("Events", {}).values())
    )  # fmt: skip
    expected = {
        "Fn::Sub": "https://${RestAPI}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api/console"
    }
    assert notify["Properties"]["Environment"]["Variables"]["CONSOLE_URL"] == expected
    assert "CONSOLE_URL" not in functions["APIHandler"]["Properties"]["Environment"]["Variables"]


def test_functions_are_traced_and_ship_the_built_zip(functions: dict[str, Any]) -> None:
    for function in functions.values():
        assert function["Properties"]["Tracing"] == "Active"
        assert function["Properties"]["CodeUri"] == "./deployment.zip"


def test_each_function_has_the_memory_measured_for_it(functions: dict[str, Any]) -> None:
    """devstack/function_memory.py's table, by the function's handler, not chalice's one
    size for all (bench/memory.py measures; docs/performance.md says why each)."""
    from devstack.function_memory import MEMORY_MB

    given = {}
    for function in functions.values():
        handler = function["Properties"]["Handler"].removeprefix("app.")
        given["api_handler" if handler == "app" else handler] = function["Properties"]["MemorySize"]
    assert given == MEMORY_MB


def test_sqs_events_read_their_queues_with_partial_batch_responses(
    functions: dict[str, Any],
) -> None:
    sqs_events = [
        event["Properties"]
        for function in functions.values()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    ]
    from chalicelib.messaging.queue_registry import QUEUES

    # the batching window too: Lambda gathers a batch for it (MaximumBatchingWindowInSeconds)
    read = {
        (e["Queue"]["Fn::GetAtt"][0], e["BatchSize"], e["MaximumBatchingWindowInSeconds"])
        for e in sqs_events
    }
    assert read == {(spec.queue_id, spec.batch_size, spec.batching_window) for spec in QUEUES}
    assert len(sqs_events) == len(QUEUES)
    for event in sqs_events:
        assert event["Queue"]["Fn::GetAtt"][1] == "Arn"
        assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_the_registrys_maximum_concurrency_reaches_each_event_source(
    functions: dict[str, Any],
) -> None:
    """ScalingConfig.MaximumConcurrency on the event source mapping (SAM's SQS event), from
    the registry's `max_concurrency` through chalice; none where the registry sets none.
    The reports function: two batches at once at most (hot counter cells)."""
    from chalicelib.messaging.queue_registry import QUEUES

    scaling = {
        event["Properties"]["Queue"]["Fn::GetAtt"][0]: event["Properties"].get("ScalingConfig")
        for function in functions.values()
        for event in function["Properties"].get("Events", {}).values()
        if event["Type"] == "SQS"
    }
    expected = {
        spec.queue_id: {"MaximumConcurrency": spec.max_concurrency}
        if spec.max_concurrency
        else None
        for spec in QUEUES
    }
    assert scaling == expected
    assert scaling["ReportsQueue"] == {"MaximumConcurrency": 2}


def test_every_function_can_read_every_registry_queue_url(functions: dict[str, Any]) -> None:
    from chalicelib.messaging.queue_registry import QUEUES

    for function in functions.values():
        variables = function["Properties"]["Environment"]["Variables"]
        for spec in QUEUES:
            assert variables[spec.url_variable] == {"Ref": spec.queue_id}
            assert variables[spec.dead_letter_variable] == {"Ref": spec.dead_letter_id}


def _alarm(template: dict[str, Any], namespace: str, metric: str, dimension: dict) -> dict:
    found = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::CloudWatch::Alarm"
        and r["Properties"]["Namespace"] == namespace
        and r["Properties"]["MetricName"] == metric
        and dimension in r["Properties"]["Dimensions"]
    ]
    assert len(found) == 1, f"{namespace} {metric} {dimension}: {len(found)} alarms"
    [alarm] = found
    assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert alarm["AlarmActions"] == [{"Ref": "OpsTopic"}]
    return alarm


def test_every_function_has_an_alarm_on_its_errors(
    template: dict[str, Any], functions: dict[str, Any]
) -> None:
    for name in functions:
        alarm = _alarm(template, "AWS/Lambda", "Errors", {"Name": "FunctionName",
                                                          "Value": {"Ref": name}})  # fmt: skip
        assert alarm["Statistic"] == "Sum"


def test_the_api_has_an_alarm_on_5xx_under_the_name_it_is_given(
    template: dict[str, Any],
) -> None:
    api = template["Resources"]["RestAPI"]["Properties"]
    name = {"Fn::Sub": "destek-${Stage}"}
    # named in both places: the ApiName dimension is this stack's whichever API Gateway takes
    assert api["Name"] == name and api["DefinitionBody"]["info"]["title"] == name
    alarm = _alarm(template, "AWS/ApiGateway", "5XXError", {"Name": "ApiName", "Value": name})
    assert {"Name": "Stage", "Value": api["StageName"]} in alarm["Dimensions"]
    assert alarm["Statistic"] == "Sum"


def test_every_dead_letter_queue_and_notice_failures_are_alarmed_in_the_package(
    template: dict[str, Any],
) -> None:
    from chalicelib.messaging.queue_registry import QUEUES

    for spec in QUEUES:
        dimension = {"Name": "QueueName", "Value": {"Fn::GetAtt": [spec.dead_letter_id,
                                                                   "QueueName"]}}  # fmt: skip
        _alarm(template, "AWS/SQS", "ApproximateNumberOfMessagesVisible", dimension)
    _alarm(template, "Destek", "NoticesFailed", {"Name": "service", "Value": "destek"})


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
    actions = ("GetItem", "PutItem", "UpdateItem", "ConditionCheckItem", "DeleteItem", "Query",
               "BatchGetItem")  # fmt: skip
    for action in actions:
        assert table in granted[f"dynamodb:{action}"]
    assert {"Fn::Sub": "${Table.Arn}/index/*"} in granted["dynamodb:Query"]
    from chalicelib.messaging.queue_registry import QUEUES

    for spec in QUEUES:
        queue = {"Fn::GetAtt": [spec.queue_id, "Arn"]}
        dead = {"Fn::GetAtt": [spec.dead_letter_id, "Arn"]}
        for action in (
            "SendMessage",
            "ReceiveMessage",
            "DeleteMessage",
            "GetQueueAttributes",
            "ChangeMessageVisibility",
        ):
            assert queue in granted[f"sqs:{action}"], (spec.name, action)
        for action in ("ReceiveMessage", "DeleteMessage", "GetQueueAttributes"):  # re-drive
            assert dead in granted[f"sqs:{action}"], (spec.name, action)
    assert "ses:SendEmail" in granted and "sns:Publish" in granted
    staff_pool = {"Fn::GetAtt": ["StaffUserPool", "Arn"]}
    assert staff_pool in granted["cognito-idp:AdminSetUserPassword"]  # a new invitation
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


def test_the_zip_leaves_out_the_sdk_the_runtime_ships_and_starts_with_the_runtimes(
    build_dir: Path, tmp_path: Path
) -> None:
    """botocore came in through aws-xray-sdk beside the runtime's boto3 (16 of 31 MB). The
    package now relies on the runtime's SDK: none of it is in the zip, and the zip's code,
    unpacked before a folder standing in for the runtime's packages, starts and serves a
    first request's tracer and client from them (docs/performance.md)."""
    from bench.package import _probe, runtime_folder
    from devstack.package import RUNTIME_SDK, shipped_top_level

    with zipfile.ZipFile(build_dir / "deployment.zip") as archive:
        shipped = {shipped_top_level(name) for name in archive.namelist()}
        archive.extractall(tmp_path / "task")
    assert not shipped & set(RUNTIME_SDK), sorted(shipped & set(RUNTIME_SDK))
    assert {"aws_xray_sdk", "jmespath", "dateutil"} <= shipped  # what others need stays
    assert (build_dir / "deployment.zip").stat().st_size < 20_000_000
    import_app, first_request = _probe(tmp_path / "task", runtime_folder(tmp_path / "runtime"))
    assert import_app > 0 and first_request > 0


def test_every_module_a_cold_start_imports_ships_compiled(build_dir: Path, tmp_path: Path) -> None:
    """Lambda's /var/task is read-only: a module without its .pyc in the zip is compiled
    from source at every cold start (about half of `import app` before, measured in
    docs/performance.md). Each module a start imports has unchecked-hash bytecode beside it,
    and nothing else does (the zip stays small)."""
    import importlib.util

    from devstack.package import cold_start, runtime_folder

    with zipfile.ZipFile(build_dir / "deployment.zip") as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "task")
        header = archive.read("chalicelib/__pycache__/config.cpython-311.pyc")[:16]
    task = (tmp_path / "task").resolve()
    started = cold_start(task, runtime_folder(tmp_path / "runtime"))
    imported = [Path(f) for f in started["files"] if f.endswith(".py")]
    assert len(imported) > 100 and task / "app.py" in imported
    missing = [
        str(source.relative_to(task))
        for source in imported
        if Path(importlib.util.cache_from_source(str(source))).relative_to(task).as_posix()
        not in names
    ]
    assert not missing, missing
    assert int.from_bytes(header[4:8], "little") == 0b01  # hash-based, source never checked
    compiled = [name for name in names if name.endswith(".pyc")]
    assert len(compiled) == len(imported)


def test_leaving_the_sdk_out_keeps_every_other_entry_as_it_was(tmp_path: Path) -> None:
    from devstack.package import without_runtime_sdk

    path = tmp_path / "deployment.zip"
    entries = {
        "app.py": b"app", "botocore/__init__.py": b"x" * 1000,
        "botocore-1.44.8.dist-info/RECORD": b"r", "urllib3/__init__.py": b"u",
        "boto3_helper/__init__.py": b"kept: only its own name counts", "six.py": b"six",
        "jmespath-1.0.1.dist-info/RECORD": b"j",
    }  # fmt: skip
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    assert without_runtime_sdk(path) > 0
    with zipfile.ZipFile(path) as archive:
        kept = {info.filename: archive.read(info) for info in archive.infolist()}
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
    assert kept == {name: data for name, data in entries.items()
                    if name.split("/")[0].split("-")[0] not in ("botocore", "urllib3")}  # fmt: skip


def test_templates_reach_the_package_through_vendor(build_dir: Path) -> None:
    """Code renders templates from <app dir>/templates; Chalice ships vendor/ at the zip root.
    The message templates, the console and the front-end library it shares with the site
    ship; the site does not (it is built and hosted apart)."""
    root = Path(__file__).resolve().parents[2]
    shipped = sorted(
        str(p.relative_to(root))
        for folder in ("messages", "console", "assistant", "shared")
        for p in (root / "templates" / folder).rglob("*")
        if p.is_file()
    )
    assert any(n.startswith("templates/console/static/") for n in shipped)
    assert any(n.startswith("templates/messages/") for n in shipped)
    assert "templates/assistant/tr.json" in shipped
    assert "templates/shared/static/dom.js" in shipped  # /console/shared/dom.js reads it
    with zipfile.ZipFile(build_dir / "deployment.zip") as archive:
        names = set(archive.namelist())
    missing = [name for name in shipped if name not in names]
    assert not missing, f"templates missing from the package: {missing}"
    assert not [n for n in names if n.startswith("templates/site")]


def test_no_client_of_the_customer_pool_may_write_the_customer_id() -> None:
    """custom:customer_id is destek's to set: every client of the customer pool lists what it
    may write (a client without WriteAttributes may write every writable attribute) and the
    customer id is not among them. The API believes the sign-in link, not the claim, anyway."""
    from devstack.bootstrap import load_template

    resources = load_template()["Resources"]
    clients = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Cognito::UserPoolClient"
        and r["Properties"]["UserPoolId"] == {"Ref": "CustomerUserPool"}
    ]
    assert clients
    for client in clients:
        assert "WriteAttributes" in client, client
        assert "custom:customer_id" not in client["WriteAttributes"]


def test_every_cognito_call_the_code_makes_is_granted_on_its_pool(
    template: dict[str, Any], functions: dict[str, Any]
) -> None:
    granted: dict[str, list[Any]] = {}
    for statement in _statements(template, functions):
        resources = statement.get("Resource", [])
        for action in statement["Action"]:
            granted.setdefault(action, []).extend(
                resources if isinstance(resources, list) else [resources]
            )
    for module, pool in (
        ("customer_logins", "CustomerUserPool"),
        ("staff_logins", "StaffUserPool"),
    ):
        source = (ROOT / "chalicelib" / "auth" / f"{module}.py").read_text()
        calls = set(re.findall(r"\.(admin_[a-z_]+)\(", source)) | set(
            re.findall(r"cognito\.(admin_[a-z_]+)[,)]", source)
        )
        assert calls, module
        for call in calls:
            action = "cognito-idp:" + "".join(part.title() for part in call.split("_"))
            assert {"Fn::GetAtt": [pool, "Arn"]} in granted.get(action, []), action


def test_cognitos_code_mails_name_the_site_where_the_code_is_entered() -> None:
    from devstack.bootstrap import load_template

    pool = load_template()["Resources"]["CustomerUserPool"]["Properties"]
    message = pool["VerificationMessageTemplate"]["EmailMessage"]["Fn::Sub"]
    assert "{####}" in message and "https://${SiteDistribution.DomainName}/" in message


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
    # the console (the API's own origin) uploads too: infra/template.yaml says why any origin
    assert cors["AllowedOrigins"] == ["*"] and "POST" in cors["AllowedMethods"]


def test_gateway_refusals_carry_cors_headers_and_the_stage_is_throttled(
    template: dict[str, Any],
) -> None:
    resources = template["Resources"]
    kinds = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::ApiGateway::GatewayResponse"
    }
    assert set(kinds) == {"DEFAULT_4XX", "DEFAULT_5XX", "MISSING_AUTHENTICATION_TOKEN"}
    for props in kinds.values():
        assert props["RestApiId"] == {"Ref": "RestAPI"}
        assert "gatewayresponse.header.Access-Control-Allow-Origin" in props["ResponseParameters"]
    # a known path by a method it does not take: destek's 405 in its error shape, not a 403
    wrong_method = kinds["MISSING_AUTHENTICATION_TOKEN"]
    assert wrong_method["StatusCode"] == "405"
    body = json.loads(wrong_method["ResponseTemplates"]["application/json"])
    assert body["error"]["code"] == "method_not_allowed" and set(body["error"]) == {
        "code", "message", "details"}  # fmt: skip
    throttle = resources["RestAPI"]["Properties"]["MethodSettings"][0]
    assert throttle["ThrottlingRateLimit"] > 0 and throttle["ThrottlingBurstLimit"] > 0


# ---- the operations dashboard and the alarms a person answers (devstack/dashboard.py) ---

ALARM = "AWS::CloudWatch::Alarm"


def test_the_dashboard_shows_what_the_code_writes_and_what_the_stack_has(
    template: dict[str, Any], functions: dict[str, Any]
) -> None:
    """Each `Destek` line is a metric some code path writes (the dimensions included: a line
    with one CloudWatch never received is empty for good); each AWS line names one of this
    stack's functions, queues or its API and stage; every function, queue and alarm is on it."""
    from .code_metrics import shown_metrics, written_metrics

    resources = template["Resources"]
    dashboard = resources["OpsDashboard"]
    assert dashboard["Type"] == "AWS::CloudWatch::Dashboard"
    body = json.loads(dashboard["Properties"]["DashboardBody"]["Fn::Sub"])
    written = written_metrics()
    queues = {k for k, v in resources.items() if v["Type"] == "AWS::SQS::Queue"}
    api = resources["RestAPI"]["Properties"]
    per_function: dict[str, set[str]] = {"Errors": set(), "Throttles": set(), "Duration": set()}
    queues_shown = set()
    for namespace, name, dims, options in shown_metrics(body):
        assert options.get("stat"), (name, dims)
        if namespace == "Destek":
            assert (namespace, name, frozenset(dims)) in written, f"nothing writes {name} {dims}"
            assert dims["service"] == "destek"
        elif namespace == "AWS/Lambda":
            [function] = re.fullmatch(r"\$\{(\w+)\}", dims.pop("FunctionName")).groups()
            assert not dims and function in functions, (name, function)
            per_function[name].add(function)
        elif namespace == "AWS/SQS":
            [queue] = re.fullmatch(r"\$\{(\w+)\.QueueName\}", dims.pop("QueueName")).groups()
            assert not dims and queue in queues, (name, queue)
            queues_shown.add(queue)
        else:
            assert namespace == "AWS/ApiGateway", namespace
            assert dims == {"ApiName": api["Name"]["Fn::Sub"], "Stage": api["StageName"]}
    assert per_function == {m: set(functions) for m in per_function}
    assert queues_shown == queues  # every queue's age, every dead-letter queue's depth
    [alarm_widget] = [w for w in body["widgets"] if w["type"] == "alarm"]
    alarms = {k for k, v in resources.items() if v["Type"] == ALARM}
    assert alarm_widget["properties"]["alarms"] == [f"${{{a}.Arn}}" for a in sorted(alarms)]


def test_every_alarm_on_destek_metrics_watches_what_the_code_writes(
    template: dict[str, Any],
) -> None:
    from .code_metrics import written_metrics

    written = written_metrics()
    ours = [r["Properties"] for r in template["Resources"].values()
            if r["Type"] == ALARM and r["Properties"].get("Namespace") == "Destek"]  # fmt: skip
    assert {a["MetricName"] for a in ours} >= {"NoticesFailed", "RoutingLatency",
                                               "NotificationLatency"}  # fmt: skip
    for alarm in ours:
        dims = {d["Name"]: d["Value"] for d in alarm["Dimensions"]}
        assert ("Destek", alarm["MetricName"], frozenset(dims)) in written, alarm["MetricName"]
        assert dims["service"] == "destek"


def test_lasting_throttles_and_late_work_call_a_person_and_say_what_to_do(
    template: dict[str, Any], functions: dict[str, Any]
) -> None:
    from tests.unit.test_docs import anchors

    resources = template["Resources"]
    for name in functions:
        alarm = resources[f"{name}ThrottlesAlarm"]["Properties"]
        assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Lambda", "Throttles")
        assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": name}}]
        # a burst heals itself (Lambda retries); 15 minutes of it is spent concurrency
        assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == 3
    for logical_id, threshold in (("RoutingSlowAlarm", 300_000),
                                  ("NotificationsSlowAlarm", 900_000)):  # fmt: skip
        alarm = resources[logical_id]["Properties"]
        assert (alarm["ExtendedStatistic"], alarm["Threshold"]) == ("p90", threshold)
        assert alarm["TreatMissingData"] == "notBreaching"  # nothing to route is not late
    runbook = anchors(ROOT / "docs" / "operations.md")
    for name, resource in resources.items():
        if resource["Type"] != ALARM:
            continue
        props = resource["Properties"]
        assert props["AlarmActions"] == [{"Ref": "OpsTopic"}], name
        for anchor in re.findall(r"docs/operations\.md#([\w-]+)", props["AlarmDescription"]):
            assert anchor in runbook, f"{name}: no section #{anchor} in docs/operations.md"
