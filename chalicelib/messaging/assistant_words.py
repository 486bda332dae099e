"""The assistant's words: its lines rendered in the conversation's language from
`templates/assistant/<language>.json`, days and moments on Istanbul's clock in the
language's format (`templates/messages/<language>/_words.json`, as the notices say them).

A line's facts are placed with `str.format_map`; a `Said` code is its word in the strings
(`shipment_status_in_transit` → "yolda") or, when the shop wrote a status destek has no word
for, the shop's text as it is.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path

from ..domain.assistant_reply import Fact, Line, Reply, Said
from ..domain.assistant_state import Link
from .templates import TEMPLATES
from .words import Vocabulary

#: <app dir>/templates/assistant: the repository's folder, or vendor/templates in the package
STRINGS = Path(__file__).resolve().parents[2] / "templates" / "assistant"


@cache
def strings(language: str, root: Path = STRINGS) -> dict[str, str]:
    return json.loads((root / f"{language}.json").read_text(encoding="utf-8"))


class AssistantWords:
    def __init__(self, root: Path = STRINGS, messages: Path = TEMPLATES) -> None:
        self.root = root
        self.messages = messages

    def word(self, key: str, language: str) -> str:
        return strings(language, self.root)[key]

    def fact(self, value: Fact, language: str) -> str:
        if isinstance(value, Said):
            words = strings(language, self.root)
            return words.get(f"{value.kind}_{value.code}") or words.get(
                f"{value.kind}_{value.code.lower()}", value.code
            )
        if isinstance(value, datetime):
            return Vocabulary.of(self.messages, language).when(value)
        if isinstance(value, date):
            return Vocabulary.of(self.messages, language).day(value)
        return str(value)

    def line(self, line: Line, language: str) -> str:
        facts = {name: self.fact(value, language) for name, value in line.facts.items()}
        return self.word(line.key, language).format_map(facts)

    def render(self, reply: Reply, language: str) -> tuple[str, list[Link], list[str]]:
        """(the text, one line a paragraph; its links; its suggested short answers)."""
        text = "\n".join(self.line(line, language) for line in reply.lines)
        links = [Link(url=link.url, label=self.line(link.label, language)) for link in reply.links]
        suggestions = [
            self.line(s, language)
            if isinstance(s, Line)
            else (self.word(s, language) if s.startswith("suggest_") else s)
            for s in reply.suggestions
        ]
        return text, links, suggestions
