"""`python -m bench.write_items`: where a case life's write units go, item by item.

Runs `bench.case_life`'s lives (BENCH_LIVES after a warm one) with its meter, and charges
each written item's units (bench/units.py: the table's, doubled in a transaction, and each
index's) to a row: the function that wrote it, the call (a `!` marks a refused conditional
write, billed all the same), the item's kind (its key with the ids cut off: `CASE#/N#` is
a notice, `CASE#/~EV#` an event) and the app's code that asked for it (the first frame in
chalicelib/ outside store/). Prints per life: items, units, the items' sizes in bytes
(the larger of before and after, as billed), and each index's units by kind.

`--reply-bytes N` makes the agent's reply N bytes of Turkish text (bench.case_life
`reply_text`; the short default otherwise), `--description-bytes N` the case's description;
`--dump-case` also prints the case item (`CASE#/#CASE`) as each function and call last wrote
it, with its size: what a cut of the case item is measured on.

What docs/performance.md ("Where a case life's writes go") was measured with.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import traceback
from collections import Counter, defaultdict
from typing import Any

from bench import case_life
from bench.units import WRITES, index_units, item_size, write_units


def kind_of(key: dict[str, Any]) -> str:
    """An item's kind from its key: the partition's prefix and the sort key's, ids cut off
    (`CASE#c01…`, `N#n01…` -> `CASE#/N#`; an event `~EV#`; a sort key without `#` is an
    id or a name, `*`: `ROUTEX#/*`; a partition without `#` is kept whole: `SEARCH`)."""
    pk, sk = key["PK"]["S"], key["SK"]["S"]
    cut = lambda value: re.sub(r"#.*", "#", value)  # noqa: E731
    if sk.startswith("~"):
        return f"{cut(pk)}/{sk[:4]}"
    return f"{cut(pk)}/{cut(sk) if '#' in sk else '*'}"


def _caller() -> str:
    for frame in reversed(traceback.extract_stack()):
        if "/chalicelib/" in frame.filename and "/store/" not in frame.filename:
            return f"{frame.filename.split('/chalicelib/')[1]}:{frame.name}"
    return "?"


class ItemMeter(case_life.Meter):
    """The case-life meter, also charging each written item to its row."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: (function, call, kind, caller) -> units, items, sizes
        self.units: Counter[tuple[str, str, str, str]] = Counter()
        self.items: Counter[tuple[str, str, str, str]] = Counter()
        self.sizes: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
        #: (function, kind, index) -> units
        self.index: Counter[tuple[str, str, str]] = Counter()
        self._asked = "?"
        #: (function, caller) -> the case item (DynamoDB JSON) as that write left it
        self.case_items: dict[tuple[str, str], dict[str, Any]] = {}

    def _before(self, model: Any, params: dict, **kwargs: Any) -> None:
        super()._before(model, params, **kwargs)
        if self.on and model.name in WRITES:
            self._asked = _caller()

    def _after(self, model: Any, parsed: dict, **kwargs: Any) -> None:
        if self.on and model.name in WRITES:
            refused = "Error" in parsed
            for key, before, transactional in self._pending:
                after = before if refused else self._item(key)
                kind = kind_of(key)
                row = (self.current, model.name + ("!" if refused else ""), kind, self._asked)
                moved = {i.name: index_units(before, after, i, self.table_keys)
                         for i in (self.indexes if not refused else ())}  # fmt: skip
                self.units[row] += write_units(before, after, transactional) + sum(moved.values())
                self.items[row] += 1
                self.sizes[row].append(max(item_size(before), item_size(after)))
                for name, units in moved.items():
                    self.index[(self.current, kind, name)] += units
                if kind == "CASE#/#" and after is not None:
                    self.case_items[(self.current, self._asked)] = after
        super()._after(model, parsed, **kwargs)


def report(meter: ItemMeter, lives: int) -> list[str]:
    """The rows as a Markdown table per life, by function, most units first; then the
    index units by function, kind and index."""
    out = ["| function | call | item | asked by | items | units | bytes |",
           "|---|---|---|---|---:|---:|---:|"]  # fmt: skip
    for row, units in sorted(meter.units.items(), key=lambda r: (r[0][0], -r[1])):
        sizes = meter.sizes[row]
        span = f"{min(sizes)}" if min(sizes) == max(sizes) else f"{min(sizes)}-{max(sizes)}"
        out.append(f"| {' | '.join(row)} | {meter.items[row] / lives:.1f} "
                   f"| {units / lives:.1f} | {span} |")  # fmt: skip
    out += ["", "| function | item | index | units |", "|---|---|---|---:|"]
    for (function, kind, name), units in meter.index.most_common():
        if units:
            out.append(f"| {function} | {kind} | {name} | {units / lives:.1f} |")
    return out


def case_dumps(meter: ItemMeter) -> list[str]:
    """Each case item the life wrote last per function and call, with its billed size."""
    out = []
    for (function, asked), item in meter.case_items.items():
        out += ["", f"case item after {function} {asked}: {item_size(item)} bytes",
                json.dumps(item, ensure_ascii=False, sort_keys=True)]  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reply-bytes", type=int, default=case_life.REPLY_BYTES,
                        help="the agent's reply in UTF-8 bytes (0: the short one)")  # fmt: skip
    parser.add_argument("--description-bytes", type=int, default=case_life.DESCRIPTION_BYTES,
                        help="the description in UTF-8 bytes (0: the short one)")  # fmt: skip
    parser.add_argument("--dump-case", action="store_true", help="print the case items")
    args = parser.parse_args(argv)
    # measure() reads them when it files the case and sends the reply
    case_life.REPLY_BYTES, case_life.DESCRIPTION_BYTES = args.reply_bytes, args.description_bytes
    meters: list[ItemMeter] = []

    class Kept(ItemMeter):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            meters.append(self)

    case_life.Meter = Kept  # measure() builds its meter by this name
    life = case_life.measure()
    print("\n".join(case_life.lines(life)))
    print("\n".join(["", *report(meters[-1], life.lives)]))
    if args.dump_case:
        print("\n".join(case_dumps(meters[-1])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
