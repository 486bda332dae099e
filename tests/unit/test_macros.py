"""domain/macros.py and a macro applied through domain/case_change.py, without AWS:
variables checked at save time, rendering in the customer's language, and every action in
one change of the case (one version up) or none at all."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from chalicelib.domain import case_change as cc
from chalicelib.domain.cases import EntryKind
from chalicelib.domain.errors import Conflict, DomainError, InvalidInput
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.macros import (
    Macro,
    MacroInput,
    MacroValues,
    check_macro,
    may_edit,
    may_use,
    names_in,
    render,
    render_text,
    require_reply_values,
)
from chalicelib.domain.notifications import NoticeEvent

from .test_case_change import MEHMET, NOW, case_in

VALUES = MacroValues(customer_name="Ahmet Yılmaz", case_number="2026-000007",
                     order_number="O-1", tracking_link="https://k.example/T1",
                     agent_name="Mehmet")  # fmt: skip


def macro(**fields) -> Macro:
    body = {
        "title": {"tr": "Kargo gecikmesi", "en": "Late parcel"},
        "body": {"tr": "Merhaba {{customer_name}}, {{ order_number }} yolda: {{tracking_link}}",
                 "en": "Hello {{customer_name}}, {{order_number}} is on its way"},
        "visibility": "shared",
        **fields,
    }  # fmt: skip
    checked = check_macro(MacroInput.model_validate(body))
    return Macro(**checked.model_dump(), id="m1", created_at=NOW, created_by=MEHMET,
                 updated_at=NOW, updated_by=MEHMET)  # fmt: skip


def test_render_fills_each_variable_in_the_customers_language():
    tr = render(macro(), VALUES, "tr")
    assert tr.reply == "Merhaba Ahmet Yılmaz, O-1 yolda: https://k.example/T1"
    assert tr.title == "Kargo gecikmesi" and tr.missing == []
    en = render(macro(), VALUES, "en")
    assert en.reply == "Hello Ahmet Yılmaz, O-1 is on its way" and en.title == "Late parcel"


def test_a_text_missing_in_one_language_falls_back_to_the_other():
    only_tr = macro(body={"tr": "Merhaba {{agent_name}}"}, title={"tr": "Selam"})
    assert render(only_tr, VALUES, "en").reply == "Merhaba Mehmet"
    only_en = macro(body={"en": "Hi"}, title={"en": "Hi"})
    assert render(only_en, VALUES, "tr").reply == "Hi"


def test_a_value_the_case_lacks_is_left_empty_and_named():
    text, missing = render_text("Sipariş {{order_number}} / {{tracking_link}}",
                                MacroValues(customer_name="A"))  # fmt: skip
    assert text == "Sipariş  / " and missing == ["order_number", "tracking_link"]


def test_a_reply_lacking_a_value_is_refused_and_a_notes_gap_is_not():
    """The customer never reads "takip bağlantınız: ." (issue 19): a reply naming a variable
    the case lacks is refused with the variables named; the note (staff's) keeps its gap."""
    no_shipment = VALUES.model_copy(update={"tracking_link": None})
    lacking = render(macro(actions={"note": "Sipariş {{order_number}} {{tracking_link}}"}),
                     no_shipment.model_copy(update={"order_number": None}), "tr")  # fmt: skip
    assert lacking.reply_missing == ["order_number", "tracking_link"]
    with pytest.raises(InvalidInput) as refused:
        require_reply_values(lacking)
    assert refused.value.code == "macro_values_missing"
    assert refused.value.details == {"missing": ["order_number", "tracking_link"]}
    # the English reply names no tracking link: nothing it needs is missing
    english = render(macro(), no_shipment, "en")
    assert english.reply_missing == [] and english.missing == []
    require_reply_values(english)
    # a gap in the note alone: named in `missing`, not in `reply_missing`, not refused
    greeting = macro(body={"tr": "Merhaba {{customer_name}}"},
                     actions={"note": "Takip: {{tracking_link}}"})  # fmt: skip
    note_only = render(greeting, no_shipment, "tr")
    assert note_only.missing == ["tracking_link"] and note_only.reply_missing == []
    assert note_only.note == "Takip:"
    require_reply_values(note_only)
    require_reply_values(render(macro(), VALUES, "tr"))


def test_values_are_inserted_as_text_never_evaluated():
    tricky = MacroValues(customer_name="{{agent_name}} {% for x in y %}", agent_name="X")
    text, _ = render_text("{{customer_name}}", tricky)
    assert text == "{{agent_name}} {% for x in y %}"


@pytest.mark.parametrize("text", ["{{ customer.name }}", "{{__class__}}", "{{unknown}}",
                                  "{{ config }}"])  # fmt: skip
def test_an_unknown_variable_is_refused_at_save_time(text):
    with pytest.raises(InvalidInput) as refused:
        macro(body={"tr": f"Merhaba {text}"})
    assert refused.value.code == "unknown_variable"
    with pytest.raises(InvalidInput):
        macro(body=None, actions={"note": text})


def test_a_macro_that_does_nothing_and_bad_shapes_are_refused():
    with pytest.raises(InvalidInput) as refused:
        macro(body=None)
    assert refused.value.code == "empty_macro"
    for bad in ({"body": {}}, {"title": {}}, {"visibility": "public"},
                {"actions": {"status": "lost"}}, {"actions": {"tags": ["x"]}},
                {"actions": {"document_ids": [f"d{i}" for i in range(11)]}}):  # fmt: skip
        with pytest.raises(ValidationError):
            macro(**bad)


def test_names_in_lists_each_placeholder_once():
    assert names_in("{{a}} {{ b }} {{a}}") == ["a", "b"]


def test_who_uses_and_edits():
    shared = macro()
    mine = macro(visibility="personal").model_copy(update={"owner": "mehmet"})
    assert may_use(shared, "ayse") and may_use(mine, "mehmet") and not may_use(mine, "ayse")
    assert may_edit(shared, "selin", True) and not may_edit(shared, "mehmet", False)
    assert may_edit(mine, "mehmet", False) and not may_edit(mine, "selin", True)


# ---- applied: one change of the case -------------------------------------------------------


def applied(**fields) -> cc.ApplyMacro:
    return cc.ApplyMacro(macro_id="m1", title="Kargo", shared=True, from_version=5, **fields)


def test_reply_note_fields_and_status_are_one_change_one_version():
    case = case_in(Status.IN_PROGRESS)
    command = applied(reply="Merhaba", note="depo arandı", status=Status.WAITING_CUSTOMER,
                      fields={"priority": "high"})  # fmt: skip
    change = cc.change_case(case, command, MEHMET, NOW)
    after = change.case
    assert after.version == 6 and after.status == Status.WAITING_CUSTOMER
    assert after.priority.value == "high" and after.first_response_at == NOW
    kinds = [e.kind for e in change.entries]
    assert kinds == [EntryKind.FIELDS_CHANGED, EntryKind.REPLY, EntryKind.NOTE,
                     EntryKind.STATUS_CHANGED]  # fmt: skip
    assert all(e.data["macro_id"] == "m1" and e.data["from_version"] == 5 for e in change.entries)
    types = [e.type for e in change.events]
    assert types == ["destek.case.fields_changed", "destek.case.agent_replied",
                     "destek.case.macro_applied", "destek.case.status_changed"]  # fmt: skip
    assert {e.sequence for e in change.events} == {6}
    assert len({e.id for e in change.events}) == 4
    told = [n.event for n in change.notices]
    # one message to the customer: the reply, not a second "we are waiting on you"
    assert told == [NoticeEvent.AGENT_REPLIED]
    alone = cc.change_case(case, applied(status=Status.WAITING_CUSTOMER), MEHMET, NOW)
    assert [n.event for n in alone.notices] == [NoticeEvent.WAITING_ON_CUSTOMER]


@pytest.mark.parametrize(
    ("status", "target", "code"),
    [
        (Status.OPEN, Status.IN_PROGRESS, "unassigned"),
        (Status.OPEN, Status.RESOLVED, "illegal_transition"),
        (Status.NEW, Status.WAITING_CUSTOMER, "illegal_transition"),
        (Status.CLOSED, Status.RESOLVED, "case_closed"),
    ],
)
def test_a_status_the_lifecycle_forbids_refuses_the_whole_macro(status, target, code):
    case = case_in(status)
    snapshot = case.model_copy(deep=True)
    with pytest.raises(DomainError) as refused:
        cc.change_case(case, applied(reply="Merhaba", status=target), MEHMET, NOW)
    assert refused.value.code == code
    assert case == snapshot


def test_a_resolved_case_reopened_after_its_window_is_refused():
    case = case_in(Status.RESOLVED, resolved_at=NOW - timedelta(days=30))
    with pytest.raises(Conflict) as refused:
        cc.change_case(case, applied(status=Status.REOPENED), MEHMET, NOW)
    assert refused.value.code == "reopen_window_passed"


def test_documents_are_sent_as_the_library_sends_them():
    case = case_in(Status.IN_PROGRESS)
    docs = [{"id": "d1", "title": "İade formu", "filename": "f.pdf", "url": "https://x/l/t"}]
    command = applied(documents=docs, link_days=7, expires_at=NOW + timedelta(days=7))
    change = cc.change_case(case, command, MEHMET, NOW)
    line = next(e for e in change.entries if e.kind == EntryKind.DOCUMENTS_SENT)
    assert line.data["documents"] == [{"id": "d1", "title": "İade formu"}]  # never the link
    sent = [n for n in change.notices if n.event == NoticeEvent.DOCUMENTS_SENT]
    assert sent and sent[0].data["documents"] == docs
    event = next(e for e in change.events if e.type == "destek.case.macro_applied")
    assert event.data.document_ids == ["d1"] and event.data.replied is False


def test_a_macro_with_nothing_for_the_case_is_refused():
    with pytest.raises(InvalidInput):
        cc.change_case(case_in(Status.OPEN), applied(), MEHMET, NOW)


def test_the_same_status_is_no_move():
    case = case_in(Status.IN_PROGRESS)
    change = cc.change_case(case, applied(reply="x", status=Status.IN_PROGRESS), MEHMET, NOW)
    assert [e.kind for e in change.entries] == [EntryKind.REPLY]
    assert change.case.status == Status.IN_PROGRESS


def test_usage_reads_one_partition_per_month_of_the_period():
    from datetime import date

    from chalicelib.store.macros import DynamoMacroStore, usage_key

    asked = []

    class Table:
        def query_all(self, partition, sort_between):
            asked.append((partition[1], sort_between))
            if partition[1] == "MACRO_USAGE#2026-01":
                return [{"SK": "2026-01-31#m1", "applied": 2}]
            return []

    rows = DynamoMacroStore(Table()).usage(date(2025, 12, 30), date(2026, 2, 2))
    assert [a[0] for a in asked] == ["MACRO_USAGE#2025-12", "MACRO_USAGE#2026-01",
                                     "MACRO_USAGE#2026-02"]  # fmt: skip
    assert asked[0][1] == ("2025-12-30", "2026-02-02#~")
    assert rows == [{"day": "2026-01-31", "macro_id": "m1", "applied": 2}]
    assert usage_key(date(2026, 3, 9), "m1") == {"PK": "MACRO_USAGE#2026-03",
                                                 "SK": "2026-03-09#m1"}  # fmt: skip
