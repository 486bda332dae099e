"""What the assistant says, before it is words: lines of the strings files' keys with their
facts (templates/assistant/{tr,en}.json; messaging/assistant_words.py renders them in the
conversation's language). No text a customer reads is written in code.

Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Said:
    """A code said in the reader's words: `<kind>_<code>` in the strings (a shipment's
    status "in_transit" → "Yolda"); the code itself when the strings have no word for it (a
    shop's own status text)."""

    kind: str
    code: str


#: a fact in a line: text as it is, a day or a moment in the reader's format, a word
Fact = str | int | date | datetime | Said


@dataclass(frozen=True)
class Line:
    key: str
    facts: dict[str, Fact] = field(default_factory=dict)


@dataclass(frozen=True)
class LinkLine:
    url: str
    label: Line


@dataclass
class Reply:
    """One answer: its lines (one paragraph each), links, suggested short answers (keys of
    the strings, or text as it is for an order number), and whether it answered a question
    from destek's data (the outcome `answered` counts those)."""

    lines: list[Line] = field(default_factory=list)
    links: list[LinkLine] = field(default_factory=list)
    suggestions: list[str | Line] = field(default_factory=list)
    answered: bool = False

    def say(self, key: str, **facts: Fact) -> Reply:
        self.lines.append(Line(key, facts))
        return self

    def extend(self, other: Reply) -> Reply:
        self.lines += other.lines
        self.links += other.links
        self.suggestions += [s for s in other.suggestions if s not in self.suggestions]
        self.answered = self.answered or other.answered
        return self


#: suggestions after a greeting or an answer: what customers ask most
START_SUGGESTIONS = ["suggest_where", "suggest_tracking", "suggest_return", "suggest_person"]
YES_NO = ["suggest_yes", "suggest_no"]
