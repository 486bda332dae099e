"""The catalog tree's pure rules: paths, moves (cycles refused, paths rewritten, write
order), depth, and the nested shapes."""

import pytest

from chalicelib.domain.catalog import (
    MAX_DEPTH,
    Product,
    ProductAttribute,
    ProductCategory,
    Subtree,
    catalog_tree,
    category_tree,
    check_attributes,
    check_move,
    move_order,
    rebase,
)
from chalicelib.domain.errors import InvalidInput


def cat(path: list[str], name: str | None = None) -> ProductCategory:
    return ProductCategory(
        id=path[-1], name=name or path[-1], parent_id=path[-2] if len(path) > 1 else None,
        path=path,
    )  # fmt: skip


def product(pid: str, path: list[str]) -> Product:
    return Product(
        id=pid, brand="B", model="M", name=pid, category_id=path[-1], category_path=path,
        warranty_months=24, product_group=path[0],
    )  # fmt: skip


A, B, C, D = cat(["a"]), cat(["a", "b"]), cat(["a", "b", "c"]), cat(["d"])
TREE = Subtree(
    categories=[A, B, C],
    products=[product("p1", ["a"]), product("p2", ["a", "b", "c"]), product("p3", ["a", "b"])],
)


def test_rebase_swaps_the_moved_part_and_keeps_the_rest():
    assert rebase(["a", "b", "c"], ["a", "b"], ["d", "b"]) == ["d", "b", "c"]
    assert rebase(["a", "b"], ["a", "b"], ["b"]) == ["b"]
    assert rebase(["a", "b", "c"], ["a"], ["x", "y", "a"]) == ["x", "y", "a", "b", "c"]
    with pytest.raises(ValueError):
        rebase(["x", "b"], ["a"], ["d", "a"])


@pytest.mark.parametrize("parent", [A, B, C], ids=["itself", "its child", "its grandchild"])
def test_a_category_cannot_move_under_itself_or_its_descendants(parent):
    with pytest.raises(InvalidInput) as refused:
        check_move(A, parent, TREE)
    assert refused.value.code == "category_cycle"


def test_a_move_gives_the_new_path():
    subtree = Subtree(categories=[B, C])
    assert check_move(B, D, subtree) == ["d", "b"]
    assert check_move(B, None, subtree) == ["b"]
    assert check_move(C, A, Subtree(categories=[C])) == ["a", "c"]


def test_a_move_may_not_make_the_tree_too_deep():
    deep = [cat([f"x{i}" for i in range(1, n + 1)]) for n in range(1, MAX_DEPTH + 1)]
    parent = deep[1]  # depth 2: x1/x2
    mover = cat(["m"])
    assert check_move(mover, deep[-2], Subtree(categories=[mover])) == [*deep[-2].path, "m"]
    with pytest.raises(InvalidInput) as refused:
        check_move(mover, deep[-1], Subtree(categories=[mover]))
    assert refused.value.code == "too_deep"
    branch = [cat(["m"]), *[cat(["m", *[f"y{i}" for i in range(n)]]) for n in range(1, 11)]]
    with pytest.raises(InvalidInput):  # m and 10 levels under it, under a depth-2 parent
        check_move(branch[0], parent, Subtree(categories=branch))


def test_moves_write_deepest_first_products_before_their_category_and_skip_the_root():
    order = [i.id for i in move_order(TREE, "a")]
    assert order == ["p2", "c", "p3", "b", "p1"]
    assert "a" not in order


def test_the_tree_nests_by_parent_link_in_name_order():
    categories = [cat(["z"], "Zeytin"), cat(["a"], "Ayakkabı"), cat(["a", "b"], "Bot"),
                  cat(["a", "c"], "Çizme"), cat(["a", "b", "k"], "Kışlık")]  # fmt: skip
    tree = category_tree(categories)
    assert [n.name for n in tree] == ["Ayakkabı", "Zeytin"]
    assert [n.name for n in tree[0].children] == ["Bot", "Çizme"]
    assert tree[0].children[0].children[0].path == ["a", "b", "k"]
    # a subtree: its top has a parent outside the list, so it is the root
    assert [n.id for n in category_tree([cat(["a", "b"]), cat(["a", "b", "k"])])] == ["b"]


def test_the_catalog_hangs_products_in_their_categories():
    tree = catalog_tree(TREE)
    assert [p.id for p in tree[0].products] == ["p1"]
    b = tree[0].children[0]
    assert [p.id for p in b.products] == ["p3"]
    assert [p.id for p in b.children[0].products] == ["p2"]
    assert set(tree[0].products[0].model_dump()) == {
        "id", "name", "brand", "model", "sub_model", "warranty_months", "attributes",
    }  # fmt: skip


def test_attribute_names_are_unique_per_product():
    check_attributes([ProductAttribute(name="renk"), ProductAttribute(name="beden")])
    with pytest.raises(InvalidInput):
        check_attributes([ProductAttribute(name="Renk"), ProductAttribute(name="renk")])
