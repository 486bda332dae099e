"""A planned survey's statistics, end to end: a seeded segment of twelve customers (seven
VIP, five normal), invited by email, nine of whom answer through their signed links (one
of them changes their answer); the results API's response rate, distribution, mean with
its interval, CSAT, NPS with its interval, choice shares, free-text count, and the same by
customer category, checked against figures computed here with the textbook formulas
(nothing from chalicelib.domain.survey_stats); the results download; a period with no run
is empty."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from .test_surveys import LINK, consent, drain_surveys, mails_to, run_now, shop_customer

__all__ = ["drain_surveys"]  # the fixture, shared with test_surveys

Z = 1.959964  # the normal's 0.975 quantile (printed tables)
#: Student's t, 0.975 quantile, by degrees of freedom (printed tables, e.g. NIST e-Handbook)
T975 = {3: 3.182446, 4: 2.776445, 8: 2.306004}
TEXT = {"tr": "Soru", "en": "Question"}
CHOICE = [{"id": c, "text": {"tr": c, "en": c}} for c in ("price", "quality", "service")]
LIKED = [{"id": c, "text": {"tr": c, "en": c}} for c in ("speed", "tone")]
QUESTIONS = [
    {"id": "overall", "kind": "rating", "text": TEXT},
    {"id": "nps", "kind": "nps", "text": TEXT},
    {"id": "reason", "kind": "single_choice", "text": TEXT, "choices": CHOICE},
    {"id": "liked", "kind": "multiple_choice", "text": TEXT, "choices": LIKED,
     "required": False},
    {"id": "words", "kind": "free_text", "text": TEXT, "required": False},
]  # fmt: skip
# the last answer of each customer who answers: (overall, nps, reason, liked, words)
VIP = [
    (5, 10, "quality", ["speed", "tone"], "Çok memnun kaldım, teşekkürler"),
    (4, 9, "quality", ["tone"], None),
    (4, 8, "service", [], "Kargo geç geldi"),
    (3, 6, "price", ["speed"], None),
    (5, 10, "quality", ["speed", "tone"], None),
]  # 2 more VIP customers do not answer
NORMAL = [
    (2, 3, "price", ["tone"], "Ürün bozuk çıktı, çok kötü"),
    (3, 7, "price", [], None),
    (4, 9, "service", [], None),
    (1, 0, "price", ["speed"], None),
]  # 1 more normal customer does not answer


def wilson(k: int, n: int) -> tuple[float, float, float]:
    """Wilson's score interval (Wilson 1927), written out."""
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


def mean_interval(xs: list[int]) -> tuple[float, float, float]:
    n = len(xs)
    mean = sum(xs) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    half = T975[n - 1] * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def net_promoter(xs: list[int]) -> tuple[float, float, float]:
    n = len(xs)
    pp = sum(x >= 9 for x in xs) / n
    pd = sum(x <= 6 for x in xs) / n
    score = 100 * (pp - pd)
    half = 100 * Z * math.sqrt((pp + pd - (pp - pd) ** 2) / n)
    return score, max(-100, score - half), min(100, score + half)


def check_questions(found: list[dict], answers: list[tuple]) -> None:
    """The figures of `found` (a results' questions) against `answers`, computed here."""
    q = {r["id"]: r for r in found}
    ratings = [a[0] for a in answers]
    overall = q["overall"]
    assert overall["n"] == len(ratings)
    assert [(d["value"], d["count"]) for d in overall["distribution"]] == [
        (v, ratings.count(v)) for v in range(1, 6)
    ]
    for d in overall["distribution"]:
        assert d["share"] == pytest.approx(ratings.count(d["value"]) / len(ratings))
    mean, low, high = mean_interval(ratings)
    assert overall["mean"]["value"] == pytest.approx(mean)
    assert overall["mean"]["low"] == pytest.approx(low, abs=1e-5)
    assert overall["mean"]["high"] == pytest.approx(high, abs=1e-5)
    satisfied = sum(r >= 4 for r in ratings)
    share, low, high = wilson(satisfied, len(ratings))
    assert overall["csat"]["count"] == satisfied
    assert overall["csat"]["share"] == pytest.approx(share)
    assert overall["csat"]["low"] == pytest.approx(low, abs=1e-5)
    assert overall["csat"]["high"] == pytest.approx(high, abs=1e-5)

    scores = [a[1] for a in answers]
    score, low, high = net_promoter(scores)
    nps = q["nps"]["nps"]
    assert q["nps"]["n"] == len(scores)
    assert nps["promoters"] == sum(s >= 9 for s in scores)
    assert nps["detractors"] == sum(s <= 6 for s in scores)
    assert nps["score"] == pytest.approx(score)
    assert nps["low"] == pytest.approx(low, abs=1e-4)
    assert nps["high"] == pytest.approx(high, abs=1e-4)

    reasons = [a[2] for a in answers]
    assert q["reason"]["n"] == len(reasons)
    assert {o["id"]: (o["count"], o["share"]) for o in q["reason"]["options"]} == {
        c: (reasons.count(c), pytest.approx(reasons.count(c) / len(reasons)))
        for c in ("price", "quality", "service")
    }
    liked = [a[3] for a in answers if a[3]]  # an empty list is no answer
    assert q["liked"]["n"] == len(liked)
    assert {o["id"]: (o["count"], o["share"]) for o in q["liked"]["options"]} == {
        c: (sum(c in x for x in liked), pytest.approx(sum(c in x for x in liked) / len(liked)))
        for c in ("speed", "tone")
    }
    assert q["words"]["n"] == sum(1 for a in answers if a[4])


def body_of(answer: tuple) -> dict:
    keys = ("overall", "nps", "reason", "liked", "words")
    return {"answers": {k: v for k, v in zip(keys, answer, strict=True) if v not in (None, [])}}


