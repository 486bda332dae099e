"""The agent console in headless Chromium, served by the local stack's API under /console:
an agent finds a case by phone, claims, replies, records a call and resolves; two agents
editing one case; what each role is shown."""

from __future__ import annotations

import urllib.parse
import uuid

import pytest
from playwright.sync_api import expect

from tests.support import unique_phone

from .browser import console_ready, screenshot
from .conftest import eventually, start_stack

PASSWORD = "Destek2026!"
HOSTILE = '<img src=x onerror="document.title=1">'
#: cases on a view's page in this module's stack (VIEW_PAGE_SIZE; 50 in production): seven
#: cases reach a second page, where 55 had to be opened and routed to pass a page of 50
VIEW_PAGE_SIZE = 5


@pytest.fixture(scope="module")
def stack():
    running = start_stack(extra_env={"VIEW_PAGE_SIZE": str(VIEW_PAGE_SIZE)})
    yield running
    running.discard()


@pytest.fixture
def open_console(browser, stack):
    contexts = []
    errors: list[str] = []

    def signed_in(username: str, lang: str = "tr"):
        context = browser.new_context(locale="tr-TR", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(15_000)
        page.goto(f"{stack.url}/console" + ("?lang=en" if lang == "en" else ""))
        page.get_by_label("Kullanıcı adı" if lang == "tr" else "Username").fill(username)
        page.get_by_label("Parola" if lang == "tr" else "Password").fill(PASSWORD)
        page.get_by_role("button", name="Giriş yap" if lang == "tr" else "Sign in").click()
        expect(page.locator("#nav")).to_be_visible()
        ready(page)
        return page

    yield signed_in
    for context in contexts:
        context.close()
    assert errors == [], errors


ready = console_ready


def routed_case(http, phone: str, name: str, subject: str = "Süpürge çalışmıyor") -> dict:
    agent = http("mehmet")
    status, case = agent.call("POST", "/cases", {
        "customer": {"phone": phone, "name": name}, "type": "complaint",
        "subject": subject, "description": "Kutudan bozuk çıktı"})  # fmt: skip
    assert status == 201, case
    eventually(lambda: agent.call("GET", f"/cases/{case['id']}")[1]["case"]["status"] == "open")
    return case


def test_an_agent_finds_a_case_by_phone_and_works_it_to_resolution(open_console, http):
    phone = unique_phone()
    case = routed_case(http, phone, f"Deniz {HOSTILE}")
    page = open_console("mehmet")
    page.get_by_role("searchbox", name="Ara", exact=True).fill(phone)
    page.get_by_role("button", name="Ara", exact=True).click()
    ready(page)
    page.get_by_role("link", name=case["number"], exact=True).click()
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(case["number"])
    expect(page.locator(".customer-panel h2")).to_have_text(f"Deniz {HOSTILE}")  # text, not markup

    page.get_by_role("button", name="Üstlen").click()
    expect(page.locator("#notice")).to_have_text("Üstlendiniz.")
    expect(page.locator('[data-fact="assignee"]')).to_have_text("Mehmet Demir")

    page.get_by_label("Müşteriye yanıt").fill("Yenisini kargoya verdik, yarın elinizde.")
    page.get_by_role("button", name="Yanıtı gönder").click()
    expect(page.locator("#notice")).to_have_text("Yanıt gönderildi.")
    expect(page.locator(".history .k-reply")).to_contain_text("Yenisini kargoya verdik")

    page.get_by_label("Süre (dk)").fill("4")
    page.get_by_label("Notlar").fill("Kargo takip numarası verildi")
    page.get_by_role("button", name="Görüşmeyi kaydet").click()
    expect(page.locator("#notice")).to_have_text("Görüşme kaydedildi.")
    expect(page.locator(".customer-panel")).to_contain_text("Kargo takip numarası verildi")

    page.get_by_label("Durum").select_option("resolved")
    page.get_by_role("button", name="Durumu değiştir").click()
    expect(page.locator("#notice")).to_have_text("Durum değişti.")
    expect(page.locator('[data-fact="status"]')).to_have_text("Çözüldü")
    screenshot(page, "console-case")
    assert page.title() != "1"
    status, found = http("mehmet").call("GET", f"/cases/{case['id']}")
    assert found["case"]["status"] == "resolved" and found["case"]["assignee"] == "mehmet"


def test_the_second_of_two_agents_sees_a_conflict_and_the_fresh_case(open_console, http):
    case = routed_case(http, unique_phone(), "Ayla Demir", subject="Kapak çizik geldi")
    first, second = open_console("mehmet"), open_console("admin")
    for page in (first, second):
        page.goto(page.url.split("#")[0] + f"#/case/{case['id']}")
        ready(page)
    first.get_by_label("Öncelik").select_option("urgent")
    first.get_by_role("button", name="Kaydet", exact=True).click()
    expect(first.locator("#notice")).to_have_text("Kaydedildi.")

    second.get_by_label("İç not (müşteri görmez)").fill("Müşteri aradı, acil değil dedi")
    second.get_by_role("button", name="Not ekle").click()
    expect(second.locator("#problem")).to_contain_text("başka biri tarafından değiştirildi")
    expect(second.locator('[data-fact="priority"]')).to_have_text("Acil")  # the fresh case
    notes = [e for e in http("mehmet").call("GET", f"/cases/{case['id']}")[1]["history"]
             if e["kind"] == "note"]  # fmt: skip
    assert notes == []  # the stale write changed nothing


def test_each_role_sees_what_it_may_do(open_console, http):
    # lands in finans, the first group's pool the supervisor sees
    routed_case(http, unique_phone(), "Kuyruk Müşterisi", subject="Fatura gelmedi")
    agent = open_console("mehmet")
    expect(agent.get_by_role("link", name="Kuyruklar")).to_be_hidden()
    expect(agent.get_by_role("link", name="Ön talepler")).to_be_visible()
    supervisor = open_console("selin")
    supervisor.get_by_role("link", name="Kuyruklar").click()
    ready(supervisor)
    expect(supervisor.get_by_role("heading", level=1)).to_have_text("Grupların kuyrukları")
    supervisor.get_by_role("link", name="Grup havuzu").click()
    ready(supervisor)
    expect(supervisor.locator("table.list")).to_be_visible()
    screenshot(supervisor, "console-queue")
    english = open_console("ayse", lang="en")
    expect(english.get_by_role("heading", level=1)).to_have_text("My cases")


def test_a_supervisor_reassigns_cases_from_the_pool(open_console, http):
    first = routed_case(http, unique_phone(), "Bir Müşteri", subject="Ekran kırık")
    second = routed_case(http, unique_phone(), "İki Müşteri", subject="Kapak kırık")
    supervisor = open_console("selin")
    supervisor.get_by_role("link", name="Grup havuzu").click()
    ready(supervisor)
    supervisor.get_by_role("link", name="Ürün ve İade").click()
    ready(supervisor)
    for case in (first, second):
        supervisor.get_by_label(f"{case['number']} seç").check()
    supervisor.get_by_label("Atanacak kişi").select_option("elif")
    supervisor.get_by_role("button", name="Seçilenleri ata").click()
    expect(supervisor.locator("#notice")).to_have_text("2 talep atandı.")
    for case in (first, second):
        found = http("selin").call("GET", f"/cases/{case['id']}")[1]["case"]
        assert found["assignee"] == "elif" and found["status"] == "in_progress"
    supervisor.get_by_role("link", name="Kuyruklar").click()
    ready(supervisor)
    expect(supervisor.get_by_role("link", name="Elif Şahin (elif)")).to_be_visible()
    screenshot(supervisor, "console-workload")


def test_an_admin_adds_a_keyword_rule_and_tries_a_sample(open_console, http):
    admin = open_console("admin")
    admin.get_by_role("link", name="Yönetim").click()
    ready(admin)
    expect(admin.get_by_role("heading", name="Yeni kural")).to_be_visible()
    admin.get_by_label("Ad", exact=True).fill("Kupon sorunları")
    admin.get_by_label("Sözcükler ve ifadeler (virgülle)").fill("kupon, indirim kodu")
    admin.get_by_label("Hedef grup").select_option("teslimat")
    admin.get_by_label("Sıra").fill("15")
    admin.get_by_role("button", name="Kaydet").click()
    expect(admin.locator("#notice")).to_have_text("Kural kaydedildi.")
    expect(admin.get_by_role("link", name="Kupon sorunları")).to_be_visible()

    admin.get_by_label("Müşterinin yazabileceği bir metin").fill("KUPONUM sepette geçmiyor")
    admin.get_by_role("button", name="Nereye gider?").click()
    result = admin.locator("#route-result")
    expect(result).to_contain_text("Kargo ve Teslimat grubuna gider")
    expect(result).to_contain_text("“Kupon sorunları” kuralı eşleşti: KUPONUM")
    screenshot(admin, "console-admin-rules")
    rules = http("admin").call("GET", "/routing-rules")[1]
    added = next(r for r in rules if r["name"] == "Kupon sorunları")
    assert added["phrases"] == ["kupon", "indirim kodu"] and added["order"] == 15

    admin.get_by_role("link", name="Kupon sorunları").click()
    ready(admin)
    admin.get_by_role("button", name="Sil").click()
    expect(admin.locator("#notice")).to_have_text("Silindi.")
    left = http("admin").call("GET", "/routing-rules")[1]
    assert all(r["name"] != "Kupon sorunları" for r in left)

    admin.get_by_role("link", name="Roller ve yetkiler").click()
    ready(admin)
    # the agent role reads cases
    expect(admin.get_by_label("Talepler okuma", exact=True)).to_be_checked()
    # and changes only its own groups' cases, reading everyone's (a role setting)
    expect(admin.get_by_label("Değiştirebildiği talepler")).to_have_value("own")
    expect(admin.get_by_label("Görebildiği talepler")).to_have_value("all")
    agent = open_console("mehmet")
    expect(agent.get_by_role("link", name="Yönetim")).to_be_hidden()


def test_an_agent_finds_a_customer_by_name_typed_without_turkish_letters(open_console, http):
    tag = uuid.uuid4().hex[:4]
    case = routed_case(http, unique_phone(), f"Gülşen Çağlayan{tag}", subject="Kapak çatlak")
    page = open_console("mehmet")
    page.get_by_role("searchbox", name="Ara", exact=True).fill(f"gulsen caglayan{tag}")
    page.get_by_role("button", name="Ara", exact=True).click()
    ready(page)
    expect(page.get_by_role("link", name=case["number"], exact=True)).to_be_visible()
    expect(page.locator(".customer-panel h2")).to_have_text(f"Gülşen Çağlayan{tag}")


def test_an_agent_claims_a_pre_case_and_makes_it_a_case(open_console, stack):
    from .test_channels import signed_post

    tag = uuid.uuid4().hex[:6]
    shop = "/integrations/demo-shop"
    ferhat = {"customer_number": f"K-{tag}", "name": "Ferhat Kılıç",
              "email": f"ferhat.{tag}@example.com"}  # fmt: skip
    assert signed_post(stack.url, f"{shop}/customers", ferhat)[0] == 200
    status, opened = signed_post(stack.url, f"{shop}/cases", {
        "customer_number": f"K-{tag}", "type": "request", "subject": f"İade kodu {tag}",
        "description": "İade için kargo kodu istiyor"})  # fmt: skip
    assert status == 201
    page = open_console("mehmet")
    page.get_by_role("link", name="Ön talepler").click()
    ready(page)
    page.get_by_role("link", name="Mağaza").click()
    ready(page)
    page.get_by_role("link", name=f"İade kodu {tag}").click()
    ready(page)
    page.get_by_role("button", name="Üstlen").click()
    expect(page.locator("#notice")).to_have_text("Üstlendiniz.")
    page.get_by_role("button", name="Talebe dönüştür").click()
    expect(page.locator("#notice")).to_contain_text("numaralı talep açıldı.")
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"İade kodu {tag}")
    expect(page.locator('[data-fact="channel"]')).to_have_text("Mağaza")
    expect(page.locator(".customer-panel h2")).to_have_text("Ferhat Kılıç")


