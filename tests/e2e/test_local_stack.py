"""The local stack as a new user runs it: real HTTP, real tokens, real queues and schedules."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys

import boto3

from chalicelib.domain.case_change import OpenCase, change_case
from chalicelib.domain.cases import Actor, Case
from chalicelib.domain.clock import utcnow
from chalicelib.domain.ids import new_id
from chalicelib.store.cases import DynamoCaseStore
from chalicelib.store.dynamo import Table
from tests.support import free_port

from .conftest import ROOT, Http, eventually, start_stack


def aws(stack, service):
    return boto3.client(
        service,
        endpoint_url=stack.env["AWS_ENDPOINT_URL"],
        region_name=stack.env["AWS_REGION"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def test_phone_intake_to_resolution(stack, http):
    agent, supervisor = http("mehmet"), http("selin")
    assert http(None).call("GET", "/cases")[0] == 401
    status, case = agent.call(
        "POST",
        "/cases",
        {"customer": {"phone": "+90 532 123 45 67"}, "type": "complaint",
         "subject": "Ürün arızalı", "description": "Kutudan kırık çıktı"},
    )  # fmt: skip
    assert status == 201, case
    assert case["status"] == "new"

    def routed():
        found = agent.call("GET", f"/cases/{case['number']}")[1]
        return found if found["case"]["status"] == "open" else None

    found = eventually(routed)  # the dispatcher fed the routing queue to the router
    assert found["case"]["group_id"] == "urun"
    pool = supervisor.call("GET", "/cases?view=pool&group_id=urun")[1]
    assert case["id"] in [c["id"] for c in pool["items"]]
    version = found["case"]["version"]
    status, claimed = agent.call("POST", f"/cases/{case['id']}/claim", {"version": version})
    assert status == 200 and claimed["assignee"] == "mehmet"
    status, replied = agent.call(
        "POST",
        f"/cases/{case['id']}/replies",
        {"version": claimed["version"], "body": "Yenisi yolda"},
    )
    assert status == 201
    stale = agent.call("POST", f"/cases/{case['id']}/notes", {"version": version, "body": "x"})
    assert stale[0] == 409 and stale[1]["error"]["code"] == "version_conflict"
    status, resolved = agent.call(
        "POST", f"/cases/{case['id']}/status", {"version": replied["version"], "status": "resolved"}
    )
    assert status == 200 and resolved["status"] == "resolved"
    customer_view = http("ahmet@example.com").call("GET", f"/cases/{case['id']}")
    assert customer_view[0] == 200
    assert "Yenisi yolda" in str(customer_view[1]["history"])
    assert http("fatma@example.com").call("GET", f"/cases/{case['id']}")[0] == 404


def test_unrouted_case_is_found_by_the_scheduled_reconciler(stack, http):
    """A case written without its routing message (a Lambda died in between)."""
    agent = http("mehmet")
    customer = agent.call("GET", "/customers?customer_number=10000002")[1]
    now = utcnow()
    case = Case(
        id=new_id("c"), type="question", channel="phone", subject="Fatura", description="?",
        customer_id=customer["id"], created_by=Actor(kind="staff", id="mehmet"),
        created_at=now, updated_at=now,
    )  # fmt: skip
    store = DynamoCaseStore(Table(stack.env["TABLE_NAME"], aws(stack, "dynamodb")))
    store.create(change_case(case, OpenCase(), case.created_by, now))

    def routed():
        return agent.call("GET", f"/cases/{case.id}")[1]["case"]["status"] == "open"

    eventually(routed, timeout=30)


def test_poison_message_reaches_the_dead_letter_queue(stack):
    sqs = aws(stack, "sqs")
    sqs.send_message(QueueUrl=stack.env["ROUTING_QUEUE_URL"], MessageBody="not a routing message")

    def in_dlq():
        got = sqs.receive_message(QueueUrl=stack.env["ROUTING_DLQ_URL"], MaxNumberOfMessages=10)
        return any(m["Body"] == "not a routing message" for m in got.get("Messages", []))

    eventually(in_dlq, timeout=30)


def test_stops_on_ctrl_c_and_starts_again_on_the_same_ports():
    """A first start (provisioning and seeding) stopped by Ctrl-C is the run's template's own
    (conftest.template_copy asserts its exit 0): here a restart is stopped, and the next
    start takes the same ports."""
    api_port, moto_port = free_port(), free_port()
    first = start_stack(api_port, moto_port)
    assert first.stop() == 0
    second = start_stack(api_port, moto_port)
    try:
        assert second.env["API_URL"].endswith(str(api_port))
    finally:
        assert second.stop() == 0


def _devstack(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "devstack", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_the_commands_follow_the_ports_the_stack_was_started_with(stack, tmp_path):
    """The stack runs on free ports, not 8000/8001: `token` and `mail` find it through
    stack.json alone (they failed with a traceback before)."""
    where = json.loads((stack.state_dir / "stack.json").read_text())
    assert where["ports"]["api"] == stack.api_port and where["ports"]["moto"] == stack.moto_port
    assert where["urls"]["console"] == f"{stack.url}/console"
    banner = stack.log.read_text()
    assert f"console       {stack.url}/console" in banner  # the console's URL, printed at start
    assert f"(these commands find this stack's ports in {stack.state_dir}" in banner

    by_folder = {"DESTEK_STATE_DIR": str(stack.state_dir)}
    token = _devstack("token", "mehmet", env=by_folder)
    assert token.returncode == 0, token.stderr
    status, me = Http(stack.url, token.stdout.strip()).call("GET", "/me")
    assert status == 200 and me["username"] == "mehmet"

    eml = tmp_path / "bilgi.eml"
    eml.write_bytes(
        b"From: Deniz <deniz.port@example.com>\r\nTo: destek@magaza.example\r\n"
        b"Subject: Port testi\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nMerhaba\r\n"
    )
    dropped = _devstack("mail", str(eml), "--state-dir", str(stack.state_dir))
    assert dropped.returncode == 0, dropped.stderr
    agent = Http(stack.url, token.stdout.strip())

    def pooled():
        page = agent.call("GET", "/precases?channel=email&order=newest&limit=100")[1]
        return [p for p in page["items"] if p["subject"] == "Port testi"]

    eventually(pooled)

    nowhere = _devstack("token", "mehmet", "--state-dir", str(tmp_path / "none"))
    assert nowhere.returncode == 1 and "make run" in nowhere.stderr
    assert "Traceback" not in nowhere.stderr


def test_the_readme_names_every_port_flag():
    usage = _devstack("run", "--help").stdout
    flags = {flag for flag in re.findall(r"--[a-z-]+", usage) if flag.endswith("-port")}
    assert flags == {"--api-port", "--moto-port", "--site-port", "--mailbox-port"}
    readme = (ROOT / "README.md").read_text()
    for flag in (*flags, "--state-dir", "make reset"):
        assert flag in readme, flag


def _raw(stack, request: bytes) -> tuple[int, dict]:
    """Send bytes as they are (urllib would refuse to build some of these requests)."""
    with socket.create_connection(("127.0.0.1", stack.api_port), timeout=60) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    assert headers["Content-Type"] == "application/json", head
    return int(lines[0].split()[1]), json.loads(body)


def test_every_unknown_path_is_destek_json_404_inside_the_rate_limit(stack):
    """chalice local answered `/a/b` with its own 403 outside the error shape and the rate
    limit; API Gateway sends any path no route takes to `/{proxy+}` (destek's 404)."""
    anyone = Http(stack.url)
    for path in ("/a/b", "/cases/x/y/z", "/console/x/y", "/", "/%C3%BC/%2F/x"):
        status, body = anyone.call("GET", path)
        assert status == 404 and body["error"]["code"] == "not_found", (path, body)
    for method in ("POST", "PUT", "PATCH", "DELETE"):  # by any method, as API Gateway routes it
        status, body = anyone.call(method, "/a/b/c", {})
        assert status == 404 and body["error"]["code"] == "not_found", (method, body)
    status, body = anyone.call("DELETE", "/health", {})  # served, but not by this method
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
    answers = [anyone.call("GET", f"/deep/unknown/{n}")[0] for n in range(130)]
    assert 429 in answers and set(answers) <= {404, 429}  # 60 a minute: 130 fill one of two


def test_oversize_headers_get_a_json_431(stack):
    long_line = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Long: " + b"a" * 70000 + b"\r\n\r\n"
    status, body = _raw(stack, long_line)
    assert status == 431 and body["error"]["code"] == "headers_too_large"
    many = b"".join(b"X-H%d: v\r\n" % n for n in range(120))
    status, body = _raw(stack, b"GET /health HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    assert status == 431 and body["error"]["code"] == "headers_too_large"
    status, body = _raw(stack, b"GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: x\r\n\r\n")
    assert status == 400 and body["error"]["code"] == "bad_request"
