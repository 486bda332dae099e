"""The assistant understands Turkish as customers write it (no Turkish letters, inflected,
with typos) and English, and finds order numbers, phone digits, emails and phones."""

from __future__ import annotations

import pytest

from chalicelib.domain.assistant_nlu import Expecting, Intent, understand

# fmt: off
INTENTS = [
    # where
    ("Kargom nerede?", Intent.WHERE),
    ("kargom nerde", Intent.WHERE),
    ("siparisim ne durumda", Intent.WHERE),
    ("SİPARİŞİMİN DURUMU", Intent.WHERE),
    ("kragom nerde acaba", Intent.WHERE),  # a typo
    ("paketim?", Intent.WHERE),  # only order words
    ("Where is my order?", Intent.WHERE),
    ("order status please", Intent.WHERE),
    # when
    ("ne zaman gelir", Intent.WHEN),
    ("siparişim ne zmn gelcek, ne zaman gelir", Intent.WHEN),
    ("kac gunde teslim edilir", Intent.WHEN),
    ("tahmini teslim tarihi nedir", Intent.WHEN),
    ("When will my parcel arrive?", Intent.WHEN),
    # tracking
    ("takip numaram ne", Intent.TRACKING),
    ("kargo takip no", Intent.TRACKING),
    ("takip kodunu nasil kullanicam", Intent.TRACKING),
    ("What is my tracking number?", Intent.TRACKING),
    ("takip numaram gelmedi", Intent.TRACKING),  # the number itself, not a late parcel
    # late
    ("siparisim gelmedı", Intent.LATE),
    ("kargom hala gelmedi", Intent.LATE),
    ("paketim ulaşmadı", Intent.LATE),
    ("teslim tarihi geçti ama gelmedi", Intent.LATE),
    ("3 gündür bekliyorum", Intent.LATE),
    ("kargo gecikti", Intent.LATE),
    ("My package hasn't arrived", Intent.LATE),
    ("it is late", Intent.LATE),
    # the SMS or email
    ("SMS gelmedi", Intent.NOTICE),
    ("kargo mesajı gelmedi", Intent.NOTICE),
    ("bana mail attınız mı", Intent.NOTICE),
    ("e-posta gönderildi mi", Intent.NOTICE),
    ("Did you send me an email?", Intent.NOTICE),
    # cancel, return, invoice
    ("siparişimi iptal etmek istiyorum", Intent.CANCEL),
    ("iptal edebilir miyim", Intent.CANCEL),
    ("I want to cancel", Intent.CANCEL),
    ("iade etmek istiyorum", Intent.RETURN),
    ("urunu geri gondermek istiyorum", Intent.RETURN),
    ("değişim yapabilir miyim", Intent.RETURN),
    ("I want a refund", Intent.RETURN),
    ("faturam gelmedi", Intent.INVOICE),
    ("fatura lazım", Intent.INVOICE),
    ("Can I get an invoice?", Intent.INVOICE),
    # a person
    ("temsilciyle gorusmek istiyorum", Intent.PERSON),
    ("temslcinize baglayin", Intent.PERSON),  # a typo
    ("canlı destek", Intent.PERSON),
    ("insanla konuşmak istiyorum, kargom gelmedi", Intent.PERSON),
    ("I want to talk to a human", Intent.PERSON),
    # greeting, thanks, nonsense
    ("merhaba", Intent.GREETING),
    ("slm", Intent.GREETING),
    ("Hello", Intent.GREETING),
    ("teşekkürler", Intent.THANKS),
    ("tesekkur ederim", Intent.THANKS),
    ("sağol", Intent.THANKS),
    ("thanks", Intent.THANKS),
    ("asdf qwer", Intent.UNKNOWN),
    ("hava çok güzel", Intent.UNKNOWN),
]
# fmt: on


@pytest.mark.parametrize(("text", "intent"), INTENTS, ids=[t for t, _ in INTENTS])
def test_the_intent_of_what_customers_write(text, intent):
    assert understand(text).intent == intent


def test_a_greeting_with_a_question_is_the_question():
    assert understand("Merhaba, kargom nerede?").intent == Intent.WHERE
    assert understand("Selam, faturam lazım").intent == Intent.INVOICE


def test_an_order_number_and_the_phones_last_four_in_one_message():
    heard = understand("Sipariş no DEMO-1001, telefonumun son 4 hanesi 4567")
    assert (heard.order, heard.last_four) == ("DEMO-1001", "4567")
    heard = understand("#10045 1234")
    assert (heard.order, heard.last_four) == ("10045", "1234")


@pytest.mark.parametrize("order", ["O-569683", "A/542743", "SIP-5000001"])
def test_a_reference_whose_digits_and_the_last_four_spell_a_mobile_stays_an_order(order):
    """ "O-569683 0000" holds ten digits that read as 569 683 00 00 (a Turkish mobile): the
    digits joined to the reference's letters are the order's, found once in a CI run where
    the test's order number happened to be O-5xxxxx."""
    heard = understand(f"{order} 0000")
    assert (heard.order, heard.last_four, heard.phone) == (order, "0000", None)


def test_what_a_bare_number_is_depends_on_what_was_asked():
    assert understand("1001", Expecting.ORDER).order == "1001"
    asked_secret = understand("4567", Expecting.SECRET)
    assert (asked_secret.order, asked_secret.last_four) == (None, "4567")
    assert understand("123").order is None  # three digits out of the blue: no order number


def test_a_full_phone_gives_its_last_four_and_a_way_to_call_back():
    for typed in ("0532 123 45 67", "+90 (532) 123-45-67", "5321234567"):
        heard = understand(f"numaram {typed}")
        assert heard.last_four == "4567" and heard.phone == typed, typed
        assert heard.order is None


def test_an_email_and_dates_are_no_order_numbers():
    heard = understand("ahmet@example.com, 12.03.2026 de sipariş verdim saat 14:30")
    assert heard.email == "ahmet@example.com" and heard.order is None


def test_yes_and_no_only_answer_an_offer():
    assert understand("evet", Expecting.CONFIRM).yes
    assert understand("Evet lütfen", Expecting.CONFIRM).yes
    assert understand("yes please", Expecting.CONFIRM).yes
    assert understand("hayır teşekkürler", Expecting.CONFIRM).no
    assert understand("gerek yok", Expecting.CONFIRM).no
    assert not understand("evet").yes  # nothing was offered
    long = understand("evet ama kargom nerede onu söyleyin", Expecting.CONFIRM)
    assert not long.yes and long.intent == Intent.WHERE
    assert not understand("no DEMO-1001", Expecting.CONFIRM).no  # "no" as in number
