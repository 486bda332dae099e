"""The local stack's snapshots: a restart loads the snapshot and replays only the journal
after it; a kill -9 at any moment, in the middle of writing a snapshot included, loses no
answered write; the journal segments a snapshot covers are deleted.

Each life of the server is its own process (moto's state is the process's): a script
starts a MotoServer with a journal, does the writes the test names, and reports; the
test kills it with SIGKILL, as a crash would, and starts the next life on the same folder.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from devstack import snapshot
from devstack.journal import Journal
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 2000  # loaded straight into the table: only a snapshot keeps them
TAIL = 30  # journaled puts after the snapshot
LIFE_REPORT_SECONDS = 240  # a life reports in about 3 s on an idle machine

LIFE = r"""
import json, os, sys, time
from pathlib import Path
from devstack import fast_dynamodb, snapshot
from devstack.journal import Journal
from devstack.moto_server import MotoServer

port, folder, plan = int(sys.argv[1]), Path(sys.argv[2]), json.loads(sys.argv[3])
server = MotoServer("127.0.0.1", port, Journal(folder / "journal.jsonl"),
                    snapshot_every=plan.get("every")).start()
report = {"replayed": vars(server.replayed)}
if plan.get("fill"):
    import boto3
    aws = lambda service: boto3.client(service, endpoint_url=server.url, region_name="us-east-1",
                                       aws_access_key_id="k", aws_secret_access_key="s")
    dynamodb = aws("dynamodb")
    key = [{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}]
    types = [{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK", "G")]
    dynamodb.create_table(
        TableName="t", KeySchema=key, AttributeDefinitions=types, BillingMode="PAY_PER_REQUEST",
        GlobalSecondaryIndexes=[{"IndexName": "by-group", "Projection": {"ProjectionType": "ALL"},
                                 "KeySchema": [{"AttributeName": "G", "KeyType": "HASH"},
                                               {"AttributeName": "SK", "KeyType": "RANGE"}]}])
    fast_dynamodb.import_items("t", [
        {"PK": {"S": f"case#{i}"}, "SK": {"S": "-"}, "G": {"S": f"group#{i % 7}"},
         "n": {"N": str(i)}, "m": {"M": {"a": {"L": [{"S": "ğüş"}, {"NULL": True}]}}},
         "b": {"B": bytes([i % 256]) * 3}}
        for i in range(plan["fill"])
    ], "123456789012", "us-east-1")
    cognito = aws("cognito-idp")
    pool = cognito.create_user_pool(PoolName="p")["UserPool"]["Id"]
    app = cognito.create_user_pool_client(UserPoolId=pool, ClientName="c",
        ExplicitAuthFlows=["USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    sub = cognito.sign_up(ClientId=app, Username="u@example.com", Password="Parola2026!")["UserSub"]
    cognito.admin_confirm_sign_up(UserPoolId=pool, Username="u@example.com")
    tokens = cognito.initiate_auth(ClientId=app, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "u@example.com", "PASSWORD": "Parola2026!"})
    s3 = aws("s3")
    s3.create_bucket(Bucket="snapshot-test")
    s3.put_object(Bucket="snapshot-test", Key="k", Body=bytes(range(256)))
    sqs = aws("sqs")
    queue = sqs.create_queue(QueueName="q")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody="before")
    report.update(pool=pool, app=app, sub=sub, queue=queue,
                  refresh=tokens["AuthenticationResult"]["RefreshToken"])
def tail():
    import boto3
    dynamodb = boto3.client("dynamodb", endpoint_url=server.url, region_name="us-east-1",
                            aws_access_key_id="k", aws_secret_access_key="s")
    for i in range(plan.get("tail", 0)):
        dynamodb.put_item(TableName="t", Item={"PK": {"S": f"tail#{i}"}, "SK": {"S": "-"},
                                               "G": {"S": "group#tail"}})
def hang(*_):
    (folder / "writing").touch()
    time.sleep(600)
if plan.get("hang") == "before-rename":  # written to its temporary file, not yet in place
    os.replace = hang
if plan.get("hang") == "before-drop":  # in place; the segments it covers not yet deleted
    server.journal.drop = hang
if plan.get("snapshot") and plan.get("hang"):
    import threading
    if not plan.get("fork"):
        tail()  # an in-process snapshot holds every service: writes wait for it
    threading.Thread(target=server.snapshot, kwargs={"fork": plan.get("fork", True)},
                     daemon=True).start()
    deadline = time.monotonic() + 180
    while not (folder / "writing").exists():
        if time.monotonic() > deadline:
            sys.exit("the snapshot never reached the point where it hangs")
        time.sleep(0.05)
    if plan.get("fork"):
        tail()  # the forked child writes; the server answers meanwhile
elif plan.get("snapshot"):
    report["snapshot"] = vars(server.snapshot())
    tail()
else:
    tail()
    if plan.get("every"):
        time.sleep(3)  # the snapshot thread looks once a second
print(json.dumps(report), flush=True)
time.sleep(600)
"""


class Life:
    """One life of a journaled moto server on `folder`, in its own process."""

    def __init__(self, folder: Path, **plan) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-c", LIFE, str(self.port), str(folder), json.dumps(plan)],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        # bounded: a life that hangs (a snapshot child that never writes) fails the test
        # with what it said, rather than holding the test run until CI's own time limit
        ready, _, _ = select.select([self.process.stdout], [], [], LIFE_REPORT_SECONDS)
        line = self.process.stdout.readline() if ready else ""
        if not line:
            self.process.kill()
            raise AssertionError(
                f"the server's life did not report in {LIFE_REPORT_SECONDS} s:"
                f" exit {self.process.wait(timeout=30)}"
            )
        self.report = json.loads(line)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def aws(self, service: str):
        return boto3.client(
            service, endpoint_url=self.url, region_name="us-east-1",
            aws_access_key_id="k", aws_secret_access_key="s",
            config=Config(retries={"max_attempts": 1}),
        )  # fmt: skip


def _segments(folder: Path) -> list[int]:
    return [number for number, _ in Journal(folder / "journal.jsonl").segments()]


def _assert_everything_there(life: Life, first: dict, tail: int) -> None:
    dynamodb = life.aws("dynamodb")
    count = dynamodb.scan(TableName="t", Select="COUNT")
    total = count["Count"]
    while "LastEvaluatedKey" in count:
        count = dynamodb.scan(TableName="t", Select="COUNT",
                              ExclusiveStartKey=count["LastEvaluatedKey"])  # fmt: skip
        total += count["Count"]
    assert total == ITEMS + tail
    item = dynamodb.get_item(TableName="t", Key={"PK": {"S": "case#1234"}, "SK": {"S": "-"}})
    assert item["Item"]["m"] == {"M": {"a": {"L": [{"S": "ğüş"}, {"NULL": True}]}}}
    assert item["Item"]["b"] == {"B": bytes([1234 % 256]) * 3}
    group = dynamodb.query(
        TableName="t", IndexName="by-group", KeyConditionExpression="G = :g",
        ExpressionAttributeValues={":g": {"S": "group#3"}},
    )  # fmt: skip
    assert group["Count"] == len(range(3, ITEMS, 7))
    if tail:
        tails = dynamodb.query(
            TableName="t", IndexName="by-group", KeyConditionExpression="G = :g",
            ExpressionAttributeValues={":g": {"S": "group#tail"}},
        )  # fmt: skip
        assert tails["Count"] == tail
    cognito = life.aws("cognito-idp")
    user = cognito.admin_get_user(UserPoolId=first["pool"], Username="u@example.com")
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"] == first["sub"]
    refreshed = cognito.initiate_auth(
        ClientId=first["app"], AuthFlow="REFRESH_TOKEN_AUTH",
        AuthParameters={"REFRESH_TOKEN": first["refresh"]},
    )  # fmt: skip
    assert refreshed["AuthenticationResult"]["IdToken"]
    stored = life.aws("s3").get_object(Bucket="snapshot-test", Key="k")["Body"].read()
    assert stored == bytes(range(256))
    got = life.aws("sqs").receive_message(QueueUrl=first["queue"], MaxNumberOfMessages=10)
    assert [m["Body"] for m in got["Messages"]] == ["before"]


def test_a_restart_loads_the_snapshot_and_replays_only_the_writes_after_it(tmp_path):
    first = Life(tmp_path, fill=ITEMS, snapshot=True, tail=TAIL)
    first.kill()
    written = first.report["snapshot"]
    assert written["items"] == ITEMS and written["segment"] == 1
    assert _segments(tmp_path) == [2]  # the covered segment is gone: the journal was compacted
    second = Life(tmp_path)
    try:
        replayed = second.report["replayed"]
        assert replayed["snapshot_items"] == ITEMS  # the tail is not in it
        assert replayed["writes"] == TAIL and replayed["differed"] == 0
        _assert_everything_there(second, first.report, TAIL)
    finally:
        second.kill()


@pytest.mark.parametrize("fork", [True, False], ids=["forked", "in-process"])
def test_a_kill_while_a_snapshot_is_written_loses_nothing(tmp_path, fork):
    first = Life(tmp_path, fill=ITEMS, snapshot=True)
    first.kill()  # a snapshot with the loaded items, so the next one has something to lose
    second = Life(tmp_path, snapshot=True, hang="before-rename", fork=fork, tail=TAIL)
    parts = list(tmp_path.glob(f"{snapshot.NAME}.part-*"))
    assert parts and parts[0].stat().st_size > 0  # mid-way: written, not yet in place
    second.kill()
    (tmp_path / "writing").unlink()
    if fork:  # the writing child dies with its server: it cannot rename its file later
        child = int(parts[0].name.rsplit("-", 1)[1])
        deadline = time.monotonic() + 10
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child)
    third = Life(tmp_path)
    try:
        assert not list(tmp_path.glob(f"{snapshot.NAME}.part-*"))  # the leftover is removed
        assert third.report["replayed"]["writes"] == TAIL
        _assert_everything_there(third, first.report, TAIL)
    finally:
        third.kill()


def test_a_kill_after_the_snapshot_but_before_the_compaction_loses_nothing(tmp_path):
    first = Life(tmp_path, fill=ITEMS, snapshot=True, hang="before-drop", fork=True, tail=TAIL)
    first.kill()
    assert _segments(tmp_path) == [1, 2]  # covered by the snapshot, but still there
    second = Life(tmp_path)
    try:
        assert second.report["replayed"]["writes"] == TAIL  # segment 1 is not replayed again
        assert _segments(tmp_path) == [2]
        _assert_everything_there(second, first.report, TAIL)
    finally:
        second.kill()


def test_the_server_takes_a_snapshot_every_so_many_writes_and_compacts_the_journal(tmp_path):
    first = Life(tmp_path, fill=ITEMS, snapshot=True)
    first.kill()
    second = Life(tmp_path, tail=TAIL, every=10)  # 30 writes: at least one snapshot
    second.kill()
    assert snapshot.header(tmp_path).segment >= 2
    assert len(_segments(tmp_path)) == 1
    third = Life(tmp_path)
    try:
        assert third.report["replayed"]["writes"] < TAIL
        assert third.report["replayed"]["snapshot_items"] > ITEMS
        _assert_everything_there(third, first.report, TAIL)
    finally:
        third.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not yet reaped by anyone) is not running
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_a_snapshot_child_that_never_ends_is_killed_and_the_journal_kept(tmp_path):
    """A forked child that inherited a lock held at the fork never ends: waited for
    forever, it held the snapshot thread, and with it the stack's stop."""
    from devstack import moto_server

    child = os.fork()
    if child == 0:  # pragma: no cover - the stuck child
        time.sleep(600)
        os._exit(0)
    started = time.monotonic()
    assert moto_server._wait_for(child, tmp_path, seconds=0.5) is None
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # killed and reaped