def test_an_agent_sees_a_bounced_address_and_a_forged_sender(open_console, http, stack):
    """Issue 11: the customer panel marks an address whose notice bounced, the history says
    the notice failed, and a forged mail waits in the pool saying why it is not trusted."""
    import boto3

    from tests.integration.test_mail_cases import SES_ID, source

    tag = uuid.uuid4().hex[:8]
    address = f"bounce.{tag}@example.com"
    agent = http("mehmet")
    status, case = agent.call(
        "POST",
        "/cases",
        {
            "customer": {"email": address, "phone": unique_phone(), "name": f"Bora Aksoy{tag}"},
            "type": "complaint",
            "subject": f"Kargo {tag}",
            "description": "Kargom gelmedi",
        },
    )
    assert status == 201, case

    def sent_id():
        notices = agent.call("GET", f"/cases/{case['id']}")[1]["notices"]
        return next((d["message_id"] for n in notices for d in n["deliveries"]
                     if d["channel"] == "email"), None)  # fmt: skip

    ses_id = eventually(sent_id)
    s3 = boto3.client("s3", endpoint_url=f"http://127.0.0.1:{stack.moto_port}",
                      region_name=stack.env["AWS_REGION"], aws_access_key_id="local",
                      aws_secret_access_key="local")  # fmt: skip
    bucket = stack.env["INBOUND_MAIL_BUCKET"]
    bounce = source("T05", {"ahmet@example.com": address, SES_ID: ses_id})
    s3.put_object(Bucket=bucket, Key=f"inbound/{uuid.uuid4().hex}", Body=bounce)
    forged = source("C06", {"ahmet@example.com": address, "2026-000001": case["number"],
                            "Kargom gelmedi": f"Sahte {tag}"})  # fmt: skip
    s3.put_object(Bucket=bucket, Key=f"inbound/{uuid.uuid4().hex}", Body=forged)
    eventually(lambda: agent.call("GET", f"/customers/{case['customer_id']}")[1]
               .get("email_undeliverable"))  # fmt: skip

    page = open_console("mehmet")
    page.evaluate(f"location.hash = '#/case/{case['id']}'")
    ready(page)
    expect(page.locator(".customer-panel .f-undeliverable")).to_contain_text(
        "E-posta adresine ulaşılamıyor"
    )
    expect(page.locator(".history")).to_contain_text("Bildirim iletilemedi")
    screenshot(page, "console-bounced-address")

    def forged_precase():
        newest = agent.call("GET", "/precases?channel=email&order=newest&limit=50")[1]["items"]
        return [p for p in newest if p["subject"].endswith(f"Sahte {tag}")]

    pooled = eventually(forged_precase)
    page.evaluate(f"location.hash = '#/precase/{pooled[0]['id']}'")
    ready(page)
    expect(page.locator(".warnings")).to_contain_text("Gönderen doğrulanamadı")


