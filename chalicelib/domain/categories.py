"""The category tree: any depth, stored flat with a parent link and a materialized path."""

from __future__ import annotations

from pydantic import Field

from .errors import InvalidInput
from .model import Model


class Category(Model):
    id: str
    name: str
    parent_id: str | None = None
    path: list[str] = Field(default_factory=list)  # ids from the root down to this one


class CategoryNode(Model):
    id: str
    name: str
    path: list[str]
    children: list[CategoryNode] = Field(default_factory=list)


def child_path(parent: Category | None, child_id: str) -> list[str]:
    return [*(parent.path if parent else []), child_id]


def build_tree(categories: list[Category]) -> list[CategoryNode]:
    """Nest the flat list: roots first, children in name order at every level."""
    nodes = {c.id: CategoryNode(id=c.id, name=c.name, path=c.path) for c in categories}
    roots: list[CategoryNode] = []
    for category in sorted(categories, key=lambda c: c.name.casefold()):
        node = nodes[category.id]
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent.children if parent else roots).append(node)
    return roots


def check_parent(parent_id: str | None, parent: Category | None) -> None:
    if parent_id and parent is None:
        raise InvalidInput(f"no category {parent_id!r} to put this under")
