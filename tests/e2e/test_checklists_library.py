"""Checklists and the e-library on the local stack, in Chromium: on a case the returns rule
routed, the agent ticks a step of the seeded returns checklist (the tick is in the history)
and sends a seeded public document (the customer's email holds an expiring link that
downloads the PDF); the site's library page lists public documents, never internal ones
(docs/checklists-and-library.md). A supervisor uploads a PDF on the console's library
screen, straight to S3, makes it public and finds it on the public list; a file of the wrong
type or too large is refused in the supervisor's words, with nothing written."""

from __future__ import annotations

import re
import time
import urllib.request

from playwright.sync_api import expect

from devstack.seed_library import tiny_pdf
from tests.support import sign_in, unique_phone

from .browser import console_ready, screenshot
from .conftest import Http, eventually
from .test_console import open_console  # noqa: F401  (the fixture)
from .test_links import contexts, mail_to, site_ready  # noqa: F401  (contexts: the fixture)

LINK = re.compile(r"(https?://\S+/library/links/[A-Za-z0-9_-]+)")
#: a 1×1 PNG, the reply's file in the files test
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def returns_case(stack, email: str) -> dict:
    agent = Http(stack.url, sign_in(stack.env, "mehmet"))
    status, case = agent.call(
        "POST",
        "/cases",
        {
            "customer": {"email": email, "phone": unique_phone(), "name": "İade Eden"},
            "type": "request",
            "subject": "Ürünü iade etmek istiyorum",
            "description": "Kutusu açılmadı",
        },
    )
    assert status == 201, case
    routed = eventually(
        lambda: (
            (c := agent.call("GET", f"/cases/{case['id']}")[1]["case"])
            and c["status"] == "open"
            and c
        )
    )
    status, claimed = agent.call(
        "POST", f"/cases/{case['id']}/claim", {"version": routed["version"]}
    )
    assert status == 200, claimed
    return claimed


def test_an_agent_ticks_a_checklist_step_and_sends_a_document(
    stack,
    open_console,  # noqa: F811
):
    email = f"iade.{time.time_ns()}@example.com"
    case = returns_case(stack, email)
    page = open_console("mehmet")
    page.goto(f"{stack.url}/console#/case/{case['number']}")
    console_ready(page)
    checklist = page.locator('.checklist[data-checklist="k-demo-iade"]')
    expect(checklist).to_contain_text("İade kabul kontrolleri")
    step = checklist.get_by_label("Ambalaj ve aksesuarlar tam")
    step.check()
    expect(page.locator("#notice")).to_have_text("Adım işaretlendi.")
    expect(checklist.get_by_label("Ambalaj ve aksesuarlar tam")).to_be_checked()
    expect(checklist).to_contain_text("1/4 adım tamam")
    expect(page.locator(".history .k-checklist")).to_contain_text("Ambalaj ve aksesuarlar tam")

    form = page.locator("form.send-documents")
    expect(form.get_by_label("İade süreci (iç)", exact=False)).to_have_count(
        0
    )  # internal: never offered
    # the English manual keeps its own title and says, in Turkish, that it is English;
    # the Turkish documents come first
    manual = "User manual (vacuum cleaner) (user-manual.pdf) · İngilizce belge"
    expect(form.get_by_label(manual, exact=True)).to_have_count(1)
    expect(form.get_by_label("İade formu (iade-formu.pdf)", exact=True)).to_have_count(1)
    languages = form.locator("li").evaluate_all("items => items.map((li) => li.dataset.language)")
    assert languages == sorted(languages, key=lambda language: language != "tr"), languages
    form.get_by_label("İade formu (iade-formu.pdf)").check()
    form.get_by_role("button", name="Belge gönder").click()
    expect(page.locator("#notice")).to_have_text("Belgeler gönderildi.")
    expect(page.locator(".history .k-documents_sent")).to_contain_text("İade formu")

    mail = mail_to(stack, email, "İstediğiniz belgeler")
    (link,) = LINK.findall(mail["body"])
    with urllib.request.urlopen(link, timeout=20) as answer:  # follows the redirect to S3
        assert answer.read().startswith(b"%PDF-")