def test_a_screen_answered_late_does_not_replace_the_one_asked_for_after_it(open_console):
    """Two screens asked for one after the other (a link clicked while the first still loads):
    the first one's answer, arriving last, is not drawn over the second."""
    page = open_console("admin")
    held = []
    page.route("**/cases?view=mine*", lambda route: held.append(route))  # answered when told
    with page.expect_request("**/cases?view=mine*"):
        page.evaluate("location.hash = '#/mine'")
    page.evaluate("location.hash = '#/admin/priorities'")
    ready(page)
    words = page.locator("#view li strong")
    expect(words).to_have_text(["Acil", "Yüksek", "Normal", "Düşük"])
    with page.expect_response("**/cases?view=mine*"):
        held[0].continue_()
    page.wait_for_load_state("networkidle")  # the late list has been read (and would be drawn)
    expect(page.get_by_role("heading", level=1)).to_have_text("Yönetim")
    expect(words).to_have_count(4)
    expect(page.locator("#view")).to_have_attribute("data-route", "#/admin/priorities")


def view_numbers(agent, view_id: str) -> set[str]:
    """Every case number the view holds, read through the API page by page."""
    numbers, cursor = set(), None
    while True:
        query = f"&cursor={urllib.parse.quote(cursor)}" if cursor else ""
        status, page = agent.call("GET", f"/views/{view_id}/cases?limit=50{query}")
        assert status == 200, page
        numbers |= {c["number"] for c in page["items"]}
        cursor = page.get("next_cursor")
        if not cursor:
            return numbers


