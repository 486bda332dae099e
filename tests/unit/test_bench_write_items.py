"""bench/write_items.py: an item's kind from its key, and the per-life table."""

from __future__ import annotations

from collections import Counter

from bench.write_items import ItemMeter, kind_of, report


def key(pk: str, sk: str) -> dict:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def test_a_kind_is_the_key_without_its_ids():
    assert kind_of(key("CASE#c01M8Y5", "#CASE")) == "CASE#/#"
    assert kind_of(key("CASE#c01M8Y5", "N#n01M8Y")) == "CASE#/N#"
    assert kind_of(key("CASE#c01M8Y5", "~EV#00000003#01")) == "CASE#/~EV#"
    assert kind_of(key("SEARCH", "#POINTER")) == "SEARCH/#"
    assert kind_of(key("COUNTER", "CASE#2026")) == "COUNTER/CASE#"
    assert kind_of(key("ROUTEX#2026-12", "c01M8Y6B66")) == "ROUTEX#/*"


def test_the_table_is_per_life_most_units_first():
    meter = ItemMeter.__new__(ItemMeter)  # no stack: the counters alone
    notice = ("deliver_notices", "PutItem", "CASE#/N#", "services/notifier.py:_finish")
    claim = ("deliver_notices", "UpdateItem", "CASE#/N#", "services/notifier.py:deliver")
    meter.units = Counter({claim: 10, notice: 20})
    meter.items = Counter({claim: 10, notice: 10})
    meter.sizes = {claim: [441, 501], notice: [476, 476]}
    meter.index = Counter({("deliver_notices", "CASE#/N#", "outbox"): 10})
    lines = report(meter, lives=5)
    assert lines[2] == ("| deliver_notices | PutItem | CASE#/N# | services/notifier.py:_finish "
                        "| 2.0 | 4.0 | 476 |")  # fmt: skip
    assert lines[3].endswith("| 2.0 | 2.0 | 441-501 |")
    assert lines[-1] == "| deliver_notices | CASE#/N# | outbox | 2.0 |"


def test_the_reply_and_description_are_cut_to_the_bytes_asked():
    from bench.case_life import SHORT_REPLY, description_text, reply_text

    assert reply_text(0) == SHORT_REPLY
    for size in (1500, 1501, 400):  # Turkish letters are two bytes: never cut inside one
        assert size - 2 <= len(reply_text(size).encode()) <= size
        assert size - 2 <= len(description_text(size).encode()) <= size