def test_the_sites_library_lists_public_documents_only(stack, contexts):  # noqa: F811
    site = stack.env["SITE_URL"]
    page = contexts()
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(f"{site}/library.html")
    site_ready(page)
    cards = page.locator("#library-list .card")
    expect(cards.filter(has_text="İade formu")).to_have_count(1)
    expect(cards.filter(has_text="Garanti koşulları")).to_have_count(1)
    expect(page.locator("#library-list")).not_to_contain_text("İade süreci (iç)")
    expect(page.get_by_role("link", name="İndir: iade-formu.pdf")).to_be_visible()
    # nothing wider than the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # categories in words, never their codes
    expect(page.locator("#library-category option[value=forms]")).to_have_text("Formlar")
    expect(page.locator("#library-category option[value=info]")).to_have_text("Bilgi notları")
    page.get_by_label("Kategori").select_option(label="Kullanım kılavuzları")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("User manual")
    page.goto(f"{site}/en/library.html")
    site_ready(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Documents and forms")
    expect(page.locator("#library-list .card").first).to_contain_text(
        "User manual"
    )  # English first


def test_a_supervisor_uploads_a_document_and_makes_it_public(stack, open_console):  # noqa: F811
    title = f"Kurulum kılavuzu {time.time_ns()}"
    pdf = tiny_pdf("Kurulum - " + "x" * 1200)  # over 1 kB: the size shows with a decimal comma
    page = open_console("selin")
    page.get_by_role("link", name="Belge kitaplığı").click()
    console_ready(page)
    expect(page.locator('section[data-category="forms"]')).to_contain_text("İade formu")
    # each category under its words, the filter too: never a bare code
    expect(page.locator('section[data-category="forms"] h2')).to_have_text("Formlar")
    expect(page.locator('section[data-category="internal"] h2')).to_have_text("İç belgeler")
    expect(page.locator(".filters select[name=category] option[value=manuals]")).to_have_text(
        "Kullanım kılavuzları"
    )
    expect(page.locator("#view")).to_contain_text("İade süreci (iç)")  # staff see internal ones

    form = page.locator("form.library-upload")
    form.get_by_label("Başlık").fill(title)
    form.get_by_label("Açıklama").fill("Kutudan çıkan cihazın kurulumu.")
    form.get_by_label("Kategori kodu").fill("manuals")
    form.get_by_label("Dil").select_option("tr")
    form.get_by_label("Dosya", exact=True).set_input_files(
        files=[{"name": "kurulum.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    form.get_by_role("button", name="Yükle").click()
    expect(page.locator("#notice")).to_have_text("Belge yüklendi.")
    row = page.locator("tr[data-document]", has_text=title)
    expect(row.locator(".library-status")).to_have_text("Hazır")
    expect(row.locator(".library-visibility")).to_have_text("Yalnız personel")
    expect(row.locator("td.num")).to_have_text(re.compile(r"^1,\d kB$"))
    with urllib.request.urlopen(row.get_by_role("link", name="kurulum.pdf").get_attribute("href"),
                                timeout=20) as answer:  # fmt: skip
        assert answer.read() == pdf

    row.get_by_text("Düzenle", exact=True).click()
    row.get_by_label("Kimler görür").select_option("public")
    row.get_by_role("button", name="Kaydet").click()
    expect(page.locator("#notice")).to_have_text("Belge kaydedildi.")
    expect(row.locator(".library-visibility")).to_have_text("Herkese açık (sitede listelenir)")
    screenshot(page, "console-library")
    status, public = Http(stack.url).call("GET", "/library")
    assert status == 200 and [d["title"] for d in public].count(title) == 1, public

    # refused before anything is stored, in the supervisor's words
    refused = f"Reddedilen {time.time_ns()}"
    form = page.locator("form.library-upload")
    form.get_by_label("Başlık").fill(refused)
    form.get_by_label("Kategori kodu").fill("manuals")
    form.get_by_label("Dosya", exact=True).set_input_files(
        files=[{"name": "kurulum.exe", "mimeType": "application/x-msdownload", "buffer": b"MZ"}]
    )
    form.get_by_role("button", name="Yükle").click()
    expect(page.locator("#problem")).to_contain_text("Bu tür dosya yüklenemez")
    form.get_by_label("Dosya", exact=True).set_input_files(
        files=[{"name": "buyuk.pdf", "mimeType": "application/pdf",
                "buffer": b"%PDF-" + bytes(10 * 1024 * 1024)}]  # 5 bytes over 10 MB
    )  # fmt: skip
    form.get_by_role("button", name="Yükle").click()
    expect(page.locator("#problem")).to_have_text("Dosya çok büyük: en çok 10 MB olabilir.")
    staff = Http(stack.url, sign_in(stack.env, "selin"))
    assert all(d["title"] != refused for d in staff.call("GET", "/library/documents")[1])


def test_an_agent_attaches_a_file_to_a_reply_and_the_customer_sees_it_on_the_site(
    stack,
    open_console,  # noqa: F811
    contexts,  # noqa: F811
):
    """Files both ways (docs/files-and-cc.md): the agent picks an image in the reply form (it
    goes to S3 through the case's form), the case screen previews it, and the customer's case
    page on the site lists it, the image as a thumbnail and the PDF as a link that opens it."""
    agent = Http(stack.url, sign_in(stack.env, "mehmet"))
    body = {
        "customer": {"customer_number": "10000001"},
        "type": "request",
        "subject": f"İade {time.time_ns()}",
        "description": "Ürünü iade etmek istiyorum",
    }
    status, case = agent.call("POST", "/cases", body)
    assert status == 201, case
    eventually(lambda: agent.call("GET", f"/cases/{case['id']}")[1]["case"]["status"] == "open")
    page = open_console("mehmet")
    page.goto(f"{stack.url}/console#/case/{case['number']}")
    console_ready(page)
    reply = page.locator("form.reply")
    reply.get_by_label("Müşteriye yanıt").fill("Kutunun fotoğrafı ekte.")
    reply.get_by_label("Dosya ekle").set_input_files([
        {"name": "kutu.png", "mimeType": "image/png", "buffer": PNG},
        {"name": "fatura.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf("Fatura")},
    ])  # fmt: skip
    reply.get_by_role("button", name="Yanıtı gönder").click()
    expect(page.locator("#notice")).to_have_text("Yanıt gönderildi.")
    expect(page.locator(".case-files img.file-preview")).to_be_visible()
    expect(page.locator(".history .k-reply .message-files")).to_contain_text("kutu.png")
    # the preview loads from S3 (the CSP lets img-src reach the bucket) once it is in view
    page.locator(".case-files img.file-preview").scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.case-files img.file-preview');"
        " return i && i.complete && i.naturalWidth === 1; }"
    )

    site = contexts()
    site.goto(f"{stack.env['SITE_URL']}/signin.html")
    site_ready(site)
    site.get_by_label("E-posta").fill("ahmet@example.com")
    site.get_by_label("Parola").fill("Destek2026!")
    site.locator("form").get_by_role("button", name="Giriş yap").click()
    site.wait_for_url("**/index.html")
    site.goto(f"{stack.env['SITE_URL']}/case.html?n={case['number']}")
    site_ready(site)
    expect(site.locator("#timeline")).to_contain_text("Kutunun fotoğrafı ekte.")
    expect(site.locator("#timeline a", has_text="kutu.png")).to_be_visible()
    # the files are in the reply they came with, not lines of their own before it
    answer = site.locator("#timeline .entry.reply", has_text="Kutunun fotoğrafı ekte.")
    expect(answer.locator(".entry-file a[download]")).to_have_text(["kutu.png", "fatura.pdf"])
    expect(site.locator("#timeline .entry.file")).to_have_count(0)
    # who and when on one line: no "·" left alone at the start of a line
    meta = answer.locator(".meta")
    title, when = meta.locator(".entry-title").bounding_box(), meta.locator("time").bounding_box()
    assert abs(title["y"] - when["y"]) < 4, (title, when)
    assert not meta.inner_text().strip().startswith("·")
    # the image is a thumbnail from S3 (the site's CSP lets img-src reach the bucket) that
    # opens it; the PDF is a link that opens it in the browser, both from preview_url
    thumb = site.locator("#timeline a.file-thumb").get_by_role("img", name="kutu.png")
    thumb.scroll_into_view_if_needed()
    site.wait_for_function(
        "() => { const i = document.querySelector('#timeline a.file-thumb img');"
        " return i && i.complete && i.naturalWidth === 1; }"
    )
    view = agent.call("GET", f"/cases/{case['id']}")[1]
    preview = {a["filename"]: a["preview_url"].split("?")[0] for a in view["attachments"]}
    thumb_link = site.locator("#timeline a.file-thumb")
    assert thumb_link.get_attribute("href").split("?")[0] == preview["kutu.png"]
    pdf = site.get_by_role("link", name="fatura.pdf dosyasını tarayıcıda aç (PDF)")
    expect(pdf).to_have_attribute("target", "_blank")
    assert pdf.get_attribute("href").split("?")[0] == preview["fatura.pdf"]


def test_an_agent_copies_a_colleague_and_follows_a_case(stack, open_console):  # noqa: F811
    """CC and followers on the case screen (docs/files-and-cc.md): saved, listed in the
    history, and "follow" adds the signed-in agent."""
    case = returns_case(stack, f"cc.{time.time_ns()}@example.com")
    page = open_console("mehmet")
    page.goto(f"{stack.url}/console#/case/{case['number']}")
    console_ready(page)
    people = page.locator(".case-people")
    people.get_by_label("Bilgi (CC)").fill("Muhasebe@Firma.example, destek@firma.example")
    people.get_by_role("button", name="CC'yi kaydet").click()
    expect(page.locator("#notice")).to_have_text("Kaydedildi.")
    expect(page.locator(".case-people").get_by_label("Bilgi (CC)")).to_have_value(
        "muhasebe@firma.example, destek@firma.example")  # fmt: skip
    page.locator(".case-people").get_by_role("button", name="Takip et").click()
    expect(page.locator(".case-people").get_by_role("button", name="Takibi bırak")).to_be_visible()
    expect(page.locator(".case-people").get_by_label("Takipçiler")).to_have_value("mehmet")
    expect(page.locator(".history .k-people_changed")).to_have_count(2)
