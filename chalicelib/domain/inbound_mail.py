"""Inbound customer email, read into one flat record the case handler can act on.

Pure: the raw bytes come in, an `InboundMail` or a `MailRefused` comes out. The
handler that will fetch mail from S3 decides what to open; this module only
says what the mail is (who, which case, what they wrote, whether a machine
sent it). Anything a stranger can send must end in one of those two outcomes,
never in a stack trace that would make the mail be retried for ever.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from enum import StrEnum

from .mail_text import (
    case_number_in,
    decode_bytes,
    decode_words,
    html_to_text,
    is_address,
    message_ids,
    repair,
    safe_filename,
    sanitize_html,
    strip_quoted,
    unnamed_filename,
)
from .model import Model
from .text import turkish_lower

__all__ = [
    "AutomaticMail",
    "InboundMail",
    "MailPart",
    "MailRefused",
    "MailTooLarge",
    "MalformedMail",
    "case_number_in",
    "parse_mail",
    "strip_quoted",
]

MAX_BYTES = 25 * 1024 * 1024


class MailRefused(Exception):
    """A mail that must be dropped (and logged), not retried: retrying cannot make it readable."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class MalformedMail(MailRefused):
    pass


class MailTooLarge(MailRefused):
    pass


class AutomaticMail(StrEnum):
    """Why a message must open nothing: answering a machine starts a mail loop."""

    auto_reply = "auto_reply"
    bounce = "bounce"
    bulk = "bulk"
    loop = "loop"


class MailPart(Model):
    filename: str
    content_type: str
    content: bytes
    #: shown inside the HTML (cid:) rather than offered as a download
    inline: bool = False
    content_id: str | None = None


class InboundMail(Model):
    message_id: str | None
    #: what threads the mail to a case when the subject lost its number
    replied_ids: list[str]
    from_address: str
    from_name: str
    to: list[str]
    subject: str
    sent_at: datetime | None
    text: str
    #: what an agent reads first; the whole `text` stays for the record
    reply_text: str
    html: str | None
    attachments: list[MailPart]
    automatic: AutomaticMail | None
    case_number: str | None


_AUTO_SUBJECTS = (
    "Otomatik yanıt",
    "Otomatik Yanıt",
    "Automatic reply",
    "Auto:",
    "Out of Office",
    "Ofis Dışında",
    "İzindeyim",
)
_BOUNCE_SENDERS = frozenset({"mailer-daemon", "postmaster"})
_BULK = frozenset({"bulk", "junk", "list"})
_HEADER_LINE = re.compile(rb"^[!-9;-~]+:")


def parse_mail(
    raw: bytes, *, own_addresses: frozenset[str] = frozenset(), max_bytes: int = MAX_BYTES
) -> InboundMail:
    """Read one raw message; refuse, with a reason for the log, what cannot be a customer's mail."""
    if len(raw) > max_bytes:
        raise MailTooLarge(f"the message has {len(raw)} bytes, more than the {max_bytes} allowed")
    if not raw or not raw.strip():
        raise MalformedMail("the message is empty")
    try:
        return _parse(raw, frozenset(a.lower() for a in own_addresses))
    except MailRefused:
        raise
    except Exception as exc:  # the email package has many ways to trip on hostile input
        raise MalformedMail(f"the message could not be read ({type(exc).__name__})") from exc


def _parse(raw: bytes, own: frozenset[str]) -> InboundMail:
    first = raw.lstrip(b"\r\n").split(b"\n", 1)[0]
    if not (_HEADER_LINE.match(first) or first.startswith(b"From ")):
        raise MalformedMail("the message does not start with a header")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if not msg.keys():
        raise MalformedMail("the message has no header block")
    from_name, from_address = _sender(msg)
    subject = " ".join(_header_text(msg, "Subject").split())

    body = _Body()
    body.visit(msg)
    text = body.text()
    cleaned = sanitize_html(body.html) if body.html is not None else None
    attachments = body.finish_parts(body.html or "")

    return InboundMail(
        message_id=next(iter(message_ids(_header_text(msg, "Message-ID"))), None),
        replied_ids=_repliedmessage_ids(msg),
        from_address=from_address,
        from_name=from_name,
        to=_recipients(msg),
        subject=subject,
        sent_at=_sent_at(msg),
        text=text,
        reply_text=strip_quoted(text) if text else "",
        html=cleaned,
        attachments=attachments,
        automatic=_automatic(msg, from_address, subject, own, body.saw_delivery_status),
        case_number=case_number_in(subject),
    )


