"""destek: the API and the event handlers, as one Chalice app.

Entry points only: each route and handler hands over to chalicelib. Event
handlers import their modules when first called, so the API's cold start does
not pay for the batch utilities they need (cold-start budget, bench/).
"""

from chalice import Chalice, Rate

from chalicelib.api import (
    account,
    cases,
    console,
    cors,
    customers,
    directory,
    docs,
    integrations,
    middleware,
    operations,
    precases,
    products,
    registrations,
    routing_rules,
    sla,
    system,
)

app = Chalice(app_name="destek")
app.api.cors = cors.cors_policy()  # before the blueprints: each route takes it when registered
middleware.install(app)
BLUEPRINTS = (
    system,
    docs,
    account,
    cases,
    customers,
    directory,
    routing_rules,
    sla,
    operations,
    products,
    registrations,
    integrations,
    precases,
    console,
)
for module in BLUEPRINTS:
    app.register_blueprint(module.bp)


@app.on_sqs_message(queue="destek-routing", batch_size=10)
def route_cases(event):
    from chalicelib.events import routing

    return routing.handle_batch(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def reconcile_routing(event):
    from chalicelib.events import routing

    routing.reconcile()


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_sla(event):
    from chalicelib.events import sla

    sla.sweep()


@app.on_sqs_message(queue="destek-notify", batch_size=10)
def deliver_notices(event):
    from chalicelib.events import notify

    return notify.handle_batch(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def sweep_outbox(event):
    from chalicelib.events import notify

    notify.sweep_outbox()


@app.on_sqs_message(queue="destek-inbound-mail", batch_size=5)
def take_inbound_mail(event):
    from chalicelib.events import mail

    return mail.handle_batch(event.to_dict(), event.context)
