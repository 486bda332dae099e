"""Routing learned from corrections in the console (issue 20, second half): an admin reads
the phrases agents' moves say the rules miss (to another group, to another category), each
with the word to add and its mode, or the rule that already matched it; sees the trained
classifier and turns it on;
an agent sees its suggestion on a case no rule matched."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

from playwright.sync_api import expect

from .browser import console_ready
from .conftest import eventually
from .test_console import open_console  # noqa: F401 (a fixture)


def made_up_word() -> str:
    return "zor" + "".join("abcdefghijklmnop"[int(c, 16)] for c in uuid.uuid4().hex[:8])


def opened_and_routed(http, username: str, description: str) -> dict:
    api = http(username)
    status, case = api.call("POST", "/cases", {
        "customer": {"phone": "0532 123 45 67"}, "type": "complaint",
        "subject": "Bir sorum var", "description": description})  # fmt: skip
    assert status == 201, case
    return eventually(lambda: (c := api.call("GET", f"/cases/{case['id']}")[1]["case"])
                      ["status"] == "open" and c)  # fmt: skip


def test_learned_routing_in_the_console(open_console, http, stack):  # noqa: F811
    # the demo's resolved history (devstack/history.py), written into the stack's table
    seed = "from devstack.history import seed_history; seed_history()"
    subprocess.run([sys.executable, "-c", seed], env={**os.environ, **stack.env}, check=True)
    supervisor = http("selin")
    for _ in range(3):
        case = opened_and_routed(http, "selin", f"{made_up_word()} hakkında bilgi")
        moved = supervisor.call("POST", f"/cases/{case['id']}/assign",
                                {"version": case["version"], "group_id": "finans"})  # fmt: skip
        assert moved[0] == 200, moved
    # three cases put in another category than routing set (none): the category side
    recategorised = made_up_word()
    for _ in range(3):
        case = opened_and_routed(http, "selin", f"{recategorised} hakkında bilgi")
        put = supervisor.call("PATCH", f"/cases/{case['id']}",
                              {"version": case["version"], "category_id": "k-odeme"})  # fmt: skip
        assert put[0] == 200, put
    # three cases the finans rule gave "k-odeme" for "fatura", put in another category anyway
    covered = made_up_word()
    for _ in range(3):
        case = opened_and_routed(http, "selin", f"fatura {covered} sorusu")
        assert case["routing"]["category_id"] == "k-odeme"
        change = {"version": case["version"], "category_id": "k-teslimat"}
        put = supervisor.call("PATCH", f"/cases/{case['id']}", change)
        assert put[0] == 200, put
    status, trained = http("admin").call("POST", "/routing-classifier/train", {})
    assert status == 200 and trained["trained"], trained

    # off: a case no rule matches stays in the default group, with the suggestion shown
    case = opened_and_routed(http, "mehmet", "Paketim nerede kaldı, beş gündür yolda")
    assert case["group_id"] == "urun"
    agent = open_console("mehmet")
    agent.goto(agent.url.split("#")[0] + f"#/case/{case['id']}")
    console_ready(agent)
    expect(agent.locator(".routing-suggestion")).to_contain_text(
        "Sınıflandırıcının önerisi: Kargo ve Teslimat"
    )

    admin = open_console("admin")
    admin.get_by_role("link", name="Yönetim").click()
    console_ready(admin)
    admin.get_by_role("link", name="Öğrenen yönlendirme").click()
    console_ready(admin)
    expect(admin.locator(".learning")).to_contain_text("çözülmüş talep üzerinde eğitildi")
    # the history's corrections lead the table (its top 20): each row says what to do, a
    # word to add (as customers wrote it, with its mode) or the rule that already matched
    first = admin.locator(".learning-phrases tbody tr").first
    expect(first.locator("code, .learning-covered")).to_have_count(1)
    expect(admin.locator(".learning-moves")).to_contain_text("Ödeme ve Fatura")
    row = admin.locator(f".learning-category-phrases tr[data-phrase='{recategorised}']")
    expect(row).to_contain_text("Ödeme")  # the category's name, not its id
    expect(row.locator("code")).to_have_text(recategorised)
    expect(row.locator(".learning-mode")).to_have_text("çekimleriyle (ör. faturam, faturası)")
    # a phrase the finans rule already matched: the rule, not a keyword to add
    row = admin.locator(f".learning-category-phrases tr[data-phrase='fatura {covered}']")
    expect(row.locator(".learning-covered")).to_contain_text(
        "«Ödeme ve fatura» kuralı «fatura» ile zaten eşleşti"
    )
    expect(row.locator("code")).to_have_count(0)
    expect(admin.locator(".learning-category-moves")).to_contain_text("kategori yok")
    admin.get_by_label(
        "Hiçbir kural eşleşmediğinde talebi sınıflandırıcının seçtiği gruba yönlendir"
    ).check()
    admin.get_by_role("button", name="Kaydet").click()
    expect(admin.locator("#notice")).to_have_text("Sınıflandırıcı ayarları kaydedildi.")
    settings = http("admin").call("GET", "/routing-classifier")[1]["settings"]
    assert settings["enabled"] and settings["changed_by"] == "admin"

    # on: the same kind of case goes where the classifier says
    case = opened_and_routed(http, "mehmet", "Paketim nerede kaldı, hâlâ yolda")
    assert case["group_id"] == "teslimat" and case["routing"]["reason_code"] == "classifier_routed"
    http("admin").call("PUT", "/routing-classifier/settings", {"enabled": False})
