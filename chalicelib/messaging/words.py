"""The words notices share, per language: `templates/messages/<language>/_words.json`.

Case types, priorities, statuses, channels, SLA targets and escalation audiences
are machine codes in the data; a notice says them with these words. Times are
shown on the clock of Europe/Istanbul, in the language's own format with the
month's name, never as stored ISO text.
"""

from __future__ import annotations

import json
from datetime import date, datetime
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

    def number(self, value: float | None, places: int = 0, signed: bool = False) -> str:
        """A number in the language's form: 1.234,5 in Turkish, 1,234.5 in English; a sign
        in front when `signed` (+3, −3, ±0); the "no figure" dash for None."""
        if value is None:
            return self.words["no_figure"]
        marks = self.words["number"]
        text = f"{abs(value):,.{places}f}"
        text = (
            text.replace(",", "\0").replace(".", marks["decimal"]).replace("\0", marks["thousands"])
        )
        if signed:
            return ("+" if value > 0 else "−" if value < 0 else "±") + text
        return ("−" if value < 0 and text.strip("0.,") else "") + text

    def percent(self, share: float | None, places: int = 1) -> str:
        """A share (0 to 1) as a percentage: "%87,5" in Turkish, "87.5%" in English."""
        if share is None:
            return self.words["no_figure"]
        return self.words["percent"].format(value=self.number(share * 100, places))

    def points(self, difference: float | None, places: int = 1) -> str:
        """A change between two shares in percentage points, signed: "+2,5 puan"."""
        if difference is None:
            return self.words["no_figure"]
        return self.words["points"].format(value=self.number(difference * 100, places, True))

    def day(self, on: date) -> str:
        """A day as a person reads it: "23 Kasım 2026"."""
        return self.words["date"].format(day=on.day, month=self.words["months"][on.month - 1],
                                         year=on.year)  # fmt: skip

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
