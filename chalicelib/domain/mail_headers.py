"""Reading a message's header block the way real mail systems do, and finding its sender.

Mail servers accept more than RFC 5322 allows, and a helpdesk that refuses what the
customer's own mail server delivered loses the customer's mail. What is read here
(Zammad's mail tests and Postfix's lenient parsing are the reference):

- a first line that is not a header (an mbox `From ` line, a gateway's stray banner) is
  skipped when real headers follow it;
- a header continued on a line that does not start with a space (broken folding, as some
  gateways write long tracker headers) is joined to the header above it, as long as more
  headers follow; otherwise the email package would end the header block there and lose
  From, Subject and everything after;
- the sender is the address in angle brackets, never the display name: `From:
  ahmet@example.com <someone@else.example>` is from someone@else.example;
- an address with a trailing dot (`ayse@example.com.`), a missing `>`, or no brackets at
  all (`Ahmet ahmet@example.com`) still names its sender.
"""

from __future__ import annotations

import re

from .charsets import decode_header_value
from .model import Model

_HEADER = re.compile(rb"^[!-9;-~]+[ \t]*:")
_BLANK = re.compile(rb"^\r?$")
#: how many stray lines may precede the real headers before the message is not mail
MAX_STRAY_LINES = 3
#: the headers a message cannot be mail without one of
_ESSENTIAL = re.compile(rb"^(from|to|subject|date|message-id|received|return-path)[ \t]*:", re.I)


def repair_header_block(raw: bytes) -> bytes:
    """The message with its header block made readable; the body untouched."""
    lines = raw.split(b"\n")
    start = 0
    while start < len(lines) and _BLANK.match(lines[start]):
        start += 1
    lines = lines[start:]
    stray = 0
    while stray < min(MAX_STRAY_LINES, len(lines)) and not _HEADER.match(lines[stray]):
        if _BLANK.match(lines[stray]):
            return raw  # a blank line before any header: there is no header block
        stray += 1
    if stray and not (stray < len(lines) and _ESSENTIAL.match(lines[stray])):
        return raw
    lines = lines[stray:]
    end = next((i for i, line in enumerate(lines) if _BLANK.match(line)), len(lines))
    last_header = max((i for i in range(end) if _HEADER.match(lines[i])), default=-1)
    for i in range(1, last_header):
        line = lines[i]
        if not _HEADER.match(line) and line[:1] not in (b" ", b"\t"):
            lines[i] = b" " + line
    return b"\n".join(lines)


def starts_like_mail(raw: bytes) -> bool:
    """A header line within the first few lines (an mbox `From ` line counts)."""
    lines = raw.lstrip(b"\r\n").split(b"\n", MAX_STRAY_LINES + 1)[: MAX_STRAY_LINES + 1]
    return any(_HEADER.match(line) or line.startswith(b"From ") for line in lines)


class Sender(Model):
    """Who a From header names."""

    address: str = ""
    name: str = ""
    #: the display name looked like another address and was dropped (a spoofing trick)
    name_was_address: bool = False


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
_ANGLE = re.compile(r"<\s*([^<>\s]*@[^<>\s]*?)\s*(?:>|$)")
_BARE = re.compile(r"[^\s<>()\",;:\[\]]+@[^\s<>()\",;:\[\]]+")
_COMMENT = re.compile(r"\(([^()]*)\)")
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$|^\".+\"$")
_DOMAIN = re.compile(
    r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def clean_address(value: str) -> str:
    """An addr-spec lowercased, without the trailing dot of a fully qualified domain; ""
    when what is left could not be written to."""
    address = value.strip().strip("<>").strip().lower()
    local, at, domain = address.rpartition("@")
    domain = domain.rstrip(".")
    if not at or not local or not _LOCAL.match(local) or not _DOMAIN.match(domain):
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            return ""
        if not at or not local or not _DOMAIN.match(domain) or any(c.isspace() for c in local):
            return ""
    return f"{local}@{domain}"


def parse_sender(value: str, hint: str | None = None) -> Sender:
    """The first mailbox of a From header, leniently; Sender() when it names none."""
    unfolded = " ".join(value.replace("\r", "").split("\n"))
    masked = _QUOTED.sub(lambda m: "\0" * len(m.group(0)), unfolded)
    angle = _ANGLE.search(masked)
    if angle:
        address = clean_address(unfolded[angle.start(1) : angle.end(1)])
        name = unfolded[: angle.start()].strip()
    else:
        bare = _BARE.search(masked)
        if not bare:
            return Sender()
        address = clean_address(unfolded[bare.start() : bare.end()])
        comment = _COMMENT.search(unfolded[bare.end() :])
        name = comment.group(1) if comment else unfolded[: bare.start()].strip()
    if not address:
        return Sender()
    name = " ".join(decode_header_value(_unquote(name.strip().rstrip(",")), hint).split())
    spoof = bool(name) and any(
        clean_address(token) not in ("", address) for token in _BARE.findall(name)
    )
    return Sender(address=address, name="" if spoof else name, name_was_address=spoof)


def _unquote(name: str) -> str:
    if len(name) >= 2 and name[0] == name[-1] == '"':
        return re.sub(r"\\(.)", r"\1", name[1:-1])
    return name


def addresses_in(value: str) -> list[str]:
    """Every usable address of an address-list header (To, Cc), in order, once each."""
    unfolded = " ".join(value.replace("\r", "").split("\n"))
    masked = _QUOTED.sub(lambda m: "\0" * len(m.group(0)), unfolded)
    found: dict[str, None] = {}
    for piece in re.split(r",(?![^<]*>)", masked):
        if not piece.strip():
            continue
        angle = _ANGLE.search(piece)
        candidate = angle.group(1) if angle else (_BARE.search(piece) or [None])[0]
        address = clean_address(candidate) if candidate else ""
        if address:
            found.setdefault(address, None)
    return list(found)
