"""`python -m devstack run` starts the local stack; `python -m devstack token USER` prints a token;
`python -m devstack mail FILE.eml` delivers an email to the running stack's inbox.

Ports default to 8000 (API) and 8001 (moto) and can be set with flags or the
DESTEK_API_PORT / DESTEK_MOTO_PORT variables, so a test can start its own
stack beside a running one.
"""

from __future__ import annotations

import argparse
import faulthandler
import json
import os
import signal
import sys
import time
import urllib.request

from .bootstrap import REGION


def _run(args: argparse.Namespace) -> int:
    from .stack import LocalStack, configure_logging, log_banner

    configure_logging()
    stack = LocalStack(
        host=args.host,
        moto_port=args.moto_port,
        api_port=args.api_port,
        mailbox_port=args.mailbox_port,
        site_port=args.site_port,
        max_receive_count=args.max_receive_count,
        schedule_every=args.schedule_every,
    )
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, _interrupt)
    try:
        stack.start()
        if args.env_file:
            with open(args.env_file, "w") as handle:
                json.dump(
                    {
                        **stack.env,
                        "API_URL": stack.api_url,
                        "MAILBOX_URL": stack.mailbox_url,
                        "SITE_DIR": str(stack.site_dir),
                    },  # fmt: skip
                    handle,
                )
        log_banner(stack)
        while True:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        sys.stdout.write("stopping destek...\n")
        sys.stdout.flush()
        # a part that will not stop leaves its stack in the log and the process ends anyway
        faulthandler.dump_traceback_later(STOP_TIMEOUT_SECONDS, exit=True)
        stack.stop()
        faulthandler.cancel_dump_traceback_later()
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


def _token(args: argparse.Namespace) -> int:
    """Sign in a demo user against the running stack's Cognito and print the id token."""
    import boto3

    base = f"http://{args.host}:{args.moto_port}"
    env = json.loads(urllib.request.urlopen(f"http://{args.host}:{args.api_port}/health").read())
    del env  # the API answering proves the stack is up; the pools come from moto itself
    cognito = boto3.client(
        "cognito-idp",
        endpoint_url=base,
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    pools = cognito.list_user_pools(MaxResults=10)["UserPools"]
    kind = "customers" if "@" in args.username else "staff"
    pool = next(p for p in pools if p["Name"].endswith(kind))
    client = cognito.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=5)["UserPoolClients"][
        0
    ]
    result = cognito.initiate_auth(
        ClientId=client["ClientId"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": args.username, "PASSWORD": args.password},
    )
    sys.stdout.write(result["AuthenticationResult"]["IdToken"] + "\n")
    return 0


def _mail(args: argparse.Namespace) -> int:
    """Drop .eml files where SES receiving would store them; the stack's queue does the rest."""
    import uuid
    from pathlib import Path

    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=f"http://{args.host}:{args.moto_port}",
        region_name=REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"] if "-inbound-mail-" in b["Name"]]
    if not buckets:
        sys.stderr.write("no inbound mail bucket: is `make run` running on this moto port?\n")
        return 1
    for path in args.files:
        key = f"inbound/{uuid.uuid4().hex}"
        s3.put_object(Bucket=buckets[0], Key=key, Body=Path(path).read_bytes())
        sys.stdout.write(f"{path} -> s3://{buckets[0]}/{key}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--host", default="127.0.0.1")
    where.add_argument("--api-port", type=int, default=int(os.environ.get("DESTEK_API_PORT", 8000)))
    where.add_argument(
        "--moto-port", type=int, default=int(os.environ.get("DESTEK_MOTO_PORT", 8001))
    )
    where.add_argument(
        "--mailbox-port", type=int, default=int(os.environ.get("DESTEK_MAILBOX_PORT", 8003))
    )
    where.add_argument(
        "--site-port", type=int, default=int(os.environ.get("DESTEK_SITE_PORT", 8002))
    )
    parser = argparse.ArgumentParser(prog="python -m devstack")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", parents=[where], help="start the local stack")
    run.add_argument("--max-receive-count", type=int, default=3)
    run.add_argument("--schedule-every", type=float, default=None, help="seconds (default: rate)")
    run.add_argument("--env-file", default=None, help="write the stack's variables here as JSON")
    token = commands.add_parser("token", parents=[where], help="print a demo user's id token")
    token.add_argument("username")
    token.add_argument("--password", default="Destek2026!")
    mail = commands.add_parser(
        "mail", parents=[where], help="deliver .eml files to the running stack's inbox"
    )
    mail.add_argument("files", nargs="+", metavar="FILE.eml")
    args = parser.parse_args(argv)
    return {"run": _run, "token": _token, "mail": _mail}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
