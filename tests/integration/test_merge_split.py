"""Merge and split through the API (docs/merge-and-split.md): a merge moves everything to the
survivor and tells the customer, a retried copy job duplicates nothing, refusals write
nothing, a split opens a new case from one customer message, a pre-case merges in."""

from __future__ import annotations

import json

import requests

from chalicelib import wiring
from devstack.lambda_runtime import LocalContext

from .test_notify import deliver_case
from .test_routing_events import record

PDF = b"%PDF-1.4\n% fatura\n" + b"0" * 512
CALL = {"direction": "inbound", "started_at": "2026-11-20T10:15:00+03:00",
        "duration_seconds": 60, "outcome": "answered", "notes": "Aynı konuyu sordu"}  # fmt: skip


def my_case(as_role, subject: str, description: str) -> dict:
    """A case Ahmet (the `customer` role) files on the site."""
    answer = as_role("customer").post(
        "/my/cases", {"type": "complaint", "subject": subject, "description": description}
    )
    assert answer.status == 201, answer
    return answer.body


def current(api, case_id: str) -> dict:
    return api.get(f"/cases/{case_id}").body


def attach(api, case_id: str) -> dict:
    form = api.post(f"/cases/{case_id}/attachments",
                    {"filename": "fatura.pdf", "content_type": "application/pdf",
                     "size": len(PDF)}).body  # fmt: skip
    requests.post(form["url"], data=form["fields"], files={"file": ("x", PDF)}, timeout=10)
    confirmed = api.post(f"/cases/{case_id}/attachments/{form['attachment_id']}")
    assert confirmed.status == 200, confirmed
    return confirmed.body


def two_cases_with_content(as_role) -> tuple[dict, dict]:
    """Ahmet's two cases about one late parcel; the first has his reply, a file, an agent's
    note and reply, and a call logged on it."""
    admin, ahmet = as_role("admin"), as_role("customer")
    source = my_case(as_role, "Kargom gelmedi", "Siparişim 5 gündür yolda")
    into = my_case(as_role, "Kargo gecikmesi", "Kargom hâlâ gelmedi")
    v = current(admin, source["id"])["case"]["version"]
    ahmet.post(f"/cases/{source['id']}/replies", {"version": v, "body": "Takip no: 123"})
    attach(ahmet, source["id"])
    v = current(admin, source["id"])["case"]["version"]
    assert (
        admin.post(f"/cases/{source['id']}/notes", {"version": v, "body": "depo arandı"}).status
        == 201
    )
    v = current(admin, source["id"])["case"]["version"]
    admin.post(f"/cases/{source['id']}/replies", {"version": v, "body": "Kontrol ediyoruz"})
    who = admin.get("/customers?customer_number=10000001").body
    logged = admin.post(f"/customers/{who['id']}/calls", {**CALL, "case_id": source["id"]})
    assert logged.status == 201, logged
    return current(admin, source["id"]), current(admin, into["id"])


def merge(api, source: dict, into: dict, **extra):
    body = {"version": source["case"]["version"], "into": into["case"]["number"], **extra}
    return api.post(f"/cases/{source['case']['id']}/merge", body)


def test_a_merge_moves_everything_to_the_survivor_and_tells_the_customer(as_role, mailbox):
    admin, ahmet = as_role("admin"), as_role("customer")
    source, into = two_cases_with_content(as_role)
    answer = merge(admin, source, into)
    assert answer.status == 200, answer
    assert answer.body["case"]["status"] == "merged" and answer.body["copying"] is False
    assert answer.body["case"]["merged_into_number"] == into["case"]["number"]

    survivor = current(admin, into["case"]["id"])
    kinds = [(e["kind"], e["actor"]["kind"], e.get("body")) for e in survivor["history"]]
    assert ("reply", "customer", "Siparişim 5 gündür yolda") in kinds  # the source's opening
    assert ("reply", "customer", "Takip no: 123") in kinds
    assert ("note", "staff", "depo arandı") in kinds
    assert ("reply", "staff", "Kontrol ediyoruz") in kinds
    merged_line = next(e for e in survivor["history"] if e["kind"] == "merged")
    assert merged_line["data"]["from_number"] == source["case"]["number"]
    files = survivor["attachments"]
    assert [f["filename"] for f in files] == ["fatura.pdf"] and files[0]["case_id"] == into["case"][
        "id"
    ]
    assert requests.get(files[0]["url"], timeout=10).content == PDF
    assert survivor["case"]["version"] == into["case"]["version"] + 1
    assert survivor["case"]["sla"] == into["case"]["sla"]  # its own clocks

    who = admin.get("/customers?customer_number=10000001").body
    calls = admin.get(f"/customers/{who['id']}/calls?limit=100").body["items"]
    on_cases = {c["case_id"] for c in calls}
    assert into["case"]["id"] in on_cases and source["case"]["id"] not in on_cases

    gone = current(ahmet, source["case"]["id"])
    assert gone["case"]["status"] == "merged"
    assert gone["case"]["merged_into_number"] == into["case"]["number"]
    assert any(e["kind"] == "merged" for e in gone["history"])

    deliver_case(admin, source["case"]["id"])
    mails = [m for m in mailbox()["emails"] if m["to"] == ["ahmet@example.com"]
             and source["case"]["number"] in m["subject"]
             and into["case"]["number"] in m["subject"]]  # fmt: skip
    assert len(mails) == 1 and f"n={into['case']['number']}" in mails[0]["body"]

    # the source is read-only; the customer's reply to it reaches the survivor
    note = admin.post(f"/cases/{source['case']['id']}/notes",
                      {"version": gone["case"]["version"], "body": "geç"})  # fmt: skip
    assert note.status == 409 and note.body["error"]["code"] == "case_merged"
    reply = ahmet.post(f"/cases/{source['case']['id']}/replies",
                       {"version": gone["case"]["version"], "body": "Yeni bir bilgi"})  # fmt: skip
    assert reply.status == 201, reply
    assert reply.body["number"] == into["case"]["number"]
    bodies = [e.get("body") for e in current(admin, into["case"]["id"])["history"]]
    assert "Yeni bir bilgi" in bodies


