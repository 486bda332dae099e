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
from email.utils import parsedate_to_datetime

from .charsets import decode_bytes, decode_header_value, decode_rfc2231, detect
from .mail_auth import MailAuth, from_header
from .mail_headers import addresses_in, parse_sender, repair_header_block, starts_like_mail
from .mail_machines import AutomaticMail, BounceReport, automatic, bounce_report, raw_header
from .mail_text import (
    case_number_in,
    html_to_text,
    message_ids,
    safe_filename,
    sanitize_html,
    strip_quoted,
    unnamed_filename,
)
from .model import Model

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
    #: "" when no usable sender could be read (see sender_problem)
    from_address: str
    from_name: str
    #: `no_from` (no From header) or `no_address` (a From that names nobody)
    sender_problem: str | None = None
    #: the display name held another address and was dropped (`a@x <b@y>`)
    name_was_address: bool = False
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
    #: SES's SPF/DKIM/DMARC verdicts from its Authentication-Results header
    auth: MailAuth = MailAuth()
    #: what a bounce reports (automatic == bounce)
    bounce: BounceReport | None = None


def parse_mail(
    raw: bytes, *, own_addresses: frozenset[str] = frozenset(), max_bytes: int = MAX_BYTES
) -> InboundMail:
    """Read one raw message; refuse, with a reason for the log, what cannot be mail at all.

    A message whose sender cannot be read is not refused: it comes back with
    `from_address` "" and `sender_problem` set, for the pool to show as "sender unknown".
    """
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
    raw = repair_header_block(raw)
    if not starts_like_mail(raw):
        raise MalformedMail("the message does not start with a header")
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if not msg.keys():
        raise MalformedMail("the message has no header block")

    body = _Body()
    body.visit(msg)
    hint = body.charset

    def header(name: str) -> str:
        value = raw_header(msg, name)
        return decode_header_value(value, hint) if value else ""

    from_header_value = raw_header(msg, "From")
    sender = parse_sender(from_header_value, hint) if from_header_value is not None else None
    problem = None if sender and sender.address else ("no_address" if sender else "no_from")
    subject = " ".join(header("Subject").split())
    text = body.text()
    attachments = body.finish_parts(body.html or "", hint)
    if problem and not (text or subject or attachments):
        raise MalformedMail("the message has no sender and nothing in it")
    from_address = sender.address if sender else ""
    replied = _replied_ids(header)
    case_number = case_number_in(subject)
    machine = automatic(
        msg, header, from_address, subject, text, own, body.saw_delivery_status,
        is_reply=bool(replied or case_number),
    )  # fmt: skip
    return InboundMail(
        message_id=next(iter(message_ids(header("Message-ID"))), None),
        replied_ids=replied,
        from_address=from_address,
        from_name=sender.name if sender else "",
        sender_problem=problem,
        name_was_address=bool(sender and sender.name_was_address),
        to=_recipients(msg, hint),
        subject=subject,
        sent_at=_sent_at(msg),
        text=text,
        reply_text=strip_quoted(text) if text else "",
        html=sanitize_html(body.html) if body.html is not None else None,
        attachments=attachments,
        automatic=machine,
        case_number=case_number,
        auth=from_header(raw_header(msg, "Authentication-Results")),
        bounce=(
            bounce_report(body.status_texts, body.returned_headers, text)
            if machine == AutomaticMail.bounce
            else None
        ),
    )


# -- headers --------------------------------------------------------------------


def _recipients(msg: EmailMessage, hint: str | None) -> list[str]:
    seen: dict[str, None] = {}
    for name in ("To", "Cc"):
        for folded in (str(v) for k, v in msg.raw_items() if k.lower() == name.lower()):
            for address in addresses_in(decode_header_value(folded, hint)):
                seen.setdefault(address, None)
    return list(seen)


def _replied_ids(header) -> list[str]:
    """In-Reply-To first, then References newest first: the nearest ancestor is the likeliest."""
    ordered = message_ids(header("In-Reply-To"))
    ordered += list(reversed(message_ids(header("References"))))
    return list(dict.fromkeys(ordered))


