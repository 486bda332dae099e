"""Tags and custom case fields without AWS (docs/tags-and-fields.md): tag normalisation
(Turkish letters, bytes), custom field values checked by kind, the required fields at
resolve, and each as a change of the case with its own event."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.domain import case_change as cc
from chalicelib.domain.cases import EntryKind
from chalicelib.domain.custom_fields import (
    CaseFieldInput,
    check_values,
    missing,
    public_values,
    required_at_resolve,
    with_values,
)
from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.lifecycle import Status
from chalicelib.domain.macros import MacroActions
from chalicelib.domain.tags import (
    MAX_TAG_BYTES,
    MAX_TAGS,
    normalise,
    normalise_all,
    retagged,
    suggestion_key,
    suggestion_prefix,
)

from .test_case_change import MEHMET, NOW, case_in


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("İADE", "iade"),
        ("IŞIK", "ışık"),  # dotless: I → ı, not i
        ("  Kargo  Gecikti ", "kargo-gecikti"),
        ("Ödeme\tsorunu", "ödeme-sorunu"),
        ("vip#2026", "vip#2026"),
        ("e\u0301", "é"),  # NFC
    ],
)
def test_a_tag_has_one_spelling(typed, stored):
    assert normalise(typed) == stored


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("", "empty"), ("   ", "empty"), ("a,b", "bad_character"), ("<b>", "bad_character"),
     ("ş" * (MAX_TAG_BYTES // 2 + 1), "too_long")],
)  # fmt: skip
def test_a_bad_tag_is_refused_with_its_reason(typed, reason):
    with pytest.raises(InvalidInput) as refused:
        normalise(typed)
    assert refused.value.code == "invalid_tag" and refused.value.details["reason"] == reason


def test_the_byte_limit_counts_bytes_not_letters():
    assert normalise("ş" * (MAX_TAG_BYTES // 2)) == "ş" * (MAX_TAG_BYTES // 2)  # 64 bytes
    assert normalise("a" * MAX_TAG_BYTES)
    with pytest.raises(InvalidInput):
        normalise("a" * (MAX_TAG_BYTES + 1))


def test_tags_once_each_sorted_and_bounded():
    assert normalise_all(["İade", "iade", "IADE"]) == ["iade", "ıade"]
    assert retagged(["b", "a"], ["c"], ["a"]) == ["b", "c"]
    with pytest.raises(InvalidInput) as refused:
        retagged([f"t{i}" for i in range(MAX_TAGS)], ["one-more"], [])
    assert refused.value.code == "too_many_tags"


def test_suggestions_match_folded_prefixes():
    assert suggestion_key("ödeme").startswith(suggestion_prefix("Öde"))
    assert suggestion_key("ödeme").startswith(suggestion_prefix("ode"))
    assert not suggestion_key("iade").startswith(suggestion_prefix("ode"))


FIELDS = {
    f.key: f
    for f in [
        CaseFieldInput(key="order_total", label_tr="Sipariş tutarı", label_en="Order total",
                       kind="number", required_at_resolve=True, public=True),
        CaseFieldInput(key="note", label_tr="Not", label_en="Note", kind="text"),
        CaseFieldInput(key="due", label_tr="Tarih", label_en="Date", kind="date",
                       case_types=["request"]),
        CaseFieldInput(key="reason", label_tr="Neden", label_en="Reason", kind="list",
                       options=[{"value": "hasar", "label_tr": "Hasarlı", "label_en": "Damaged"}],
                       public=True, required_at_resolve=True, case_types=["complaint"]),
        CaseFieldInput(key="gift", label_tr="Hediye", label_en="Gift", kind="checkbox"),
    ]
}  # fmt: skip


def test_values_are_checked_by_kind_and_stored_plain():
    values = check_values(FIELDS, "complaint", {"order_total": 1500.0, "note": "  ok ",
                                                 "reason": "hasar", "gift": False})  # fmt: skip
    assert values == {"order_total": 1500, "note": "ok", "reason": "hasar", "gift": False}
    assert check_values(FIELDS, "request", {"due": "2026-03-02"}) == {"due": "2026-03-02"}


def test_every_wrong_value_is_named_at_once():
    with pytest.raises(InvalidInput) as refused:
        check_values(FIELDS, "question", {
            "order_total": True, "note": "x" * 501, "due": "2026-03-02", "reason": "hasar",
            "gift": "yes", "nope": 1})  # fmt: skip
    errors = {e["key"]: e["code"] for e in refused.value.details["errors"]}
    assert refused.value.code == "invalid_custom_fields"
    assert errors == {"order_total": "not_a_number", "note": "too_long",
                      "due": "not_for_type", "reason": "not_for_type",
                      "gift": "not_a_boolean", "nope": "unknown_field"}  # fmt: skip


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [("order_total", float("inf"), "not_a_number"), ("order_total", 1e13, "out_of_range"),
     ("note", "", "empty"), ("note", "ş" * 501, "too_long"), ("reason", "kayip", "not_an_option")],
)  # fmt: skip
def test_values_out_of_bounds(key, value, code):
    with pytest.raises(InvalidInput) as refused:
        check_values(FIELDS, "complaint", {key: value})
    assert refused.value.details["errors"][0]["code"] == code


def test_a_definition_fits_its_kind():
    with pytest.raises(ValidationError):
        CaseFieldInput(key="r", label_tr="R", label_en="R", kind="list")
    with pytest.raises(ValidationError):
        CaseFieldInput(key="r", label_tr="R", label_en="R", kind="text",
                       options=[{"value": "a", "label_tr": "A", "label_en": "A"}])  # fmt: skip
    with pytest.raises(ValidationError):
        CaseFieldInput(key="Bad-Key", label_tr="R", label_en="R", kind="text")


def test_required_at_resolve_by_type_and_public_values():
    assert required_at_resolve(FIELDS, "complaint") == ["order_total", "reason"]
    assert required_at_resolve(FIELDS, "question") == ["order_total"]
    assert missing(["order_total", "gift"], {"gift": False}) == ["order_total"]
    assert with_values({"note": "a", "gift": True}, {"note": None}) == {"gift": True}
    shown = public_values(FIELDS, {"reason": "hasar", "note": "iç not", "order_total": 5})
    assert [(f.key, f.option_en) for f in shown] == [("order_total", None), ("reason", "Damaged")]


def test_tags_change_is_one_version_with_its_event():
    case = case_in(Status.IN_PROGRESS, tags=["iade"])
    change = cc.change_case(case, cc.ChangeTags(add=["hasar"], remove=["iade"]), MEHMET, NOW)
    assert change.case.tags == ["hasar"] and change.case.version == case.version + 1
    [entry] = change.entries
    assert entry.kind == EntryKind.TAGS_CHANGED and entry.data["added"] == ["hasar"]
    [event] = change.events
    assert event.type == "destek.case.tags_changed"
    assert (event.data.added, event.data.removed, event.data.tags) == (
        ["hasar"],
        ["iade"],
        ["hasar"],
    )
    assert change.notices == []
    with pytest.raises(InvalidInput):  # nothing changes
        cc.change_case(change.case, cc.ChangeTags(add=["hasar"]), MEHMET, NOW)
    with pytest.raises(Conflict):
        cc.change_case(case_in(Status.CLOSED), cc.ChangeTags(add=["x"]), MEHMET, NOW)


def test_custom_fields_change_tells_values_but_not_text():
    case = case_in(Status.IN_PROGRESS, custom_fields={"note": "eski"})
    command = cc.ChangeCustomFields(values={"order_total": 10, "note": "yeni"},
                                    kinds={"order_total": "number", "note": "text"})  # fmt: skip
    change = cc.change_case(case, command, MEHMET, NOW)
    assert change.case.custom_fields == {"note": "yeni", "order_total": 10}
    [event] = change.events
    assert event.type == "destek.case.custom_fields_changed"
    assert event.data.keys == ["note", "order_total"] and event.data.values == {"order_total": 10}
    assert change.entries[0].changes["note"] == {"from": "eski", "to": "yeni"}
    cleared = cc.change_case(change.case, cc.ChangeCustomFields(values={"note": None}), MEHMET, NOW)
    assert cleared.case.custom_fields == {"order_total": 10}


def test_resolving_without_required_fields_is_refused():
    case = case_in(Status.IN_PROGRESS, custom_fields={"gift": False})
    move = cc.ChangeStatus(status=Status.RESOLVED, required_fields=["order_total", "gift"])
    with pytest.raises(Conflict) as refused:
        cc.change_case(case, move, MEHMET, NOW)
    assert refused.value.code == "required_fields_missing"
    assert refused.value.details == {"missing": ["order_total"]}
    filled = case.model_copy(update={"custom_fields": {"gift": False, "order_total": 3}})
    assert cc.change_case(filled, move, MEHMET, NOW).case.status == Status.RESOLVED


def test_a_macro_adds_and_removes_tags_in_its_change():
    case = case_in(Status.IN_PROGRESS, tags=["yeni"])
    command = cc.ApplyMacro(macro_id="m1", title="Etiketle", shared=True, from_version=case.version,
                            add_tags=["kargo"], remove_tags=["yeni"])  # fmt: skip
    change = cc.change_case(case, command, MEHMET, NOW)
    assert change.case.tags == ["kargo"]
    assert [e.type for e in change.events] == ["destek.case.tags_changed",
                                               "destek.case.macro_applied"]  # fmt: skip
    assert change.entries[0].data["macro_id"] == "m1"


def test_a_macro_resolving_without_required_fields_is_refused():
    case = case_in(Status.IN_PROGRESS)
    command = cc.ApplyMacro(macro_id="m1", title="Çözüldü", shared=True, from_version=case.version,
                            status=Status.RESOLVED, required_fields=["order_total"])  # fmt: skip
    with pytest.raises(Conflict) as refused:
        cc.change_case(case, command, MEHMET, NOW)
    assert refused.value.code == "required_fields_missing"


def test_macro_tag_actions_are_normalised_and_not_contradictory():
    actions = MacroActions(add_tags=["İade", "iade"], remove_tags=["Yeni"])
    assert (actions.add_tags, actions.remove_tags) == (["iade"], ["yeni"])
    assert not actions.empty()
    with pytest.raises(ValidationError):
        MacroActions(add_tags=["a"], remove_tags=["A"])
    with pytest.raises(ValidationError):
        MacroActions(add_tags=["a,b"])


def test_huge_numbers_are_refused_not_overflowed():
    from chalicelib.domain.conditions import Condition

    with pytest.raises(InvalidInput) as refused:
        check_values(FIELDS, "complaint", {"order_total": 10**400})
    assert refused.value.details["errors"][0]["code"] == "out_of_range"
    with pytest.raises(ValidationError):
        Condition(field="custom_field", key="order_total", operator="at_least", value=10**400)
    with pytest.raises(ValidationError):
        Condition(field="custom_field", operator="is", value=1)  # no key
    with pytest.raises(ValidationError):
        Condition(field="tag", key="order_total", operator="is", value="a")  # a key on a tag
