"""What a customer's message to the assistant asks, and the order number, phone digits,
email or phone number it holds (docs/assistant.md#intents).

Customers write Turkish without its letters, inflected and with typos ("kargom nerde",
"siparisim gelmedı", "temsilciyle gorusmek istiyorum"), or English. The words are compared
with routing's normaliser (domain/text.py: Turkish lowercase, folded to ASCII, a keyword as
a word prefix, Snowball stems) and, for keywords of FUZZY_MIN letters or more, with one typo
allowed (Damerau-Levenshtein 1, search's `within_one_edit`). No model and no dependency:
the phrases below are the whole vocabulary, measured by bench/assistant.py.

When several intents match, the most specific wins (INTENT_ORDER): "SMS gelmedi" is about the
SMS, not a late parcel; "faturam gelmedi" about the invoice; greetings and thanks only when
nothing else was asked. Pure: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache

from .search_text import within_one_edit
from .text import Keyword, Word, words

#: keywords this long or longer may carry one typo
FUZZY_MIN = 5


class Intent(StrEnum):
    WHERE = "where"  # where is my order / parcel
    WHEN = "when"  # when will it arrive
    TRACKING = "tracking"  # the tracking number and how to use it
    LATE = "late"  # it was supposed to arrive and did not
    NOTICE = "notice"  # was the SMS / email sent
    CANCEL = "cancel"
    RETURN = "return"
    INVOICE = "invoice"
    PERSON = "person"  # I want a person
    GREETING = "greeting"
    THANKS = "thanks"
    UNKNOWN = "unknown"


#: intents about one order: answered only for a signed-in customer or a verified visitor
ORDER_INTENTS = frozenset(
    {
        Intent.WHERE,
        Intent.WHEN,
        Intent.TRACKING,
        Intent.LATE,
        Intent.NOTICE,
        Intent.CANCEL,
        Intent.RETURN,
        Intent.INVOICE,
    }
)
#: the most specific first: the first intent with a matching phrase wins (STRONG_TRACKING
#: is looked for at its own place: "takip numaram gelmedi" asks for the number)
INTENT_ORDER = (
    Intent.PERSON,
    Intent.NOTICE,
    Intent.INVOICE,
    Intent.CANCEL,
    Intent.RETURN,
    "strong_tracking",
    Intent.LATE,
    Intent.TRACKING,
    Intent.WHEN,
    Intent.WHERE,
    Intent.THANKS,
    Intent.GREETING,
)

# fmt: off
#: phrases per intent, Turkish and English, in their base forms (routing's rules: a keyword
#: matches a word it begins, so "kargo" finds "kargom", "kargoya")
PHRASES: dict[Intent, tuple[str, ...]] = {
    Intent.PERSON: (
        "temsilci", "müşteri hizmetleri", "canlı destek", "insan", "gerçek kişi", "yetkili",
        "operatör", "biriyle görüş", "biriyle konuş", "birine bağla", "bağlar mısınız",
        "görüşmek istiyorum", "konuşmak istiyorum", "beni arayın", "arar mısınız",
        "human", "person", "representative", "operator", "someone", "real person",
        "talk to", "speak to", "speak with", "customer service", "live agent", "agent",
    ),
    Intent.NOTICE: (
        "sms", "mesaj", "e posta", "eposta", "mail", "bildirim", "bilgilendirme",
        "email", "notification", "text message",
    ),
    Intent.INVOICE: ("fatura", "e arşiv", "invoice", "receipt", "bill"),
    Intent.CANCEL: ("iptal", "vazgeçtim", "cancel"),
    Intent.RETURN: (
        "iade", "geri gönder", "değişim", "değiştirmek", "geri ödeme", "cayma",
        "return", "refund", "exchange", "send back", "send it back",
    ),
    Intent.LATE: (
        "gelmedi", "gelmemiş", "gelmiyor", "ulaşmadı", "ulaşmamış", "ulaşmıyor",
        "teslim edilmedi", "teslim edilmemiş", "teslim almadım", "elime geçmedi", "gecik",
        "geç kaldı", "tarihi geçti", "tarih geçti", "günü geçti", "gelmesi gerekiyordu",
        "gelmesi lazımdı", "gelmeliydi", "bekliyorum", "hala yok", "hâlâ yok",
        "late", "delay", "overdue", "not arrived", "hasnt arrived", "havent received",
        "didnt arrive", "didnt get", "never arrived", "not delivered", "not received",
        "still waiting", "hasnt come", "still not here",
    ),
    Intent.TRACKING: (
        "takip", "gönderi numara", "gönderi kod", "barkod", "tracking", "track",
    ),
    Intent.WHEN: (
        "ne zaman", "kaç gün", "teslim tarihi", "tahmini", "ne vakit", "gelir mi",
        "gelecek mi", "ulaşır mı", "yarın", "bugün", "teslim edilir",
        "when", "arrive", "delivery date", "eta", "how long", "how many days",
    ),
    Intent.WHERE: (
        "nerede", "nerde", "nerdedir", "ne durumda", "durumu", "durum", "hangi aşamada",
        "sorgula", "where", "status",
    ),
    Intent.THANKS: (
        "teşekkür", "teşekkürler", "sağ ol", "sağol", "saol", "tşk", "eyvallah", "süper",
        "tamamdır", "anladım", "thanks", "thank", "thx", "great", "perfect", "got it",
    ),
    Intent.GREETING: (
        "merhaba", "merhabalar", "selam", "slm", "mrb", "iyi günler", "günaydın",
        "iyi akşamlar", "hello", "hi", "hey", "good morning", "good afternoon",
        "good evening",
    ),
}
#: phrases that name the tracking number itself: asked for even when it "did not come"
STRONG_TRACKING = ("takip numara", "takip no", "takip kod", "gönderi numara",
                   "tracking number", "tracking code")  # fmt: skip
#: words that say the message is about an order or a parcel, without saying what: "where"
ORDER_WORDS = ("kargo", "sipariş", "paket", "gönderi", "koli", "order", "package", "parcel",
               "shipment", "delivery")
YES = ("evet", "evt", "olur", "tamam", "lütfen", "isterim", "açın", "açabilirsin", "aç",
       "ilet", "iletin", "yes", "yep", "yeah", "sure", "ok", "okay", "please")
NO = ("hayır", "hayir", "yok", "istemiyorum", "gerek yok", "gerekmez", "kalsın", "no",
      "nope", "not now", "no thanks")
# fmt: on

_APOSTROPHES = str.maketrans("", "", "'’`´")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
#: a Turkish mobile number as people type it: 0532 123 45 67, +90 (532) 123-45-67, 5321234567;
#: never the digits of a reference joined to letters ("O-569683 0000" is an order and the
#: phone's last four, not the number 569 683 00 00)
_PHONE = re.compile(
    r"(?<![\w+])(?<!\w[-_/])(?:\+?90[\s-]?)?\(?0?\s?5\d{2}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\w)"
)
#: a date or a time, never an order number: 12.03, 12/03/2026, 14:30
_DATE_OR_TIME = re.compile(r"^\d{1,2}[./:]\d{1,2}(?:[./]\d{2,4})?$")
#: what a shop's order number may look like (its Ref: letters, digits and _ . : / -)
_TOKEN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_./:-]*[A-Za-z0-9])?")
_DIGITS = re.compile(r"\d")


class Expecting(StrEnum):
    """What the assistant asked for last, which decides what a bare number is."""

    NOTHING = "nothing"
    ORDER = "order"  # an order number
    SECRET = "secret"  # the phone's last four digits or the email on the order
    CONTACT = "contact"  # an email or phone to be called back on
    CONFIRM = "confirm"  # yes or no


@dataclass(frozen=True)
class Heard:
    """One message understood: its intent, and what it holds.

    `order`: an order number as typed (without a leading #); `last_four`: four digits that
    may be the phone's last four (or a full phone's); `email`; `phone`: a whole phone number
    as typed (a way to call back); `yes`/`no`: an answer to an offer."""

    intent: Intent
    order: str | None = None
    last_four: str | None = None
    email: str | None = None
    phone: str | None = None
    yes: bool = False
    no: bool = False
    about_orders: bool = False
    matched: tuple[str, ...] = field(default_factory=tuple)

    @property
    def secret(self) -> bool:
        return bool(self.last_four or self.email)

    @property
    def anything(self) -> bool:
        """It holds an order number, a secret or a contact."""
        return bool(self.order or self.secret or self.phone)


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, tuple[tuple[Keyword, ...], ...]]:
    """Each intent's phrases (and the yes, no and order words) as keywords, built once."""

    def phrases(texts: tuple[str, ...]) -> tuple[tuple[Keyword, ...], ...]:
        return tuple(tuple(Keyword.of(w) for w in re.findall(r"[^\W_]+", t)) for t in texts)

    built = {intent.value: phrases(texts) for intent, texts in PHRASES.items()}
    built |= {"yes": phrases(YES), "no": phrases(NO), "order": phrases(ORDER_WORDS),
              "strong_tracking": phrases(STRONG_TRACKING)}  # fmt: skip
    return built


