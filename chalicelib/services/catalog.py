"""The product catalog: admins shape the category tree and its products; staff and the
customer site read it."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..domain.catalog import (
    CatalogNode,
    CategoryNode,
    Product,
    ProductAttribute,
    ProductCategory,
    catalog_tree,
    category_tree,
    check_attributes,
    check_depth,
    check_move,
    default_product_group,
)
from ..domain.errors import Conflict, InvalidInput, NotFound
from ..domain.ids import new_id
from ..domain.model import Model
from .case_commands import Id, PageParams, Strict, Text
from .ports import CatalogStore

ProductGroup = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$"),
    Field(description="what routing rules' `product_group` matches; default: top category"),
]
Version = Annotated[int, Field(ge=1, description="the version you last read")]


class AttributeDetails(ProductAttribute):
    model_config = ConfigDict(extra="forbid")


def _refuse_nulls(model: BaseModel, fields: tuple[str, ...]) -> None:
    for name in fields:
        if name in model.model_fields_set and getattr(model, name) is None:
            raise ValueError(f"{name} cannot be null")


class NewProductCategory(Strict):
    id: Id | None = Field(default=None, description="a readable id such as 'telefon'")
    name: Text
    name_en: Text | None = None
    parent_id: Id | None = Field(default=None, description="none: a top-level category")


class ProductCategoryChanges(Strict):
    version: Version
    name: Text | None = None
    name_en: Text | None = Field(default=None, description="null removes it")
    parent_id: Id | None = Field(default=None, description="move here; null: to the top level")

    @model_validator(mode="after")
    def _something_to_change(self) -> ProductCategoryChanges:
        if not self.model_fields_set - {"version"}:
            raise ValueError("give name, name_en or parent_id")
        _refuse_nulls(self, ("name",))
        return self


class NewProduct(Strict):
    id: Id | None = Field(default=None, description="e.g. the shop's SKU; generated if none")
    brand: Text
    model: Text
    sub_model: Text | None = None
    name: Text
    category_id: Id
    attributes: list[AttributeDetails] = Field(default_factory=list, max_length=20)
    warranty_months: Annotated[int, Field(ge=0, le=120)] = Field(
        default=24, description="Turkish law: at least 24 for new goods that carry a warranty"
    )
    related_ids: list[Id] = Field(default_factory=list, max_length=10)
    product_group: ProductGroup | None = None


class ProductChanges(Strict):
    version: Version
    brand: Text | None = None
    model: Text | None = None
    sub_model: Text | None = Field(default=None, description="null removes it")
    name: Text | None = None
    category_id: Id | None = None
    attributes: list[AttributeDetails] | None = Field(default=None, max_length=20)
    warranty_months: Annotated[int, Field(ge=0, le=120)] | None = None
    related_ids: list[Id] | None = Field(default=None, max_length=10)
    product_group: ProductGroup | None = Field(
        default=None, description="null: back to the top-level category's id"
    )

    @model_validator(mode="after")
    def _something_to_change(self) -> ProductChanges:
        if not self.model_fields_set - {"version"}:
            raise ValueError("give at least one field to change")
        _refuse_nulls(
            self,
            ("brand", "model", "name", "category_id", "attributes", "warranty_months",
             "related_ids"),
        )  # fmt: skip
        return self


class TreeQuery(Strict):
    under: Id | None = Field(default=None, description="only this category's subtree")


class ProductQuery(PageParams):
    category_id: Id | None = Field(default=None, description="products anywhere under it")


class ProductPage(Model):
    items: list[Product]
    next_cursor: str | None = None


class CatalogService:
    def __init__(self, store: CatalogStore) -> None:
        self.store = store

    # ---- reading -------------------------------------------------------------------------

    def category_tree(self, under: str | None = None) -> list[CategoryNode]:
        """The whole tree, or one category with everything under it (one Query either way)."""
        root = self.category(under) if under else None
        return category_tree(self.store.subtree(root).categories)

    def catalog(self) -> list[CatalogNode]:
        """Categories with their products, compact, for the site's registration form."""
        return catalog_tree(self.store.subtree(None))

    def category(self, category_id: str) -> ProductCategory:
        category = self.store.get_category(category_id)
        if category is None:
            raise NotFound(f"no product category {category_id!r}")
        return category

    def product(self, product_id: str) -> Product:
        product = self.store.get_product(product_id)
        if product is None:
            raise NotFound(f"no product {product_id!r}")
        return product

    def products(self, query: ProductQuery) -> ProductPage:
        category = self.category(query.category_id) if query.category_id else None
        items, next_cursor = self.store.list_products(category, query.limit, query.cursor)
        return ProductPage(items=items, next_cursor=next_cursor)

    # ---- categories ----------------------------------------------------------------------

    def add_category(self, command: NewProductCategory) -> ProductCategory:
        if command.id and self.store.get_category(command.id) is not None:
            raise Conflict(
                f"a product category {command.id!r} already exists", code="category_exists"
            )
        parent = self._existing_category(command.parent_id) if command.parent_id else None
        category_id = command.id or new_id("pc")
        path = [*(parent.path if parent else []), category_id]
        check_depth(len(path))
        category = ProductCategory(
            id=category_id,
            name=command.name,
            name_en=command.name_en,
            parent_id=command.parent_id,
            path=path,
        )
        return self.store.create_category(category)

    def change_category(self, category_id: str, changes: ProductCategoryChanges) -> ProductCategory:
        """Rename, and/or move under another parent (with everything under it)."""
        current = self.category(category_id)
        self._check_version(current.version, changes.version, "category")
        fields = changes.model_fields_set
        updated = current.model_copy(
            update={
                **{k: getattr(changes, k) for k in ("name", "name_en") if k in fields},
                "version": current.version + 1,
            }
        )
        if "parent_id" in fields and changes.parent_id != current.parent_id:
            parent = self._existing_category(changes.parent_id) if changes.parent_id else None
            new_path = check_move(current, parent, self.store.subtree(current))
            moved = updated.model_copy(update={"parent_id": changes.parent_id, "path": new_path})
            return self.store.move_category(current, moved, changes.version)
        return self.store.save_category(updated, changes.version)

    def delete_category(self, category_id: str) -> None:
        """Only an empty category: its subcategories and products go (or move) first."""
        self.store.delete_category(self.category(category_id))

    # ---- products ------------------------------------------------------------------------

    def add_product(self, command: NewProduct) -> Product:
        category = self._existing_category(command.category_id)
        product_id = command.id or new_id("p")
        attributes = self._attributes(command.attributes)
        related = self._related(command.related_ids, product_id)
        product = Product(
            **command.model_dump(exclude={"id", "attributes", "related_ids", "product_group"}),
            id=product_id,
            category_path=category.path,
            attributes=attributes,
            related_ids=related,
            product_group=command.product_group or default_product_group(category),
        )
        return self.store.create_product(product)

    def change_product(self, product_id: str, changes: ProductChanges) -> Product:
        current = self.product(product_id)
        self._check_version(current.version, changes.version, "product")
        fields = changes.model_fields_set - {"version"}
        data = {k: getattr(changes, k) for k in fields}
        category = self._existing_category(data.get("category_id") or current.category_id)
        if "attributes" in fields:
            data["attributes"] = self._attributes(changes.attributes or [])
        if "related_ids" in fields:
            data["related_ids"] = self._related(changes.related_ids or [], product_id)
        if "product_group" in fields and changes.product_group is None:
            data["product_group"] = default_product_group(category)
        updated = Product.model_validate(
            {
                **current.model_dump(),
                **data,
                "category_path": category.path,
                "version": current.version + 1,
            }
        )
        return self.store.save_product(updated, current, changes.version)

    def delete_product(self, product_id: str) -> None:
        """Registrations keep their own copy of name, brand, model and warranty, so a
        product can go while customers still have it registered."""
        self.store.delete_product(self.product(product_id))

    # ---- helpers -------------------------------------------------------------------------

    def _existing_category(self, category_id: str) -> ProductCategory:
        category = self.store.get_category(category_id)
        if category is None:
            raise InvalidInput(f"no product category {category_id!r}")
        return category

    @staticmethod
    def _attributes(details: list[AttributeDetails]) -> list[ProductAttribute]:
        attributes = [ProductAttribute(**a.model_dump()) for a in details]
        check_attributes(attributes)
        return attributes

    def _related(self, related_ids: list[str], product_id: str) -> list[str]:
        related = list(dict.fromkeys(related_ids))
        if product_id in related:
            raise InvalidInput("a product cannot be related to itself")
        unknown = [r for r in related if self.store.get_product(r) is None]
        if unknown:
            raise InvalidInput("unknown related products", details={"unknown": unknown})
        return related

    @staticmethod
    def _check_version(current: int, expected: int, what: str) -> None:
        if current != expected:
            raise Conflict(
                f"the {what} changed since you read it; read it again",
                details={"current_version": current},
                code="version_conflict",
            )
