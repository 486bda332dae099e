"""ids, case numbers, cursors, categories and permissions."""

import pytest

from chalicelib.domain.categories import Category, build_tree, child_path
from chalicelib.domain.errors import BadRequest, InvalidInput
from chalicelib.domain.ids import case_number, is_case_number, new_id
from chalicelib.domain.permissions import (
    Action,
    Resource,
    Role,
    check_role_change,
    default_role,
    permitted,
)
from chalicelib.store import cursor


def test_ids_are_unique_and_time_ordered():
    ids = [new_id("c") for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(len(i) == 27 and i.startswith("c") for i in ids)


def test_case_numbers():
    assert case_number(2026, 123) == "2026-000123"
    assert case_number(2026, 1234567) == "2026-1234567"
    assert is_case_number("2026-000123")
    assert not is_case_number("c01ABC")
    assert not is_case_number("2026-12")


def test_cursor_round_trip_and_partition_check():
    key = {"PK": "CASE#1", "SK": "#CASE", "queue_pk": "Q#g#open", "created_sk": "2026#1"}
    names = set(key)
    token = cursor.encode(key)
    assert cursor.decode(token, {"queue_pk": "Q#g#open"}, names) == key
    with pytest.raises(BadRequest):
        cursor.decode(token, {"queue_pk": "Q#other#open"}, names)


@pytest.mark.parametrize("bad", ["%%%", "bm90IGpzb24", "WzEsMl0", "eyJhIjogMX0"])
def test_garbage_cursors_are_bad_requests(bad):
    with pytest.raises(BadRequest) as refused:
        cursor.decode(bad, {"PK": "x"}, {"PK", "SK"})
    assert refused.value.code == "invalid_cursor"


def test_category_tree_any_depth():
    root = Category(id="a", name="Sipariş", path=["a"])
    child = Category(id="b", name="Teslimat", parent_id="a", path=child_path(root, "b"))
    grandchild = Category(id="c", name="Gecikme", parent_id="b", path=child_path(child, "c"))
    other = Category(id="d", name="Hesap", path=["d"])
    tree = build_tree([grandchild, other, child, root])
    assert [n.name for n in tree] == ["Hesap", "Sipariş"]
    assert tree[1].children[0].children[0].path == ["a", "b", "c"]


def test_default_roles():
    agent, supervisor = default_role("agent"), default_role("supervisor")
    assert permitted([agent], Resource.CASES, Action.EDIT)
    assert not permitted([agent], Resource.ASSIGNMENTS, Action.EDIT)
    assert permitted([supervisor], Resource.ASSIGNMENTS, Action.EDIT)
    assert not permitted([default_role("customer")], Resource.NOTES, Action.READ)
    assert not permitted([default_role("nobody")], Resource.CASES, Action.READ)


def test_admin_cannot_lock_admins_out():
    with pytest.raises(InvalidInput):
        check_role_change(Role(name="admin", permissions={Resource.CASES: {Action.READ}}))
    with pytest.raises(InvalidInput):
        check_role_change(Role(name="wizard"))
    check_role_change(Role(name="agent", permissions={}))


def test_ids_made_together_keep_their_order():
    ids = [new_id("h") for _ in range(1000)]
    assert ids == sorted(ids)
