"""The site's build: every page in both languages, labelled fields, a strict CSP, and the
strings the script asks for present in both catalogs."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from devstack.site import LANGUAGES, PAGES, SOURCE, SiteConfig, build

CONFIG = SiteConfig(
    api_url="https://api.example.com/api",
    region="eu-central-1",
    user_pool_id="eu-central-1_pool",
    client_id="client",
)


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.strings = ""
        self._in_strings = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_strings = tag == "script" and dict(attrs).get("id") == "strings"

    def handle_data(self, data):
        if self._in_strings:
            self.strings += data

    def handle_endtag(self, tag):
        self._in_strings = False


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("site") / "site", CONFIG)


@pytest.mark.parametrize("lang", list(LANGUAGES))
@pytest.mark.parametrize("name", PAGES)
def test_every_page_is_labelled_and_locked_down(site, lang, name):
    path = site / LANGUAGES[lang] / f"{name}.html"
    parsed = Page()
    parsed.feed(path.read_text(encoding="utf-8"))
    tags = parsed.tags
    assert ("html", {"lang": lang}) in tags
    assert sum(1 for tag, _ in tags if tag == "h1") == 1
    labelled = {a.get("for") for tag, a in tags if tag == "label"}
    fields = [a for tag, a in tags if tag in ("input", "select", "textarea")]
    for field in fields:
        if field.get("type") == "radio":
            continue  # each radio sits inside its own label
        assert field.get("id") in labelled, f"{name}: {field} has no label"
    csp = next(a["content"] for tag, a in tags if a.get("http-equiv") == "Content-Security-Policy")
    assert "script-src 'self'" in csp and "https://api.example.com" in csp
    assert "https://cognito-idp.eu-central-1.amazonaws.com" in csp
    # an agent's image on the case page is read from the bucket (docs/files-and-cc.md)
    images = next(d for d in csp.split("; ") if d.startswith("img-src")).split()
    assert "https://*.s3.eu-central-1.amazonaws.com" in images and "'self'" in images
    assert json.loads(parsed.strings)["site_name"]


def test_the_case_page_notices_link_to_is_built_in_each_language(site):
    """Emails and SMS link to domain.links.site_case_url: a file the static host serves as is
    (S3 behind CloudFront, the local stack's server), in the folder of the reader's language."""
    from chalicelib.domain.links import SITE_FOLDERS, site_case_url

    assert SITE_FOLDERS == LANGUAGES
    for lang in LANGUAGES:
        link = site_case_url("https://site.example", lang, "2026-000001")
        path = link.removeprefix("https://site.example/").split("?")[0]
        page = (site / path).read_text()
        assert f'<html lang="{lang}"' in page and 'data-page="case"' in page
    assert 'params.get("n")' in (site / "static" / "site.js").read_text()  # it reads the number


def test_config_names_the_api_and_the_customer_pool(site):
    text = (site / "config.js").read_text()
    config = json.loads(text.removeprefix("window.DESTEK_CONFIG = ").rstrip(";\n"))
    assert config["apiUrl"] == "https://api.example.com/api"
    assert config["clientId"] == "client" and config["userPoolId"] == "eu-central-1_pool"


def test_strings_cannot_close_their_script_element(tmp_path, monkeypatch):
    from devstack import site as site_module

    assert "</" not in site_module._script_json({"x": "</script><script>alert(1)</script>"})


def test_both_catalogs_hold_every_string_the_script_asks_for():
    script = (SOURCE / "static" / "site.js").read_text()
    asked = set(re.findall(r'say\("(\w+)"', script)) | set(re.findall(r'"(error_\w+)"', script))
    for lang in LANGUAGES:
        strings = json.loads((SOURCE / "strings" / f"{lang}.json").read_text(encoding="utf-8"))
        assert asked <= set(strings), f"{lang}: missing {sorted(asked - set(strings))}"
        statuses = {f"status_{s}" for s in ("new", "open", "in_progress", "waiting_customer",
                                             "reopened", "resolved", "closed")}  # fmt: skip
        assert statuses <= set(strings)


def test_the_script_never_writes_markup_from_data():
    script = (SOURCE / "static" / "site.js").read_text()
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script
    assert "document.write" not in script


def test_the_assistant_widget_is_on_every_page_with_its_words_in_both_languages(site):
    """One tag on every page; the built widget carries the site's assistant_* strings of
    both languages where its marker was, and every word it asks for is there."""
    from devstack.site import WIDGET_STRINGS

    source = (SOURCE / "static" / "assistant.js").read_text()
    built = (site / "static" / "assistant.js").read_text()
    assert WIDGET_STRINGS in source and WIDGET_STRINGS not in built
    asked = set(re.findall(r'say\("(assistant_\w+)"', source))
    assert len(asked) >= 12
    for lang in LANGUAGES:
        strings = json.loads((SOURCE / "strings" / f"{lang}.json").read_text(encoding="utf-8"))
        assert asked <= set(strings), f"{lang}: missing {sorted(asked - set(strings))}"
        assert json.dumps(strings["assistant_send"], ensure_ascii=False) in built
        for name in PAGES:
            page = (site / LANGUAGES[lang] / f"{name}.html").read_text(encoding="utf-8")
            assert f'static/assistant.js" data-lang="{lang}" defer></script>' in page, name
    assert "innerHTML" not in source and "insertAdjacentHTML" not in source


def test_the_library_shared_with_the_console_is_built_beside_site_js(site):
    """site.js imports ./shared/<name>: each is in the build's static/shared/, as the file is
    in templates/shared/static/ (the console serves the same files at /console/shared/)."""
    from devstack.site import SHARED

    imported = set(re.findall(r"""from\s+["']\./shared/([\w.-]+\.js)["']""",
                              (SOURCE / "static" / "site.js").read_text()))  # fmt: skip
    assert {"dom.js", "i18n.js", "format.js", "api.js"} <= imported
    built = {p.name: p.read_text() for p in (site / "static" / "shared").iterdir()}
    assert built == {p.name: p.read_text() for p in SHARED.glob("*.js")}


