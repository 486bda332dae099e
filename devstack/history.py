"""A shop's resolved history, synthetic: ~600 cases with the group each ended in, written
as customers write (issue 20, second half). What routing learns from on the demo stack, and
what `make bench` measures the learned classifier on (bench/routing_learning.py).

Each case is a customer's sentence about one topic of one of the issue 20 groups
(teslimat, iade, finans, teknik, musteri: those of tests/data/routing_eval.tsv), joined from
a frame's beginning and end (FRAMES), with an opener, a detail and a closer around it; a
few (NOISE) an agent resolved in another group. Some carry a word the rules of
bench/turkish_text.py catch ("kargom gelmedi"), others none ("paketim nerede kaldı"): those
go to the default group and an agent moves them, the corrections the report reads.
Deterministic (a seeded random), so the figures are the same on every run.

`seed_history(days=180)` writes the learning items of the history into the local stack's
table (examples of resolved cases, and a correction for each case the demo's rules would
have sent elsewhere), with the demo's three groups (iade, teknik, musteri → urun); the
cases themselves are not written (the console's lists stay the demo's).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.conditions import CaseFacts
from chalicelib.domain.routing_corrections import Correction, Example
from chalicelib.domain.routing_rules import RoutingRule, decide

#: per group: frames of a customer's sentence, each a list of beginnings and a list of ends
#: joined at random ("paketim" + "hâlâ gelmedi"); some words the issue 20 rules catch
#: ("kargom", "iade"), others not ("paketim", "geri göndermek"): the rules miss those
FRAMES: dict[str, list[tuple[list[str], list[str]]]] = {
    "teslimat": [
        (["kargom", "paketim", "siparişim", "gönderim", "koli", "siparişimin paketi"],
         ["hâlâ gelmedi", "nerede kaldı", "beş gündür yolda", "dağıtım merkezinde bekliyor",
          "elime ulaşmadı", "komşuya bırakılmış", "yanlış adrese gitmiş", "şubede bekliyor"]),
        (["kurye", "dağıtıcı", "kargo görevlisi", "taşıyıcı firma"],
         ["kapıya gelmeden not bırakmış", "paketi başkasına vermiş", "adresi bulamamış",
          "aramadan geri dönmüş"]),
        (["takip numarası", "gönderi takibi", "teslimat tarihi", "tahmini varış günü"],
         ["sistemde görünmüyor", "güncellenmiyor", "geçti", "üç kez değişti"]),
    ],
    "iade": [
        (["ürünü", "ayakkabıyı", "elbiseyi", "siparişi", "aldığım montu"],
         ["iade etmek istiyorum", "geri göndermek istiyorum", "geri yollayacağım",
          "değiştirmek istiyorum", "mağazaya geri bırakabilir miyim"]),
        (["iade kodumu", "iade talebimi", "değişim talebimi", "cayma hakkımı"],
         ["alamadım", "onaylatamadım", "kullanmak istiyorum", "sonuçlandıramadım"]),
        (["bedeni olmadı", "yanlış renk geldi", "beğenmedim", "numarası küçük geldi"],
         ["büyüğüyle değiştirin", "geri almanızı istiyorum", "başkasıyla değiştirin",
          "iadesini yapın"]),
    ],
    "finans": [
        (["kartımdan", "kredi kartımdan", "hesabımdan", "banka kartımdan"],
         ["iki kez para çekilmiş", "fazla tutar çekilmiş", "çekim yapılmış ama sipariş yok",
          "provizyon düşmedi"]),
        (["faturam", "e-arşiv belgem", "fatura adresim", "kupon kodum", "kampanya indirimim"],
         ["gelmedi", "yanlış düzenlenmiş", "sepete yansımadı", "uygulanmadı"]),
        (["taksit seçeneği", "havale bildirimi", "ödeme sayfası", "puanlarım", "hediye çekim"],
         ["görünmüyor", "onaylanmadı", "hata veriyor", "siparişte kullanılmadı"]),
    ],
    "teknik": [
        (["telefon", "cihaz", "makine", "bilgisayarım", "süpürge", "kulaklık", "buzdolabı"],
         ["açılmıyor", "şarj olmuyor", "çok ses yapıyor", "kendiliğinden kapanıyor",
          "çalışmıyor", "bir haftada bozuldu", "soğutmuyor", "ısınıyor"]),
        (["ekranda", "hoparlörde", "kamerada", "tuş takımında"],
         ["çizgiler var", "cızırtı var", "arıza var", "leke var"]),
        (["garanti belgesi", "servis kaydı", "arıza kaydı", "teknik servis randevusu"],
         ["kutudan çıkmadı", "açmak istiyorum", "nasıl alınır", "iptal edildi"]),
    ],
    "musteri": [
        (["şifremi", "hesap şifremi", "e-posta adresimi", "telefon numaramı", "üyelik bilgilerimi"],
         ["unuttum", "değiştirmek istiyorum", "güncelleyemiyorum", "sıfırlayamıyorum"]),
        (["hesabıma", "üyeliğime", "uygulamaya", "siteye"],
         ["giriş yapamıyorum", "bağlanamıyorum", "kayıt olamıyorum", "erişemiyorum"]),
        (["kampanya bildirimlerini", "e-bülteni", "üyeliğimi", "kişisel verilerimi"],
         ["kapatmak istiyorum", "silmek istiyorum", "durdurun lütfen", "görmek istiyorum"]),
    ],
}  # fmt: skip
#: the share of cases an agent resolved in another group than their topic's (judgement)
NOISE = 0.03
OPENERS = ["", "Merhaba, ", "İyi günler, ", "Selam, ", "Merhabalar, "]
DETAILS = ["", " Sipariş numaram 4815162.", " Yardımcı olur musunuz?", " Acil dönüş bekliyorum.",
           " Çok mağdur oldum.", " Daha önce de yazmıştım.", " Bilginize."]  # fmt: skip
CLOSERS = ["", " Teşekkürler.", " İyi çalışmalar.", " Kolay gelsin."]
#: the demo stack's groups (devstack/seed.py) for the issue 20 ones it does not have
DEMO_GROUPS = {"iade": "urun", "teknik": "urun", "musteri": "urun"}


@dataclass(frozen=True)
class PastCase:
    case_id: str
    created_at: datetime
    text: str
    #: the group it was resolved in (an agent's, after any move)
    group_id: str


def history(count: int = 600, seed: int = 20, now: datetime | None = None,
            days: int = 180) -> list[PastCase]:  # fmt: skip
    """`count` resolved cases, spread over the `days` before `now`, the same every run."""
    rng = random.Random(seed)
    now = now or datetime(2026, 12, 1, 9, 0)
    groups = list(FRAMES)
    cases = []
    for n in range(count):
        group = groups[n % len(groups)]
        starts, ends = rng.choice(FRAMES[group])
        topic = f"{rng.choice(starts)} {rng.choice(ends)}"
        text = rng.choice(OPENERS) + topic + "." + rng.choice(DETAILS) + rng.choice(CLOSERS)
        if rng.random() < NOISE:
            group = rng.choice([g for g in groups if g != group])
        created = now - timedelta(minutes=rng.randrange(days * 24 * 60))
        cases.append(PastCase(f"c-hist-{n:04d}", created, text.strip(), group))
    return cases


def routed(case: PastCase, rules: list[RoutingRule], default: str) -> tuple[str, str]:
    """The group the rules send the case to, and why (rule_matched or default_group)."""
    decision = decide(rules, CaseFacts(text=case.text), default)
    return decision.group_id, decision.reason_code


def learning_items(
    cases: list[PastCase], rules: list[RoutingRule], default: str, groups: dict[str, str]
) -> tuple[list[tuple[str, Example]], list[tuple[str, Correction]]]:
    """The examples and corrections the history would have left (month of filing, item):
    each case's group mapped by `groups`; a correction where the rules chose another."""
    examples, corrections = [], []
    for case in cases:
        month = case.created_at.strftime("%Y-%m")
        final = groups.get(case.group_id, case.group_id)
        group, reason = routed(case, rules, default)
        examples.append((month, Example(case.case_id, case.text, final, None, group, reason)))
        if group != final:
            at = (case.created_at + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
            corrections.append((month, Correction(case.text, group, final, case.case_id, at,
                                                  by="selin")))  # fmt: skip
    return examples, corrections


def seed_history(count: int = 600, now: datetime | None = None) -> int:
    """Write the history's learning items into the stack's table, with the demo's rules and
    groups; the classifier learns from them at its next training. Returns the cases."""
    from chalicelib import wiring
    from chalicelib.domain.clock import utcnow
    from chalicelib.store.routing_learning import DynamoRoutingLearning

    from .seed import RULE_OPTIONS, RULES

    rules = [
        RoutingRule(id=f"r-demo-{i}", name=name, order=order, phrases=phrases, group_id=group,
                    set_category_id=category, priority_bump=bump, **RULE_OPTIONS.get(name, {}))
        for i, (name, order, phrases, group, category, bump) in enumerate(RULES)
    ]  # fmt: skip
    cases = history(count, now=(now or utcnow()).replace(tzinfo=None))
    examples, corrections = learning_items(cases, rules, "urun", DEMO_GROUPS)
    table = wiring.table()
    store = DynamoRoutingLearning(table)
    puts = [store.example_rider(m, e)[0] for m, e in examples]
    puts += [store.correction_rider(m, c)[0] for m, c in corrections]
    for start in range(0, len(puts), 25):
        table.transact(puts[start : start + 25])
    return len(cases)