def test_a_views_next_page_reaches_every_case_it_holds(open_console, http):
    """A view holding more cases than a page (VIEW_PAGE_SIZE here): "Sonraki sayfa" shows the
    next page, by keyboard, until every case has been on screen; "İlk sayfa" goes back
    (docs/views-and-presence.md)."""
    agent = http("mehmet")
    group = agent.call("GET", "/me")[1]["groups"][0]
    tag = f"sayfa-{uuid.uuid4().hex[:6]}"
    phone = unique_phone()
    made = set()
    for i in range(VIEW_PAGE_SIZE + 2):
        status, case = agent.call("POST", "/cases", {
            "customer": {"phone": phone, "name": "Sayfa Deneme"}, "type": "request",
            "group_id": group, "tags": [tag], "subject": f"Sayfa {i}",
            "description": "Deneme"})  # fmt: skip
        assert status == 201, case
        made.add(case["number"])
    filters = {"group_id": group, "statuses": ["open"], "tags": [tag]}
    body = {"name": f"Sayfalar {tag}", "filters": filters}
    status, view = agent.call("POST", "/views", body)
    assert status == 201, view
    eventually(lambda: view_numbers(agent, view["id"]) == made, timeout=60)  # all routed

    page = open_console("mehmet")
    page.goto(page.url.split("#")[0] + f"#/views/{view['id']}")
    ready(page)
    seen: set[str] = set()
    pages = 0
    while True:
        pages += 1
        assert pages <= 20, "the pages never end"
        numbers = page.locator("#view tr[data-case] td.number a").all_inner_texts()
        assert len(numbers) <= VIEW_PAGE_SIZE, numbers  # the console asks for the stack's size
        seen |= set(numbers)
        button = page.get_by_role("button", name="Sonraki sayfa", exact=True)
        if not button.count():
            break
        button.focus()
        page.keyboard.press("Enter")
        # focus leaves the button for the heading only once the next page is in place
        expect(page.get_by_role("heading", level=1)).to_be_focused()
    assert made <= seen and pages >= 2
    page.get_by_role("button", name="İlk sayfa", exact=True).click()
    expect(page.get_by_role("button", name="İlk sayfa", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Sonraki sayfa", exact=True)).to_be_visible()


def test_a_view_lists_counts_and_moves_cases_and_the_case_shows_who_else_is_on_it(
    open_console, http
):
    """Saved views, bulk status, the list beside the case, presence and the stale-reply check
    (docs/views-and-presence.md)."""
    agent = http("mehmet")
    case = routed_case(http, unique_phone(), "Nur Aksoy", subject="Kulaklık cızırdıyor")
    routed = agent.call("GET", f"/cases/{case['id']}")[1]["case"]
    status, claimed = agent.call(
        "POST", f"/cases/{case['id']}/claim", {"version": routed["version"]}
    )
    assert status == 200, claimed
    tag = f"e2e-{uuid.uuid4().hex[:6]}"
    status, tagged = agent.call("POST", f"/cases/{case['id']}/tags",
                                {"version": claimed["version"], "add": [tag]})  # fmt: skip
    assert status == 200, tagged
    body = {"name": f"Etiket {tag}", "filters": {"assignee": "me", "tags": [tag]}}
    status, view = agent.call("POST", "/views", body)
    assert status == 201, view

    page = open_console("mehmet")
    page.goto(page.url.split("#")[0] + "#/views")
    ready(page)
    entry = page.locator(f'.views-list li[data-view-id="{view["id"]}"]')
    expect(entry.locator(".count")).to_have_text("1")
    entry.get_by_role("link", name=f"{view['name']} görünümünü düzenle").click()
    ready(page)
    expect(page.get_by_label("Etiket", exact=True)).to_have_value(tag)  # the form holds the view
    page.get_by_label("Görünüm adı").fill(f"Düzenlendi {tag}")
    page.get_by_role("button", name="Görünümü kaydet").click()
    ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Düzenlendi {tag} (1)")
    page.keyboard.press("j")  # the shortcuts: the first row, then choose it
    page.keyboard.press("x")
    expect(page.locator(f'input[name=pick][value="{case["id"]}"]')).to_be_checked()
    page.get_by_label("Seçili taleplerin durumu").select_option("waiting_customer")
    page.locator("form.bulk-status").get_by_role("button", name="Durumu değiştir").click()
    expect(page.locator("#notice")).to_have_text("1 talebin durumu değişti.")
    screenshot(page, "console-view")
    expect(page.locator(f'tr[data-case="{case["id"]}"] .status')).to_have_text("Müşteri bekleniyor")

    page.get_by_role("link", name=case["number"], exact=True).click()
    ready(page)
    beside = page.locator(".case-list a[aria-current=page]")
    expect(beside).to_contain_text(case["number"])  # the view's list beside the case
    # mehmet's screen says it is on the case; the admin who opens it sees him there
    admin = http("admin")
    eventually(lambda: any(o["username"] == "mehmet" for o in admin.call(
        "PUT", f"/cases/{case['id']}/presence", {"mode": "viewing"})[1]["others"]))  # fmt: skip
    other = open_console("admin")
    other.goto(other.url.split("#")[0] + f"#/case/{case['id']}")
    ready(other)
    expect(other.locator(".presence")).to_contain_text("Mehmet Demir bu talebe bakıyor")
    screenshot(page, "console-case-beside-list")

    # a reply started, then someone else changes the case: sending asks first
    page.get_by_label("Müşteriye yanıt").fill("Yenisini gönderiyoruz.")
    current = admin.call("GET", f"/cases/{case['id']}")[1]["case"]
    status, _ = admin.call("POST", f"/cases/{case['id']}/notes",
                           {"version": current["version"], "body": "Depo arandı"})  # fmt: skip
    assert status == 201
    page.get_by_role("button", name="Yanıtı gönder").click()
    expect(page.locator(".stale-reply")).to_contain_text("Yine de gönderilsin mi?")
    page.get_by_role("button", name="Yine de gönder").click()
    expect(page.locator("#notice")).to_have_text("Yanıt gönderildi.")
    expect(page.locator(".history .k-reply")).to_contain_text("Yenisini gönderiyoruz.")


def test_a_closed_case_is_read_only_and_the_shortcuts_are_listed(open_console, http):
    agent = http("mehmet")
    case = routed_case(http, unique_phone(), "Tan Oral")
    version = agent.call("GET", f"/cases/{case['id']}")[1]["case"]["version"]
    for path, body in (("/claim", {}), ("/status", {"status": "resolved"}),
                       ("/status", {"status": "closed"})):  # fmt: skip
        status, moved = agent.call(
            "POST", f"/cases/{case['id']}{path}", {"version": version, **body}
        )
        assert status == 200, moved
        version = moved["version"]
    page = open_console("mehmet")
    page.goto(page.url.split("#")[0] + f"#/case/{case['id']}")
    ready(page)
    expect(page.locator(".read-only")).to_have_text("Bu talep kapandı; yalnızca okunabilir.")
    expect(page.locator("form.reply, form.note, form.status-form")).to_have_count(0)
    page.keyboard.press("?")
    expect(page.locator("dialog.shortcuts")).to_contain_text("Sonraki talep")
    page.keyboard.press("Escape")
    expect(page.locator("dialog.shortcuts")).not_to_be_visible()
    page.keyboard.press("g")
    page.keyboard.press("v")
    expect(page.get_by_role("heading", level=1)).to_have_text("Görünümler")
