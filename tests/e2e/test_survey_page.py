"""A planned survey answered in Chromium: the shop records a customer's consent, a
supervisor starts a survey for a segment only they are in, the local stack's schedule and
queue run it, the invitation reaches the developer mailbox, and its link opens the survey
on the site (phone-sized), where a wrong answer is marked and a right one saved; the
opt-out link's page stops the next one with its one button; the supervisor's console shows
the survey's results (response rate, the rating's mean and its chart) in English too."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from tests.support import unique_phone

from .browser import console_ready
from .conftest import eventually
from .test_channels import signed_post
from .test_console import open_console  # noqa: F401  (the fixture)
from .test_links import mailbox

SURVEY = re.compile(r"https?://\S+/survey\.html\?t=[A-Za-z0-9_-]+")
OPT_OUT = re.compile(r"https?://\S+/opt-out\.html\?t=[A-Za-z0-9_-]+")
TEXT = {"tr": "Bizden ne kadar memnunsunuz?", "en": "How satisfied are you with us?"}


def test_a_customer_answers_a_planned_survey_and_opts_out_in_the_browser(
    stack,
    http,
    browser,
    open_console,  # noqa: F811
):
    admin, supervisor = http("admin"), http("selin")
    tag = uuid.uuid4().hex[:8]
    status, product = admin.call("POST", "/products", {"brand": f"E2E{tag}", "model": "M",
                                                       "name": f"Ürün {tag}",
                                                       "category_id": "telefon"})  # fmt: skip
    assert status == 201, product
    number, address = f"SVE-{tag}", f"anket.{tag}@example.com"
    shop = "/integrations/demo-shop"
    status, made = signed_post(stack.url, f"{shop}/customers", {
        "customer_number": number, "name": "Deniz Kaya", "email": address,
        "phone": unique_phone()})  # fmt: skip
    assert status == 200, made
    status, _ = admin.call("POST", f"/customers/{made['customer_id']}/products", {
        "product_id": product["id"], "serial_number": f"SE{tag}",
        "purchase_date": "2026-06-01"})  # fmt: skip
    assert status == 201
    assert (
        signed_post(
            stack.url,
            f"{shop}/consents",
            {"customer_number": number, "changes": [{"channel": "email", "granted": True}]},
        )[0]
        == 200
    )

    start = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    status, survey = supervisor.call(
        "POST",
        "/surveys",
        {
            "name": f"Memnuniyet {tag}",
            "segment": {"brands": [f"E2E{tag}"]},
            "schedule": {"start_at": start},
            "questions": [
                {"id": "overall", "kind": "rating", "text": TEXT},
                {"id": "words", "kind": "free_text", "text": TEXT, "required": False},
            ],
        },
    )
    assert status == 201, survey
    status, _ = supervisor.call(
        "POST",
        f"/surveys/{survey['id']}/status",
        {"status": "active", "version": survey["version"]},
    )
    assert status == 200

    def mail():
        return next((m for m in mailbox(stack)["emails"] if m["to"] == [address]), None)

    body = eventually(mail, timeout=30)["body"]
    survey_url, opt_out_url = SURVEY.search(body).group(0), OPT_OUT.search(body).group(0)

    context = browser.new_context(locale="tr-TR", viewport={"width": 390, "height": 844})
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(15_000)
        page.goto(survey_url)
        expect(page.locator("#survey-form")).to_be_visible()
        expect(page.get_by_role("group", name=re.compile(TEXT["tr"]))).to_be_visible()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Memnuniyet {tag}")
        # the free text's room, in the bytes the API counts (2,000: 1,000 "ş"), told before
        # sending; what only the API knows (a required answer) is told at its question after
        expect(page.locator("#words-hint")).to_contain_text("yaklaşık 2.000 harf")
        page.get_by_label("Bizden ne kadar memnunsunuz?").fill("ş" * 3000)  # over its bytes
        expect(page.locator("#words-room")).to_have_text(
            "Yazdığınız metin 4.000 harf kadar uzun; lütfen kısaltın.")  # fmt: skip
        page.get_by_role("button", name="Yanıtları gönder").click()
        expect(page.locator("#words-error")).to_have_text(
            "Yazdığınız metin 4.000 harf kadar uzun; lütfen kısaltın.")  # fmt: skip
        page.get_by_label("Bizden ne kadar memnunsunuz?").fill("Kargo hızlıydı")
        expect(page.locator("#words-room")).to_have_text(re.compile(r"Kalan yer: 1\.98\d harf\."))
        page.get_by_role("button", name="Yanıtları gönder").click()
        expect(page.locator("#overall-error")).to_have_text("Bu soruyu yanıtlayın.")
        page.get_by_role("radio", name="4").check()
        page.get_by_role("button", name="Yanıtları gönder").click()
        expect(page.locator("#notice")).to_have_text("Teşekkür ederiz, yanıtlarınız kaydedildi.")

        def answered():
            status, detail = supervisor.call("GET", f"/surveys/{survey['id']}")
            return status == 200 and detail["totals"]["answered"] == 1

        eventually(answered)
        page.reload()  # the answer shows again, to be changed
        expect(page.get_by_role("radio", name="4")).to_be_checked()

        page.goto(opt_out_url)
        expect(page.locator("#opt-out-text")).to_contain_text("E-posta")
        status, consents = admin.call("GET", f"/customers/{made['customer_id']}/consents")
        assert consents["channels"][0]["granted"] is True  # opening the page changed nothing
        page.get_by_role("button", name="Anket iletilerini durdur").click()
        expect(page.locator("#opt-out-text")).to_contain_text("anket iletisi gönderilmeyecek")
        status, consents = admin.call("GET", f"/customers/{made['customer_id']}/consents")
        assert consents["channels"][0]["granted"] is False
        assert consents["history"][0]["source"] == "opt_out_link"
    finally:
        context.close()
    assert errors == [], errors

    # the results in the console: 1 of 1 answered, the rating 4, its distribution drawn
    # in the page's language's number format, as the reports write it (Turkish "%100")
    for lang, words in (
        ("tr", "Yanıt oranı: %100 (%95 GA %"),
        ("en", "Response rate: 100% (95% CI "),
    ):
        console = open_console("selin", lang)
        query = "?lang=en" if lang == "en" else ""
        console.goto(f"{stack.url}/console{query}#/survey/{survey['id']}")
        console_ready(console)
        expect(console.locator("#survey-response")).to_contain_text(words)
        overall = console.locator('article[data-question="overall"]')
        mean = overall.locator("p", has_text=re.compile("^(Ortalama|Mean) 4"))
        expect(mean).to_have_count(1)
        # one answer has no interval: none is shown, rather than "(%95 GA —–—)"
        expect(mean).not_to_contain_text("—–—")
        expect(mean).not_to_contain_text("GA" if lang == "tr" else "CI")
        expect(overall.locator("canvas")).to_be_visible()
        words_block = console.locator('article[data-question="words"]')
        expect(words_block).to_contain_text("Kargo hızlıydı")


def test_a_supervisor_builds_a_survey_on_every_kind_of_segment_in_the_console(
    stack,
    http,
    open_console,  # noqa: F811
):
    """The console's builder offers each criterion issue 16 lists (customer category,
    registered product, brand, product group, purchase and registration periods, case
    channel, type, category and period, no contact in N days), a rating's scale, a sample and
    a quarterly schedule; what it saves is what was chosen, and the survey's page says it."""
    name = f"Segment {uuid.uuid4().hex[:8]}"
    console = open_console("selin")
    console.goto(f"{stack.url}/console#/surveys")
    console_ready(console)
    form = console.locator("#survey-builder")
    form.get_by_label("Anketin adı").fill(name)
    question = form.locator("fieldset.question").first
    question.get_by_label("Puan ölçeği (puan soruları)").select_option("1-7")
    question.get_by_label("Soru (Türkçe)").fill(TEXT["tr"])
    question.get_by_label("Soru (İngilizce)").fill(TEXT["en"])
    form.get_by_role("group", name="Müşteri kategorisi").get_by_label("VIP").check()
    form.get_by_label("Kayıtlı ürün (katalog ürün kodu)").fill("p-venus, p-okka")
    form.get_by_label("Kayıtlı ürün markası").fill("Vestel")
    form.get_by_label("Ürün grubu (katalog kategorisi kodu)").fill("telefon")
    form.get_by_label("Satın alma, başlangıç").fill("2026-01-01")
    form.get_by_label("Ürün kaydı, bitiş").fill("2026-11-30")
    form.get_by_role("group", name="Talebin kanalı").get_by_label("Telefon").check()
    form.get_by_role("group", name="Talep türü").get_by_label("Şikâyet").check()
    form.get_by_label("Talep kategorisi (kategori kodu)").fill("k-ariza")
    form.get_by_label("Talep tarihi, başlangıç").fill("2026-10-01")
    form.get_by_label("Şu kadar gündür bize ulaşmamış olanlar").fill("30")
    form.get_by_label("Kaç kişi").select_option("percent")
    form.get_by_label("Yüzde ya da sayı").fill("25")
    form.get_by_label("Sıklık").select_option("quarterly")
    form.get_by_label("İlk gönderim").fill("2027-01-05T10:00")
    form.get_by_role("button", name="Taslak olarak kaydet").click()
    expect(console.get_by_role("heading", level=1)).to_have_text(name)
    summary = console.locator("details.survey-summary")
    expect(summary).to_contain_text("Puan 1–7")
    expect(summary).to_contain_text("Talebin kanalı: Telefon")
    expect(summary).to_contain_text("Şu kadar gündür bize ulaşmamış olanlar: 30")

    supervisor = http("selin")
    made = next(s for s in supervisor.call("GET", "/surveys")[1] if s["name"] == name)
    survey = supervisor.call("GET", f"/surveys/{made['id']}")[1]["survey"]
    chosen = {k: v for k, v in survey["segment"].items() if v not in (None, [])}
    assert chosen == {
        "customer_categories": ["vip"], "product_ids": ["p-venus", "p-okka"],
        "brands": ["Vestel"], "product_groups": ["telefon"], "purchased_from": "2026-01-01",
        "registered_to": "2026-11-30", "case_channels": ["phone"], "case_types": ["complaint"],
        "case_categories": ["k-ariza"], "cases_from": "2026-10-01", "no_contact_days": 30,
    }  # fmt: skip
    assert survey["sample"]["kind"] == "percent" and survey["sample"]["percent"] == 25
    assert survey["schedule"]["frequency"] == "quarterly"
    (question,) = survey["questions"]
    assert (question["kind"], question["scale_min"], question["scale_max"]) == ("rating", 1, 7)
