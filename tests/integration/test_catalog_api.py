"""The product catalog through the API against moto: the tree, subtrees as one Query,
moves that keep their products (and finish when run again), and refusals that write
nothing."""

from __future__ import annotations

import uuid

import pytest

from chalicelib import wiring
from chalicelib.services.catalog import ProductCategoryChanges
from chalicelib.store.catalog import DynamoCatalogStore


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def admin(as_role):
    return as_role("admin")


@pytest.fixture
def index_queries():
    """The Queries the app sends to the `catalog` index while the test runs."""
    seen: list[str] = []

    def hook(params, **_):
        seen.append(params.get("IndexName", "table"))

    events = wiring.table().client.meta.events
    events.register("before-parameter-build.dynamodb.Query", hook)
    yield lambda: [i for i in seen if i == "catalog"]
    events.unregister("before-parameter-build.dynamodb.Query", hook)


def category(api, name: str, parent_id: str | None = None, **extra) -> dict:
    answer = api.post(
        "/product-categories", {"id": uid("k"), "name": name, "parent_id": parent_id, **extra}
    )
    assert answer.status == 201, answer
    return answer.body


def product(api, category_id: str, **extra) -> dict:
    body = {"brand": "Marka", "model": "Model", "name": uid("Ürün"), "category_id": category_id}
    answer = api.post("/products", {**body, **extra})
    assert answer.status == 201, answer
    return answer.body


@pytest.fixture
def tree(admin) -> dict:
    """top > mid > leaf, and another top; a product in each of mid and leaf."""
    top = category(admin, "Üst")
    mid = category(admin, "Orta", top["id"])
    leaf = category(admin, "Yaprak", mid["id"])
    other = category(admin, "Diğer")
    return {
        "top": top, "mid": mid, "leaf": leaf, "other": other,
        "p_mid": product(admin, mid["id"]), "p_leaf": product(admin, leaf["id"]),
    }  # fmt: skip


def delete(api, path: str):
    return api.call("DELETE", path)


def ids(nodes: list[dict]) -> list[str]:
    found = []
    for node in nodes:
        found.append(node["id"])
        found.extend(ids(node.get("children", [])))
    return found


def test_categories_and_products_round_trip(admin, tree):
    top, mid = tree["top"], tree["mid"]
    assert mid["path"] == [top["id"], mid["id"]] and mid["version"] == 1
    p = admin.get(f"/products/{tree['p_leaf']['id']}").body
    assert p["category_path"] == tree["leaf"]["path"]
    assert p["product_group"] == top["id"]  # the top-level category, by default
    assert p["warranty_months"] == 24

    renamed = admin.patch(
        f"/product-categories/{mid['id']}", {"version": 1, "name": "Orta 2", "name_en": "Mid"}
    )
    assert renamed.status == 200 and renamed.body["version"] == 2
    assert renamed.body["name_en"] == "Mid"
    stale = admin.patch(f"/product-categories/{mid['id']}", {"version": 1, "name": "x"})
    assert stale.status == 409 and stale.body["error"]["code"] == "version_conflict"

    changed = admin.patch(
        f"/products/{p['id']}",
        {"version": 1, "attributes": [{"name": "renk", "values": ["siyah"], "default": "siyah"}],
         "related_ids": [tree["p_mid"]["id"]], "warranty_months": 36},
    )  # fmt: skip
    assert changed.status == 200, changed
    assert changed.body["version"] == 2 and changed.body["related_ids"] == [tree["p_mid"]["id"]]
    assert delete(admin, f"/products/{p['id']}").status == 204
    assert admin.get(f"/products/{p['id']}").status == 404
    assert delete(admin, f"/products/{p['id']}").status == 404


def test_a_subtree_is_exactly_its_categories_and_products_in_one_query(
    as_role, tree, index_queries
):
    agent = as_role("agent")
    under = agent.get(f"/product-categories?under={tree['mid']['id']}")
    assert under.status == 200
    assert ids(under.body) == [tree["mid"]["id"], tree["leaf"]["id"]]
    assert len(index_queries()) == 1

    products = agent.get(f"/products?category_id={tree['top']['id']}")
    assert {p["id"] for p in products.body["items"]} == {
        tree["p_mid"]["id"], tree["p_leaf"]["id"],
    }  # fmt: skip
    assert len(index_queries()) == 2
    leaf_only = agent.get(f"/products?category_id={tree['leaf']['id']}").body["items"]
    assert [p["id"] for p in leaf_only] == [tree["p_leaf"]["id"]]
    assert agent.get(f"/products?category_id={tree['other']['id']}").body["items"] == []

    whole = agent.get("/product-categories").body
    assert {tree["top"]["id"], tree["other"]["id"], "elektronik"} <= {n["id"] for n in whole}


