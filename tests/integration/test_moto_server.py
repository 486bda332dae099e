"""devstack's moto server: per-service locks, item-level transaction rollback, the journal.

Each test starts its own small MotoServer in this process (the suite's shared one comes from
the same class: tests/integration/conftest.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from devstack.journal import Journal
from devstack.moto_server import MotoServer, is_write
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]


def client(server: MotoServer, service: str):
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=64),
    )


def make_table(dynamodb, name: str | None = None) -> str:
    """A new table (moto's state is shared by the whole process: each test has its own)."""
    name = name or f"t-{uuid.uuid4().hex[:8]}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


@pytest.fixture
def moto():
    server = MotoServer("127.0.0.1", free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def slow_machine(monkeypatch):
    """moto's item reads take 5 ms, as on a loaded machine: the window between a
    transaction's condition check and its write, where another request could slip in."""
    from moto.dynamodb.models import DynamoDBBackend

    read = DynamoDBBackend.get_item

    def slow_read(self, *args, **kwargs):
        found = read(self, *args, **kwargs)
        time.sleep(0.005)
        return found

    monkeypatch.setattr(DynamoDBBackend, "get_item", slow_read)


def test_concurrent_conditional_transactions_on_one_item_have_one_winner(moto, slow_machine):
    """Without the lock several passed the same condition (both agents "won" a claim)."""
    dynamodb = client(moto, "dynamodb")
    table = make_table(dynamodb)
    dynamodb.put_item(
        TableName=table, Item={"PK": {"S": "case"}, "SK": {"S": "-"}, "version": {"N": "1"}}
    )
    contenders = 24
    start = threading.Barrier(contenders, timeout=120)

    def claim(who: int) -> str:
        start.wait()
        try:
            dynamodb.transact_write_items(
                TransactItems=[
                    {"Update": {
                        "TableName": table,
                        "Key": {"PK": {"S": "case"}, "SK": {"S": "-"}},
                        "UpdateExpression": "SET version = :next, assignee = :who",
                        "ConditionExpression": "version = :seen",
                        "ExpressionAttributeValues": {
                            ":seen": {"N": "1"}, ":next": {"N": "2"}, ":who": {"S": str(who)}
                        },
                    }},
                    {"Put": {"TableName": table,
                             "Item": {"PK": {"S": "case"}, "SK": {"S": f"h{who}"}}}},
                ]
            )  # fmt: skip
            return "won"
        except ClientError as error:
            return error.response["Error"]["Code"]

    with ThreadPoolExecutor(contenders) as pool:
        outcomes = Counter(pool.map(claim, range(contenders)))
    assert outcomes == {"won": 1, "TransactionCanceledException": contenders - 1}
    history = dynamodb.query(
        TableName=table,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :h)",
        ExpressionAttributeValues={":pk": {"S": "case"}, ":h": {"S": "h"}},
    )["Items"]
    assert len(history) == 1  # the losers' history lines were taken back


def test_writes_beside_cancelled_transactions_are_kept(moto, slow_machine):
    """A cancelled transaction put back its copy of the whole table, erasing what other
    requests wrote meanwhile: answered 200, then gone."""
    dynamodb = client(moto, "dynamodb")
    table = make_table(dynamodb)
    dynamodb.put_item(TableName=table, Item={"PK": {"S": "lock"}, "SK": {"S": "-"}})

    def cancelled(n: int) -> None:
        with pytest.raises(ClientError):
            dynamodb.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table,
                             "Item": {"PK": {"S": f"tx{n}"}, "SK": {"S": "-"}}}},
                    {"ConditionCheck": {"TableName": table,
                                        "Key": {"PK": {"S": "lock"}, "SK": {"S": "-"}},
                                        "ConditionExpression": "attribute_not_exists(PK)"}},
                ]
            )  # fmt: skip

    def put(n: int) -> None:
        dynamodb.put_item(TableName=table, Item={"PK": {"S": f"p{n}"}, "SK": {"S": "-"}})

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda n: cancelled(n) if n % 2 else put(n), range(200)))
    keys = set()
    for page in dynamodb.get_paginator("scan").paginate(TableName=table):
        keys |= {item["PK"]["S"] for item in page["Items"]}
    assert keys == {"lock"} | {f"p{n}" for n in range(0, 200, 2)}


def test_a_cancelled_transaction_puts_back_exactly_the_items_it_touched(moto):
    """Item-level rollback: an updated item gets its old attributes back, a new one goes, and
    the table itself is not replaced by a copy (which made each transaction cost the table)."""
    from moto.dynamodb.models import dynamodb_backends

    dynamodb = client(moto, "dynamodb")
    table = make_table(dynamodb)
    for n in range(50):
        dynamodb.put_item(
            TableName=table, Item={"PK": {"S": f"k{n}"}, "SK": {"S": "-"}, "v": {"N": str(n)}}
        )
    kept = dynamodb_backends["123456789012"]["us-east-1"].tables[table]
    before = dynamodb.scan(TableName=table)["Items"]
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(
            TransactItems=[
                {"Update": {"TableName": table, "Key": {"PK": {"S": "k1"}, "SK": {"S": "-"}},
                            "UpdateExpression": "SET v = :v, extra = :v",
                            "ExpressionAttributeValues": {":v": {"N": "99"}}}},
                {"Put": {"TableName": table, "Item": {"PK": {"S": "new"}, "SK": {"S": "-"}}}},
                {"Delete": {"TableName": table, "Key": {"PK": {"S": "k2"}, "SK": {"S": "-"}}}},
                {"ConditionCheck": {"TableName": table,
                                    "Key": {"PK": {"S": "k3"}, "SK": {"S": "-"}},
                                    "ConditionExpression": "v = :nine",
                                    "ExpressionAttributeValues": {":nine": {"N": "9"}}}},
            ]
        )  # fmt: skip
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert dynamodb.scan(TableName=table)["Items"] == before
    assert dynamodb_backends["123456789012"]["us-east-1"].tables[table] is kept


