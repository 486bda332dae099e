"""A real moto server (in this process), resources from infra/template.yaml, demo data,
and the app through chalice.test.Client.

A server rather than mock_aws: the app fetches Cognito's JWKS over HTTP exactly as
it does in AWS, so token checks run the production path.
"""

from __future__ import annotations

import base64
import os
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from tests.support import ROLE_USERS, Api, free_port, sign_in


@pytest.fixture(scope="session")
def aws_env() -> Iterator[dict[str, str]]:
    from devstack.bootstrap import provision
    from devstack.moto_server import MotoServer

    # devstack's moto server, as the local stack's: one lock per service, so concurrent tests
    # and threads see what AWS would (moto's backends are not thread-safe on their own)
    server = MotoServer("127.0.0.1", free_port()).start()
    saved = dict(os.environ)
    env = provision(server.url, stage="test", max_receive_count=2)
    os.environ.update(env)
    from chalicelib import wiring
    from devstack.seed import seed

    wiring.reset()
    seed(env)
    yield env
    os.environ.clear()
    os.environ.update(saved)
    wiring.reset()
    server.stop()


@pytest.fixture(autouse=True)
def _fast_engine_in_place(request) -> None:
    """The session's server answers on devstack's DynamoDB engine, or a test fails here,
    at once: on stock moto each transaction copies the whole shared table, and a test that
    drains a queue ran for over an hour (a conformance test had left the engine out)."""
    if "aws_env" in request.fixturenames:
        from devstack import fast_dynamodb

        assert fast_dynamodb.is_installed(), "devstack/fast_dynamodb.py is not installed"


_CLIENTS = iter(range(1, 2**24))


@pytest.fixture(autouse=True)
def source_ip(monkeypatch) -> str:
    """Each test calls from its own address (10.x.y.z), as each visitor does: the public
    routes' per-client limits count a minute across tests otherwise, and a test that posts
    a few ratings met a 429 left by the tests before it in the same minute."""
    from chalice.local import LambdaEventConverter

    n = next(_CLIENTS)
    ip = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", ip)
    return ip


@pytest.fixture(scope="session")
def tokens(aws_env) -> dict[str, str]:
    return {role: sign_in(aws_env, user) for role, user in ROLE_USERS.items()}


@pytest.fixture(scope="session")
def chalice_app(aws_env):
    import app

    return app


@pytest.fixture(scope="session")
def client(chalice_app):
    from chalice.test import Client

    with Client(chalice_app.app) as test_client:
        yield test_client


@pytest.fixture
def api(client) -> Api:
    return Api(client)


@pytest.fixture
def as_role(api, tokens):
    def make(role: str | None) -> Api:
        return api.as_(tokens[role] if role else None)

    return make


def aws(env: dict[str, str], service: str):
    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def case_event_reader(env: dict[str, str], app_module):
    """The table's stream read as Lambda reads it for `publish_case_events` (to the events
    bus, and so to every consumer's queue), from now on (`LATEST`); it leaves the shard's
    records in place (`trim=False`), since other tests' readers read the same shard."""
    from devstack.streams import StreamReader, table_stream

    return StreamReader(
        aws(env, "dynamodbstreams"),
        table_stream(aws(env, "dynamodb"), env["TABLE_NAME"]),
        app_module.publish_case_events, "publish_case_events", 100, start="LATEST",
        retry_after_seconds=0, trim=False,
    )  # fmt: skip


@pytest.fixture
def table_items(aws_env):
    """Every item in the table, as DynamoDB's AttributeValues (`{"PK": {"S": ...}, ...}`),
    in key order, but the case counters: a refused create may have reserved this process's
    block of case numbers (as a database sequence is consumed by a rolled-back insert) and
    given its number back to the process (store/case_numbers.py); the reservation is no data
    a person sees.

    Read from moto's backend in this process (under its lock), not by a Scan: a test that
    checks a refusal "writes nothing" takes two snapshots, and over HTTP a whole table of a
    long run took seconds each (135 such checks: minutes of the suite)."""
    from moto.dynamodb.models import dynamodb_backends

    from devstack.fast_dynamodb import backend_lock
    from devstack.lambda_runtime import ACCOUNT

    region = aws_env["AWS_REGION"]

    def snapshot() -> list[dict]:
        with backend_lock(ACCOUNT, region):
            table = dynamodb_backends[ACCOUNT][region].get_table(aws_env["TABLE_NAME"])
            partitions = list(table.items.values())
            items = [i.to_json()["Attributes"] for p in partitions for i in p.values()]
        kept = [i for i in items if i["PK"] != {"S": "COUNTER"}]
        return sorted(kept, key=lambda i: (i["PK"]["S"], i["SK"]["S"]))

    return snapshot