def merged_event(aws_env, case_id: str) -> dict:
    from boto3.dynamodb.types import TypeDeserializer

    from .conftest import aws

    items = aws(aws_env, "dynamodb").query(
        TableName=aws_env["TABLE_NAME"],
        KeyConditionExpression="PK = :pk AND begins_with(SK, :ev)",
        ExpressionAttributeValues={":pk": {"S": f"CASE#{case_id}"}, ":ev": {"S": "~EV#"}},
    )["Items"]
    plain = [{k: TypeDeserializer().deserialize(v) for k, v in i.items()} for i in items]
    event = next(i for i in plain if i.get("type") == "destek.case.merged")
    keep = {"id", "type", "schema_version", "case_id", "case_number", "precase_id",
            "sequence", "index", "occurred_at", "actor", "data"}  # fmt: skip
    return json.loads(json.dumps({k: v for k, v in event.items() if k in keep}, default=int))


def test_a_retried_merge_job_duplicates_nothing(as_role, aws_env, chalice_app):
    admin = as_role("admin")
    source, into = two_cases_with_content(as_role)
    assert merge(admin, source, into).status == 200
    after_request = current(admin, into["case"]["id"])
    event = merged_event(aws_env, source["case"]["id"])
    assert event["data"]["role"] == "source"
    body = json.dumps({"detail-type": event["type"], "source": "destek.cases", "detail": event})
    # the queue's run, twice (a redelivery), and the job's own continuation step
    step = json.dumps({"kind": "merge_copy", "source_id": source["case"]["id"],
                       "into_id": into["case"]["id"], "cursor": None})  # fmt: skip
    for records in ([record(body)], [record(body), record(step)]):
        answer = chalice_app.copy_merged_cases({"Records": records}, LocalContext("merges"))
        assert answer["batchItemFailures"] == []
    again = current(admin, into["case"]["id"])
    assert again["history"] == after_request["history"]

    def files(view):  # download links are signed anew on every read
        return [(a["id"], a["filename"], a["case_id"]) for a in view["attachments"]]

    assert files(again) == files(after_request) and len(files(again)) == 1
    # the survivor's own event starts nothing
    survivor_event = merged_event(aws_env, into["case"]["id"])
    assert survivor_event["data"]["role"] == "survivor"
    survivor_body = json.dumps({"detail": survivor_event})
    answer = chalice_app.copy_merged_cases({"Records": [record(survivor_body)]}, LocalContext("m"))
    assert answer["batchItemFailures"] == []


def test_refused_merges_write_nothing(as_role, table_items):
    admin = as_role("admin")
    source = current(admin, my_case(as_role, "Fatura", "Faturam yanlış")["id"])
    body = {"customer": {"customer_number": "10000002"}, "type": "question", "subject": "Soru",
            "description": "Bir sorum var"}  # fmt: skip
    other = admin.post("/cases", body).body
    other = current(admin, other["id"])
    before = table_items()
    refusals = [
        (merge(admin, source, source), 409, "merge_into_itself"),
        (merge(admin, source, other), 409, "different_customer"),
        (merge(admin, {**source, "case": {**source["case"], "version": 99}}, other), 409,
         "version_conflict"),
        (merge(admin, source, other, into_version=99), 409, "version_conflict"),
        (admin.post(f"/cases/{source['case']['id']}/merge",
                    {"version": source["case"]["version"], "into": "2026-999999"}), 404, None),
        (as_role("agent").post(f"/cases/{source['case']['id']}/merge",
                               {"version": source["case"]["version"], "into": "x"}), 403,
         "outside_your_groups"),
    ]  # fmt: skip
    for answer, status, code in refusals:
        assert answer.status == status, answer
        if code:
            assert answer.body["error"]["code"] == code, answer
    assert table_items() == before


