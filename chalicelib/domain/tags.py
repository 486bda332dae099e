"""Free tags on a case: one spelling per tag, whatever way an agent typed it
(docs/tags-and-fields.md).

A tag is normalised before it is stored, compared or counted: Unicode NFC, lowercased the
Turkish way (İ→i, I→ı: `İADE` and `iade` are one tag, `KARGO` becomes `kargo`, `IŞIK`
becomes `ışık`), trimmed, and every run of spaces inside made one `-` (a tag is one token,
as Zendesk's are: `geç teslimat` is `geç-teslimat`). It is then 1 to `MAX_TAG_BYTES`
bytes of UTF-8 (Turkish letters are two bytes each) of letters, digits, marks and
`-`, `_`, `.`, `:`, `/`, `+`, `#`; anything else is refused (InvalidInput
`invalid_tag`), never silently dropped. A case holds at most `MAX_TAGS` tags, kept
sorted.

Suggestions compare prefixes on the folded form (`domain/text.py` `fold`: `odeme`
finds `ödeme`), so each tag's counter item is keyed by `suggestion_key` (store/tags.py).

Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, Field

from .errors import InvalidInput
from .limits import utf8_size
from .text import fold, turkish_lower

#: one tag, in bytes of UTF-8 once normalised
MAX_TAG_BYTES = 64
#: tags on one case
MAX_TAGS = 30
#: tags one request adds or removes
MAX_TAGS_PER_CHANGE = 30
_SPACES = re.compile(r"\s+")
_PUNCTUATION = frozenset("-_.:/+#")


def normalise(raw: str) -> str:
    """The stored spelling of a typed tag, or InvalidInput `invalid_tag` (details: the tag
    as typed and why: `empty`, `too_long`, `bad_character`)."""
    if not isinstance(raw, str):
        raise InvalidInput("a tag is text", code="invalid_tag", details={"tag": raw})
    tag = _SPACES.sub("-", turkish_lower(unicodedata.normalize("NFC", raw)).strip())
    if not tag:
        raise InvalidInput("a tag cannot be empty", code="invalid_tag",
                           details={"tag": raw, "reason": "empty"})  # fmt: skip
    if utf8_size(tag) > MAX_TAG_BYTES:
        raise InvalidInput(f"a tag is at most {MAX_TAG_BYTES} bytes of UTF-8",
                           code="invalid_tag", details={"tag": raw, "reason": "too_long",
                                                        "max_bytes": MAX_TAG_BYTES})  # fmt: skip
    if not all(_allowed(ch) for ch in tag):
        raise InvalidInput("a tag holds letters, digits and - _ . : / + # only",
                           code="invalid_tag",
                           details={"tag": raw, "reason": "bad_character"})  # fmt: skip
    return tag


def _allowed(ch: str) -> bool:
    return ch in _PUNCTUATION or unicodedata.category(ch)[0] in ("L", "N", "M")


def normalise_all(raw: Iterable[str]) -> list[str]:
    """Each tag normalised, duplicates (after normalisation) once, in the order given."""
    return list(dict.fromkeys(normalise(t) for t in raw))


def _checked_list(values: list[str]) -> list[str]:
    try:
        return normalise_all(values)
    except InvalidInput as exc:
        raise ValueError(f"{exc.message}: {exc.details.get('tag')!r}") from exc


#: tags as an input model takes them: each normalised, repeats dropped (a 422 names a bad one)
TagList = Annotated[
    list[Annotated[str, Field(max_length=200)]],
    Field(max_length=MAX_TAGS_PER_CHANGE),
    AfterValidator(_checked_list),
]


def retagged(current: Iterable[str], add: Iterable[str], remove: Iterable[str]) -> list[str]:
    """The case's tags after adding `add` and removing `remove` (both normalised already),
    sorted; InvalidInput `too_many_tags` past MAX_TAGS. A tag in both is added."""
    removed = set(remove) - set(add)
    tags = sorted((set(current) - removed) | set(add))
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"a case holds at most {MAX_TAGS} tags", code="too_many_tags",
                           details={"max": MAX_TAGS})  # fmt: skip
    return tags


def suggestion_key(tag: str) -> str:
    """Where a tag's counter sorts: its folded form, then the tag itself (two tags that
    fold alike, `ödeme` and `odeme`, stay two counters)."""
    return f"{fold(tag)}#{tag}"


def suggestion_prefix(typed: str) -> str:
    """The sort-key prefix a typed beginning matches (folded: `Öde`, `öde`, `ode` alike)."""
    return fold(_SPACES.sub("-", unicodedata.normalize("NFC", typed).strip()))
