"""The queue registry's own rules, and the settings that read it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from chalicelib.config import Settings
from chalicelib.messaging.queue_registry import BY_NAME, QUEUES, QueueSpec, variables

ROOT = Path(__file__).resolve().parents[2]


def test_names_stems_variables_and_handlers_are_unique() -> None:
    for attribute in ("name", "stem", "variable", "handler", "queue"):
        values = [getattr(spec, attribute) for spec in QUEUES]
        assert len(values) == len(set(values)), attribute


def _function_timeouts() -> dict[str, int]:
    """Each handler's timeout in the longest stage of .chalice/config.json: the stage's
    `lambda_timeout`, or the function's own (`lambda_functions`; the search writer's 120 s)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    found: dict[str, int] = {}
    for stage in config["stages"].values():
        own = stage.get("lambda_functions", {})
        for spec in QUEUES:
            timeout = own.get(spec.handler, {}).get("lambda_timeout", stage["lambda_timeout"])
            found[spec.handler] = max(found.get(spec.handler, 0), timeout)
    return found


def _broken_rules(spec: QueueSpec, timeouts: dict[str, int]) -> list[str]:
    """What Lambda or AWS's guidance refuses in a registry entry: a batch over 10 on a
    standard queue needs a batching window of at least 1 s (at most 10,000 records; the
    window at most 300 s), and the visibility timeout must be at least six times the
    function's timeout plus the window, or a batch still gathering or running comes back to
    another poller."""
    broken = []
    if not 1 <= spec.batch_size <= 10_000:
        broken.append("batch size")
    if not 0 <= spec.batching_window <= 300:
        broken.append("window")
    if spec.batch_size > 10 and spec.batching_window < 1:
        broken.append("a batch over 10 without a window")
    if spec.visibility_timeout < 6 * timeouts[spec.handler] + spec.batching_window:
        broken.append("visibility under 6 x timeout + window")
    if spec.max_receives is not None and spec.max_receives < 1:
        broken.append("max receives")
    if spec.max_concurrency is not None and not 2 <= spec.max_concurrency <= 1000:
        broken.append("max concurrency")
    return broken


def test_batches_windows_and_visibility_are_what_lambda_accepts() -> None:
    timeouts = _function_timeouts()
    for spec in QUEUES:
        assert _broken_rules(spec, timeouts) == [], spec.name


def test_the_rules_catch_an_entry_that_breaks_them() -> None:
    """The search writer's own 120 s counts, not the stage's 30 s."""
    timeouts = _function_timeouts()
    search = BY_NAME["search"]
    assert timeouts[search.handler] == 120
    assert _broken_rules(replace(search, visibility_timeout=720), timeouts) == [
        "visibility under 6 x timeout + window"
    ]
    assert _broken_rules(replace(search, batching_window=0), timeouts) == [
        "a batch over 10 without a window"
    ]
    assert _broken_rules(replace(BY_NAME["routing"], batch_size=11), timeouts) == [
        "a batch over 10 without a window"
    ]
    assert _broken_rules(replace(search, batching_window=301, visibility_timeout=1021),
                         timeouts) == ["window"]  # fmt: skip
    assert _broken_rules(replace(BY_NAME["reports"], max_concurrency=1), timeouts) == [
        "max concurrency"  # Lambda's least for an SQS event source is 2
    ]


def test_the_window_reaches_the_handlers_decorator() -> None:
    """`source` is what app.py hands `@app.on_sqs_message`: chalice writes its window into
    the event source mapping (MaximumBatchingWindowInSeconds), and its maximum concurrency
    (ScalingConfig.MaximumConcurrency)."""
    for spec in QUEUES:
        assert spec.source == {
            "queue": f"destek-{spec.name}",
            "batch_size": spec.batch_size,
            "maximum_batching_window_in_seconds": spec.batching_window,
            "maximum_concurrency": spec.max_concurrency,
        }


def test_the_reports_function_runs_two_batches_at_once_at_most() -> None:
    """Concurrent batches' transactions on today's shared counter cells cancel each other
    (docs/performance.md): the reports queue's event source holds Lambda to its least, 2;
    the other queues scale as Lambda does (the search writer is held to one by its reserved
    concurrency, .chalice/config.json)."""
    assert BY_NAME["reports"].max_concurrency == 2
    assert {s.name for s in QUEUES if s.max_concurrency is not None} == {"reports"}


def test_windows_only_where_nobody_waits() -> None:
    """Customers, agents and shops wait on these queues: no window (docs/performance.md);
    the search index gathers at most 10 s (docs/search.md: fresh within about 10 s)."""
    for name in ("routing", "notify", "inbound-mail", "webhooks", "webhook-deliveries",
                 "merges", "surveys"):  # fmt: skip
        assert BY_NAME[name].batching_window == 0, name
    assert (BY_NAME["search"].batch_size, BY_NAME["search"].batching_window) == (100, 10)
    assert (BY_NAME["reports"].batch_size, BY_NAME["reports"].batching_window) == (100, 30)


def _env() -> dict[str, str]:
    env = {
        "TABLE_NAME": "t",
        "NOTIFY_FROM_EMAIL": "a@b.example",
        "INTEGRATION_SECRETS_PREFIX": "/p",
        "EVENT_BUS_NAME": "destek-test-events",
        "ATTACHMENTS_BUCKET": "b",
        "STAFF_POOL_ID": "s",
        "STAFF_CLIENT_IDS": "c",
        "CUSTOMER_POOL_ID": "s2",
        "CUSTOMER_CLIENT_IDS": "c2",
        "AWS_REGION": "eu-central-1",
    }
    return env | {name: f"https://sqs.example/{name}" for name in variables()}


def test_settings_read_every_registry_queue_by_name() -> None:
    settings = Settings.model_validate(_env())
    for spec in QUEUES:
        assert settings.queue_url(spec.name) == f"https://sqs.example/{spec.url_variable}"
        assert settings.dead_letter_url(spec.name).endswith(spec.dead_letter_variable)
    assert settings.queue_url("inbound-mail") == settings.queue_urls["INBOUND_MAIL_QUEUE_URL"]


def test_a_queue_url_left_out_stops_the_settings_naming_it() -> None:
    env = _env()
    del env[BY_NAME["inbound-mail"].dead_letter_variable]
    with pytest.raises(ValueError, match="INBOUND_MAIL_DLQ_URL"):
        Settings.model_validate(env)
