"""The product catalog in the one table: each category and product its own item, all of
them in one partition of the `catalog` index, sorted by materialized path.

Every category counts its direct members (subcategories and products) in `members`,
kept in the same transaction as each write that adds or removes one, so "delete only
an empty category" is a strongly consistent condition, not an index read that may lag.

Moving a subtree rewrites the index key of everything under it, in chunks of
conditional writes (each: "still at the old key"), deepest first and the moved
category last; a `#MOVE` item names the move while it is under way, so that no other
move interleaves with it and a move cut short can simply be run again to completion.
"""

from __future__ import annotations

from typing import Any

from ..domain.catalog import Product, ProductCategory, Subtree, move_order, rebase
from ..domain.errors import Conflict, InvalidInput, NotFound
from . import keys
from .dynamo import CancelReason, Table, TransactionCanceled

#: writes per transaction while moving a subtree
MOVE_CHUNK = 25
#: passes over the old subtree; each later pass only finds what was added during the last
_MOVE_ROUNDS = 5
_ATTEMPTS = 3


def category_item(category: ProductCategory, members: int | None = None) -> dict[str, Any]:
    item = {
        **category.model_dump(mode="json"),
        **keys.product_category_key(category.id),
        **keys.catalog_keys(keys.category_sk(category.path)),
        "entity": "product_category",
    }
    if members is not None:
        item["members"] = members
    return item


def product_item(product: Product) -> dict[str, Any]:
    return {
        **product.model_dump(mode="json"),
        **keys.product_key(product.id),
        **keys.catalog_keys(keys.product_sk(product.category_path, product.id)),
        "entity": "product",
    }


def _count(category_id: str, step: int, at_sk: str | None = None) -> dict[str, Any]:
    """Add `step` to a category's member count; with `at_sk`, only while it is still there
    (a product or subcategory must not be filed under a path that just moved)."""
    update: dict[str, Any] = {
        "Key": keys.product_category_key(category_id),
        "UpdateExpression": "SET members = if_not_exists(members, :zero) + :step",
        "ExpressionAttributeValues": {":zero": 0, ":step": step},
        "ConditionExpression": "attribute_exists(PK)",
    }
    if at_sk is not None:
        update["ConditionExpression"] = "catalog_sk = :at"
        update["ExpressionAttributeValues"][":at"] = at_sk
    return {"Update": update}


def _at(category_id: str, sk: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "Key": keys.product_category_key(category_id),
            "ConditionExpression": "catalog_sk = :at",
            "ExpressionAttributeValues": {":at": sk},
        }
    }


def _failed(reason: CancelReason | None) -> bool:
    return reason is not None and reason.code == "ConditionalCheckFailed"


def _category_changed(reason: CancelReason, category_id: str) -> Exception:
    if reason.item is None:
        return InvalidInput(f"no category {category_id!r}")
    return Conflict(f"category {category_id!r} moved meanwhile; try again", code="catalog_changed")


class DynamoCatalogStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    # ---- reading -------------------------------------------------------------------------

    def get_category(self, category_id: str) -> ProductCategory | None:
        item = self.table.get(keys.product_category_key(category_id))
        return ProductCategory.model_validate(item) if item else None

    def get_product(self, product_id: str) -> Product | None:
        item = self.table.get(keys.product_key(product_id))
        return Product.model_validate(item) if item else None

    def subtree(self, category: ProductCategory | None) -> Subtree:
        """One Query (following 1 MB pages): the category, or the whole catalog, with every
        category and product under it."""
        prefix = keys.category_sk(category.path) if category else "/"
        items = self.table.query_all(
            ("catalog_pk", keys.CATALOG), index="catalog", sort_prefix=prefix
        )
        return Subtree(
            categories=[
                ProductCategory.model_validate(i)
                for i in items
                if i.get("entity") == "product_category"
            ],
            products=[Product.model_validate(i) for i in items if i.get("entity") == "product"],
        )

    def list_products(
        self, category: ProductCategory | None, limit: int, cursor: str | None
    ) -> tuple[list[Product], str | None]:
        """One page of the products in a subtree, in path order.

        The subtree's categories share the range and are filtered out after DynamoDB's
        `Limit`, so a page that met some is topped up with a further Query (rare: a shop
        has far fewer categories than products).
        """
        prefix = keys.category_sk(category.path) if category else "/"
        products: list[Product] = []
        next_cursor = cursor
        while True:
            items, next_cursor = self.table.query(
                ("catalog_pk", keys.CATALOG),
                index="catalog",
                sort_prefix=prefix,
                limit=limit - len(products),
                cursor=next_cursor,
                filters={"entity": "product"},
            )
            products.extend(Product.model_validate(i) for i in items)
            if len(products) >= limit or not next_cursor:
                return products, next_cursor

    # ---- categories ----------------------------------------------------------------------

    def create_category(self, category: ProductCategory) -> ProductCategory:
        operations = [
            {
                "Put": {
                    "Item": category_item(category, members=0),
                    "ConditionExpression": "attribute_not_exists(PK)",
                }
            }
        ]
        if category.parent_id:
            operations.append(_count(category.parent_id, 1, keys.category_sk(category.path[:-1])))
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            reasons = [*exc.reasons, None, None]
            if _failed(reasons[0]):
                raise Conflict(
                    f"a product category {category.id!r} already exists", code="category_exists"
                ) from exc
            if _failed(reasons[1]):
                raise _category_changed(reasons[1], category.parent_id or "") from exc
            raise Conflict("the catalog is busy; try again", code="busy") from exc
        return category

    def save_category(self, category: ProductCategory, expected_version: int) -> ProductCategory:
        """Rename (the path stays): a conditional update that leaves the member count alone."""
        names = {"#n": "name"}
        values: dict[str, Any] = {
            ":name": category.name,
            ":next": category.version,
            ":v": expected_version,
        }
        expression = "SET #n = :name, version = :next"
        if category.name_en is None:
            expression += " REMOVE name_en"
        else:
            expression += ", name_en = :en"
            values[":en"] = category.name_en
        saved = self.table.update(
            keys.product_category_key(category.id), expression, "version = :v", names, values
        )
        if saved is None:
            raise Conflict(
                "the category changed since you read it; read it again", code="version_conflict"
            )
        return ProductCategory.model_validate(saved)

    def delete_category(self, category: ProductCategory) -> None:
        operations: list[dict[str, Any]] = [
            {
                "Delete": {
                    "Key": keys.product_category_key(category.id),
                    "ConditionExpression": "attribute_exists(PK) AND members = :zero",
                    "ExpressionAttributeValues": {":zero": 0},
                }
            },
            {
                "ConditionCheck": {
                    "Key": keys.catalog_move_key(),
                    "ConditionExpression": (
                        "attribute_not_exists(PK) OR (category_id <> :id AND parent_id <> :id)"
                    ),
                    "ExpressionAttributeValues": {":id": category.id},
                }
            },
        ]
        if category.parent_id:
            operations.append(_count(category.parent_id, -1))
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            reasons = [*exc.reasons, None, None]
            if _failed(reasons[0]):
                if reasons[0].item is None:
                    raise NotFound(f"no product category {category.id!r}") from exc
                raise Conflict(
                    "the category still has subcategories or products; move or delete them first",
                    details={"members": reasons[0].item.get("members")},
                    code="category_not_empty",
                ) from exc
            if _failed(reasons[1]):
                raise self._pending(reasons[1].item or {}) from exc
            raise Conflict("the catalog is busy; try again", code="busy") from exc

    # ---- moving a subtree ----------------------------------------------------------------

    def move_category(
        self, current: ProductCategory, moved: ProductCategory, expected_version: int
    ) -> ProductCategory:
        """Put `current` (as read) where `moved` says, rewriting the paths under it.

        Resumable: until the last write the moved category still sits at its old path,
        and every write before it is "if still at the old key", so running the same move
        again finds only what is left under the old path and finishes.
        """
        self._take_move(current, moved, expected_version)
        members = 0
        for _round in range(_MOVE_ROUNDS):
            # read the count before the subtree: anything added after this makes the
            # final write fail, rather than be left behind under the old path
            members = int(
                (self.table.get(keys.product_category_key(current.id)) or {}).get("members", 0)
            )
            pending = move_order(self.subtree(current), current.id)
            written = 0
            for start in range(0, len(pending), MOVE_CHUNK):
                chunk = pending[start : start + MOVE_CHUNK]
                written += self._rewrite(chunk, current.path, moved.path)
            if not written:
                break
        else:
            raise Conflict(
                "the subtree kept changing during the move; run the move again",
                code="move_interrupted",
            )
        self._finish_move(current, moved, expected_version, members)
        return moved

    def _take_move(
        self, current: ProductCategory, moved: ProductCategory, expected_version: int
    ) -> None:
        """Claim the one move slot for this move (or take over this same move, cut short)."""
        try:
            self.table.transact(
                [
                    {
                        "Put": {
                            "Item": {
                                **keys.catalog_move_key(),
                                "entity": "catalog_move",
                                "category_id": current.id,
                                "parent_id": moved.parent_id or "",
                                "from_path": current.path,
                                "to_path": moved.path,
                            },
                            "ConditionExpression": (
                                "attribute_not_exists(PK)"
                                " OR (category_id = :id AND parent_id = :parent)"
                            ),
                            "ExpressionAttributeValues": {
                                ":id": current.id,
                                ":parent": moved.parent_id or "",
                            },
                        }
                    },
                    {
                        "ConditionCheck": {
                            "Key": keys.product_category_key(current.id),
                            "ConditionExpression": "catalog_sk = :at AND version = :v",
                            "ExpressionAttributeValues": {
                                ":at": keys.category_sk(current.path),
                                ":v": expected_version,
                            },
                        }
                    },
                ]
            )
        except TransactionCanceled as exc:
            reasons = [*exc.reasons, None, None]
            if _failed(reasons[0]):
                raise self._pending(reasons[0].item or {}) from exc
            if _failed(reasons[1]):
                raise self._stale(reasons[1]) from exc
            raise Conflict("the catalog is busy; try again", code="busy") from exc

    def _rewrite(
        self, chunk: list[ProductCategory | Product], old_root: list[str], new_root: list[str]
    ) -> int:
        """Move one chunk to its new paths; how many items this call actually moved."""
        writes: list[tuple[dict[str, Any], str]] = []
        for item in chunk:
            if isinstance(item, Product):
                path_attr, path = "category_path", item.category_path
                key, old = keys.product_key(item.id), keys.product_sk(path, item.id)
                new_path = rebase(path, old_root, new_root)
                new = keys.product_sk(new_path, item.id)
            else:
                path_attr, path = "path", item.path
                key, old = keys.product_category_key(item.id), keys.category_sk(path)
                new_path = rebase(path, old_root, new_root)
                new = keys.category_sk(new_path)
            update = {
                "Key": key,
                "UpdateExpression": (
                    "SET catalog_sk = :new, #path = :path, version = version + :one"
                ),
                "ConditionExpression": "catalog_sk = :old",
                "ExpressionAttributeNames": {"#path": path_attr},
                "ExpressionAttributeValues": {
                    ":new": new,
                    ":path": new_path,
                    ":old": old,
                    ":one": 1,
                },
            }
            writes.append(({"Update": update}, new))
        for _attempt in range(_ATTEMPTS):
            if not writes:
                return 0
            try:
                self.table.transact([operation for operation, _new in writes])
            except TransactionCanceled as exc:
                left = []
                for (operation, new), reason in zip(writes, exc.reasons, strict=False):
                    if not _failed(reason):
                        left.append((operation, new))
                    elif reason.item is not None and reason.item.get("catalog_sk") != new:
                        raise Conflict(
                            "something in the subtree changed during the move; run it again",
                            code="move_interrupted",
                        ) from exc
                    # else: deleted meanwhile, or already moved (the index read lagged)
                writes = left
                continue
            return len(writes)
        raise Conflict("the catalog is busy; run the move again", code="busy")

    def _finish_move(
        self, current: ProductCategory, moved: ProductCategory, expected_version: int, members: int
    ) -> None:
        sets = ["catalog_sk = :new", "#path = :path", "#n = :name", "version = :next"]
        removes = []
        values: dict[str, Any] = {
            ":new": keys.category_sk(moved.path),
            ":path": moved.path,
            ":name": moved.name,
            ":next": moved.version,
            ":old": keys.category_sk(current.path),
            ":v": expected_version,
            ":members": members,
        }
        for attr, value in (("parent_id", moved.parent_id), ("name_en", moved.name_en)):
            if value is None:
                removes.append(attr)
            else:
                sets.append(f"{attr} = :{attr}")
                values[f":{attr}"] = value
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        operations: list[dict[str, Any]] = [
            {
                "Update": {
                    "Key": keys.product_category_key(current.id),
                    "UpdateExpression": expression,
                    "ConditionExpression": (
                        "catalog_sk = :old AND version = :v AND members = :members"
                    ),
                    "ExpressionAttributeNames": {"#path": "path", "#n": "name"},
                    "ExpressionAttributeValues": values,
                }
            },
            {"Delete": {"Key": keys.catalog_move_key()}},
        ]
        if current.parent_id:
            operations.append(_count(current.parent_id, -1))
        if moved.parent_id:
            operations.append(_count(moved.parent_id, 1, keys.category_sk(moved.path[:-1])))
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            reasons = [*exc.reasons, None, None, None, None]
            if _failed(reasons[0]):
                item = reasons[0].item or {}
                if (
                    item.get("version") == expected_version
                    and item.get("catalog_sk") == values[":old"]
                ):
                    raise Conflict(
                        "something was added to the category during the move; run it again",
                        code="move_interrupted",
                    ) from exc
                raise self._stale(reasons[0]) from exc
            for reason in reasons[2:]:
                if _failed(reason):
                    raise _category_changed(reason, moved.parent_id or "") from exc
            raise Conflict("the catalog is busy; run the move again", code="busy") from exc

    @staticmethod
    def _pending(move: dict[str, Any]) -> Conflict:
        return Conflict(
            f"category {move.get('category_id')!r} is being moved (or its move was cut short);"
            " run that move again to finish it first",
            details={"category_id": move.get("category_id"), "parent_id": move.get("parent_id")},
            code="move_pending",
        )

    @staticmethod
    def _stale(reason: CancelReason) -> Exception:
        if reason.item is None:
            return NotFound("no such product category")
        return Conflict(
            "the category changed since you read it; read it again", code="version_conflict"
        )

    # ---- products ------------------------------------------------------------------------

    def create_product(self, product: Product) -> Product:
        try:
            self.table.transact(
                [
                    {
                        "Put": {
                            "Item": product_item(product),
                            "ConditionExpression": "attribute_not_exists(PK)",
                        }
                    },
                    _count(product.category_id, 1, keys.category_sk(product.category_path)),
                ]
            )
        except TransactionCanceled as exc:
            reasons = [*exc.reasons, None, None]
            if _failed(reasons[0]):
                raise Conflict(
                    f"a product {product.id!r} already exists", code="product_exists"
                ) from exc
            if _failed(reasons[1]):
                raise _category_changed(reasons[1], product.category_id) from exc
            raise Conflict("the catalog is busy; try again", code="busy") from exc
        return product

    def save_product(self, product: Product, previous: Product, expected_version: int) -> Product:
        """Replace the product if it is still the version read and still at the path read;
        a change of category moves its member count along in the same transaction."""
        operations: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": product_item(product),
                    "ConditionExpression": "version = :v AND catalog_sk = :at",
                    "ExpressionAttributeValues": {
                        ":v": expected_version,
                        ":at": keys.product_sk(previous.category_path, previous.id),
                    },
                }
            }
        ]
        category_at = keys.category_sk(product.category_path)
        if product.category_id == previous.category_id:
            operations.append(_at(product.category_id, category_at))
        else:
            operations.append(_count(product.category_id, 1, category_at))
            operations.append(_count(previous.category_id, -1))
        try:
            self.table.transact(operations)
        except TransactionCanceled as exc:
            reasons = [*exc.reasons, None, None, None]
            if _failed(reasons[0]):
                if reasons[0].item is None:
                    raise NotFound(f"no product {product.id!r}") from exc
                raise Conflict(
                    "the product changed since you read it; read it again",
                    code="version_conflict",
                ) from exc
            if _failed(reasons[1]):
                raise _category_changed(reasons[1], product.category_id) from exc
            raise Conflict("the catalog is busy; try again", code="busy") from exc
        return product

    def delete_product(self, product: Product) -> None:
        try:
            self.table.transact(
                [
                    {
                        "Delete": {
                            "Key": keys.product_key(product.id),
                            "ConditionExpression": "attribute_exists(PK) AND category_id = :c",
                            "ExpressionAttributeValues": {":c": product.category_id},
                        }
                    },
                    _count(product.category_id, -1),
                ]
            )
        except TransactionCanceled as exc:
            reason = exc.reasons[0] if exc.reasons else None
            if _failed(reason) and reason.item is None:
                raise NotFound(f"no product {product.id!r}") from exc
            raise Conflict(
                "the product changed since you read it; try again", code="version_conflict"
            ) from exc
