"""Build the customers' self-service site: static files from templates/site/.

Each page is rendered once per language (Turkish at the root, English under
/en/) with Jinja2, so the site needs no tool chain and no JavaScript build: the
browser gets plain HTML, one CSS file and one ES module. The build writes
`config.js` with the API's URL and the customer pool's ids, and a Content
Security Policy naming exactly the places the pages may talk to.

    python -m devstack.site --api-url https://abc.execute-api.eu-central-1.amazonaws.com/api \\
        --region eu-central-1 --user-pool-id eu-central-1_X --client-id abc --out build/site
    aws s3 sync build/site s3://<SiteBucketName> --delete

The local stack builds and serves it by itself (`make run`).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "templates" / "site"
SHARED = ROOT / "templates" / "shared" / "static"  # the front-end library shared with the console
PAGES = (
    "index",
    "signup",
    "confirm",
    "signin",
    "forgot",
    "profile",
    "products",
    "orders",
    "new-case",
    "cases",
    "case",
    "rate",
    "survey",
    "opt-out",
    "library",
    "help",
)
#: language -> folder under the site's root
LANGUAGES = {"tr": "", "en": "en/"}


@dataclass(frozen=True)
class SiteConfig:
    api_url: str
    region: str
    user_pool_id: str
    client_id: str
    #: Cognito's endpoint; AWS's own unless the local stack's moto stands in
    cognito_endpoint: str = ""
    #: the attachments bucket's origins: uploads (the presigned posts' host) and previews
    upload_origins: tuple[str, ...] = field(default_factory=tuple)

    @property
    def cognito(self) -> str:
        return self.cognito_endpoint or f"https://cognito-idp.{self.region}.amazonaws.com/"

    def browser_config(self) -> dict[str, str]:
        return {
            "apiUrl": self.api_url.rstrip("/"),
            "region": self.region,
            "userPoolId": self.user_pool_id,
            "clientId": self.client_id,
            "cognitoEndpoint": self.cognito,
        }

    def content_security_policy(self) -> str:
        uploads = self.upload_origins or (f"https://*.s3.{self.region}.amazonaws.com",
                                          "https://*.s3.amazonaws.com")  # fmt: skip
        origins = dict.fromkeys(["'self'", _origin(self.api_url), _origin(self.cognito), *uploads])
        connect = " ".join(origins)
        # an agent's image on the case page is a thumbnail read straight from the bucket
        # (preview_url, docs/files-and-cc.md); a PDF opens in a tab of its own, so no frame-src
        images = " ".join(dict.fromkeys(["'self'", "data:", *uploads]))
        return (
            f"default-src 'self'; script-src 'self'; style-src 'self'; img-src {images}; "
            f"connect-src {connect}; form-action 'self'; base-uri 'none'; object-src 'none'"
        )


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _script_json(data: dict[str, str]) -> str:
    """JSON safe inside a <script> element: nothing in it can close the element."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


#: the assistant's widget (docs/assistant.md#the-widget): one file any page includes, its
#: words baked in from the site's strings (`assistant_*`) where it marks them
WIDGET = "assistant.js"
WIDGET_STRINGS = "/*@assistant-strings*/ { tr: {}, en: {} }"


#: `import { a, b } from "./shared/x.js";`: the widget's imports of the shared library
SHARED_IMPORT = re.compile(r'^import \{([\w\s,]+)\} from "\./shared/([\w-]+\.js)";[ \t]*\n', re.M)


def _shared_code(match: re.Match[str]) -> str:
    """One import of the widget as the shared module's own code, in a function of its own
    that hands back only the names imported (nothing else of the module is in scope)."""
    names = ", ".join(n.strip() for n in match.group(1).split(",") if n.strip())
    module = SHARED / match.group(2)
    code = module.read_text(encoding="utf-8")
    if re.search(r"^\s*(import\b|export\s*(\{|default\b))", code, re.M):
        raise ValueError(f"{module}: the widget inlines modules without imports or export lists")
    code = re.sub(r"^export ", "", code, flags=re.M)
    return f"const {{ {names} }} = (() => {{\n{code}\nreturn {{ {names} }};\n}})();\n"


def widget(source: Path) -> str:
    """The widget as the one classic script a page includes: the shared modules it imports
    inlined (pages of another origin include it without CORS, which a module would need), the
    whole in one function (nothing of it lands in the page's global scope), and its words in
    both languages in place of its marker."""
    words = {}
    for lang in LANGUAGES:
        strings = json.loads((SOURCE / "strings" / f"{lang}.json").read_text(encoding="utf-8"))
        words[lang] = {k: v for k, v in strings.items() if k.startswith("assistant_")}
    text = source.read_text(encoding="utf-8")
    if WIDGET_STRINGS not in text:
        raise ValueError(f"{source} has lost its strings marker {WIDGET_STRINGS!r}")
    text = SHARED_IMPORT.sub(_shared_code, text)
    if re.search(r"^\s*import\b", text, re.M):
        raise ValueError(f"{source}: only imports of ./shared/ modules can be built in")
    return "(() => {\n" + text.replace(WIDGET_STRINGS, _script_json(words)) + "\n})();\n"


def build(out: Path, config: SiteConfig) -> Path:
    """Write the whole site to `out` (emptied first) and return it."""
    from markupsafe import Markup

    if out.exists():
        shutil.rmtree(out)
    (out / "static").mkdir(parents=True)
    env = Environment(
        loader=FileSystemLoader([SOURCE, SOURCE / "pages"]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    csp = config.content_security_policy()
    for lang, folder in LANGUAGES.items():
        strings = json.loads((SOURCE / "strings" / f"{lang}.json").read_text(encoding="utf-8"))
        other = next(x for x in LANGUAGES if x != lang)
        depth_up = "../" * folder.count("/")
        (out / folder).mkdir(parents=True, exist_ok=True)
        for page in PAGES:
            html = env.get_template(f"{page}.html.j2").render(
                t=strings,
                strings_json=Markup(_script_json(strings)),
                lang=lang,
                other_lang=other,
                page=page,
                page_file=f"{page}.html",
                base="",
                root=depth_up,
                other_base=depth_up + LANGUAGES[other],
                csp=csp,
            )
            (out / folder / f"{page}.html").write_text(html, encoding="utf-8")
    for asset in (SOURCE / "static").iterdir():
        if asset.name == WIDGET:
            (out / "static" / WIDGET).write_text(widget(asset), encoding="utf-8")
        else:
            shutil.copyfile(asset, out / "static" / asset.name)
    (out / "static" / "shared").mkdir()  # the library shared with the console, as it is
    for module in SHARED.glob("*.js"):
        shutil.copyfile(module, out / "static" / "shared" / module.name)
    browser = json.dumps(config.browser_config(), indent=2)
    (out / "config.js").write_text(f"window.DESTEK_CONFIG = {browser};\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devstack.site",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--region", required=True)
    parser.add_argument("--user-pool-id", required=True, help="the customers' pool")
    parser.add_argument("--client-id", required=True, help="the pool's site client")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "site")
    args = parser.parse_args(argv)
    built = build(args.out, SiteConfig(args.api_url, args.region, args.user_pool_id,
                                       args.client_id))  # fmt: skip
    sys.stdout.write(f"site written to {built}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
