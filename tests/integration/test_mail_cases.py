"""Issue 11 end to end: each input in tests/data/mail_cases (with its .README's expectation)
through S3 -> SQS -> the mail handler -> the table, inside moto.

The inputs name fixed people and a fixed case number; each test gives them fresh
addresses, Message-IDs and the number of the case it opened, since the session's moto
is shared by every test."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from chalicelib import wiring
from chalicelib.domain.clock import ISTANBUL, utcnow
from chalicelib.store.aws import client as aws_client
from chalicelib.store.mail import DynamoMailJournal
from tests.support import unique_phone

from .conftest import aws, open_case

CASES = Path(__file__).resolve().parents[1] / "data" / "mail_cases"
SES_ID = "bjhwrfszynpewnxc-ehfzryem-dyci-thal-zxll-pwbwdzfdyzuj-uumlxs"


def source(name: str, swaps: dict[str, str] | None = None, fresh_ids: bool = True) -> bytes:
    """An input with its people, numbers and (unless told) Message-IDs made this test's."""
    (path,) = CASES.glob(f"{name}*.eml")
    raw = path.read_bytes()
    for old, new in (swaps or {}).items():
        raw = raw.replace(old.encode(), new.encode())
    if fresh_ids:
        raw = re.sub(rb"^Message-ID: <[^>]+>", lambda _: f"Message-ID: <{uuid.uuid4().hex}@"
                     f"example.com>".encode(), raw, count=1, flags=re.M)  # fmt: skip
    return raw


def someone() -> str:
    return f"{uuid.uuid4().hex[:10]}@example.com"


def journal(key: str) -> dict | None:
    day = utcnow().astimezone(ISTANBUL).date().isoformat()
    return next((i for i in DynamoMailJournal(wiring.table()).day(day) if i["key"] == key), None)


def email_pool() -> list:
    found, cursor = [], None
    while True:
        items, cursor = wiring.precase_pool().store.pool("email", False, 100, cursor)
        found.extend(items)
        if not cursor:
            return found


def precase_of(key: str):
    pre = next((p for p in email_pool() if p.source_ref == f"s3:{key}"), None)
    return wiring.precase_pool().get(pre.id) if pre else None


def replies(api, case_id: str) -> list[dict]:
    return [e for e in api.get(f"/cases/{case_id}").body["history"] if e["kind"] == "reply"]


def customer_case(api, drain_routing, address: str, **customer) -> dict:
    case = open_case(api, customer={"email": address, "name": "Ahmet Yılmaz", **customer},
                     subject="Kargom gelmedi", group_id="urun")  # fmt: skip
    drain_routing()
    return api.get(f"/cases/{case['id']}").body["case"]


def send_notices(api, case_id: str) -> list[dict]:
    """Deliver this case's awaiting notices through SES/SNS, as the notifier would."""
    for notice in api.get(f"/cases/{case_id}").body["notices"]:
        if notice["status"] in ("pending", "held", "sending"):
            wiring.notifier().deliver(case_id, notice["id"])
    return api.get(f"/cases/{case_id}").body["notices"]


def first_email_id(notices: list[dict]) -> str:
    return next(
        d["message_id"] for n in notices for d in n["deliveries"] if d["channel"] == "email"
    )


# -- 1. forged senders never speak for a customer ---------------------------------------


def test_c06_a_forged_reply_leaves_the_case_unchanged_and_waits_unverified(
    as_role, deliver, drain_routing
):
    api = as_role("admin")
    address = someone()
    case = customer_case(api, drain_routing, address)
    notices = send_notices(api, case["id"])
    before = api.get(f"/cases/{case['id']}").body
    forged = [
        source("C06", {"ahmet@example.com": address, "2026-000001": case["number"]}),
        # the same, answering our notice by its Message-ID instead of the subject
        source("C06", {"ahmet@example.com": address, "[#2026-000001] ": "",
                       "MIME-Version: 1.0": f"In-Reply-To: <{first_email_id(notices)}"
                                            f"@email.amazonses.com>\nMIME-Version: 1.0"}),
        # no DMARC policy, SPF and DKIM both fail
        source("C06", {"ahmet@example.com": address, "2026-000001": case["number"],
                       "dmarc=fail": "dmarc=none"}),
        # a display name that looks like the customer's address; SES says all is well
        source("C06", {"Ahmet Yılmaz <ahmet@example.com>": f"{address} <someone@else.example>",
                       "2026-000001": case["number"], "spf=fail": "spf=pass",
                       "dmarc=fail": "dmarc=pass"}),
    ]  # fmt: skip
    keys = [deliver(raw) for raw in forged]
    after = api.get(f"/cases/{case['id']}").body
    assert after["case"]["version"] == before["case"]["version"]
    assert after["history"] == before["history"]
    pres = [precase_of(key) for key in keys]
    assert all(p is not None and p.customer_id is None for p in pres)
    codes = [[w.code for w in p.warnings] for p in pres]
    assert codes[:3] == [["sender_unverified"]] * 3
    assert "dmarc=fail" in pres[0].warnings[0].detail
    assert pres[2].warnings[0].detail.startswith("spf_and_dkim_fail")
    assert codes[3] == ["display_name_address"] and pres[3].sender.email == "someone@else.example"
    shown = api.get(f"/precases/{pres[0].id}").body
    assert shown["warnings"][0]["code"] == "sender_unverified"  # the agent sees why


