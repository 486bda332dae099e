"""Mail a machine wrote: loops, bounces, auto-replies, bulk mail, and what a bounce reports.

Answering a machine starts a mail loop, and an out-of-office note threaded onto a case as
the customer's reply would wake a case that waits on the customer and stop its SLA
clock. What marks such mail, strongest first:

- loops: our own address as the sender, our `X-Destek-Loop` stamp, or our address in
  `X-Loop`;
- bounces: a `multipart/report; report-type=delivery-status` (RFC 3464), mail from
  MAILER-DAEMON or postmaster, or a null Return-Path with a delivery-status part;
- auto-replies: RFC 3834's `Auto-Submitted` (anything but `no`), and the headers mail
  systems really set: `X-Autoreply`, `X-Autorespond`, `X-Autoresponder`,
  `X-Mail-Autoreply`, Exchange's `X-MS-Exchange-Generated-Message-Source` (inbox rules,
  the Mailbox Rules Agent) and `X-MS-Exchange-Inbox-Rules-Loop`, Outlook's
  `X-Auto-Response-Suppress: All|OOF|AutoReply` on its own out-of-office notes,
  `Precedence: auto_reply`, other reports (read receipts);
- Turkish and English out-of-office subjects (`Otomatik yanıt:`, `Otomatik Cevap:`,
  `Ofis Dışında:`, `İzindeyim`, `Automatic reply:`, `Out of Office:`, ...), and first lines
  that say so: the unmistakable ones anywhere (`Bu bir otomatik yanıttır`, `This is an
  automatic reply`), the ones a customer could also write (`ofiste değilim`,
  `izindeyim`, `I am away`) only in a reply to our mail;
- bulk: `Precedence: bulk|junk|list`.

Our own notices carry `Auto-Submitted: auto-generated` and `X-Auto-Response-Suppress:
All` (messaging/sender.py), so well-behaved systems do not answer them at all.
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from enum import StrEnum

from .mail_text import message_ids
from .model import Model
from .text import fold


class AutomaticMail(StrEnum):
    """Why a message must open nothing: answering a machine starts a mail loop."""

    auto_reply = "auto_reply"
    bounce = "bounce"
    bulk = "bulk"
    loop = "loop"


_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_BULK = frozenset({"bulk", "junk", "list"})
_FLAG_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Mail-Autoreply")
_PRESENCE_HEADERS = ("X-MS-Exchange-Generated-Message-Source", "X-MS-Exchange-Inbox-Rules-Loop")
_SUPPRESS = frozenset({"all", "oof", "autoreply"})
_REPLY_PREFIX = re.compile(r"^\s*((re|ynt|yanit|cvp|cevap|fw|fwd|ilt|ilet|aw|sv)\s*:\s*)+")
#: folded (Turkish lowercase, ASCII letters): how out-of-office subjects begin
AUTO_SUBJECTS = (
    "otomatik yanit",
    "otomatik cevap",
    "otomatik yanitlama",
    "ofis disinda",
    "ofis disi",
    "ofiste degilim",
    "izindeyim",
    "izinliyim",
    "out of office",
    "out of the office",
    "automatic reply",
    "auto reply",
    "auto-reply",
    "autoreply",
    "auto:",
    "autoresponse",
    "away from the office",
    "vacation reply",
)
#: first lines only a machine writes
AUTO_LINES = (
    "bu bir otomatik",
    "otomatik yanittir",
    "otomatik cevaptir",
    "otomatik olarak gonderil",
    "otomatik yanit:",
    "this is an automatic",
    "this is an automated",
    "automatic reply:",
    "auto-reply:",
)
#: first lines a customer could also write; read as out-of-office only in a reply to us
AWAY_LINES = (
    "ofiste degilim",
    "ofiste olmayacagim",
    "ofis disindayim",
    "izindeyim",
    "izinde olacagim",
    "izinliyim",
    "tatildeyim",
    "out of office",
    "out of the office",
    "i am away",
    "i'm away",
    "i am currently out",
    "i'm currently out",
    "i am on leave",
    "i am on vacation",
)


def raw_header(msg: EmailMessage, name: str) -> str | None:
    wanted = name.lower()
    return next((str(v) for k, v in msg.raw_items() if k.lower() == wanted), None)


def _flag(msg: EmailMessage, name: str) -> bool:
    value = raw_header(msg, name)
    return value is not None and value.strip().lower() not in {"no", "false", "0"}


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def automatic(
    msg: EmailMessage,
    header: callable,
    sender: str,
    subject: str,
    first_text: str,
    own: frozenset[str],
    delivery_status: bool,
    is_reply: bool,
) -> AutomaticMail | None:
    """Loops first, then bounces (a bounce of our notice also says auto-replied), then
    auto-replies, then bulk; None for mail a person wrote. `header(name)` reads a
    decoded header; `is_reply`: the mail answers one of ours (headers or a case number)."""
    if sender in own or raw_header(msg, "X-Destek-Loop") is not None:
        return AutomaticMail.loop
    loops = " ".join(header("X-Loop").lower().split())
    if any(address in loops for address in own):
        return AutomaticMail.loop

    report_type = (msg.get_param("report-type", "", header="content-type") or "").lower()
    is_report = msg.get_content_type() == "multipart/report"
    return_path = header("Return-Path").strip()
    if (
        (is_report and report_type == "delivery-status")
        or sender.rpartition("@")[0] in _BOUNCE_SENDERS
        or (return_path == "<>" and delivery_status)
    ):
        return AutomaticMail.bounce

    auto_submitted = header("Auto-Submitted").split(";")[0].strip().lower()
    precedence = header("Precedence").strip().lower()
    suppress = {t.strip().lower() for t in header("X-Auto-Response-Suppress").split(",")}
    if (
        (auto_submitted and auto_submitted != "no")
        or any(_flag(msg, name) for name in _FLAG_HEADERS)
        or any(raw_header(msg, name) is not None for name in _PRESENCE_HEADERS)
        or suppress & _SUPPRESS
        or precedence == "auto_reply"
        or is_report  # read receipts and other reports: a machine, never a question
        or out_of_office(subject, first_text, is_reply)
    ):
        return AutomaticMail.auto_reply
    if precedence in _BULK:
        return AutomaticMail.bulk
    return None


def out_of_office(subject: str, text: str, is_reply: bool) -> bool:
    """An out-of-office note by its words: the subject's start, or the first line."""
    folded_subject = _REPLY_PREFIX.sub("", fold(subject))
    if folded_subject.startswith(AUTO_SUBJECTS):
        return True
    line = fold(_first_line(text))[:300]
    if any(phrase in line for phrase in AUTO_LINES):
        return True
    return is_reply and any(phrase in line for phrase in AWAY_LINES)


