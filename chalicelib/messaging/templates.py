"""Message templates: one Jinja2 file per event and language, with three blocks.

`templates/messages/<language>/<event>.j2` holds blocks `subject`, `email` and
`sms`, so the wording of one notice stays in one file. Emails are plain text:
what a customer wrote is shown as text, never interpreted as markup.

Besides the notice's own facts, every template gets `word(kind, code)` (the
language's word for a type, priority, status, channel, SLA target...; see
`_words.json`), `when(moment)` (an ISO time on Istanbul's clock, in the
language's format) and `due` (the case's resolution target, so formatted), and for
figures `number(x, places, signed)`, `percent(share)`, `points(difference of shares)` and
`day(date)`, each in the language's form (messaging/words.py).

A message that also goes out as HTML (the weekly summary) has a second file,
`<language>/<name>_html.j2`, rendered by `html()` with autoescaping on: every value put in
it is escaped, whoever wrote it.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from ..services.ports import RenderedNotice
from .words import Vocabulary

#: <app dir>/templates: the repository's folder, or vendor/templates in the Lambda package
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "messages"


class JinjaRenderer:
    def __init__(self, root: Path = TEMPLATES) -> None:
        self.root = root

    @cached_property
    def environment(self) -> Any:
        import jinja2

        return jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.root)),
            autoescape=False,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )

    @cached_property
    def html_environment(self) -> Any:
        import jinja2

        return jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.root)),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    @staticmethod
    def helpers(words: Vocabulary) -> dict[str, Any]:
        return {"word": words.word, "when": words.when, "number": words.number,
                "percent": words.percent, "points": words.points, "day": words.day}  # fmt: skip

    def render(self, event: str, language: str, context: dict[str, Any]) -> RenderedNotice:
        template = self.environment.get_template(f"{language}/{event}.j2")
        words = Vocabulary.of(self.root, language)
        case = context.get("case") or {}
        bound = template.new_context(
            {"due": words.when(case.get("due_at")), **context, **self.helpers(words)}
        )

        def block(name: str) -> str:
            return "".join(template.blocks[name](bound)).strip()

        return RenderedNotice(subject=block("subject"), email=block("email"), sms=block("sms"))

    def html(self, name: str, language: str, context: dict[str, Any]) -> str:
        """`<language>/<name>_html.j2` rendered with autoescaping: an HTML email body."""
        template = self.html_environment.get_template(f"{language}/{name}_html.j2")
        words = Vocabulary.of(self.root, language)
        return template.render({**context, **self.helpers(words)})