def test_ses_receipt_verdicts_are_used_when_the_notification_brings_them(
    aws_env, as_role, drain_mail, drain_routing
):
    api = as_role("admin")
    address = someone()
    case = customer_case(api, drain_routing, address)
    s3, sqs = aws(aws_env, "s3"), aws(aws_env, "sqs")

    def received(verdict: str) -> str:
        raw = source(
            "T01b",
            {
                "selim.arslan@example.org": address,
                "Re: Kulaklık kutusu hasarlı geldi": f"Re: {case['number']}",
            },
        )
        key = f"direct/{uuid.uuid4().hex}"  # outside inbound/: only SES's notification tells
        s3.put_object(Bucket=aws_env["INBOUND_MAIL_BUCKET"], Key=key, Body=raw)
        receipt = {
            name: {"status": verdict} for name in ("spfVerdict", "dkimVerdict", "dmarcVerdict")
        }
        receipt["action"] = {"type": "S3", "bucketName": "b", "objectKey": key}
        notification = {
            "notificationType": "Received",
            "mail": {"messageId": "x"},
            "receipt": receipt,
        }
        sqs.send_message(
            QueueUrl=aws_env["INBOUND_MAIL_QUEUE_URL"],
            MessageBody=json.dumps({"Type": "Notification", "Message": json.dumps(notification)}),
        )
        drain_mail()
        return key

    # fmt: skip

    forged = received("FAIL")
    assert replies(api, case["id"]) == []
    assert [w.code for w in precase_of(forged).warnings] == ["sender_unverified"]
    received("PASS")
    assert len(replies(api, case["id"])) == 1


# -- 2. and 3. threading by headers, before and after conversion --------------------------


def test_t01_a_follow_up_joins_the_first_mail_and_after_conversion_the_case(
    as_role, deliver, drain_routing
):
    api = as_role("admin")
    address = someone()
    swaps = {"selim.arslan@example.org": address, "ilk-5501": f"ilk-{uuid.uuid4().hex}"}
    first = deliver(source("T01a", swaps, fresh_ids=False))
    pre = precase_of(first)
    assert pre is not None
    second = deliver(source("T01b", swaps))
    assert precase_of(second) is None  # no second pre-case
    pre = wiring.precase_pool().get(pre.id)
    assert [m.text for m in pre.messages] == [
        "Bir de şunu ekleyeyim: kulaklığın sol tarafı ses vermiyor.\n\nSelim"
    ]
    made = api.post(f"/precases/{pre.id}/case", {"version": pre.version, "type": "complaint"})
    assert made.status == 201, made.body
    case = made.body["case"]
    third = deliver(source("T01c", swaps))
    assert precase_of(third) is None
    bodies = [r["body"] for r in replies(api, case["id"])]
    assert bodies == [
        "Bir de şunu ekleyeyim: kulaklığın sol tarafı ses vermiyor.\n\nSelim",
        "Fotoğraf çekemedim ama kutunun köşesi tamamen ezik.\nSelim",
    ]
    assert all(r["actor"]["kind"] == "customer" for r in replies(api, case["id"]))


def test_headers_beat_the_subjects_case_number(as_role, deliver, drain_routing):
    api = as_role("admin")
    address = someone()
    older = customer_case(api, drain_routing, address)
    newer = customer_case(api, drain_routing, address)
    notices = send_notices(api, newer["id"])
    raw = source(
        "T01b",
        {
            "selim.arslan@example.org": address,
            "Re: Kulaklık kutusu hasarlı geldi": f"Re: {older['number']}",
            "ilk-5501@example.org": f"{first_email_id(notices)}@email.amazonses.com",
        },
    )
    deliver(raw)
    assert len(replies(api, newer["id"])) == 1
    assert replies(api, older["id"]) == []