# -- bounces ---------------------------------------------------------------------------


class BouncedRecipient(Model):
    address: str
    action: str = ""
    #: RFC 3463 enhanced status (5.x.x permanent, 4.x.x transient)
    status: str = ""
    diagnostic: str = ""

    @property
    def permanent(self) -> bool:
        return self.action == "failed" or self.status.startswith("5")


class BounceReport(Model):
    """What a bounce says: who could not be reached and which of our mails it returns."""

    recipients: list[BouncedRecipient] = []
    #: Message-IDs of the returned mail (ours), from its returned headers or the text
    original_ids: list[str] = []

    @property
    def permanent(self) -> bool:
        return not self.recipients or any(r.permanent for r in self.recipients)

    def reason(self) -> str:
        """`5.2.2 smtp; 552 mailbox full`: the first failed recipient's status, for people."""
        failed = next((r for r in self.recipients if r.permanent), None)
        if failed is None:
            return ""
        return " ".join(p for p in (failed.status, failed.diagnostic) if p)[:500]


_FIELD = re.compile(r"^([A-Za-z-]+)\s*:\s*(.*)$")
_ID_LINE = re.compile(r"^\s*Message-I[Dd]\s*:\s*(<[^>]+>)", re.MULTILINE)


def delivery_fields(text: str) -> list[dict[str, str]]:
    """RFC 3464 field blocks (blank-line separated), names lowercased, folds joined."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last = None
    for line in text.replace("\r", "").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current, last = {}, None
        elif line[:1] in (" ", "\t") and last:
            current[last] += " " + line.strip()
        elif found := _FIELD.match(line):
            last = found.group(1).lower()
            current[last] = found.group(2).strip()
    if current:
        blocks.append(current)
    return blocks


def bounce_report(status_texts: list[str], returned_headers: list[str], text: str) -> BounceReport:
    """The report a bounce carries: its delivery-status blocks, the returned message's
    headers, or, for a plain-text bounce, the Message-ID lines and addresses in its text."""
    recipients = []
    for block in (b for t in status_texts for b in delivery_fields(t)):
        address = block.get("final-recipient") or block.get("original-recipient") or ""
        address = address.split(";", 1)[-1].strip().strip("<>").lower()
        if "@" not in address:
            continue
        recipients.append(
            BouncedRecipient(
                address=address,
                action=block.get("action", "").lower(),
                status=block.get("status", ""),
                diagnostic=block.get("diagnostic-code", "")[:300],
            )
        )
    ids: list[str] = []
    for headers in returned_headers:
        ids += [i for f in delivery_fields(headers) for i in message_ids(f.get("message-id", ""))]
    if not ids:
        ids = [i for found in _ID_LINE.findall(text) for i in message_ids(found)]
    return BounceReport(recipients=recipients, original_ids=list(dict.fromkeys(ids)))
