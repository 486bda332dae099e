"""`/dead-letters` lists every queue of the registry and re-drives each to its own queue."""

from __future__ import annotations

import uuid

from chalicelib.messaging.queue_registry import QUEUES

from .conftest import aws


def test_every_registry_queue_is_listed_and_redriven_to_its_own_queue(aws_env, as_role):
    admin = as_role("admin")
    sqs = aws(aws_env, "sqs")
    marks = {}
    for spec in QUEUES:
        marks[spec.name] = f"dead letter of {spec.name} {uuid.uuid4().hex}"
        sqs.send_message(QueueUrl=aws_env[spec.dead_letter_variable], MessageBody=marks[spec.name])
    for spec in QUEUES:
        sqs.purge_queue(QueueUrl=aws_env[spec.url_variable])
    listed = {q["queue"]: q["messages"] for q in admin.get("/dead-letters").body}
    assert set(listed) == {spec.name for spec in QUEUES}
    for spec in QUEUES:
        assert listed[spec.name] >= 1, spec.name
        moved = admin.post(f"/dead-letters/{spec.name}/redrive", {"limit": 100})
        assert moved.status == 200 and moved.body["moved"] >= 1, spec.name
        # back on its own queue, not another's: what else is on it was left there by earlier
        # tests of this worker (no handler runs here), which no later test reads (each takes
        # its own messages), so it is purged first and the mark is all there is to find
        bodies = []
        while marks[spec.name] not in bodies:
            got = sqs.receive_message(QueueUrl=aws_env[spec.url_variable], VisibilityTimeout=5,
                                      MaxNumberOfMessages=10).get("Messages", [])  # fmt: skip
            if not got:
                break
            for message in got:
                bodies.append(message["Body"])
                if message["Body"] == marks[spec.name]:
                    sqs.delete_message(QueueUrl=aws_env[spec.url_variable],
                                       ReceiptHandle=message["ReceiptHandle"])  # fmt: skip
        assert marks[spec.name] in bodies, spec.name
    # a re-drive moves at most `limit` messages; other tests of this worker may have left more
    # than that in a dead-letter queue, so each is re-driven until one moves nothing
    for spec in QUEUES:
        for _ in range(50):
            if admin.post(f"/dead-letters/{spec.name}/redrive", {"limit": 100}).body["moved"] == 0:
                break
    after = {q["queue"]: q["messages"] for q in admin.get("/dead-letters").body}
    assert all(count == 0 for count in after.values()), after
