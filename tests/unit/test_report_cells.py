"""Issue 21: the report projection writes 10 cells an event (the pairs, customer_category,
topic) and folds `all` and a pair's single dimensions when read; a write of the case's
report state alone is one conditional PutItem, not a transaction (billed twice)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from chalicelib.domain.report_projection import Increments, ReportState, cells, fold, source
from chalicelib.store.reports import DynamoReportStore

from .test_report_projection import T0


def test_a_case_counts_in_the_pairs_and_the_dimensions_no_pair_holds():
    written = dict(cells({"group": "urun", "agent": "ayse", "topic": "r-kargo"}))
    assert len(written) == 10 and "all" not in written and "group" not in written
    assert written["group+agent"] == "urun|ayse" and written["topic"] == "r-kargo"
    assert written["customer_category"] == "~"


def test_each_slice_is_read_from_one_stored_slice():
    assert source("all") == ("customer_category", None)
    assert source("group") == ("group+agent", 0) and source("agent") == ("group+agent", 1)
    assert source("type") == ("channel+type", 1) and source("product") == (
        "product_group+product", 1)  # fmt: skip
    assert source("topic") == ("topic", None) and source("group+agent") == ("group+agent", None)
    with pytest.raises(ValueError):
        source("agent+topic")


def test_folding_sums_every_counter_of_the_cells_a_value_gathers_per_day():
    items = [
        {"PK": "RPT#1#group+agent#2026-03", "SK": "2026-03-02#urun|ayse", "day": "2026-03-02",
         "cell": "urun|ayse", "opened": 2, "frt_sum": 30},
        {"PK": "RPT#1#group+agent#2026-03", "SK": "2026-03-02#urun|~", "day": "2026-03-02",
         "cell": "urun|~", "opened": 1, "active": -1},
        {"PK": "RPT#1#group+agent#2026-03", "SK": "2026-03-02#iade|ayse", "day": "2026-03-02",
         "cell": "iade|ayse", "opened": 4},
        {"PK": "RPT#1#group+agent#2026-03", "SK": "2026-03-03#urun|ayse", "day": "2026-03-03",
         "cell": "urun|ayse", "resolved": 1},
    ]  # fmt: skip
    assert fold("group", items) == [
        {"cell": "iade", "day": "2026-03-02", "opened": 4},
        {"cell": "urun", "day": "2026-03-02", "opened": 3, "frt_sum": 30, "active": -1},
        {"cell": "urun", "day": "2026-03-03", "resolved": 1},
    ]
    assert fold("agent", items)[0] == {"cell": "ayse", "day": "2026-03-02", "opened": 6,
                                       "frt_sum": 30}  # fmt: skip
    levels = [{"PK": "RPT#1#customer_category#LEVEL", "SK": c, "cell": c, "active": n,
               "age": 10 * n} for c, n in (("vip", 2), ("~", 5))]  # fmt: skip
    assert fold("all", levels) == [{"cell": "all", "active": 7, "age": 70}]
    assert fold("topic", items) is items  # a stored slice as it is


class Recorder:
    """The store's table: what was put and what was transacted."""

    def __init__(self, refuse: bool = False) -> None:
        self.puts: list[dict] = []
        self.transactions: list[list[dict]] = []
        self.refuse = refuse
        self.client = SimpleNamespace(exceptions=SimpleNamespace(
            ConditionalCheckFailedException=LookupError))  # fmt: skip

    def put(self, item, condition=None, values=None, names=None) -> None:
        if self.refuse:
            raise LookupError
        self.puts.append({"item": item, "condition": condition, "values": values,
                          "names": names})  # fmt: skip

    def transact(self, operations) -> None:
        self.transactions.append(operations)


def test_the_state_alone_is_one_conditional_put_and_counters_ride_a_transaction():
    state = ReportState(case_id="c1", opened_at=T0, values={}, revision=4, cursor="00000003#00")
    table = Recorder()
    store = DynamoReportStore(table)  # type: ignore[arg-type]
    assert store.write(1, state, 3, Increments(), []) is True
    assert table.transactions == [] and len(table.puts) == 1
    put = table.puts[0]
    assert put["item"]["PK"] == "RPTCASE#1#c1" and put["item"]["revision"] == 4
    assert put["condition"] == "#rev = :rev" and put["values"] == {":rev": 3}
    assert store.write(1, state, 0, Increments(), []) is True
    assert table.puts[1]["condition"] == "attribute_not_exists(PK)"
    counted = Increments(days={("2026-03-02", "topic", "~"): {"opened": 1}})
    assert store.write(1, state, 3, counted, []) is True
    assert len(table.transactions) == 1 and len(table.transactions[0]) == 2
    assert DynamoReportStore(Recorder(refuse=True)).write(1, state, 3, Increments(), []) is False  # type: ignore[arg-type]
