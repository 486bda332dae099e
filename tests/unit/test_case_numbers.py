"""Case numbers from blocks reserved per process: unique under threads, consecutive when quiet."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from chalicelib.store.case_numbers import BURST_SECONDS, MAX_BLOCK, CaseNumbers


class _Counter:
    """The year's counter item as DynamoDB's atomic ADD keeps it, counting the writes."""

    def __init__(self) -> None:
        self.seq: dict[str, int] = {}
        self.writes = 0
        self.lock = threading.Lock()

    def update_item(self, TableName, Key, UpdateExpression, ExpressionAttributeValues,
                    ReturnValues):  # fmt: skip
        assert UpdateExpression == "ADD seq :size" and ReturnValues == "UPDATED_NEW"
        with self.lock:
            self.writes += 1
            self.seq[Key["SK"]] = self.seq.get(Key["SK"], 0) + ExpressionAttributeValues[":size"]
            return {"Attributes": {"seq": self.seq[Key["SK"]]}}


class _Table:
    def __init__(self, name: str = "t") -> None:
        self.name = name
        self.client = _Counter()

    @staticmethod
    def ser(value):
        return value

    @staticmethod
    def de(value):
        return value


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_quiet_process_takes_consecutive_numbers_one_write_each():
    table, clock = _Table(), _Clock()
    numbers = CaseNumbers(clock)
    taken = []
    for _ in range(3):
        taken.append(numbers.take(table, 2026))
        clock.now += BURST_SECONDS + 1
    assert taken == [1, 2, 3] and table.client.writes == 3


def test_a_burst_doubles_the_block_up_to_its_cap_and_a_quiet_spell_shrinks_it():
    table, clock = _Table(), _Clock()
    numbers = CaseNumbers(clock)
    taken = [numbers.take(table, 2026) for _ in range(500)]
    assert taken == list(range(1, 501))
    # blocks of 1, 2, 4, ..., 64, then 64 each: far fewer writes than cases
    assert table.client.writes == 7 + -(-(500 - 127) // MAX_BLOCK)
    clock.now += BURST_SECONDS + 1
    before = table.client.seq["CASE#2026"]
    numbers.take(table, 2026)
    numbers.take(table, 2026)  # numbers left from the last block are used first
    clock.now += BURST_SECONDS + 1
    while numbers.take(table, 2026) <= before:
        pass
    assert table.client.seq["CASE#2026"] == before + 1  # quiet again: a block of one


def test_two_processes_never_share_a_number_and_gaps_are_only_what_a_process_kept():
    table, clock = _Table(), _Clock()
    first, second = CaseNumbers(clock), CaseNumbers(clock)
    taken = [numbers.take(table, 2026) for _ in range(20) for numbers in (first, second)]
    assert len(set(taken)) == len(taken)
    assert max(taken) <= table.client.seq["CASE#2026"]


def test_a_number_given_back_is_the_next_one_taken():
    table, clock = _Table(), _Clock()
    numbers = CaseNumbers(clock)
    sequence = numbers.take(table, 2026)
    numbers.give_back(table, 2026, sequence)
    assert numbers.take(table, 2026) == sequence
    assert table.client.writes == 1


def test_years_and_tables_count_apart():
    clock = _Clock()
    numbers = CaseNumbers(clock)
    one, other = _Table("one"), _Table("other")
    assert numbers.take(one, 2026) == 1
    assert numbers.take(one, 2027) == 1
    assert numbers.take(other, 2026) == 1


def test_fifty_threads_get_fifty_different_numbers():
    table = _Table()
    numbers = CaseNumbers()
    start = threading.Barrier(50, timeout=30)

    def take(_):
        start.wait()
        return numbers.take(table, 2026)

    with ThreadPoolExecutor(50) as pool:
        taken = list(pool.map(take, range(50)))
    assert sorted(taken) == list(range(1, 51))