def test_a_merged_case_cannot_be_merged_again_or_merged_into(as_role, table_items):
    admin = as_role("admin")
    a, b, c = (current(admin, my_case(as_role, f"Konu {n}", "Aynı sorun")["id"]) for n in "abc")
    assert merge(admin, a, b).status == 200
    a = current(admin, a["case"]["id"])
    before = table_items()
    again = merge(admin, a, c)
    assert again.status == 409 and again.body["error"]["code"] == "case_merged"
    into_merged = merge(admin, c, a)
    assert into_merged.status == 409 and into_merged.body["error"]["code"] == "case_merged"
    assert into_merged.body["error"]["details"]["merged_into_number"] == b["case"]["number"]
    assert table_items() == before


def test_a_split_opens_a_new_case_from_one_customer_message(as_role, drain_routing):
    admin, ahmet = as_role("admin"), as_role("customer")
    case = my_case(as_role, "Kargo ve fatura", "Kargom gelmedi")
    v = current(admin, case["id"])["case"]["version"]
    ahmet.post(f"/cases/{case['id']}/replies", {"version": v, "body": "Bir de faturam yanlış"})
    source = current(admin, case["id"])
    message = next(e for e in source["history"] if e.get("body") == "Bir de faturam yanlış")
    note_line = next(e for e in source["history"] if e["kind"] == "created")
    refused = admin.post(
        f"/cases/{case['id']}/split",
        {"version": source["case"]["version"], "entry_id": note_line["id"]},
    )
    assert refused.status == 422 and refused.body["error"]["code"] == "not_a_customer_message"
    answer = admin.post(
        f"/cases/{case['id']}/split",
        {"version": source["case"]["version"], "entry_id": message["id"]},
    )
    assert answer.status == 201, answer
    new = answer.body["case"]
    assert new["number"] != case["number"] and new["customer_id"] == source["case"]["customer_id"]
    assert new["description"] == "Bir de faturam yanlış"
    assert answer.body["source"]["version"] == source["case"]["version"] + 1
    split_lines = [e for e in current(admin, case["id"])["history"] if e["kind"] == "split"]
    assert [e["data"]["to_number"] for e in split_lines] == [new["number"]]
    opened = current(admin, new["id"])
    assert [e["kind"] for e in opened["history"]][:2] == ["created", "split"]
    assert opened["history"][1]["data"]["from_number"] == case["number"]
    drain_routing()
    assert current(admin, new["id"])["case"]["status"] != "new"  # routed like any other
    mine = [c["number"] for c in ahmet.get("/my/cases?limit=100").body["items"]]
    assert new["number"] in mine
    stale = admin.post(
        f"/cases/{case['id']}/split",
        {"version": source["case"]["version"], "entry_id": message["id"]},
    )
    assert stale.status == 409 and stale.body["error"]["code"] == "version_conflict"


def test_the_copy_job_skips_a_case_not_merged(as_role):
    admin = as_role("admin")
    case = my_case(as_role, "Tek", "Tek talep")
    from chalicelib.domain.errors import InvalidInput
    from chalicelib.services.case_merges import MergeStep

    try:
        wiring.merge_job().run(MergeStep(source_id=case["id"], into_id="c-none"), 1)
    except InvalidInput as refused:
        assert refused.code == "not_merged"
    else:
        raise AssertionError("the job copied from a case that was not merged")
    assert current(admin, case["id"])["case"]["status"] == "new"


def test_a_precase_merges_into_a_case_and_follows_a_merged_one(as_role):
    import uuid

    from chalicelib.domain.case_kinds import Channel
    from chalicelib.domain.precases import Sender
    from chalicelib.services.precases import Arrival

    admin = as_role("admin")
    pre = wiring.precase_pool().receive(
        Arrival(channel=Channel.EMAIL, subject="Yine kargo", text="Kargom hâlâ yok, bakar mısınız?",
                sender=Sender(name="Ayla", email=f"{uuid.uuid4().hex[:8]}@example.com"))
    )  # fmt: skip
    a = current(admin, my_case(as_role, "Kargo", "Kargom gelmedi")["id"])
    b = current(admin, my_case(as_role, "Kargo 2", "Hâlâ gelmedi")["id"])
    assert merge(admin, a, b).status == 200
    stale = admin.post(f"/precases/{pre.id}/merge", {"version": pre.version + 1,
                                                      "into": a["case"]["number"]})  # fmt: skip
    assert stale.status == 409 and stale.body["error"]["code"] == "version_conflict"
    answer = admin.post(f"/precases/{pre.id}/merge",
                        {"version": pre.version, "into": a["case"]["number"]})  # fmt: skip
    assert answer.status == 200, answer
    assert answer.body["status"] == "duplicate" and answer.body["case_id"] == b["case"]["id"]
    bodies = [e.get("body") for e in current(admin, b["case"]["id"])["history"]]
    assert any("Kargom hâlâ yok" in (body or "") for body in bodies)
