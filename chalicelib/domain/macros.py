"""Macros: canned replies in Turkish and English with variables, which can also set the
case's fields, add an internal note and send e-library documents (docs/macros.md).

A macro is shared (supervisors and admins keep them, every agent uses them) or personal
(its owner's only). Its texts hold placeholders from a fixed set (`{{customer_name}}`,
`{{case_number}}`, `{{order_number}}`, `{{tracking_link}}`, `{{agent_name}}`); any other
`{{...}}` is refused when the macro is saved (InvalidInput `unknown_variable`), so applying
one never meets a name it cannot fill. Rendering is plain substitution, no template
language: a macro's text cannot run code or read anything but the values handed to it.
A public reply naming a variable the case has no value for is never sent with the gap:
`require_reply_values` refuses it (422 `macro_values_missing`); the internal note keeps the
gap (staff read it, the preview names it).

Pure: no I/O.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import Field, model_validator

from .case_kinds import CaseType, Priority
from .cases import Actor
from .conditions import Conditions
from .errors import InvalidInput
from .lifecycle import Status
from .model import Model, Strict
from .tags import TagList
from .text_fields import Id
from .text_fields import LongText as Body
from .text_fields import Text as Title

Language = Literal["tr", "en"]
MacroVisibility = Literal["shared", "personal"]
#: the variables a macro's texts may name, in the order the console lists them
VARIABLES = ("customer_name", "case_number", "order_number", "tracking_link", "agent_name")
#: documents one macro may send (the library's limit for one message)
MAX_DOCUMENTS = 10
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


class Texts(Strict):
    """One text in Turkish and/or English (at least one)."""

    tr: Body | None = None
    en: Body | None = None

    @model_validator(mode="after")
    def _one_language(self) -> Texts:
        if not (self.tr or self.en):
            raise ValueError("give the text in tr, en or both")
        return self

    def in_language(self, language: str) -> str:
        """The text in `language`, else in the other one (Turkish first)."""
        return (self.en or self.tr or "") if language == "en" else (self.tr or self.en or "")


class Titles(Strict):
    """The macro's title in Turkish and/or English (at least one), searched by the picker."""

    tr: Title | None = None
    en: Title | None = None

    @model_validator(mode="after")
    def _one_language(self) -> Titles:
        if not (self.tr or self.en):
            raise ValueError("give the title in tr, en or both")
        return self


class MacroActions(Strict):
    """What applying the macro does besides its reply, all in the same change of the case:
    fields set, tags added and removed, a status moved to (checked against the lifecycle when
    applied), an internal note (variables allowed), public e-library documents sent as
    expiring links."""

    status: Status | None = None
    priority: Priority | None = None
    type: CaseType | None = None
    category_id: Id | None = None
    note: Body | None = None
    document_ids: list[Id] = Field(default_factory=list, max_length=MAX_DOCUMENTS)
    #: free tags added to and removed from the case (normalised: domain/tags.py)
    add_tags: TagList = Field(default_factory=list)
    remove_tags: TagList = Field(default_factory=list)

    @model_validator(mode="after")
    def _tags_once(self) -> MacroActions:
        if set(self.add_tags) & set(self.remove_tags):
            raise ValueError("a tag cannot be both added and removed")
        return self

    def fields(self) -> dict[str, object]:
        """The case fields the macro sets (priority, type, category_id), those given only."""
        chosen = {"priority": self.priority, "type": self.type, "category_id": self.category_id}
        return {k: v for k, v in chosen.items() if v is not None}

    def empty(self) -> bool:
        return not (self.status or self.fields() or self.note or self.document_ids
                    or self.add_tags or self.remove_tags)  # fmt: skip


class MacroInput(Strict):
    """A macro as its editor writes it. `body`: the public reply (none: an actions-only
    macro). `visibility`: shared (supervisors and admins) or personal (yours only).
    `conditions`: the cases it is for, in the conditions model of routing rules and SLA
    policies (domain/conditions.py; none: every case); applying it to another case is a
    409 `macro_not_applicable`."""

    title: Titles
    body: Texts | None = None
    visibility: MacroVisibility = "personal"
    conditions: Conditions = Field(default_factory=list)
    actions: MacroActions = Field(default_factory=MacroActions)


