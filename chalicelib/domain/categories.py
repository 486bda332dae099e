"""The category tree: any depth, stored flat with a parent link and a materialized path."""

from __future__ import annotations

from pydantic import Field

from .errors import InvalidInput, NotFound
from .model import Model


class Category(Model):
    id: str
    name: str
    parent_id: str | None = None
    path: list[str] = Field(default_factory=list)  # ids from the root down to this one


class CategoryNode(Model):
    id: str
    name: str
    parent_id: str | None = None
    path: list[str]
    children: list[CategoryNode] = Field(default_factory=list)


def child_path(parent: Category | None, child_id: str) -> list[str]:
    return [*(parent.path if parent else []), child_id]


def build_tree(categories: list[Category]) -> list[CategoryNode]:
    """Nest the flat list: roots first, children in name order at every level."""
    nodes = {
        c.id: CategoryNode(id=c.id, name=c.name, parent_id=c.parent_id, path=c.path)
        for c in categories
    }
    roots: list[CategoryNode] = []
    for category in sorted(categories, key=lambda c: c.name.casefold()):
        node = nodes[category.id]
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def check_parent(parent_id: str | None, parent: Category | None) -> None:
    if parent_id and parent is None:
        raise InvalidInput(f"no category {parent_id!r} to put this under")


#: one DynamoDB transaction writes at most 100 items: a move rewrites the whole subtree at once
MAX_MOVED = 100


def changed_subtree(
    categories: list[Category], category_id: str, name: str, parent_id: str | None
) -> list[Category]:
    """The categories a rename or move rewrites: the category itself, and when its parent
    changes every category under it (each stores its path from the root).

    Raises NotFound for an unknown category, InvalidInput for an unknown parent, a parent
    inside the category's own subtree (a cycle), or a subtree too large to move at once.
    """
    by_id = {c.id: c for c in categories}
    current = by_id.get(category_id)
    if current is None:
        raise NotFound(f"no category {category_id!r}")
    parent = by_id.get(parent_id) if parent_id else None
    check_parent(parent_id, parent)
    if parent is not None and category_id in parent.path:
        raise InvalidInput(
            "a category cannot go under itself or its own subcategory", code="category_cycle"
        )
    renamed = current.model_copy(
        update={"name": name, "parent_id": parent_id, "path": child_path(parent, category_id)}
    )
    if renamed.path == current.path:
        return [renamed]
    depth = len(current.path)
    under = [c for c in categories if c.id != category_id and c.path[:depth] == current.path]
    if len(under) + 1 > MAX_MOVED:
        raise InvalidInput(
            f"at most {MAX_MOVED} categories move at once; move the subcategories first",
            code="too_many_to_move",
            details={"limit": MAX_MOVED, "categories": len(under) + 1},
        )
    return [renamed] + [c.model_copy(update={"path": renamed.path + c.path[depth:]}) for c in under]