def test_products_page_with_a_cursor_that_only_fits_its_own_subtree(admin, tree):
    for _ in range(3):
        product(admin, tree["other"]["id"])
    first = admin.get(f"/products?category_id={tree['other']['id']}&limit=2").body
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = admin.get(
        f"/products?category_id={tree['other']['id']}&limit=2&cursor={first['next_cursor']}"
    ).body
    assert len(first["items"]) + len(rest["items"]) == 3
    foreign = admin.get(f"/products?category_id={tree['top']['id']}&cursor={first['next_cursor']}")
    assert foreign.status == 400 and foreign.body["error"]["code"] == "invalid_cursor"


def test_moving_a_subtree_keeps_its_products(admin, tree, table_items):
    mid, leaf, other = tree["mid"], tree["leaf"], tree["other"]
    moved = admin.patch(
        f"/product-categories/{mid['id']}", {"version": 1, "parent_id": other["id"]}
    )
    assert moved.status == 200, moved
    assert moved.body["path"] == [other["id"], mid["id"]]
    assert ids(admin.get(f"/product-categories?under={other['id']}").body) == [
        other["id"], mid["id"], leaf["id"],
    ]  # fmt: skip
    products = admin.get(f"/products?category_id={other['id']}").body["items"]
    assert {p["id"]: p["category_path"] for p in products} == {
        tree["p_mid"]["id"]: [other["id"], mid["id"]],
        tree["p_leaf"]["id"]: [other["id"], mid["id"], leaf["id"]],
    }
    assert admin.get(f"/products?category_id={tree['top']['id']}").body["items"] == []
    # the old parent is empty now, the new one is not
    assert delete(admin, f"/product-categories/{other['id']}").status == 409
    assert delete(admin, f"/product-categories/{tree['top']['id']}").status == 204
    # and to the top level
    top = admin.patch(f"/product-categories/{mid['id']}", {"version": 2, "parent_id": None})
    assert top.status == 200 and top.body["path"] == [mid["id"]]
    assert admin.get(f"/products/{tree['p_leaf']['id']}").body["category_path"] == [
        mid["id"], leaf["id"],
    ]  # fmt: skip
    assert not [i for i in table_items() if i["SK"]["S"] == "#MOVE"]


@pytest.mark.parametrize("target", ["mid", "leaf", "top"])
def test_a_category_cannot_move_into_its_own_subtree(admin, tree, table_items, target):
    before = table_items()
    answer = admin.patch(
        f"/product-categories/{tree['top']['id']}", {"version": 1, "parent_id": tree[target]["id"]}
    )
    assert answer.status == 422, answer
    assert answer.body["error"]["code"] == "category_cycle"
    assert "under itself" in answer.body["error"]["message"]
    assert table_items() == before


def test_an_interrupted_move_finishes_when_run_again(admin, tree, monkeypatch):
    """Cut the move short after its first chunk of one item: the moved category and the
    rest stay where they were, other moves wait, and running it again completes it."""
    mid, other = tree["mid"], tree["other"]
    monkeypatch.setattr("chalicelib.store.catalog.MOVE_CHUNK", 1)
    real = DynamoCatalogStore._rewrite
    calls = []

    def cut_short(self, chunk, old_root, new_root):
        calls.append(chunk)
        if len(calls) > 1:
            raise ConnectionError("the Lambda died here")
        return real(self, chunk, old_root, new_root)

    monkeypatch.setattr(DynamoCatalogStore, "_rewrite", cut_short)
    with pytest.raises(ConnectionError):
        wiring.catalog_service().change_category(
            mid["id"], ProductCategoryChanges(version=1, parent_id=other["id"])
        )
    monkeypatch.setattr(DynamoCatalogStore, "_rewrite", real)

    half = admin.get(f"/products/{tree['p_leaf']['id']}").body  # the deepest went first
    assert half["category_path"][0] == other["id"]
    assert admin.get(f"/products/{tree['p_mid']['id']}").body["category_path"][0] != other["id"]
    blocked = admin.patch(
        f"/product-categories/{tree['other']['id']}", {"version": 1, "parent_id": "giyim"}
    )
    assert blocked.status == 409 and blocked.body["error"]["code"] == "move_pending"
    assert delete(admin, f"/product-categories/{mid['id']}").status == 409

    again = admin.patch(
        f"/product-categories/{mid['id']}", {"version": 1, "parent_id": other["id"]}
    )
    assert again.status == 200, again
    products = admin.get(f"/products?category_id={other['id']}").body["items"]
    assert len(products) == 2
    assert admin.get(f"/product-categories?under={tree['top']['id']}").body[0]["children"] == []
    assert (
        admin.patch(f"/product-categories/{other['id']}", {"version": 1, "name_en": "Other"}).status
        == 200
    )