class Macro(MacroInput):
    """A macro as stored. `owner`: the username a personal macro belongs to (None: shared);
    `version` moves with each edit."""

    id: str
    owner: str | None = None
    version: int = 1
    created_at: datetime
    created_by: Actor
    updated_at: datetime
    updated_by: Actor

    def title_in(self, language: str) -> str:
        t = self.title
        return (t.en or t.tr or "") if language == "en" else (t.tr or t.en or "")


class MacroValues(Model):
    """The values a case gives the variables (None: the case has none, e.g. no order)."""

    customer_name: str | None = None
    case_number: str | None = None
    order_number: str | None = None
    tracking_link: str | None = None
    agent_name: str | None = None


class Rendered(Model):
    """A macro rendered for one case: the reply and the note in the customer's `language`;
    `missing`: the variables the texts name that this case has no value for (left empty);
    `reply_missing`: those of them the public reply names (applying it with the reply sent
    is refused while any is left); `applicable`: the macro's conditions hold for the case."""

    macro_id: str
    applicable: bool = True
    title: str
    language: Language
    reply: str | None = None
    note: str | None = None
    missing: list[str] = Field(default_factory=list)
    reply_missing: list[str] = Field(default_factory=list)
    actions: MacroActions


def names_in(text: str) -> list[str]:
    """The placeholder names a text uses, in order, each once."""
    return list(dict.fromkeys(m.group(1) for m in _PLACEHOLDER.finditer(text)))


def check_macro(macro: MacroInput) -> MacroInput:
    """The macro if it can be applied: InvalidInput `unknown_variable` naming the
    placeholders outside VARIABLES, `empty_macro` when it neither replies nor acts."""
    texts = [macro.body.tr, macro.body.en] if macro.body else []
    texts.append(macro.actions.note)
    unknown = sorted({n for t in texts if t for n in names_in(t) if n not in VARIABLES})
    if unknown:
        raise InvalidInput("unknown variable in the macro's text", code="unknown_variable",
                           details={"unknown": unknown, "variables": list(VARIABLES)})  # fmt: skip
    if macro.body is None and macro.actions.empty():
        raise InvalidInput("a macro needs a reply or at least one action", code="empty_macro")
    return macro


def render_text(text: str, values: MacroValues) -> tuple[str, list[str]]:
    """`text` with each known placeholder replaced by its value; unknown ones (never saved)
    and those without a value become empty. Returns the text and the names left empty."""
    given = values.model_dump()
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        value = given.get(match.group(1))
        if not value:
            missing.append(match.group(1))
            return ""
        return str(value)

    return _PLACEHOLDER.sub(fill, text), missing


def render(macro: Macro, values: MacroValues, language: str) -> Rendered:
    """The macro for one case, in the customer's `language` (the other one when the macro
    lacks it): the reply from its body, the note (written for staff, same variables)."""
    lang: Language = "en" if language == "en" else "tr"
    missing: list[str] = []
    reply = note = None
    reply_missing: list[str] = []
    if macro.body is not None:
        reply, reply_missing = render_text(macro.body.in_language(lang), values)
        missing += reply_missing
    if macro.actions.note:
        note, gone = render_text(macro.actions.note, values)
        missing += gone
    return Rendered(macro_id=macro.id, title=macro.title_in(lang), language=lang,
                    reply=reply.strip() or None if reply is not None else None,
                    note=note.strip() or None if note is not None else None,
                    missing=list(dict.fromkeys(missing)),
                    reply_missing=list(dict.fromkeys(reply_missing)),
                    actions=macro.actions)  # fmt: skip


def require_reply_values(rendered: Rendered) -> None:
    """Nothing when the rendered reply lacks no value. Else InvalidInput
    `macro_values_missing`, details `{"missing": [variable names, in the reply's order]}`:
    a customer never receives "your tracking link: ." because the case has no shipment.
    Only the reply counts (the one the customer would read); a note's gap is staff's."""
    if rendered.reply_missing:
        raise InvalidInput("this case has no value for a variable the macro's reply needs",
                           code="macro_values_missing",
                           details={"missing": list(rendered.reply_missing)})  # fmt: skip


def may_edit(macro: Macro, username: str, shared_editor: bool) -> bool:
    """A shared macro is edited by those who keep shared ones; a personal one by its owner."""
    return shared_editor if macro.visibility == "shared" else macro.owner == username


def may_use(macro: Macro, username: str) -> bool:
    """Every agent uses shared macros; a personal one only its owner."""
    return macro.visibility == "shared" or macro.owner == username
