"""The assistant through the API on the moto stack: a visitor proves an order before anything
is said, a failed proof says nothing, proofs are limited per order and per address, a
hand-off opens a routed case with the conversation on it and the transcript on the 360, a
retried message is answered once, quiet conversations are settled and counted."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from chalice.local import LambdaEventConverter

from chalicelib import wiring
from chalicelib.domain.clock import ISTANBUL
from chalicelib.messaging.assistant_words import strings

from .test_late_deliveries import shipped, shop_customer
from .test_signed_calls import customer

TR = strings("tr")
AHMET = "10000001"  # the `customer` role's customer (phone ending 4567)


def today():
    return datetime.now(tz=UTC).astimezone(ISTANBUL).date()


class Chat:
    def __init__(self, api, language: str = "tr"):
        self.api = api
        started = api.post("/assistant/conversations", {"language": language})
        assert started.status == 201, started
        self.id = started.body["id"]
        self.greeting = started.body["messages"][0]["text"]

    def send(self, text: str, message_id: str | None = None):
        return self.api.post(
            f"/assistant/conversations/{self.id}/messages",
            {"client_message_id": message_id or uuid.uuid4().hex, "text": text},
        )

    def say(self, text: str) -> dict:
        answer = self.send(text)
        assert answer.status == 200, answer
        return answer.body


@pytest.fixture
def shop_order(api, shop):
    """A customer of the shop (phone and email known) with an order on its way by Yurtiçi;
    (customer number, order id, tracking number, the phone's last four, email)."""
    number, email = shop_customer(api, shop)
    phone = customer(number)["phone"]
    order_id, shipment_id = shipped(
        api, shop, number, "Yurtiçi Kargo", str(today() + timedelta(days=2))
    )
    return number, order_id, f"T{shipment_id[3:]}", phone.replace(" ", "")[-4:], email


def at(monkeypatch, address: str) -> None:
    monkeypatch.setattr(LambdaEventConverter, "LOCAL_SOURCE_IP", address)


def test_a_visitor_proves_the_order_then_hears_where_it_is(as_role, shop_order):
    _, order_id, tracking, last_four, email = shop_order
    chat = Chat(as_role(None))
    assert chat.greeting == TR["greeting"]
    assert chat.say("kargom nerde")["answer"]["text"] == TR["ask_order"]
    assert chat.say(order_id)["answer"]["text"] == TR["ask_secret"]
    answer = chat.say(last_four)["answer"]
    assert tracking in answer["text"] and "yolda" in answer["text"]
    (link,) = answer["links"]
    assert link["url"].startswith("https://www.yurticikargo.com/") and tracking in link["url"]
    by_email = Chat(as_role(None))
    assert tracking in by_email.say(f"{order_id} {email}")["answer"]["text"]
    read = as_role(None).get(f"/assistant/conversations/{chat.id}").body
    assert [m["author"] for m in read["messages"]] == ["bot", *["customer", "bot"] * 3]


def test_a_failed_proof_says_the_same_and_nothing_of_the_order(as_role, shop_order):
    _, order_id, tracking, last_four, _ = shop_order
    wrong = "0000" if last_four != "0000" else "1111"
    answers = [
        Chat(as_role(None)).say(text)["answer"]["text"]
        for text in (
            f"{order_id} {wrong}",
            f"NO-{uuid.uuid4().hex[:8]} {last_four}",
            f"{order_id} nobody@example.com",
        )
    ]
    assert answers == [TR["verify_failed"]] * 3
    assert all(order_id not in a and tracking not in a for a in answers)


def test_proofs_are_limited_per_order_number(as_role, shop_order, monkeypatch):
    _, order_id, tracking, last_four, _ = shop_order
    wrong = "0000" if last_four != "0000" else "1111"
    for n in range(5):  # five addresses, one wrong guess each: the order's allowance
        at(monkeypatch, f"10.200.{n}.{uuid.uuid4().int % 250}")
        assert (
            Chat(as_role(None)).say(f"{order_id} {wrong}")["answer"]["text"] == TR["verify_failed"]
        )
    at(monkeypatch, "10.201.0.1")
    locked = Chat(as_role(None)).say(f"{order_id} {last_four}")["answer"]["text"]
    assert locked == TR["verify_locked"] and tracking not in locked


def test_proofs_are_limited_per_address(as_role, api, shop, shop_order, monkeypatch):
    _, order_id, tracking, last_four, _ = shop_order
    at(monkeypatch, f"10.202.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")
    for _ in range(10):  # ten wrong guesses, each at another order number
        Chat(as_role(None)).say(f"NO-{uuid.uuid4().hex[:10]} 0000")
    locked = Chat(as_role(None)).say(f"{order_id} {last_four}")["answer"]["text"]
    assert locked == TR["verify_locked"] and tracking not in locked


def test_a_signed_in_customer_hears_only_of_their_own_orders(as_role, shop_order):
    _, other_order, other_tracking, _, _ = shop_order
    chat = Chat(as_role("customer"))
    assert chat.greeting == TR["greeting_signed_in"]
    refused = chat.say(f"{other_order} nerede")["answer"]["text"]
    assert refused == TR["order_not_found_mine"].format(order=other_order)
    answer = chat.say("DEMO-1001 takip numarası")["answer"]["text"]
    assert "104719352811" in answer and other_tracking not in answer
    # the conversation is Ahmet's: Fatma, a visitor, staff get nothing of it
    assert as_role("other_customer").get(f"/assistant/conversations/{chat.id}").status == 404
    assert as_role(None).get(f"/assistant/conversations/{chat.id}").status == 404
    assert (
        as_role(None)
        .post(
            f"/assistant/conversations/{chat.id}/messages",
            {"client_message_id": "m-00000001", "text": "x"},
        )
        .status
        == 404
    )


def test_asking_for_a_person_opens_a_routed_case_with_the_conversation(as_role, drain_routing):
    chat = Chat(as_role("customer"))
    chat.say("DEMO-1001 kargom nerede")
    answer = chat.say("kargom gelmedi, temsilciyle görüşmek istiyorum")
    assert answer["status"] == "closed" and answer["handoff"]["kind"] == "case"
    number = answer["handoff"]["number"]
    assert number in answer["answer"]["text"]
    drain_routing()
    admin = as_role("admin")
    found = admin.get(f"/cases/{number}").body
    case = found["case"]
    assert case["channel"] == "chat" and case["group_id"] == "teslimat"  # routed by "kargo"
    assert case["order"]["order_id"] == "DEMO-1001"
    note = next(h for h in found["history"] if h["kind"] == "note")
    assert "Müşteri: kargom gelmedi, temsilciyle görüşmek istiyorum" in note["body"]
    assert "104719352811" in note["body"]  # what the assistant said is on it too
    overview = admin.get(f"/customers/{case['customer_id']}/overview").body
    chat_line = next(c for c in overview["chats"] if c["id"] == chat.id)
    assert chat_line["outcome"] == "handed_over" and chat_line["bot"] == "destek"
    assert len(chat_line["messages"]) == 5
    closed = chat.send("bir şey daha")
    assert closed.status == 409 and closed.body["error"]["code"] == "conversation_closed"
    # the customer sees their case, in their words
    mine = as_role("customer").get(f"/cases/{number}").body["case"]
    assert "kargom gelmedi" in mine["description"]


def test_a_retried_message_is_answered_once(as_role, table_items):
    chat = Chat(as_role("customer"))
    first = chat.send("temsilci istiyorum", message_id="retry-000000001")
    again = chat.send("temsilci istiyorum", message_id="retry-000000001")
    assert first.status == again.status == 200 and first.body == again.body
    conversation = as_role("customer").get(f"/assistant/conversations/{chat.id}").body
    assert len(conversation["messages"]) == 3
    cases = [
        i
        for i in table_items()
        if i.get("entity", {}).get("S") == "case"
        and i.get("channel", {}).get("S") == "chat"
        and first.body["handoff"]["number"] == i.get("number", {}).get("S")
    ]
    assert len(cases) == 1


def test_a_visitor_leaves_a_contact_and_becomes_a_pre_case(as_role):
    chat = Chat(as_role(None))
    assert chat.say("canlı destek istiyorum")["answer"]["text"] == TR["ask_contact"]
    answer = chat.say("bana ulaşın: zeynep.arslan@example.com")
    assert answer["handoff"]["kind"] == "precase"
    pre = as_role("admin").get(f"/precases/{answer['handoff']['reference']}").body
    assert pre["channel"] == "chat" and pre["sender"]["email"] == "zeynep.arslan@example.com"
    assert pre["customer_id"] is None  # a visitor is matched to nobody on their word
    assert "canlı destek istiyorum" in pre["text"]


def test_the_shop_may_hand_over_to_pre_cases(as_role):
    admin = as_role("admin")
    before = {
        k: v
        for k, v in admin.get("/assistant/settings").body.items()
        if k not in ("updated_at", "updated_by")
    }
    assert admin.put("/assistant/settings", {**before, "handoff_to": "precase"}).status == 200
    try:
        answer = Chat(as_role("customer")).say("temsilci")
    finally:
        admin.put("/assistant/settings", before)
    assert answer["handoff"]["kind"] == "precase"
    pre = admin.get(f"/precases/{answer['handoff']['reference']}").body
    assert pre["customer_id"] and pre["subject"].startswith("Sohbet asistanı")


def test_a_delivery_late_beyond_the_threshold_is_handed_over(api, shop, as_role, drain_routing):
    number, _ = shop_customer(api, shop)
    phone = customer(number)["phone"].replace(" ", "")
    order_id, _ = shipped(api, shop, number, "Aras Kargo", str(today() - timedelta(days=3)))
    answer = Chat(as_role(None)).say(f"{order_id} {phone[-4:]} kargom gelmedi")
    assert answer["handoff"]["kind"] == "case"
    drain_routing()
    case = as_role("admin").get(f"/cases/{answer['handoff']['number']}").body["case"]
    assert (case["type"], case["priority"], case["group_id"]) == ("complaint", "high", "teslimat")
    assert case["order"]["order_id"] == order_id


def test_quiet_conversations_are_settled_and_the_report_counts_them(as_role, monkeypatch):
    service = wiring.assistant_service()
    answered = Chat(as_role("customer"))
    answered.say("DEMO-1001 nerede")
    abandoned = Chat(as_role(None))
    abandoned.say("kargom nerede")
    supervisor = as_role("supervisor")
    day = today()
    query = f"/reports/assistant?from={day}&to={day}&by=day"
    before = supervisor.get(query).body["totals"]
    later = datetime.now(tz=UTC) + timedelta(minutes=31)
    monkeypatch.setattr(service, "clock", lambda: later)
    settled = service.sweep()
    assert settled["settled"] >= 2
    after = supervisor.get(query)
    assert after.status == 200, after
    totals = after.body["totals"]
    assert totals["answered"] >= before["answered"] + 1
    assert totals["abandoned"] >= before["abandoned"] + 1
    assert after.body["rows"][0]["day"] == str(day)
    assert 0 <= totals["answered_share"] <= 1
    assert answered.send("bir sorum daha").status == 409
    exported = supervisor.get(f"/reports/assistant/export?from={day}&to={day}&by=day&lang=en")
    assert exported.status == 200 and "Answered without an agent" in exported.body, exported


def test_bad_input_is_a_clear_4xx(as_role, tokens):
    visitor = as_role(None)
    assert visitor.post("/assistant/conversations", {"language": "de"}).status == 422
    chat = Chat(visitor)
    path = f"/assistant/conversations/{chat.id}/messages"
    assert visitor.post(path, {"client_message_id": "short", "text": "x"}).status == 422
    assert visitor.post(path, {"client_message_id": "m-12345678", "text": ""}).status == 422
    assert visitor.post(path, {"client_message_id": "m-12345678", "text": "x" * 501}).status == 422
    assert (
        visitor.post(
            "/assistant/conversations/vNOSUCH/messages",
            {"client_message_id": "m-12345678", "text": "x"},
        ).status
        == 404
    )
    forged = visitor.as_(tokens["customer"][:-4] + "AAAA")
    assert forged.post("/assistant/conversations", {}).status == 401
    assert as_role("agent").post("/assistant/conversations", {}).status == 403


def test_the_longest_conversation_of_the_longest_messages_stays_one_item(as_role, monkeypatch):
    """500 four-byte characters a message until the conversation's cap: it ends (a visitor
    is pointed to the site's forms), and its one item stays far below DynamoDB's 400 KB."""
    from chalicelib.domain.assistant_state import MAX_MESSAGES
    from chalicelib.domain.limits import item_size

    chat = Chat(as_role(None))
    status = "open"
    for n in range(MAX_MESSAGES):
        if n % 25 == 0:  # the public route's per-address allowance is 30 a minute
            at(monkeypatch, f"10.203.{n}.{uuid.uuid4().int % 250}")
        answer = chat.send("😀" * 500)
        assert answer.status == 200, answer
        status = answer.body["status"]
        if status == "closed":
            break
    assert status == "closed" and answer.body["answer"]["text"] == TR["contact_give_up"]
    item = wiring.table().get({"PK": f"ASSIST#{chat.id}", "SK": "#CONV"})
    assert len(item["messages"]) <= MAX_MESSAGES
    assert item_size(item) < 300 * 1024, item_size(item)
