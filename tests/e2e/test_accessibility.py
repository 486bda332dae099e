"""axe-core in Chromium on every console screen and every site page: no serious or critical
violation (issue 19, part 9).

axe-core is the copy the `axe-playwright-python` package ships (docs/testing.md); it is put
into each loaded document once (the console is one document: every screen is a hash route
of it, so it is put in once and run after each screen is drawn) and run with its default
rules, WCAG 2.x A and AA among them. One stack, one browser context, the screens in a loop.
The same stack shows that both apps load the one front-end library (templates/shared/static/).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .browser import console_ready
from .conftest import Http

PASSWORD = "Destek2026!"
SHARED = Path(__file__).resolve().parents[2] / "templates" / "shared" / "static"
BLOCKING = {"serious", "critical"}

#: every screen of the console an admin reaches (console.html.j2's nav and admin's tabs);
#: {case} is a seeded case, opened from its address
CONSOLE_SCREENS = [
    "#/mine", "#/pool", "#/precases", "#/overdue", "#/follow_up", "#/queues", "#/reports",
    "#/surveys", "#/kb", "#/checklists", "#/library", "#/macros", "#/sql", "#/case/{case}",
    "#/search/Ahmet", "#/admin/rules", "#/admin/roles", "#/admin/staff", "#/admin/groups",
    "#/admin/categories", "#/admin/sla", "#/admin/ladders", "#/admin/calendars",
    "#/admin/priorities", "#/admin/catalog", "#/admin/flags", "#/admin/fields", "#/views",
    "#/admin/learning",
]  # fmt: skip

#: the site's pages (templates/site/pages), signed out first, then as a seeded customer
SITE_SIGNED_OUT = ["signin", "signup", "confirm", "forgot", "help", "library", "rate",
                   "survey", "opt-out"]  # fmt: skip
SITE_SIGNED_IN = ["index", "products", "new-case", "cases", "case?id={case}", "orders",
                  "profile"]  # fmt: skip


def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def violations(page, inject: bool) -> list[str]:
    """axe's serious and critical violations of the page as it is now, one line each."""
    if inject:
        page.evaluate(axe_script())
    found = page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in BLOCKING
    ]


def report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{screen}: {line}" for screen, said in found.items() for line in said)


@pytest.fixture(scope="module")
def context(browser):
    opened = browser.new_context(locale="tr-TR", viewport={"width": 1280, "height": 900})
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def case(stack) -> dict:
    """A case of the seeded customer (ahmet@example.com): the case screen and the site's case
    page show it (routed or not yet, either is a screen to check)."""
    from tests.support import sign_in

    agent = Http(stack.url, sign_in(stack.env, "mehmet"))
    status, made = agent.call("POST", "/cases", {
        "customer": {"email": "ahmet@example.com"}, "type": "complaint",
        "subject": "Süpürge çalışmıyor", "description": "Kutudan bozuk çıktı"})  # fmt: skip
    assert status == 201, made
    return made


#: route() drew a refusal or a failure in place of the screen: one sentence and nothing else
FAILED_SCREEN = """() => {
  const view = document.querySelector("#view");
  return view.children.length === 1 && view.firstElementChild.matches("p.empty");
}"""


def test_no_console_screen_has_a_serious_violation(stack, context, case):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # each screen is a module, most fetched when first opened (console.js, screen()): a module
    # that fails to load or to run is caught by route() and drawn as one sentence, never as
    # a page error, so both are watched for here
    modules: dict[str, int] = {}
    page.on(
        "response",
        lambda r: r.url.endswith(".js") and modules.update({r.url.rsplit("/", 1)[1]: r.status}),
    )
    failed: list[str] = []
    page.set_default_timeout(20_000)
    page.goto(f"{stack.url}/console")
    found = {"#/signin": violations(page, inject=True)}
    page.get_by_label("Kullanıcı adı").fill("admin")
    page.get_by_label("Parola").fill(PASSWORD)
    page.get_by_role("button", name="Giriş yap").click()
    expect(page.locator("#nav")).to_be_visible()
    console_ready(page)
    for screen in CONSOLE_SCREENS:
        page.evaluate("hash => { location.hash = hash; }", screen.format(case=case["id"]))
        console_ready(page)
        if page.evaluate(FAILED_SCREEN):
            failed.append(f"{screen}: {page.locator('#view').inner_text()}")
        found[screen] = violations(page, inject=False)  # one document: axe is still there
    page.close()
    assert not any(found.values()), report(found)
    assert errors == [] and failed == []
    screens = ("session.js", "lists.js", "precases.js", "search.js", "customer.js",
               "case_screen.js", "history.js", "queues.js", "admin.js")  # fmt: skip
    assert {name: modules.get(name) for name in screens} == dict.fromkeys(screens, 200)


