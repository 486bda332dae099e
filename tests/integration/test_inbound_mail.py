"""Inbound email end to end inside moto: the raw message lands in the inbound bucket, S3 tells
the queue, the mail handler takes it (real SQS-shaped events through the real queue)."""

from __future__ import annotations

import email
import email.policy
import json
import uuid
from email.message import EmailMessage
from pathlib import Path

from chalicelib import wiring
from chalicelib.domain.limits import PRECASE_TEXT_BYTES
from chalicelib.store.aws import client as aws_client

from .conftest import aws, open_case

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
EXPECTED = json.loads((CORPUS / "expected.json").read_text())


def journal(key: str) -> dict | None:
    from chalicelib.domain.clock import ISTANBUL, utcnow
    from chalicelib.store.mail import DynamoMailJournal

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
    pool = email_pool()
    return next((p for p in pool if p.source_ref and p.source_ref.startswith(f"s3:{key}")), None)


def mail(sender: str, subject: str, body: str, **headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = f"Ahmet Yılmaz <{sender}>"
    message["To"] = "destek@magaza.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(body)
    return bytes(message)


def test_every_corpus_message_opens_what_it_should_and_nothing_crashes(deliver):
    for name, expected in sorted(EXPECTED.items()):
        key = deliver((CORPUS / name).read_bytes(), f"inbound/corpus-{uuid.uuid4().hex[:6]}-{name}")
        opens = expected["opens"]
        if opens in ("nothing", "refused"):
            entry = journal(key)
            assert entry is not None, name
            assert entry["outcome"] == ("automatic" if opens == "nothing" else "refused"), name
        else:  # the corpus' replies name cases of nobody here, so they land in the pool too
            pre = precase_of(key)
            assert pre is not None, name
            assert pre.channel == "email", name
            if expected.get("sender_problem"):  # no usable sender: in the pool, said so
                assert pre.sender.email is None and pre.customer_id is None, name
                assert [w.code for w in pre.warnings] == ["sender_unknown"], name
            else:
                assert pre.sender.email == expected.get("from_address", pre.sender.email), name


def test_a_reply_threads_onto_the_case_without_the_quoted_mail(
    as_role, deliver, drain_routing, mailbox
):
    api = as_role("admin")
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    case = open_case(api, customer={"email": address, "name": "Ahmet Yılmaz"},
                     subject="Süpürge çalışmıyor")  # fmt: skip
    drain_routing()
    asked: list[dict] = []
    ses = aws_client("sesv2")
    hook = lambda params, **_: asked.append(params)  # noqa: E731
    ses.meta.events.register("before-parameter-build.sesv2.SendEmail", hook)
    try:
        # "we received it" goes out through SES and its Message-ID is remembered; only this
        # case's notices are delivered (the queue holds every other test's too)
        for notice in api.get(f"/cases/{case['id']}").body["notices"]:
            wiring.notifier().deliver(case["id"], notice["id"])
    finally:
        ses.meta.events.unregister("before-parameter-build.sesv2.SendEmail", hook)
    mine = [a for a in asked if address in a["Destination"]["ToAddresses"]]
    assert mine and mine[0]["ReplyToAddresses"] == ["destek@magaza.example"]  # answers come back
    headers = {h["Name"]: h["Value"] for h in mine[0]["Content"]["Simple"]["Headers"]}
    assert headers["Auto-Submitted"] == "auto-generated"  # no out-of-office reply to it
    assert headers["X-Auto-Response-Suppress"] == "All"
    sent = [m for m in mailbox()["emails"] if address in m["to"]]
    assert sent, "the customer was told"
    body = ("Fotoğrafı ekledim, hâlâ çalışmıyor.\n\n"
            "23 Kas 2026 Pzt 10:00 tarihinde Destek <destek@magaza.example> şunu yazdı:\n"
            "> Talebinizi aldık.\n")  # fmt: skip
    raw = mail(address, "Re: Talebiniz", body,
               In_Reply_To=f"<{sent[-1]['id']}@email.amazonses.com>")  # fmt: skip
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message.add_attachment(b"\x89PNG\r\n\x1a\n0000", maintype="image", subtype="png",
                           filename="süpürge.png")  # fmt: skip
    message.add_attachment(b"MZ...", maintype="application", subtype="x-msdownload",
                           filename="virus.exe")  # fmt: skip
    key = deliver(bytes(message))
    found = api.get(f"/cases/{case['id']}").body
    replies = [e for e in found["history"] if e["kind"] == "reply"]
    assert [r["body"] for r in replies] == ["Fotoğrafı ekledim, hâlâ çalışmıyor."]
    assert replies[0]["actor"]["kind"] == "customer" and replies[0]["visibility"] == "public"
    assert [a["filename"] for a in found["attachments"]] == ["süpürge.png"]
    assert precase_of(key) is None

    by_number = mail(
        address, f"Re: Talebiniz alındı: {case['number']}", "Bir şey daha: kutu da ezik."
    )
    deliver(by_number)
    found = api.get(f"/cases/{case['id']}").body
    assert len([e for e in found["history"] if e["kind"] == "reply"]) == 2


def test_a_stranger_naming_a_case_number_writes_into_the_pool_not_the_case(as_role, deliver):
    api = as_role("admin")
    case = open_case(api, customer={"email": f"{uuid.uuid4().hex[:8]}@example.com",
                                    "name": "Ahmet"})  # fmt: skip
    key = deliver(mail("stranger@example.net", f"Re: {case['number']}", "Bu talep benim."))
    assert not [e for e in api.get(f"/cases/{case['id']}").body["history"] if e["kind"] == "reply"]
    pre = precase_of(key)
    assert pre is not None and pre.sender.email == "stranger@example.net"


def test_a_reply_to_a_closed_case_opens_a_pre_case(as_role, deliver, drain_routing):
    api = as_role("admin")
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    case = open_case(api, customer={"email": address, "name": "Ahmet"}, group_id="urun")
    drain_routing()
    version = api.get(f"/cases/{case['id']}").body["case"]["version"]
    taken = api.post(f"/cases/{case['id']}/assign", {"version": version, "assignee": "mehmet"})
    version = taken.body["version"]
    for status in ("resolved", "closed"):
        moved = api.post(f"/cases/{case['id']}/status", {"version": version, "status": status})
        assert moved.status == 200, moved.body
        version = moved.body["version"]
    key = deliver(mail(address, f"Re: {case['number']}", "Yine bozuldu."))
    pre = precase_of(key)
    assert pre is not None and pre.customer_id == case["customer_id"]
    assert [(w.code, w.case_number) for w in pre.warnings] == [
        ("reply_to_closed_case", case["number"])
    ]


def test_the_same_notification_twice_takes_the_mail_once(aws_env, deliver, drain_mail):
    raw = mail(f"{uuid.uuid4().hex[:8]}@example.com", "Fatura", "Faturamı alamadım.")
    key = deliver(raw)
    first = precase_of(key)
    sqs = aws(aws_env, "sqs")
    event = {"Records": [{"s3": {"bucket": {"name": aws_env["INBOUND_MAIL_BUCKET"]},
                                 "object": {"key": key}}}]}  # fmt: skip
    sqs.send_message(QueueUrl=aws_env["INBOUND_MAIL_QUEUE_URL"], MessageBody=json.dumps(event))
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent"}
    sqs.send_message(QueueUrl=aws_env["INBOUND_MAIL_QUEUE_URL"], MessageBody=json.dumps(test_event))
    assert drain_mail() == 2
    matches = [p for p in email_pool() if p.source_ref == first.source_ref]
    assert [p.id for p in matches] == [first.id]


def test_an_oversize_message_is_kept_logged_and_opens_nothing(deliver, monkeypatch):
    monkeypatch.setattr(wiring.mail_intake(), "max_bytes", 2000)
    key = deliver(mail("big@example.com", "Büyük", "x" * 5000))
    entry = journal(key)
    assert entry["outcome"] == "refused" and "over 2000" in entry["reason"]
    assert precase_of(key) is None


def test_a_very_long_mail_still_becomes_a_pre_case(deliver):
    key = deliver(mail(f"{uuid.uuid4().hex[:8]}@example.com", "Uzun", "çok uzun metin " * 20_000))
    pre = precase_of(key)
    assert pre is not None and len(pre.text.encode()) <= PRECASE_TEXT_BYTES < 20_000 * 15
    assert pre.text.startswith("çok uzun metin")  # the rest stays in S3, and the pre-case
    assert [w.code for w in pre.warnings] == ["text_cut"]  # says it was cut


def test_an_emailed_reply_reaches_the_cases_agent(as_role, deliver, drain_routing, mailbox):
    from .test_notify import deliver_case, emails_to

    agent = as_role("agent")
    address = f"{uuid.uuid4().hex[:8]}@example.com"
    case = open_case(agent, customer={"email": address, "name": "Ahmet Yılmaz"})
    drain_routing()
    version = agent.get(f"/cases/{case['id']}").body["case"]["version"]
    assert agent.post(f"/cases/{case['id']}/claim", {"version": version}).status == 200
    deliver(mail(address, f"Re: Talebiniz alındı: {case['number']}", "Fatura ekte, bakar mısınız?"))
    found = agent.get(f"/cases/{case['id']}").body
    told = [(n["event"], n["audience"]) for n in found["notices"]]
    assert ("customer_replied", "assignee") in told  # decided with the threaded reply
    deliver_case(agent, case["id"])
    (sent,) = emails_to(mailbox, "mehmet", case["number"], "Müşteri yanıt verdi")
    assert "Fatura ekte, bakar mısınız?" in sent["body"]