# -- headers --------------------------------------------------------------------


def _raw_header(msg: EmailMessage, name: str) -> str | None:
    wanted = name.lower()
    return next((str(v) for k, v in msg.raw_items() if k.lower() == wanted), None)


def _header_text(msg: EmailMessage, name: str) -> str:
    """A header decoded, including the raw 8-bit bytes some Turkish clients still send."""
    raw = _raw_header(msg, name)
    if raw is None:
        return ""
    if any("\udc80" <= ch <= "\udcff" for ch in raw):
        return decode_words(repair(raw))
    try:
        return repair(str(msg[name] or ""))
    except Exception:
        return decode_words(raw)


def _addresses(msg: EmailMessage, name: str) -> list[tuple[str, str]]:
    """(display name, lowercased addr-spec) pairs, falling back to the lenient old parser."""
    pairs: list[tuple[str, str]] = []
    for folded in (str(v) for k, v in msg.raw_items() if k.lower() == name.lower()):
        raw = folded.replace("\r", "").replace("\n", "")
        try:
            header = msg.policy.header_factory(name, raw)
            found = [(a.display_name, a.addr_spec) for a in header.addresses]
        except Exception:
            found = getaddresses([raw])
        pairs.extend((repair(decode_words(n)), repair(a).strip().lower()) for n, a in found)
    return [(n, a) for n, a in pairs if is_address(a)]


def _sender(msg: EmailMessage) -> tuple[str, str]:
    if _raw_header(msg, "From") is None:
        raise MalformedMail("the message has no From header")
    found = _addresses(msg, "From")
    if not found:
        raise MalformedMail("the From header holds no address")
    name, address = found[0]
    return " ".join(name.split()), address


def _recipients(msg: EmailMessage) -> list[str]:
    seen: dict[str, None] = {}
    for name in ("To", "Cc"):
        for _, address in _addresses(msg, name):
            seen.setdefault(address, None)
    return list(seen)


def _repliedmessage_ids(msg: EmailMessage) -> list[str]:
    """In-Reply-To first, then References newest first: the nearest ancestor is the likeliest."""
    ordered = message_ids(_header_text(msg, "In-Reply-To"))
    ordered += list(reversed(message_ids(_header_text(msg, "References"))))
    return list(dict.fromkeys(ordered))


def _sent_at(msg: EmailMessage) -> datetime | None:
    raw = _raw_header(msg, "Date")
    if not raw:
        return None
    try:
        when = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": the sender did not say, which RFC 5322 reads as UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


# -- machines -------------------------------------------------------------------


def _automatic(
    msg: EmailMessage, sender: str, subject: str, own: frozenset[str], delivery_status: bool
) -> AutomaticMail | None:
    """Loops first, then bounces: a bounce of our own notice also says auto-replied."""
    if sender in own or _raw_header(msg, "X-Destek-Loop") is not None:
        return AutomaticMail.loop
    loops = " ".join(_header_text(msg, "X-Loop").lower().split())
    if any(address in loops for address in own):
        return AutomaticMail.loop

    report_type = (msg.get_param("report-type", "", header="content-type") or "").lower()
    is_report = msg.get_content_type() == "multipart/report"
    return_path = _header_text(msg, "Return-Path").strip()
    if (
        (is_report and report_type == "delivery-status")
        or sender.rpartition("@")[0] in _BOUNCE_SENDERS
        or (return_path == "<>" and delivery_status)
    ):
        return AutomaticMail.bounce

    auto_submitted = _header_text(msg, "Auto-Submitted").split(";")[0].strip().lower()
    precedence = _header_text(msg, "Precedence").strip().lower()
    suppress = {t.strip().lower() for t in _header_text(msg, "X-Auto-Response-Suppress").split(",")}
    lowered = turkish_lower(subject)
    if (
        (auto_submitted and auto_submitted != "no")
        or _flag(msg, "X-Autoreply")
        or _flag(msg, "X-Autorespond")
        or suppress & {"all", "oof"}
        or precedence == "auto_reply"
        or is_report  # read receipts and other reports: a machine, never a question
        or any(lowered.startswith(turkish_lower(p)) for p in _AUTO_SUBJECTS)
    ):
        return AutomaticMail.auto_reply
    if precedence in _BULK:
        return AutomaticMail.bulk
    return None


