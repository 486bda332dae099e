"""Admin settings as the console round-trips them: the vocabulary of codes, renaming and
moving a category with its subtree, and a group edited from a stale read."""

from __future__ import annotations

import pytest

from chalicelib.domain.categories import MAX_MOVED, Category, changed_subtree
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.services.directory import (
    CategoryDetails,
    DirectoryService,
    GroupDetails,
    RoleCatalog,
)


def tree() -> list[Category]:
    """siparis > teslimat > kargo, and urun at the top."""
    return [
        Category(id="siparis", name="Sipariş", path=["siparis"]),
        Category(id="teslimat", name="Teslimat", parent_id="siparis", path=["siparis", "teslimat"]),
        Category(
            id="kargo", name="Kargo", parent_id="teslimat", path=["siparis", "teslimat", "kargo"]
        ),  # fmt: skip
        Category(id="urun", name="Ürün", path=["urun"]),
    ]


def test_a_rename_rewrites_only_the_category():
    changed = changed_subtree(tree(), "teslimat", "Teslimat ve kargo", "siparis")
    assert [(c.id, c.name, c.path) for c in changed] == [
        ("teslimat", "Teslimat ve kargo", ["siparis", "teslimat"])
    ]


def test_a_move_takes_the_subtree_along():
    changed = {c.id: c for c in changed_subtree(tree(), "teslimat", "Teslimat", "urun")}
    assert changed["teslimat"].parent_id == "urun"
    assert changed["teslimat"].path == ["urun", "teslimat"]
    assert changed["kargo"].path == ["urun", "teslimat", "kargo"]
    assert changed["kargo"].parent_id == "teslimat"  # its own parent did not change
    assert set(changed) == {"teslimat", "kargo"}


def test_a_move_to_the_top():
    changed = {c.id: c for c in changed_subtree(tree(), "kargo", "Kargo", None)}
    assert changed["kargo"].path == ["kargo"] and changed["kargo"].parent_id is None


@pytest.mark.parametrize("parent", ["teslimat", "kargo"])
def test_a_category_cannot_go_under_itself(parent):
    with pytest.raises(InvalidInput) as refused:
        changed_subtree(tree(), "teslimat", "Teslimat", parent)
    assert refused.value.code == "category_cycle"


def test_unknown_category_or_parent():
    with pytest.raises(NotFound):
        changed_subtree(tree(), "yok", "Yok", None)
    with pytest.raises(InvalidInput):
        changed_subtree(tree(), "teslimat", "Teslimat", "yok")


def test_a_subtree_larger_than_one_transaction_is_refused():
    many = [Category(id="kok", name="Kök", path=["kok"])] + [
        Category(id=f"c{i}", name=f"C{i}", parent_id="kok", path=["kok", f"c{i}"])
        for i in range(MAX_MOVED)
    ]
    with pytest.raises(InvalidInput) as refused:
        changed_subtree([*many, *tree()], "kok", "Kök", "urun")
    assert refused.value.code == "too_many_to_move"
    assert len(changed_subtree([*many, *tree()], "kok", "Kök yeni", None)) == 1  # a rename


def test_the_service_moves_and_refuses_a_tree_that_moved_meanwhile(world, monkeypatch):
    service = DirectoryService(world.directory, RoleCatalog(world.directory))
    for category in tree():
        world.directory.put_category(category)
    moved = service.change_category("teslimat", CategoryDetails(name="Teslimat", parent_id="urun"))
    assert moved.path == ["urun", "teslimat"]
    assert world.directory.categories["kargo"].path == ["urun", "teslimat", "kargo"]
    stale = tree()  # read before the move above
    monkeypatch.setattr(world.directory, "list_categories", lambda: stale)
    with pytest.raises(Conflict):
        service.change_category("teslimat", CategoryDetails(name="Eski", parent_id="siparis"))
    assert world.directory.categories["teslimat"].name == "Teslimat"


def test_a_group_edited_from_a_stale_read_is_refused(world):
    service = DirectoryService(world.directory, RoleCatalog(world.directory))
    read = world.directory.groups["teslimat"]
    service.put_group("teslimat", GroupDetails(name="Kargo", members=["ayse", "mehmet"],
                                               version=read.version))  # fmt: skip
    with pytest.raises(Conflict) as refused:
        service.put_group("teslimat", GroupDetails(name="Kargo 2", members=["ayse"],
                                                   version=read.version))  # fmt: skip
    assert refused.value.code == "version_conflict"
    assert world.directory.groups["teslimat"].members == ["ayse", "mehmet"]
    with pytest.raises(Conflict):  # a version for a group that does not exist yet
        service.put_group("yeni", GroupDetails(name="Yeni", version=3))
    assert service.put_group("yeni", GroupDetails(name="Yeni")).version == 1


def test_the_vocabulary_is_the_domains_lists():
    from chalicelib.domain.case_kinds import Priority
    from chalicelib.domain.lifecycle import Status
    from chalicelib.domain.permissions import Resource
    from chalicelib.domain.vocabulary import vocabulary

    words = vocabulary()
    assert words.statuses == list(Status) and words.priorities == list(Priority)
    assert words.permission_resources == list(Resource)
    assert words.staff_roles == ["agent", "supervisor", "admin"]
    assert words.priority_bumps == [0, 1, 2, 3]
    assert words.escalation_audiences == ["assignee_and_group", "supervisors", "managers"]


#: the strings-file prefix the console shows each vocabulary list's codes with
PREFIXES = {
    "statuses": "status_", "priorities": "priority_", "case_types": "type_",
    "channels": "channel_", "customer_categories": "customer_category_",
    "languages": "language_", "call_directions": "direction_", "call_outcomes": "outcome_",
    "roles": "role_", "staff_roles": "role_", "permission_resources": "resource_",
    "permission_actions": "action_", "auto_assign": "auto_", "sla_hours": "hours_",
    "arrivals": "arrivals_", "digest_minutes": "digest_minutes_",
    "sla_targets": "target_", "escalation_audiences": "notify_", "priority_bumps": "bump_",
    "weekdays": "weekday_", "condition_fields": "cond_field_",
    "condition_operators": "cond_op_", "operators_by_field": "cond_field_",
}  # fmt: skip


@pytest.mark.parametrize("lang", ["tr", "en"])
def test_the_console_has_words_for_every_code_of_the_vocabulary(lang):
    import json

    from chalicelib.api.console_page import ROOT
    from chalicelib.domain.vocabulary import Vocabulary, vocabulary

    strings = json.loads((ROOT / "strings" / f"{lang}.json").read_text(encoding="utf-8"))
    assert set(PREFIXES) == set(Vocabulary.model_fields), "a new list needs its prefix here"
    codes = vocabulary().model_dump(mode="json")
    missing = [f"{PREFIXES[name]}{code}" for name, values in codes.items() for code in values
               if f"{PREFIXES[name]}{code}" not in strings]  # fmt: skip
    assert missing == []
