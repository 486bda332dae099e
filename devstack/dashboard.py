"""What operations sees and what calls a person: the CloudWatch dashboard and the alarms on
destek's own metrics, as data that `make package` (devstack/package.py) writes into the
deployable template and tests/infra reads.

The dashboard needs the functions' and the API's names, which exist only once chalice's
template is merged with infra/'s, so it is built at packaging, not in infra/template.yaml.
It is derived, not listed: a function chalice adds, a queue of the registry, a channel or an
SLA target the domain gains appears on it without an edit here. Every `Destek` metric it
shows is one the code writes through `chalicelib.observability.emit` (a test reads the
calls), with the `service` dimension every such metric carries.

Never shipped: devstack/ is not in the Lambda zip.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from chalicelib.domain.case_kinds import Channel
from chalicelib.domain.sla import TargetKind
from chalicelib.messaging.queue_registry import QUEUES
from chalicelib.observability import NAMESPACE, SERVICE

#: the dashboard's logical id and its name in CloudWatch (one per stack and stage)
DASHBOARD_ID = "OpsDashboard"
DASHBOARD_NAME = "destek-${Stage}"
#: every graph's period (seconds): the alarms' too, so a graph shows what an alarm saw
PERIOD = 300
#: where the runbook is: each alarm's description names its section
RUNBOOK = "docs/operations.md"
SERVICE_DIMENSION = ("service", SERVICE)
#: the grid CloudWatch lays widgets on: 24 columns; two graphs a row
COLUMNS, GRAPH_WIDTH, GRAPH_HEIGHT = 24, 12, 6


@dataclass(frozen=True)
class Line:
    """One metric on a graph, as CloudWatch names it.

    dimensions: (name, value) pairs; a value may hold `${...}` that Fn::Sub resolves (a
    function's name, a queue's name, the stage). stat: Sum, Maximum, Average or a
    percentile (p50, p90). label: the legend's text.
    """

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    stat: str
    label: str

    def widget_metric(self) -> list[Any]:
        """CloudWatch's dashboard form: [namespace, name, dim, value, ..., {options}]."""
        flat = [part for pair in self.dimensions for part in pair]
        return [self.namespace, self.name, *flat, {"stat": self.stat, "label": self.label}]


@dataclass(frozen=True)
class Graph:
    """A line graph of `lines` over PERIOD-second points; `threshold` (label, value) draws a
    horizontal line where an alarm fires."""

    title: str
    lines: tuple[Line, ...]
    axis: str
    stacked: bool = False
    threshold: tuple[str, float] | None = None


@dataclass(frozen=True)
class MetricAlarm:
    """An alarm on one of destek's own metrics (namespace Destek, `service` dimension):
    `stat` of `metric` above `threshold` in `periods` consecutive PERIODs."""

    logical_id: str
    metric: str
    stat: str
    threshold: float
    periods: int
    description: str


#: Alarms that call a person because destek's work is late, not failing: each is sustained
#: for 15 minutes (a burst heals itself) and its graph draws the line it fires at.
METRIC_ALARMS = (
    MetricAlarm(
        "RoutingSlowAlarm", "RoutingLatency", "p90", 5 * 60 * 1000, 3,
        "New cases reach a group's pool late: the 90th percentile of filing-to-routed "
        "(RoutingLatency) is above 5 minutes for 15 minutes. A lost routing message is "
        "picked up by the reconciler within 3 minutes, so this is the routing queue backing "
        f"up or its handler failing. What to do: {RUNBOOK}#routing-is-slow",
    ),
    MetricAlarm(
        "NotificationsSlowAlarm", "NotificationLatency", "p90", 15 * 60 * 1000, 3,
        "Notices go out late: the 90th percentile of due-to-sent (NotificationLatency) is "
        "above 15 minutes for 15 minutes (quiet hours are not counted). Usually SES or SNS "
        f"throttling or the notify queue behind. What to do: {RUNBOOK}#notices-are-slow",
    ),
)  # fmt: skip


def destek(name: str, stat: str, label: str, **dimensions: str) -> Line:
    """A metric the code writes (chalicelib.observability.emit), service dimension first."""
    return Line(NAMESPACE, name, (SERVICE_DIMENSION, *dimensions.items()), stat, label)


def threshold_of(metric: str) -> tuple[str, float] | None:
    """The line an alarm on `metric` fires at, for its graph."""
    for alarm in METRIC_ALARMS:
        if alarm.metric == metric:
            return (f"{alarm.logical_id} ({alarm.stat})", alarm.threshold)
    return None


