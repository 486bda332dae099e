"""destek: the API and the event handlers, as one Chalice app.

Entry points only: each route and handler hands over to chalicelib.
"""

from chalice import Chalice, Rate

from chalicelib.api import cases, customers, directory, middleware, system
from chalicelib.events import routing

app = Chalice(app_name="destek")
middleware.install(app)
for blueprint in (system.bp, cases.bp, customers.bp, directory.bp):
    app.register_blueprint(blueprint)


@app.on_sqs_message(queue="destek-routing", batch_size=10)
def route_cases(event):
    return routing.handle_batch(event.to_dict(), event.context)


@app.schedule(Rate(1, unit=Rate.MINUTES))
def reconcile_routing(event):
    routing.reconcile()