def test_a_reply_by_headers_to_a_closed_case_waits_in_the_pool_with_the_link(
    as_role, deliver, drain_routing
):
    api = as_role("admin")
    address = someone()
    case = customer_case(api, drain_routing, address)
    notices = send_notices(api, case["id"])
    version = case["version"]
    for path, body in (("/assign", {"assignee": "mehmet"}), ("/status", {"status": "resolved"}),
                       ("/status", {"status": "closed"})):  # fmt: skip
        moved = api.post(f"/cases/{case['id']}{path}", {"version": version, **body})
        assert moved.status == 200, moved.body
        version = moved.body["version"]
    raw = source(
        "T01b",
        {
            "selim.arslan@example.org": address,
            "ilk-5501@example.org": f"{first_email_id(notices)}@email.amazonses.com",
        },
    )
    pre = precase_of(deliver(raw))
    assert [(w.code, w.case_number) for w in pre.warnings] == [
        ("reply_to_closed_case", case["number"])
    ]
    made = api.post(f"/precases/{pre.id}/case", {"version": pre.version, "type": "complaint"})
    assert made.body["case"]["description"].endswith(f"↩ {case['number']}")


# -- 4. auto-replies change nothing -------------------------------------------------------


def test_t03_auto_replies_to_our_notice_never_move_the_case(as_role, deliver, drain_routing):
    api = as_role("admin")
    address = someone()
    case = customer_case(api, drain_routing, address)
    notices = send_notices(api, case["id"])
    version = case["version"]
    for path, body in (("/assign", {"assignee": "mehmet"}),
                       ("/status", {"status": "waiting_customer"})):  # fmt: skip
        version = api.post(f"/cases/{case['id']}{path}", {"version": version, **body}).body[
            "version"
        ]
    before = api.get(f"/cases/{case['id']}").body
    swaps = {"ahmet@example.com": address, "2026-000001": case["number"],
             SES_ID: first_email_id(notices)}  # fmt: skip
    for name in ("T03c", "T03f"):
        key = deliver(source(name, swaps))
        assert journal(key)["outcome"] == "automatic"
        assert precase_of(key) is None
    after = api.get(f"/cases/{case['id']}").body
    assert after["case"] == before["case"]  # status, SLA clocks, version: all as they were
    assert after["history"] == before["history"]


# -- 5. bounces ---------------------------------------------------------------------------


def test_t05_a_bounce_fails_the_notice_tells_the_agent_and_the_next_notice_goes_by_sms(
    as_role, deliver, drain_routing
):
    api = as_role("admin")
    address = someone()
    case = customer_case(api, drain_routing, address, phone=unique_phone())
    notices = send_notices(api, case["id"])
    bounced = first_email_id(notices)
    key = deliver(source("T05", {"ahmet@example.com": address, SES_ID: bounced}))
    view = api.get(f"/cases/{case['id']}").body
    failed = next(n for n in view["notices"] if any(d["message_id"] == bounced
                                                    for d in n["deliveries"]))  # fmt: skip
    assert failed["status"] == "failed" and failed["note"].startswith("5.2.2")
    entry = next(e for e in view["history"] if e["kind"] == "delivery_failed")
    assert entry["data"]["to"] == address and entry["data"]["notice_id"] == failed["id"]
    told = [n for n in view["notices"] if n["event"] == "delivery_failed"]
    assert [n["audience"] for n in told] == ["group"]  # nobody owns the case yet
    customer = api.get(f"/customers/{case['customer_id']}").body
    assert customer["email_undeliverable"]["address"] == address
    assert journal(key)["outcome"] == "bounce"

    version = view["case"]["version"]
    assign = api.post(f"/cases/{case['id']}/assign", {"version": version, "assignee": "mehmet"})
    answer = api.post(
        f"/cases/{case['id']}/replies",
        {"version": assign.body["version"], "body": "Kargonuz yola çıktı."},
    )
    assert answer.status == 201, answer.body
    notices = send_notices(api, case["id"])
    reply_notice = next(n for n in notices if n["event"] == "agent_replied")
    assert [d["channel"] for d in reply_notice["deliveries"]] == ["sms"]

    # the same bounce again, now as SES's notification: filed once
    sqs = aws_client("sqs")
    import os

    sqs.send_message(QueueUrl=os.environ["INBOUND_MAIL_QUEUE_URL"], MessageBody=json.dumps({
        "notificationType": "Bounce", "mail": {"messageId": bounced},
        "bounce": {"bounceType": "Permanent", "feedbackId": f"fb-{uuid.uuid4().hex}",
                   "bouncedRecipients": [{"emailAddress": address, "status": "5.1.1"}]},
    }))  # fmt: skip
    deliver(b"From: a@example.com\nSubject: nudge\nMessage-ID: <" + uuid.uuid4().hex.encode()
            + b"@x>\n\nx")  # fmt: skip
    view = api.get(f"/cases/{case['id']}").body
    assert len([e for e in view["history"] if e["kind"] == "delivery_failed"]) == 1


