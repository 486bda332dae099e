"""Presence on a case (domain/presence.py): who else is there within the TTL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.presence import TTL, Present, expires_at, present

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


def mark(username, mode="viewing", ago=0):
    return Present(username=username, mode=mode, at=NOW - timedelta(seconds=ago))


def test_others_within_the_ttl_replying_first():
    marks = [mark("mehmet"), mark("elif", ago=10), mark("ayse", "replying", ago=30),
             mark("can", ago=int(TTL.total_seconds()))]  # fmt: skip
    assert [(m.username, m.mode) for m in present(marks, "mehmet", NOW)] == [
        ("ayse", "replying"), ("elif", "viewing")]  # fmt: skip


def test_a_mark_expires_after_it_stopped_counting():
    assert expires_at(NOW) > (NOW + TTL).timestamp()
