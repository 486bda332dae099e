"""devstack's journal in segments, and the snapshot header's checks (no server needed)."""

from __future__ import annotations

import json

import pytest

from devstack import snapshot
from devstack.journal import Journal


def test_a_one_file_journal_is_adopted_as_the_first_segment(tmp_path):
    (tmp_path / "journal.jsonl").write_bytes(b'{"n": 1}\n{"n": 2}\n{"n": 3, "cut')
    journal = Journal(tmp_path / "journal.jsonl")
    assert journal.read() == [{"n": 1}, {"n": 2}]  # the torn last line is cut off
    assert not (tmp_path / "journal.jsonl").exists()
    assert (tmp_path / "journal.000001.jsonl").read_bytes() == b'{"n": 1}\n{"n": 2}\n'
    journal.open()
    journal.append({"n": 3})
    journal.close()
    assert [n for n, _ in journal.segments()] == [1]  # appends go on in the same segment


def test_rotation_starts_a_segment_and_drop_deletes_only_covered_ones(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    journal.read()
    journal.open()
    journal.append({"n": 1})
    assert journal.appended == 1
    assert journal.rotate() == 1 and journal.appended == 0
    journal.append({"n": 2})
    assert journal.drop(1) == 1
    assert [n for n, _ in journal.segments()] == [2]
    assert journal.drop(5) == 0  # never the segment being appended to
    journal.close()
    again = Journal(tmp_path / "journal.jsonl")
    assert again.read(after=1) == [{"n": 2}]


def test_a_start_after_a_snapshot_appends_to_a_new_segment_not_a_covered_one(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    journal.read()
    journal.open()
    journal.append({"n": 1})
    journal.close()  # a snapshot covers segment 1, which a crash left undeleted
    after = Journal(tmp_path / "journal.jsonl")
    assert after.read(after=1) == []
    after.open()
    after.append({"n": 2})
    after.close()
    assert Journal(tmp_path / "journal.jsonl").read(after=1) == [{"n": 2}]


def test_a_snapshot_of_another_moto_release_is_refused_with_what_to_do(tmp_path):
    header = {"format": snapshot.FORMAT, "moto": "5.1.0", "segment": 3, "written_at": 0,
              "items": 10}  # fmt: skip
    (tmp_path / snapshot.NAME).write_bytes(json.dumps(header).encode() + b"\nnot a pickle")
    with pytest.raises(snapshot.SnapshotError, match="moto 5.1.0.*make reset"):
        snapshot.load(tmp_path)
    assert snapshot.header(tmp_path).segment == 3


def test_no_snapshot_is_no_snapshot(tmp_path):
    assert snapshot.load(tmp_path) is None and snapshot.header(tmp_path) is None
