"""bench/loader.py writes the store's own items, serialised exactly as the store would."""

from __future__ import annotations

from typing import Any

import pytest

from bench.loader import Loader, wire, wire_item
from chalicelib.store.dynamo import Table


class _Capture(Table):
    """A table that answers no reads (the loader reads its counters) and keeps no writes."""

    def get(self, key: dict[str, str]) -> dict[str, Any] | None:
        return None


def _items(cases: int) -> list[dict[str, Any]]:
    loader = Loader(_Capture("bench"), "us-east-1")
    captured: list[dict[str, Any]] = []
    loader._write = lambda items: captured.extend(items) or len(items)  # type: ignore[method-assign]
    loader.grow_to(cases)
    return captured


def test_loaded_items_go_over_as_the_store_sends_them() -> None:
    table = Table("bench")
    items = _items(60)
    kinds = {item.get("entity") for item in items}
    assert {"case", "history", "notice", "customer", "unique"} <= kinds
    for item in items:
        assert wire_item(item) == table.ser(item)


@pytest.mark.parametrize(
    "value",
    [0, -7, 480.0, 0.75, 1e-5, 123456789.125, True, False, None, "", "ğüşiöç", [], {},
     [1, "a", None, {"x": [2.5]}], {"nested": {"deeper": [True, None, 3]}}],
)  # fmt: skip
def test_each_json_value_as_boto3_serialises_it(value) -> None:
    table = Table("bench")
    if value is None:
        assert wire(value) == {"NULL": True}  # inside a map or list
        assert "v" not in table.ser({"v": None})  # at the top, left out (wire_item too)
    else:
        assert wire(value) == table.ser({"v": value})["v"]


def test_the_mix_of_statuses_is_the_documented_one() -> None:
    cases = [i for i in _items(400) if i.get("entity") == "case"]
    closed = sum(1 for c in cases if c["status"] == "closed") / len(cases)
    assert 0.6 < closed < 0.8  # 70 % closed
    assert len({c["number"] for c in cases}) == len(cases)  # numbered once each
