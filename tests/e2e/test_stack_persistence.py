"""The local stack keeps its data across a kill -9: every write it answered is there after.

moto keeps state in memory; the stack journals each write moto answered under its state
folder before the answer leaves, and replays the journal at the next start.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import boto3

from tests.support import refreshed, sign_in, sign_up

from .conftest import ROOT, Http, start_stack

WRITES = 50


def _aws(env: dict[str, str], service: str):
    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def _devstack(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "devstack", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_a_killed_stack_comes_back_with_every_answered_write():
    first = start_stack(fresh=True)
    state = first.state_dir
    try:
        agent = Http(first.url, sign_in(first.env, "mehmet"), timeout=120)
        signed_up = sign_up(first.env, "kalici@example.com", "Kalıcı Müşteri")
        customer = Http(first.url, signed_up["id"], timeout=120)
        details = {"name": "Kalıcı Müşteri", "phone": "0535 111 22 34", "language": "tr"}
        status, profile = customer.call("POST", "/my/account", details)
        assert status == 200, profile

        def create(index: int):
            return agent.call(
                "POST",
                "/cases",
                {"customer": {"customer_number": "10000001"}, "type": "question",
                 "subject": f"Kalıcı mı {index}", "description": "Yeniden başlayınca kalsın"},
            )  # fmt: skip

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(create, range(WRITES)))
        assert [status for status, _ in answers] == [201] * WRITES, answers
        photo = bytes(range(256)) * 40  # binary, not text: the journal keeps bytes as they were
        _aws(first.env, "s3").put_object(
            Bucket=first.env["ATTACHMENTS_BUCKET"], Key="kalici/foto.bin", Body=photo
        )
        _aws(first.env, "sqs").send_message(
            QueueUrl=first.env["ROUTING_DLQ_URL"], MessageBody="bekleyen mesaj"
        )
    finally:
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=30)

    # the commands see that the stack which wrote stack.json is gone, and say so
    gone = _devstack("token", "mehmet", "--state-dir", str(state))
    assert gone.returncode == 1 and "gone" in gone.stderr and "Traceback" not in gone.stderr

    second = start_stack(state_dir=state)
    try:
        assert "restored from the last run" in second.log.read_text()
        agent = Http(second.url, sign_in(second.env, "mehmet"), timeout=120)
        for _, case in answers:
            status, found = agent.call("GET", f"/cases/{case['id']}")
            assert status == 200, (case["number"], found)
            assert found["case"]["number"] == case["number"]
            assert found["case"]["subject"] == case["subject"]
        status, newest = agent.call(
            "POST",
            "/cases",
            {"customer": {"customer_number": "10000001"}, "type": "question",
             "subject": "Sonraki", "description": "Numara kaldığı yerden devam eder"},
        )  # fmt: skip
        taken = {case["number"] for _, case in answers}
        assert status == 201 and newest["number"] not in taken

        # sign-ins survive: the site's refresh token from before the kill still works and its
        # tokens name the same customer; a password sign-in works for new and seeded customers
        fresh = Http(second.url, refreshed(second.env, signed_up["refresh"]))
        status, again = fresh.call("GET", "/my/profile")
        assert status == 200 and again["id"] == profile["id"], again
        password = Http(second.url, sign_in(second.env, "kalici@example.com"))
        assert password.call("GET", "/my/profile")[1]["id"] == profile["id"]
        seeded = Http(second.url, sign_in(second.env, "ahmet@example.com"))
        status, mine = seeded.call("GET", "/my/cases?limit=100")
        assert status == 200 and {c["id"] for c in mine["items"]} >= {c["id"] for _, c in answers}

        body = (
            _aws(second.env, "s3")
            .get_object(Bucket=second.env["ATTACHMENTS_BUCKET"], Key="kalici/foto.bin")["Body"]
            .read()
        )
        assert body == photo
        waiting = (
            _aws(second.env, "sqs")
            .receive_message(QueueUrl=second.env["ROUTING_DLQ_URL"], MaxNumberOfMessages=10)
            .get("Messages", [])
        )
        assert [m["Body"] for m in waiting] == ["bekleyen mesaj"]

        where = json.loads((state / "stack.json").read_text())
        assert where["pid"] == second.process.pid and where["data"] == str(state / "data")
    finally:
        assert second.stop() == 0
        second.remove()


def test_make_reset_starts_clean_and_refuses_while_a_stack_runs():
    running = start_stack(fresh=True)
    refused = _devstack("reset", "--state-dir", str(running.state_dir))
    assert refused.returncode == 1 and "running" in refused.stderr
    assert running.stop() == 0
    # the clean stop took a snapshot of the seeded data and dropped the journal it covers
    data = running.state_dir / "data"
    assert (data / "snapshot.pickle").exists()
    assert [p.stat().st_size for p in data.glob("journal.*.jsonl")] == [0]
    restarted = start_stack(state_dir=running.state_dir)
    log = restarted.log.read_text()
    assert restarted.stop() == 0
    assert "restored from the last run in" in log and "then 0 journaled writes" in log
    done = _devstack("reset", "--state-dir", str(running.state_dir))
    assert done.returncode == 0, done.stderr
    assert not (running.state_dir / "data").exists()
    again = start_stack(state_dir=running.state_dir)
    try:
        assert "new, with the demo data" in again.log.read_text()
    finally:
        again.discard()  # its clean stop's snapshot of the demo data nobody reads
