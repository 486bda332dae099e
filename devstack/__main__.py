"""The local stack's commands.

    python -m devstack run      start the local stack (make run; ARGS="--api-port 9000 ...")
    python -m devstack token U  print user U's id token (ayse, mehmet, ahmet@example.com, ...)
    python -m devstack mail F   deliver .eml files to the running stack's inbox (make mail)
    python -m devstack reset    forget the stack's data (make reset); the next run seeds anew
    python -m devstack sql Q    run read-only SQL over the case-event archive (make sql Q="...")

Ports default to 8000 (API), 8001 (moto), 8002 (site) and 8003 (mailbox); `run` takes
--api-port, --moto-port, --site-port and --mailbox-port (or DESTEK_API_PORT, DESTEK_MOTO_PORT,
DESTEK_SITE_PORT, DESTEK_MAILBOX_PORT), so a test can start its own stack beside a running
one. `run` writes where it listens to <state dir>/stack.json (`.devstack/` unless
--state-dir or DESTEK_STATE_DIR say otherwise), and `token` and `mail` read it: they follow
the stack wherever it was started. A port given to them explicitly wins.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

from .bootstrap import REGION
from .state import NoStack, StateDir, default_dir

PORTS = {"api": 8000, "moto": 8001, "site": 8002, "mailbox": 8003}


def _run(args: argparse.Namespace) -> int:
    from .stack import LocalStack, configure_logging, log_banner, where

    configure_logging()
    ports = {name: _port(args, name) or default for name, default in PORTS.items()}
    state = StateDir(Path(args.state_dir))
    stack = LocalStack(
        host=args.host,
        moto_port=ports["moto"],
        api_port=ports["api"],
        mailbox_port=ports["mailbox"],
        site_port=ports["site"],
        max_receive_count=args.max_receive_count,
        schedule_every=args.schedule_every,
        state_dir=state.root,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        stack.start()
        state.write_stack(where(stack))
        if args.env_file:
            Path(args.env_file).write_text(json.dumps(where(stack)["env"]))
        log_banner(stack)
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    except (RuntimeError, OSError) as error:  # the state folder is taken, a port is busy, ...
        sys.stderr.write(f"destek: {error}\n")
        return 1
    finally:
        sys.stdout.write("stopping destek...\n")
        sys.stdout.flush()
        state.remove_stack()
        # a part that will not stop leaves its stack in the log and the process ends anyway
        faulthandler.dump_traceback_later(STOP_TIMEOUT_SECONDS, exit=True)
        stack.stop_parts()
        faulthandler.cancel_dump_traceback_later()
        # a last snapshot takes as long as the data is large (a minute at 100,000 cases on a
        # busy machine); a second Ctrl-C cuts it short and loses nothing: the journal has it
        stack.close()
    return 0


STOP_TIMEOUT_SECONDS = 30


def _interrupt(*_: object) -> None:
    """Ctrl-C and SIGTERM both end the sleep below with KeyboardInterrupt.

    The main thread sleeps in short steps rather than waiting on an Event: a
    signal the kernel hands to one of the server threads does not wake a lock
    wait, and setting an Event from a handler can deadlock on the Event's own
    lock. CI once hung for 90 s that way.
    """
    raise KeyboardInterrupt


def _port(args: argparse.Namespace, name: str) -> int | None:
    """A port chosen on the command line or in DESTEK_<NAME>_PORT, else None."""
    given = getattr(args, f"{name}_port", None)
    if given is not None:
        return given
    variable = os.environ.get(f"DESTEK_{name.upper()}_PORT")
    return int(variable) if variable else None


def _target(args: argparse.Namespace) -> dict[str, Any]:
    """Where the stack these commands talk to listens, and its environment if known.

    Ports given explicitly win; otherwise stack.json, which `run` wrote, says where."""
    moto = _port(args, "moto")
    if moto is not None:
        return {"moto_url": f"http://{args.host}:{moto}", "env": None}
    state = StateDir(Path(args.state_dir))
    running = state.running()
    return {"moto_url": running["urls"]["moto"], "env": running["env"], "from": state.stack_file}


def _aws(service: str, endpoint: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
        config=Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 1}),
    )


def _unreachable(target: dict[str, Any]) -> NoStack:
    source = f" (from {target['from']})" if target.get("from") else ""
    return NoStack(
        f"no local stack answers at {target['moto_url']}{source}; start one with `make run`"
    )


def _token(args: argparse.Namespace) -> int:
    """Sign in a demo user against the running stack's Cognito and print the id token."""
    from botocore.exceptions import ClientError, EndpointConnectionError

    target = _target(args)
    kind = "CUSTOMER" if "@" in args.username else "STAFF"
    cognito = _aws("cognito-idp", target["moto_url"])
    try:
        env = target["env"] or _pools(target["moto_url"])
        result = cognito.initiate_auth(
            ClientId=env[f"{kind}_CLIENT_IDS"].split(",")[0],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": args.username, "PASSWORD": args.password},
        )
    except EndpointConnectionError:
        raise _unreachable(target) from None
    except ClientError as error:
        sys.stderr.write(f"{args.username}: {error.response['Error']['Message']}\n")
        return 1
    sys.stdout.write(result["AuthenticationResult"]["IdToken"] + "\n")
    return 0


