"""Files both ways and the other people on a case (docs/files-and-cc.md), through the API, S3
and the mailbox (what moto's SES captured)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import requests

from chalicelib import wiring
from chalicelib.config import settings
from chalicelib.domain.attachments import file_subject
from chalicelib.domain.clock import utcnow
from chalicelib.domain.links import site_case_url
from chalicelib.domain.signed_links import LinkPurpose

from .conftest import open_case

PDF = b"%PDF-1.4\n% fatura\n" + b"0" * 1024
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FILE_LINK = re.compile(r"https?://\S+/files/links/([A-Za-z0-9_-]+)")


def ahmets_case(agent, drain) -> dict:
    """A case of the seeded customer Ahmet (he signs in as `customer`), routed to `urun`."""
    case = open_case(agent, customer={"customer_number": "10000001"}, type="request",
                     subject=f"İade {uuid.uuid4().hex[:6]}",
                     description="Ürünü iade etmek istiyorum")  # fmt: skip
    drain()
    return agent.get(f"/cases/{case['id']}").body["case"]


def uploaded(api, case: dict, filename: str, content_type: str, content: bytes) -> str:
    """A file put in S3 through the case's presigned form, not confirmed: its id."""
    asked = api.post(
        f"/cases/{case['id']}/attachments",
        {"filename": filename, "content_type": content_type, "size": len(content)},
    )
    assert asked.status == 201, asked
    form = asked.body
    sent = requests.post(form["url"], data=form["fields"], files={"file": (filename, content)},
                         timeout=10)  # fmt: skip
    assert sent.status_code in (200, 204)
    return form["attachment_id"]


def test_an_agents_reply_carries_files_the_customer_sees_and_follows_from_the_email(
    as_role, drain_routing, drain_notify, mailbox, client
):
    agent, ahmet = as_role("agent"), as_role("customer")
    case = ahmets_case(agent, drain_routing)
    pdf = uploaded(agent, case, "fatura.pdf", "application/pdf", PDF)
    png = uploaded(agent, case, "kutu.png", "image/png", PNG)
    replied = agent.post(f"/cases/{case['id']}/replies",
                         {"version": case["version"], "body": "Fatura ve fotoğraf ekte.",
                          "attachment_ids": [pdf, png, pdf]})  # fmt: skip
    assert replied.status == 201, replied

    staff_view = agent.get(f"/cases/{case['id']}").body
    line = next(h for h in staff_view["history"] if h["kind"] == "reply")
    assert line["data"]["attachment_ids"] == [pdf, png]
    assert {a["id"]: a["filename"] for a in staff_view["attachments"]} == {
        pdf: "fatura.pdf", png: "kutu.png"}  # fmt: skip
    previews = {a["id"]: a["preview_url"] for a in staff_view["attachments"]}
    shown = requests.get(previews[png], timeout=10)  # inline, as the type destek checked
    assert shown.status_code == 200 and shown.headers["Content-Type"] == "image/png"
    assert shown.headers["Content-Disposition"].startswith("inline")
    mine = ahmet.get(f"/cases/{case['id']}").body
    assert sorted(a["id"] for a in mine["attachments"]) == sorted([pdf, png])
    assert requests.get(mine["attachments"][0]["url"], timeout=10).status_code == 200

    drain_notify()
    mails = [m for m in mailbox()["emails"]
             if m["to"] == ["ahmet@example.com"] and case["number"] in m["subject"]
             and "yanıt" in m["subject"]]  # fmt: skip
    assert len(mails) == 1, mailbox()["emails"][-3:]
    assert "fatura.pdf" in mails[0]["body"] and "kutu.png" in mails[0]["body"]
    tokens = FILE_LINK.findall(mails[0]["body"])
    assert len(tokens) == 2
    followed = client.http.get(f"/files/links/{tokens[0]}")
    assert followed.status_code == 302, followed.body
    assert followed.headers["Cache-Control"] == "no-store"
    download = requests.get(followed.headers["Location"], timeout=10)
    assert download.status_code == 200 and download.content == PDF