def _sent_at(msg: EmailMessage) -> datetime | None:
    raw = raw_header(msg, "Date")
    if not raw:
        return None
    try:
        when = parsedate_to_datetime(raw.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:  # "-0000": the sender did not say, which RFC 5322 reads as UTC
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


# -- body -----------------------------------------------------------------------

_RETURNED_HEADERS = ("text/rfc822-headers", "message/rfc822-headers")


class _Body:
    """The MIME tree walked once: the texts the customer wrote and every file they sent."""

    def __init__(self) -> None:
        self.plain: list[str] = []
        self.html: str | None = None
        #: each part with its disposition and its name as written (decoded at the end)
        self.parts: list[tuple[MailPart, str | None, EmailMessage]] = []
        self.saw_delivery_status = False
        self.status_texts: list[str] = []
        self.returned_headers: list[str] = []
        self.unnamed = 0
        #: what the first text part was written in: the hint for raw 8-bit headers
        self.charset: str | None = None

    def visit(self, part: EmailMessage) -> None:
        ctype = part.get_content_type()
        if ctype in ("message/rfc822", "message/global"):
            content = _embedded_bytes(part)
            self._keep(part, ctype, content)
            if self.saw_delivery_status or self.status_texts:
                self.returned_headers.append(
                    content.split(b"\n\n", 1)[0].decode("utf-8", "replace")
                )
        elif ctype in ("message/delivery-status", "message/global-delivery-status"):
            self.saw_delivery_status = True
            self.status_texts.append(_part_text(part))
        elif ctype in _RETURNED_HEADERS:
            self.returned_headers.append(_part_text(part))
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
            label = part.get_content_charset()
            decoded = decode_bytes(payload, label, self.charset)
            if self.charset is None and any(b >= 0x80 for b in payload):
                self.charset = label if label and label != "us-ascii" else detect(payload)
            if ctype == "text/plain":
                self.plain.append(decoded)
            elif self.html is None:
                self.html = decoded
            return
        if ctype.startswith("text/") and disposition != "attachment" and not _has_name(part):
            return  # a bounce's returned headers and the like: part of the report, not a file
        self._keep(part, ctype, payload)

    def _keep(self, part: EmailMessage, ctype: str, content: bytes) -> None:
        content_id = (decode_header_value(raw_header(part, "Content-ID") or "").strip()
                      .strip("<>").strip()) or None  # fmt: skip
        mail_part = MailPart(filename="", content_type=ctype, content=content,
                             content_id=content_id)  # fmt: skip
        self.parts.append((mail_part, part.get_content_disposition(), part))

    def text(self) -> str:
        plain = "\n".join(t.replace("\r\n", "\n").replace("\r", "\n") for t in self.plain)
        if plain.strip():
            return plain.strip()
        return html_to_text(self.html) if self.html else ""

    def finish_parts(self, html: str, hint: str | None) -> list[MailPart]:
        """Names decoded with the message's charset hint, inline images marked."""
        referenced = {m.lower() for m in re.findall(r"cid:([^\"'\s>)]+)", html, re.IGNORECASE)}
        kept = []
        for mail_part, disposition, part in self.parts:
            name = safe_filename(_filename(part, hint))
            if not name:
                self.unnamed += 1
                name = unnamed_filename(mail_part.content_type, self.unnamed)
            cid = mail_part.content_id
            inline = bool(cid) and (disposition == "inline" or cid.lower() in referenced)
            kept.append(mail_part.model_copy(update={"filename": name, "inline": inline}))
        return kept


def _part_text(part: EmailMessage) -> str:
    """A report part's text, however the email package holds it (blocks, or bytes)."""
    payload = part.get_payload()
    if isinstance(payload, list):
        return "\n\n".join(
            "\n".join(f"{k}: {v}" for k, v in block.raw_items())
            for block in payload
            if isinstance(block, EmailMessage)
        )
    raw = part.get_payload(decode=True)
    return decode_bytes(raw, part.get_content_charset()) if isinstance(raw, bytes) else str(payload)


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


def _has_name(part: EmailMessage) -> bool:
    return bool(
        part.get_param("filename", None, header="content-disposition")
        or part.get_param("name", None, header="content-type")
    )


def _filename(part: EmailMessage, hint: str | None) -> str:
    """The file's name as its sender wrote it: RFC 2231 (`filename*=`), RFC 2047 words in a
    quoted `name=` (Outlook), or raw 8-bit bytes, each read with the same charset rules."""
    for param, header in (("filename", "content-disposition"), ("name", "content-type")):
        try:
            value = part.get_param(param, None, header=header)
        except Exception:  # a broken parameter list: try the other header
            continue
        if value is None:
            continue
        if isinstance(value, tuple):  # RFC 2231: (charset, language, value)
            charset, _language, text = value
            return decode_rfc2231(charset, text, hint)
        # the raw header still holds 8-bit bytes the parsed parameter has lost
        raw = _RAW_PARAM[param].search(raw_header(part, header) or "")
        written = (raw.group(1) if raw.group(1) is not None else raw.group(2)) if raw else ""
        return decode_header_value(written or email.utils.unquote(str(value)), hint)
    return ""


_RAW_PARAM = {
    name: re.compile(rf'(?:^|;)\s*{name}\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))', re.I)
    for name in ("filename", "name")
}
