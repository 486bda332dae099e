"""The developer mailbox: every email and SMS moto captured, on a page a person can read.

moto runs in this process, so its SES and SNS backends are read directly. The page
escapes everything it shows (message bodies carry customers' words).
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .backlog import deepen
from .moto_server import service_lock

ACCOUNT = "123456789012"


def messages(region: str) -> dict[str, list[dict[str, Any]]]:
    # read under the services' locks: a send adding to these while the page reads them failed
    # the read with "dictionary changed size during iteration"
    with service_lock("ses"), service_lock("sns"):
        return _messages(region)


def _messages(region: str) -> dict[str, list[dict[str, Any]]]:
    from moto.ses.models import ses_backends
    from moto.sns.models import sns_backends

    emails = [
        {
            "id": m.id,
            "from": m.source,
            "to": m.destinations.get("ToAddresses", []),
            "subject": m.subject,
            "body": m.body,
        }
        for m in ses_backends[ACCOUNT][region].sent_messages
        if hasattr(m, "subject")
    ]
    sms = [
        {"id": message_id, "to": phone, "body": body}
        for message_id, (phone, body) in sns_backends[ACCOUNT][region].sms_messages.items()
    ]
    return {"emails": emails, "sms": sms}


def page(found: dict[str, list[dict[str, Any]]]) -> str:
    e = html.escape
    rows = [
        "<!doctype html><html lang='tr'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>destek · posta kutusu</title>"
        "<style>body{font:15px system-ui;margin:2rem;max-width:60rem}"
        "article{border:1px solid #999;padding:.75rem;margin:.75rem 0}"
        "pre{white-space:pre-wrap}</style></head><body>"
        "<h1>Geliştirici posta kutusu</h1>"
        f"<h2>E-posta ({len(found['emails'])})</h2>"
    ]
    for mail in reversed(found["emails"]):
        rows.append(
            f"<article><h3>{e(mail['subject'])}</h3>"
            f"<p>Kime: {e(', '.join(mail['to']))} · Kimden: {e(mail['from'])}</p>"
            f"<pre>{e(mail['body'])}</pre></article>"
        )
    rows.append(f"<h2>SMS ({len(found['sms'])})</h2>")
    for sms in reversed(found["sms"]):
        rows.append(f"<article><p>Kime: {e(sms['to'])}</p><pre>{e(sms['body'])}</pre></article>")
    rows.append("</body></html>")
    return "".join(rows)


class Mailbox:
    def __init__(self, host: str, port: int, region: str) -> None:
        region_ = region

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                found = messages(region_)
                if self.path.startswith("/messages.json"):
                    body, kind = json.dumps(found).encode(), "application/json"
                else:
                    body, kind = page(found).encode(), "text/html; charset=utf-8"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer((host, port), Handler)
        deepen(self.server.socket)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