def _flag(msg: EmailMessage, name: str) -> bool:
    value = _raw_header(msg, name)
    return value is not None and value.strip().lower() not in {"no", "false", "0"}


# -- body -----------------------------------------------------------------------


class _Body:
    """The MIME tree walked once: the texts the customer wrote and every file they sent."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: str | None = None
        self.parts: list[tuple[MailPart, str | None]] = []  # with the part's disposition
        self.saw_delivery_status = False
        self.unnamed = 0

    def visit(self, part: EmailMessage) -> None:
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global"):
            self._keep(part, ctype, _embedded_bytes(part))
        elif ctype == "message/delivery-status":
            self.saw_delivery_status = True
        elif part.is_multipart():
            for sub in part.get_payload():
                if isinstance(sub, EmailMessage):
                    self.visit(sub)
        else:
            self._leaf(part, ctype)

    def _leaf(self, part: EmailMessage, ctype: str) -> None:
        disposition = part.get_content_disposition()
        payload = part.get_payload(decode=True)
        payload = payload if isinstance(payload, bytes) else b""
        if ctype in ("text/plain", "text/html") and disposition != "attachment":
            decoded = decode_bytes(payload, part.get_content_charset())
            if ctype == "text/plain":
                self.plain.append(decoded)
            elif self.html is None:
                self.html = decoded
            return
        if ctype.startswith("text/") and disposition != "attachment" and not _filename(part):
            return  # a bounce's returned headers and the like: part of the report, not a file
        self._keep(part, ctype, payload)

    def _keep(self, part: EmailMessage, ctype: str, content: bytes) -> None:
        content_id = (_header_text(part, "Content-ID").strip().strip("<>").strip()) or None
        filename = safe_filename(_filename(part))
        if not filename:
            self.unnamed += 1
            filename = unnamed_filename(ctype, self.unnamed)
        mail_part = MailPart(
            filename=filename, content_type=ctype, content=content, content_id=content_id
        )
        self.parts.append((mail_part, part.get_content_disposition()))

    def text(self) -> str:
        plain = "\n".join(t.replace("\r\n", "\n").replace("\r", "\n") for t in self.plain)
        if plain.strip():
            return plain.strip()
        return html_to_text(self.html) if self.html else ""

    def finish_parts(self, html: str) -> list[MailPart]:
        referenced = {m.lower() for m in re.findall(r"cid:([^\"'\s>)]+)", html, re.IGNORECASE)}
        for mail_part, disposition in self.parts:
            cid = mail_part.content_id
            mail_part.inline = bool(cid) and (disposition == "inline" or cid.lower() in referenced)
        return [p for p, _ in self.parts]


def _embedded_bytes(part: EmailMessage) -> bytes:
    inner = part.get_payload()
    inner = inner[0] if isinstance(inner, list) and inner else inner
    if isinstance(inner, EmailMessage):
        for policy in (email.policy.default.clone(refold_source="none"), email.policy.compat32):
            try:
                return inner.as_bytes(policy=policy)
            except Exception:  # a damaged forward is still worth keeping as far as it goes
                continue
        return b""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else str(inner or "").encode()


def _filename(part: EmailMessage) -> str:
    try:
        name = part.get_filename() or ""
    except Exception:
        name = part.get_param("name", "", header="content-type") or ""
        name = name if isinstance(name, str) else ""
    return decode_words(repair(str(name)))
