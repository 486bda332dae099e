"""The whole of destek on one machine: moto, the API, the queues' consumers, the schedules.

One process: an in-process moto server stands in for AWS, resources come from
infra/template.yaml, `chalice local`'s server serves the app, a dispatcher
feeds the SQS handlers and a scheduler fires the schedule handlers.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

from .bootstrap import REGION, aws, provision
from .dispatcher import Binding, Dispatcher
from .scheduler import Job, Scheduler, rate_seconds
from .seed import DEMO_SHOP_SECRET

#: the queue name each SQS handler names in app.py -> the variable holding that queue's URL
QUEUE_VARIABLES = {
    "destek-routing": "ROUTING_QUEUE_URL",
    "destek-notify": "NOTIFY_QUEUE_URL",
    "destek-inbound-mail": "INBOUND_MAIL_QUEUE_URL",
}

log = logging.getLogger("devstack")


@dataclass
class LocalStack:
    host: str = "127.0.0.1"
    moto_port: int = 8001
    api_port: int = 8000
    mailbox_port: int = 8003
    site_port: int = 8002
    max_receive_count: int = 3
    schedule_every: float | None = None  # seconds; None = each handler's own rate
    seed_demo_data: bool = True
    env: dict[str, str] = field(default_factory=dict)
    logins: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._moto: Any = None
        self._api: Any = None
        self._api_thread: threading.Thread | None = None
        self.dispatcher: Dispatcher | None = None
        self.scheduler: Scheduler | None = None
        self.mailbox: Any = None
        self.site: Any = None
        self.site_dir: Any = None

    @property
    def moto_url(self) -> str:
        return f"http://{self.host}:{self.moto_port}"

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.api_port}"

    @property
    def site_url(self) -> str:
        return f"http://{self.host}:{self.site_port}"

    @property
    def mailbox_url(self) -> str:
        return f"http://{self.host}:{self.mailbox_port}"

    def start(self) -> LocalStack:
        from moto.server import ThreadedMotoServer

        self._moto = ThreadedMotoServer(ip_address=self.host, port=self.moto_port, verbose=False)
        self._moto.start()
        self.env = provision(
            self.moto_url, max_receive_count=self.max_receive_count, site_url=self.site_url
        )
        os.environ.update(self.env)
        app_module = importlib.import_module("app")
        from chalicelib import wiring

        wiring.reset()
        if self.seed_demo_data:
            from .seed import seed

            self.logins = seed(self.env)
        self._start_api(app_module)
        self.dispatcher = Dispatcher(aws("sqs", self.moto_url), self._bindings(app_module), REGION)
        self.dispatcher.start()
        self.scheduler = Scheduler(self._jobs(app_module), REGION)
        self.scheduler.start()
        from .mailbox import Mailbox

        self.mailbox = Mailbox(self.host, self.mailbox_port, REGION)
        self.mailbox.start()
        self._start_site()
        return self

    def _start_site(self) -> None:
        """Build the customers' site against this stack and serve it from its own origin,
        so the browser's calls to the API, Cognito and S3 are cross-origin as in AWS."""
        import tempfile
        from pathlib import Path

        from .site import SiteConfig, build
        from .static_server import StaticServer

        self.site_dir = build(
            Path(tempfile.mkdtemp(prefix="destek-site-")) / "site",
            SiteConfig(
                api_url=self.api_url,
                region=REGION,
                user_pool_id=self.env["CUSTOMER_POOL_ID"],
                client_id=self.env["CUSTOMER_CLIENT_IDS"],
                cognito_endpoint=self.moto_url + "/",
                upload_origins=(self.moto_url,),
            ),
        )
        self.site = StaticServer(self.host, self.site_port, self.site_dir)
        self.site.start()

    def _start_api(self, app_module: Any) -> None:
        from chalice.cli.factory import CLIFactory
        from chalice.local import ChaliceRequestHandler, create_local_server

        class Handler(ChaliceRequestHandler):
            """chalice local's server knows seven methods and answers any other (TRACE, QUERY,
            ...) with its own HTML 501, which API Gateway never sends; pass every method to the
            app, which refuses what a route does not take in destek's error shape (405)."""

            def __getattr__(self, name: str) -> Any:
                if name.startswith("do_"):
                    return self._generic_handle
                raise AttributeError(name)

        root = os.path.dirname(os.path.abspath(app_module.__file__))
        config = CLIFactory(project_dir=root).create_config_obj(chalice_stage_name="dev")
        self._api = create_local_server(app_module.app, config, self.host, self.api_port)
        server = self._api.server
        server.RequestHandlerClass = functools.partial(
            Handler, **server.RequestHandlerClass.keywords
        )
        self._api_thread = threading.Thread(target=self._api.serve_forever, daemon=True)
        self._api_thread.start()

    def _bindings(self, app_module: Any) -> list[Binding]:
        from chalice.app import SQSEventConfig

        sqs = aws("sqs", self.moto_url)
        bindings = []
        for source in app_module.app.event_sources:
            if not isinstance(source, SQSEventConfig):
                continue
            url = self.env[QUEUE_VARIABLES[source.queue]]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            handler = getattr(app_module, source.handler_string.split(".")[-1])
            bindings.append(Binding(url, arn, handler, source.name, source.batch_size))
        return bindings

    def _jobs(self, app_module: Any) -> list[Job]:
        from chalice.app import ScheduledEventConfig

        jobs = []
        for source in app_module.app.event_sources:
            if not isinstance(source, ScheduledEventConfig):
                continue
            expression = source.schedule_expression
            text = expression if isinstance(expression, str) else expression.to_string()
            every = self.schedule_every or rate_seconds(text)
            handler = getattr(app_module, source.handler_string.split(".")[-1])
            jobs.append(Job(source.name, every, handler))
        return jobs

    def stop(self) -> None:
        for part in (self.scheduler, self.dispatcher, self.mailbox, self.site):
            if part:
                part.stop()
        if self._api:
            self._api.shutdown()
            self._api.server.server_close()
        if self._moto:
            self._moto.stop()


def banner(stack: LocalStack) -> str:
    env = stack.env
    lines = [
        "",
        "destek is running locally",
        f"  site          {stack.site_url}/   (customers: sign up, register products, file cases)",
        f"  API           {stack.api_url}   (try {stack.api_url}/health)",
        f"  moto (AWS)    {stack.moto_url}",
        f"  mailbox       {stack.mailbox_url}   (emails and SMS destek sent)",
        f"  staff pool    {env['STAFF_POOL_ID']}  client {env['STAFF_CLIENT_IDS']}",
        f"  customer pool {env['CUSTOMER_POOL_ID']}  client {env['CUSTOMER_CLIENT_IDS']}",
        "",
        "demo logins (password for all: Destek2026!)",
    ]
    lines += [f"  {login.role:<11} {login.username:<22} {login.name}" for login in stack.logins]
    lines += [
        "",
        "get a token:  .venv/bin/python -m devstack token ayse",
        f"shop backend: sign calls to {stack.api_url}/integrations/demo-shop/... with",
        f"              {DEMO_SHOP_SECRET}",
        "email in:     make mail EML=tests/data/mail/01-duz-utf8.eml  (then GET /precases)",
        "Ctrl-C stops everything.",
        "",
    ]
    return "\n".join(lines)


def configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("werkzeug", "botocore", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def log_banner(stack: LocalStack) -> None:
    sys.stdout.write(banner(stack) + "\n")
    sys.stdout.flush()
