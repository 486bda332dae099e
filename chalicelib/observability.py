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
from datetime import datetime
from functools import lru_cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit  # services name units from here

#: the CloudWatch namespace of every metric destek writes (the dashboard's and the alarms')
NAMESPACE = "Destek"
#: the `service` dimension on every metric: set here rather than read from
#: POWERTOOLS_SERVICE_NAME, so a metric is the one the dashboard and the alarms name whatever
#: a function's environment says
SERVICE = "destek"

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)


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


def emit(metric: str, unit: MetricUnit, value: float, **dimensions: str) -> None:
    """Write one EMF datapoint now: `metric` in NAMESPACE, with `service` and `dimensions`.

    Printed at once (Powertools' single_metric), not gathered in `metrics` to be flushed at
    the end of a request: a queue's or a schedule's handler has no end of request, and a
    datapoint left in memory is lost with its Lambda. Every metric destek writes goes through
    here, with the metric's name as a literal at the one place that does the thing
    (tests/infra/test_dashboard.py reads those calls to check that the dashboard and the
    alarms show only what is written).
    """
    from aws_lambda_powertools.metrics import single_metric

    with single_metric(
        name=metric, unit=unit, value=value, namespace=NAMESPACE,
        default_dimensions={"service": SERVICE, **dimensions},
    ):  # fmt: skip
        pass


def milliseconds(start: datetime, end: datetime) -> float:
    """end - start in milliseconds (CloudWatch's unit for latencies), never below 0: clocks
    of two machines may disagree by a little."""
    return max(0.0, (end - start).total_seconds() * 1000)


def count_case_opened(channel: str, case_type: str) -> None:
    """EMF: CasesOpened, Count, three datapoints: one by `channel`, one by `type`, one with
    `service` alone (the total), since CloudWatch adds up only what shares its dimensions."""
    emit("CasesOpened", MetricUnit.Count, 1, channel=channel)
    emit("CasesOpened", MetricUnit.Count, 1, type=case_type)
    emit("CasesOpened", MetricUnit.Count, 1)


def count_notice_failed() -> None:
    """EMF: one NoticesFailed datapoint, no dimensions, which the NoticesFailedAlarm watches."""
    emit("NoticesFailed", MetricUnit.Count, 1)