def test_the_widget_is_built_from_the_shared_library_as_one_classic_script(site):
    """assistant.js imports el, sayer and fetchJson from templates/shared/static/ instead of
    keeping copies; the build inlines them, so the file a page includes has no import or
    export (a classic script, which a shop's page on another origin loads without CORS) and
    is wrapped in one function (nothing lands in the page's global scope)."""
    from devstack.site import SHARED

    source = (SOURCE / "static" / "assistant.js").read_text()
    imported = set(re.findall(r"""from\s+["']\./shared/([\w.-]+\.js)["']""", source))
    assert {"dom.js", "i18n.js", "api.js"} <= imported
    assert "function el(" not in source and "class Refused" not in source
    built = (site / "static" / "assistant.js").read_text()
    assert not re.search(r"^\s*(import|export)\b", built, re.M)
    assert built.startswith("(() => {\n") and built.rstrip().endswith("})();")
    # the shared modules' own code, as the console and site.js have it
    shared_el = (SHARED / "dom.js").read_text().split("export function el(")[1].split("\n}\n")[0]
    assert shared_el in built


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_a_pages_title_never_says_the_site_name_twice(site, lang):
    """The home page has no name of its own: its title is the site's name alone (it read
    "Müşteri Hizmetleri · Müşteri Hizmetleri"); every other page's is "<page> · <site>"."""
    strings = json.loads((SOURCE / "strings" / f"{lang}.json").read_text(encoding="utf-8"))
    for name in PAGES:
        html = (site / LANGUAGES[lang] / f"{name}.html").read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", html, re.DOTALL).group(1)
        parts = title.split(" · ")
        assert parts[-1] == strings["site_name"] and len(set(parts)) == len(parts), (name, title)
        assert len(parts) == (1 if name == "index" else 2), (name, title)
