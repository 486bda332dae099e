"""Product catalog routes: staff read the tree and products, admins change them, and the
customer site reads the compact catalog without signing in (its registration form)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Blueprint, Response

from .. import wiring
from ..domain.permissions import Action, Resource
from .endpoint import endpoint, lazy

if TYPE_CHECKING:
    from ..domain.caller import Caller
    from ..domain.catalog import CatalogNode
    from ..services.catalog import (
        NewProduct,
        NewProductCategory,
        ProductCategoryChanges,
        ProductChanges,
        ProductQuery,
        TreeQuery,
    )

bp = Blueprint(__name__)
#: models by name, imported with the first request that needs them (cold start)
CATALOG = lazy("chalicelib.domain.catalog")
CATALOG_SERVICE = lazy("chalicelib.services.catalog")
PRODUCTS = Resource.PRODUCTS
#: the catalog changes rarely; browsers and CloudFront may keep it briefly
CATALOG_MAX_AGE = 60


@endpoint(
    bp,
    "/product-categories",
    permission=(PRODUCTS, Action.READ),
    query=CATALOG_SERVICE.TreeQuery,
    response=list[CATALOG.CategoryNode],
)
def product_category_tree(caller: Caller, query: TreeQuery):
    """The product category tree, nested; or one category's subtree with `?under=`."""
    return wiring.catalog_service().category_tree(query.under)


@endpoint(
    bp, "/product-categories", "POST",
    permission=(PRODUCTS, Action.ADD), body=CATALOG_SERVICE.NewProductCategory, status=201,
    response=CATALOG.ProductCategory,
)  # fmt: skip
def add_product_category(caller: Caller, body: NewProductCategory):
    """Add a product category at the top level or under a parent."""
    return wiring.catalog_service().add_category(body)


@endpoint(
    bp, "/product-categories/{category_id}", "PATCH",
    permission=(PRODUCTS, Action.EDIT), body=CATALOG_SERVICE.ProductCategoryChanges,
    response=CATALOG.ProductCategory,
)  # fmt: skip
def change_product_category(caller: Caller, category_id: str, body: ProductCategoryChanges):
    """Rename a category, and/or move it (with everything under it) under another parent."""
    return wiring.catalog_service().change_category(category_id, body)


@endpoint(
    bp,
    "/product-categories/{category_id}",
    "DELETE",
    permission=(PRODUCTS, Action.DELETE),
    status=204,
)
def delete_product_category(caller: Caller, category_id: str):
    """Delete an empty category (409 while it has subcategories or products)."""
    wiring.catalog_service().delete_category(category_id)
    return Response(body="", status_code=204)


@endpoint(
    bp,
    "/products",
    permission=(PRODUCTS, Action.READ),
    query=CATALOG_SERVICE.ProductQuery,
    response=CATALOG_SERVICE.ProductPage,
)
def list_products(caller: Caller, query: ProductQuery):
    """Products anywhere under a category (or all), one page."""
    return wiring.catalog_service().products(query)


@endpoint(
    bp,
    "/products",
    "POST",
    permission=(PRODUCTS, Action.ADD),
    body=CATALOG_SERVICE.NewProduct,
    status=201,
    response=CATALOG.Product,
)
def add_product(caller: Caller, body: NewProduct):
    """Add a product: brand, model, attributes, warranty period, related products."""
    return wiring.catalog_service().add_product(body)


@endpoint(
    bp, "/products/{product_id}", permission=(PRODUCTS, Action.READ), response=CATALOG.Product
)
def get_product(caller: Caller, product_id: str):
    """One product."""
    return wiring.catalog_service().product(product_id)


@endpoint(
    bp,
    "/products/{product_id}",
    "PATCH",
    permission=(PRODUCTS, Action.EDIT),
    body=CATALOG_SERVICE.ProductChanges,
    response=CATALOG.Product,
)
def change_product(caller: Caller, product_id: str, body: ProductChanges):
    """Change a product; a new category_id moves it there."""
    return wiring.catalog_service().change_product(product_id, body)


@endpoint(bp, "/products/{product_id}", "DELETE", permission=(PRODUCTS, Action.DELETE), status=204)
def delete_product(caller: Caller, product_id: str):
    """Delete a product (customers' registrations of it keep their own copy)."""
    wiring.catalog_service().delete_product(product_id)
    return Response(body="", status_code=204)


@endpoint(bp, "/catalog", audience="public", rate_limit=60, response=list[CATALOG.CatalogNode])
def catalog(caller: None):
    """The category tree with its products, compact, for the site's registration form."""
    tree: list[CatalogNode] = wiring.catalog_service().catalog()
    return Response(
        body=[node.model_dump(mode="json") for node in tree],
        status_code=200,
        headers={
            "Content-Type": "application/json",
            "Cache-Control": f"public, max-age={CATALOG_MAX_AGE}",
        },
    )
