"""The case's stored item (store/cases.py `case_item`): fields holding nothing are not stored,
and the item reads back as the same case (issue 21: the item is rewritten at every change)."""

from __future__ import annotations

from chalicelib.domain.cases import Case, CaseChecklist, CaseRouting
from chalicelib.domain.lifecycle import Status
from chalicelib.store.cases import case_item
from chalicelib.store.dynamo import Table

from .test_case_change import case_in


def stored(case: Case) -> dict:
    """The item as DynamoDB holds it and gives it back (top-level None is never sent)."""
    table = Table("cases")
    return table.de(table.ser(case_item(case)))


def test_fields_holding_nothing_are_not_stored_and_read_back_as_they_were():
    case = case_in(Status.OPEN, routing=CaseRouting(group_id="urun", reason_code="default_group"))
    item = stored(case)
    for name in ("tags", "cc", "followers", "articles", "checklists", "custom_fields",
                 "assignee", "rating", "due_at"):  # fmt: skip
        assert name not in item, name
    assert item["routing"] == {"group_id": "urun", "reason_code": "default_group"}  # nested too
    assert Case.model_validate(item) == case


def test_seen_is_stored_empty_for_its_key_by_key_update():
    """`mark_seen` sets `seen.<username>`: a missing map would refuse it and cost a call."""
    assert stored(case_in(Status.NEW))["seen"] == {}


def test_what_holds_something_or_defaults_to_something_is_stored_as_it_is():
    case = case_in(Status.NEW, tags=["kargo"], custom_fields={"renk": []},
                   checklists={"k1": CaseChecklist(version=1)})  # fmt: skip
    item = stored(case)
    # a status, priority or version equal to its default is still stored: filters and
    # conditions name them, and the item never depends on a default the code may change
    assert (item["status"], item["priority"], item["version"]) == ("new", "normal", 5)
    assert item["tags"] == ["kargo"]
    assert item["custom_fields"] == {"renk": []}  # a value, not a field: kept
    assert item["checklists"] == {"k1": {"version": 1}}  # its empty `ticked` left out
    assert Case.model_validate(item) == case