def test_reads_and_writes_are_told_apart():
    assert is_write("POST", "PutItem") and is_write("POST", "TransactWriteItems")
    assert is_write("POST", "SignUp") and is_write("POST", "InitiateAuth")
    assert not is_write("POST", "GetItem") and not is_write("POST", "Query")
    assert not is_write("POST", "ReceiveMessage") and not is_write("POST", "AdminGetUser")
    assert is_write("PUT", "") and is_write("DELETE", "") and not is_write("GET", "")


class MotoProcess:
    """A MotoServer with a journal in its own process, as the local stack runs it: a restart
    is a new process whose moto starts empty and replays the journal."""

    SCRIPT = (
        "import json, sys, time\n"
        "from pathlib import Path\n"
        "from devstack.journal import Journal\n"
        "from devstack.moto_server import MotoServer\n"
        "server = MotoServer('127.0.0.1', int(sys.argv[1]), Journal(Path(sys.argv[2]))).start()\n"
        "print(json.dumps(vars(server.replayed)), flush=True)\n"
        "time.sleep(600)\n"
    )

    def __init__(self, journal: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-c", self.SCRIPT, str(self.port), str(journal)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.replayed = json.loads(self.process.stdout.readline())
        self.url = f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def test_the_journal_replays_every_service_with_the_same_ids_and_tokens(tmp_path):
    """Pools, clients, subs and tokens come from moto's random source and clock: the replay
    gives them the values they had, so stored references and a browser's tokens still work."""
    path = tmp_path / "journal.jsonl"
    first = MotoProcess(path)
    try:
        assert first.replayed["writes"] == 0
        cognito = client(first, "cognito-idp")
        pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
        app = cognito.create_user_pool_client(
            UserPoolId=pool, ClientName="c", ExplicitAuthFlows=["USER_PASSWORD_AUTH"]
        )["UserPoolClient"]["ClientId"]
        sub = cognito.sign_up(ClientId=app, Username="u@example.com", Password="Parola2026!")[
            "UserSub"
        ]
        cognito.admin_confirm_sign_up(UserPoolId=pool, Username="u@example.com")
        tokens = cognito.initiate_auth(
            ClientId=app,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "u@example.com", "PASSWORD": "Parola2026!"},
        )["AuthenticationResult"]
        dynamodb = client(first, "dynamodb")
        table = make_table(dynamodb)
        dynamodb.put_item(TableName=table, Item={"PK": {"S": "a"}, "SK": {"S": "-"}})
        with pytest.raises(ClientError):  # refused: not journaled, and not replayed
            dynamodb.put_item(
                TableName=table,
                Item={"PK": {"S": "a"}, "SK": {"S": "-"}, "x": {"S": "second"}},
                ConditionExpression="attribute_not_exists(PK)",
            )
        s3 = client(first, "s3")
        s3.create_bucket(Bucket="journal-test")
        blob = bytes(range(256)) * 8
        s3.put_object(Bucket="journal-test", Key="dir/blob", Body=blob)
        sqs = client(first, "sqs")
        queue = sqs.create_queue(QueueName="q")["QueueUrl"]
        sqs.send_message(QueueUrl=queue, MessageBody="done")
        sqs.send_message(QueueUrl=queue, MessageBody="waiting")
        got = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        handled = next(m for m in got if m["Body"] == "done")
        sqs.delete_message(QueueUrl=queue, ReceiptHandle=handled["ReceiptHandle"])
    finally:
        first.stop()

    last = Journal(path).segments()[-1][1]
    with last.open("ab") as journal:  # the process died while writing one more line
        journal.write(b'{"at": 1, "seed": 2, "envi')
    time.sleep(1)  # the tokens' clock: a replay one second later must not change them
    second = MotoProcess(path)
    try:
        assert second.replayed["writes"] > 0 and second.replayed["differed"] == 0
        assert second.replayed["skipped"] == 1  # "done" was deleted: it is not sent again
        cognito = client(second, "cognito-idp")
        assert [p["Id"] for p in cognito.list_user_pools(MaxResults=10)["UserPools"]] == [pool]
        user = cognito.admin_get_user(UserPoolId=pool, Username="u@example.com")
        assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"] == sub
        assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"]
        again = cognito.initiate_auth(
            ClientId=app,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]},
        )
        assert again["AuthenticationResult"]["IdToken"]
        items = client(second, "dynamodb").scan(TableName=table)["Items"]
        assert items == [{"PK": {"S": "a"}, "SK": {"S": "-"}}]
        stored = client(second, "s3").get_object(Bucket="journal-test", Key="dir/blob")
        assert stored["Body"].read() == blob
        left = client(second, "sqs").receive_message(QueueUrl=queue, MaxNumberOfMessages=10)
        assert [m["Body"] for m in left["Messages"]] == ["waiting"]
    finally:
        second.stop()
    assert last.read_bytes().endswith(b"\n")  # the torn line was cut off
