"""Bytes of inbound mail to text: the declared charset when it can be trusted, its superset
when the sender's client wrote more than the label allows, detection when there is no label.

One set of rules for bodies, encoded-word headers, raw 8-bit headers and file names, so a
subject and the body under it can never disagree about what `0xDE` means:

- a label that names a subset of what clients really write is read as the superset
  (WHATWG's Encoding Standard does the same): ISO-8859-9 as windows-1254, ISO-8859-1 and
  US-ASCII as windows-1252, GB2312 as GBK, EUC-KR as CP949; the superset's extra letters
  (curly quotes, the euro sign) then survive instead of becoming C1 control characters;
- text labelled Latin-1 but written in the Turkish code page (Ý Þ Ð ý þ ð where İ Ş Ğ ı ş ğ
  were meant, letters that almost never appear in real Western European mail) is read as
  windows-1254;
- 8-bit text labelled as a single-byte charset but valid UTF-8 is UTF-8 (a common lie);
- no label, an unknown one, or 8-bit bytes under US-ASCII: UTF-8 if valid, else the
  `hint` (the charset the message's own body used), else `charset-normalizer` on text long
  enough to judge, else windows-1254 (a Turkish shop's likeliest sender);
- what comes out holds no C1 control characters (U+0080-U+009F) and no NUL: no text
  destek stores carries them.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import quopri
import re

#: label (as `codecs` names it) -> the superset its senders actually write
SUPERSETS = {
    "iso8859-9": "cp1254",
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gbk",
    "euc_kr": "cp949",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "shift_jis": "cp932",
}
_SINGLE_BYTE = {"cp1252", "cp1254", "cp1250", "cp1251", "cp1253", "cp1256", "cp874"}
_SINGLE_BYTE_PREFIXES = ("iso8859-", "cp125", "koi8", "mac-")
_LATIN1_FOR_TURKISH = re.compile("[ÝÞÐýþð]")
_C1_AND_NUL = re.compile("[\x00\x80-\x9f]")
#: what charset-normalizer may answer: the scripts a Turkish shop's mail arrives in
_CANDIDATES = (
    "cp1254",
    "cp1252",
    "cp1250",
    "cp1251",
    "cp1253",
    "cp1256",
    "koi8_r",
    "gbk",
    "big5",
    "cp932",
    "cp949",
)
#: below this many 8-bit bytes, statistics say little; the hint or the default decides
_DETECT_MIN_BYTES = 48
DEFAULT = "cp1254"


def strip_c1(text: str) -> str:
    """Text without C1 control characters and NUL (which no reader can see or type)."""
    return _C1_AND_NUL.sub("", text)


def codec_name(label: str | None) -> str | None:
    """The codec a MIME charset label names, or None for a missing or unknown label."""
    cleaned = (label or "").strip().strip('"').strip("'").lower()
    if not cleaned:
        return None
    try:
        return codecs.lookup(cleaned).name
    except LookupError:
        return None


def superset_of(name: str) -> str:
    return SUPERSETS.get(name, name)


def _single_byte(name: str) -> bool:
    return name in _SINGLE_BYTE or name.startswith(_SINGLE_BYTE_PREFIXES)


def _utf8(payload: bytes) -> str | None:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _turkish_if_latin(name: str, text: str, payload: bytes) -> str:
    if name == "cp1252" and _LATIN1_FOR_TURKISH.search(text):
        return payload.decode("cp1254", errors="replace")
    return text


def _strict(payload: bytes, name: str) -> str | None:
    try:
        return payload.decode(name)
    except (UnicodeDecodeError, LookupError):
        return None


def detect(payload: bytes, hint: str | None = None) -> str:
    """The codec name to read unlabelled (or wrongly labelled) 8-bit text with."""
    if _utf8(payload) is not None:
        return "utf-8"
    hinted = codec_name(hint)
    if hinted and hinted not in ("utf-8", "ascii") and _strict(payload, superset_of(hinted)):
        return superset_of(hinted)
    high = sum(1 for b in payload if b >= 0x80)
    if high >= _DETECT_MIN_BYTES:
        from charset_normalizer import from_bytes

        best = from_bytes(payload, cp_isolation=list(_CANDIDATES)).best()
        if best is not None:
            name = codec_name(best.encoding) or DEFAULT
            # the Latin code pages differ only in a few letters, which statistics cannot
            # tell apart in a short mail; Turkish wins where its letters appear
            if name in ("cp1252", "cp1250", "iso8859-1", "iso8859-2", "iso8859-9"):
                as_turkish = payload.decode("cp1254", errors="replace")
                if re.search("[ğĞşŞıİ]", as_turkish):
                    return "cp1254"
            return name
    return DEFAULT


def decode_bytes(payload: bytes, charset: str | None, hint: str | None = None) -> str:
    """Text from bytes whatever their label says; a wrong guess costs letters, never the mail.

    `charset`: the declared label (None when missing); `hint`: what the rest of the message
    was written in, for bytes that carry no label of their own.
    """
    name = codec_name(charset)
    if name is not None and name.startswith(("utf-16", "utf-32", "utf-7")):
        wide = _strict(payload, name)  # not ASCII-compatible: the label is all there is
        if wide is not None:
            return strip_c1(wide)
    eight_bit = any(b >= 0x80 for b in payload)
    if not eight_bit:
        return strip_c1(payload.decode("ascii", errors="replace"))
    if name is None or name == "ascii":
        chosen = detect(payload, hint)
        text = payload.decode(chosen, errors="replace")
        return strip_c1(_turkish_if_latin(chosen, text, payload))
    if name != "utf-8" and _single_byte(superset_of(name)):
        as_utf8 = _utf8(payload)
        if as_utf8 is not None:
            return strip_c1(as_utf8)
    wider = superset_of(name)
    if _single_byte(wider):
        # bytes the superset leaves undefined are C1 controls under the label (WHATWG maps
        # them so too): nothing a person wrote, so they are dropped with the rest of C1
        text = payload.decode(wider, errors="ignore")
        return strip_c1(_turkish_if_latin(wider, text, payload))
    for candidate in dict.fromkeys((wider, name)):
        text = _strict(payload, candidate)
        if text is not None:
            return strip_c1(_turkish_if_latin(candidate, text, payload))
    if name == "utf-8":
        chosen = detect(payload, hint)
        if chosen != "utf-8":
            return strip_c1(payload.decode(chosen, errors="replace"))
    return strip_c1(payload.decode(wider, errors="replace"))


# -- headers ------------------------------------------------------------------------

_ENCODED_WORD = re.compile(rb"=\?([^?\s]+)\?([QqBb])\?([^?\s]*)\?=")
_FOLD = re.compile(rb"\r?\n(?=[ \t])")


def _word_bytes(encoding: bytes, text: bytes) -> bytes:
    if encoding in (b"B", b"b"):
        padded = text + b"=" * (-len(text) % 4)
        try:
            return base64.b64decode(padded, validate=False)
        except (binascii.Error, ValueError):
            return b""
    return quopri.decodestring(text.replace(b"_", b" "), header=False)


def header_bytes(value: str) -> bytes:
    """A header value as the email package gave it (raw 8-bit bytes surrogate-escaped)."""
    return value.encode("utf-8", errors="surrogateescape")


def decode_header_value(value: str | bytes, hint: str | None = None) -> str:
    """A header's words as a person wrote them: RFC 2047 words read with each word's own
    label (through the superset and Turkish rules above), raw 8-bit runs detected with the
    message's `hint`; whitespace between two encoded words is dropped (RFC 2047 6.2)."""
    raw = value if isinstance(value, bytes) else header_bytes(value)
    raw = _FOLD.sub(b"", raw)
    pieces: list[str] = []
    last = 0
    previous_was_word = False
    for found in _ENCODED_WORD.finditer(raw):
        between = raw[last : found.start()]
        if not (previous_was_word and not between.strip()):
            pieces.append(_plain_run(between, hint))
        label = found.group(1).split(b"*", 1)[0].decode("ascii", errors="replace")
        decoded = _word_bytes(found.group(2), found.group(3))
        pieces.append(decode_bytes(decoded, label, hint))
        last = found.end()
        previous_was_word = True
    pieces.append(_plain_run(raw[last:], hint))
    return strip_c1("".join(pieces))


def _plain_run(run: bytes, hint: str | None) -> str:
    if not run:
        return ""
    return decode_bytes(run, None, hint)


def decode_rfc2231(charset: str | None, value: str, hint: str | None = None) -> str:
    """An RFC 2231 parameter (`filename*=iso-8859-9''%DEikayet.pdf`) the email package
    unquoted into one str per byte; read with the same rules as everything else."""
    raw = value.encode("latin-1", errors="surrogateescape")
    return decode_bytes(raw, charset or None, hint)