def test_deleting_categories(admin, tree):
    leaf = tree["leaf"]
    refused = delete(admin, f"/product-categories/{leaf['id']}")
    assert refused.status == 409 and refused.body["error"]["code"] == "category_not_empty"
    assert delete(admin, f"/product-categories/{tree['mid']['id']}").status == 409
    # a product re-filed elsewhere leaves its old category empty
    p = tree["p_leaf"]
    moved = admin.patch(f"/products/{p['id']}", {"version": 1, "category_id": tree["other"]["id"]})
    assert moved.status == 200 and moved.body["category_path"] == [tree["other"]["id"]]
    assert delete(admin, f"/product-categories/{leaf['id']}").status == 204
    assert delete(admin, f"/product-categories/{leaf['id']}").status == 404


def test_the_public_catalog_needs_no_sign_in(api, client):
    answer = api.get("/catalog")
    assert answer.status == 200
    electronics = next(n for n in answer.body if n["id"] == "elektronik")
    phones = next(n for n in electronics["children"] if n["id"] == "telefon")
    venus = next(p for p in phones["products"] if p["id"] == "p-vestel-venus-v7")
    assert set(venus) == {
        "id", "name", "brand", "model", "sub_model", "warranty_months", "attributes",
    }  # fmt: skip
    assert venus["attributes"][0]["default"] == "siyah"
    assert "public" in client.http.get("/catalog").headers["Cache-Control"]


BAD_PRODUCTS = [
    {},
    {"brand": "B", "model": "M", "name": "N"},
    {"brand": "B", "model": "M", "name": "N", "category_id": "nothing"},
    {"brand": "B", "model": "M", "name": "N", "category_id": "telefon", "warranty_months": 121},
    {"brand": "B", "model": "M", "name": "N", "category_id": "telefon", "warranty_months": "x"},
    {"brand": " ", "model": "M", "name": "N", "category_id": "telefon"},
    {"brand": "B", "model": "M", "name": "N", "category_id": "telefon", "colour": "red"},
    {"brand": "B", "model": "M", "name": "N", "category_id": "telefon",
     "attributes": [{"name": "renk", "values": ["a"], "default": "b"}]},
    {"brand": "B", "model": "M", "name": "N", "category_id": "telefon",
     "attributes": [{"name": "renk"}, {"name": "RENK"}]},
    {"brand": "B", "model": "M", "name": "N", "category_id": "telefon",
     "related_ids": ["p-nothing"]},
    {"brand": "B", "model": "M", "name": "N", "category_id": "telefon", "id": "has/slash"},
    {"brand": "B", "model": "M", "name": "N", "category_id": "telefon", "product_group": "a b"},
    {"brand": "x" * 201, "model": "M", "name": "N", "category_id": "telefon"},
]  # fmt: skip


@pytest.mark.parametrize("body", BAD_PRODUCTS)
def test_bad_products_are_422_and_write_nothing(admin, table_items, body):
    before = table_items()
    answer = admin.post("/products", body)
    assert answer.status == 422, answer
    assert set(answer.body["error"]) == {"code", "message", "details"}
    assert table_items() == before


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/product-categories", {"name": ""}, 422),
        ("POST", "/product-categories", {"name": "X", "parent_id": "nothing"}, 422),
        ("POST", "/product-categories", {"id": "elektronik", "name": "X"}, 409),
        (
            "POST",
            "/product-categories",
            {"id": "telefon", "name": "X", "parent_id": "telefon"},
            409,
        ),
        ("POST", "/product-categories", {"id": "a/b", "name": "X"}, 422),
        ("PATCH", "/product-categories/telefon", {"version": 1}, 422),
        ("PATCH", "/product-categories/telefon", {"name": "X"}, 422),
        ("PATCH", "/product-categories/telefon", {"version": 99, "name": "X"}, 409),
        ("PATCH", "/product-categories/telefon", {"version": 1, "parent_id": "nothing"}, 422),
        ("PATCH", "/product-categories/nothing", {"version": 1, "name": "X"}, 404),
        ("PATCH", "/products/p-reeder-s19", {"version": 1, "brand": None}, 422),
        ("PATCH", "/products/p-reeder-s19", {"version": 1, "related_ids": ["p-reeder-s19"]}, 422),
        ("PATCH", "/products/p-reeder-s19", {"version": 1, "category_id": "nothing"}, 422),
        ("PATCH", "/products/nothing", {"version": 1, "name": "X"}, 404),
        ("DELETE", "/product-categories/elektronik", None, 409),
        ("DELETE", "/product-categories/nothing", None, 404),
        ("GET", "/product-categories?under=nothing", None, 404),
        ("GET", "/products?category_id=nothing", None, 404),
        ("GET", "/products?limit=0", None, 422),
        ("GET", "/products?cursor=garbage", None, 400),
        ("GET", "/products/nothing", None, 404),
    ],
)
def test_bad_catalog_requests_are_4xx_and_write_nothing(
    admin, table_items, method, path, body, status
):
    before = table_items()
    answer = admin.call(method, path, body)
    assert answer.status == status, answer
    assert set(answer.body["error"]) == {"code", "message", "details"}
    assert table_items() == before