def empty_queue(sqs, url: str) -> None:
    """Take every message off a queue, unread, ten at a time (moto allows one purge a
    minute)."""
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        messages = got.get("Messages", [])
        if not messages:
            return
        entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                   for i, m in enumerate(messages)]  # fmt: skip
        sqs.delete_message_batch(QueueUrl=url, Entries=entries)


#: the session's SQS client and each queue's ARN, by endpoint and queue URL: a drainer is
#: set up for every test that asks for one, most of which never drain, and a new client and
#: a GetQueueAttributes each were a fifth of the route permission tests' time (cProfile)
_SQS: dict[str, Any] = {}
_ARNS: dict[str, str] = {}


def _drainer(aws_env, variable: str, handler, name: str):
    """`drain()`: the queue fed to `handler` until a round finds nothing; the dispatcher is
    made at the first drain."""
    from devstack.dispatcher import Binding, Dispatcher

    url = aws_env[variable]
    made: list[Dispatcher] = []

    def drain(*args, **kwargs) -> int:
        if not made:
            endpoint = aws_env["AWS_ENDPOINT_URL"]
            sqs = _SQS.get(endpoint) or _SQS.setdefault(endpoint, aws(aws_env, "sqs"))
            if url not in _ARNS:
                attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
                _ARNS[url] = attributes["Attributes"]["QueueArn"]
            binding = Binding(url, _ARNS[url], handler, name)
            made.append(Dispatcher(sqs, [binding], aws_env["AWS_REGION"], 0))
        return made[0].drain(*args, **kwargs)

    return drain


@pytest.fixture
def drain_routing(aws_env, client, chalice_app):
    """Feed what is on the routing queue to the router, as Lambda would (real receive)."""
    return _drainer(aws_env, "ROUTING_QUEUE_URL", chalice_app.route_cases, "route_cases")


@pytest.fixture
def drain_notify(aws_env, client, chalice_app):
    """Feed what is on the notify queue to the notifier, from what this test sends on: the
    notices earlier tests of this worker left on the queue are taken off unread first (no
    fixture opens a case before this one is set up). Nobody reads them, and delivering
    thousands of them took the first test that drained the queue a minute or more."""
    empty_queue(aws(aws_env, "sqs"), aws_env["NOTIFY_QUEUE_URL"])
    return _drainer(aws_env, "NOTIFY_QUEUE_URL", chalice_app.deliver_notices, "deliver_notices")


@pytest.fixture
def mailbox(aws_env):
    """What moto's SES and SNS captured (moto runs in this process)."""
    from devstack.mailbox import messages

    return lambda: messages(aws_env["AWS_REGION"])


def all_items(api: Api, path: str) -> list[dict]:
    """Every item of a list, following `next_cursor` page after page: the worker's earlier
    tests leave cases in the same pools and views, so a first page need not hold a test's
    own (`path` has a query already, e.g. "/cases?view=pool&group_id=urun&limit=100")."""
    items, cursor = [], None
    while True:
        page = api.get(path + (f"&cursor={cursor}" if cursor else "")).body
        items += page["items"]
        if not (cursor := page.get("next_cursor")):
            return items


def open_case(api: Api, **overrides) -> dict:
    body = {
        "customer": {"phone": "0532 123 45 67"},
        "type": "complaint",
        "subject": "Bir sorum var",
        "description": "Hesabımla ilgili bilgi almak istiyorum",
        **overrides,
    }
    answer = api.post("/cases", body)
    assert answer.status == 201, answer
    return answer.body


#: two active signing secrets of the test shop: the old one still valid while the new rolls out
OLD = "whsec_" + base64.b64encode(b"an old secret, still active!").decode()
NEW = "whsec_" + base64.b64encode(b"the new secret, rolled out ok").decode()


@pytest.fixture(scope="session")
def shop(aws_env) -> str:
    """A shop whose backend may call /integrations/test-shop/... (secrets in SSM)."""
    aws(aws_env, "ssm").put_parameter(
        Name=f"{aws_env['INTEGRATION_SECRETS_PREFIX']}/test-shop",
        Value=f"{OLD}\n{NEW}",
        Type="SecureString",
        Overwrite=True,
    )
    return "test-shop"


@pytest.fixture
def drain_mail(aws_env, client, chalice_app):
    return _drainer(aws_env, "INBOUND_MAIL_QUEUE_URL", chalice_app.take_inbound_mail, "mail")


@pytest.fixture
def deliver(aws_env, drain_mail):
    """Store a raw message where SES would, and let the queue carry it to the handler."""
    s3 = aws(aws_env, "s3")

    def drop(raw: bytes, key: str | None = None) -> str:
        key = key or f"inbound/{uuid.uuid4().hex}"
        s3.put_object(Bucket=aws_env["INBOUND_MAIL_BUCKET"], Key=key, Body=raw)
        assert drain_mail() >= 1
        return key

    return drop
