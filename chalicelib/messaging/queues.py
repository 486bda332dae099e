"""SQS: the routing queue that takes a new case off the request path."""

from __future__ import annotations

import json


class SqsCaseEvents:
    def __init__(self, routing_queue_url: str) -> None:
        self.routing_queue_url = routing_queue_url

    def case_opened(self, case_id: str, number: str) -> None:
        from ..store.aws import client

        body = {"type": "case.opened", "case_id": case_id, "number": number}
        client("sqs").send_message(QueueUrl=self.routing_queue_url, MessageBody=json.dumps(body))


class SqsNoticeQueue:
    def __init__(self, notify_queue_url: str) -> None:
        self.notify_queue_url = notify_queue_url

    def enqueue(self, case_id: str, notice_id: str) -> None:
        from ..store.aws import client

        body = {"type": "notice", "case_id": case_id, "notice_id": notice_id}
        client("sqs").send_message(QueueUrl=self.notify_queue_url, MessageBody=json.dumps(body))


class SqsSurveyJobs:
    """The `surveys` queue: a run's next step (services/survey_runs.py)."""

    def __init__(self, queue_url: str) -> None:
        self.queue_url = queue_url

    def enqueue(self, step: dict) -> None:
        from ..store.aws import client

        client("sqs").send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(step))
