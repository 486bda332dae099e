"""Logger, Metrics and Tracer, created once per process and shared by every entry point.

Powertools reads its settings (service name, namespace, log level, whether
tracing is on) from POWERTOOLS_* environment variables, so the same code logs
JSON to CloudWatch in AWS and to the terminal on the local stack.

The Tracer is built on first use, not at import: it loads the X-Ray SDK and
botocore, which would triple the time `import app` takes (cold-start budget).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

logger = Logger(service="destek")
metrics = Metrics(namespace="Destek", service="destek")


@lru_cache(maxsize=1)
def tracer() -> Any:
    """Built once; on creation Powertools patches botocore, so each AWS call is a subsegment."""
    from aws_lambda_powertools import Tracer

    return Tracer(service="destek")


def tracing_on() -> bool:
    """X-Ray is there only inside Lambda, unless switched off (the rule Powertools applies)."""
    disabled = os.getenv("POWERTOOLS_TRACE_DISABLED", "false").lower() in ("1", "true", "yes")
    return bool(os.getenv("LAMBDA_TASK_ROOT")) and not disabled


@contextmanager
def traced(name: str, **annotations: str | int) -> Iterator[None]:
    """A subsegment around one request or batch, annotated so traces can be searched by route."""
    if not tracing_on():
        yield
        return
    with tracer().provider.in_subsegment(name) as subsegment:
        for key, value in annotations.items():
            subsegment.put_annotation(key, value)
        yield


def count_case_opened(channel: str, case_type: str) -> None:
    """EMF: one CasesOpened datapoint per dimension set, so ops can split by channel or type."""
    from aws_lambda_powertools.metrics import single_metric

    for name, value in (("channel", channel), ("type", case_type)):
        with single_metric(
            name="CasesOpened", unit=MetricUnit.Count, value=1, namespace="Destek"
        ) as metric:
            metric.add_dimension(name=name, value=value)
    metrics.add_metric(name="CasesOpened", unit=MetricUnit.Count, value=1)