def test_survey_statistics_against_independent_figures(api, shop, as_role, mailbox,
                                                       drain_surveys):  # fmt: skip
    admin, supervisor, public = as_role("admin"), as_role("supervisor"), as_role(None)
    tag = uuid.uuid4().hex[:8]
    brand = f"İstat{tag}"
    product = admin.post("/products", {"brand": brand, "model": "M", "name": f"Ürün {tag}",
                                       "category_id": "telefon"}).body  # fmt: skip
    now = datetime.now(UTC)
    people = []
    for i in range(12):
        category = "vip" if i < 7 else "normal"
        number, email = f"ST-{tag}-{i:02d}", f"st{tag}{i:02d}@example.com"
        cid = shop_customer(api, shop, number, category, email)
        registration = {"product_id": product["id"], "serial_number": f"ST{tag}{i:02d}",
                        "purchase_date": "2026-06-01"}  # fmt: skip
        made = admin.post(f"/customers/{cid}/products", registration)
        assert made.status == 201, made
        consent(api, shop, number, True, now - timedelta(days=3))
        people.append({"id": cid, "email": email, "category": category})

    draft = {"name": f"İstatistik {tag}", "questions": QUESTIONS, "channel": "email",
             "segment": {"brands": [brand]},
             "schedule": {"start_at": (now - timedelta(minutes=1)).isoformat()}}  # fmt: skip
    supervisor.put("/survey-settings", {"throttle_days": 1})  # other tests' marks hold nobody
    try:
        detail = run_now(supervisor, draft, drain_surveys)
    finally:
        supervisor.put("/survey-settings", {"throttle_days": 90})
    survey_id = detail["survey"]["id"]
    assert detail["runs"][0]["counts"]["sent"] == 12, detail["runs"][0]["counts"]

    def token(person: dict) -> str:
        (mail,) = mails_to(mailbox, person["email"])
        return LINK.search(mail["body"]).group(1)

    vip = [p for p in people if p["category"] == "vip"]
    normal = [p for p in people if p["category"] == "normal"]
    # the first VIP answers badly first, then changes every answer: the last one counts
    first = public.post(f"/survey-links/{token(vip[0])}",
                        body_of((1, 0, "price", ["tone"], "berbat")))  # fmt: skip
    assert first.status == 200, first
    for person, answer in [*zip(vip, VIP, strict=False), *zip(normal, NORMAL, strict=False)]:
        done = public.post(f"/survey-links/{token(person)}", body_of(answer))
        assert done.status == 200, done

    today = datetime.now(UTC).astimezone().date().isoformat()
    results = supervisor.get(f"/surveys/{survey_id}/results?by=customer_category")
    assert results.status == 200, results
    r = results.body
    # response rate: 9 of the 12 sent, with Wilson's interval
    share, low, high = wilson(9, 12)
    assert (r["response"]["count"], r["response"]["n"]) == (9, 12)
    assert r["response"]["share"] == pytest.approx(share)
    assert r["response"]["low"] == pytest.approx(low, abs=1e-5)
    assert r["response"]["high"] == pytest.approx(high, abs=1e-5)
    (run,) = r["runs"]
    assert (run["sent"], run["answered"]) == (12, 9)
    check_questions(r["questions"], VIP + NORMAL)
    (words,) = r["free_text"]
    assert words["answers"] == 3 and words["read"] == 9 and words["complete"] is True
    assert sum(words["sentiment"].values()) == 3

    # by customer category: each group's response rate and figures
    groups = {g["value"]: g for g in r["groups"]}
    assert set(groups) == {"vip", "normal"}
    for name, answers, invited in (("vip", VIP, 7), ("normal", NORMAL, 5)):
        g = groups[name]
        share, low, high = wilson(len(answers), invited)
        assert (g["sent"], g["answered"]) == (invited, len(answers))
        assert g["response"]["share"] == pytest.approx(share)
        assert g["response"]["low"] == pytest.approx(low, abs=1e-5)
        check_questions(g["questions"], answers)

    # other dimensions kept on the invitations: language (all Turkish), brand (the segment's)
    by_language = supervisor.get(f"/surveys/{survey_id}/results?by=language").body["groups"]
    assert [(g["value"], g["answered"]) for g in by_language] == [("tr", 9)]
    by_brand = supervisor.get(f"/surveys/{survey_id}/results?by=brand").body["groups"]
    assert [(g["value"], g["sent"]) for g in by_brand] == [(brand, 12)]

    # a period before the run has none of it; a bad period or dimension is a 422
    empty = supervisor.get(f"/surveys/{survey_id}/results?from=2020-01-01&to=2020-01-31").body
    assert empty["runs"] == [] and empty["questions"][0]["n"] == 0
    assert empty["response"]["share"] is None
    assert supervisor.get(f"/surveys/{survey_id}/results?from={today}&to=2020-01-01").status == 422
    assert supervisor.get(f"/surveys/{survey_id}/results?by=colour").status == 422
    assert supervisor.get("/surveys/nosuch/results").status == 404
    assert as_role("agent").get(f"/surveys/{survey_id}/results").status == 403

    # the download: one row per group, question and figure
    csv = supervisor.get(f"/surveys/{survey_id}/results/export?format=csv&lang=en"
                         "&by=customer_category")  # fmt: skip
    assert csv.status == 200, csv
    lines = csv.body.strip().splitlines()
    assert lines[0].lstrip("\ufeff").startswith("Group,Question,Figure"), lines[0]
    assert any(line.startswith("VIP,,Response rate,7,") for line in lines), lines
    assert any(line.startswith("Total,,Response rate,12,") for line in lines), lines
