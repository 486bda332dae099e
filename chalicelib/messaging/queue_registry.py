"""Every SQS queue of destek, declared once.

Each entry is a queue a handler of app.py reads, with its dead-letter queue and that
dead-letter queue's alarm. Everything else is derived from this tuple:

- app.py's `@app.on_sqs_message(**spec.source)` (queue name, batch size, batching window,
  the event source's maximum concurrency);
- the environment (`<VARIABLE>_QUEUE_URL`, `<VARIABLE>_DLQ_URL`), read by chalicelib/config.py;
- `/dead-letters` and its re-drive (chalicelib/wiring.py `dead_letters`): every queue listed;
- infra/template.yaml's queue block (queue, dead-letter queue, alarm, outputs), written by
  `make queues` (devstack/queues.py) and checked by `make lint` and tests/infra;
- the packaged template's event source mappings and IAM grants (devstack/package.py);
- the local stack's dispatcher (devstack/stack.py), which gathers a batch for the window
  as Lambda does (scaled like the schedules in a test stack).

A batching window goes where nobody waits on the queue and a batch costs something of its
own (search: a delta file; reports: an invocation and its writes): the queues customers,
agents and shops wait on (routing, notify, mail, webhooks, merges) take what is there at
once. What each window costs in freshness: docs/performance.md.

A new queue is one entry here, one handler in app.py, then `make queues`. A queue fed by an
EventBridge rule (case events for a consumer) says so with `rule`: the block then also holds
the rule and the queue policy that lets EventBridge send to it.

Plain dataclasses, no pydantic: app.py imports this on every cold start.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: who may put messages on a queue besides destek's own code
SENDERS = ("s3", "sns", "events")


@dataclass(frozen=True)
class EventRule:
    """An EventBridge rule that feeds a queue: `pattern` is the rule's event pattern;
    `bus` the logical id of the event bus in infra/template.yaml (None: the default bus)."""

    pattern: dict[str, Any]
    bus: str | None = None


@dataclass(frozen=True)
class QueueSpec:
    """One queue, its consumer and its dead-letter queue.

    name: the short name admins see at `/dead-letters` and re-drive by (`routing`).
    stem: the CloudFormation stem: `<stem>Queue`, `<stem>DeadLetterQueue`,
        `<stem>DeadLettersAlarm`, outputs `<stem>QueueUrl`, `<stem>DeadLetterQueueUrl`.
    variable: the environment stem: `<variable>_QUEUE_URL`, `<variable>_DLQ_URL`.
    handler: the function of app.py that reads the queue (Lambda's event source mapping).
    batch_size: records per invocation (at most 10 for a standard queue without a window;
        up to 10,000 with one).
    batching_window: seconds Lambda gathers records before invoking (the event source
        mapping's MaximumBatchingWindowInSeconds, 0 to 300): it invokes when the batch is
        full or this long after the first record, whichever comes first. 0: at once (with up
        to 10 records already waiting). A window trades freshness for per-batch costs (one
        search delta, one invocation, one receive per 10 records): docs/performance.md.
    max_concurrency: the most invocations Lambda runs at once for this queue (the event
        source mapping's ScalingConfig.MaximumConcurrency, 2 to 1000; chalice writes it
        into the packaged template); None: as many as Lambda scales to. Unlike a function's
        reserved concurrency it throttles nothing: the messages wait on the queue. Set where
        concurrent batches fight over the same items (reports: today's counter cells are
        in nearly every batch's transactions, docs/performance.md).
    visibility_timeout: seconds; AWS asks for six times the function's timeout (30 s, or
        the function's own in .chalice/config.json) plus the batching window.
    max_receives: receives before a message moves to the dead-letter queue; None takes the
        stack's `MaxReceiveCount` parameter (the local stack sets it lower).
    purpose: what the queue carries; the template's comment and the alarm's description.
    senders: AWS services that send to it (their queue policy is written in infra/ by hand,
        except EventBridge's, which `rule` generates).
    rule: the EventBridge rule that feeds it, if any.
    """

    name: str
    stem: str
    variable: str
    handler: str
    batch_size: int
    purpose: str
    batching_window: int = 0
    max_concurrency: int | None = None
    visibility_timeout: int = 180
    max_receives: int | None = None
    senders: tuple[str, ...] = ()
    rule: EventRule | None = None
    #: how long a dead letter is kept: 14 days, SQS's longest, to leave time to re-drive
    dead_letter_retention: int = 1_209_600
    #: the handler sets each failed message's visibility itself (ChangeMessageVisibility: a
    #: backoff per message); Lambda then leaves it, and so does the local dispatcher
    own_backoff: bool = False

    @property
    def queue(self) -> str:
        """The name `@app.on_sqs_message` is given (chalice's own; mapped to `queue_id`)."""
        return f"destek-{self.name}"

    @property
    def source(self) -> dict[str, Any]:
        """Keyword arguments of `@app.on_sqs_message` (chalice writes the window into the
        event source mapping as MaximumBatchingWindowInSeconds, and the maximum concurrency,
        when set, as ScalingConfig.MaximumConcurrency)."""
        return {
            "queue": self.queue,
            "batch_size": self.batch_size,
            "maximum_batching_window_in_seconds": self.batching_window,
            "maximum_concurrency": self.max_concurrency,
        }

    @property
    def queue_id(self) -> str:
        return f"{self.stem}Queue"

    @property
    def dead_letter_id(self) -> str:
        return f"{self.stem}DeadLetterQueue"

    @property
    def alarm_id(self) -> str:
        return f"{self.stem}DeadLettersAlarm"

    @property
    def rule_id(self) -> str:
        return f"{self.stem}Rule"

    @property
    def url_variable(self) -> str:
        return f"{self.variable}_QUEUE_URL"

    @property
    def dead_letter_variable(self) -> str:
        return f"{self.variable}_DLQ_URL"

    @property
    def url_output(self) -> str:
        return f"{self.queue_id}Url"

    @property
    def dead_letter_output(self) -> str:
        return f"{self.dead_letter_id}Url"


QUEUES: tuple[QueueSpec, ...] = (
    QueueSpec(
        name="routing",
        stem="Routing",
        variable="ROUTING",
        handler="route_cases",
        batch_size=10,
        purpose="a new case, to be routed off the request path",
    ),
    QueueSpec(
        name="notify",
        stem="Notify",
        variable="NOTIFY",
        handler="deliver_notices",
        batch_size=10,
        purpose="a notice decided with a case change, to be sent by email or SMS",
    ),
    QueueSpec(
        name="inbound-mail",
        stem="InboundMail",
        variable="INBOUND_MAIL",
        handler="take_inbound_mail",
        batch_size=5,
        purpose="mail SES stored in S3, and SES's bounces and complaints of notices",
        senders=("s3", "sns"),
    ),
    QueueSpec(
        name="webhooks",
        stem="Webhooks",
        variable="WEBHOOKS",
        handler="fan_out_webhooks",
        batch_size=10,
        purpose="a case event from the events bus (or a shop's replay, a page at a time), "
        "to be fanned out to the shops' webhook endpoints that want it",
        senders=("events",),
        rule=EventRule(pattern={"source": ["destek.cases"]}, bus="EventBus"),
    ),
    QueueSpec(
        name="webhook-deliveries",
        stem="WebhookDeliveries",
        variable="WEBHOOK_DELIVERIES",
        handler="deliver_webhooks",
        batch_size=5,
        purpose="one event for one webhook endpoint, POSTed signed (Standard Webhooks) and "
        "retried with backoff for about a day",
        # the first try and seven retries (domain/webhooks.py RETRY_DELAYS): about 24 hours
        max_receives=8,
        own_backoff=True,
    ),
    QueueSpec(
        name="reports",
        stem="Reports",
        variable="REPORTS",
        handler="project_reports",
        # counters for supervisors' reports: half a minute late costs nobody, and a window
        # gathers a busy shop's events into one invocation and one write of each counter
        # cell (docs/performance.md); not a minute: 30 s already takes most of that away.
        # A rebuild waits the window once per invocation, not per step (ReportRebuild.run)
        batch_size=100,
        batching_window=30,
        # two batches at once at most (Lambda's least): each batch's transactions add to
        # today's shared counter cells, and concurrent ones cancel each other
        # (TransactionConflict); more containers would mostly retry (docs/performance.md)
        max_concurrency=2,
        visibility_timeout=210,  # 6 x 30 s + the window
        purpose="a case event from the events bus, to be added to the standard reports' "
        "counters (or a step of their rebuild from the event log)",
        senders=("events",),
        rule=EventRule(
            pattern={"source": ["destek.cases"], "detail-type": [{"prefix": "destek.case."}]},
            bus="EventBus",
        ),
    ),
    QueueSpec(
        name="surveys",
        stem="Surveys",
        variable="SURVEYS",
        handler="run_surveys",
        batch_size=5,
        purpose="a step of a planned survey's run (a page of the roster, a page of the "
        "sample) or an invitation to send",
    ),
    QueueSpec(
        name="search",
        stem="Search",
        variable="SEARCH",
        handler="index_search",
        # one delta file and one pointer move per batch: a window of 10 s makes it one per
        # 10 s at most (or per 100 events), and search finds a change within about 10 s
        batch_size=100,
        batching_window=10,
        # six times its function's 120 s (a compaction or a rebuild's last step writes the
        # whole index: about 30 s at 100,000 cases, docs/search.md), plus the window
        visibility_timeout=730,
        purpose="a case or pre-case event from the events bus, whose case is read and written "
        "to the search index as one delta (or a step of the index's rebuild); one writer: "
        "the handler's reserved concurrency is 1",
        senders=("events",),
        rule=EventRule(
            pattern={"source": ["destek.cases"], "detail-type": [{"prefix": "destek."}]},
            bus="EventBus",
        ),
    ),
    QueueSpec(
        name="checklists",
        stem="Checklists",
        variable="CHECKLISTS",
        handler="count_checklist_steps",
        # a statistic nobody watches live: a minute's resolutions in one invocation
        batch_size=100,
        batching_window=60,
        visibility_timeout=240,  # 6 x 30 s + the window
        purpose="a resolved case's event from the events bus, to count its checklists' "
        "skipped steps",
        senders=("events",),
        rule=EventRule(
            pattern={"source": ["destek.cases"], "detail-type": ["destek.case.resolved"]},
            bus="EventBus",
        ),
    ),
    QueueSpec(
        name="merges",
        stem="Merges",
        variable="MERGES",
        handler="copy_merged_cases",
        batch_size=5,
        purpose="a merged case's event from the events bus (or the next page of its copy), "
        "to copy its replies, notes and files to the case that carries on",
        senders=("events",),
        rule=EventRule(
            pattern={"source": ["destek.cases"], "detail-type": ["destek.case.merged"]},
            bus="EventBus",
        ),
    ),
)

(
    ROUTING,
    NOTIFY,
    INBOUND_MAIL,
    WEBHOOKS,
    WEBHOOK_DELIVERIES,
    REPORTS,
    SURVEYS,
    SEARCH,
    CHECKLISTS,
    MERGES,
) = QUEUES
BY_NAME: dict[str, QueueSpec] = {spec.name: spec for spec in QUEUES}
BY_QUEUE: dict[str, QueueSpec] = {spec.queue: spec for spec in QUEUES}


def variables(specs: tuple[QueueSpec, ...] = QUEUES) -> list[str]:
    """Every environment variable the registry names: each queue's URL and its DLQ's."""
    return [v for s in specs for v in (s.url_variable, s.dead_letter_variable)]
