"""Turkish-aware keyword routing: case folding (İ/ı), missing Turkish letters, suffixes.

The rules are the demo rules the local stack seeds, so this table is also what a
person trying `make run` sees happen.
"""

import pytest

from chalicelib.domain.case_kinds import CaseType, Priority
from chalicelib.domain.conditions import CaseFacts
from chalicelib.domain.customers import CustomerCategory
from chalicelib.domain.routing_rules import RoutingRule, decide, raise_priority
from chalicelib.domain.text import Keyword, fold, turkish_lower, words
from devstack.seed import RULE_OPTIONS, RULES

DEMO_RULES = [
    RoutingRule(
        id=f"r{i}", name=name, order=order, phrases=phrases, group_id=group,
        set_category_id=category, priority_bump=bump, **RULE_OPTIONS.get(name, {}),
    )
    for i, (name, order, phrases, group, category, bump) in enumerate(RULES)
]  # fmt: skip

TABLE = [
    # delivery
    ("KARGOM gelmedi", "teslimat"),
    ("kargoya verilmiş ama hareket yok", "teslimat"),
    ("Kargodan haber yok", "teslimat"),
    ("KARGODAN HABER YOK", "teslimat"),
    ("kargocu kapıya gelmedi", "teslimat"),
    ("Siparişim gelmedi, 5 gün oldu", "teslimat"),
    ("siparisim gelmedi", "teslimat"),
    ("SİPARİŞİM GELMEDİ", "teslimat"),
    ("SIPARISIM GELMEDI", "teslimat"),
    ("Paket gelmedi hâlâ", "teslimat"),
    ("takip numarası çalışmıyor", "teslimat"),
    ("Takip numarasi yanlis", "teslimat"),
    ("teslimatı ne zaman olur", "teslimat"),
    ("Kurye adresi bulamamış", "teslimat"),
    ("ürün bana ulaşmadı", "teslimat"),
    ("urun bana ulasmadi", "teslimat"),
    ("adresimi değiştirmek istiyorum", "teslimat"),
    # payment
    ("Ödeme yaptım ama sipariş görünmüyor", "finans"),
    ("odeme alinmadi", "finans"),
    ("ÖDEMEM iki kez çekildi", "finans"),
    ("Faturamı göremiyorum", "finans"),
    ("faturami gonderir misiniz", "finans"),
    ("FATURA bilgisi yanlış", "finans"),
    ("kredi kartımdan fazla çekim yapıldı", "finans"),
    ("Kredi kartimdan iki kez para cekildi", "finans"),
    ("taksitlendirme yapılmadı", "finans"),
    ("para iadesi ne zaman yatar", "finans"),
    ("havalem görünmüyor", "finans"),
    # returns
    ("İADE istiyorum", "urun"),
    ("IADE etmek istiyorum", "urun"),
    ("iadem ne durumda", "urun"),
    ("iadesi yapılmadı", "urun"),
    ("Ürünü değiştirmek yerine değişim talep ediyorum", "urun"),
    ("siparişimi iptal etmek istiyorum", "urun"),
    ("IPTAL edin lütfen", "urun"),
    # faults
    ("telefon çalışmıyor", "urun"),
    ("Telefon CALISMIYOR", "urun"),
    ("ekranı kırık geldi", "urun"),
    ("kırığı var kutunun", "urun"),
    ("cihaz bozuldu", "urun"),
    ("BOZUK ürün gönderilmiş", "urun"),
    ("hasarlı geldi", "urun"),
    ("şarj olmuyor", "urun"),
    ("sarj olmuyor", "urun"),
    # nothing matches: the default group
    ("Merhaba, bir sorum var", "urun"),
    ("Hesabıma giriş yapamıyorum", "urun"),
    ("evrak eksik", "urun"),
    # issue 20: a verb that shares a keyword's stem, a denied topic, a verb form, a slip
    ("Şifrem değişti, giriş yapamıyorum", "urun"),
    ("Kargo sorunu değil, faturam yanlış", "finans"),
    ("Siparişim hâlâ teslim edilmedi", "teslimat"),
    ("faturra gelmedi", "finans"),
]


@pytest.mark.parametrize(("text", "group"), TABLE)
def test_turkish_phrases_route_to_their_group(text, group):
    decision = decide(DEMO_RULES, CaseFacts(text=text), default_group="urun")
    assert decision.group_id == group, (decision.reason_code, decision.rule_name, decision.matched)


def test_table_is_big_enough():
    assert len(TABLE) >= 40


def test_decision_says_which_rule_and_words():
    decision = decide(DEMO_RULES, CaseFacts(text="KARGOM gelmedi, kargoya da sordum"), "urun")
    assert decision.rule_name == "Kargo ve teslimat"
    assert decision.matched == ["KARGOM"]
    assert decision.set_category_id == "k-teslimat"
    assert decision.reason_code == "rule_matched"
    assert decide(DEMO_RULES, CaseFacts(text="merhaba"), "urun").reason_code == "default_group"


def test_first_rule_by_order_wins_and_bumps_priority():
    text = "kargom gelmedi, avukatıma danışacağım"
    decision = decide(DEMO_RULES, CaseFacts(text=text, priority=Priority.NORMAL), "urun")
    assert decision.rule_name == "Hukuki süreç"
    assert decision.priority == Priority.URGENT


def test_limits_on_type_category_and_customer():
    vip = RoutingRule(
        id="v", name="VIP", order=1, phrases=["kargo"], group_id="vip",
        customer_category=CustomerCategory.VIP, case_types=[CaseType.COMPLAINT],
        category_id="k-siparis",
    )  # fmt: skip
    rules = [vip, *DEMO_RULES]
    base = {"text": "kargom yok", "category_path": ["k-siparis", "k-teslimat"]}
    match = CaseFacts(**base, customer_category="vip", type="complaint")
    assert decide(rules, match, "urun").group_id == "vip"
    for other in (
        {"customer_category": "normal", "type": "complaint"},
        {"customer_category": "vip", "type": "question"},
    ):
        assert decide(rules, CaseFacts(**base, **other), "urun").group_id == "teslimat"
    outside = CaseFacts(text="kargom yok", category_path=["k-urun"], customer_category="vip",
                        type="complaint")  # fmt: skip
    assert decide(rules, outside, "urun").group_id == "teslimat"


def test_disabled_rules_are_skipped():
    off = DEMO_RULES[1].model_copy(update={"enabled": False})
    assert decide([off], CaseFacts(text="kargom gelmedi"), "urun").group_id == "urun"


def test_turkish_case_folding():
    assert turkish_lower("İADE") == "iade"
    assert turkish_lower("IŞIK") == "ışık"
    assert fold("IŞIK") == "isik"
    assert fold("ÇALIŞMIYOR") == "calismiyor"


def test_short_keywords_match_whole_words_only():
    ev = Keyword.of("ev")
    assert ev.matches(words("ev")[0])
    assert not ev.matches(words("evrak")[0])


def test_softened_consonants():
    assert Keyword.of("kitap").matches(words("kitabım")[0])
    assert Keyword.of("kırık").matches(words("kırığı")[0])
    assert Keyword.of("renk").matches(words("rengi")[0])


def test_priority_ladder_is_capped():
    assert raise_priority(Priority.LOW, 1) == Priority.NORMAL
    assert raise_priority(Priority.HIGH, 3) == Priority.URGENT
