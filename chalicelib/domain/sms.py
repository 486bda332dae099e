"""SMS text: Turkish letters kept (UCS-2) or folded to GSM-7, and what a message costs.

A carrier sends an SMS in one of two alphabets. GSM-7 (3GPP TS 23.038) fits 160
characters in one message and 153 in each part of a longer one, but has no ç, ğ,
ı, İ or ş: Turkish in it must be folded ("çözüldü" -> "cozuldu"). UCS-2 carries
every letter but fits 70 characters, 67 per part. SNS picks the alphabet from the
text itself, so the choice is made here: `ucs2` (the default) sends the text as
written; `gsm7` folds it so that it is pure GSM-7 and costs fewer parts.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Literal

from .model import Model

Alphabet = Literal["ucs2", "gsm7"]

#: Turkish letters to their unaccented forms, and typographic marks to GSM-7 ones
_FOLD = str.maketrans(
    {"ç": "c", "Ç": "C", "ğ": "g", "Ğ": "G", "ı": "i", "İ": "I", "ö": "o", "Ö": "O",
     "ş": "s", "Ş": "S", "ü": "u", "Ü": "U", "â": "a", "Â": "A", "î": "i", "Î": "I",
     "û": "u", "Û": "U", "‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-",
     "…": "...", "\u00a0": " "}
)  # fmt: skip
_CODEC = "gsm03.38"


class SmsSize(Model):
    encoding: Alphabet
    #: GSM-7 septets (an extension character such as € or [ counts two) or UTF-16 units
    units: int
    parts: int


def is_gsm7(text: str) -> bool:
    _register_codec()
    try:
        text.encode(_CODEC)
    except UnicodeEncodeError:
        return False
    return True


def fold_to_gsm7(text: str) -> str:
    """The text in GSM-7 only: Turkish letters unaccented, other accents dropped where that
    makes a GSM-7 letter, anything else (emoji, other scripts) as "?"."""
    _register_codec()
    folded = []
    for char in text.translate(_FOLD):
        if not is_gsm7(char):
            bare = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            char = bare if bare and is_gsm7(bare) else "?"
        folded.append(char)
    return "".join(folded)


def for_sending(text: str, alphabet: Alphabet | str) -> str:
    """The SMS as it is handed to the carrier under the shop's chosen alphabet."""
    return fold_to_gsm7(text) if alphabet == "gsm7" else text


def size_of(text: str) -> SmsSize:
    """The alphabet a carrier uses for `text` and how many parts it is billed as."""
    if is_gsm7(text):
        units = len(text.encode(_CODEC))
        return SmsSize(encoding="gsm7", units=units, parts=_parts(units, 160, 153))
    units = len(text.encode("utf-16-le")) // 2
    return SmsSize(encoding="ucs2", units=units, parts=_parts(units, 70, 67))


def _parts(units: int, single: int, per_part: int) -> int:
    return 1 if units <= single else math.ceil(units / per_part)


def _register_codec() -> None:
    import gsm0338  # noqa: F401 - registers the "gsm03.38" codec on import
