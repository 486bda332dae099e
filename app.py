"""destek: the API and the event handlers, as one Chalice app.

Entry points only: each route and handler hands over to chalicelib. Each SQS handler reads
the queue chalicelib/messaging/queue_registry.py declares for it. Event
handlers import their modules when first called, so the API's cold start does
not pay for the batch utilities they need (cold-start budget, bench/).
"""

from chalice import Chalice, Cron, Rate

from chalicelib.api import (
    account,
    analytics,
    assistant,
    case_fields,
    case_merges,
    cases,
    checklists,
    console,
    cors,
    customer_flags,
    customers,
    directory,
    docs,
    event_docs,
    integrations,
    knowledge,
    library,
    macros,
    middleware,
    operations,
    orders,
    precases,
    products,
    ratings,
    registrations,
    report_exports,
    reports,
    routing_learning,
    routing_rules,
    search,
    sla,
    survey_links,
    surveys,
    system,
    views,
    vocabulary,
    webhooks,
)
from chalicelib.messaging import queue_registry

#: the table's stream. `make package` points the event source at the template's own table
#: (devstack/package.py); the local stack reads its table's stream itself (devstack/streams.py)
TABLE_STREAM = "arn:aws:dynamodb:region:account:table/destek/stream/table"

app = Chalice(app_name="destek")
# report downloads (api/report_exports.py): the XLSX goes out as binary
app.api.binary_types.append(report_exports.XLSX_TYPE)
app.api.cors = cors.cors_policy()  # before the blueprints: each route takes it when registered
middleware.install(app)
BLUEPRINTS = (
    system,
    docs,
    event_docs,
    account,
    cases,
    case_merges,
    customers,
    customer_flags,
    directory,
    routing_learning,
    routing_rules,
    sla,
    operations,
    products,
    registrations,
    integrations,
    webhooks,
    precases,
    console,
    vocabulary,
    analytics,
    reports,
    report_exports,
    ratings,
    surveys,
    survey_links,
    search,
    knowledge,
    checklists,
    library,
    orders,
    assistant,
    macros,
    case_fields,
    views,
)
for module in BLUEPRINTS:
    app.register_blueprint(module.bp)


@app.on_sqs_message(**queue_registry.ROUTING.source)
def route_cases(event):
    from chalicelib.events import routing

    return routing.handle_batch(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def reconcile_routing(event):
    from chalicelib.events import routing

    routing.reconcile()


@app.schedule(Rate(15, unit=Rate.MINUTES))
def train_routing_classifier(event):
    """The learned routing classifier, retrained on resolved cases (resumable)."""
    from chalicelib.events import routing

    routing.train()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_sla(event):
    from chalicelib.events import sla

    sla.sweep()


#: Mondays 08:00 in Istanbul, which keeps UTC+3 all year: 05:00 UTC (EventBridge rules run
#: on UTC)
WEEKLY_SUMMARY = Cron(0, 5, "?", "*", "MON", "*")


@app.schedule(WEEKLY_SUMMARY)
def send_weekly_summary(event):
    from chalicelib.events import weekly_summary

    weekly_summary.send()


#: Mondays 08:30 in Istanbul (05:30 UTC): after the weekly summary, with last week's
#: ratings counted (services/satisfaction_alerts.py)
SATISFACTION_ALERTS = Cron(30, 5, "?", "*", "MON", "*")


@app.schedule(SATISFACTION_ALERTS)
def send_satisfaction_alerts(event):
    from chalicelib.events import satisfaction_alerts

    satisfaction_alerts.send()


#: daily, 10:00 in Istanbul (07:00 UTC): shipments whose estimated delivery day has passed,
#: at an hour a customer may be told (docs/orders.md#late-deliveries)
LATE_DELIVERIES = Cron(0, 7, "*", "*", "?", "*")


@app.schedule(LATE_DELIVERIES)
def sweep_late_deliveries(event):
    from chalicelib.events import late_deliveries

    late_deliveries.sweep()


@app.schedule(Rate(5, unit=Rate.MINUTES))
def settle_conversations(event):
    """The assistant's quiet conversations end, answered or abandoned (docs/assistant.md)."""
    from chalicelib.events import assistant

    assistant.settle()


@app.on_sqs_message(**queue_registry.NOTIFY.source)
def deliver_notices(event):
    from chalicelib.events import notify

    return notify.handle_batch(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_outbox(event):
    from chalicelib.events import notify

    notify.sweep_outbox()


@app.schedule(Rate(5, unit=Rate.MINUTES))
def send_arrival_digests(event):
    """Each digest group's members hear of its unassigned arrivals once an interval
    (docs/notifications.md)."""
    from chalicelib.events import arrival_digests

    arrival_digests.send(event.time)


@app.on_sqs_message(**queue_registry.INBOUND_MAIL.source)
def take_inbound_mail(event):
    from chalicelib.events import mail

    return mail.handle_batch(event.to_dict(), event.context)


@app.on_dynamodb_record(stream_arn=TABLE_STREAM, batch_size=100, starting_position="TRIM_HORIZON")
def publish_case_events(event):
    from chalicelib.events import publish

    return publish.handle_stream(event.to_dict(), event.context)


@app.on_sqs_message(**queue_registry.WEBHOOKS.source)
def fan_out_webhooks(event):
    from chalicelib.events import webhooks

    return webhooks.fan_out_batch(event.to_dict(), event.context)


@app.on_sqs_message(**queue_registry.WEBHOOK_DELIVERIES.source)
def deliver_webhooks(event):
    from chalicelib.events import webhooks

    return webhooks.deliver_batch(event.to_dict(), event.context)


@app.on_sqs_message(**queue_registry.REPORTS.source)
def project_reports(event):
    from chalicelib.events import reports

    return reports.handle_batch(event.to_dict(), event.context)


#: planned surveys: due runs and held invitations, every 15 minutes (an EventBridge rule, not
#: EventBridge Scheduler: docs/surveys.md "Schedule")
@app.schedule(Rate(15, unit=Rate.MINUTES))
def tick_surveys(event):
    from chalicelib.events import surveys

    surveys.tick()


@app.on_sqs_message(**queue_registry.SURVEYS.source)
def run_surveys(event):
    from chalicelib.events import surveys

    return surveys.handle_batch(event.to_dict(), event.context)


@app.on_sqs_message(**queue_registry.SEARCH.source)
def index_search(event):
    from chalicelib.events import search

    return search.handle_batch(event.to_dict(), event.context)


@app.on_sqs_message(**queue_registry.CHECKLISTS.source)
def count_checklist_steps(event):
    from chalicelib.events import checklists

    return checklists.handle_batch(event.to_dict(), event.context)


@app.on_sqs_message(**queue_registry.MERGES.source)
def copy_merged_cases(event):
    from chalicelib.events import merges

    return merges.handle_batch(event.to_dict(), event.context)