def _pools(moto_url: str) -> dict[str, str]:
    """The pools' client ids on a moto found by port alone (no stack.json to read them from)."""
    from botocore.exceptions import EndpointConnectionError

    from .bootstrap import environment

    try:
        return environment(moto_url)
    except EndpointConnectionError:
        raise
    except Exception as error:  # noqa: BLE001 - whatever moto lacks, say what was looked for
        raise NoStack(f"no destek stack's pools on {moto_url}: {error}") from None


def _mail(args: argparse.Namespace) -> int:
    """Drop .eml files where SES receiving would store them; the stack's queue does the rest."""
    import uuid

    from botocore.exceptions import EndpointConnectionError

    target = _target(args)
    s3 = _aws("s3", target["moto_url"])
    try:
        if target["env"]:
            bucket = target["env"]["INBOUND_MAIL_BUCKET"]
        else:
            names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
            found = [name for name in names if "-inbound-mail-" in name]
            if not found:
                raise NoStack(f"no inbound mail bucket on {target['moto_url']}")
            bucket = found[0]
        for path in args.files:
            key = f"inbound/{uuid.uuid4().hex}"
            s3.put_object(Bucket=bucket, Key=key, Body=Path(path).read_bytes())
            sys.stdout.write(f"{path} -> s3://{bucket}/{key}\n")
    except EndpointConnectionError:
        raise _unreachable(target) from None
    return 0


def _sql(args: argparse.Namespace) -> int:
    """Ask the running stack's POST /analytics/sql as a supervisor (selin unless --as says
    otherwise): the same guard, limits and permission as the console; print a table."""
    import io
    import urllib.error
    import urllib.request
    from contextlib import redirect_stdout

    target = _target(args)
    api = (target.get("env") or {}).get("API_URL") or f"http://{args.host}:{PORTS['api']}"
    token_args = argparse.Namespace(**{**vars(args), "username": args.as_user})
    captured = io.StringIO()
    with redirect_stdout(captured):
        if _token(token_args):
            return 1
    request = urllib.request.Request(
        f"{api}/analytics/sql", data=json.dumps({"sql": args.query}).encode(), method="POST",
        headers={"Authorization": f"Bearer {captured.getvalue().strip()}",
                 "Content-Type": "application/json"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=args.timeout) as answer:
            result = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        body = json.loads(error.read() or b"{}")
        sys.stderr.write(f"{error.code}: {json.dumps(body, ensure_ascii=False)}\n")
        return 1
    sys.stdout.write(format_table(result["columns"], result["rows"]))
    sys.stdout.write(
        f"({len(result['rows'])} rows{', cut at the row limit' if result['truncated'] else ''}"
        f"; {result['bytes_scanned']:,} bytes scanned; {result['seconds']:.3f} s)\n"
    )
    return 0


def format_table(columns: list[str], rows: list[list[Any]]) -> str:
    """Rows as an aligned text table (None as empty)."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    line = lambda values: "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=False))  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in cells)]
    return "\n".join(s.rstrip() for s in out) + "\n"


def _reset(args: argparse.Namespace) -> int:
    StateDir(Path(args.state_dir)).reset()
    return 0


def parser() -> argparse.ArgumentParser:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--host", default="127.0.0.1")
    where.add_argument(
        "--state-dir",
        default=str(default_dir()),
        help="where stack.json and the data live (default: .devstack, or DESTEK_STATE_DIR)",
    )
    for name, default in PORTS.items():
        where.add_argument(
            f"--{name}-port",
            type=int,
            default=None,
            help=f"default {default}, or DESTEK_{name.upper()}_PORT"
            + ("" if name != "moto" else "; for token and mail, the stack.json of --state-dir"),
        )
    commands = argparse.ArgumentParser(prog="python -m devstack")
    sub = commands.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", parents=[where], help="start the local stack")
    run.add_argument("--max-receive-count", type=int, default=3)
    run.add_argument(
        "--schedule-every",
        type=float,
        default=None,
        help="seconds a 1-minute rate takes, longer ones in proportion",
    )
    run.add_argument("--env-file", default=None, help="also write the app's environment here")
    token = sub.add_parser("token", parents=[where], help="print a demo user's id token")
    token.add_argument("username")
    token.add_argument("--password", default="Destek2026!")
    mail = sub.add_parser("mail", parents=[where], help="deliver .eml files to the inbox")
    mail.add_argument("files", nargs="+", metavar="FILE.eml")
    sub.add_parser("reset", parents=[where], help="forget the local stack's data")
    sql = sub.add_parser("sql", parents=[where], help="read-only SQL over the case events")
    sql.add_argument("query", metavar="SQL")
    sql.add_argument("--as", dest="as_user", default="selin", help="a supervisor (default selin)")
    sql.add_argument("--password", default="Destek2026!")
    sql.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for the answer")
    return commands


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    command = {"run": _run, "token": _token, "mail": _mail, "reset": _reset, "sql": _sql}[
        args.command
    ]
    try:
        return command(args)
    except (NoStack, RuntimeError) as error:
        sys.stderr.write(f"destek: {error}\n")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
