"""boto3 clients, one per service per process, created on first use.

Endpoints come from the standard AWS_ENDPOINT_URL variables, so the local stack
points every client at moto without a line of code knowing about it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..config import settings


@cache
def client(service: str) -> Any:
    import boto3
    from botocore.config import Config

    config = Config(
        retries={"mode": "standard", "max_attempts": 3},
        connect_timeout=3,
        read_timeout=settings().aws_read_timeout,
    )
    return boto3.session.Session().client(service, config=config)
