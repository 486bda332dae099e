"""Item 7 of issue 11: DynamoDB counts bytes. The largest text each writer accepts, made of
1-, 2-, 3- and 4-byte characters (hypothesis picks them), goes through that writer into
moto's table (which refuses items over 400 KB as DynamoDB does) and comes back whole; one
character more is refused before anything is written (or, for mail, cut and said so).

Writers that store user text: mail (a pre-case, a reply), the site (a customer's case), the
shop (a case into the pool, a chat transcript), social posts, and replies and notes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib import wiring
from chalicelib.domain.caller import Caller
from chalicelib.domain.limits import (
    CASE_TEXT_BYTES,
    CHAT_TEXT_BYTES,
    ITEM_BYTES,
    PRECASE_HTML_BYTES,
    PRECASE_TEXT_BYTES,
    SOCIAL_TEXT_BYTES,
    item_size,
    utf8_size,
)
from chalicelib.domain.permissions import Principal
from chalicelib.services.case_commands import Comment, OpenCase, OpenOwnCase
from chalicelib.services.intake_commands import ShopCase, ShopChat, ShopSocialPost
from chalicelib.store import keys

from .conftest import aws

#: per width, characters a person types (no whitespace, no controls, no surrogates)
RANGES = {1: (0x21, 0x7E), 2: (0xA1, 0x7FF), 3: (0x800, 0xFFFD), 4: (0x10000, 0x10FFFF)}


def chars(width: int) -> st.SearchStrategy[str]:
    low, high = RANGES[width]
    return st.characters(min_codepoint=low, max_codepoint=high,
                         categories=["L", "N", "P", "S"])  # fmt: skip


characters = st.sampled_from(sorted(RANGES)).flatmap(chars)
LIMITED = settings(max_examples=6, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip


def largest(ch: str, max_chars: int, max_bytes: int) -> str:
    return ch * min(max_chars, max_bytes // utf8_size(ch))


def staff() -> Caller:
    principal = Principal(kind="staff", subject="admin", username="admin", name="Admin",
                          roles=["admin"])  # fmt: skip
    return Caller(principal, wiring.role_catalog().roles_for(["admin"]))


def customer(customer_id: str) -> Caller:
    principal = Principal(kind="customer", subject="x", username="x@example.com",
                          customer_id=customer_id, roles=["customer"])  # fmt: skip
    return Caller(principal, wiring.role_catalog().roles_for(["customer"]))


def stored(pk: str) -> list[dict]:
    items = wiring.table().query_all(("PK", pk))
    assert all(item_size(i) < ITEM_BYTES for i in items)
    return items


def precase_items(precase_id: str) -> list[dict]:
    """The pre-case's own item (its partition also holds its events, each checked too)."""
    return [i for i in stored(keys.precase_key(precase_id)["PK"]) if i["SK"] == keys.PRECASE]


def new_case(text: str = "Kargom gelmedi") -> dict:
    command = OpenCase.model_validate({
        "customer": {"email": f"{uuid.uuid4().hex[:10]}@example.com", "name": "Ayşe Kaya"},
        "type": "complaint", "subject": "Kargo", "description": text,
    })  # fmt: skip
    return wiring.case_service().open_case(staff(), command).model_dump(mode="json")


@pytest.mark.usefixtures("aws_env")
@LIMITED
@given(ch=characters)
def test_site_a_customers_case(ch):
    seed = new_case()
    text = largest(ch, 20_000, CASE_TEXT_BYTES)
    command = OpenOwnCase.model_validate({"type": "complaint", "subject": "Kargo",
                                          "description": text})  # fmt: skip
    case = wiring.case_service().open_own_case(customer(seed["customer_id"]), command)
    meta = next(i for i in stored(keys.case_pk(case.id)) if i["entity"] == "case")
    assert meta["description"] == text
    with pytest.raises(ValidationError):  # one more character: refused, nothing written
        OpenOwnCase.model_validate({"type": "complaint", "subject": "Kargo",
                                    "description": text + ch})  # fmt: skip


@pytest.mark.usefixtures("aws_env")
@LIMITED
@given(ch=characters)
def test_replies_and_notes_staff_and_customer(ch):
    case = new_case()
    text = largest(ch, 20_000, CASE_TEXT_BYTES)
    service = wiring.case_service()
    version = case["version"]
    saved = service.reply(staff(), case["id"], Comment(version=version, body=text))
    saved = service.add_note(staff(), case["id"], Comment(version=saved.version, body=text))
    service.reply(customer(case["customer_id"]), case["id"],
                  Comment(version=saved.version, body=text))  # fmt: skip
    items = stored(keys.case_pk(case["id"]))
    bodies = [i.get("body") for i in items if i["entity"] == "history"]
    assert bodies.count(text) == 3
    notices = [i for i in items if i["entity"] == "notice" and i["event"] == "agent_replied"]
    # the notice names the reply's line rather than repeating the text (issue 21), so the
    # largest reply's notice stays small; the line it names holds the whole text
    lines = {i["id"]: i for i in items if i["entity"] == "history"}
    assert notices and lines[notices[0]["data"]["line"]]["body"] == text
    assert "body" not in notices[0]["data"]
    with pytest.raises(ValidationError):
        Comment(version=1, body=text + ch)


