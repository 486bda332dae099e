"""A signed call that was applied always has an answer on record: the same webhook-id gets
it back, never 409 `in_progress` forever and never a 500.

The probe that broke it: a `customer-batches` call inside the 64 KiB body limit whose items
carry thousands of unknown fields. Each becomes one problem in the per-item report, and the
report (about half a megabyte) did not fit in one DynamoDB item, so the batch was applied,
answered 500, and its webhook-id was stuck.
"""

from __future__ import annotations

import json
import random
import string
import uuid
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook

from tests.integration.conftest import NEW
from tests.support import unique_phone

from .test_signed_calls import post, signed


def customer(number: str) -> dict:
    return {"customer_number": number, "name": "Zeynep Arslan", "phone": unique_phone()}


def oversized_batch() -> tuple[dict, str]:
    """One good customer and 99 items of unknown fields, as many as the body limit allows
    (two-letter names, compact JSON: each costs 7 bytes and reports about 60)."""
    number = f"S-B{random.randint(0, 10**9)}"
    names = [a + b for a in string.ascii_lowercase for b in string.ascii_lowercase]
    per_item = (63 * 1024 - 200) // 99 // 7
    junk = dict.fromkeys(names[:per_item], 0)
    return {"items": [customer(number), *([junk] * 99)]}, number


def compact(body: dict, msg_id: str) -> tuple[str, dict[str, str]]:
    data = json.dumps(body, separators=(",", ":"))
    at = datetime.now(tz=UTC)
    return data, {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(NEW).sign(msg_id, at, data),
        "content-type": "application/json",
    }


def report_bytes(body: dict) -> int:
    return len(json.dumps(body, ensure_ascii=False).encode("utf-8"))


@pytest.mark.parametrize("batch", ["customer-batches", "order-batches", "shipment-batches",
                                   "sale-batches"])  # fmt: skip
def test_an_oversized_error_report_is_answered_and_recorded(batch, api, shop, as_role, aws_env):
    body, number = oversized_batch()
    if batch != "customer-batches":
        body["items"] = body["items"][1:]
    msg_id = f"msg_{uuid.uuid4().hex}"
    path = f"/integrations/{shop}/{batch}"
    assert len(compact(body, msg_id)[0]) < 64 * 1024
    status, first = post(api, path, compact(body, msg_id))
    assert status == 200, first
    assert first["refused"] == 99 and first["created"] == len(body["items"]) - 99
    assert report_bytes(first) < 256 * 1024
    refused = first["items"][-1]["error"]
    assert refused["code"] == "invalid_input"
    shown = refused["details"]
    unknown = len(body["items"][-1])  # each unknown field is a problem, and required ones too
    assert shown[-1]["omitted"] + len(shown) - 1 > unknown  # says how much it left out
    if batch == "customer-batches":
        assert as_role("agent").get(f"/customers?customer_number={number}").status == 200
    again = post(api, path, compact(body, msg_id))
    assert again == (200, first)


def test_an_answer_too_large_to_record_is_kept_whole_in_s3(monkeypatch, api, shop, aws_env):
    """Whatever a handler answers, what the ledger stores fits: the whole report goes to S3
    and the answer says where."""
    from chalicelib import wiring
    from chalicelib.store import idempotency

    monkeypatch.setattr(idempotency, "MAX_STORED_ANSWER_BYTES", 2_000)
    number = f"S-R{random.randint(0, 10**9)}"
    items = [customer(number), *({"customer_number": f"S-{n}"} for n in range(40))]
    msg_id = f"msg_{uuid.uuid4().hex}"
    status, first = post(api, f"/integrations/{shop}/customer-batches",
                         signed({"items": items}, msg_id=msg_id))  # fmt: skip
    assert status == 200, first
    assert report_bytes(first) <= 2_000 and first["created"] == 1 and first["refused"] == 40
    report = first["report"]
    assert report["complete"] is False
    from chalicelib.store.aws import client

    stored = client("s3").get_object(Bucket=wiring.settings().attachments_bucket,
                                     Key=report["archived"])  # fmt: skip
    whole = json.loads(stored["Body"].read())
    assert len(whole["items"]) == 41 and whole["items"][0]["status"] == "created"
    again = post(api, f"/integrations/{shop}/customer-batches",
                 signed({"items": items}, msg_id=msg_id))  # fmt: skip
    assert again == (200, first)


@pytest.mark.parametrize("failures", [1, 2])
def test_a_failure_to_record_after_the_write_still_answers_and_records(
    monkeypatch, api, shop, as_role, failures
):
    """The ledger's write after the work fails (throttled, say): the caller still gets the
    answer, and a repeat of the webhook-id gets an answer too, without applying it again."""
    from aws_lambda_powertools.utilities.idempotency.persistence.base import (
        BasePersistenceLayer,
    )

    real = BasePersistenceLayer.save_success
    calls = {"n": 0}

    def flaky(self, data, result):
        calls["n"] += 1
        if calls["n"] <= failures:
            raise RuntimeError("ProvisionedThroughputExceededException")
        return real(self, data, result)

    monkeypatch.setattr(BasePersistenceLayer, "save_success", flaky)
    number = f"S-F{random.randint(0, 10**9)}"
    msg_id, sent = f"msg_{uuid.uuid4().hex}", customer(number)
    status, first = post(api, f"/integrations/{shop}/customers", signed(sent, msg_id=msg_id))
    assert status == 200 and first["status"] == "created", first
    monkeypatch.setattr(BasePersistenceLayer, "save_success", real)
    status, again = post(api, f"/integrations/{shop}/customers", signed(sent, msg_id=msg_id))
    assert status == 200, again
    assert again["customer_id"] == first["customer_id"]
    assert again["status"] == "created"  # the first answer, not a second application
    assert as_role("agent").get(f"/customers?customer_number={number}").body["version"] == 1
