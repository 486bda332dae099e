"""The whole of destek on one machine: moto, the API, the queues' consumers, the schedules.

One process: an in-process moto server stands in for AWS, resources come from
infra/template.yaml, `chalice local`'s server serves the app, a dispatcher
feeds the SQS handlers and a scheduler fires the schedule handlers.

Given a state folder (`make run`: `.devstack/`), moto journals every write there, takes a
snapshot of everything every thousand writes and at a clean stop, and the next start loads
the snapshot and replays the journal after it: cases, customers, sign-ins, files and queued
messages survive a Ctrl-C, a crash or a kill -9 (devstack/journal.py, devstack/snapshot.py,
devstack/state.py).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .api_server import start_api
from .backlog import deepen
from .bootstrap import REGION, aws, environment, provision
from .dispatcher import Binding, Dispatcher
from .faults import Faults
from .journal import Journal
from .moto_server import MotoServer, has_visible_messages
from .scheduler import Job, Scheduler, rate_seconds
from .seed import DEMO_SHOP_SECRET, demo_logins
from .state import StateDir, default_dir
from .streams import StreamReader, stream_handler, table_stream

log = logging.getLogger("devstack")


def function_timeout(function: str, stage: str = "dev") -> int:
    """A function's timeout in seconds as .chalice/config.json gives it (its own, or the
    stage's), for the local Lambda context's remaining time."""
    config = json.loads((Path(__file__).resolve().parent.parent / ".chalice" / "config.json")
                        .read_text())["stages"][stage]  # fmt: skip
    own = config.get("lambda_functions", {}).get(function, {})
    return int(own.get("lambda_timeout", config.get("lambda_timeout", 30)))


def scaled(rate: float, minute: float | None) -> float:
    """The seconds between runs of a `rate(...)` schedule of `rate` seconds when a minute
    takes `minute` seconds (None: as in AWS); a queue's batching window is scaled the same
    way (`_bindings`). Every rate keeps its proportion: at one
    second a minute, every schedule ran every second: an eighth of a test stack's CPU (py-spy),
    more than half of it training the routing classifier (15 minutes), which nothing waited for."""
    return rate if minute is None else rate / 60 * minute


@dataclass
class LocalStack:
    host: str = "127.0.0.1"
    moto_port: int = 8001
    api_port: int = 8000
    mailbox_port: int = 8003
    site_port: int = 8002
    max_receive_count: int = 3
    #: seconds a 1-minute rate takes (tests); longer rates keep their proportion (a 15-minute
    #: one runs 15 times as seldom); None = each handler's own rate
    schedule_every: float | None = None
    seed_demo_data: bool = True
    #: where the journal lives; None keeps everything in memory only (gone at stop)
    state_dir: Path | None = None
    env: dict[str, str] = field(default_factory=dict)
    logins: list[Any] = field(default_factory=list)
    #: faults to inject (`make soak`, devstack/faults.py); None: none
    faults: Faults | None = None
    #: queue name -> how many threads poll it (devstack/dispatcher.py); one by default
    pollers: dict[str, int] | None = None

    def __post_init__(self) -> None:
        self._moto: MotoServer | None = None
        self._lock: Any = None
        self.restored = False  # True when this start replayed an earlier run's data
        self._api: Any = None
        self._api_thread: threading.Thread | None = None
        self.dispatcher: Dispatcher | None = None
        self.stream: StreamReader | None = None
        self.scheduler: Scheduler | None = None
        self.archiver: Any = None
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

    @property
    def console_url(self) -> str:
        return f"{self.api_url}/console"

    @property
    def state(self) -> StateDir | None:
        return StateDir(self.state_dir) if self.state_dir else None

    def _open_journal(self) -> Journal | None:
        state = self.state
        if state is None:
            return None
        self._lock = state.lock()
        journal = Journal(state.journal)
        if state.data.exists() and not state.ready.exists():
            # the first start died before its demo data was whole: begin again from nothing
            log.warning("%s holds an unfinished first start; starting clean", state.data)
            state.clear_data()
        self.restored = state.ready.exists()
        return journal

    def snapshot(self) -> Any:
        """Write a snapshot now (data loaded straight into moto is kept from then on); its
        header, or None when it could not be written (logged)."""
        assert self._moto is not None and self._moto.journal is not None
        return self._moto.snapshot()

    def start(self) -> LocalStack:
        self._moto = MotoServer(self.host, self.moto_port, self._open_journal()).start()
        if self.restored:
            replayed = self._moto.replayed
            log.info(
                "restored %s in %.1f s: a snapshot of %d items (%.1f MB) in %.1f s, then %d"
                " journaled writes in %.1f s (%d answered differently; %d messages sent and"
                " since deleted left out)",
                self.state.data, replayed.total_seconds, replayed.snapshot_items,
                replayed.snapshot_bytes / 1e6, replayed.snapshot_seconds, replayed.writes,
                replayed.seconds, replayed.differed, replayed.skipped,
            )  # fmt: skip
            self.env = environment(
                self.moto_url, site_url=self.site_url, console_url=self.console_url
            )
        else:
            self.env = provision(
                self.moto_url,
                max_receive_count=self.max_receive_count,
                site_url=self.site_url,
                console_url=self.console_url,
            )
        # DuckDB's copy of the archive bucket: beside the data (a copy; `make reset` drops it)
        cache = self.state.data / "archive-cache" if self.state else None
        self.env["ANALYTICS_CACHE_DIR"] = str(cache or tempfile.mkdtemp(prefix="destek-duck-"))
        os.environ.update(self.env)
        app_module = importlib.import_module("app")
        from chalicelib import wiring

        wiring.reset()
        if self.seed_demo_data and not self.restored:
            from .seed import seed

            self.logins = seed(self.env)
        elif self.seed_demo_data:
            self.logins = demo_logins()
        if self.state and not self.restored:
            self.state.ready.write_text(time.strftime("%Y-%m-%dT%H:%M:%S%z\n"))
        self._api = start_api(app_module, self.host, self.api_port)
        self._api_thread = threading.Thread(target=self._api.serve_forever, daemon=True)
        self._api_thread.start()
        if self.faults:
            self.faults.patch_ses()
        redeliver = (lambda b: self.faults.deliver_twice(b.queue)) if self.faults else None
        self.dispatcher = Dispatcher(
            aws("sqs", self.moto_url),
            self._bindings(app_module),
            REGION,
            redeliver=redeliver,
            ready=lambda binding: has_visible_messages(REGION, binding.queue_url),
        )
        self.dispatcher.start(pollers=self.pollers)
        self.stream = self._stream_reader(app_module)
        # DESTEK_STREAM_POLL_SECONDS: how long the reader rests when the stream had nothing;
        # DESTEK_STREAM_PAUSED=1: no reader at all, events stay in the table's stream (a test
        # holds them back until a kill: an hour's rest left the first polls, still busy with
        # the seed's records on a loaded machine, to publish the test's case now and then)
        if os.environ.get("DESTEK_STREAM_PAUSED") != "1":
            self.stream.start(float(os.environ.get("DESTEK_STREAM_POLL_SECONDS", "0.1")))
        self.scheduler = Scheduler(self._jobs(app_module), REGION)
        self.scheduler.start()
        self.archiver = self._archiver()
        self.archiver.start()
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
        deepen(self.site.server.socket)
        self.site.start()

    def _bindings(self, app_module: Any) -> list[Binding]:
        """One binding a registry queue, to the app.py handler the registry names, with the
        batch size and batching window app.py gave it (the registry's too; tests/infra checks
        that they agree). The window is scaled as the schedules are (`schedule_every`): a
        test stack's 10 s window is a sixth of a second when its minute is a second."""
        from chalice.app import SQSEventConfig

        from chalicelib.messaging.queue_registry import BY_QUEUE

        sqs = aws("sqs", self.moto_url)
        bindings = []
        for source in app_module.app.event_sources:
            if not isinstance(source, SQSEventConfig):
                continue
            spec = BY_QUEUE[source.queue]
            url = self.env[spec.url_variable]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
                "QueueArn"
            ]
            handler = getattr(app_module, spec.handler)
            if self.faults:
                handler = self.faults.wrap_handler(spec.name, handler)
            window = scaled(source.maximum_batching_window_in_seconds, self.schedule_every)
            bindings.append(Binding(url, arn, handler, source.name, source.batch_size, spec.name,
                                    spec.own_backoff, window,
                                    function_timeout(spec.handler)))  # fmt: skip
        return bindings

    def _stream_reader(self, app_module: Any) -> StreamReader:
        """The table stream's reader, feeding the app's stream handler (publish_case_events).

        It starts at the stream's oldest record, a restored stack too: what the snapshot kept
        of the stream is what had not been read (the reader drops what it settles) and the
        journal's tail replays the writes after the snapshot, so an event written just before
        a kill -9 is published after the restart rather than never. Some of them were
        published before the stop: consumers deduplicate on the event's id (at least once)."""
        handler, name, batch_size = stream_handler(app_module)
        arn = table_stream(aws("dynamodb", self.moto_url), self.env["TABLE_NAME"])
        return StreamReader(aws("dynamodbstreams", self.moto_url), arn, handler, name,
                            batch_size, "TRIM_HORIZON")  # fmt: skip

    def _archiver(self) -> Any:
        """Firehose's stand-in: the archive queue's events to Parquet in the archive bucket
        (devstack/event_archive.py); DESTEK_ARCHIVE_SECONDS: how long a batch gathers."""
        from .event_archive import ArchiveWriter, QueueArchiver

        writer = ArchiveWriter(aws("s3", self.moto_url), self.env["ARCHIVE_BUCKET"])
        seconds = float(os.environ.get("DESTEK_ARCHIVE_SECONDS", "5"))
        return QueueArchiver(aws("sqs", self.moto_url), self.env["ARCHIVE_QUEUE_URL"], writer,
                             batch_seconds=seconds)  # fmt: skip

    def _jobs(self, app_module: Any) -> list[Job]:
        from chalice.app import ScheduledEventConfig

        jobs = []
        for source in app_module.app.event_sources:
            if not isinstance(source, ScheduledEventConfig):
                continue
            expression = source.schedule_expression
            text = expression if isinstance(expression, str) else expression.to_string()
            handler = getattr(app_module, source.handler_string.split(".")[-1])
            if text.startswith("cron("):  # at its times, however fast the rates run
                jobs.append(Job(source.name, 0, handler, cron=text))
                continue
            every = scaled(rate_seconds(text), self.schedule_every)
            jobs.append(Job(source.name, every, handler))
        return jobs

    def stop(self) -> None:
        self.stop_parts()
        self.close()

    def stop_parts(self) -> None:
        """Stop everything that calls moto: schedules, consumers, mailbox, site, API."""
        for part in (self.scheduler, self.stream, self.dispatcher, self.archiver, self.mailbox,
                     self.site):  # fmt: skip
            if part:
                part.stop()
        if self._api:
            self._api.shutdown()
            self._api.server.server_close()

    def close(self) -> None:
        """Stop moto (with a state folder: a last snapshot, when anything changed since the
        one before) and let go of the folder."""
        if self._moto:
            self._moto.stop()
        if self.faults:
            self.faults.unpatch()
        if self._lock:
            self._lock.close()