def test_an_ses_complaint_marks_the_address(aws_env, as_role, drain_mail, drain_routing):
    api = as_role("admin")
    address = someone()
    case = customer_case(api, drain_routing, address)
    notices = send_notices(api, case["id"])
    complaint = {
        "eventType": "Complaint", "mail": {"messageId": first_email_id(notices)},
        "complaint": {"complainedRecipients": [{"emailAddress": address}],
                      "complaintFeedbackType": "abuse", "feedbackId": uuid.uuid4().hex},
    }  # fmt: skip
    body = json.dumps({"Type": "Notification", "Message": json.dumps(complaint)})
    aws(aws_env, "sqs").send_message(QueueUrl=aws_env["INBOUND_MAIL_QUEUE_URL"], MessageBody=body)
    drain_mail()
    customer = api.get(f"/customers/{case['customer_id']}").body
    assert customer["email_undeliverable"]["kind"] == "complaint"
    view = api.get(f"/cases/{case['id']}").body
    assert [e["data"]["kind"] for e in view["history"] if e["kind"] == "delivery_failed"] == [
        "complaint"
    ]


# -- 6. once per message, retries finish the work ---------------------------------------


def test_t06_the_same_message_stored_twice_makes_one_pre_case(deliver):
    raw = source("T06", {"deniz.kaya@example.org": someone()})
    first, second = deliver(raw), deliver(raw)
    assert precase_of(first) is not None and precase_of(second) is None
    assert journal(second)["outcome"] == "repeat"


def test_a_retry_after_a_failed_attachment_store_replies_once(
    aws_env, as_role, deliver, drain_mail, drain_routing, monkeypatch
):
    api = as_role("admin")
    address = someone()
    case = customer_case(api, drain_routing, address)
    raw = source("C02", {"sevgi.acar@example.org": address,
                         "Kırık ürün fotoğrafı ve fatura": f"Re: {case['number']}"})  # fmt: skip
    files = wiring.mail_intake().files
    real, calls = files.keep, []

    def flaky(*args, **kwargs):
        calls.append(args[1])
        if len(calls) == 2:  # the second file fails once, after the first is stored
            raise RuntimeError("S3 is down")
        return real(*args, **kwargs)

    monkeypatch.setattr(files, "keep", flaky)
    key = f"inbound/{uuid.uuid4().hex}"
    aws(aws_env, "s3").put_object(Bucket=aws_env["INBOUND_MAIL_BUCKET"], Key=key, Body=raw)
    drain_mail()  # the first try fails at the second file; the queue hands the mail back
    assert len(calls) > 3 and calls[1] == calls[3]  # it was tried again, same file ids
    sqs = aws(aws_env, "sqs")
    event = {"Records": [{"s3": {"bucket": {"name": "b"}, "object": {"key": key}}}]}
    sqs.send_message(QueueUrl=aws_env["INBOUND_MAIL_QUEUE_URL"], MessageBody=json.dumps(event))
    drain_mail()  # and once more, after it was done: a repeat
    view = api.get(f"/cases/{case['id']}").body
    assert len(replies(api, case["id"])) == 1
    assert sorted(a["filename"] for a in view["attachments"]) == [
        "IMG_0412.jpg",
        "fatura.pdf",
        "kutu.jpg",
    ]
    assert len(set(calls)) == 3  # the same three file ids, whichever try stored them


def test_the_inbound_mail_dead_letter_queue_is_listed_and_redriven(aws_env, as_role):
    api = as_role("admin")
    sqs = aws(aws_env, "sqs")
    dlq = aws_env["INBOUND_MAIL_DLQ_URL"]
    sqs.send_message(QueueUrl=dlq, MessageBody=json.dumps({"Service": "Amazon S3"}))
    listed = {q["queue"]: q["messages"] for q in api.get("/dead-letters").body}
    assert listed["inbound-mail"] >= 1
    moved = api.post("/dead-letters/inbound-mail/redrive", {"limit": 10})
    assert moved.status == 200 and moved.body["moved"] >= 1
    assert as_role("agent").get("/dead-letters").status == 403


