"""Public routes: a client's calls per minute are counted in the table, shared by every
Lambda instance, and the one over the limit gets a 429 with Retry-After."""

from __future__ import annotations

import time

from chalicelib.store import keys
from chalicelib.store.rate_limits import WINDOW_SECONDS, DynamoRateLimiter


def fresh_window() -> int:
    """The current minute, with enough of it left for a test to finish inside it."""
    if WINDOW_SECONDS - time.time() % WINDOW_SECONDS < 3:
        time.sleep(3)
    return int(time.time() // WINDOW_SECONDS)


def test_the_limiter_admits_up_to_the_limit_then_says_how_long_to_wait(aws_env):
    from chalicelib import wiring

    limiter = DynamoRateLimiter(wiring.table())
    now = 1_900_000_000.0
    assert [limiter.admit("scope-a", "10.0.0.1", 3, now) for _ in range(3)] == [None] * 3
    wait = limiter.admit("scope-a", "10.0.0.1", 3, now + 5)
    assert wait == WINDOW_SECONDS - (int(now + 5) % WINDOW_SECONDS)
    assert limiter.admit("scope-a", "10.0.0.2", 3, now) is None  # another client
    assert limiter.admit("scope-b", "10.0.0.1", 3, now) is None  # another route
    assert limiter.admit("scope-a", "10.0.0.1", 3, now + WINDOW_SECONDS) is None  # next minute


def test_a_public_route_over_its_limit_answers_429_and_runs_nothing(api, aws_env, source_ip):
    from chalicelib import wiring

    table = wiring.table()
    key = keys.rate_key("health", source_ip, fresh_window())
    table.put({**key, "hits": 120, "expires_at": 0})
    try:
        answer = api.call("GET", "/health")
        raw = api.client.http.get("/health")
    finally:
        table.delete(key)
    assert answer.status == 429 and answer.body["error"]["code"] == "rate_limited"
    assert 1 <= int(raw.headers["Retry-After"]) <= WINDOW_SECONDS
    assert api.get("/health").status == 200