def where(stack: LocalStack) -> dict[str, Any]:
    """What stack.json says: where each part listens, and the app's environment."""
    return {
        "host": stack.host,
        "ports": {
            "api": stack.api_port,
            "moto": stack.moto_port,
            "site": stack.site_port,
            "mailbox": stack.mailbox_port,
        },
        "urls": {
            "api": stack.api_url,
            "console": stack.console_url,
            "site": stack.site_url + "/",
            "moto": stack.moto_url,
            "mailbox": stack.mailbox_url,
        },
        "data": str(stack.state.data) if stack.state else None,
        "env": {
            **stack.env,
            "API_URL": stack.api_url,
            "MAILBOX_URL": stack.mailbox_url,
            "SITE_DIR": str(stack.site_dir),
        },
    }


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def banner(stack: LocalStack) -> str:
    env = stack.env
    lines = [
        "",
        "destek is running locally",
        f"  console       {stack.console_url}   (agents, supervisors, admins; ?lang=en)",
        f"  site          {stack.site_url}/   (customers: sign up, register products, file cases)",
        f"  API           {stack.api_url}   (try {stack.api_url}/health, {stack.api_url}/docs)",
        f"  moto (AWS)    {stack.moto_url}",
        f"  mailbox       {stack.mailbox_url}   (emails and SMS destek sent)",
        f"  staff pool    {env['STAFF_POOL_ID']}  client {env['STAFF_CLIENT_IDS']}",
        f"  customer pool {env['CUSTOMER_POOL_ID']}  client {env['CUSTOMER_CLIENT_IDS']}",
    ]
    state = stack.state
    if state:
        replayed = stack._moto.replayed if stack._moto else None
        kept = (
            f"restored from the last run in {replayed.total_seconds:.1f} s"
            if stack.restored and replayed
            else "new, with the demo data"
        )
        lines += [
            f"  data          {_shown(state.data)}   ({kept}; kept across restarts,"
            " `make reset` starts clean)",
        ]
    else:
        lines += ["  data          in memory only: gone when the stack stops"]
    # the commands find the stack through stack.json in the default folder by themselves
    elsewhere = state is not None and state.root.resolve() != default_dir().resolve()
    flag = f" --state-dir {_shown(state.root)}" if elsewhere and state else ""
    make_flag = f' ARGS="{flag.strip()}"' if flag else ""
    lines += ["", "demo logins (password for all: Destek2026!)"]
    lines += [f"  {login.role:<11} {login.username:<22} {login.name}" for login in stack.logins]
    lines += [
        "",
        f"get a token:  .venv/bin/python -m devstack token ayse{flag}",
        f'try:          curl -H "Authorization: Bearer $(.venv/bin/python -m devstack token'
        f' ayse{flag})" {stack.api_url}/cases',
        f"shop backend: sign calls to {stack.api_url}/integrations/demo-shop/... with",
        f"              {DEMO_SHOP_SECRET}",
        f"email in:     make mail EML=tests/data/mail/01-duz-utf8.eml{make_flag}"
        "  (then GET /precases)",
        "(these commands find this stack's ports in "
        f"{_shown(state.stack_file) if state else 'the flags you give them'})",
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