# -- 7. byte limits: T12b ---------------------------------------------------------------


def test_t12b_600_kb_of_4_byte_characters_is_a_pre_case_cut_to_fit(deliver):
    key = deliver(source("T12b", {"arda.kilic@example.org": someone()}))
    pre = precase_of(key)
    assert pre is not None and pre.text.startswith("😡")
    assert {w.code for w in pre.warnings} == {"text_cut", "html_cut"}
    assert "\ufffd" not in pre.text


# -- 8. charsets, 9. files, 10. senders -------------------------------------------------


def test_t08_a_latin1_label_on_turkish_words(deliver):
    pre = precase_of(deliver(source("T08", {"sule.calik@example.org": someone()})))
    assert pre.subject == "Şikayet: İade ücreti ödenmedi, ğüşıöç"
    assert pre.sender.name == "Şule Çalık"


def test_c02_files_known_by_their_bytes_and_a_refused_one_named(as_role, deliver):
    pre = precase_of(deliver(source("C02", {"sevgi.acar@example.org": someone()})))
    assert [(f.filename, f.content_type) for f in pre.files] == [
        ("IMG_0412.jpg", "image/jpeg"),
        ("kutu.jpg", "image/jpeg"),
        ("fatura.pdf", "application/pdf"),
    ]
    disguised = source("C02", {"sevgi.acar@example.org": someone()}).replace(
        b"JVBERi0xLjQKMSAwIG9iajw8Pj5lbmRvYmoKdHJhaWxlcjw8Pj4KJSVFT0YK",
        b"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    )
    pre = precase_of(deliver(disguised))
    assert len(pre.files) == 2
    assert [(w.code, w.filename, w.detail) for w in pre.warnings] == [
        ("file_refused", "fatura.pdf", "type_not_allowed")
    ]
    made = as_role("admin").post(f"/precases/{pre.id}/case", {"version": pre.version,
                                                               "type": "complaint"})  # fmt: skip
    history = as_role("admin").get(f"/cases/{made.body['case']['id']}").body["history"]
    (named,) = [e for e in history if e["data"].get("files_refused")]  # on the case too
    assert named["data"]["files_refused"] == [{"filename": "fatura.pdf",
                                               "reason": "type_not_allowed"}]  # fmt: skip


def test_c04_and_c05_lenient_senders_open_pre_cases(deliver):
    four = precase_of(deliver(source("C04")))
    assert four.sender.email == "ayse.demir@example.com" and four.warnings == []
    five = precase_of(deliver(source("C05")))
    assert five.sender.email == "oguz.bal@example.org" and five.subject == "Garanti başvurusu"


# -- 11. a duplicate keeps its text and files -------------------------------------------


def test_t17_a_duplicate_set_aside_brings_its_text_and_file_onto_the_case(as_role, deliver):
    api = as_role("admin")
    address = someone()
    first = precase_of(deliver(source("T17a", {"nazli.sen@example.org": address})))
    made = api.post(f"/precases/{first.id}/case", {"version": first.version, "type": "complaint"})
    case = made.body["case"]
    second = precase_of(deliver(source("T17b", {"nazli.sen@example.org": address})))
    aside = api.post(f"/precases/{second.id}/set-aside",
                     {"version": second.version, "outcome": "duplicate",
                      "duplicate_of": case["number"]})  # fmt: skip
    assert aside.status == 200, aside.body
    assert aside.body["status"] == "duplicate" and aside.body["duplicate_of"] == case["number"]
    view = api.get(f"/cases/{case['id']}").body
    (merged,) = [e for e in view["history"] if e["kind"] == "reply"]
    assert merged["body"].startswith("Kargoya verdiğim iadenin dekontu ekte")
    assert merged["actor"]["kind"] == "customer" and merged["visibility"] == "public"
    assert view["case"]["status"] == case["status"]  # an agent filed it: no status moves
    assert [a["filename"] for a in view["attachments"]] == ["iade_dekontu.pdf"]
    again = api.post(f"/precases/{second.id}/set-aside",
                     {"version": aside.body["version"], "outcome": "duplicate",
                      "duplicate_of": case["number"]})  # fmt: skip
    assert again.status == 409
