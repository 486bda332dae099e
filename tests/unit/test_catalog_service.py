"""The catalog use cases against the in-memory store: categories, products, moves."""

import pytest

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.services.catalog import (
    CatalogService,
    NewProduct,
    NewProductCategory,
    ProductCategoryChanges,
    ProductChanges,
    ProductQuery,
)

from .fakes import FakeCatalog


@pytest.fixture
def catalog() -> CatalogService:
    service = CatalogService(FakeCatalog())
    for cid, parent in [("elektronik", None), ("telefon", "elektronik"), ("giyim", None)]:
        service.add_category(NewProductCategory(id=cid, name=cid.title(), parent_id=parent))
    return service


def phone(**overrides) -> NewProduct:
    return NewProduct.model_validate(
        {"brand": "Vestel", "model": "Venus V7", "name": "Venus V7", "category_id": "telefon",
         "attributes": [{"name": "renk", "values": ["siyah", "beyaz"], "default": "siyah"}],
         **overrides}
    )  # fmt: skip


def test_categories_get_their_path_and_generated_ids(catalog):
    child = catalog.add_category(NewProductCategory(name="Akıllı", parent_id="telefon"))
    assert child.id.startswith("pc") and child.path == ["elektronik", "telefon", child.id]
    tree = catalog.category_tree()
    assert [n.id for n in tree] == ["elektronik", "giyim"]
    assert [n.id for n in catalog.category_tree("telefon")] == ["telefon"]
    with pytest.raises(NotFound):
        catalog.category_tree("nothing")


def test_an_unknown_parent_or_a_taken_id_is_refused(catalog):
    with pytest.raises(InvalidInput):
        catalog.add_category(NewProductCategory(name="X", parent_id="nothing"))
    with pytest.raises(Conflict):
        catalog.add_category(NewProductCategory(id="giyim", name="Giyim"))


def test_a_product_defaults_its_group_to_the_top_category_and_warranty_to_two_years(catalog):
    product = catalog.add_product(phone())
    assert product.product_group == "elektronik"
    assert product.warranty_months == 24
    assert product.category_path == ["elektronik", "telefon"]
    chosen = catalog.add_product(phone(product_group="mobil", warranty_months=0))
    assert chosen.product_group == "mobil" and chosen.warranty_months == 0


def test_related_products_must_exist_and_not_be_itself(catalog):
    first = catalog.add_product(phone())
    second = catalog.add_product(phone(related_ids=[first.id, first.id]))
    assert second.related_ids == [first.id]
    with pytest.raises(InvalidInput):
        catalog.add_product(phone(related_ids=["p-nothing"]))
    with pytest.raises(InvalidInput):
        catalog.add_product(phone(id="p-self", related_ids=["p-self"]))


def test_unknown_category_and_duplicate_attributes_are_refused(catalog):
    with pytest.raises(InvalidInput):
        catalog.add_product(phone(category_id="nothing"))
    with pytest.raises(InvalidInput):
        catalog.add_product(phone(attributes=[{"name": "renk"}, {"name": "Renk"}]))


def test_changing_a_product_checks_its_version_and_can_move_it(catalog):
    product = catalog.add_product(phone())
    with pytest.raises(Conflict):
        catalog.change_product(product.id, ProductChanges(version=9, name="x"))
    moved = catalog.change_product(
        product.id, ProductChanges(version=1, category_id="giyim", product_group=None)
    )
    assert moved.category_path == ["giyim"] and moved.product_group == "giyim"
    assert moved.version == 2 and moved.brand == "Vestel"
    kept = catalog.change_product(product.id, ProductChanges(version=2, sub_model=None))
    assert kept.product_group == "giyim"


def test_moving_a_category_rewrites_everything_under_it(catalog):
    sub = catalog.add_category(NewProductCategory(id="akilli", name="Akıllı", parent_id="telefon"))
    product = catalog.add_product(phone(category_id=sub.id))
    moved = catalog.change_category(
        "telefon", ProductCategoryChanges(version=1, parent_id="giyim", name="Telefonlar")
    )
    assert moved.path == ["giyim", "telefon"] and moved.name == "Telefonlar"
    assert catalog.category("akilli").path == ["giyim", "telefon", "akilli"]
    assert catalog.product(product.id).category_path == ["giyim", "telefon", "akilli"]
    page = catalog.products(ProductQuery(category_id="giyim"))
    assert [p.id for p in page.items] == [product.id]
    assert catalog.products(ProductQuery(category_id="elektronik")).items == []


def test_a_category_cannot_move_into_its_own_subtree(catalog):
    with pytest.raises(InvalidInput) as refused:
        catalog.change_category(
            "elektronik", ProductCategoryChanges(version=1, parent_id="telefon")
        )
    assert refused.value.code == "category_cycle"
    with pytest.raises(InvalidInput):
        catalog.change_category("elektronik", ProductCategoryChanges(version=1, parent_id="nope"))


def test_rename_and_move_to_the_top_level(catalog):
    renamed = catalog.change_category(
        "telefon", ProductCategoryChanges(version=1, name_en="Phones")
    )
    assert renamed.name_en == "Phones" and renamed.path == ["elektronik", "telefon"]
    top = catalog.change_category("telefon", ProductCategoryChanges(version=2, parent_id=None))
    assert top.path == ["telefon"] and top.parent_id is None


def test_only_empty_categories_can_be_deleted(catalog):
    product = catalog.add_product(phone())
    with pytest.raises(Conflict):
        catalog.delete_category("elektronik")
    with pytest.raises(Conflict):
        catalog.delete_category("telefon")
    catalog.delete_product(product.id)
    catalog.delete_category("telefon")
    catalog.delete_category("elektronik")
    with pytest.raises(NotFound):
        catalog.delete_category("elektronik")


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1},
        {"version": 1, "name": None},
        {"version": 0, "name": "x"},
        {"version": 1, "name": "x", "colour": "red"},
    ],
)
def test_category_changes_must_say_something_sensible(body):
    with pytest.raises(ValueError):
        ProductCategoryChanges.model_validate(body)


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1},
        {"version": 1, "brand": None},
        {"version": 1, "warranty_months": 121},
        {"version": 1, "warranty_months": -1},
        {"version": 1, "product_group": "has space"},
        {"version": 1, "related_ids": ["x"] * 11},
    ],
)
def test_product_changes_must_say_something_sensible(body):
    with pytest.raises(ValueError):
        ProductChanges.model_validate(body)
