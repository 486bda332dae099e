"""Dead-letter queues: how many messages wait there, and sending them back to be tried again."""

from __future__ import annotations


class SqsDeadLetters:
    def __init__(self, queues: dict[str, tuple[str, str]]) -> None:
        """queues: name -> (dead-letter queue url, source queue url)."""
        self.queues = queues

    def names(self) -> list[str]:
        return sorted(self.queues)

    def count(self, name: str) -> int:
        from ..store.aws import client

        dead, _source = self.queues[name]
        attributes = client("sqs").get_queue_attributes(
            QueueUrl=dead, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def redrive(self, name: str, limit: int) -> int:
        """Move up to `limit` messages back to their source queue (send first, then delete)."""
        from ..store.aws import client

        sqs = client("sqs")
        dead, source = self.queues[name]
        moved = 0
        while moved < limit:
            batch = sqs.receive_message(
                QueueUrl=dead, MaxNumberOfMessages=min(10, limit - moved), WaitTimeSeconds=0
            ).get("Messages", [])
            if not batch:
                break
            for message in batch:
                sqs.send_message(QueueUrl=source, MessageBody=message["Body"])
                sqs.delete_message(QueueUrl=dead, ReceiptHandle=message["ReceiptHandle"])
                moved += 1
        return moved
