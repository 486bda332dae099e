"""The console's page as the API serves it: strings, staff-pool settings, a strict CSP."""

from __future__ import annotations

import json
import re


def test_the_page_names_the_staff_pool_and_allows_only_itself_and_cognito(api, aws_env):
    answer = api.client.http.get("/console")
    assert answer.status_code == 200
    headers = {k.lower(): v for k, v in answer.headers.items()}
    assert headers["content-type"].startswith("text/html")
    csp = headers["content-security-policy"]
    assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp
    assert f"connect-src 'self' {aws_env['AWS_ENDPOINT_URL']}" in csp
    html = answer.body.decode()
    config = json.loads(re.search(r'<script type="application/json" id="config">(.*?)</script>',
                                  html, re.S).group(1))  # fmt: skip
    assert config["userPoolId"] == aws_env["STAFF_POOL_ID"]
    assert config["clientId"] == aws_env["STAFF_CLIENT_IDS"].split(",")[0]
    assert config["viewPageSize"] == 50  # VIEW_PAGE_SIZE's default, production's page
    assert '<html lang="tr">' in html and "Personel girişi" in html
    assert not re.search(r"<script[^>]*src=\"(https?:)?//", html)  # nothing from elsewhere


def test_in_aws_the_page_may_post_files_to_the_bucket_and_show_its_images(monkeypatch, aws_env):
    """An article's images and a document's upload go to S3 itself, whose address the CSP
    must name (locally it is moto's, the one endpoint; in AWS the bucket's own)."""
    from chalicelib.api.console_page import content_security_policy

    monkeypatch.delenv("AWS_ENDPOINT_URL")
    csp = dict(part.strip().split(" ", 1) for part in content_security_policy().split(";"))
    bucket = aws_env["ATTACHMENTS_BUCKET"]
    for directive in ("connect-src", "img-src", "frame-src"):  # frame: a PDF's preview
        assert f"https://{bucket}.s3.amazonaws.com" in csp[directive].split()
        assert f"https://{bucket}.s3.{aws_env['AWS_REGION']}.amazonaws.com" in csp[directive]
    assert csp["connect-src"].startswith("'self'") and "'self'" in csp["img-src"]


def test_english_and_the_two_files_and_nothing_else(api):
    english = api.client.http.get("/console?lang=en").body.decode()
    assert '<html lang="en">' in english and "Staff sign-in" in english
    script = api.client.http.get("/console/console.js")
    assert script.status_code == 200 and b"textContent" in script.body
    assert dict(script.headers)["Content-Type"].startswith("text/javascript")
    assert api.client.http.get("/console/console.css").status_code == 200
    assert api.get("/console/app.py").status == 404
    assert api.get("/console?lang=de").status == 422


def test_both_languages_have_every_string():
    from chalicelib.api.console_page import ROOT

    tr = json.loads((ROOT / "strings" / "tr.json").read_text())
    en = json.loads((ROOT / "strings" / "en.json").read_text())
    assert set(tr) == set(en)
    modules = sorted((ROOT / "static").glob("*.js"))
    script = "".join(path.read_text() for path in modules if path.name != "chart.umd.min.js")
    fixed = set(re.findall(r'say\("([a-z_]+)"', script))
    assert fixed <= set(tr), fixed - set(tr)


def test_every_module_the_scripts_import_is_served():
    """A module the console's scripts import that ASSETS leaves out answers 404, and the whole
    console stops loading: every import names a served file."""
    from chalicelib.api.console_page import ASSETS, ROOT

    imported = set()
    for name in (n for n in ASSETS if n.endswith(".js")):
        text = (ROOT / "static" / name).read_text()
        imported |= set(re.findall(r"""["']\./([\w.-]+\.js)["']""", text))
    assert {
        "kb.js",
        "library.js",
        "macros.js",
        "textsearch.js",
        "tags_fields.js",
        "views.js",
        "presence.js",
        "shortcuts.js",
    } <= imported
    assert sorted(imported - set(ASSETS)) == []


SCREENS = ("session.js", "lists.js", "precases.js", "search.js", "customer.js", "case_screen.js",
           "history.js", "queues.js", "admin.js")  # fmt: skip
#: a relative import, static (`import … from "./x.js"`) or fetched when used (`import("./x.js")`)
IMPORTS = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\./[\w./-]+)["']""", re.M)


def test_every_screen_module_is_served_as_javascript_and_its_imports_resolve(api):
    """Each module of templates/console/static/ (the frame and a module per screen) answers
    200 with a JavaScript type, as the browser insists for a module, and every module it
    imports, at once or with import() when its screen opens, is a file the API serves: a
    screen whose module stopped loading would show nothing. No module imports the frame
    (console.js): screens receive its helpers as `ui`, so the imports have no cycle back."""
    from chalicelib.api.console_page import ROOT, SHARED, SHARED_ASSETS

    static = ROOT / "static"
    modules = sorted(p.name for p in static.glob("*.js") if p.name != "chart.umd.min.js")
    assert set(SCREENS) <= set(modules)
    for name in modules:
        answer = api.client.http.get(f"/console/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["Content-Type"].startswith("text/javascript"), name
        assert answer.body.decode() == (static / name).read_text()
        for target in IMPORTS.findall((static / name).read_text()):
            if target.startswith("./shared/"):
                assert target.removeprefix("./shared/") in SHARED_ASSETS, (name, target)
                assert (SHARED / target.removeprefix("./shared/")).exists()
            else:
                assert (static / target).exists(), (name, target)
                assert api.client.http.get(f"/console/{target[2:]}").status_code == 200
                assert target != "./console.js", f"{name} imports the frame"
    frame = (static / "console.js").read_text()
    lazy = set(re.findall(r"""import\(\s*["']\./([\w.-]+)["']\s*\)""", frame))
    # the screens a signed-in agent does not see first come when opened, not at the first load
    later = {"precases.js", "search.js", "customer.js", "case_screen.js", "queues.js", "admin.js"}
    assert later <= lazy
    assert api.client.http.get("/console/chart.LICENSE.md").status_code == 404


def test_every_shared_module_the_console_imports_is_served_beside_it(api):
    """console.js imports the library it shares with the site as ./shared/<name>: each is
    served at /console/shared/<name>, from templates/shared/static/ as it is."""
    from chalicelib.api.console_page import ROOT, SHARED, SHARED_ASSETS

    imported = set()
    for script in [ROOT / "static" / "console.js", *SHARED.glob("*.js")]:
        imported |= set(re.findall(r"""["']\./(?:shared/)?([\w.-]+\.js)["']""", script.read_text()))
    shared = {name for name in imported if (SHARED / name).exists()}
    assert {"dom.js", "i18n.js", "format.js", "api.js"} <= shared
    assert sorted(shared - set(SHARED_ASSETS)) == []
    for name in shared:
        answer = api.client.http.get(f"/console/shared/{name}")
        assert answer.status_code == 200, name
        assert answer.headers["Content-Type"].startswith("text/javascript")
        assert answer.body.decode() == (SHARED / name).read_text()
    assert api.client.http.get("/console/shared/..%2Fconsole.js").status_code == 404
