"""The text of inbound mail: HTML turned into plain text, quoted history cut off, case
numbers and Message-IDs found, file names made safe (charsets are in `charsets`).

Kept apart from the MIME walk in `inbound_mail` because each of these is a
judgement about what people and their clients write rather than about message
structure, and each can be tested with short strings instead of whole messages.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: a year of this century: a phone number written 0532-123456 is not a case
CASE_TOKEN = re.compile(r"(?<!\d)(20\d{2}-\d{6})(?!\d)")
MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
MAX_FILENAME = 200


def case_number_in(subject: str) -> str | None:
    """The first case number in a subject, however the customer's client wrapped it.

    `[#2026-000123]`, `#2026-000123` and a bare number all carry the same digits;
    the digit guards keep an order or phone number that merely contains the
    shape from being mistaken for a case.
    """
    found = CASE_TOKEN.search(subject or "")
    return found.group(1) if found else None


# -- HTML to text ---------------------------------------------------------------

_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "br",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
_DROPPED = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.line: list[str] = []
        self.dropping = 0
        self.quote_depth = 0
        self.line_depth = 0
        self.pre = 0

    def handle_starttag(self, tag, attrs):
        if tag in _DROPPED:
            self.dropping += 1
        elif tag in _BLOCKS:
            self.newline()
            if tag == "blockquote":
                self.quote_depth += 1
            elif tag == "pre":
                self.pre += 1

    def handle_startendtag(self, tag, attrs):
        if tag in _BLOCKS:
            self.newline()

    def handle_endtag(self, tag):
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif tag in _BLOCKS:
            self.newline()
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if self.dropping:
            return
        if not self.line:
            self.line_depth = self.quote_depth
        if self.pre:
            first, *rest = data.split("\n")
            self.line.append(first)
            for piece in rest:
                self.newline()
                self.line_depth = self.quote_depth
                self.line.append(piece)
        else:
            self.line.append(re.sub(r"\s+", " ", data))

    def newline(self):
        text = "".join(self.line).strip()
        if self.line_depth and text:
            text = "> " * self.line_depth + text
        self.lines.append(text)
        self.line = []
        self.line_depth = self.quote_depth


def html_to_text(html: str) -> str:
    """What a customer who wrote only HTML meant to say, as lines an agent can read.

    Blockquotes come out as "> " lines so that `strip_quoted` cuts the history
    of an HTML-only reply the same way it does for plain text.
    """
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    collector.newline()
    text = "\n".join(collector.lines)
    text = re.sub(r"\n{3,}", "\n\n", text.replace("\xa0", " "))
    return text.strip()


# -- quoted history -------------------------------------------------------------

_ON_WROTE = re.compile(r"^On\b.*\bwrote:\s*$", re.IGNORECASE)
_TR_WROTE = re.compile(r"\btarihinde\b.*\bşun(?:u|ları) yazdı:\s*$", re.IGNORECASE)
_ORIGINAL = re.compile(
    r"^-{2,}\s*(Original Message|Özgün İleti|Orijinal Mesaj|Özgün Mesaj|Orijinal İleti)\s*-{2,}$",
    re.IGNORECASE,
)
_OUTLOOK_FROM = re.compile(r"^\*?(From|Kimden):", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\*?(Sent|Gönderildi|Date|Tarih):", re.IGNORECASE)
_OUTLOOK_RULE = re.compile(r"^_{20,}$")
_SIGNATURE = "-- "


def _starts_quote(lines: list[str], i: int) -> bool:
    raw = lines[i]
    line = raw.strip()
    following = lines[i + 1].strip() if i + 1 < len(lines) else ""
    joined = f"{line} {following}"
    return (
        raw == _SIGNATURE
        or line.startswith(">")
        or bool(_ON_WROTE.match(line))
        or bool(_TR_WROTE.search(line))
        or bool(_ORIGINAL.match(line))
        or bool(_OUTLOOK_RULE.match(line))
        or (line.startswith("On ") and following.endswith("wrote:") and _ON_WROTE.match(joined))
        or (
            following.endswith(("yazdı:", "YAZDI:"))
            and any(ch.isdigit() for ch in line)
            and bool(_TR_WROTE.search(joined))
        )
        or (
            bool(_OUTLOOK_FROM.match(line))
            and any(_OUTLOOK_SENT.match(other.strip()) for other in lines[i + 1 : i + 5])
        )
    )


def strip_quoted(text: str) -> str:
    """What the customer wrote this time, without the history their client pasted below it.

    Cuts at the first line that starts a quote or a signature: interleaved
    answers are rare in customer mail, and a case keeps the earlier messages
    anyway. If the cut leaves nothing (a mail that is all quote), the whole
    text is kept rather than an empty reply.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = next((i for i in range(len(lines)) if _starts_quote(lines, i)), len(lines))
    kept = "\n".join(line.rstrip() for line in lines[:cut]).strip()
    return kept or text.strip()


# -- headers and names ------------------------------------------------------------


def is_address(value: str) -> bool:
    """An addr-spec we could answer; `From: Ahmet` parses, but to nobody."""
    local, at, domain = value.rpartition("@")
    return bool(at and local and domain) and not any(ch.isspace() for ch in value)


def message_ids(value: str) -> list[str]:
    """Ids without brackets; bare tokens when a client forgot the brackets, so threading holds."""
    found = MESSAGE_ID.findall(value)
    return found or [token.strip("<>") for token in value.split() if token.strip("<>")]


def safe_filename(name: str) -> str:
    """A name that is only a name: no directories, no control characters, no hidden dot-file."""
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").strip()
    if len(name) > MAX_FILENAME:
        _, dot, ext = name.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        name = name[: MAX_FILENAME - len(ext) - 1] + ("." + ext if ext else "")
    return name


#: the extension an unnamed part gets; a table rather than `mimetypes`, which reads
#: the host's mime.types at first use and would make the result depend on the machine
EXTENSIONS = {
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
    "application/pdf": "pdf",
    "text/plain": "txt",
    "text/html": "html",
    "text/calendar": "ics",
    "message/rfc822": "eml",
    "video/mp4": "mp4",
    "application/zip": "zip",
}


def unnamed_filename(content_type: str, number: int) -> str:
    """`ek-1.png`: a name an agent can download and open, for parts the sender left unnamed."""
    return f"ek-{number}.{EXTENSIONS.get(content_type, 'bin')}"


def sanitize_html(html: str) -> str:
    """Only markup that cannot run: the console shows customer HTML to staff with privileges."""
    import nh3

    return nh3.clean(html, url_schemes=nh3.ALLOWED_URL_SCHEMES | {"cid"})
