"""The product catalog: a category tree of any depth, and products hanging in it.

Categories carry a materialized path (ids from the root down) so that a subtree
with all its products is one range of the catalog index. Moving a category
rewrites that path for everything under it; the pure parts of that rewrite
(refusing cycles, the new paths, the order of writes) live here.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from .errors import InvalidInput
from .model import Model

#: deep enough for any shop's catalog; keeps a product's index key far below DynamoDB's
#: 1,024-byte limit for a sort key (12 ids of up to 64 characters, a separator each)
MAX_DEPTH = 12

AttributeText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)
]


class ProductAttribute(Model):
    """A choice a product comes in (colour, size): allowed values (empty: free text) and a
    default the registration form starts from."""

    name: AttributeText
    values: list[AttributeText] = Field(default_factory=list, max_length=50)
    default: AttributeText | None = None

    @model_validator(mode="after")
    def _default_is_allowed(self) -> ProductAttribute:
        if len({v.casefold() for v in self.values}) != len(self.values):
            raise ValueError(f"attribute {self.name!r} lists a value twice")
        if self.values and self.default is not None and self.default not in self.values:
            raise ValueError(f"the default of {self.name!r} is not one of its values")
        return self


class ProductCategory(Model):
    id: str
    name: str
    name_en: str | None = None
    parent_id: str | None = None
    path: list[str] = Field(default_factory=list)  # ids from the root down to this one
    version: int = 1


class Product(Model):
    id: str
    brand: str
    model: str
    sub_model: str | None = None
    name: str
    category_id: str
    category_path: list[str] = Field(default_factory=list)  # the category's path when written
    attributes: list[ProductAttribute] = Field(default_factory=list)
    warranty_months: int = Field(ge=0, le=120)
    related_ids: list[str] = Field(default_factory=list)
    product_group: str
    version: int = 1


class Subtree(Model):
    """A category (or the whole catalog) with every category and product under it."""

    categories: list[ProductCategory] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)


class CategoryNode(Model):
    id: str
    name: str
    name_en: str | None = None
    parent_id: str | None = None
    path: list[str]
    version: int
    children: list[CategoryNode] = Field(default_factory=list)


class CatalogProduct(Model):
    """What the site's registration form needs of a product, nothing more."""

    id: str
    name: str
    brand: str
    model: str
    sub_model: str | None = None
    warranty_months: int
    attributes: list[ProductAttribute]


class CatalogNode(Model):
    id: str
    name: str
    name_en: str | None = None
    products: list[CatalogProduct] = Field(default_factory=list)
    children: list[CatalogNode] = Field(default_factory=list)


# ---- rules -------------------------------------------------------------------------------


def check_attributes(attributes: list[ProductAttribute]) -> None:
    names = [a.name.casefold() for a in attributes]
    if len(set(names)) != len(names):
        raise InvalidInput("two attributes have the same name")


def default_product_group(category: ProductCategory) -> str:
    """Routing rules name product groups; unless told otherwise, the top-level category."""
    return category.path[0]


def check_depth(depth: int) -> None:
    if depth > MAX_DEPTH:
        raise InvalidInput(f"categories nest at most {MAX_DEPTH} deep", code="too_deep")


def check_move(
    category: ProductCategory, new_parent: ProductCategory | None, subtree: Subtree
) -> list[str]:
    """The moved category's new path, after refusing a cycle or a tree grown too deep."""
    if new_parent is not None and category.id in new_parent.path:
        raise InvalidInput(
            "a category cannot move under itself or one of its own subcategories",
            details={"category_id": category.id, "parent_id": new_parent.id},
            code="category_cycle",
        )
    new_path = [*(new_parent.path if new_parent else []), category.id]
    deepest = max((len(c.path) for c in subtree.categories), default=len(category.path))
    check_depth(len(new_path) + deepest - len(category.path))
    return new_path


def rebase(path: list[str], old_root: list[str], new_root: list[str]) -> list[str]:
    """The path of something under a moved category: the moved part swapped, the rest kept."""
    if path[: len(old_root)] != old_root:
        raise ValueError(f"{path} is not under {old_root}")
    return [*new_root, *path[len(old_root) :]]


def move_order(subtree: Subtree, root_id: str) -> list[ProductCategory | Product]:
    """Everything under a moved category in the order its paths are rewritten: deepest
    first and a category's products before the category, the moved category itself left
    out (it is written last, which is what makes an interrupted move resumable: until
    then it still names the old subtree)."""
    items: list[ProductCategory | Product] = [
        *(c for c in subtree.categories if c.id != root_id),
        *subtree.products,
    ]

    def depth(item: ProductCategory | Product) -> tuple[int, int]:
        if isinstance(item, Product):
            return (-len(item.category_path), 0)
        return (-len(item.path), 1)

    return sorted(items, key=depth)


# ---- shapes ------------------------------------------------------------------------------


def _nest(categories: list[ProductCategory], make) -> list:
    """Nest by parent link (not by path, so a half-finished move still nests right);
    siblings in name order; a category whose parent is not in the list is a root."""
    nodes = {c.id: make(c) for c in categories}
    roots = []
    for category in sorted(categories, key=lambda c: (c.name.casefold(), c.id)):
        parent = nodes.get(category.parent_id) if category.parent_id else None
        (parent.children if parent else roots).append(nodes[category.id])
    return roots


def category_tree(categories: list[ProductCategory]) -> list[CategoryNode]:
    return _nest(categories, lambda c: CategoryNode(**c.model_dump()))


def catalog_tree(subtree: Subtree) -> list[CatalogNode]:
    """The public catalog: categories nested, each with its products in name order."""
    nodes = _nest(
        subtree.categories, lambda c: CatalogNode(id=c.id, name=c.name, name_en=c.name_en)
    )
    by_id: dict[str, CatalogNode] = {}
    stack = list(nodes)
    while stack:
        node = stack.pop()
        by_id[node.id] = node
        stack.extend(node.children)
    for product in sorted(subtree.products, key=lambda p: (p.name.casefold(), p.id)):
        node = by_id.get(product.category_id)
        if node is not None:
            node.products.append(CatalogProduct(**product.model_dump()))
    return nodes
