"""The words notices share, per language: `templates/messages/<language>/_words.json`.

Case types, priorities, statuses, channels, SLA targets and escalation audiences
are machine codes in the data; a notice says them with these words. Times are
shown on the clock of Europe/Istanbul, in the language's own format with the
month's name, never as stored ISO text.
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from ..domain.clock import ISTANBUL, from_iso


class MissingWord(KeyError):
    """A code has no word in a language's vocabulary: a template file is incomplete."""


class Vocabulary:
    def __init__(self, words: dict[str, Any]) -> None:
        self.words = words

    @classmethod
    @cache
    def of(cls, root: Path, language: str) -> Vocabulary:
        return cls(json.loads((root / language / "_words.json").read_text(encoding="utf-8")))

    def word(self, kind: str, code: Any = None) -> str:
        """The word for `code` of `kind` ("priority", "urgent"), or the word `kind` itself."""
        entry = self.words.get(kind)
        if code is not None:
            entry = entry.get(str(code)) if isinstance(entry, dict) else None
        if not isinstance(entry, str):
            raise MissingWord(f"no word for {kind} {code!r}")
        return entry

    def when(self, moment: datetime | str | None) -> str:
        """A moment as a person in Istanbul reads it: "1 Aralık 2026 23:25"; "" for none."""
        if not moment:
            return ""
        if isinstance(moment, str):
            moment = from_iso(moment)
        local = moment.astimezone(ISTANBUL)
        return self.words["datetime"].format(
            day=local.day, month=self.words["months"][local.month - 1], year=local.year,
            hh=f"{local.hour:02d}", mm=f"{local.minute:02d}",
        )  # fmt: skip


#: <app dir>/templates/console/strings: the console's words, which reports and their files use
CONSOLE_STRINGS = Path(__file__).resolve().parents[2] / "templates" / "console" / "strings"


@cache
def console_strings(language: str, root: Path = CONSOLE_STRINGS) -> dict[str, str]:
    """The console's strings of `language` ("tr" or "en"): `{key: words}`."""
    return json.loads((root / f"{language}.json").read_text(encoding="utf-8"))