def test_a_notes_files_stay_internal_and_bad_file_lists_are_refused(as_role, drain_routing):
    agent, ahmet = as_role("agent"), as_role("customer")
    case = ahmets_case(agent, drain_routing)
    secret = uploaded(agent, case, "ic-yazisma.pdf", "application/pdf", PDF)
    noted = agent.post(
        f"/cases/{case['id']}/notes",
        {"version": case["version"], "body": "İç not", "attachment_ids": [secret]},
    )
    assert noted.status == 201, noted
    files = agent.get(f"/cases/{case['id']}").body["attachments"]
    assert [(f["id"], f["internal"]) for f in files] == [(secret, True)]
    assert ahmet.get(f"/cases/{case['id']}").body["attachments"] == []
    assert ahmet.post(f"/cases/{case['id']}/attachments/{secret}").status == 404
    # a link to it, even a genuine one, opens nothing
    token = wiring.link_keys().signer().sign(
        LinkPurpose.case_file, file_subject(case["id"], secret), case["customer_id"],
        utcnow() + timedelta(days=1))  # fmt: skip
    assert as_role(None).get(f"/files/links/{token}").status == 404
    expired = wiring.link_keys().signer().sign(
        LinkPurpose.case_file, file_subject(case["id"], secret), case["customer_id"],
        utcnow() - timedelta(days=1))  # fmt: skip
    assert as_role(None).get(f"/files/links/{expired}").status == 410

    version = noted.body["version"]
    unknown = agent.post(
        f"/cases/{case['id']}/replies",
        {"version": version, "body": "Ek", "attachment_ids": ["f-nothing"]},
    )
    assert unknown.status == 422 and unknown.body["error"]["code"] == "no_such_file", unknown
    six = agent.post(
        f"/cases/{case['id']}/replies",
        {"version": version, "body": "Ek", "attachment_ids": [f"f{i}" for i in range(6)]},
    )
    assert six.status == 422, six
    # the customer cannot name a file of another case
    other = ahmets_case(agent, drain_routing)
    theirs = uploaded(agent, other, "x.png", "image/png", PNG)
    foreign = ahmet.post(
        f"/cases/{case['id']}/replies",
        {"version": version, "body": "Ek", "attachment_ids": [theirs]},
    )
    assert foreign.status == 422 and foreign.body["error"]["code"] == "no_such_file", foreign


def test_cc_receives_public_replies_and_followers_hear_of_updates(
    as_role, drain_routing, drain_notify, mailbox
):
    agent = as_role("agent")
    case = ahmets_case(agent, drain_routing)
    colleague = f"muhasebe-{uuid.uuid4().hex[:6]}@example.com"
    bad = agent.post(f"/cases/{case['id']}/cc", {"version": case["version"], "cc": ["nope"]})
    assert bad.status == 422, bad
    copied = agent.post(f"/cases/{case['id']}/cc",
                        {"version": case["version"],
                         "cc": [colleague.upper(), "ahmet@example.com", colleague]})  # fmt: skip
    assert copied.status == 200, copied
    assert copied.body["cc"] == [colleague]
    unknown = agent.post(f"/cases/{case['id']}/followers",
                         {"version": copied.body["version"], "followers": ["kimse"]})  # fmt: skip
    assert unknown.status == 422 and unknown.body["error"]["code"] == "no_such_staff", unknown
    followed = agent.post(
        f"/cases/{case['id']}/followers",
        {"version": copied.body["version"], "followers": ["selin", "mehmet"]},
    )
    assert followed.status == 200 and followed.body["followers"] == ["selin", "mehmet"]
    history = agent.get(f"/cases/{case['id']}").body["history"]
    assert [h["kind"] for h in history].count("people_changed") == 2

    pdf = uploaded(agent, case, "fatura.pdf", "application/pdf", PDF)
    replied = agent.post(
        f"/cases/{case['id']}/replies",
        {"version": followed.body["version"], "body": "Kargonuz yolda.", "attachment_ids": [pdf]},
    )
    assert replied.status == 201, replied
    drain_notify()
    about = [m for m in mailbox()["emails"] if case["number"] in m["subject"]]
    to_cc = [m for m in about if m["to"] == [colleague]]
    assert len(to_cc) == 1 and "Kargonuz yolda." in to_cc[0]["body"], about
    # the copy links no site page (it opens only to the customer signed in): the colleague
    # answers by replying to the email; the file's signed link is there as the customer's is
    cc_body = to_cc[0]["body"]
    assert "case.html" not in cc_body and "Merhaba Ahmet" not in cc_body, cc_body
    assert "bu e-postayı yanıtlayın" in cc_body and case["number"] in to_cc[0]["subject"]
    assert "fatura.pdf" in cc_body and FILE_LINK.search(cc_body), cc_body
    to_customer = [m for m in about if m["to"] == ["ahmet@example.com"]
                   and m["subject"].startswith("Talebinize yanıt")]  # fmt: skip
    assert len(to_customer) == 1, about
    site_page = site_case_url(settings().site_url, "tr", case["number"])
    assert site_page in to_customer[0]["body"] and FILE_LINK.search(to_customer[0]["body"])
    assert "bu e-postayı yanıtlayın" not in to_customer[0]["body"]
    updates = [m for m in about if m["subject"].startswith("Takip ettiğiniz")]
    assert [m["to"] for m in updates] == [["selin@destek.example"]], about  # not his own reply
    assert "Kargonuz yolda." in updates[0]["body"]


