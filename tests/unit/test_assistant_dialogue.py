"""The assistant's dialogue on in-memory ports: verification, answers from the data, offers,
hand-off, retries, settling. Nothing about an order is said before it is proved, and a failed
proof reads the same whatever was wrong."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.assistant_nlu import Intent, understand
from chalicelib.domain.assistant_state import AssistantSettings, Conversation, HandOffReason, Stage
from chalicelib.domain.errors import Conflict, NotFound
from chalicelib.domain.orders import Shipment
from chalicelib.messaging.assistant_words import strings
from chalicelib.services.assistant_commands import SendMessage, StartConversation

from .assistant_world import NOW, TODAY, AssistantWorld
from .conftest import customer

TR, EN = strings("tr"), strings("en")


@pytest.fixture
def w() -> AssistantWorld:
    return AssistantWorld()


class Chat:
    """One conversation, as the widget holds it."""

    def __init__(self, w: AssistantWorld, caller=None, language="tr", client="10.0.0.1"):
        self.w, self.caller, self.client = w, caller, client
        self.view = w.service.start(caller, StartConversation(language=language))
        self.sent = 0

    def say(self, text: str, message_id: str | None = None):
        self.sent += 1
        body = SendMessage(client_message_id=message_id or f"m-{self.sent:06d}", text=text)
        return self.w.service.send(self.caller, self.view.id, body, self.client)

    def text(self, text: str) -> str:
        return self.say(text).answer.text

    @property
    def state(self) -> Conversation:
        return self.w.store.get(self.view.id)


def test_a_visitor_is_asked_for_the_order_and_its_proof_before_anything_is_said(w):
    chat = Chat(w)
    assert chat.view.messages[0].text == TR["greeting"]
    assert chat.text("kargom nerde") == TR["ask_order"]
    assert chat.text("DEMO-1001") == TR["ask_secret"]
    answer = chat.say("4567").answer
    assert "YK104719" in answer.text and "yolda" in answer.text
    assert "25 Kasım 2026" in answer.text  # the estimated day, in words
    assert (
        answer.links[0].url.startswith("https://www.yurticikargo.com/")
        and answer.links[0].label == "Yurtiçi Kargo sayfasında takip et"
    )
    assert chat.state.verified_orders == ["DEMO-1001"] and chat.state.customer_id == "c-ahmet"
    # the same visitor asks on: no proof needed for the proved order
    assert "Tahmini teslim tarihi 25 Kasım 2026" in chat.text("ne zaman gelir")


def test_the_order_and_its_proof_in_one_message_and_the_email_as_proof(w):
    chat = Chat(w)
    assert "YK104719" in chat.text("takip numarası DEMO-1001 4567")
    other = Chat(w)
    other.text("kargom nerede")
    other.text("demo-1001")  # typed in lower case
    assert "YK104719" in other.text("AHMET@example.com")


def test_a_failed_proof_says_the_same_whatever_was_wrong(w):
    wrong_phone, no_order, other_order = Chat(w), Chat(w), Chat(w)
    answers = [
        wrong_phone.text("DEMO-1001 0000"),
        no_order.text("NO-SUCH-1 4567"),
        other_order.text("FAT-2001 4567"),  # Fatma's order with Ahmet's digits
    ]
    assert answers == [TR["verify_failed"]] * 3
    for chat in (wrong_phone, no_order, other_order):
        assert chat.state.customer_id is None and chat.state.verified_orders == []


def test_a_proved_visitor_asking_about_another_order_must_prove_that_one_too(w):
    chat = Chat(w)
    chat.text("DEMO-1001 4567")
    assert chat.text("FAT-2001 nerede") == TR["ask_secret"]
    assert chat.text("4567") == TR["verify_failed"]  # Ahmet's digits do not open Fatma's order
    seen = " ".join(m.text for m in chat.state.messages)
    assert "MNG999888" not in seen and "FAT-2001" not in seen.replace("FAT-2001 nerede", "")
    # Fatma's own proof does not put her order into Ahmet's conversation either
    assert chat.text("FAT-2001 4321") == TR["verify_failed"]


def test_failures_are_limited_per_order_number_and_per_address(w):
    settings = AssistantSettings(failures_per_order=3, failures_per_address=5)
    w.store.saved_settings = settings
    for n in range(3):  # three addresses, one wrong guess each
        Chat(w, client=f"10.0.1.{n}").text("DEMO-1001 0000")
    right = Chat(w, client="10.0.2.1")
    assert right.text("DEMO-1001 4567") == TR["verify_locked"]  # locked even when right
    assert right.state.stage == Stage.AWAIT_CONTACT
    assert "YK104719" not in right.text("DEMO-0998 4567")  # the address is not locked...
    prober = [Chat(w, client="10.0.3.1") for _ in range(5)]
    for n, chat in enumerate(prober):
        chat.text(f"X-{n} 0000")  # ...but five failures from one address are
    assert Chat(w, client="10.0.3.1").text("DEMO-0998 4567") == TR["verify_locked"]


def test_three_failures_in_one_conversation_offer_an_agent_instead(w):
    chat = Chat(w)
    for _ in range(2):
        assert chat.text("DEMO-1001 0000") == TR["verify_failed"]
    assert chat.text("DEMO-1001 0001") == TR["verify_give_up"]
    answer = chat.say("bana ulaşın: zeynep@example.com")
    assert answer.status == "closed" and answer.handoff.kind == "precase"
    ((_, step),) = w.handoffs.opened
    assert step.reason == HandOffReason.NOT_VERIFIED and step.contact.email == "zeynep@example.com"


def test_guessing_on_in_one_conversation_is_refused_even_when_right_at_last(w):
    chat = Chat(w)
    for guess in ("0001", "0002"):
        assert chat.text(f"FAT-2001 {guess}") == TR["verify_failed"]
    assert chat.text("FAT-2001 0003") == TR["verify_give_up"]
    assert chat.text("FAT-2001 4321") == TR["verify_locked"]  # Fatma's digits, too late
    assert "MNG999888" not in " ".join(m.text for m in chat.state.messages)


def test_a_signed_in_customer_is_answered_about_their_own_orders_only(w):
    chat = Chat(w, customer("c-ahmet"))
    assert chat.view.messages[0].text == TR["greeting_signed_in"]
    assert "YK104719" in chat.text("kargom nerede")  # the one order on its way
    assert "AR3513" in chat.text("DEMO-0998 takip numarası")
    refused = chat.text("FAT-2001 nerede")
    assert refused == TR["order_not_found_mine"].format(order="FAT-2001")
    assert "MNG999888" not in " ".join(m.text for m in chat.state.messages)


def test_several_orders_on_their_way_ask_which(w):
    w.order("c-ahmet", "DEMO-1002", "shipped")
    chat = Chat(w, customer("c-ahmet"))
    asked = chat.say("siparişim ne zaman gelir").answer
    assert asked.text.startswith(TR["which_order"].split(":")[0])
    assert set(asked.suggestions) == {"DEMO-1002", "DEMO-1001"}
    assert "Tahmini teslim tarihi 25 Kasım 2026" in chat.text("DEMO-1001")


def test_another_customers_conversation_is_not_found(w):
    mine = Chat(w, customer("c-ahmet"))
    with pytest.raises(NotFound):
        w.service.send(
            customer("c-fatma"),
            mine.view.id,
            SendMessage(client_message_id="m-000001", text="kargom nerede"),
            "x",
        )
    with pytest.raises(NotFound):
        w.service.get(None, mine.view.id)


def test_asking_for_a_person_hands_over_with_the_case_number(w):
    chat = Chat(w, customer("c-ahmet"))
    chat.text("kargom nerede")
    answer = chat.say("temsilciyle görüşmek istiyorum")
    assert answer.status == "closed" and answer.handoff.number == "2026-000042"
    assert "2026-000042" in answer.answer.text
    ((_, step),) = w.handoffs.opened
    assert step.reason == HandOffReason.PERSON and step.order_id == "DEMO-1001"
    assert w.store.days[TODAY.isoformat()].handed_over == 1
    transcript = w.store.transcripts[chat.view.id]
    assert transcript.outcome == "handed_over" and transcript.customer_id == "c-ahmet"
    assert [m.author for m in transcript.messages][:3] == ["bot", "customer", "bot"]
    with pytest.raises(Conflict):
        chat.say("bir şey daha")


def test_a_visitor_who_wants_a_person_leaves_a_contact_for_a_pre_case(w):
    chat = Chat(w)
    assert chat.text("canlı destek lütfen") == TR["ask_contact"]
    assert chat.text("bilmiyorum") == TR["contact_missed"]
    answer = chat.say("0549 111 22 33")
    assert answer.handoff.kind == "precase" and answer.handoff.reference
    ((_, step),) = w.handoffs.opened
    assert step.contact.phone == "0549 111 22 33" and step.reason == HandOffReason.PERSON


def test_a_visitor_waiting_for_a_person_may_prove_the_order_instead(w):
    chat = Chat(w)
    chat.text("temsilci")
    answer = chat.say("DEMO-1001 4567")
    assert answer.handoff.kind == "case"
    ((_, step),) = w.handoffs.opened
    assert step.order_id == "DEMO-1001"


def test_two_questions_it_cannot_answer_hand_over(w):
    chat = Chat(w, customer("c-ahmet"))
    assert chat.text("hava nasıl") == TR["not_understood"]
    answer = chat.say("asdfgh")
    assert answer.handoff is not None
    ((_, step),) = w.handoffs.opened
    assert step.reason == HandOffReason.NOT_UNDERSTOOD


def test_a_message_sent_again_is_answered_once(w):
    chat = Chat(w, customer("c-ahmet"))
    first = chat.say("temsilci istiyorum", message_id="retry-0001")
    again = chat.say("temsilci istiyorum", message_id="retry-0001")
    assert again == first and len(w.handoffs.opened) == 1
    assert len(chat.state.messages) == 3


def test_a_delivery_late_beyond_the_threshold_goes_to_an_agent_with_the_shops_apology(w):
    w.late.late_settings = w.late.late_settings.model_copy(
        update={"grace_days": 1, "apology_tr": "GEC50 koduyla 50 TL indirim"}
    )
    late = Shipment(
        shipment_id="S-9",
        order_id="DEMO-0990",
        customer_id="c-ahmet",
        carrier="PTT Kargo",
        tracking_number="PTT123",
        status="in_transit",
        estimated_delivery=TODAY - timedelta(days=3),
        updated_at=NOW,
    )
    w.order("c-ahmet", "DEMO-0990", "shipped", late)
    chat = Chat(w, customer("c-ahmet"))
    answer = chat.say("DEMO-0990 nerede")
    assert "GEC50 koduyla 50 TL indirim" in answer.answer.text
    assert "20 Kasım 2026" in answer.answer.text and answer.handoff.number == "2026-000042"
    ((_, step),) = w.handoffs.opened
    assert step.reason == HandOffReason.LATE and step.order_id == "DEMO-0990"


def test_a_delivery_late_within_the_grace_days_is_answered_without_an_agent(w):
    w.late.late_settings = w.late.late_settings.model_copy(update={"grace_days": 3})
    late = Shipment(
        shipment_id="S-9",
        order_id="DEMO-0990",
        customer_id="c-ahmet",
        carrier="PTT Kargo",
        tracking_number="PTT123",
        status="in_transit",
        estimated_delivery=TODAY - timedelta(days=1),
        updated_at=NOW,
    )
    w.order("c-ahmet", "DEMO-0990", "shipped", late)
    chat = Chat(w, customer("c-ahmet"))
    answer = chat.say("DEMO-0990 hala gelmedi")
    assert answer.handoff is None and "20 Kasım 2026" in answer.answer.text
    assert not w.handoffs.opened


def test_cancel_explains_and_offers_a_request_yes_opens_it_no_does_not(w):
    w.order("c-ahmet", "DEMO-1003", "preparing")
    chat = Chat(w, customer("c-ahmet"))
    offered = chat.say("DEMO-1003 iptal etmek istiyorum").answer
    assert TR["cancel_possible"] in offered.text and offered.suggestions == ["Evet", "Hayır"]
    assert chat.text("hayır") == TR["no_problem"]
    assert TR["cancel_shipped"] in chat.text("DEMO-1001 iptal")
    answer = chat.say("evet")
    ((_, step),) = w.handoffs.opened
    assert step.reason == HandOffReason.RETURN and answer.handoff.number == "2026-000042"


def test_invoice_offers_a_request(w):
    chat = Chat(w, customer("c-ahmet"))
    assert TR["invoice_offer"].format(order="DEMO-1001") in chat.text("faturamı alamadım")
    chat.say("evet lütfen")
    ((_, step),) = w.handoffs.opened
    assert step.reason == HandOffReason.INVOICE


def test_was_the_sms_sent_answers_from_the_marks_and_the_shops_events(w):
    chat = Chat(w, customer("c-ahmet"))
    none = chat.text("DEMO-1001 için sms geldi mi")
    assert TR["notice_none"] in none
    w.late.marks.append(("S-1", "2026-11-22T07:00:00+00:00", "sms"))
    told = Chat(w, customer("c-ahmet")).text("DEMO-1001 sms gönderildi mi")
    assert "22 Kasım 2026 10:00" in told and "SMS" in told and TR["notice_none"] not in told


def test_an_english_conversation_is_answered_in_english(w):
    chat = Chat(w, language="en")
    assert chat.view.messages[0].text == EN["greeting"]
    assert chat.text("Where is my order?") == EN["ask_order"]
    answer = chat.text("DEMO-1001 4567")
    assert "YK104719" in answer and "on its way" in answer and "25 November 2026" in answer


def test_quiet_conversations_are_settled_answered_or_abandoned(w):
    answered = Chat(w, customer("c-ahmet"))
    answered.text("kargom nerede")
    abandoned = Chat(w)
    abandoned.text("kargom nerede")  # left at the order number
    w.clock.advance(minutes=29)
    assert w.service.sweep() == {"settled": 0, "skipped": 2}
    w.clock.advance(minutes=2)
    assert w.service.sweep()["settled"] == 2
    day = w.store.days[TODAY.isoformat()]
    assert (day.conversations, day.answered, day.abandoned) == (2, 1, 1)
    assert w.store.transcripts[answered.view.id].outcome == "answered"
    assert abandoned.view.id not in w.store.transcripts  # nobody to put it on
    with pytest.raises(Conflict):
        answered.say("bir sorum daha var")


def test_a_late_message_settles_the_quiet_conversation_and_asks_for_a_new_one(w):
    chat = Chat(w)
    w.clock.advance(minutes=31)
    with pytest.raises(Conflict) as raised:
        chat.say("kargom nerede")
    assert raised.value.code == "conversation_closed"
    assert w.store.days[TODAY.isoformat()].abandoned == 1


def test_understanding_depends_on_the_stage():
    assert Stage.AWAIT_SECRET.expecting.value == "secret"
    assert understand("4567", Stage.AWAIT_SECRET.expecting).last_four == "4567"
    assert understand("kargom", Stage.CHATTING.expecting).intent == Intent.WHERE
