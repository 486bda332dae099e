"""The queue registry's own rules, and the settings that read it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chalicelib.config import Settings
from chalicelib.messaging.queue_registry import BY_NAME, QUEUES, variables

ROOT = Path(__file__).resolve().parents[2]


def test_names_stems_variables_and_handlers_are_unique() -> None:
    for attribute in ("name", "stem", "variable", "handler", "queue"):
        values = [getattr(spec, attribute) for spec in QUEUES]
        assert len(values) == len(set(values)), attribute


def test_batches_and_visibility_are_what_lambda_accepts() -> None:
    """A standard queue without a batching window takes at most 10 a batch; AWS asks for a
    visibility timeout of six times the function's timeout (.chalice/config.json)."""
    config = json.loads((ROOT / ".chalice" / "config.json").read_text())
    timeout = max(stage["lambda_timeout"] for stage in config["stages"].values())
    for spec in QUEUES:
        assert 1 <= spec.batch_size <= 10, spec.name
        assert spec.visibility_timeout >= 6 * timeout, spec.name
        assert spec.max_receives is None or spec.max_receives >= 1


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