def graphs(function_ids: list[str], api_name: str, stage: str) -> list[Graph]:
    """Every graph, in reading order: what customers and the shop feel first (cases, SLA,
    latencies, notices), then the plumbing (queues, functions, the API).

    function_ids: the template's Lambda functions (logical ids; `${Id}` is the function's
    name). api_name, stage: the `ApiName` and `Stage` dimensions of the REST API.
    """

    def each_function(name: str, stat: str) -> tuple[Line, ...]:
        return tuple(
            Line("AWS/Lambda", name, (("FunctionName", f"${{{f}}}"),), stat, f)
            for f in function_ids
        )

    api = (("ApiName", api_name), ("Stage", stage))
    latency = ("p50", "p90", "Maximum")
    return [
        Graph(
            "Cases opened, by channel",
            tuple(destek("CasesOpened", "Sum", c.value, channel=c.value) for c in Channel),
            "cases",
            stacked=True,
        ),
        Graph(
            "SLA targets breached, by target",
            tuple(destek("SlaBreaches", "Sum", t.value, target=t.value) for t in TargetKind),
            "breaches",
            stacked=True,
        ),
        Graph(
            "Routing latency: filed to a group's pool (ms)",
            tuple(destek("RoutingLatency", s, s) for s in latency),
            "ms",
            threshold=threshold_of("RoutingLatency"),
        ),
        Graph(
            "Notification latency: due to sent (ms)",
            tuple(destek("NotificationLatency", s, s) for s in latency),
            "ms",
            threshold=threshold_of("NotificationLatency"),
        ),
        Graph(
            "Notices sent and failed",
            (destek("NoticesSent", "Sum", "sent"), destek("NoticesFailed", "Sum", "failed")),
            "notices",
        ),
        Graph(
            "Dead letters, by queue (any is an alarm)",
            tuple(
                Line(
                    "AWS/SQS",
                    "ApproximateNumberOfMessagesVisible",
                    (("QueueName", f"${{{q.dead_letter_id}.QueueName}}"),),
                    "Maximum",
                    q.name,
                )
                for q in QUEUES
            ),
            "messages",
        ),
        Graph(
            "Oldest message waiting, by queue (s)",
            tuple(
                Line(
                    "AWS/SQS",
                    "ApproximateAgeOfOldestMessage",
                    (("QueueName", f"${{{q.queue_id}.QueueName}}"),),
                    "Maximum",
                    q.name,
                )
                for q in QUEUES
            ),
            "seconds",
        ),
        Graph("Lambda errors, by function", each_function("Errors", "Sum"), "invocations"),
        Graph("Lambda throttles, by function", each_function("Throttles", "Sum"), "invocations"),
        Graph("Lambda duration p90, by function (ms)", each_function("Duration", "p90"), "ms"),
        Graph(
            "API answers 4xx and 5xx",
            (
                Line("AWS/ApiGateway", "4XXError", api, "Sum", "4xx"),
                Line("AWS/ApiGateway", "5XXError", api, "Sum", "5xx"),
            ),
            "requests",
        ),
        Graph(
            "API latency (ms)",
            tuple(Line("AWS/ApiGateway", "Latency", api, s, s) for s in latency),
            "ms",
        ),
    ]


def graph_widget(graph: Graph, x: int, y: int) -> dict[str, Any]:
    """A `metric` widget of CloudWatch's dashboard body."""
    properties: dict[str, Any] = {
        "title": graph.title,
        "view": "timeSeries",
        "stacked": graph.stacked,
        "region": "${AWS::Region}",
        "period": PERIOD,
        "metrics": [line.widget_metric() for line in graph.lines],
        "yAxis": {"left": {"label": graph.axis, "min": 0}},
    }
    if graph.threshold:
        label, value = graph.threshold
        properties["annotations"] = {"horizontal": [{"label": label, "value": value}]}
    return {"type": "metric", "x": x, "y": y, "width": GRAPH_WIDTH, "height": GRAPH_HEIGHT,
            "properties": properties}  # fmt: skip


def body(graph_list: list[Graph], alarm_ids: list[str]) -> dict[str, Any]:
    """The dashboard body: a line pointing to the runbook, every alarm's state, then the
    graphs two a row. Alarms by `${Id.Arn}` (Fn::Sub)."""
    widgets: list[dict[str, Any]] = [
        {
            "type": "text", "x": 0, "y": 0, "width": COLUMNS, "height": 1,
            "properties": {"markdown": f"**destek**: what each graph shows and what to do "
                           f"when an alarm fires: `{RUNBOOK}` (Dashboard, Alarms)"},
        },
        {
            "type": "alarm", "x": 0, "y": 1, "width": COLUMNS, "height": 4,
            "properties": {"title": "Alarms", "alarms": [f"${{{a}.Arn}}" for a in alarm_ids]},
        },
    ]  # fmt: skip
    top = 5
    for index, graph in enumerate(graph_list):
        row, column = divmod(index, COLUMNS // GRAPH_WIDTH)
        widgets.append(graph_widget(graph, column * GRAPH_WIDTH, top + row * GRAPH_HEIGHT))
    return {"widgets": widgets}


def dashboard_resource(graph_list: list[Graph], alarm_ids: list[str]) -> dict[str, Any]:
    """AWS::CloudWatch::Dashboard whose body is JSON with `${...}` that Fn::Sub resolves.

    The body's own text has no `${` of its own (titles and labels are plain), so every
    `${...}` in it is a name of the template, which tests/infra checks exists.
    """
    text = json.dumps(body(graph_list, alarm_ids), ensure_ascii=False, separators=(",", ":"))
    return {
        "Type": "AWS::CloudWatch::Dashboard",
        "Properties": {
            "DashboardName": {"Fn::Sub": DASHBOARD_NAME},
            "DashboardBody": {"Fn::Sub": text},
        },
    }


def metric_alarm_resource(alarm: MetricAlarm, topic: dict[str, Any]) -> dict[str, Any]:
    """AWS::CloudWatch::Alarm on `alarm.metric` with the service dimension; a percentile is
    an ExtendedStatistic. No data (nothing opened, nothing sent) is not late."""
    stat = (
        {"ExtendedStatistic": alarm.stat} if alarm.stat.startswith("p")
        else {"Statistic": alarm.stat}
    )  # fmt: skip
    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmDescription": alarm.description,
            "Namespace": NAMESPACE,
            "MetricName": alarm.metric,
            "Dimensions": [{"Name": SERVICE_DIMENSION[0], "Value": SERVICE_DIMENSION[1]}],
            **stat,
            "Period": PERIOD,
            "EvaluationPeriods": alarm.periods,
            "DatapointsToAlarm": alarm.periods,
            "Threshold": alarm.threshold,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [topic],
        },
    }