def test_mail_from_a_copied_address_lands_on_the_case_a_strangers_does_not(as_role, deliver):
    from .test_inbound_mail import mail, precase_of

    api = as_role("admin")
    case = open_case(api, customer={"email": f"{uuid.uuid4().hex[:8]}@example.com",
                                    "name": "Ahmet"})  # fmt: skip
    colleague = f"muhasebe-{uuid.uuid4().hex[:6]}@example.com"
    stranger = deliver(mail(colleague, f"Re: {case['number']}", "Faturayı ben istemiştim."))
    assert precase_of(stranger) is not None  # not yet copied: the pool
    copied = api.post(f"/cases/{case['id']}/cc", {"version": case["version"], "cc": [colleague]})
    assert copied.status == 200, copied
    key = deliver(mail(colleague.upper(), f"Re: {case['number']}", "Fatura adresi değişti."))
    assert precase_of(key) is None
    replies = [e for e in api.get(f"/cases/{case['id']}").body["history"] if e["kind"] == "reply"]
    assert [r["body"] for r in replies] == ["Fatura adresi değişti."]
    assert replies[0]["data"]["cc_from"] == colleague


def test_a_bounce_of_the_cc_copy_is_the_ccs_not_the_customers(
    as_role, drain_routing, drain_notify, drain_mail, aws_env
):
    import json

    from .conftest import aws

    agent = as_role("agent")
    address = f"musteri-{uuid.uuid4().hex[:6]}@example.com"
    case = open_case(agent, customer={"email": address, "name": "Ayla"}, type="request",
                     subject="İade", description="Ürünü iade etmek istiyorum")  # fmt: skip
    drain_routing()
    case = agent.get(f"/cases/{case['id']}").body["case"]
    colleague = f"yok-{uuid.uuid4().hex[:6]}@example.com"
    copied = agent.post(f"/cases/{case['id']}/cc", {"version": case["version"], "cc": [colleague]})
    assert copied.status == 200, copied
    replied = agent.post(f"/cases/{case['id']}/replies",
                         {"version": copied.body["version"], "body": "Yanıtımız"})  # fmt: skip
    assert replied.status == 201, replied
    drain_notify()
    view = agent.get(f"/cases/{case['id']}").body
    sent = next(n for n in view["notices"] if n["event"] == "agent_replied")
    to_cc = next(d for d in sent["deliveries"] if d["to"] == colleague)
    bounce = {
        "notificationType": "Bounce",
        "mail": {"messageId": to_cc["message_id"]},
        "bounce": {
            "bounceType": "Permanent",
            "feedbackId": f"fb-{uuid.uuid4().hex}",
            "bouncedRecipients": [{"emailAddress": colleague, "status": "5.1.1"}],
        },
    }
    aws(aws_env, "sqs").send_message(QueueUrl=aws_env["INBOUND_MAIL_QUEUE_URL"],
                                     MessageBody=json.dumps(bounce))  # fmt: skip
    drain_mail()
    view = agent.get(f"/cases/{case['id']}").body
    entry = next(e for e in view["history"] if e["kind"] == "delivery_failed")
    assert entry["data"]["to"] == colleague
    customer = as_role("admin").get(f"/customers/{case['customer_id']}").body
    assert not customer.get("email_undeliverable")  # the customer's own copy arrived