def _word_matches(keyword: Keyword, word: Word) -> bool:
    if keyword.matches(word):
        return True
    wanted = keyword.prefixes[0]
    if len(wanted) < FUZZY_MIN or len(word.folded) < len(wanted) - 1:
        return False
    # the keyword against the word's beginning of about its length: a typo inside an
    # inflected word ("temslcinize") still finds "temsilci"
    return any(
        within_one_edit(wanted, word.folded[:n])
        for n in (len(wanted) - 1, len(wanted), len(wanted) + 1)
    )


def _found(phrases: tuple[tuple[Keyword, ...], ...], text_words: list[Word]) -> list[str]:
    """The phrases (as written) found in the words, in order."""
    hits = []
    for phrase in phrases:
        size = len(phrase)
        for start in range(len(text_words) - size + 1):
            window = text_words[start : start + size]
            if all(_word_matches(k, w) for k, w in zip(phrase, window, strict=True)):
                hits.append(" ".join(k.text for k in phrase))
                break
    return hits


def _whole(phrases: tuple[tuple[Keyword, ...], ...], text_words: list[Word]) -> bool:
    """Is the whole message one of these phrases (a bare "evet", "no thanks")? Short answers
    only: "evet ama kargom nerede" is a question, not a yes."""
    folded = [w.folded for w in text_words]
    return any([k.prefixes[0] for k in p] == folded for p in phrases) or (
        len(folded) <= 3 and bool(_found(phrases, text_words))
    )