def test_no_site_page_has_a_serious_violation(stack, context, case):
    site = stack.env["SITE_URL"]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(20_000)
    found: dict[str, list[str]] = {}

    def visit(name: str) -> None:
        page.goto(f"{site}/{name.format(case=case['id']).replace('?', '.html?', 1)}"
                  if "?" in name else f"{site}/{name}.html")  # fmt: skip
        expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
        found[name] = violations(page, inject=True)

    for name in SITE_SIGNED_OUT:
        visit(name)
    page.goto(f"{site}/signin.html")
    page.get_by_label("E-posta").fill("ahmet@example.com")
    page.get_by_label("Parola").fill(PASSWORD)
    page.locator("form").get_by_role("button", name="Giriş yap").click()
    page.wait_for_url("**/index.html")
    for name in SITE_SIGNED_IN:
        visit(name)
    page.goto(f"{site}/en/index.html")
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")
    found["en/index"] = violations(page, inject=True)
    page.close()
    assert not any(found.values()), report(found)
    assert errors == []


#: the library's functions as each app's page has them (a 07:15 UTC instant is 10:15 in Istanbul)
USE_THE_LIBRARY = """async (folder) => {
  const [format, i18n, dom, api] = await Promise.all(
    ["format.js", "i18n.js", "dom.js", "api.js"].map((name) => import(folder + name)));
  const say = i18n.sayer({ hi: "Merhaba {name}" });
  let refused = null;
  try { await api.fetchJson(location.origin + "/no-such-route-here"); }
  catch (error) { refused = error; }
  return [format.dateTime("2026-12-03T07:15:00Z", "tr"), format.longDate("2026-12-03", "tr"),
    format.number(1234.5, "tr"), say("hi", { name: "Ayşe" }),
    i18n.refusalKey({ error_not_found: "Yok" }, { status: 404 }),
    i18n.refusalKey({}, { code: "x", status: 500 }),
    i18n.problemKey({}, "missing"), dom.el("b", { text: "<i>x</i>" }).outerHTML,
    refused instanceof api.ApiError ? refused.status : String(refused)];
}"""


def test_the_console_and_the_site_load_one_shared_library(stack, context):
    """Each app's page fetched every module of templates/shared/static/ (console.js and site.js
    import them) from its own origin, as the files are, and drew its first screen with them."""
    modules = sorted(module.name for module in SHARED.glob("*.js"))
    assert {"dom.js", "i18n.js", "format.js", "api.js"} <= set(modules)
    page = context.new_page()
    fetched = "() => performance.getEntriesByType('resource').map((e) => e.name)"
    site = stack.env["SITE_URL"]
    for address, folder, drawn in (
        (f"{stack.url}/console", f"{stack.url}/console/shared/", "#signin-form"),
        (f"{site}/signin.html", f"{site}/static/shared/", "main form"),
    ):
        page.goto(address)
        expect(page.locator(drawn)).to_be_visible()  # the app's module ran: its imports resolved
        loaded = sorted(url.removeprefix(folder) for url in page.evaluate(fetched)
                        if url.startswith(folder))  # fmt: skip
        assert loaded == modules, address
        for name in modules:
            served = page.request.get(folder + name)
            assert served.ok and served.text() == (SHARED / name).read_text(encoding="utf-8")
        assert page.evaluate(USE_THE_LIBRARY, folder) == [
            "3 Ara 2026 10:15", "3 Aralık 2026", "1.234,5", "Merhaba Ayşe", "error_not_found",
            "error_generic", "problem_generic", "<b>&lt;i&gt;x&lt;/i&gt;</b>", 404,
        ], address  # fmt: skip
    page.close()