@pytest.mark.usefixtures("aws_env")
@LIMITED
@given(ch=characters)
def test_shop_a_case_into_the_pool_and_a_chat(ch):
    text = largest(ch, 20_000, CASE_TEXT_BYTES)
    data = ShopCase.model_validate({"customer_number": "10000001", "type": "request",
                                    "subject": "İade", "description": text})  # fmt: skip
    opened = wiring.shop_intake().open_case("demo-shop", data)
    (item,) = precase_items(opened.precase_id)
    assert item["text"] == text
    per_message = largest(ch, 4000, 4000 * 4)
    count = min(500, CHAT_TEXT_BYTES // utf8_size(per_message))
    chat = ShopChat.model_validate({
        "transcript_id": uuid.uuid4().hex[:20], "customer_number": "10000001",
        "started_at": datetime.now(UTC).isoformat(),
        "messages": [{"author": "customer", "text": per_message,
                      "at": datetime.now(UTC).isoformat()}] * count,
    })  # fmt: skip
    kept = wiring.shop_intake().keep_chat(chat)
    assert kept.messages == count
    with pytest.raises(ValidationError):
        ShopChat.model_validate({**chat.model_dump(mode="json"),
                                 "messages": [m.model_dump(mode="json") for m in chat.messages]
                                 * 2})  # fmt: skip
    with pytest.raises(ValidationError):
        ShopCase.model_validate({**data.model_dump(mode="json"), "description": text + ch})


@pytest.mark.usefixtures("aws_env")
@LIMITED
@given(ch=characters)
def test_social_posts(ch):
    text = largest(ch, 5000 - len(" berbat?"), SOCIAL_TEXT_BYTES - utf8_size(" berbat?"))
    post = ShopSocialPost.model_validate({
        "platform": "x", "author_handle": "ayse", "text": f"{text} berbat?",
        "url": f"https://x.example/{uuid.uuid4().hex}", "posted_at": datetime.now(UTC).isoformat(),
    })  # fmt: skip
    taken = wiring.social_inbox().receive(post)
    assert taken.status == "pre_case"
    (item,) = precase_items(taken.precase_id)
    assert item["text"] == f"{text} berbat?"
    with pytest.raises(ValidationError):
        ShopSocialPost.model_validate({**post.model_dump(mode="json"),
                                       "text": f"{text}{ch * 5000} berbat?"})  # fmt: skip


@pytest.fixture
def take_mail(aws_env):
    s3 = aws(aws_env, "s3")

    def take(raw: bytes):
        key = f"inbound/{uuid.uuid4().hex}"
        s3.put_object(Bucket=aws_env["INBOUND_MAIL_BUCKET"], Key=key, Body=raw)
        return wiring.mail_intake().take(key)

    return take


def mail(sender: str, subject: str, text: str, html: bool = True) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "destek@magaza.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    message.set_content(text, cte="base64")
    if html:
        message.add_alternative(f"<p>{text}</p>", subtype="html", cte="base64")
    return bytes(message)


@settings(LIMITED, max_examples=4)
@given(ch=characters)
def test_mail_a_pre_case_and_a_reply(take_mail, ch):
    over = ch * ((PRECASE_HTML_BYTES + 4096) // utf8_size(ch))  # over both of its limits
    outcome = take_mail(mail(f"{uuid.uuid4().hex[:8]}@example.com", "Uzun", over))
    assert outcome.outcome == "pre_case"
    (item,) = precase_items(outcome.precase_id)
    assert over.startswith(item["text"]) and utf8_size(item["text"]) <= PRECASE_TEXT_BYTES
    assert {w["code"] for w in item["warnings"]} == {"text_cut", "html_cut"}

    case = new_case()
    address = wiring.customer_service().store.get(case["customer_id"]).email
    outcome = take_mail(mail(address, f"Re: {case['number']}", over, html=False))
    assert outcome.outcome == "reply"
    (reply,) = [i for i in stored(keys.case_pk(case["id"]))
                if i["entity"] == "history" and i["kind"] == "reply"]  # fmt: skip
    assert over.startswith(reply["body"]) and reply["data"]["text_cut"] is True