def intent_of(text: str) -> tuple[Intent, tuple[str, ...], bool]:
    """(the intent, the phrases that decided it, whether order words were seen)."""
    text_words = words(text.translate(_APOSTROPHES))
    vocabulary = _vocabulary()
    about_orders = bool(_found(vocabulary["order"], text_words))
    for intent in INTENT_ORDER:
        name = intent.value if isinstance(intent, Intent) else intent
        hits = _found(vocabulary[name], text_words)
        if hits:
            return (intent if isinstance(intent, Intent) else Intent.TRACKING), tuple(hits), \
                about_orders  # fmt: skip
    if about_orders:
        return Intent.WHERE, (), True
    return Intent.UNKNOWN, (), False


def _entities(text: str) -> tuple[list[str], list[str], list[str]]:
    """(emails, phones, order-like tokens) in the order they appear."""
    emails = _EMAIL.findall(text)
    rest = _EMAIL.sub(" ", text)
    phones = [m.group(0).strip() for m in _PHONE.finditer(rest)]
    rest = _PHONE.sub(" ", rest)
    tokens = []
    for raw in _TOKEN.findall(rest.replace("#", " ")):
        token = raw.strip(".:/-_")
        if len(token) >= 3 and _DIGITS.search(token) and not _DATE_OR_TIME.match(token):
            tokens.append(token)
    return emails, phones, tokens


def understand(text: str, expecting: Expecting = Expecting.NOTHING) -> Heard:
    """The message's intent and what it holds, read in the light of what was asked last:
    four digits are the phone's last four when the assistant asked for them (or when they
    follow an order number), else an order number; a bare "evet"/"no" answers an offer only
    when one is pending."""
    text = unicodedata.normalize("NFC", text)
    intent, matched, about_orders = intent_of(text)
    emails, phones, tokens = _entities(text)
    last_four = re.sub(r"\D", "", phones[-1])[-4:] if phones else None
    four = [t for t in tokens if t.isdigit() and len(t) == 4]
    order = None
    if expecting == Expecting.SECRET and four and len(tokens) == 1:
        last_four = four[-1]
    elif len(tokens) >= 2 and tokens[-1] in four:
        order, last_four = tokens[0], tokens[-1]
    elif tokens and (expecting == Expecting.ORDER or len(tokens[0]) >= 4):
        order = tokens[0]
    yes = no = False
    if expecting == Expecting.CONFIRM and not (emails or phones or tokens):
        text_words = words(text.translate(_APOSTROPHES))
        vocabulary = _vocabulary()
        no = _whole(vocabulary["no"], text_words)
        yes = not no and _whole(vocabulary["yes"], text_words)
        if yes or no:
            intent = Intent.UNKNOWN if intent in (Intent.THANKS, Intent.GREETING) else intent
    return Heard(
        intent=intent,
        order=order,
        last_four=last_four,
        email=emails[0] if emails else None,
        phone=phones[0] if phones else None,
        yes=yes,
        no=no,
        about_orders=about_orders,
        matched=matched,
    )
